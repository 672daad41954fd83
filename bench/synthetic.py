"""Synthetic incidents for benchmarks: real AF/PK towns, 2015-2024, seeded and repeatable."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.boundaries import join_provinces, province_counts
from geo.gazetteer import Gazetteer, read_provinces
from geo.pipeline import Placed
from geo.schema import EVENT_TYPES, column_names

START = dt.date(2015, 1, 1)
DAYS = (dt.date(2024, 12, 31) - START).days
SEED = 20171217


def synthetic_placed(count: int, gazetteer: Gazetteer, seed: int = SEED) -> Placed:
    """`count` incidents clustered around AF/PK towns, as the pipeline would return them."""
    rng = np.random.default_rng(seed)
    towns = [p for code in ("AF", "PK") for p in gazetteer._shards[code].places]
    weights = np.array([max(p.population, 500) for p in towns], dtype=float) ** 0.5
    picks = rng.choice(len(towns), size=count, p=weights / weights.sum())
    jitter = rng.normal(0, 0.05, size=(count, 2))
    starts = rng.integers(0, DAYS, size=count)
    precision = rng.choice(["day", "week", "month"], size=count, p=[0.7, 0.1, 0.2])
    lengths = np.where(precision == "day", 0, np.where(precision == "week", 6, 0))
    first = [START + dt.timedelta(days=int(d)) for d in starts]
    start_iso = [d.replace(day=1).isoformat() if p == "month" else d.isoformat()
                 for d, p in zip(first, precision, strict=True)]
    end_iso = [_month_end(d).isoformat() if p == "month"
               else (d + dt.timedelta(days=int(n))).isoformat()
               for d, p, n in zip(first, precision, lengths, strict=True)]
    deaths = rng.poisson(3, size=count)
    frame = pd.DataFrame({c: "" for c in column_names("incidents")}, index=range(count))
    frame = frame.assign(
        event_id=[f"syn-{i:07d}" for i in range(count)],
        date_start=start_iso, date_end=end_iso, date_precision=precision,
        event_type=rng.choice(EVENT_TYPES, size=count),
        location=[towns[i].name for i in picks], place=[towns[i].name for i in picks],
        country=[towns[i].country for i in picks],
        latitude=[towns[i].latitude for i in picks] + jitter[:, 0],
        longitude=[towns[i].longitude for i in picks] + jitter[:, 1],
        geo_precision=pd.array(np.where(rng.random(count) < 0.8, 1, 2), dtype="Int64"),
        geonameid=pd.array([towns[i].geonameid for i in picks], dtype="Int64"),
        fatalities=pd.array(deaths, dtype="Int64"), fatalities_qualifier="exact",
        injured=pd.array([None] * count, dtype="Int64"),
        claim_status=rng.choice(["claimed", "attributed", "unclaimed"], size=count),
        source_id="synthetic", source_file="synthetic.txt", summary="",
        quote_start=pd.array([None] * count, dtype="Int64"),
        quote_end=pd.array([None] * count, dtype="Int64"),
    )
    provinces = read_provinces()
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"],
                                                                  frame["latitude"]),
                              crs="EPSG:4326")
    incidents = join_provinces(points, provinces)
    areas = gpd.GeoDataFrame({c: pd.Series(dtype="object") for c in column_names("areas")},
                             geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    unresolved = pd.DataFrame(columns=["table"])
    return Placed(incidents, areas, province_counts(provinces, incidents, areas), unresolved,
                  count)


def synthetic_sources() -> dict[str, dict]:
    """The one source the synthetic records cite, keyed by source_id like the CLI's."""
    return {"synthetic": {"source_id": "synthetic", "title": "Synthetic benchmark records",
                          "publisher": "incident-map", "published": "2025-01",
                          "file": "synthetic.txt"}}


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)
