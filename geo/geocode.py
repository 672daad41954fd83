"""Place records: gazetteer lookup for each row, points kept with their precision.

A record is placed from, in order: coordinates it already carries, its curated
`place`, or its `location` as written. A `geo_precision` given without
coordinates can only make the gazetteer's precision coarser. A record that
cannot be placed is not dropped; it is returned in the unresolved table with
the reason.

Each distinct name is looked up once. Where a name stays ambiguous (its two
best candidates score within `AMBIGUOUS`), it is looked up again with the
context of its document: the provinces and mean position of the document's
unambiguous places. An online geocoder, when one is given, is asked only for
names the offline gazetteer cannot place at all.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

import geopandas as gpd
import pandas as pd

from geo.gazetteer import Candidate, Context, Gazetteer, Place
from geo.schema import ID_COLUMN, UNRESOLVED_COLUMNS

AMBIGUOUS = 0.1


class Fallback(Protocol):
    """An online geocoder consulted for names the gazetteer lacks (see geo._nominatim)."""

    def lookup(self, query: str, country: str | None) -> Place | None: ...


def geocode_table(
    frame: pd.DataFrame, gazetteer: Gazetteer, table: str, fallback: Fallback | None = None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Split `frame` ("incidents" or "areas") into placed points and unresolved rows."""
    records = frame.to_dict("records")
    choices = _choose_places(records, gazetteer, table, fallback)
    placed_rows, unresolved = [], []
    for record in records:
        reason = _place(record, choices.get(_key(record, table)), table)
        if reason:
            unresolved.append(_unresolved(record, table, reason))
        else:
            placed_rows.append(record)
    placed = pd.DataFrame(placed_rows, columns=frame.columns).astype(frame.dtypes.to_dict())
    points = gpd.GeoDataFrame(
        placed,
        geometry=gpd.points_from_xy(placed["longitude"], placed["latitude"]),
        crs="EPSG:4326",
    )
    return points, pd.DataFrame(unresolved, columns=list(UNRESOLVED_COLUMNS))


def _query(record: dict, table: str) -> str:
    if table == "areas":
        return record["name"]
    return record["place"] or record["location"]


def _key(record: dict, table: str) -> tuple[str, str | None, str]:
    return _query(record, table), record["country"] or None, record["source_file"]


def _confident(candidates: list[Candidate]) -> bool:
    return len(candidates) == 1 or (
        len(candidates) > 1 and candidates[0].score - candidates[1].score >= AMBIGUOUS
    )


def _choose_places(
    records: list[dict], gazetteer: Gazetteer, table: str, fallback: Fallback | None
) -> dict[tuple, Place | None]:
    """The place for each distinct (name, country, document) among records to geocode."""
    wanted = {_key(r, table) for r in records if pd.isna(r["latitude"]) and _query(r, table)}
    first = {(q, c): gazetteer.candidates(q, c) for q, c in {(q, c) for q, c, _ in wanted}}

    anchors: dict[str, list[Place]] = defaultdict(list)
    for query, country, document in sorted(wanted, key=str):
        found = first[(query, country)]
        if _confident(found):
            anchors[document].append(found[0].place)
    contexts = {doc: _context(places) for doc, places in anchors.items()}

    chosen: dict[tuple, Place | None] = {}
    for query, country, document in wanted:
        found = first[(query, country)]
        if found and not _confident(found) and document in contexts:
            found = gazetteer.candidates(query, country, contexts[document])
        if found:
            chosen[(query, country, document)] = found[0].place
        elif fallback is not None:
            chosen[(query, country, document)] = fallback.lookup(query, country)
    return chosen


def _context(places: list[Place]) -> Context:
    lat = sum(p.latitude for p in places) / len(places)
    lon = sum(p.longitude for p in places) / len(places)
    return Context(provinces=frozenset(p.admin1 for p in places if p.admin1), near=(lat, lon))


def _place(record: dict, place: Place | None, table: str) -> str:
    """Fill the record's place columns in place; return why it failed, or ""."""
    if not pd.isna(record["latitude"]):
        if pd.isna(record["geo_precision"]):
            record["geo_precision"] = 1
        return ""
    query = _query(record, table)
    if not query:
        return "the source names no place"
    if place is None:
        country = record["country"]
        where = f" in {country}" if country else ""
        return f"no gazetteer entry for {query!r}{where}"
    # A curator may mark a point coarser than the gazetteer's (an allegiance
    # "at Karachi" is about the city, not a site in it); never finer.
    given = record["geo_precision"]
    precision = place.geo_precision if pd.isna(given) else max(int(given), place.geo_precision)
    record.update(
        latitude=place.latitude,
        longitude=place.longitude,
        geo_precision=precision,
        country=place.country,
    )
    if table == "incidents":
        record.update(
            place=place.name,
            admin2=record["admin2"] or place.admin2,
            geonameid=place.geonameid if place.geonameid is not None else pd.NA,
        )
    return ""


def _unresolved(record: dict, table: str, reason: str) -> dict:
    return {
        "table": table,
        "record_id": record[ID_COLUMN[table]],
        "location": _query(record, table),
        "country": record["country"],
        "source_file": record["source_file"],
        "input_line": record["_line"],
        "reason": reason,
    }
