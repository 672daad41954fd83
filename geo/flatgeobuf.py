"""FlatGeobuf: one file per layer, streamed and read by bounding box over HTTP.

GDAL writes it with its packed Hilbert R-tree, which orders the features along
the curve: a reader asking for a box reads only the features in it, and the
file's feature order is that of the index, not of incidents.csv (ids match).
FlatGeobuf has no date type: GDAL stores dates as DateTime columns, and QGIS
and ogrinfo read them back as date-times at midnight.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd

from geo.atomic import replacing
from geo.typed import typed_layer


def write_flatgeobuf(frame: gpd.GeoDataFrame, path: str | Path, table: str,
                     columns: Sequence[str]) -> Path:
    """Write `columns` of `frame` (a contract table) to `path` with a spatial index."""
    import pyogrio

    layer = typed_layer(frame, table, columns)
    path = Path(path)
    with replacing(path) as part:
        pyogrio.write_dataframe(layer, part, layer=table, driver="FlatGeobuf", use_arrow=True,
                                layer_options={"SPATIAL_INDEX": "YES"})
    return path
