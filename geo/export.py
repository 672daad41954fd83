"""Every file `build`, `export` and `extract` write, from one set of placed records.

`write_outputs` is the entry: the chosen formats (FORMATS: GeoJSON,
GeoPackage, CSV, GeoParquet, FlatGeobuf; maps.kml adds KML, which carries popup
HTML, and maps.qgis a QGIS project) and always the
accounts of what was not placed (`write_accounts`). Every format gets the same
records, so a filter applies to all alike. `write_extraction` writes what
`extract` gives an analyst to review. The writers below it take the frame
first and the path second.

We write GeoJSON ourselves rather than through GDAL so the bytes are stable:
same records, same file. RFC 7946 rules applied: WGS84 lon/lat, no `crs`
member, counter-clockwise exterior rings, a `bbox`, at most 6 decimals.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import mapping
from shapely.geometry.polygon import orient

from geo import __version__
from geo.atomic import replacing
from geo.extract import Extraction
from geo.flatgeobuf import write_flatgeobuf
from geo.geoparquet import write_geoparquet
from geo.pipeline import Placed
from geo.schema import (
    COLUMNS,
    DISAGREEMENT_COLUMNS,
    ID_COLUMN,
    NOT_IN_REVIEW_COLUMNS,
    PROVINCE_COLUMNS,
    RECONCILIATION_COLUMNS,
    REJECTED_COLUMNS,
    UNRESOLVED_COLUMNS,
    column_names,
    output_columns,
)

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


def write_gpkg(layers: dict[str, tuple[gpd.GeoDataFrame, list[str]]], path: str | Path,
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


class Format(NamedTuple):
    """One output format: the files it writes into a folder, and how."""

    files: tuple[str, ...]
    write: Callable[[Placed, Path, Mapping[str, Mapping]], object]


def _geojson(placed: Placed, out: Path, sources: Mapping[str, Mapping]) -> None:
    for table in placed.held:
        frame = getattr(placed, table)
        columns = output_columns(frame, table)
        write_geojson(frame, out / f"{table}.geojson", columns, id_column=columns[0])
    write_geojson(placed.provinces, out / "provinces.geojson", list(PROVINCE_COLUMNS),
                  id_column="code")


def _csv(placed: Placed, out: Path, sources: Mapping[str, Mapping]) -> None:
    for table in placed.held:
        frame = getattr(placed, table)
        write_csv(frame, out / f"{table}.csv", output_columns(frame, table))


def _gpkg(placed: Placed, out: Path, sources: Mapping[str, Mapping]) -> None:
    dates = {t: [c.name for c in COLUMNS[t] if c.kind == "date"] for t in ("incidents", "areas")}
    write_gpkg(layers(placed), out / "incidents.gpkg", gpkg_metadata(placed, sources), dates)


def layers(placed: Placed) -> dict[str, tuple[gpd.GeoDataFrame, list[str]]]:
    """Each layer the typed formats write: {name: (frame, columns)}."""
    out = {t: (getattr(placed, t), output_columns(getattr(placed, t), t))
           for t in ("incidents", "areas")}
    out["provinces"] = (placed.provinces, list(PROVINCE_COLUMNS))
    return out


def _parquet(placed: Placed, out: Path, sources: Mapping[str, Mapping],
             tables: tuple[str, ...] = ("incidents", "areas", "provinces")) -> None:
    for table, (frame, columns) in layers(placed).items():
        if table in tables:
            write_geoparquet(frame, out / f"{table}.parquet", table, columns)


def _fgb(placed: Placed, out: Path, sources: Mapping[str, Mapping]) -> None:
    for table, (frame, columns) in layers(placed).items():
        write_flatgeobuf(frame, out / f"{table}.fgb", table, columns)


# In the order their files are listed; maps.kml.KML is added as "kml", and maps.qgis
# writes a QGIS project beside the GeoPackage.
FORMATS: dict[str, Format] = {
    "geojson": Format(("incidents.geojson", "areas.geojson", "provinces.geojson"), _geojson),
    "csv": Format(("incidents.csv", "areas.csv"), _csv),
    "gpkg": Format(("incidents.gpkg",), _gpkg),
    "parquet": Format(("incidents.parquet", "areas.parquet", "provinces.parquet"), _parquet),
    "fgb": Format(("incidents.fgb", "areas.fgb", "provinces.fgb"), _fgb),
}
# With --engine dask the incidents are a partitioned dataset the workers wrote
# (geo.dask_pipeline); this writes the other two tables beside it.
PARTITIONED_PARQUET = Format(
    FORMATS["parquet"].files,
    lambda placed, out, sources: _parquet(placed, out, sources, ("areas", "provinces")))
# The formats that can be written when only the areas and provinces are held (Placed.held).
WITHOUT_INCIDENTS = ("geojson", "csv", "parquet")
# Records from which each format is written by its own process.
PARALLEL_FROM = 100_000
LICENCES = (
    "Provinces and borders: Natural Earth (public domain). Places: GeoNames (CC BY 4.0), "
    "geoBoundaries (CC BY 4.0), OpenStreetMap Nominatim (ODbL) where --geocoder nominatim "
    "was used. Records: summaries by incident-map curators; facts from the sources listed."
)


class OutputError(RuntimeError):
    """A format could not be written; the process that tried said why on stderr."""


def write_outputs(placed: Placed, out: Path, sources: Mapping[str, Mapping],
                  formats: Iterable[Format] | None = None) -> list[Path]:
    """Write `placed` in each of `formats` (default: all of FORMATS) into `out`, and
    always the accounts (write_accounts).

    From `PARALLEL_FROM` records on, each format is written by a process of
    its own (see `_run`), so the formats share the machine's cores.
    """
    formats = list(FORMATS.values() if formats is None else formats)
    _run([lambda f=f: f.write(placed, out, sources) for f in formats],
         len(placed.incidents) >= PARALLEL_FROM)
    held = set(placed.held) | {"provinces"}
    return [out / name for f in formats for name in f.files
            if name.split(".")[0] in held] + write_accounts(placed, out)


def write_accounts(placed: Placed, out: Path) -> list[Path]:
    """Where every record not placed went, and the sum: unresolved.csv (read, not placed),
    rejected.csv (not read), reconciliation.csv; and disagreements.csv (placed, in another
    province than their input names). Written on every run, empty but for the header when
    nothing is there, so a script can read them without asking first."""
    return [write_csv(placed.unresolved, out / "unresolved.csv", list(UNRESOLVED_COLUMNS)),
            write_csv(placed.rejected, out / "rejected.csv", list(REJECTED_COLUMNS)),
            write_csv(placed.disagreements, out / "disagreements.csv",
                      list(DISAGREEMENT_COLUMNS)),
            write_csv(placed.reconciliation(), out / "reconciliation.csv",
                      list(RECONCILIATION_COLUMNS))]


def write_extraction(placed: Placed, out: Path, extraction: Extraction) -> list[Path]:
    """What `extract` hands an analyst: every extracted record in incidents.csv and
    areas.csv (placed or not, so a review sees them all), the placed ones as GeoJSON,
    sources.csv, the accounts, and not_in_review.csv when a review left rows out."""
    written = []
    for table in ("incidents", "areas"):
        frame, columns = getattr(placed, table), column_names(table)
        records = _with_unplaced(frame, getattr(extraction, table), table)
        written.append(write_csv(records, out / f"{table}.csv", columns))
        written.append(write_geojson(frame, out / f"{table}.geojson", columns,
                                     id_column=columns[0]))
    written.append(write_csv(extraction.sources, out / "sources.csv", column_names("sources")))
    written += write_accounts(placed, out)
    if extraction.left_out is not None:
        written.append(write_csv(extraction.left_out, out / "not_in_review.csv",
                                 list(NOT_IN_REVIEW_COLUMNS)))
    return written


def _with_unplaced(placed: pd.DataFrame, extracted: pd.DataFrame, table: str) -> pd.DataFrame:
    """Every extracted record: the placed ones as placed, the rest as extracted."""
    id_col = ID_COLUMN[table]
    unplaced = extracted[~extracted[id_col].isin(set(placed[id_col]))]
    records = pd.concat([pd.DataFrame(placed.drop(columns="geometry")), unplaced],
                        ignore_index=True)
    return records.sort_values(["source_file", "quote_start"],
                               kind="stable").reset_index(drop=True)


def _run(jobs: list[Callable[[], object]], parallel: bool) -> None:
    """Run the writers here, or each in a forked process when `parallel` (Linux only).

    A forked process starts with the records already in memory, shared until
    written to, so nothing is copied or pickled; on 2 cores the three exports
    of a million records take about half the time.
    """
    if not parallel or len(jobs) < 2 or sys.platform != "linux":
        for job in jobs:
            job()
        return
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=job) for job in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if any(worker.exitcode != 0 for worker in workers):
        raise OutputError("an export could not be written (see the error above)")


def gpkg_metadata(placed: Placed, sources: Mapping[str, Mapping]) -> dict[str, str]:
    """What a GIS user needs to cite the file: sources, licences, the tool and version."""
    used = sorted(set(placed.incidents["source_id"]) | set(placed.areas["source_id"]))
    cited = "; ".join(
        f"{s['title']} ({s['publisher']}, {s['published']}; file {s['file']})"
        for s in (sources[i] for i in used if i in sources)
    )
    return {
        "TITLE": "incident-map: incidents, areas and provinces",
        "SOURCES": cited,
        "LICENCES": LICENCES,
        "TOOL": f"incident-map {__version__}",
    }
