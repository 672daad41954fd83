"""Place records: gazetteer lookup for each row, points kept with their precision.

A record is placed from, in order: coordinates it already carries, its curated
`place`, or its `location` as written. A `geo_precision` given without
coordinates can only make the gazetteer's precision coarser. A record that cannot be placed is not
dropped; it is returned in the unresolved table with the reason.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.gazetteer import Gazetteer
from geo.schema import ID_COLUMN, UNRESOLVED_COLUMNS


def geocode_table(
    frame: pd.DataFrame, gazetteer: Gazetteer, table: str
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Split `frame` ("incidents" or "areas") into placed points and unresolved rows."""
    placed_rows, unresolved = [], []
    for _, row in frame.iterrows():
        record = row.to_dict()
        reason = _place(record, gazetteer, table)
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


def _place(record: dict, gazetteer: Gazetteer, table: str) -> str:
    """Fill the record's place columns in place; return why it failed, or ""."""
    if not pd.isna(record["latitude"]):
        if pd.isna(record["geo_precision"]):
            record["geo_precision"] = 1
        return ""
    query = _query(record, table)
    if not query:
        return "the source names no place"
    country = record["country"] or None
    place = gazetteer.resolve(query, country)
    if place is None:
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
