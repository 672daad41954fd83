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

from geo.boundaries import (
    NEAR_METRES,
    JoinEngine,
    disagreements,
    join_provinces,
    province_counts,
    province_outlines,
    swapped,
)
from geo.districts import district_outlines, district_places, join_districts
from geo.gazetteer import Gazetteer
from geo.placing import Fallback, geocode_table
from geo.records import InputWarning
from geo.schema import (
    DISAGREEMENT_COLUMNS,
    ID_COLUMN,
    RECONCILIATION_COLUMNS,
    REJECTED_COLUMNS,
)
from geo.timewindow import in_window


@dataclass
class Placed:
    """The pipeline's result: every input record is in exactly one of the tables.

    `area_outlines` maps an area id to the polygon it stands for (its province,
    or its district when district polygons were supplied); other areas are
    known only as points. `rejected` lists the input rows that could not be
    read at all (kept out with --keep-going, see geo.inputs); `disagreements`
    the placed records whose own province is not the one their point lies in.
    `cells` is set when the incidents were too many to hold (geo.dask_pipeline):
    `incidents` is then empty, the records are in the GeoParquet dataset, and
    `cells` counts them per grid cell, month and type (geo.aggregates).
    """

    incidents: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    unresolved: pd.DataFrame
    area_outlines: dict = field(default_factory=dict)
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(REJECTED_COLUMNS)))
    disagreements: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(DISAGREEMENT_COLUMNS)))
    cells: pd.DataFrame | None = None

    @property
    def placed_count(self) -> int:
        """Incident and area records placed on the map."""
        return self.placed_rows("incidents") + len(self.areas)

    @property
    def held(self) -> tuple[str, ...]:
        """The tables whose records are here: not the incidents when only `cells` count them."""
        return ("areas",) if self.cells is not None else ("incidents", "areas")

    def placed_rows(self, table: str) -> int:
        """Records of `table` placed, whether held here or only counted (`cells`)."""
        if table == "incidents" and self.cells is not None:
            return int(self.cells["incidents"].sum())
        return len(getattr(self, table))

    @property
    def records_in(self) -> int:
        """Incident and area rows given: placed + unresolved + rejected."""
        return sum(self._records_in(table) for table in ("incidents", "areas"))

    def summary(self) -> str:
        """The one line of counts the CLI prints."""
        rejected = self._rejected("incidents") + self._rejected("areas")
        return (
            f"records in: {self.records_in} "
            f"(incidents {self._records_in('incidents')}, areas {self._records_in('areas')}); "
            f"placed: {self.placed_count}; unresolved: {len(self.unresolved)}"
            + (f"; rejected: {rejected}" if rejected else "")
        )

    def _records_in(self, table: str) -> int:
        return (self.placed_rows(table) + self._count(self.unresolved, table)
                + self._rejected(table))

    def _rejected(self, table: str) -> int:
        """Rows of `table` left out unread: one row of rejected.csv per problem, so several
        may name one input line, and a file that could not be opened has no lines."""
        rows = self.rejected[(self.rejected["table"] == table) & (self.rejected["line"] > 0)]
        return len(rows.drop_duplicates(["file", "line"]))

    def _unresolved(self, table: str) -> int:
        return self._count(self.unresolved, table)

    @staticmethod
    def _count(frame: pd.DataFrame, table: str) -> int:
        return int((frame["table"] == table).sum())

    def reconciliation(self) -> pd.DataFrame:
        """Records in = placed + unresolved + rejected, per table and in all: what
        reconciliation.csv holds."""
        rows = [{"table": table, "records_in": self._records_in(table),
                 "placed": self.placed_rows(table),
                 "unresolved": self._count(self.unresolved, table),
                 "rejected": self._rejected(table)}
                for table in ("incidents", "areas")]
        rows.append({"table": "all", **{key: sum(r[key] for r in rows)
                                        for key in RECONCILIATION_COLUMNS[1:]}})
        return pd.DataFrame(rows, columns=list(RECONCILIATION_COLUMNS))

    def between(self, since: str | None, until: str | None, sources: Mapping) -> Placed:
        """The records inside [since, until], with province counts for them alone."""
        if self.cells is not None:
            raise ValueError("a time window needs the records: filter the GeoParquet dataset "
                             "(incidents.parquet/) instead")
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


def _country_level(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A point at country precision (4) stands for no province or district: a country's
    centroid lies in some province, and saying so would claim what the source does not."""
    country = (frame["geo_precision"] == 4).to_numpy(dtype=bool, na_value=False)
    if not country.any():
        return frame
    frame = frame.copy()
    for column in ("admin1", "admin2"):
        if column in frame:
            frame.loc[country, column] = ""
    return frame


def _warn_disagreements(found: pd.DataFrame) -> None:
    if found.empty:
        return
    counts = found.groupby("stated_admin1").size().sort_values(ascending=False)
    top = ", ".join(f"{name} ({n})" for name, n in counts.head(5).items())
    warnings.warn(f"{len(found)} records lie outside the province their input names, by more "
                  f"than {NEAR_METRES // 1000} km (listed in disagreements.csv): {top}",
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
    join_engine: JoinEngine | None = None,
    rejected: pd.DataFrame | None = None,
) -> Placed:
    """Geocode incidents and areas, name their provinces (and districts), count per province.

    `join_engine` runs the spatial join elsewhere (geo.dask_engine); the result is the same.
    `rejected` lists the input rows that were never read (geo.inputs), so that
    the reconciliation accounts for them too.
    """
    if districts is not None:
        gazetteer = gazetteer.extended(district_places(districts, provinces, districts_source))
    placed_incidents, lost_incidents = geocode_table(incidents, gazetteer, "incidents", fallback)
    placed_areas, lost_areas = geocode_table(areas, gazetteer, "areas", fallback)
    stated = {"incidents": placed_incidents["admin1"], "areas": placed_areas["admin1"]}
    placed_incidents = join_provinces(placed_incidents, provinces, join_engine)
    placed_areas = join_provinces(placed_areas, provinces, join_engine)
    for table, frame in (("incidents", placed_incidents), ("areas", placed_areas)):
        _warn_swapped(frame, provinces, table)
    if districts is not None:
        placed_incidents = join_districts(placed_incidents, districts)
    placed_incidents = _country_level(placed_incidents)
    placed_areas = _country_level(placed_areas)
    outlines = province_outlines(placed_areas, provinces)
    if districts is not None:
        outlines.update(district_outlines(placed_areas, districts))
    found = pd.concat([disagreements(frame, stated[table], provinces, table)
                       for table, frame in (("incidents", placed_incidents),
                                            ("areas", placed_areas))], ignore_index=True)
    _warn_disagreements(found)
    unresolved = pd.concat([lost_incidents, lost_areas], ignore_index=True)
    result = Placed(
        incidents=in_order(placed_incidents, "incidents"),
        areas=in_order(placed_areas, "areas"),
        provinces=province_counts(provinces, placed_incidents, placed_areas),
        unresolved=unresolved,
        area_outlines=outlines,
        disagreements=found,
        **({} if rejected is None else {"rejected": rejected}),
    )
    # Per table, so a record cannot pass as lost in one table and found in the other.
    if any(len(given) != len(getattr(result, table)) + result._unresolved(table)
           for table, given in (("incidents", incidents), ("areas", areas))):
        raise RuntimeError(f"records were lost between input and output: {result.summary()}")
    return result
