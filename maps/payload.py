"""What the page carries: compact columns for incidents, features for areas and provinces.

A folium marker per incident costs kilobytes of JavaScript each; at 100,000
incidents that is a page no browser opens. Incidents travel instead as
columns sorted by start date: integers for position, dates, type and toll, and
indexes into lists of distinct popup texts, so repeated places and sources
cost a few bytes. Popup text is composed here (maps.popups) and shown by the
page with textContent, so it is never parsed as HTML.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from geo.schema import EVENT_TYPES
from maps.popups import (
    area_popup,
    area_tooltip,
    incident_parts,
)
from maps.style import AREA_RADIUS_M, area_style

EPOCH = dt.date(1970, 1, 1)
# Degrees kept for drawing: 1e-4 is about 11 m, finer than any marker.
SCALE = 10_000


def day(iso: str) -> int:
    """Days since 1970-01-01: the page's unit of time."""
    return (dt.date.fromisoformat(iso) - EPOCH).days


def iso(days: int) -> str:
    return (EPOCH + dt.timedelta(days=int(days))).isoformat()


class _Table:
    """Distinct values and, for each record, the index of its value."""

    def __init__(self) -> None:
        self.values: list = []
        self._seen: dict = {}

    def index(self, value) -> int:
        key = repr(value)
        if key not in self._seen:
            self._seen[key] = len(self.values)
            self.values.append(value)
        return self._seen[key]


def page_order(record: Mapping) -> tuple:
    """The order incidents take in the page: by start date, then id."""
    return record["date_start"], record["event_id"]


def incident_payload(
    incidents: gpd.GeoDataFrame, sources: Mapping, province_names: list[str]
) -> dict:
    """Incidents as columns sorted by start date, for the page's canvas layer."""
    records = sorted(incidents.to_dict("records"), key=page_order)
    provinces = {name: i for i, name in enumerate(province_names)}
    types = {code: i for i, code in enumerate(EVENT_TYPES)}
    details, dates, summaries = _Table(), _Table(), _Table()
    columns: dict[str, list] = defaultdict(list)
    previous = None
    stacks: dict[tuple, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        start, end = day(record["date_start"]), day(record["date_end"])
        columns["dt0"].append(start if previous is None else start - previous)
        previous = start
        columns["dur"].append(end - start)
        lat, lon = round(record["latitude"] * SCALE), round(record["longitude"] * SCALE)
        columns["lat"].append(lat)
        columns["lon"].append(lon)
        stacks[(lat, lon)].append(i)
        columns["type"].append(types[record["event_type"]])
        deaths = record["fatalities"]
        columns["deaths"].append(-1 if pd.isna(deaths) else int(deaths))
        columns["prec"].append(int(record["geo_precision"]))
        columns["prov"].append(provinces.get(record["admin1"], -1))
        heading, date, rows, summary = incident_parts(record, sources)
        columns["detail"].append(details.index([heading, [list(r) for r in rows]]))
        columns["date"].append(dates.index(date))
        columns["summary"].append(summaries.index(summary))
    fan = [[i, k, len(members)] for members in stacks.values() if len(members) > 1
           for k, i in enumerate(members)]
    return {
        "n": len(records),
        **columns,
        "fan": sorted(fan),
        "details": details.values,
        "dates": dates.values,
        "summaries": summaries.values,
    }


def histogram(incidents: gpd.GeoDataFrame) -> dict:
    """Incidents per calendar month of their start date, from the first month to the last."""
    if incidents.empty:
        return {"months": [], "counts": []}
    starts = pd.to_datetime(incidents["date_start"]).dt.to_period("M")
    counts = starts.value_counts()
    months = pd.period_range(starts.min(), starts.max(), freq="M")
    return {
        "months": [day(m.start_time.date().isoformat()) for m in months],
        "counts": [int(counts.get(m, 0)) for m in months],
    }


def area_features(areas: gpd.GeoDataFrame, outlines: Mapping, sources: Mapping,
                  tolerance: float) -> list[dict]:
    """Areas with an outline (province, district) draw it; others a circle: 'about here'.

    Each carries the days it is reported held: from date_start to date_end, or
    to its source's publication when the source still reports it held.
    """
    from shapely.geometry import mapping

    features = []
    for record, point in zip(areas.to_dict("records"), areas.geometry, strict=True):
        properties = {
            "style": area_style(record["status"]),
            "popup": area_popup(record, sources),
            "tooltip": area_tooltip(record),
            "t0": day(record["date_start"]),
            "t1": day(record["date_end"] or _published_end(sources, record)),
        }
        if record["area_id"] in outlines:
            geometry = outlines[record["area_id"]].simplify(tolerance)
        else:
            geometry = point
            properties["radius_m"] = AREA_RADIUS_M[int(record["geo_precision"])]
        features.append({"type": "Feature", "id": record["area_id"],
                         "geometry": mapping(geometry), "properties": properties})
    return features


def _published_end(sources: Mapping, record: Mapping) -> str:
    """The last day of the record's source's publication date ("2018-01" -> "2018-01-31").

    Without one, the area counts as held on its first reported day only.
    """
    published = str(sources.get(record["source_id"], {}).get("published", ""))
    if not published:
        return record["date_start"]
    freq = {10: "D", 7: "M", 4: "Y"}.get(len(published), "D")
    end = pd.Period(published, freq=freq).end_time.date().isoformat()
    return max(end, record["date_start"])
