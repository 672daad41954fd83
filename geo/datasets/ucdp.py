"""UCDP Georeferenced Event Dataset (GED) exports as incident records.

Codes are read against the UCDP GED Codebook version 19.1 (Högbladh, Department
of Peace and Conflict Research, Uppsala University, 2019); the precision codes
are unchanged in the 23.1 and 24.1 codebooks, as mapme.biodiversity's
`calc_fatalities_ucdp` documentation summarises them.

Place. where_prec 1 is the exact place and 2 a limited area around a named
place: our 1 and 2. 3 is a second-order unit (district), our 2. 4 is a province,
our 3. 5 covers a part of a country larger than a province, a point between
two places, or a vague place: coarser than a province but not the whole
country, so 3, the nearest we have. 6 is the country and 7 open water or
airspace: our 4. The raw code stays as `ucdp_where_prec`.

Dates. UCDP gives date_start and date_end (the earliest and latest possible
day) and date_prec: 1 an exact day, 2 a span of two to six days, 3 a week, 4 a
month, 5 a year, which we read as day, week, week, month, year. The dates
keep UCDP's own span; the precision is the finest at least as coarse as
date_prec whose rule the span keeps: a 'week' that runs over a month end is
still a week (at most seven days), and a 'month' from 20 July to 10 August is
still a month (at most 31 days). Dates more than a year apart fit none of
ours: an error.

Layouts. The GED CSV (versions 5.0 to 24.1, and the candidate events, which
share its columns), the same with an HXL hashtag row under the header (HDX),
and the web explorer's download: best_est, low_est and high_est for best,
low and high (also the names of GED 1.x and 2.0), dates as MM/DD/YYYY and an
empty field closing every row. Dates are ISO or slashed, slashed read in the
order the file shows, month first where no date tells (the explorer's form).

Types. type_of_violence 1 (state-based) and 2 (non-state) are clashes between
armed groups; 3 (one-sided violence) is an armed_assault on civilians.

Claims. UCDP does not record claims. side_a is the actor; an event whose
side_a names someone is 'attributed', else 'n/a'. side_b and dyad_name are
kept. Fatalities are UCDP's best estimate ('exact': the figure as given), with
low and high kept as `ucdp_low` and `ucdp_high`. The row's own adm_1, adm_2 and
where_coordinates stay beside ours as `ucdp_adm_1`, `ucdp_adm_2` and
`ucdp_where_coordinates`.

Trimmed files. A file without latitude and longitude (or a row without them)
is placed by the geocoder from where_coordinates, else adm_2, else adm_1, in
its country, at a precision no finer than where_prec and than that name (a
row naming only adm_1 is a province, 3; a where_prec 6 row stays the
country's, with no province). A file without best, low or high leaves the
toll empty: unknown, not zero.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.datasets import _countries
from geo.datasets._common import (
    Problems,
    assemble,
    codes,
    coordinates,
    days,
    identifiers,
    lookup,
    named_place,
    no_finer,
    or_default,
    provenance,
    text,
    vocabulary,
    whole_numbers,
)
from geo.datasets._dates import US, fitting, iso, slash_order

KIND = "ucdp"
NAME = "UCDP GED"
PUBLISHER = "Uppsala Conflict Data Program (UCDP), Georeferenced Event Dataset"
SIGNATURE = frozenset({"date_prec", "where_prec"})
# What a record cannot be told without: its id, its dates and how precise they and its place
# are. The estimates and the coordinates may be gone from a trimmed file.
REQUIRED = ("id", "date_start", "date_end", "date_prec", "where_prec")
OPTIONAL = ("best", "low", "high", "latitude", "longitude", "country", "type_of_violence",
            "side_a", "side_b", "dyad_name", "where_coordinates", "adm_1", "adm_2",
            "source_article", "source_headline")
# What a row without coordinates is placed from, finest first, with the best geo_precision
# each name allows; GED's own names ("Achin district") tell the geocoder the unit too.
PLACES = (("where_coordinates", 1), ("adm_2", 2), ("adm_1", 3))
# The export's own columns: the GED CSV's, the explorer's and GED 1.x's names
# (geo.datasets.closest_layout).
COLUMNS = frozenset((
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
    "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob", "best_est",
    "high_est", "low_est",
))
# The fields we have no contract column for, kept as ucdp_<name>.
KEPT = ("date_prec", "where_prec", "low", "high", "type_of_violence", "side_b", "dyad_name",
        "country", "adm_1", "adm_2", "where_coordinates")
# The web explorer's (and GED 1.x's) names for the three estimates.
ALIASES = {"best_est": "best", "low_est": "low", "high_est": "high"}

DATE_PRECISION = {1: "day", 2: "week", 3: "week", 4: "month", 5: "year"}
WHERE_PRECISION = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 4, 7: 4}
VIOLENCE_TYPES = {1: "clash", 2: "clash", 3: "armed_assault"}
VIOLENCE_TARGETS = {3: "civilians"}
# GED CSVs write a date as 2017-07-31 or, from a database export, 2017-07-31 00:00:00.000;
# the explorer as 07/31/2017 (see _dates.slash_order).
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")  # ISO, or dotted day-first from a re-saved file


def to_records(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """UCDP GED rows (all text, a `_line` column) as incidents; RecordError naming bad cells."""
    problems = Problems(frame, file_name)
    ids = identifiers(frame, "id", problems)
    start, end, precision = _dates(frame, problems)
    geo_precision = codes(frame, "where_prec", WHERE_PRECISION, problems)
    latitude, longitude = coordinates(frame, problems)
    fatalities = whole_numbers(frame, "best", problems)
    for column in ("low", "high"):
        whole_numbers(frame, column, problems)
    if "type_of_violence" in frame:
        event_type = codes(frame, "type_of_violence", VIOLENCE_TYPES, problems)
    else:
        event_type = pd.Series("other", index=frame.index)
    problems.raise_any()

    violence = text(frame, "type_of_violence")
    actor = text(frame, "side_a")
    place = text(frame, "where_coordinates")
    named, best = named_place([(text(frame, column), p) for column, p in PLACES])
    by_name = (latitude == "").to_numpy()
    records = {
        "event_id": "ucdp-" + ids,
        "date_start": iso(start),
        "date_end": iso(end),
        "date_precision": precision,
        "event_type": event_type,
        "location": place,
        "place": place.where(~by_name, named),
        "admin2": _unsuffixed(text(frame, "adm_2"), "district"),
        "admin1": _unsuffixed(text(frame, "adm_1"), "province"),
        "country": _countries.from_names(text(frame, "country")),
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": no_finer(geo_precision, best, by_name),
        "fatalities": fatalities,
        "fatalities_qualifier": np.where(fatalities != "", "exact", ""),
        "target": lookup(violence, VIOLENCE_TARGETS).fillna(""),
        "actor": actor,
        "claim_status": np.where(actor != "", "attributed", "n/a"),
        **provenance(KIND, file_name),
        "cited_sources": text(frame, "source_article"),
        "summary": or_default(text(frame, "source_headline"), "UCDP GED event " + ids),
    }
    return assemble(frame, records, KIND, {name: text(frame, name) for name in KEPT})


def _dates(frame: pd.DataFrame, problems: Problems) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """date_start and date_end as days, and the finest precision their span and date_prec
    allow (see the module's Dates)."""
    both = pd.concat([text(frame, "date_start"), text(frame, "date_end")])
    try:
        order = slash_order(both, US)
    except ValueError:
        order = None  # days() names the cells
    found = {column: days(frame, column, problems, DATE_FORMATS, "YYYY-MM-DD or MM/DD/YYYY",
                          slashed=order) for column in ("date_start", "date_end")}
    start, end = found["date_start"], found["date_end"]
    before = ~np.isnat(start) & ~np.isnat(end) & (end < start)
    problems.add(before, "date_end", text(frame, "date_end"), "is before date_start")
    stated = codes(frame, "date_prec", DATE_PRECISION, problems)
    precision = fitting(start, end, stated.to_numpy())
    unfit = ~np.isnat(start) & ~np.isnat(end) & ~before & (stated != "").to_numpy() \
        & (precision == "")
    problems.add(unfit, "date_end", text(frame, "date_end"),
                 "is more than a year after date_start: no date precision covers the span")
    return start, end, precision


def _unsuffixed(names: pd.Series, unit: str) -> pd.Series:
    """'Nangarhar province' -> 'Nangarhar': GED names the unit, our admin columns do not."""
    suffix = re.compile(rf"\s+{unit}$", re.IGNORECASE)
    return vocabulary(names, lambda name: suffix.sub("", name))
