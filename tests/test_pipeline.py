"""Geocoding and the province join over the seeds, and the nothing-lost rule."""

from __future__ import annotations

import pytest

from geo.gazetteer import load_gazetteer
from geo.pipeline import place_records
from geo.records import load_table
from tests.conftest import incident, write_records

PROVINCE_OF = [
    ("areas", "jtm-darzab-control", "Jowzjan", "AF"),
    ("areas", "jtm-qosh-tepa-control", "Jowzjan", "AF"),
    ("areas", "jtm-bibi-mariam-base", "Jowzjan", "AF"),
    ("incidents", "jtm-2018-01-alkhani-airstrike", "Jowzjan", "AF"),
    ("incidents", "jtm-2017-12-17-quetta-church", "Balochistan", "PK"),
    ("incidents", "jtm-2017-10-05-jhal-magsi-shrine", "Balochistan", "PK"),
    ("incidents", "jtm-2017-12-28-kabul-shia-centre", "Kabul", "AF"),
    ("incidents", "jtm-2017-10-kabul-imam-zaman-mosque", "Kabul", "AF"),
    ("incidents", "aan-2017-07-31-iraqi-embassy", "Kabul", "AF"),
    ("incidents", "aan-2017-04-achin-moab", "Nangarhar", "AF"),
    ("incidents", "aan-2017-05-mamand-battle", "Nangarhar", "AF"),
    ("areas", "aan-mamand-base", "Nangarhar", "AF"),
    ("areas", "aan-kot-presence", "Nangarhar", "AF"),
    ("incidents", "jtm-2016-03-lahore-park", "Punjab", "PK"),
]


@pytest.mark.parametrize("table, record_id, province, country", PROVINCE_OF)
def test_record_lands_in_its_province(placed, table, record_id, province, country):
    frame = getattr(placed, table).set_index("event_id" if table == "incidents" else "area_id")
    assert (frame.loc[record_id, "admin1"], frame.loc[record_id, "country"]) == (province, country)


def test_every_placed_record_has_a_province(placed):
    assert (placed.incidents["admin1"] != "").all()
    assert (placed.areas["admin1"] != "").all()


def test_records_in_equal_placed_plus_unresolved(placed, seed_tables):
    assert placed.records_in == len(seed_tables["incidents"]) + len(seed_tables["areas"])
    assert placed.placed_count + len(placed.unresolved) == placed.records_in


def test_records_naming_no_place_are_listed_with_the_reason(placed):
    lost = placed.unresolved.set_index("record_id")
    assert lost.loc["jtm-2017-04-logari-killed", "reason"] == "the source names no place"
    assert set(lost["reason"]) == {"the source names no place"}


def test_precision_of_each_point_is_kept(placed):
    incidents = placed.incidents.set_index("event_id")
    areas = placed.areas.set_index("area_id")
    assert incidents.loc["jtm-2017-12-17-quetta-church", "geo_precision"] == 1
    assert incidents.loc["jtm-2018-01-alkhani-airstrike", "geo_precision"] == 2
    assert incidents.loc["jtm-2017-03-logar-leaflets", "geo_precision"] == 3
    assert areas.loc["jtm-darzab-control", "geo_precision"] == 2
    # Curated as coarser than the gazetteer's town point, and kept so.
    assert incidents.loc["jtm-2017-07-daud-mehsud-allegiance", "geo_precision"] == 2
    assert placed.incidents.crs.to_epsg() == 4326


def test_gazetteer_points_keep_their_geonameid(placed):
    quetta = placed.incidents.set_index("event_id").loc["jtm-2017-12-17-quetta-church"]
    assert quetta["geonameid"] == 1167528


def test_province_counts_match_the_placed_incidents(placed):
    counts = placed.provinces.set_index("name")
    jowzjan = placed.incidents[placed.incidents["admin1"] == "Jowzjan"]
    assert counts.loc["Jowzjan", "incidents"] == len(jowzjan)
    assert counts.loc["Jowzjan", "deaths"] == jowzjan["fatalities"].sum()
    assert counts["incidents"].sum() == len(placed.incidents)


def test_unknown_place_is_unresolved_not_dropped(tmp_path, provinces):
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(), incident(location="Nowhereville", summary="Second test record.")])
    no_areas = write_records(tmp_path / "a.csv", "areas", [])
    result = place_records(load_table(path, "incidents"), load_table(no_areas, "areas"),
                           load_gazetteer(["PK"], provinces), provinces)
    assert len(result.incidents) == 1
    assert result.unresolved.iloc[0]["reason"] == "no gazetteer entry for 'Nowhereville' in PK"
    assert result.unresolved.iloc[0]["input_line"] == 3



def _one_document(tmp_path, rows, name="doc.txt"):
    rows = [incident(**{"source_file": name, "country": "AF", "summary": f"Record {i}.", **row})
            for i, row in enumerate(rows)]
    return load_table(write_records(tmp_path / "i.csv", "incidents", rows), "incidents")


@pytest.mark.parametrize("neighbours, province", [
    (["Darzab", "Qosh Tepa", "Sheberghan"], "Jowzjan"),
    (["Taloqan", "Rustaq"], "Takhar"),
])
def test_the_documents_other_places_choose_between_namesakes(tmp_path, provinces, gazetteer,
                                                             neighbours, province):
    """GeoNames has a Khanaqah in Jowzjan and one in Takhar, equally likely alone."""
    names = {c.place.admin1 for c in gazetteer.candidates("Khanaqah", "AF")[:2]}
    assert names == {"Jowzjan", "Takhar"}
    frame = _one_document(tmp_path, [{"location": n} for n in [*neighbours, "Khanaqah"]])
    no_areas = load_table(write_records(tmp_path / "a.csv", "areas", []), "areas")
    placed = place_records(frame, no_areas, gazetteer, provinces)
    khanaqah = placed.incidents[placed.incidents["location"] == "Khanaqah"].iloc[0]
    assert khanaqah["admin1"] == province


def test_a_province_the_record_gives_chooses_between_namesakes(tmp_path, provinces, gazetteer):
    frame = _one_document(tmp_path, [{"location": "Nayak", "admin1": "Zabul"},
                                     {"location": "Nayak", "admin1": "Bamyan",
                                      "date_start": "2017-12-18", "date_end": "2017-12-18"}])
    no_areas = load_table(write_records(tmp_path / "a.csv", "areas", []), "areas")
    placed = place_records(frame, no_areas, gazetteer, provinces)
    assert list(placed.incidents["admin1"]) == ["Zabul", "Bamyan"]


def test_records_without_a_country_are_placed_in_the_focus_region(tmp_path, provinces,
                                                                  gazetteer):
    frame = _one_document(tmp_path, [{"location": "Kabul"}, {"location": "Quetta"}])
    frame["country"] = ""
    no_areas = load_table(write_records(tmp_path / "a.csv", "areas", []), "areas")
    placed = place_records(frame, no_areas, gazetteer, provinces)
    found = placed.incidents.set_index("location")
    assert found.loc[["Kabul", "Quetta"], "country"].tolist() == ["AF", "PK"]
    assert found.loc[["Kabul", "Quetta"], "admin1"].tolist() == ["Kabul", "Balochistan"]


def test_a_province_given_outside_our_polygons_is_kept(tmp_path, provinces, gazetteer):
    frame = _one_document(tmp_path, [{"location": "Mashhad", "country": "IR",
                                      "admin1": "Razavi Khorasan"}])
    no_areas = load_table(write_records(tmp_path / "a.csv", "areas", []), "areas")
    placed = place_records(frame, no_areas, gazetteer, provinces)
    assert placed.incidents.iloc[0]["admin1"] == "Razavi Khorasan"


def test_a_town_across_the_border_takes_no_province_of_another_country(tmp_path, provinces):
    """Termez lies on the Uzbek bank of the Amu Darya, inside simplified Balkh."""
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(location="Termez", country="UZ", latitude=37.22417, longitude=67.27833,
                 geo_precision=1, summary="Rockets fired at Termez."),
        incident(location="Istanbul", country="TR", latitude=41.01384, longitude=28.94966,
                 geo_precision=1, summary="A church attacked in Istanbul.")])
    no_areas = write_records(tmp_path / "a.csv", "areas", [])
    result = place_records(load_table(path, "incidents"), load_table(no_areas, "areas"),
                           load_gazetteer(["PK"], provinces), provinces)
    assert [(r["country"], r["admin1"]) for r in result.incidents.to_dict("records")] == [
        ("TR", ""), ("UZ", "")]
