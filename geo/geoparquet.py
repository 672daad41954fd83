"""GeoParquet 1.1: the typed records for notebooks, DuckDB and cloud tools.

geopandas writes the `geo` metadata (version, CRS as PROJJSON, geometry types,
bbox) and the `bbox` covering column, so readers that know 1.1 skip row groups
by location. Rows are sorted by date, then id, and written in row groups of
`ROW_GROUP` rows: each group's date statistics then span a short run of time,
and a reader filtering on `date_start` opens few groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd

from geo.atomic import replacing
from geo.typed import typed_layer

ROW_GROUP = 65_536
VERSION = "1.1.0"


def write_geoparquet(frame: gpd.GeoDataFrame, path: str | Path, table: str,
                     columns: Sequence[str], row_group: int = ROW_GROUP) -> Path:
    """Write `columns` of `frame` (a contract table) to `path` as GeoParquet 1.1."""
    layer = typed_layer(frame, table, columns)
    if "date_start" in layer.columns:  # incidents and areas; provinces keep their order
        layer = layer.sort_values(["date_start", columns[0]], kind="stable",
                                  na_position="last")
    path = Path(path)
    with replacing(path) as part:
        layer.to_parquet(part, index=False, compression="zstd", schema_version=VERSION,
                         write_covering_bbox=True, row_group_size=row_group)
    return path
