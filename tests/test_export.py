"""GeoJSON that GIS tools open: RFC 7946, read back by GDAL, byte-stable."""

from __future__ import annotations

import json
import os
import re
import subprocess

import geopandas as gpd
import pytest
from shapely.geometry import shape

from maps.cli import main
from tests.conftest import CLI, incident, require_tool, write_records

FILES = ("incidents", "areas", "provinces")


def _load(built, name):
    return json.loads((built / f"{name}.geojson").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", FILES)
def test_geojson_follows_rfc_7946(built, name):
    collection = _load(built, name)
    assert "crs" not in collection
    west, south, east, north = collection["bbox"]
    assert 60 < west < east < 78 and 23 < south < north < 39
    for feature in collection["features"]:
        assert feature["id"]
        geometry = shape(feature["geometry"])
        assert geometry.is_valid
        for x, y in re.findall(r"\[(-?\d+\.?\d*),(-?\d+\.?\d*)\]",
                               json.dumps(feature["geometry"], separators=(",", ":"))):
            assert len(x.split(".")[-1]) <= 6 and len(y.split(".")[-1]) <= 6


def test_province_exterior_rings_run_counter_clockwise(built):
    for feature in _load(built, "provinces")["features"]:
        geometry = shape(feature["geometry"])
        polygons = getattr(geometry, "geoms", [geometry])
        assert all(p.exterior.is_ccw for p in polygons), feature["id"]


def test_feature_ids_and_properties_follow_the_contract(built, placed):
    collection = _load(built, "incidents")
    assert [f["id"] for f in collection["features"]] == list(placed.incidents["event_id"])
    first = collection["features"][0]["properties"]
    assert list(first)[:5] == ["event_id", "date_start", "date_end", "date_precision",
                               "event_type"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", first["date_start"])


def test_provinces_carry_counts(built, placed):
    features = _load(built, "provinces")["features"]
    props = {f["properties"]["name"]: f["properties"] for f in features}
    assert len(props) == 41
    assert props["Jowzjan"]["incidents"] == int((placed.incidents["admin1"] == "Jowzjan").sum())
    assert props["Khyber Pakhtunkhwa"]["former_units"] == "F.A.T.A. (PK.01)"


@pytest.mark.parametrize("name", FILES)
def test_ogrinfo_reads_every_feature(built, name):
    ogrinfo = require_tool("ogrinfo")
    expected = len(_load(built, name)["features"])
    report = subprocess.run([ogrinfo, "-ro", "-so", "-al", str(built / f"{name}.geojson")],
                            capture_output=True, text=True, check=True).stdout
    assert f"Feature Count: {expected}" in report
    assert "WGS 84" in report


def test_geopandas_reads_back_the_same_records(built, placed):
    frame = gpd.read_file(built / "incidents.geojson")
    assert list(frame["event_id"]) == list(placed.incidents["event_id"])
    assert list(frame["admin1"]) == list(placed.incidents["admin1"])


def test_same_input_gives_byte_identical_outputs_across_processes(tmp_path, seed_tables):
    """Two processes with different hash seeds, on seeds plus records with no or other countries."""
    extra = write_records(tmp_path / "incidents.csv", "incidents", [
        *seed_tables["incidents"].drop(columns="_line").to_dict("records"),
        incident(location="Kabul", country="", summary="No country given."),
        incident(location="Mashhad", country="IR", summary="Across the border."),
    ])
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        subprocess.run([CLI, "build", "--incidents", str(extra), "--out", str(out)],
                       check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append(out)
    names = sorted(p.name for p in outputs[0].iterdir())
    assert names == sorted(p.name for p in outputs[1].iterdir())
    for name in names:
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name


def test_unresolved_csv_lists_every_record_not_placed(built, placed):
    lines = (built / "unresolved.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "table,record_id,location,country,source_file,input_line,reason"
    assert len(lines) - 1 == len(placed.unresolved)


def test_exported_csv_loads_back_and_places_the_same(built, tmp_path, placed):
    again = tmp_path / "again"
    assert main(["build", "--incidents", str(built / "incidents.csv"),
                 "--areas", str(built / "areas.csv"), "--out", str(again)]) == 0
    for name in ("incidents.csv", "areas.csv", "incidents.geojson", "areas.geojson"):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name
