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

Event types come from sub_event_type (SUB_EVENT_TYPES); ACLED's event_type is
kept as `acled_event_type`, and "Violence against civilians" (or a filled
civilian_targeting column) sets target to "civilians".

Claims. ACLED records who took part, not who claimed it, and its codebook says
actor1 and actor2 imply no direction (attacker or defender). We keep actor1 as
the actor and call the event 'attributed' when actor1 names someone; an
"Unidentified ..." actor or none is 'n/a'. actor2 travels as `acled_actor2`.

Fatalities are ACLED's figure with qualifier 'exact' (the figure as given;
ACLED's own rule is to code the most conservative report).
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
    labels,
    or_default,
    provenance,
    text,
    whole_numbers,
)
from geo.datasets._dates import iso, parse, span

KIND = "acled"
NAME = "ACLED"
PUBLISHER = "Armed Conflict Location & Event Data (ACLED)"
SIGNATURE = frozenset({"event_id_cnty"})
REQUIRED = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "notes", "fatalities",
)
OPTIONAL = ("country", "iso", "actor2", "civilian_targeting")
# The fields we have no contract column for, kept as acled_<name>.
KEPT = ("event_type", "sub_event_type", "admin3", "time_precision", "geo_precision", "country",
        "iso", "actor2", "civilian_targeting")

# ACLED writes event_date as 2019-03-14 in API and recent exports, 14 March 2019 in others.
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y")
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
CIVILIAN_EVENT_TYPES = {"violence against civilians": "civilians"}
UNNAMED_ACTOR = r"(?i)unidentified\b"


def to_records(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """ACLED rows (all text, a `_line` column) as incidents; RecordError naming every bad cell."""
    problems = Problems(frame, file_name)
    ids = text(frame, "event_id_cnty")
    problems.add((ids == "").to_numpy(), "event_id_cnty", ids, "is required")
    written = text(frame, "event_date")
    day = parse(written, DATE_FORMATS)
    problems.add(np.isnat(day), "event_date", written,
                 "is not a date (2019-03-14 or 14 March 2019)")
    precision = codes(frame, "time_precision", TIME_PRECISION, problems)
    geo_precision = codes(frame, "geo_precision", GEO_PRECISION, problems)
    latitude, longitude = coordinates(frame, problems)
    fatalities = whole_numbers(frame, "fatalities", problems)
    problems.raise_any()

    start, end = span(day, precision.to_numpy())
    actor = text(frame, "actor1")
    named = (actor != "") & ~actor.str.match(UNNAMED_ACTOR)
    civilians = ((labels(text(frame, "event_type"), CIVILIAN_EVENT_TYPES, "") != "")
                 | (text(frame, "civilian_targeting") != ""))
    country = or_default(_countries.from_numbers(text(frame, "iso")),
                         _countries.from_names(text(frame, "country")))
    location = text(frame, "location")
    records = {
        "event_id": "acled-" + ids,
        "date_start": iso(start),
        "date_end": iso(end),
        "date_precision": precision,
        "event_type": labels(text(frame, "sub_event_type"), SUB_EVENT_TYPES, "other"),
        "location": location,
        "place": location,
        "admin2": text(frame, "admin2"),
        "admin1": text(frame, "admin1"),
        "country": country,
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": geo_precision,
        "fatalities": fatalities,
        "fatalities_qualifier": np.where(fatalities != "", "exact", ""),
        "target": np.where(civilians, "civilians", ""),
        "actor": actor,
        # ACLED separates associated actors with "; ", the contract with ";".
        "assoc_actors": text(frame, "assoc_actor_1").str.replace("; ", ";", regex=False)
        .str.replace(" ;", ";", regex=False),
        "claim_status": np.where(named, "attributed", "n/a"),
        **provenance(KIND, file_name),
        "cited_sources": text(frame, "source"),
        "summary": or_default(text(frame, "notes"), "ACLED event " + ids),
    }
    return assemble(frame, records, KIND,
                    {name: text(frame, name) for name in KEPT})

