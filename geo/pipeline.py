"""From loaded records to placed GeoDataFrames: geocode, join boundaries, count.

Nothing here reads or writes files; `place_records` takes tables and returns
tables, so tests and other front ends can run the same pipeline as the CLI.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import geopandas as gpd
import pandas as pd

from geo.boundaries import Within, join_provinces, province_counts, province_outlines, swapped
from geo.districts import district_outlines, district_places, join_districts
from geo.gazetteer import Gazetteer
from geo.geocode import Fallback, geocode_table
from geo.records import InputWarning
from geo.schema import ID_COLUMN, RECONCILIATION_COLUMNS
from geo.timewindow import in_window


@dataclass
class Placed:
    """The pipeline's result: every input record is in exactly one of the tables.

    `area_outlines` maps an area id to the polygon it stands for (its province,
    or its district when district polygons were supplied); other areas are
    known only as points.
    """

    incidents: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    unresolved: pd.DataFrame
    records_in: int
    area_outlines: dict = field(default_factory=dict)

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

    def reconciliation(self) -> pd.DataFrame:
        """Records in = placed + unresolved, per table and in all: what reconciliation.csv holds."""
        rows = [{"table": table, "records_in": len(placed) + self._unresolved(table),
                 "placed": len(placed), "unresolved": self._unresolved(table)}
                for table, placed in (("incidents", self.incidents), ("areas", self.areas))]
        rows.append({"table": "all", "records_in": self.records_in, "placed": self.placed,
                     "unresolved": len(self.unresolved)})
        return pd.DataFrame(rows, columns=list(RECONCILIATION_COLUMNS))

    def within(self, since: str | None, until: str | None, sources: Mapping) -> Placed:
        """The records inside [since, until], with province counts for them alone."""
        incidents = self.incidents[in_window(self.incidents, "incidents", since, until, sources)]
        areas = self.areas[in_window(self.areas, "areas", since, until, sources)]
        return replace(
            self, incidents=incidents, areas=areas,
            provinces=province_counts(self.provinces, incidents, areas),
            area_outlines={k: v for k, v in self.area_outlines.items()
                           if k in set(areas["area_id"])},
        )


def _warn_swapped(frame: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, table: str) -> None:
    """Say which records look as if their latitude and longitude were swapped; keep them."""
    flagged = frame[swapped(frame, provinces).to_numpy()]
    if flagged.empty:
        return
    where = [f"{row['source_file']}: {row[ID_COLUMN[table]]}"
             + (f" (line {int(row['_line'])})" if pd.notna(row.get("_line")) else "")
             for row in flagged.head(5).to_dict("records")]
    more = f" and {len(flagged) - 5} more" if len(flagged) > 5 else ""
    warnings.warn(f"{len(flagged)} {table} lie in none of the provinces but would with latitude "
                  f"and longitude swapped; check them: {'; '.join(where)}{more}",
                  InputWarning, stacklevel=3)


def in_order(frame: gpd.GeoDataFrame, table: str) -> gpd.GeoDataFrame:
    """Records by start date, then id: the order of every export and of the map's columns,
    so a row number in incidents.csv names the same record everywhere."""
    frame = frame.reset_index(drop=True)
    order = frame.sort_values(["date_start", ID_COLUMN[table]], kind="stable").index
    if order.equals(pd.RangeIndex(len(frame))):  # already in order: skip copying every column
        return frame
    return frame.take(order).reset_index(drop=True)


def place_records(
    incidents: pd.DataFrame,
    areas: pd.DataFrame,
    gazetteer: Gazetteer,
    provinces: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame | None = None,
    districts_source: str = "user district polygons",
    fallback: Fallback | None = None,
    within: Within | None = None,
) -> Placed:
    """Geocode incidents and areas, name their provinces (and districts), count per province.

    `within` runs the spatial join elsewhere (geo.dask_engine); the result is the same.
    """
    if districts is not None:
        gazetteer = gazetteer.extended(district_places(districts, provinces, districts_source))
    placed_incidents, lost_incidents = geocode_table(incidents, gazetteer, "incidents", fallback)
    placed_areas, lost_areas = geocode_table(areas, gazetteer, "areas", fallback)
    placed_incidents = join_provinces(placed_incidents, provinces, within)
    placed_areas = join_provinces(placed_areas, provinces, within)
    for table, frame in (("incidents", placed_incidents), ("areas", placed_areas)):
        _warn_swapped(frame, provinces, table)
    outlines = province_outlines(placed_areas, provinces)
    if districts is not None:
        placed_incidents = join_districts(placed_incidents, districts)
        outlines.update(district_outlines(placed_areas, districts))
    unresolved = pd.concat([lost_incidents, lost_areas], ignore_index=True)
    result = Placed(
        incidents=in_order(placed_incidents, "incidents"),
        areas=in_order(placed_areas, "areas"),
        provinces=province_counts(provinces, placed_incidents, placed_areas),
        unresolved=unresolved,
        records_in=len(incidents) + len(areas),
        area_outlines=outlines,
    )
    # Per table, so a record cannot pass as lost in one table and found in the other.
    if any(len(given) != len(getattr(result, table)) + result._unresolved(table)
           for table, given in (("incidents", incidents), ("areas", areas))):
        raise RuntimeError(f"records were lost between input and output: {result.summary()}")
    return result
