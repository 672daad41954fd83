"""Polygons from outside are repaired before any clip, join or simplify (geo.geometry), and a
broken country, province or district never stops a map."""

from __future__ import annotations

import logging
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon, box, shape

from geo.boundaries import join_provinces
from geo.gazetteer import PROVINCES, read_provinces
from geo.geometry import valid_polygons
from geo.records import InputWarning, LeftOutWarning
from maps.basemap import border_features, clipped_borders, region_around, tile_range
from maps.cli import main

BOWTIE = Polygon([(65.2, 35.9), (65.5, 36.1), (65.5, 35.9), (65.2, 36.1)])
# An island across the antimeridian as world-atlas stores Fiji's: each half runs to its side
# of +-180 and the ring jumps 360 degrees between them, crossing itself on a flat map.
STITCHED = Polygon([(180, -16.8), (179.8, -16.8), (179.8, -16.4), (-180, -16.4),
                    (-179.8, -16.4), (-179.8, -16.8), (-180, -16.8), (180, -16.8)])
# The same island drawn as one plain ring: valid on the plane, but a band round the world.
BAND = Polygon([(179.8, -16.8), (-179.8, -16.8), (-179.8, -16.4), (179.8, -16.4)])


def _frame(**shapes) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": list(shapes)}, geometry=list(shapes.values()),
                            crs="EPSG:4326")


def _repaired(frame: gpd.GeoDataFrame, caplog) -> gpd.GeoDataFrame:
    with caplog.at_level(logging.INFO, logger="geo"), \
            pytest.warns(InputWarning, match="test file: repaired 1 invalid polygons"):
        return valid_polygons(frame, "test file", names="name")


def test_a_bowtie_is_repaired_into_its_two_triangles_and_said_so(caplog):
    square = box(66, 30, 67, 31)
    frame = _frame(Darzab=BOWTIE, Quetta=square)
    out = _repaired(frame, caplog)
    darzab = out.geometry.iloc[0]
    assert darzab.is_valid and darzab.geom_type == "MultiPolygon" and len(darzab.geoms) == 2
    assert darzab.area == pytest.approx(0.03)  # two triangles, not the crossed ring's 0
    assert out.geometry.iloc[1] is square  # a valid polygon is not touched
    assert "test file: repairing 1 invalid polygons: Darzab (Self-intersection[65.35 36]" in \
        caplog.text


@pytest.mark.parametrize("island", [STITCHED, BAND], ids=["self-crossing", "band"])
def test_an_island_across_the_antimeridian_is_cut_into_its_two_halves(island, caplog):
    fixed = _repaired(_frame(Taveuni=island), caplog).geometry.iloc[0]
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon"
    assert sorted(tuple(round(v, 6) for v in p.bounds) for p in fixed.geoms) == [
        (-180, -16.8, -179.8, -16.4), (179.8, -16.8, 180, -16.4)]
    assert fixed.area == pytest.approx(0.16)  # 0.4 x 0.4 degrees, not a band round the world
    assert fixed.contains(Point(179.9, -16.6)) and fixed.contains(Point(-179.9, -16.6))
    assert not fixed.intersects(Point(0, -16.6))


def test_a_polygon_with_no_area_left_is_left_out_and_said_so():
    flat = Polygon([(66, 30), (67, 30), (66.5, 30), (66, 30)])  # a ring folded onto a line
    with pytest.warns(InputWarning) as caught:
        out = valid_polygons(_frame(Sliver=flat, Kabul=box(69, 34, 70, 35)), "f", names="name")
    assert [(w.category, str(w.message)) for w in caught] == [
        (InputWarning, "f: repaired 1 invalid polygons: Sliver"),
        (LeftOutWarning, "f: left out 1 polygons with no area once repaired: Sliver")]
    assert list(out["name"]) == ["Kabul"]


def test_a_clean_file_comes_back_as_it_was():
    frame = _frame(Kabul=box(69, 34, 70, 35))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert valid_polygons(frame, "f", names="name") is frame


def test_the_committed_provinces_need_no_repair():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an InputWarning here would stop every --strict build
        provinces = read_provinces()
    assert provinces.geometry.is_valid.all() and len(provinces) == 41


# --- Country borders: the pinned world-atlas file ------------------------------------------

def _edges_longer_than_half_the_world(features: list[dict]) -> int:
    """Line segments that jump over 180 degrees of longitude: a line drawn across the map."""
    jumps = 0
    for line in shapely.get_parts([shape(f["geometry"]) for f in features]):
        jumps += int((np.abs(np.diff(shapely.get_coordinates(line)[:, 0])) > 180).sum())
    return jumps


def test_broken_countries_are_repaired_and_logged_but_raise_no_input_warning(caplog):
    countries = gpd.GeoDataFrame({"id": ["1", "2"], "name": ["Bowtieland", "Fiji"]},
                                 geometry=[BOWTIE, STITCHED], crs="EPSG:4326")
    with caplog.at_level(logging.INFO, logger="geo"), warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)  # pinned data: --strict must not stop
        features = clipped_borders(countries, (-180.0, -85.0, 180.0, 85.0))
    assert "repairing 2 invalid polygons: Bowtieland (Self-intersection" in caplog.text
    assert [f["id"] for f in features] == ["1", "2"]
    assert all(shape(f["geometry"]).is_valid for f in features)
    assert _edges_longer_than_half_the_world(features) == 0


def test_a_border_on_the_edge_of_the_region_is_not_drawn():
    """Lines are cut, not polygons: a clipped polygon would draw the region's own edge."""
    countries = gpd.GeoDataFrame({"id": ["1"], "name": ["Square"]},
                                 geometry=[box(60, 30, 70, 40)], crs="EPSG:4326")
    (feature,) = clipped_borders(countries, (65.0, 20.0, 80.0, 35.0))
    line = shape(feature["geometry"])
    assert line.geom_type in ("LineString", "MultiLineString")
    assert line.length == pytest.approx(10)  # 5 along y = 30 and 5 along x = 70


def test_worldwide_borders_from_the_real_file_are_valid_lines_within_the_world():
    features = border_features((-180.0, -85.0, 180.0, 85.0))
    lines = [shape(f["geometry"]) for f in features]
    assert len(lines) > 200 and {g.geom_type for g in lines} <= {"LineString",
                                                                  "MultiLineString"}
    assert all(g.is_valid and not g.is_empty for g in lines)
    coordinates = shapely.get_coordinates(lines)
    assert np.isfinite(coordinates).all() and (np.abs(coordinates[:, 0]) <= 180).all()
    assert _edges_longer_than_half_the_world(features) == 0  # Fiji, Russia: no world line


def test_records_both_sides_of_the_antimeridian_widen_to_the_whole_world_of_tiles():
    region = region_around((-179.9, -18.2, 179.9, -16.4))
    assert region[0] == -180.0 and region[2] == 180.0 and np.isfinite(region).all()
    for zoom in range(5):
        xs, ys = tile_range(zoom, region)
        assert (xs.start, xs.stop) == (0, 2**zoom)
        assert 0 <= ys.start < ys.stop <= 2**zoom
    assert region_around((-180.0, -90.0, 180.0, 90.0)) == (-180.0, -85.0, 180.0, 85.0)


# --- Provinces ------------------------------------------------------------------------------

@pytest.fixture
def broken_provinces(tmp_path):
    """Our provinces with two neighbouring vertices of Kabul's ring swapped (the first pair
    whose swap makes the ring cross itself): the slip a hand edit leaves."""
    provinces = gpd.read_file(PROVINCES)
    at = provinces.index[provinces["name"] == "Kabul"][0]
    ring = list(provinces.geometry[at].exterior.coords)
    for i in range(1, len(ring) - 2):
        swapped = [*ring[:i], ring[i + 1], ring[i], *ring[i + 2:]]
        if not Polygon(swapped).is_valid:
            break
    provinces.loc[at, "geometry"] = Polygon(swapped)
    assert not provinces.geometry[at].is_valid
    path = tmp_path / "provinces.geojson"
    provinces.to_file(path, driver="GeoJSON")
    return path


def test_a_broken_province_is_repaired_and_still_takes_its_points(broken_provinces):
    with pytest.warns(InputWarning, match="repaired 1 invalid polygons: Kabul"):
        provinces = read_provinces(broken_provinces)
    assert provinces.geometry.is_valid.all()
    kabul = gpd.GeoDataFrame({"country": ["AF"]}, geometry=[Point(69.1723, 34.5281)],
                             crs="EPSG:4326")
    assert list(join_provinces(kabul, provinces)["admin1"]) == ["Kabul"]


def test_a_broken_province_file_builds_and_strict_stops_on_it(broken_provinces, monkeypatch,
                                                               tmp_path, capsys):
    monkeypatch.setattr("geo.workflow.read_provinces",
                        lambda: read_provinces(broken_provinces))
    assert main(["build", "--no-basemap", "--out", str(tmp_path / "out")]) == 0
    assert "warning: " + f"{broken_provinces}: repaired 1 invalid polygons: Kabul" in \
        capsys.readouterr().err
    assert (tmp_path / "out" / "map.html").exists()
    assert main(["build", "--strict", "--out", str(tmp_path / "strict")]) == 2
    err = capsys.readouterr().err
    assert "repaired 1 invalid polygons: Kabul" in err and "--strict: stopped" in err
    assert not (tmp_path / "strict").exists()
