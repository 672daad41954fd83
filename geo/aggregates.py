"""Incidents counted per grid cell, province, month and type: what a page carries
when the records themselves are too many for it (geo.dask_pipeline, above MAP_RECORDS).

A cell is `CELL_DEGREES` square, named by its south-west corner in whole
cells (`cell_lat`, `cell_lon`). An incident counts in the month its
date_start falls in. The keys keep the province (so the page shades provinces
for a window exactly), the country and the event type (the attribute filters
the page keeps at this scale). However many the records, there are at most
cells x provinces they touch x months x types rows: about 1.5 million for
Afghanistan and Pakistan over ten years, fewer where events cluster. The other
facets (claim, target, actor ...) would multiply that and need the records,
which the GeoParquet dataset holds. Counts from pieces add up:
`combine` of each piece's `cell_counts` is the `cell_counts` of them all.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

CELL_DEGREES = 0.25  # about 28 km: a town and the country around it
KEYS = ("cell_lat", "cell_lon", "admin1", "country", "month", "event_type")
COUNTS = ("incidents", "deaths")


def cell_counts(incidents: pd.DataFrame) -> pd.DataFrame:
    """Per cell, province, month and type: the incidents and their deaths stated
    (missing where no toll was stated)."""
    if incidents.empty:
        return empty()
    keyed = pd.DataFrame({
        "cell_lat": np.floor(incidents["latitude"].to_numpy(float) / CELL_DEGREES).astype(int),
        "cell_lon": np.floor(incidents["longitude"].to_numpy(float) / CELL_DEGREES).astype(int),
        "admin1": incidents["admin1"].astype(str).to_numpy(),
        "country": incidents["country"].astype(str).to_numpy(),
        "month": incidents["date_start"].astype(str).str.slice(0, 7).to_numpy(),
        "event_type": incidents["event_type"].astype(str).to_numpy(),
        "deaths": incidents["fatalities"].astype("Float64").to_numpy(float, na_value=np.nan),
    })
    return _summed(keyed.assign(incidents=1))


def combine(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """The counts of several pieces as one table, in key order."""
    parts = [p for p in parts if len(p)]
    return _summed(pd.concat(parts, ignore_index=True)) if parts else empty()


def _summed(frame: pd.DataFrame) -> pd.DataFrame:
    grouped = frame.groupby(list(KEYS), sort=True)
    out = pd.DataFrame({"incidents": grouped["incidents"].sum(),
                        "deaths": grouped["deaths"].sum(min_count=1)}).reset_index()
    out["incidents"] = out["incidents"].astype("int64")
    out["deaths"] = out["deaths"].astype("Float64").round().astype("Int64")
    return out


def empty() -> pd.DataFrame:
    frame = pd.DataFrame({key: pd.Series(dtype=object) for key in KEYS})
    return frame.assign(incidents=pd.Series(dtype="int64"), deaths=pd.Series(dtype="Int64"))


def cell_centres(counts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude of each row's cell centre."""
    lat = (counts["cell_lat"].to_numpy(float) + 0.5) * CELL_DEGREES
    lon = (counts["cell_lon"].to_numpy(float) + 0.5) * CELL_DEGREES
    return lat, lon
