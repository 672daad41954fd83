"""Place records: gazetteer lookup for each row, points kept with their precision.

A record is placed from, in order: coordinates it already carries, its curated
`place`, or its `location` as written. A `geo_precision` given without
coordinates can only make the gazetteer's precision coarser. A record that
cannot be placed is not dropped; it is returned in the unresolved table with
the reason.

Each distinct name is looked up once. Where a name stays ambiguous (its two
best candidates score within `AMBIGUOUS`), its candidates are scored again
with the context of its document: the provinces and mean position of the
document's unambiguous places. A province the record itself gives (`admin1`)
always counts. An online geocoder, when one is given, is asked only for
names the offline gazetteer cannot place at all.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.gazetteer import Candidate, Context, Gazetteer, Place
from geo.schema import ID_COLUMN, UNRESOLVED_COLUMNS

AMBIGUOUS = 0.1


class GeocoderSetupError(ValueError):
    """An online geocoder asked for without what it needs (a user agent, a URL)."""


class Fallback(Protocol):
    """An online geocoder consulted for names the gazetteer lacks (see geo._nominatim)."""

    def lookup(self, query: str, country: str | None) -> Place | None: ...


def online_fallback(user_agent: str, url: str = "https://nominatim.openstreetmap.org") -> Fallback:
    """A Nominatim fallback at `url` (scheme://host[:port][/path]), 1 request/s, cached."""
    from geo._nominatim import NominatimFallback

    if not user_agent or not user_agent.strip():
        raise GeocoderSetupError("--geocoder nominatim needs --user-agent naming you or your "
                                 "project (Nominatim's usage policy)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GeocoderSetupError(f"--nominatim-url {url!r} is not an http(s) URL")
    return NominatimFallback(user_agent, domain=parts.netloc + parts.path.rstrip("/"),
                             scheme=parts.scheme or "https")


def geocode_table(
    frame: pd.DataFrame, gazetteer: Gazetteer, table: str, fallback: Fallback | None = None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Split `frame` ("incidents" or "areas") into placed points and unresolved rows.

    Works column by column (100,000 records in about a second): names are
    looked up once per distinct (name, country, document), then written back.
    """
    frame = frame.copy()
    if table == "areas":
        queries = frame["name"]
    else:
        queries = frame["place"].where(frame["place"] != "", frame["location"])
    to_place = frame["latitude"].isna().to_numpy() & (queries != "").to_numpy()
    # Plain lists: a pandas str column turns None back into NaN, which is truthy.
    wanted = frame[to_place]
    keys = list(zip(queries[to_place], [c or None for c in wanted["country"]],
                    wanted["source_file"], [p or None for p in wanted["admin1"]], strict=True))
    chosen = _choose_places(set(keys), gazetteer, fallback)
    places = [None] * len(frame)
    for i, key in zip(np.flatnonzero(to_place), keys, strict=True):
        places[i] = chosen.get(key)
    found = pd.Series([p is not None for p in places], index=frame.index)

    # Records that carried coordinates keep them; a missing precision means the site.
    carried = frame["latitude"].notna()
    frame.loc[carried & frame["geo_precision"].isna(), "geo_precision"] = 1
    if found.any():
        _write_places(frame, found, [p for p in places if p is not None], table)

    lost = ~carried & ~found
    unresolved = _unresolved(frame[lost], queries[lost], table)
    placed = frame[~lost] if lost.any() else frame
    points = gpd.GeoDataFrame(
        placed,
        geometry=gpd.points_from_xy(placed["longitude"], placed["latitude"]),
        crs="EPSG:4326",
    )
    return points, unresolved


def _write_places(frame: pd.DataFrame, rows: pd.Series, places: list[Place], table: str) -> None:
    """Copy each chosen place into its record's columns."""
    frame.loc[rows, "latitude"] = [p.latitude for p in places]
    frame.loc[rows, "longitude"] = [p.longitude for p in places]
    frame.loc[rows, "country"] = [p.country for p in places]
    # A curator may mark a point coarser than the gazetteer's (an allegiance
    # "at Karachi" is about the city, not a site in it); never finer.
    found_precision = pd.array([p.geo_precision for p in places], dtype="Int64")
    given = frame.loc[rows, "geo_precision"].to_numpy(dtype="float64", na_value=0)
    frame.loc[rows, "geo_precision"] = pd.array(
        [max(int(g), int(f)) for g, f in zip(given, found_precision, strict=True)], dtype="Int64")
    if table == "incidents":
        frame.loc[rows, "place"] = [p.name for p in places]
        admin2 = frame.loc[rows, "admin2"]
        frame.loc[rows, "admin2"] = admin2.where(admin2 != "", [p.admin2 for p in places])
        frame.loc[rows, "geonameid"] = pd.array([p.geonameid for p in places], dtype="Int64")


def _confident(candidates: list[Candidate]) -> bool:
    return len(candidates) == 1 or (
        len(candidates) > 1 and candidates[0].score - candidates[1].score >= AMBIGUOUS
    )


def _choose_places(
    wanted: set[tuple], gazetteer: Gazetteer, fallback: Fallback | None
) -> dict[tuple, Place | None]:
    """The place for each distinct (name, country, document, province given) to geocode."""
    first = {(q, c): gazetteer.candidates(q, c) for q, c in {(q, c) for q, c, _, _ in wanted}}

    anchors: dict[str, list[Place]] = defaultdict(list)
    for query, country, document, _ in sorted(wanted, key=str):
        found = first[(query, country)]
        if _confident(found):
            anchors[document].append(found[0].place)
    contexts = {doc: _context(places) for doc, places in anchors.items()}

    chosen: dict[tuple, Place | None] = {}
    online: dict[tuple, Place | None] = {}
    for key in sorted(wanted, key=str):
        query, country, document, province = key
        found = first[(query, country)]
        if found and (province or not _confident(found)):
            context = contexts.get(document, Context())
            if province:  # the record's own word outweighs its document's
                context = Context(context.provinces | {province}, context.near)
            found = gazetteer.in_context(found, context)
        if found:
            chosen[key] = found[0].place
        elif fallback is not None:
            if (query, country) not in online:
                online[(query, country)] = fallback.lookup(query, country)
            chosen[key] = online[(query, country)]
    return chosen


def _context(places: list[Place]) -> Context:
    lat = sum(p.latitude for p in places) / len(places)
    lon = sum(p.longitude for p in places) / len(places)
    return Context(provinces=frozenset(p.admin1 for p in places if p.admin1), near=(lat, lon))


def _unresolved(lost: pd.DataFrame, queries: pd.Series, table: str) -> pd.DataFrame:
    """One row per record not placed, with the reason in words."""
    reasons = [
        f"the source names no place finer than the country ({country})"
        if not query and country
        else "the source names no place" if not query
        else f"no gazetteer entry for {query!r}" + (f" in {country}" if country else "")
        for query, country in zip(queries, lost["country"], strict=True)
    ]
    return pd.DataFrame({
        "table": table,
        "record_id": lost[ID_COLUMN[table]].to_numpy(),
        "location": queries.to_numpy(),
        "country": lost["country"].to_numpy(),
        "source_file": lost["source_file"].to_numpy(),
        "input_line": lost["_line"].to_numpy(),
        "reason": reasons,
    }, columns=list(UNRESOLVED_COLUMNS))
