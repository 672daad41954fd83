"""--districts: polygons a user brings fill admin2 and replace approximate circles."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.districts import DistrictError, read_districts
from geo.gazetteer import load_gazetteer
from geo.pipeline import place_records
from maps.cli import main
from tests.conftest import require_shared

GEOBOUNDARIES = "data/geoBoundaries-AFG-ADM2_simplified.geojson"


@pytest.fixture(scope="module")
def with_geoboundaries(seed_tables, provinces):
    districts = read_districts(require_shared(GEOBOUNDARIES))
    return place_records(seed_tables["incidents"], seed_tables["areas"],
                         load_gazetteer(provinces=provinces), provinces, districts,
                         districts_source="geoBoundaries AFG ADM2")


@pytest.mark.parametrize("area_id", ["jtm-darzab-control", "jtm-qosh-tepa-control"])
def test_darzab_and_qosh_tepa_become_polygons_inside_jowzjan(with_geoboundaries, provinces,
                                                             area_id):
    outline = with_geoboundaries.area_outlines[area_id]
    assert outline.geom_type in ("Polygon", "MultiPolygon")
    jowzjan = provinces.set_index("name").geometry["Jowzjan"]
    assert jowzjan.contains(outline.representative_point())
    assert outline.area < jowzjan.area / 3


def test_villages_keep_their_circle_not_their_districts_polygon(with_geoboundaries):
    assert "jtm-bibi-mariam-base" not in with_geoboundaries.area_outlines
    assert "jtm-nangarhar-hq" in with_geoboundaries.area_outlines  # its province


def test_spatial_join_fills_admin2(with_geoboundaries):
    incidents = with_geoboundaries.incidents.set_index("event_id")
    assert incidents.loc["jtm-2018-01-alkhani-airstrike", "admin2"] == "Darzab"
    # No Pakistani polygons given: the gazetteer's district for the town stays.
    assert incidents.loc["jtm-2017-12-17-quetta-church", "admin2"] == "Quetta District"


def _projected_fixture(tmp_path):
    """Two square districts around Darzab and Quetta, stored in UTM 42N metres."""
    squares = gpd.GeoDataFrame(
        {"DIST_NAME": ["Darzab", "Quetta Test"]},
        geometry=[box(65.2, 35.9, 65.5, 36.1), box(66.9, 30.1, 67.1, 30.3)],
        crs="EPSG:4326",
    ).to_crs("EPSG:32642")
    path = tmp_path / "districts_utm.gpkg"
    squares.to_file(path, layer="districts")
    return path


def test_projected_file_is_reprojected_and_named_by_the_given_field(tmp_path, seed_tables,
                                                                    provinces):
    districts = read_districts(_projected_fixture(tmp_path), "DIST_NAME")
    assert districts.crs.to_epsg() == 4326
    west, south, east, _ = districts.total_bounds
    assert 65.1 < west < 65.3 and 30.0 < south < 30.2 and 67.0 < east < 67.2
    placed = place_records(seed_tables["incidents"], seed_tables["areas"],
                           load_gazetteer(provinces=provinces), provinces, districts)
    incidents = placed.incidents.set_index("event_id")
    assert incidents.loc["jtm-2017-12-17-quetta-church", "admin2"] == "Quetta Test"
    assert placed.area_outlines["jtm-darzab-control"].contains(Point(65.3611, 36.0146))


def test_missing_name_field_lists_the_fields(tmp_path):
    with pytest.raises(DistrictError, match=r"no field 'ADM2_EN'; fields are \['DIST_NAME'\]"):
        read_districts(_projected_fixture(tmp_path), "ADM2_EN")


def test_file_without_crs_is_rejected(tmp_path):
    path = tmp_path / "nocrs.shp"  # a shapefile without its .prj has no CRS
    squares = gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
    squares.to_file(path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(DistrictError, match="has no CRS"):
        read_districts(path)


def test_build_with_districts_draws_district_polygons(tmp_path):
    shared = require_shared(GEOBOUNDARIES)
    assert main(["build", "--districts", str(shared), "--out", str(tmp_path)]) == 0
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert '"id":"jtm-darzab-control","geometry":{"type":"Polygon"' in html


def test_unnamed_polygons_are_skipped_with_a_warning(tmp_path):
    path = tmp_path / "some_unnamed.geojson"
    gpd.GeoDataFrame({"shapeName": ["Darzab", None]},
                     geometry=[box(65.2, 35.9, 65.5, 36.1), box(66, 30, 67, 31)],
                     crs="EPSG:4326").to_file(path)
    with pytest.warns(UserWarning, match="skipped 1 polygons with no shapeName"):
        districts = read_districts(path)
    assert list(districts["district"]) == ["Darzab"]


def _bowtie_districts(tmp_path):
    """Darzab drawn as a self-crossing ring: an invalid polygon GIS files often carry."""
    from shapely.geometry import Polygon

    path = tmp_path / "bowtie.geojson"
    bowtie = Polygon([(65.2, 35.9), (65.5, 36.1), (65.5, 35.9), (65.2, 36.1)])
    gpd.GeoDataFrame({"shapeName": ["Darzab"]}, geometry=[bowtie],
                     crs="EPSG:4326").to_file(path)
    return path


def test_an_invalid_polygon_is_repaired_and_the_user_told(tmp_path, capsys):
    path = _bowtie_districts(tmp_path)
    assert main(["build", "--districts", str(path), "--no-basemap", "--out",
                 str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    # Logged with GEOS's reason (where the ring crosses itself), then warned.
    assert f"incident-map: {path}: repairing 1 invalid polygons: Darzab (Self-intersection" \
        in err
    assert f"incident-map: warning: {path}: repaired 1 invalid polygons: Darzab" in err
    assert (tmp_path / "out" / "map.html").exists()


def test_strict_stops_at_a_repair_and_writes_nothing(tmp_path, capsys):
    path = _bowtie_districts(tmp_path)
    assert main(["build", "--districts", str(path), "--strict", "--out",
                 str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{path}: repaired 1 invalid polygons" in err and "--strict: stopped" in err
    assert not (tmp_path / "out").exists()


def test_a_build_that_left_polygons_out_says_so_in_its_exit_code(tmp_path, capsys):
    path = tmp_path / "some_unnamed.geojson"
    gpd.GeoDataFrame({"shapeName": ["Darzab", None]},
                     geometry=[box(65.2, 35.9, 65.5, 36.1), box(66, 30, 67, 31)],
                     crs="EPSG:4326").to_file(path)
    assert main(["build", "--districts", str(path), "--no-basemap", "--out",
                 str(tmp_path / "out")]) == 4
    assert "warning: " + f"{path}: skipped 1 polygons with no shapeName" in \
        capsys.readouterr().err
    assert (tmp_path / "out" / "map.html").exists()


def test_a_district_across_the_antimeridian_is_cut_in_two_and_joins_both_halves(tmp_path):
    """Taveuni drawn as one plain ring from 179.8 E to 179.8 W: on a flat map a band round
    the world that would name the district of any point at that latitude."""
    from shapely.geometry import Polygon

    from geo.districts import join_districts

    path = tmp_path / "fiji.geojson"
    band = Polygon([(179.8, -16.8), (-179.8, -16.8), (-179.8, -16.4), (179.8, -16.4)])
    gpd.GeoDataFrame({"shapeName": ["Taveuni"]}, geometry=[band],
                     crs="EPSG:4326").to_file(path)
    with pytest.warns(UserWarning, match="repaired 1 invalid polygons: Taveuni"):
        districts = read_districts(path)
    points = gpd.GeoDataFrame({"admin2": ["", "", ""]}, crs="EPSG:4326", geometry=[
        Point(179.9, -16.6), Point(-179.9, -16.6), Point(0.0, -16.6)])
    assert list(join_districts(points, districts)["admin2"]) == ["Taveuni", "Taveuni", ""]
