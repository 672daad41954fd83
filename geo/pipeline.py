"""From loaded records to placed GeoDataFrames: geocode, join provinces, count.

Nothing here reads or writes files; `place_records` takes tables and returns
tables, so tests and other front ends can run the same pipeline as the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.boundaries import join_provinces, province_counts
from geo.gazetteer import Gazetteer
from geo.geocode import geocode_table


@dataclass
class Placed:
    """The pipeline's result: every input record is in exactly one of the tables."""

    incidents: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    unresolved: pd.DataFrame
    records_in: int

    @property
    def placed(self) -> int:
        return len(self.incidents) + len(self.areas)

    def summary(self) -> str:
        """The one line of counts the CLI prints."""
        return (
            f"records in: {self.records_in} "
            f"(incidents {len(self.incidents) + self._unresolved('incidents')}, "
            f"areas {len(self.areas) + self._unresolved('areas')}); "
            f"placed: {self.placed}; unresolved: {len(self.unresolved)}"
        )

    def _unresolved(self, table: str) -> int:
        return int((self.unresolved["table"] == table).sum())


def place_records(
    incidents: pd.DataFrame,
    areas: pd.DataFrame,
    gazetteer: Gazetteer,
    provinces: gpd.GeoDataFrame,
) -> Placed:
    """Geocode incidents and areas, name their provinces, and count per province."""
    placed_incidents, lost_incidents = geocode_table(incidents, gazetteer, "incidents")
    placed_areas, lost_areas = geocode_table(areas, gazetteer, "areas")
    placed_incidents = join_provinces(placed_incidents, provinces)
    placed_areas = join_provinces(placed_areas, provinces)
    unresolved = pd.concat([lost_incidents, lost_areas], ignore_index=True)
    result = Placed(
        incidents=placed_incidents,
        areas=placed_areas,
        provinces=province_counts(provinces, placed_incidents, placed_areas),
        unresolved=unresolved,
        records_in=len(incidents) + len(areas),
    )
    if result.placed + len(result.unresolved) != result.records_in:
        raise RuntimeError(f"records were lost between input and output: {result.summary()}")
    return result
