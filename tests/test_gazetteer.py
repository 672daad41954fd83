"""The offline gazetteer: spellings, levels, country and context, and cited supplement points."""

from __future__ import annotations

import csv

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.gazetteer import SUPPLEMENT, load_gazetteer
from geo.names import normalize
from tests.conftest import require_shared


def test_normalize_drops_level_words_diacritics_and_connecting_vowels():
    assert normalize("Sar-i-Pul provinces") == ("sar pul", "province")
    assert normalize("Sar-e Pul") == ("sar pul", None)
    assert normalize("the Darzab district") == ("darzab", "district")
    assert normalize("Jalālābād") == ("jalalabad", None)


@pytest.mark.parametrize("query, country, name, precision", [
    ("Nangrahar", "AF", "Nangarhar", 3),
    ("Jozjan", "AF", "Jowzjan", 3),
    ("Sar-i-Pul provinces", "AF", "Sar-e Pul", 3),
    ("Logar province", "AF", "Logar", 3),
    ("Kabul", "AF", "Kabul", 1),
    ("Darzab district", "AF", "Darzab", 2),
    ("Qush Tepa", "AF", "Qosh Tepa", 2),
    ("Dashte-e-Barchi", "AF", "Dasht-e-Barchi", 1),
    ("Punjab", "PK", "Punjab", 3),
    ("Quetta", "PK", "Quetta", 1),
])
def test_spellings_resolve_to_the_right_place_and_level(gazetteer, query, country, name, precision):
    place = gazetteer.resolve(query, country)
    assert place is not None
    assert (place.name, place.geo_precision) == (name, precision)


def test_kot_in_afghanistan_is_the_nangarhar_district(gazetteer):
    place = gazetteer.resolve("Kot", "AF")
    assert (place.admin1, place.kind) == ("Nangarhar", "district")


def test_context_after_a_comma_chooses_between_namesakes(gazetteer):
    names = {(c.place.admin1, c.place.kind) for c in gazetteer.candidates("Fatehpur", "PK")}
    assert ("Punjab", "town") in names and ("Balochistan", "village") in names
    assert gazetteer.resolve("Fatehpur, Jhal Magsi", "PK").admin1 == "Balochistan"
    assert gazetteer.resolve("Fatehpur, Sindh", "PK") is None


def test_unknown_name_gives_no_place(gazetteer):
    assert gazetteer.resolve("Nowhereville", "AF") is None


def _supplement_rows() -> list[dict]:
    with open(SUPPLEMENT, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_supplement_row_cites_where_its_coordinates_come_from():
    rows = _supplement_rows()
    assert rows
    for row in rows:
        assert len(row["coord_source"]) > 20, row["name"]


def test_supplement_points_fall_in_the_province_they_claim(provinces):
    for row in _supplement_rows():
        point = Point(float(row["longitude"]), float(row["latitude"]))
        inside = provinces[provinces.contains(point)]["name"].tolist()
        assert inside == [row["admin1"]], (row["name"], inside)


def test_district_points_lie_inside_their_geoboundaries_polygon():
    districts = gpd.read_file(require_shared("data/geoBoundaries-AFG-ADM2_simplified.geojson"))
    rows = _supplement_rows()
    cited = [r for r in rows if "representative point of polygon" in r["coord_source"]]
    assert len(cited) >= 4
    for row in cited:
        polygon_name = row["coord_source"].split("polygon '")[1].split("'")[0]
        polygon = districts[districts["shapeName"] == polygon_name].geometry.iloc[0]
        assert polygon.contains(Point(float(row["longitude"]), float(row["latitude"]))), row["name"]


@pytest.mark.parametrize("query, country, province", [
    ("Quetta, Pakistan", None, "Balochistan"),
    ("Jalalabad, Nangarhar, Afghanistan", None, "Nangarhar"),
    ("Kot, Nangarhar", "AF", "Nangarhar"),
])
def test_qualifiers_after_commas_may_name_district_province_or_country(gazetteer, query,
                                                                       country, province):
    assert gazetteer.resolve(query, country).admin1 == province


def test_a_spelling_skeleton_must_also_read_alike(gazetteer):
    assert gazetteer.resolve("Qushtepa", "AF").name == "Qosh Tepa"
    sayedabad = gazetteer.resolve("Sayedabad", "AF")
    assert sayedabad is None or sayedabad.admin1 == "Wardak"


def test_searches_without_a_country_do_not_depend_on_earlier_queries(provinces):
    gazetteer = load_gazetteer(["AF", "PK"], provinces)
    before = gazetteer.resolve("Paris")
    gazetteer.resolve("Lyon", "FR")
    assert gazetteer.resolve("Paris") == before


def test_extending_with_districts_leaves_the_original_unchanged(gazetteer):
    from geo.gazetteer import Place

    extra = Place("Testabad", "AF", 34.0, 69.0, "district", 2, "test")
    assert gazetteer.extended([extra]).resolve("Testabad", "AF") == extra
    assert gazetteer.resolve("Testabad", "AF") is None
