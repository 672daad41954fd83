"""The placed records with the contract's types, for the formats that keep types.

CSV and GeoJSON carry text and numbers as they are; GeoParquet, FlatGeobuf and
PostGIS have dates and integers of their own, and a reader
filters on them (a date predicate pushed down to
Parquet row groups, an SQL `WHERE date_start >= ...`). `typed_layer` gives
each of those writers the same frame: dates as Arrow `date32`, counts as
nullable integers, empty text as missing, polygons as multipolygons, so that
no writer decides a type of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

from geo.schema import COLUMNS, ColumnKind

# How each kind of contract column is held once typed; other kinds stay text.
ARROW_TYPES: dict[ColumnKind, pa.DataType] = {
    "date": pa.date32(),
    "int": pa.int32(),
    "precision": pa.int8(),
    "latitude": pa.float64(),
    "longitude": pa.float64(),
    "float": pa.float64(),
}
# The provinces layer's count columns.
PROVINCE_TYPES = {"incidents": pa.int32(), "deaths": pa.int32(), "areas": pa.int32()}


def column_types(table: str, columns: Sequence[str]) -> dict[str, pa.DataType]:
    """The Arrow type of each of `columns` of `table`; imported dataset extras are text."""
    kinds = {c.name: c.kind for c in COLUMNS.get(table, ())}
    known = {name: ARROW_TYPES.get(kind, pa.string()) for name, kind in kinds.items()}
    known.update(PROVINCE_TYPES if table == "provinces" else {})
    return {name: known.get(name, pa.string()) for name in columns}


def typed_layer(frame: gpd.GeoDataFrame, table: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """`columns` of `frame` in their contract types, with the geometry, in EPSG:4326.

    Row order is kept. A text cell left empty becomes missing, as does a date
    or count; a Polygon becomes a one-part MultiPolygon so each layer has one
    geometry type (PostGIS columns and FlatGeobuf headers declare one).
    """
    data = {}
    for name, kind in column_types(table, columns).items():
        values = frame[name]
        if kind == pa.date32():
            values = pd.to_datetime(values.replace("", None), format="%Y-%m-%d").dt.date
        elif pa.types.is_string(kind):
            values = values.astype(object).where(values.notna() & (values.astype(str) != ""),
                                                 None)
        data[name] = pd.array(values, dtype=pd.ArrowDtype(kind))
    geometry = frame.geometry
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        geometry = geometry.to_crs("EPSG:4326")
    return gpd.GeoDataFrame(pd.DataFrame(data, index=frame.index),
                            geometry=_one_type(geometry.values), crs="EPSG:4326")


def _one_type(geoms):
    polygons = shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON
    if not polygons.any():
        return geoms
    out = geoms.copy()
    out[polygons] = shapely.multipolygons(shapely.get_parts(geoms[polygons]).reshape(-1, 1))
    return out
