"""Global Terrorism Database (GTD) exports as incident records.

Codes are read against the GTD Codebook: Inclusion Criteria and Variables
(National Consortium for the Study of Terrorism and Responses to Terrorism,
START, University of Maryland, June 2017 edition; the variables used here are
the same in later editions).

Dates. GTD splits the date into iyear, imonth and iday and writes 0 for an
unknown month or day. An unknown day makes a month-precision event spanning
its month; an unknown month a year-precision event spanning its year. A file
trimmed in a spreadsheet may have lost iyear: the year is then the first four
digits of eventid, which the codebook defines as the date recorded, YYYYMMDD,
then a four-digit sequence number (201903140001). Where a row has both and
they disagree, iyear wins: it is the variable the codebook gives as the
year, where eventid is an identifier that merely begins with a date. A
year from eventid is checked like iyear (four digits, 1000 or later); an
eventid that is not twelve digits gives none, and a row with neither is an
error. imonth and iday stay required: they say how precise the date is.

Place. specificity 1 is the city or village itself: our 1. 2 (the town is
known but not found, so the point is its smallest administrative unit) and 3
(not in a town; the smallest unit) are our 2. 4 (only the province) is our 3
and 5 (only the country) our 4. "Unknown" in city or provstate is left empty.
Where a file has no specificity (layouts before the 0718 release, such as
the 1993 file), the precision follows from what the row names, claiming no
more: a city 2, only a province 3, only the country 4. A row without
coordinates is placed by the geocoder from its city (or province), like any
record, with a geo_precision no finer than what it names (a province only: 3)
and never finer than specificity says; a file trimmed of latitude and
longitude is placed this way throughout (one trimmed of country_txt too, by
its names alone). The row's own provstate and city stay as `gtd_provstate`
and `gtd_city`.

Types. A suicide attack (suicide = 1) is a suicide_attack whatever its
attack type; otherwise ATTACK_TYPES maps attacktype1_txt, and what it lacks is
'other'. TARGET_TYPES maps targtype1_txt onto our target words where one fits
and keeps GTD's label where none does.

Claims. claimed = 1 is 'claimed' and 0 'unclaimed'; compclaim = 1 (competing
claims) makes it 'disputed'. Where GTD does not know (-9, or empty in years
before it coded claims), a named group in gname makes it 'attributed' (GTD
attributes it), and "Unknown" 'n/a'.

Counts. nkill is fatalities and nwound injured, 'exact' when given; empty,
-9 and -99 mean unknown and stay empty. Re-saved files write 4 as 4.0, which
is 4. Older files hold fractions (19.8) where a total was shared out among
several events: the toll is its whole part with qualifier 'about', the
figure as written stays in `gtd_nkill` / `gtd_nwound`, and the import notes
how many. An eventid written 199301220001.0 is 199301220001.
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
    identifiers,
    labels,
    named_place,
    no_finer,
    or_default,
    provenance,
    text,
    whole_numbers,
)
from geo.datasets._dates import iso, span

KIND = "gtd"
NAME = "GTD"
PUBLISHER = "Global Terrorism Database (START, University of Maryland)"
# imonth and iday are GTD's alone; iyear may be gone from a trimmed file (see Dates).
SIGNATURE = frozenset({"imonth", "iday"})
REQUIRED = ("eventid", "imonth", "iday")
OPTIONAL = ("iyear", "country_txt", "provstate", "city", "latitude", "longitude", "specificity",
            "attacktype1_txt", "suicide", "targtype1_txt", "gname", "claimed", "compclaim",
            "nkill", "nwound", "summary", "scite1")
# What a row without coordinates is placed from, finest first, with the best geo_precision
# each name allows (the country alone places nothing: geo.placing lists it as unresolved).
PLACES = (("city", 1), ("provstate", 3))
# The export's own columns, the codebook's 135 in GTD's order (lower case, as read), to tell
# which layout a header that lacks a needed column is closest to (geo.datasets.closest_layout).
COLUMNS = frozenset((
    "eventid", "iyear", "imonth", "iday", "approxdate", "extended", "resolution", "country",
    "country_txt", "region", "region_txt", "provstate", "city", "latitude", "longitude",
    "specificity", "vicinity", "location", "summary", "crit1", "crit2", "crit3", "doubtterr",
    "alternative", "alternative_txt", "multiple", "success", "suicide", "attacktype1",
    "attacktype1_txt", "attacktype2", "attacktype2_txt", "attacktype3", "attacktype3_txt",
    "targtype1", "targtype1_txt", "targsubtype1", "targsubtype1_txt", "corp1", "target1",
    "natlty1", "natlty1_txt", "targtype2", "targtype2_txt", "targsubtype2", "targsubtype2_txt",
    "corp2", "target2", "natlty2", "natlty2_txt", "targtype3", "targtype3_txt", "targsubtype3",
    "targsubtype3_txt", "corp3", "target3", "natlty3", "natlty3_txt", "gname", "gsubname",
    "gname2", "gsubname2", "gname3", "gsubname3", "motive", "guncertain1", "guncertain2",
    "guncertain3", "individual", "nperps", "nperpcap", "claimed", "claimmode", "claimmode_txt",
    "claim2", "claimmode2", "claimmode2_txt", "claim3", "claimmode3", "claimmode3_txt",
    "compclaim", "weaptype1", "weaptype1_txt", "weapsubtype1", "weapsubtype1_txt", "weaptype2",
    "weaptype2_txt", "weapsubtype2", "weapsubtype2_txt", "weaptype3", "weaptype3_txt",
    "weapsubtype3", "weapsubtype3_txt", "weaptype4", "weaptype4_txt", "weapsubtype4",
    "weapsubtype4_txt", "weapdetail", "nkill", "nkillus", "nkillter", "nwound", "nwoundus",
    "nwoundte", "property", "propextent", "propextent_txt", "propvalue", "propcomment",
    "ishostkid", "nhostkid", "nhostkidus", "nhours", "ndays", "divert", "kidhijcountry", "ransom",
    "ransomamt", "ransomamtus", "ransompaid", "ransompaidus", "ransomnote", "hostkidoutcome",
    "hostkidoutcome_txt", "nreleased", "addnotes", "scite1", "scite2", "scite3", "dbsource",
    "int_log", "int_ideo", "int_misc", "int_any", "related",
))
# The fields we have no contract column for, kept as gtd_<name>.
KEPT = ("specificity", "attacktype1_txt", "suicide", "targtype1_txt", "claimed", "compclaim",
        "country_txt", "provstate", "city", "nkill", "nwound")

SPECIFICITY = {1: 1, 2: 2, 3: 2, 4: 3, 5: 4}
SUICIDE = {1: "suicide_attack", 0: ""}
# What a row without specificity names at best: a city, a province, the country.
NAMED_PRECISION = (2, 3, 4)
# Every attack type of the codebook, lower-cased; one we do not know is 'other'.
ATTACK_TYPES = {
    "bombing/explosion": "bombing",
    "armed assault": "armed_assault",
    "assassination": "armed_assault",
    "hijacking": "other",
    "hostage taking (kidnapping)": "other",
    "hostage taking (barricade incident)": "other",
    "facility/infrastructure attack": "other",
    "unarmed assault": "other",
    "unknown": "other",
}
TARGET_TYPES = {
    "private citizens & property": "civilians",
    "military": "security_forces",
    "police": "security_forces",
    "government (general)": "government",
    "unknown": "",
}
CLAIMED = {1: "claimed", 0: "unclaimed", -9: "unknown"}
COMPETING_CLAIMS = {1: "disputed", 0: "", -9: ""}
UNKNOWN_COUNTS = ("-9", "-99")
UNKNOWN_NAME = "unknown"
# The codebook's eventid: the date recorded (YYYYMMDD), then a 4-digit sequence number.
EVENTID = r"^(\d{4})\d{8}$"


def to_records(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """GTD rows (all text, a `_line` column) as incidents; RecordError naming every bad cell."""
    problems = Problems(frame, file_name)
    ids = identifiers(frame, "eventid", problems)
    day, precision = _dates(frame, ids, problems)
    stated = codes(frame, "specificity", SPECIFICITY, problems, required=False)
    latitude, longitude = coordinates(frame, problems)
    suicide = codes(frame, "suicide", SUICIDE, problems, required=False)
    claimed = codes(frame, "claimed", CLAIMED, problems, required=False)
    competing = codes(frame, "compclaim", COMPETING_CLAIMS, problems, required=False)
    fatalities, shared_kill = _counts(frame, "nkill", problems)
    injured, shared_wound = _counts(frame, "nwound", problems)
    problems.raise_any()

    names = {column: _known(frame, column) for column, _ in PLACES}
    city, province = names["city"], names["provstate"]
    named = np.select([city != "", province != ""], NAMED_PRECISION[:2], NAMED_PRECISION[2])
    geo_precision = or_default(stated, pd.Series(named.astype(str), index=frame.index))
    place, best = named_place([(names[column], p) for column, p in PLACES])
    geo_precision = no_finer(geo_precision, best, (latitude == "").to_numpy())
    start, end = span(day, precision)
    group = _known(frame, "gname")
    status = np.select(
        [competing == "disputed", claimed == "claimed", claimed == "unclaimed", group != ""],
        ["disputed", "claimed", "unclaimed", "attributed"], default="n/a")
    records = {
        "event_id": "gtd-" + ids,
        "date_start": iso(start),
        "date_end": iso(end),
        "date_precision": precision,
        "event_type": or_default(suicide, labels(text(frame, "attacktype1_txt"), ATTACK_TYPES,
                                                 "other")),
        "location": place,
        "place": place,
        "admin1": province,
        "country": _countries.from_names(text(frame, "country_txt")),
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": geo_precision,
        "fatalities": fatalities,
        "fatalities_qualifier": _qualifier(fatalities, shared_kill),
        "injured": injured,
        "injured_qualifier": _qualifier(injured, shared_wound),
        "target": labels(text(frame, "targtype1_txt"), TARGET_TYPES, None),
        "actor": group,
        "claim_status": status,
        **provenance(KIND, file_name),
        "cited_sources": text(frame, "scite1"),
        "summary": or_default(text(frame, "summary"), "GTD event " + ids),
    }
    return assemble(frame, records, KIND, {name: text(frame, name) for name in KEPT})


def notes(incidents: pd.DataFrame) -> list[str]:
    """What an analyst should know of an import that is not an error: tolls with fractions."""
    out = []
    for column in ("nkill", "nwound"):
        written = incidents[f"gtd_{column}"]
        shared = int(written.str.fullmatch(r"\d*\.\d*[1-9]\d*").sum())
        if shared:
            out.append(f"{incidents['source_file'].iloc[0]}: {shared} {column} figures have a "
                       f"fraction (a total shared among events); mapped as the whole part with "
                       f"qualifier 'about', the figure as written kept in gtd_{column}")
    return out


def _counts(frame: pd.DataFrame, column: str, problems: Problems) -> tuple[pd.Series, np.ndarray]:
    """A toll as whole-number text ("" when unknown), and which rows wrote a fraction."""
    values = text(frame, column)
    unknown = values.isin(("", *UNKNOWN_COUNTS)).to_numpy()
    number = pd.to_numeric(values.where(~unknown, None), errors="coerce").to_numpy(float)
    bad = ~unknown & ~(np.isfinite(number) & (number >= 0))
    problems.add(bad, column, values, "is not a count (a number of 0 or more, or -9/-99 for "
                 "unknown)")
    ok = ~unknown & ~bad
    whole = np.floor(np.where(ok, number, 0)).astype("int64")
    fraction = ok & (whole != np.where(ok, number, 0))
    return pd.Series(np.where(ok, whole.astype(str), ""), index=frame.index), fraction


def _qualifier(figure: pd.Series, fraction: np.ndarray) -> np.ndarray:
    return np.where(figure == "", "", np.where(fraction, "about", "exact"))


def _dates(frame: pd.DataFrame, ids: pd.Series,
           problems: Problems) -> tuple[np.ndarray, np.ndarray]:
    """The day each event is known to (1st of month/year where unknown) and its precision."""
    year = _year(frame, ids, problems)
    month = _date_part(frame, "imonth", 12, problems)
    day = _date_part(frame, "iday", 31, problems)
    precision = np.where(month == 0, "year", np.where(day == 0, "month", "day")).astype(object)
    when = pd.to_datetime(pd.DataFrame({
        "year": year,
        "month": np.where((month == 0) | (month > 12), 1, month),
        "day": np.where((month == 0) | (day == 0) | (day > 31), 1, day),
    }), errors="coerce").to_numpy().astype("datetime64[D]")
    problems.add(np.isnat(when) & (day > 0) & (day <= 31) & (year > 0), "iday",
                 text(frame, "iday"), "is not a day of that month")
    return when, precision


def _date_part(frame: pd.DataFrame, column: str, top: int, problems: Problems) -> np.ndarray:
    """imonth or iday as numbers, 0 where GTD does not know it (and where the cell is bad)."""
    written = text(frame, column)
    number = _number(frame, column, problems)
    given = number.notna().to_numpy()
    problems.add(~given & (written == "").to_numpy(), column, written, "is required")
    problems.add(given & (number > top).to_numpy(dtype=bool, na_value=False), column, written,
                 f"must be 0 (unknown) or 1..{top}")
    return number.fillna(0).astype("int64").to_numpy()


def _year(frame: pd.DataFrame, ids: pd.Series, problems: Problems) -> np.ndarray:
    """iyear, or where the file has none (or the cell is empty) eventid's first four digits.

    A filled iyear wins over eventid (see the module's Dates); either is
    checked as a year. 0 where there is none, each such row named once.
    """
    written = text(frame, "iyear")
    stated = _number(frame, "iyear", problems)
    from_id = pd.to_numeric(ids.str.extract(EVENTID, expand=False), errors="coerce")
    from_id.index = stated.index
    use_id = (written == "").to_numpy()
    year = stated.where(~use_id, from_id)
    outside = ((year < 1000) | (year > 9999)).to_numpy(dtype=bool, na_value=False)
    problems.add(outside & ~use_id, "iyear", written, "is not a year")
    problems.add(outside & use_id, "eventid", ids, "does not begin with a year (YYYYMMDD and "
                 "a 4-digit sequence), and there is no iyear")
    # An empty or scientific eventid is named by identifiers() already.
    unreadable = use_id & from_id.isna().to_numpy() & (ids != "").to_numpy() \
        & ~ids.str.contains(r"[eE]", regex=True).to_numpy(dtype=bool)
    if "iyear" in frame:
        problems.add(use_id & (ids == "").to_numpy(), "iyear", written, "is required")
        problems.add(unreadable, "iyear", written, "is empty, and eventid gives no year "
                     "(it is not YYYYMMDD and a 4-digit sequence)")
    else:
        problems.add(unreadable, "eventid", ids, "gives no year (GTD writes it as YYYYMMDD and a "
                     "4-digit sequence) and the file has no iyear")
    return year.where(~outside, 0).fillna(0).astype("int64").to_numpy()


def _number(frame: pd.DataFrame, column: str, problems: Problems) -> pd.Series:
    """A whole-number column as numbers (NaN where empty or bad, bad cells named)."""
    return pd.to_numeric(whole_numbers(frame, column, problems).replace("", None),
                         errors="coerce")


def _known(frame: pd.DataFrame, column: str) -> pd.Series:
    """A name, with GTD's 'Unknown' read as empty."""
    values = text(frame, column)
    return values.where(values.str.lower() != UNKNOWN_NAME, "")
