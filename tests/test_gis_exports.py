"""Exports GIS users open: a typed GeoPackage, KML, and one date filter for every format."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import geopandas as gpd
import pandas as pd
import pytest

from maps.cli import main
from tests.conftest import incident, ogrinfo, write_records

KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("exported")
    assert main(["export", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("layer, csv", [("incidents", "incidents.csv"), ("areas", "areas.csv"),
                                         ("provinces", None)])
def test_geopackage_layers_hold_every_placed_record(exported, layer, csv):
    report = ogrinfo("-so", str(exported / "incidents.gpkg"), layer)
    expected = 41 if csv is None else len(pd.read_csv(exported / csv))
    assert f"Feature Count: {expected}" in report


def test_geopackage_dates_are_date_fields_and_numbers_integers(exported):
    report = ogrinfo("-so", str(exported / "incidents.gpkg"), "incidents")
    fields = dict(re.findall(r"^(\w+): (\w+) \(", report, flags=re.MULTILINE))
    assert fields["date_start"] == "Date" and fields["date_end"] == "Date"
    for name in ("fatalities", "injured", "geo_precision", "geonameid", "quote_start"):
        assert fields[name].startswith("Integer"), name
    assert fields["latitude"] == "Real"
    areas = dict(re.findall(r"^(\w+): (\w+) \(", ogrinfo(
        "-so", str(exported / "incidents.gpkg"), "areas"), flags=re.MULTILINE))
    assert areas["date_start"] == "Date" and areas["date_end"] == "Date"


def test_geopackage_names_its_sources_licences_and_tool(exported):
    report = ogrinfo("-so", str(exported / "incidents.gpkg"))
    assert "SOURCES=" in report and "Jamestown Foundation" in report
    assert "GeoNames (CC BY 4.0)" in report and "Natural Earth" in report
    assert re.search(r"TOOL=incident-map \d+\.\d+\.\d+", report)


def test_geopackage_round_trip_gives_back_the_same_records(exported):
    csv = pd.read_csv(exported / "incidents.csv", dtype=str, keep_default_na=False)
    back = gpd.read_file(exported / "incidents.gpkg", layer="incidents")
    assert list(back["event_id"]) == list(csv["event_id"])
    assert [d.date().isoformat() for d in back["date_start"]] == list(csv["date_start"])
    assert [d.date().isoformat() for d in back["date_end"]] == list(csv["date_end"])
    assert [("" if pd.isna(v) else str(int(v))) for v in back["fatalities"]] == list(
        csv["fatalities"])
    for column in ("place", "admin1", "claim_status", "summary"):
        assert list(back[column].fillna("")) == list(csv[column]), column
    assert back.geometry.is_valid.all()


def test_every_point_lies_in_the_province_it_names(exported):
    provinces = gpd.read_file(exported / "incidents.gpkg", layer="provinces").set_index("name")
    for layer in ("incidents", "areas"):
        frame = gpd.read_file(exported / "incidents.gpkg", layer=layer)
        for name, point in zip(frame["admin1"], frame.geometry, strict=True):
            assert provinces.geometry[name].buffer(0.1).contains(point), (layer, name)


def test_kml_has_a_placemark_per_record_with_its_time_span(exported):
    root = ET.parse(exported / "incidents.kml").getroot()
    placemarks = root.iter(f"{KML}Placemark")
    incidents = pd.read_csv(exported / "incidents.csv")
    areas = pd.read_csv(exported / "areas.csv")
    assert len(list(placemarks)) == len(incidents) + len(areas)
    first = next(root.iter(f"{KML}Placemark"))
    assert first.find(f"{KML}TimeSpan/{KML}begin").text == incidents["date_start"][0]
    folders = [len(list(folder.iter(f"{KML}Placemark"))) for folder in root.iter(f"{KML}Folder")]
    assert folders == [len(incidents), len(areas)]


def test_gdal_reads_the_kml_back_layer_by_layer(exported):
    """The same counts as the XML holds, read by GDAL's KML driver (ogrinfo)."""
    report = ogrinfo("-so", "-al", str(exported / "incidents.kml"))
    counts = [int(n) for n in re.findall(r"Feature Count: (\d+)", report)]
    assert counts == [len(pd.read_csv(exported / "incidents.csv")),
                      len(pd.read_csv(exported / "areas.csv"))]


def test_kml_descriptions_carry_record_text_escaped(tmp_path):
    hostile = '<script>alert("x")</script> & ${y}'
    rows = write_records(tmp_path / "i.csv", "incidents", [incident(summary=hostile)])
    areas = write_records(tmp_path / "a.csv", "areas", [])
    out = tmp_path / "out"
    assert main(["export", "--format", "kml", "--incidents", str(rows), "--areas", str(areas),
                 "--out", str(out)]) == 0
    description = next(ET.parse(out / "incidents.kml").getroot().iter(
        f"{KML}description")).text
    assert "<script>" not in description
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ${y}" in description


@pytest.fixture(scope="module")
def windowed(tmp_path_factory, placed):
    """`export` of the seeds with a date window, and the placed incidents it should keep."""
    out = tmp_path_factory.mktemp("window")
    assert main(["export", "--since", "2017-06-01", "--until", "2017-12-31",
                 "--out", str(out)]) == 0
    incidents = placed.incidents
    expected = incidents[(incidents["date_end"] >= "2017-06-01")
                         & (incidents["date_start"] <= "2017-12-31")]
    assert 0 < len(expected) < len(incidents)
    return out, expected


def test_a_date_window_filters_every_format_alike(windowed):
    """CSV, GeoJSON and KML, read without GDAL: the same records in each."""
    out, expected = windowed
    assert len(pd.read_csv(out / "incidents.csv")) == len(expected)
    geojson = json.loads((out / "incidents.geojson").read_text(encoding="utf-8"))
    assert len(geojson["features"]) == len(expected)
    kml = ET.parse(out / "incidents.kml").getroot()
    folder = next(kml.iter(f"{KML}Folder"))
    assert len(list(folder.iter(f"{KML}Placemark"))) == len(expected)
    provinces = json.loads((out / "provinces.geojson").read_text(encoding="utf-8"))
    counts = {f["properties"]["name"]: f["properties"]["incidents"] for f in provinces["features"]}
    assert sum(counts.values()) == len(expected)
    for name, count in expected.groupby("admin1").size().items():
        assert counts[name] == count


def test_a_date_window_filters_the_geopackage_alike(windowed):
    out, expected = windowed
    assert len(gpd.read_file(out / "incidents.gpkg", layer="incidents")) == len(expected)
    assert len(gpd.read_file(out / "incidents.geojson")) == len(expected)


def test_export_twice_gives_byte_identical_files(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["export", "--out", str(first)]) == 0
    assert main(["export", "--out", str(second)]) == 0
    names = sorted(p.name for p in first.iterdir())
    assert "incidents.gpkg" in names and "incidents.kml" in names
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_areas_are_kept_while_held(tmp_path, seed_tables):
    out = tmp_path / "early"
    assert main(["export", "--format", "csv", "--until", "2016-12-31", "--out", str(out)]) == 0
    areas = pd.read_csv(out / "areas.csv")
    assert set(areas["area_id"]) == {"jtm-nangarhar-hq", "aan-kot-presence", "aan-kabul-cell"}
