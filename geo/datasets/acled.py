"""ACLED exports as incident records.

Codes are read against the ACLED Codebook (Armed Conflict Location & Event Data,
2023 edition, the release that added disorder_type and civilian_targeting; the
precision codes and sub-event types used here are the same in the 2019 edition),
as summarised in acledR's `acled_codebook` table and mapme.biodiversity's
`calc_fatalities_acled` documentation.

Precision. ACLED's time_precision 1 is a known day, 2 a week ("sometime during
the week or a similar period"), 3 a month. The codebook does not say which day
of the week event_date then marks, so we read it as the middle: date_start and
date_end are three days either side, seven days in all, the widest span our
'week' allows. A month is widened to its first..last day. geo_precision 1 (the
town named), 2 (near a town, or a small part of a region) and 3 (a larger
region, often the provincial capital) are our 1, 2 and 3.

Layouts. Three header layouts import: the current one (2023 on: disorder_type,
civilian_targeting, tags), the 2019-2022 one without those three, and the
layout before 2019, which had no sub_event_type and named associated actors
ally_actor_1 (read as assoc_actor_1). Re-saved files are read too: `NA` and
the other missing-value markers are empty (geo.datasets), an R row-name column
is ignored, and event_date may be ISO, written out (14 March 2019, 14-Mar-19)
or slashed in the order the file itself shows (3/14/2019 or 14/03/2019).

Event types come from sub_event_type (SUB_EVENT_TYPES); where a file has none
(before 2019), from event_type (EVENT_TYPES: a battle is a clash, the rest
'other', since "Remote violence" covers shelling, bombs and air strikes alike).
ACLED's event_type is kept as `acled_event_type`, and "Violence against
civilians" (or a filled civilian_targeting column) sets target to "civilians".

Claims. ACLED records who took part, not who claimed it, and its codebook says
actor1 and actor2 imply no direction (attacker or defender). We keep actor1 as
the actor and call the event 'attributed' when actor1 names an armed group.
It is 'n/a' when actor1 is "Unidentified ...", empty, or of a kind that claims
nothing: state forces, rioters, protesters, civilians (inter1 1, 5, 6, 7, as
the code or the label newer exports write; without inter1, told from the
actor's name, e.g. "Protesters (Pakistan)"). actor2 travels as `acled_actor2`.

Place. A file trimmed of latitude and longitude (or a row without them) is
placed by the geocoder from the finest name the row gives: location, else
admin2, else admin1, in its country; the precision is ACLED's geo_precision
or what that name allows, whichever is coarser (a row naming only admin1 is a
province, 3). A row naming only its country is not placed and is listed in
unresolved.csv. A header with only one of latitude and longitude is an error.
Columns a record can do without (actor1, fatalities, the coordinates) may be
missing from the header; what the record then does not know stays empty. A
header without event_id_cnty, event_date, time_precision, geo_precision, or
both event_type and sub_event_type, is refused, each gap named.

Fatalities are ACLED's figure with qualifier 'exact' (the figure as given;
ACLED's own rule is to code the most conservative report). The row's own
admin1, admin2, admin3 and location stay beside ours as `acled_admin1` ...
`acled_location`: our admin1 comes from the province polygon a point lies in.
"""

from __future__ import annotations

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
    labels,
    lookup,
    named_place,
    no_finer,
    or_default,
    provenance,
    text,
    whole_numbers,
)
from geo.datasets._dates import iso, span

KIND = "acled"
NAME = "ACLED"
PUBLISHER = "Armed Conflict Location & Event Data (ACLED)"
SIGNATURE = frozenset({"event_id_cnty"})
# What a record cannot be told without (a tuple: one of these). geo_precision stays
# required without coordinates too: it alone says whether location is the town itself or a
# town standing for its region.
REQUIRED = ("event_id_cnty", "event_date", "time_precision", ("event_type", "sub_event_type"),
            "geo_precision")
OPTIONAL = ("sub_event_type", "assoc_actor_1", "admin1", "admin2", "admin3", "location",
            "source", "notes", "country", "iso", "actor1", "actor2", "inter1",
            "civilian_targeting", "disorder_type", "latitude", "longitude", "fatalities")
# What a row without coordinates is placed from, finest first, with the best geo_precision
# each name allows.
PLACES = (("location", 1), ("admin2", 2), ("admin1", 3))
# The export's own columns, every layout's (geo.datasets.closest_layout).
COLUMNS = frozenset((
    "event_id_cnty", "event_id_no_cnty", "data_id", "iso", "event_date", "year", "time_precision",
    "disorder_type", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2",
    "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "region", "country", "admin1",
    "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
    "source_scale", "notes", "fatalities", "tags", "timestamp", "iso3", "gwno", "ally_actor_1",
    "ally_actor_2",
))
# Names of the layout before 2019, read as today's.
ALIASES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}
# The fields we have no contract column for, kept as acled_<name>.
KEPT = ("event_type", "sub_event_type", "disorder_type", "admin1", "admin2", "admin3",
        "location", "time_precision", "geo_precision", "country", "iso", "actor2", "inter1",
        "civilian_targeting")

# ISO in API and recent exports, written out in others, abbreviated or dotted (14.03.2019,
# a German-locale spreadsheet) where Excel re-saved it.
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y",
                "%d.%m.%Y")
TIME_PRECISION = {1: "day", 2: "week", 3: "month"}
GEO_PRECISION = {1: 1, 2: 2, 3: 3}
# Every sub-event type of the codebook, lower-cased; one we do not know is 'other'.
SUB_EVENT_TYPES = {
    "armed clash": "clash",
    "government regains territory": "clash",
    "non-state actor overtakes territory": "clash",
    "air/drone strike": "airstrike",
    "suicide bomb": "suicide_attack",
    "remote explosive/landmine/ied": "bombing",
    "grenade": "bombing",
    "shelling/artillery/missile attack": "other",
    "chemical weapon": "other",
    "attack": "armed_assault",
    "abduction/forced disappearance": "other",
    "sexual violence": "other",
    "arrests": "arrest",
    "disrupted weapons use": "other",
    "headquarters or base established": "other",
    "change to group/activity": "other",
    "looting/property destruction": "other",
    "non-violent transfer of territory": "other",
    "agreement": "other",
    "peaceful protest": "other",
    "protest with intervention": "other",
    "excessive force against protesters": "other",
    "violent demonstration": "other",
    "mob violence": "other",
    "other": "other",
}
# event_type alone (files before 2019, or an empty sub_event_type); any other is 'other'.
EVENT_TYPES = {
    "battle-no change of territory": "clash",
    "battle-government regains territory": "clash",
    "battle-non-state actor overtakes territory": "clash",
    "battles": "clash",
}
CIVILIAN_EVENT_TYPES = {"violence against civilians": "civilians"}
UNNAMED_ACTOR = r"(?i)unidentified\b"
# Actor kinds that claim nothing (inter1: 1 state forces, 5 rioters, 6 protesters, 7 civilians).
NOT_CLAIMING = {1: "state forces", 5: "rioters", 6: "protesters", 7: "civilians"}
NOT_CLAIMING_ACTOR = r"(?i)^(?:protesters|rioters|civilians)\b|^(?:military|police) forces of\b"


def to_records(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """ACLED rows (all text, a `_line` column) as incidents; RecordError naming every bad cell."""
    problems = Problems(frame, file_name)
    ids = identifiers(frame, "event_id_cnty", problems)
    day = days(frame, "event_date", problems, DATE_FORMATS, "2019-03-14 or 14 March 2019")
    precision = codes(frame, "time_precision", TIME_PRECISION, problems)
    geo_precision = codes(frame, "geo_precision", GEO_PRECISION, problems)
    latitude, longitude = coordinates(frame, problems)
    fatalities = whole_numbers(frame, "fatalities", problems)
    problems.raise_any()

    start, end = span(day, precision.to_numpy())
    actor = text(frame, "actor1")
    civilians = ((labels(text(frame, "event_type"), CIVILIAN_EVENT_TYPES, "") != "")
                 | (text(frame, "civilian_targeting") != ""))
    country = or_default(_countries.from_numbers(text(frame, "iso")),
                         _countries.from_names(text(frame, "country")))
    location = text(frame, "location")
    place, best = named_place([(text(frame, column), p) for column, p in PLACES])
    by_name = (latitude == "").to_numpy()
    sub_type = text(frame, "sub_event_type")
    event_type = labels(sub_type, SUB_EVENT_TYPES, "other").where(
        sub_type != "", labels(text(frame, "event_type"), EVENT_TYPES, "other"))
    records = {
        "event_id": "acled-" + ids,
        "date_start": iso(start),
        "date_end": iso(end),
        "date_precision": precision,
        "event_type": event_type,
        "location": location,
        "place": location.where(~by_name, place),
        "admin2": text(frame, "admin2"),
        "admin1": text(frame, "admin1"),
        "country": country,
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": no_finer(geo_precision, best, by_name),
        "fatalities": fatalities,
        "fatalities_qualifier": np.where(fatalities != "", "exact", ""),
        "target": np.where(civilians, "civilians", ""),
        "actor": actor,
        # ACLED separates associated actors with "; ", the contract with ";".
        "assoc_actors": text(frame, "assoc_actor_1").str.replace("; ", ";", regex=False)
        .str.replace(" ;", ";", regex=False),
        "claim_status": np.where(_claims_nothing(frame, actor), "n/a", "attributed"),
        **provenance(KIND, file_name),
        "cited_sources": text(frame, "source"),
        "summary": or_default(text(frame, "notes"), "ACLED event " + ids),
    }
    return assemble(frame, records, KIND,
                    {name: text(frame, name) for name in KEPT})


def _claims_nothing(frame: pd.DataFrame, actor: pd.Series) -> np.ndarray:
    """Rows whose actor1 is unnamed or of a kind that claims nothing (see NOT_CLAIMING)."""
    kind = text(frame, "inter1")
    by_code = lookup(kind, NOT_CLAIMING).notna()
    by_label = labels(kind, {v: v for v in NOT_CLAIMING.values()}, "") != ""
    by_name = (kind == "") & actor.str.contains(NOT_CLAIMING_ACTOR, regex=True)
    unnamed = (actor == "") | actor.str.match(UNNAMED_ACTOR)
    return (unnamed | by_code | by_label | by_name).to_numpy(dtype=bool)
