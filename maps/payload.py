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
from itertools import pairwise

import geopandas as gpd
import pandas as pd

from geo.schema import EVENT_TYPES
from geo.timewindow import held_until
from maps.popups import area_popup, area_tooltip, incident_fields
from maps.style import AREA_RADIUS_M, area_style

EPOCH = dt.date(1970, 1, 1)
# Degrees kept for drawing: 1e-4 is about 11 m, finer than any marker.
SCALE = 10_000


def day(iso: str) -> int:
    """Days since 1970-01-01: the page's unit of time."""
    return (dt.date.fromisoformat(iso) - EPOCH).days


def incident_payload(
    incidents: gpd.GeoDataFrame, sources: Mapping, province_names: list[str]
) -> dict:
    """Incidents as columns sorted by start date, for the page's canvas layer."""
    frame = incidents.sort_values(["date_start", "event_id"], kind="stable")
    frame = frame.reset_index(drop=True)
    days = [day(d) for d in frame["date_start"]]
    ends = [day(d) for d in frame["date_end"]]
    lat = (frame["latitude"] * SCALE).round().astype(int).tolist()
    lon = (frame["longitude"] * SCALE).round().astype(int).tolist()
    stacks: dict[tuple, list[int]] = defaultdict(list)
    for i, spot in enumerate(zip(lat, lon, strict=True)):
        stacks[spot].append(i)
    provinces = {name: i for i, name in enumerate(province_names)}
    types = {code: i for i, code in enumerate(EVENT_TYPES)}
    return {
        "n": len(frame),
        # The first start, then each start as days after the one before.
        "dt0": days[:1] + [b - a for a, b in pairwise(days)],
        "dur": [e - s for s, e in zip(days, ends, strict=True)],
        "lat": lat,
        "lon": lon,
        "type": [types[t] for t in frame["event_type"]],
        "deaths": [-1 if pd.isna(d) else int(d) for d in frame["fatalities"]],
        "prec": [int(p) for p in frame["geo_precision"]],
        "prov": [provinces.get(a, -1) for a in frame["admin1"]],
        "fan": sorted([i, k, len(members)] for members in stacks.values() if len(members) > 1
                      for k, i in enumerate(members)),
        "popup": [_encoded(frame, label, columns, formatter)
                  for label, columns, formatter in incident_fields(sources)],
    }


def _encoded(frame: pd.DataFrame, label: str, columns: tuple, formatter) -> dict:
    """One popup field: a single value, or distinct values and each record's index.

    Each distinct combination of the field's columns is formatted once.
    """
    keys = list(zip(*(frame[c].astype(object).where(frame[c].notna(), None) for c in columns),
                    strict=True))
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object), sort=False)
    values = [formatter(*key) for key in uniques]
    if len(values) <= 1:
        return {"label": label, "value": values[0] if values else ""}
    return {"label": label, "values": values, "codes": codes.tolist()}


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

    Each carries the days it is reported held (geo.timewindow.held_until).
    """
    from shapely.geometry import mapping

    features = []
    for record, point in zip(areas.to_dict("records"), areas.geometry, strict=True):
        properties = {
            "style": area_style(record["status"]),
            "popup": area_popup(record, sources),
            "tooltip": area_tooltip(record),
            "t0": day(record["date_start"]),
            "t1": day(held_until(record, sources)),
        }
        if record["area_id"] in outlines:
            geometry = outlines[record["area_id"]].simplify(tolerance)
        else:
            geometry = point
            properties["radius_m"] = AREA_RADIUS_M[int(record["geo_precision"])]
        features.append({"type": "Feature", "id": record["area_id"],
                         "geometry": mapping(geometry), "properties": properties})
    return features
