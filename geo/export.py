"""Write GeoDataFrames as RFC 7946 GeoJSON and as contract-ordered CSV.

We write GeoJSON ourselves rather than through GDAL so the bytes are stable:
same records, same file. RFC 7946 rules applied: WGS84 lon/lat, no `crs`
member, counter-clockwise exterior rings, a `bbox`, at most 6 decimals.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import mapping
from shapely.geometry.polygon import orient

from geo.atomic import replacing

DECIMALS = 6
# Features encoded at a time: bounds memory without slowing small files.
CHUNK = 100_000


def write_geojson(
    frame: gpd.GeoDataFrame,
    path: str | Path,
    columns: list[str],
    id_column: str | None = None,
) -> Path:
    """Write `frame` to `path` as an RFC 7946 FeatureCollection.

    `columns` fixes the property order (the contract's); `id_column` becomes
    each feature's `id`. Features keep the frame's row order.
    """
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    collection = '{"type":"FeatureCollection",'
    if len(frame) and not frame.geometry.is_empty.all():
        collection += f'"bbox":{_dumps([_round(v) for v in frame.total_bounds])},'
    path = Path(path)
    with replacing(path) as part, part.open("w", encoding="utf-8") as out:
        out.write(collection + '"features":[')
        for start in range(0, len(frame), CHUNK):
            if start:
                out.write(",")
            out.write(",".join(_features(frame.iloc[start:start + CHUNK], columns, id_column)))
        out.write("]}\n")
    return path


def _features(frame: gpd.GeoDataFrame, columns: list[str], id_column: str | None) -> list[str]:
    """Each row as the text `json.dumps` gives its Feature, built a column at a time.

    A million features one `json.dumps` at a time take a minute and gigabytes;
    encoding each column's distinct values once takes seconds.
    """
    encoded = {c: _encoded(frame[c]) for c in columns}
    parts: list = []
    if id_column:
        parts += ['{"type":"Feature","id":', encoded[id_column], ',"properties":{']
    else:
        parts.append('{"type":"Feature","properties":{')
    for k, c in enumerate(columns):
        parts += [("," if k else "") + _dumps(c) + ":", encoded[c]]
    parts += ['},"geometry":', _geometries(frame.geometry), "}"]
    n = len(frame)
    rows = [[p] * n if isinstance(p, str) else p for p in parts]
    return ["".join(texts) for texts in zip(*rows, strict=True)]


def _encoded(values: pd.Series) -> list[str]:
    """Each value as JSON text: missing values are null, numbers plain, text as json writes it."""
    if pd.api.types.is_float_dtype(values.dtype):
        return ["null" if math.isnan(v) else repr(v) if math.isfinite(v) else _dumps(v)
                for v in values.astype("float64").tolist()]
    if values.dtype == object and pd.api.types.infer_dtype(values) not in ("string", "empty"):
        # Mixed Python values: factorizing would merge 1, 1.0 and True.
        return [_dumps(_plain(v)) for v in values]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = [_quoted(v) if isinstance(v, str) else _dumps(_plain(v)) for v in uniques]
    texts.append("null")
    return [texts[c] for c in codes.tolist()]


def _geometries(geoms: gpd.GeoSeries) -> list[str]:
    """Points straight from their coordinates; other shapes through `_geometry`."""
    plain = len(geoms) and (geoms.geom_type == "Point").all() and not geoms.is_empty.any() \
        and not geoms.has_z.any()
    if plain:
        xs = [_round(v) for v in shapely.get_x(geoms.values).tolist()]
        ys = [_round(v) for v in shapely.get_y(geoms.values).tolist()]
        return [f'{{"type":"Point","coordinates":[{x!r},{y!r}]}}' for x, y in zip(xs, ys,
                                                                                 strict=True)]
    return [_dumps(_geometry(g)) for g in geoms]


# What json.dumps(text, ensure_ascii=False) writes for a string, without its per-call setup.
_quoted = json.encoder.encode_basestring


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_csv(frame: pd.DataFrame, path: str | Path, columns: list[str]) -> Path:
    """Write the contract columns of `frame` as UTF-8 CSV with a single header."""
    path = Path(path)
    with replacing(path) as part:
        frame[columns].to_csv(part, index=False, lineterminator="\n", encoding="utf-8")
    return path


def _geometry(geom) -> dict | None:
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        # Snap to the output grid first so rounding cannot make a ring invalid,
        # then orient: snapping may rebuild rings in either direction.
        geom = _counter_clockwise(shapely.set_precision(geom, 10**-DECIMALS))
    return _round_coords(mapping(geom))


def _counter_clockwise(geom):
    if geom.geom_type == "Polygon":
        return orient(geom, sign=1.0)
    return shapely.MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])


def _round_coords(obj):
    if isinstance(obj, dict):
        return {k: _round_coords(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [_round(v) for v in obj]
        return [_round_coords(v) for v in obj]
    return obj


def _round(value: float) -> float:
    return round(float(value), DECIMALS)


def _plain(value):
    """JSON-ready scalar: missing values become null, numpy types plain Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


# GeoPackages record when each table last changed; a fixed date keeps the file
# byte-identical for the same input (GDAL's OGR_CURRENT_DATE).
GPKG_DATE = "2000-01-01T00:00:00.000Z"


def write_gpkg(path: str | Path, layers: dict[str, tuple[gpd.GeoDataFrame, list[str]]],
               metadata: dict[str, str], date_columns: dict[str, list[str]]) -> Path:
    """Write `layers` ({name: (frame, columns)}) to one GeoPackage, replacing the file.

    Columns named in `date_columns[name]` become Date fields (through Arrow:
    GDAL's Date type, so QGIS's Temporal Controller finds them); nullable
    integers stay Integer fields. `metadata` goes into the GeoPackage's
    metadata tables, naming sources, licences and the tool version.
    """
    import pyarrow as pa
    import pyogrio

    path = Path(path)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    try:
        with replacing(path) as part:
            for number, (name, (frame, columns)) in enumerate(layers.items()):
                out = gpd.GeoDataFrame(frame[columns].copy(), geometry=frame.geometry.values,
                                       crs="EPSG:4326")
                for column in date_columns.get(name, []):
                    days = pd.to_datetime(out[column].replace("", None)).dt.date
                    out[column] = pd.array(days, dtype=pd.ArrowDtype(pa.date32()))
                # GeoPackage 1.2: what QGIS, ArcGIS and older GDALs read without a warning.
                pyogrio.write_dataframe(
                    out, part, layer=name, driver="GPKG", use_arrow=True,
                    dataset_metadata=metadata if number == 0 else None,
                    layer_metadata={"title": name},
                    dataset_options={"VERSION": "1.2"} if number == 0 else None,
                )
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    return path
