"""GeoParquet 1.1 and FlatGeobuf: read back by pyarrow, geopandas, DuckDB and GDAL."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import struct

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from geo.geoparquet import write_geoparquet
from geo.schema import output_columns
from maps.cli import main
from tests.conftest import FIXTURES, ogrinfo


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("modern")
    assert main(["export", "--format", "parquet", "--out", str(out)]) == 0
    assert main(["export", "--format", "fgb", "--out", str(out)]) == 0
    assert main(["export", "--format", "csv", "--out", str(out)]) == 0
    return out


def test_geoparquet_declares_version_crs_and_bbox_covering(exported):
    for table in ("incidents", "areas", "provinces"):
        geo = json.loads(pq.read_schema(exported / f"{table}.parquet").metadata[b"geo"])
        column = geo["columns"][geo["primary_column"]]
        assert geo["version"] == "1.1.0" and column["encoding"] == "WKB"
        assert column["crs"]["id"] == {"authority": "EPSG", "code": 4326}
        assert column["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
        assert len(column["bbox"]) == 4
    kinds = json.loads(pq.read_schema(exported / "provinces.parquet").metadata[b"geo"])
    assert kinds["columns"]["geometry"]["geometry_types"] == ["MultiPolygon"]


def test_geoparquet_dates_are_date32_and_counts_integers(exported):
    schema = pq.read_schema(exported / "incidents.parquet")
    assert schema.field("date_start").type == pa.date32()
    assert schema.field("date_end").type == pa.date32()
    assert schema.field("fatalities").type == pa.int32()
    assert schema.field("geo_precision").type == pa.int8()
    assert schema.field("latitude").type == pa.float64()
    assert pq.read_schema(exported / "areas.parquet").field("date_end").type == pa.date32()


def test_geoparquet_read_by_geopandas_holds_the_csv_records(exported):
    frame = gpd.read_parquet(exported / "incidents.parquet")
    csv = pd.read_csv(exported / "incidents.csv").set_index("event_id")
    frame = frame.set_index("event_id").loc[csv.index]
    assert frame.crs.to_epsg() == 4326
    assert [c for c in frame.columns if c not in ("geometry", "bbox")] == list(csv.columns)
    assert [d.isoformat() for d in frame["date_start"]] == list(csv["date_start"])
    assert frame["fatalities"].astype("Float64").tolist() == \
        csv["fatalities"].astype("Float64").tolist()
    assert frame.geometry.x.round(6).tolist() == csv["longitude"].round(6).tolist()
    boxes = pq.read_table(exported / "incidents.parquet", columns=["event_id", "bbox"])
    xmin = dict(zip(boxes["event_id"].to_pylist(),
                    [b["xmin"] for b in boxes["bbox"].to_pylist()], strict=True))
    assert [round(xmin[i], 6) for i in csv.index] == csv["longitude"].round(6).tolist()


def test_geoparquet_rows_run_by_date_so_a_date_filter_reads_few_groups(tmp_path, placed):
    frame = placed.incidents
    path = write_geoparquet(frame, tmp_path / "i.parquet", "incidents",
                            output_columns(frame, "incidents"), row_group=4)
    meta = pq.ParquetFile(path).metadata
    column = meta.schema.to_arrow_schema().get_field_index("date_start")
    spans = [(meta.row_group(g).column(column).statistics.min,
              meta.row_group(g).column(column).statistics.max)
             for g in range(meta.num_row_groups)]
    assert meta.num_row_groups == -(-len(frame) // 4)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    day = dt.date(2017, 6, 1)
    needed = [g for g, (low, high) in enumerate(spans) if low <= day <= high]
    assert len(needed) <= 2
    kept = pq.read_table(path, filters=[("date_start", "=", day)])
    assert kept.num_rows == (frame["date_start"] == day.isoformat()).sum()


def test_duckdb_reads_the_geoparquet_geometry(exported):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    path = str(exported / "incidents.parquet")
    kind = dict((r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall())
    assert kind["geometry"].startswith("GEOMETRY") and kind["date_start"] == "DATE"
    rows = con.execute(f"SELECT event_id, geometry::VARCHAR FROM '{path}' ORDER BY event_id") \
        .fetchall()
    csv = pd.read_csv(exported / "incidents.csv").sort_values("event_id")
    assert [r[0] for r in rows] == list(csv["event_id"])
    points = [[round(float(v), 6) for v in r[1].removeprefix("POINT (")[:-1].split()]
              for r in rows]
    assert points == csv[["longitude", "latitude"]].round(6).values.tolist()


def test_dataset_columns_travel_into_parquet_and_flatgeobuf(tmp_path):
    out = tmp_path / "o"
    assert main(["export", "--incidents", str(FIXTURES / "acled.csv"), "--format", "parquet",
                 "--out", str(out)]) == 0
    assert main(["export", "--incidents", str(FIXTURES / "acled.csv"), "--format", "fgb",
                 "--out", str(out)]) == 0
    extras = [c for c in pq.read_schema(out / "incidents.parquet").names
              if c.startswith("acled_")]
    assert extras
    fields = ogrinfo("-so", str(out / "incidents.fgb"), "incidents")
    assert all(f"{name}: String" in fields for name in extras)


def _fgb_header(path) -> dict:
    """features_count and index_node_size from a FlatGeobuf header (a flatbuffer table)."""
    data = path.read_bytes()
    assert data[:3] == b"fgb"
    start = 12  # magic (8 bytes), then the header's length (4)
    table = start + struct.unpack_from("<I", data, start)[0]
    vtable = table - struct.unpack_from("<i", data, table)[0]
    size = struct.unpack_from("<H", data, vtable)[0]

    def field(number, fmt, default):
        at = 4 + 2 * number
        offset = struct.unpack_from("<H", data, vtable + at)[0] if at < size else 0
        return struct.unpack_from(fmt, data, table + offset)[0] if offset else default

    return {"features_count": field(8, "<Q", 0), "index_node_size": field(9, "<H", 16)}


def test_flatgeobuf_has_its_spatial_index_and_every_record(exported):
    for table, rows in (("incidents", 27), ("areas", 10), ("provinces", 41)):
        header = _fgb_header(exported / f"{table}.fgb")
        assert header == {"features_count": rows, "index_node_size": 16}
        assert f"Feature Count: {rows}" in ogrinfo("-so", str(exported / f"{table}.fgb"),
                                                    table)


def test_ogrinfo_reads_flatgeobuf_by_box_as_pandas_counts(exported):
    csv = pd.read_csv(exported / "incidents.csv")
    box = (66.0, 30.0, 71.5, 36.0)
    inside = ((csv["longitude"] >= box[0]) & (csv["longitude"] <= box[2])
              & (csv["latitude"] >= box[1]) & (csv["latitude"] <= box[3])).sum()
    text = ogrinfo("-so", "-spat", *map(str, box), str(exported / "incidents.fgb"),
                    "incidents")
    assert f"Feature Count: {inside}" in text
    assert "date_start: DateTime" in text and "fatalities: Integer" in text
    assert "Geometry: Point" in text
