"""Exports in the layouts analysts download them in: portals, explorers, old releases, re-saves.

Each fixture (tests/fixtures/datasets/README.md) is one real layout, written by
us with invented rows; the tests pin that it imports and that no row says more
than the file does.
"""

from __future__ import annotations

import csv

import geopandas as gpd
import pandas as pd
import pytest

from geo.datasets import read_dataset
from geo.records import RecordError
from maps.cli import main
from tests.conftest import FIXTURES, ROOT, require_tool, rewritten, set_cell

LAYOUTS = {
    "ucdp_hdx": FIXTURES / "ucdp_ged_hdx.csv",
    "ucdp_explorer": FIXTURES / "ucdp_explorer.csv",
    "gtd_pre0718": FIXTURES / "gtd_pre0718.csv",
    "acled_r": FIXTURES / "acled_r_resaved.csv",
    "acled_excel": FIXTURES / "acled_excel.csv",
    "acled_excel_de": FIXTURES / "acled_excel_de.csv",
    "acled_2019": FIXTURES / "acled_2019.csv",
    "acled_pre2019": FIXTURES / "acled_pre2019.csv",
}
EVERY_EXPORT = [FIXTURES / "acled.csv", FIXTURES / "ucdp_ged.csv", FIXTURES / "gtd.csv",
                *LAYOUTS.values()]


def rows_of(imported) -> dict[str, dict]:
    return imported.incidents.set_index("event_id").to_dict("index")


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def placed_row(out, event_id: str) -> pd.Series:
    return read_csv(out / "incidents.csv").set_index("event_id").loc[event_id]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every layout built into one map with the seeds: the command an analyst runs."""
    out = tmp_path_factory.mktemp("layouts")
    code = main(["build", "--incidents", str(ROOT / "seeds" / "incidents.csv"),
                 *map(str, EVERY_EXPORT), "--no-basemap", "--out", str(out)])
    return code, out


# --- each layout reads ----------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_imports_every_row(layout):
    path = LAYOUTS[layout]
    with open(path, encoding="utf-8-sig", newline="") as handle:
        data_rows = sum(1 for row in list(csv.reader(handle, delimiter=";" if "_de" in
                                                     path.name else ","))[1:]
                        if not row[0].startswith("#"))
    imported = read_dataset(path)
    assert len(imported.incidents) == data_rows
    assert not [c for c in imported.incidents.columns if "spare" in c or c.endswith("_")]


def test_hxl_tag_row_under_the_header_is_skipped_and_lines_still_count_it():
    rows = read_dataset(LAYOUTS["ucdp_hdx"]).incidents
    assert rows["event_id"].iloc[0] == "ucdp-910001"
    assert rows["_line"].iloc[0] == 3  # header 1, HXL tags 2


def test_hxl_row_is_skipped_in_an_acled_file_too(tmp_path):
    def tagged(header, rows):
        return header, [["#event+code", "#date+occurred"] + [""] * (len(header) - 2), *rows]
    path = rewritten(FIXTURES / "acled_2019.csv", tmp_path / "acled_hdx.csv", tagged)
    assert len(read_dataset(path).incidents) == 3


def test_explorer_estimates_are_read_as_best_low_high():
    row = rows_of(read_dataset(LAYOUTS["ucdp_explorer"]))["ucdp-920001"]
    assert (row["fatalities"], row["ucdp_low"], row["ucdp_high"]) == ("4", "4", "5")


def test_explorer_us_dates_are_month_first():
    rows = rows_of(read_dataset(LAYOUTS["ucdp_explorer"]))
    assert (rows["ucdp-920001"]["date_start"], rows["ucdp-920001"]["date_end"]) == \
        ("2024-03-14", "2024-03-14")
    # 04/02/2024 alone could be 4 February; UCDP's explorer writes month first.
    assert (rows["ucdp-920002"]["date_start"], rows["ucdp-920002"]["date_end"],
            rows["ucdp-920002"]["date_precision"]) == ("2024-04-02", "2024-04-05", "week")


def test_a_filled_field_past_the_header_is_still_an_error(tmp_path):
    def filled(header, rows):
        rows[1][-1] = "stray"
        return header, rows
    path = rewritten(LAYOUTS["ucdp_explorer"], tmp_path / "explorer.csv", filled)
    with pytest.raises(RecordError, match=r"explorer.csv:3: has more fields than the header"):
        read_dataset(path)


def test_old_gtd_ids_lose_their_float_suffix():
    ids = read_dataset(LAYOUTS["gtd_pre0718"]).incidents["event_id"]
    assert ids.iloc[0] == "gtd-199301220001"
    assert not ids.str.endswith(".0").any()


def test_old_gtd_fractional_toll_is_floored_with_the_original_kept_and_noted():
    imported = read_dataset(LAYOUTS["gtd_pre0718"])
    row = rows_of(imported)["gtd-199301220001"]
    assert (row["fatalities"], row["fatalities_qualifier"], row["gtd_nkill"]) == \
        ("19", "about", "19.8")
    assert (row["injured"], row["injured_qualifier"], row["gtd_nwound"]) == ("4", "exact", "4.0")
    assert any("1 nkill figures have a fraction" in note for note in imported.notes)


def test_old_gtd_whole_float_is_a_whole_number():
    row = rows_of(read_dataset(LAYOUTS["gtd_pre0718"]))["gtd-199303050002"]
    assert (row["fatalities"], row["fatalities_qualifier"]) == ("4", "exact")


def test_old_gtd_without_specificity_takes_precision_from_what_the_row_names():
    rows = rows_of(read_dataset(LAYOUTS["gtd_pre0718"]))
    assert rows["gtd-199301220001"]["geo_precision"] == "2"  # a city, no coordinates
    assert rows["gtd-199308010003"]["geo_precision"] == "3"  # province only
    assert rows["gtd-199311000001"]["geo_precision"] == "4"  # country only
    assert rows["gtd-199301220001"]["latitude"] == ""  # geocoded from the city later


def test_r_row_names_are_not_a_column():
    columns = read_dataset(LAYOUTS["acled_r"]).incidents.columns
    assert "acled_" not in columns
    assert "acled_civilian_targeting" in columns


def test_na_is_missing_never_data():
    rows = rows_of(read_dataset(LAYOUTS["acled_r"]))
    bomb = rows["acled-AFG91001"]
    assert (bomb["target"], bomb["assoc_actors"], bomb["acled_civilian_targeting"],
            bomb["acled_admin3"]) == ("", "", "", "")
    assert rows["acled-AFG91002"]["target"] == "civilians"  # "Civilian targeting" is data
    riot = rows["acled-PAK91004"]
    assert (riot["fatalities"], riot["fatalities_qualifier"]) == ("", "")


@pytest.mark.parametrize(("layout", "event_id"), [
    ("acled_r", "acled-PAK91003"),  # protesters, inter1 as the 2024 label
    ("acled_r", "acled-PAK91004"),  # rioters
    ("acled_2019", "acled-PAK92003"),  # rioters, inter1 as the code 5
    ("acled_2019", "acled-AFG92002"),  # state forces, code 1
    ("acled_pre2019", "acled-PAK93001"),  # state forces, before 2019
])
def test_actors_that_claim_nothing_are_not_attributed(layout, event_id):
    assert rows_of(read_dataset(LAYOUTS[layout]))[event_id]["claim_status"] == "n/a"


def test_armed_group_as_actor1_is_attributed():
    rows = rows_of(read_dataset(LAYOUTS["acled_r"]))
    assert rows["acled-AFG91002"]["claim_status"] == "attributed"


def test_acled_2019_layout_keeps_acleds_province_spellings():
    rows = rows_of(read_dataset(LAYOUTS["acled_2019"]))
    assert rows["acled-AFG92001"]["acled_admin1"] == "Nimruz"
    assert rows["acled-AFG92002"]["acled_admin1"] == "Urozgan"
    assert "acled_disorder_type" in read_dataset(LAYOUTS["acled_2019"]).incidents


def test_acled_before_2019_reads_upper_case_names_and_ally_actors():
    rows = rows_of(read_dataset(LAYOUTS["acled_pre2019"]))
    kabul = rows["acled-AFG93002"]
    assert kabul["assoc_actors"] == "Islamic State (Pakistan)"
    assert (kabul["date_start"], kabul["event_type"]) == ("2017-07-23", "other")
    assert rows["acled-PAK93001"]["event_type"] == "clash"  # Battle-No change of territory
    assert rows["acled-AFG93003"]["target"] == "civilians"  # Violence against civilians


def test_slashed_dates_follow_the_order_the_file_shows():
    rows = rows_of(read_dataset(LAYOUTS["acled_pre2019"]))
    # 05/04/2017 could be 4 May; 23/07/2017 in the same file makes it 5 April.
    assert rows["acled-PAK93001"]["date_start"] == "2017-04-05"
    excel = rows_of(read_dataset(LAYOUTS["acled_excel"]))
    assert excel["acled-AFG94002"]["acled_time_precision"] == "2"
    assert excel["acled-AFG94001"]["date_start"] == "2019-03-14"


def test_semicolons_decimal_commas_and_dotted_dates_of_a_german_excel_are_read():
    rows = rows_of(read_dataset(LAYOUTS["acled_excel_de"]))
    zaranj = rows["acled-AFG95001"]
    assert (zaranj["date_start"], zaranj["latitude"], zaranj["longitude"]) == \
        ("2020-03-14", "30.9590", "61.8600")
    assert zaranj["summary"] == "A bomb hidden in a cart exploded in a Zaranj market."


def test_slashed_dates_no_row_can_order_are_an_error_not_a_guess(tmp_path):
    def ambiguous(header, rows):
        column = header.index("EVENT_DATE")
        for row, date in zip(rows, ("05/04/2017", "06/07/2017", "10/09/2017"), strict=True):
            row[column] = date
        return header, rows
    path = rewritten(LAYOUTS["acled_pre2019"], tmp_path / "acled.csv", ambiguous)
    with pytest.raises(RecordError, match="could be day/month/year or month/day/year"):
        read_dataset(path)


def test_acled_counts_per_area_and_month_are_refused_as_not_events(tmp_path):
    path = tmp_path / "acled_monthly.csv"
    path.write_text("Country,Admin1,ISO3,Month,Year,Events,Fatalities\n"
                    "Afghanistan,Nangarhar,AFG,March,2019,12,40\n", encoding="utf-8")
    code = main(["export", "--incidents", str(path), "--out", str(tmp_path / "o")])
    assert code == 2
    assert not (tmp_path / "o").exists()


# --- what the imported rows say -------------------------------------------------------------


def test_all_layouts_build_with_the_seeds(built):
    code, out = built
    assert code == 0
    counts = read_csv(out / "reconciliation.csv").set_index("table").astype(int)
    imported = sum(len(read_dataset(p).incidents) for p in EVERY_EXPORT)
    assert counts.loc["incidents", "records_in"] == 30 + imported
    assert counts.loc["all", "rejected"] == 0
    assert counts.loc["all", "records_in"] == \
        counts.loc["all", ["placed", "unresolved", "rejected"]].sum()


def test_a_country_centroid_has_no_province_and_counts_in_none(built):
    _, out = built
    placed = read_csv(out / "incidents.csv").set_index("event_id")
    for event_id in ("ucdp-910001", "ucdp-920003", "ucdp-910005"):  # where_prec 6
        assert (placed.loc[event_id, "geo_precision"], placed.loc[event_id, "admin1"],
                placed.loc[event_id, "admin2"]) == ("4", "", "")
    # 30.0, 70.0 lies in Punjab; none of Punjab's count may come from those points.
    in_punjab = (placed["admin1"] == "Punjab").sum()
    provinces = gpd.read_file(out / "provinces.geojson").set_index("name")
    assert provinces.loc["Punjab", "incidents"] == in_punjab
    assert provinces["incidents"].sum() == (placed["admin1"].isin(provinces.index)).sum()


def test_country_centroids_count_in_no_province_of_the_geopackage(built):
    require_tool("ogrinfo")
    _, out = built
    placed = read_csv(out / "incidents.csv")
    layer = gpd.read_file(out / "incidents.gpkg", layer="provinces").set_index("name")
    assert layer["incidents"].sum() == (placed["admin1"].isin(layer.index)).sum()
    assert (placed["geo_precision"] == "4").sum() >= 3


def test_a_province_point_keeps_its_province_and_the_datasets_name(built):
    row = placed_row(built[1], "ucdp-910002")
    assert (row["geo_precision"], row["admin1"], row["ucdp_adm_1"]) == \
        ("3", "Khyber Pakhtunkhwa", "Federally Administered Tribal Areas")


def test_datasets_province_names_survive_beside_ours(built):
    _, out = built
    placed = read_csv(out / "incidents.csv").set_index("event_id")
    assert placed.loc["acled-AFG92001", ["admin1", "acled_admin1"]].tolist() == \
        ["Nimroz", "Nimruz"]
    assert placed.loc["acled-PAK93001", ["admin1", "acled_admin1"]].tolist() == \
        ["Khyber Pakhtunkhwa", "Federally Administered Tribal Areas"]


def test_a_province_that_disagrees_with_the_point_is_listed(built):
    _, out = built
    found = read_csv(out / "disagreements.csv")
    row = found.set_index("record_id").loc["ucdp-910003"]
    assert (row["stated_admin1"], row["admin1"]) == ("Kunar", "Nangarhar")
    assert float(row["km_outside_stated"]) > 10
    # A spelling (Urozgan, Nimruz) or an older unit (FATA) is not a disagreement.
    assert not found["record_id"].isin(["acled-AFG92001", "acled-AFG92002",
                                        "acled-PAK93001", "ucdp-910002"]).any()


def test_a_two_month_ucdp_month_stays_a_month(built):
    row = placed_row(built[1], "ucdp-910004")
    assert (row["date_start"], row["date_end"], row["date_precision"]) == \
        ("2018-06-20", "2018-07-15", "month")


def test_gtd_rows_without_coordinates_are_geocoded_or_listed(built):
    _, out = built
    placed = read_csv(out / "incidents.csv").set_index("event_id")
    peshawar = placed.loc["gtd-199301220001"]
    assert (peshawar["admin1"], peshawar["gtd_provstate"]) == \
        ("Khyber Pakhtunkhwa", "North-West Frontier Province")
    assert peshawar["latitude"] != ""
    lost = read_csv(out / "unresolved.csv").set_index("record_id")
    assert "no place finer than the country" in lost.loc["gtd-199311000001", "reason"]


# --- one bad file does not cost the others (--keep-going) -----------------------------------


def broken_file(tmp_path):
    """An ACLED export with its latitude column cut off: it cannot be placed at all."""
    def cut(header, rows):
        at = header.index("latitude")
        return header[:at] + header[at + 1:], [r[:at] + r[at + 1:] for r in rows]
    return rewritten(LAYOUTS["acled_2019"], tmp_path / "acled_broken.csv", cut)


def test_a_broken_file_stops_the_run_by_default(tmp_path, capsys):
    code = main(["build", "--incidents", str(LAYOUTS["ucdp_explorer"]), str(broken_file(tmp_path)),
                 "--no-basemap", "--out", str(tmp_path / "o")])
    assert code == 2
    assert "column 'latitude': is missing from the header" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_keep_going_maps_the_rest_and_lists_the_broken_files_rows(tmp_path, capsys):
    broken = broken_file(tmp_path)
    out = tmp_path / "o"
    code = main(["build", "--incidents", str(ROOT / "seeds" / "incidents.csv"),
                 *map(str, EVERY_EXPORT), str(broken), "--keep-going", "--no-basemap",
                 "--out", str(out)])
    assert code == 4
    rejected = read_csv(out / "rejected.csv")
    assert rejected["file"].eq(str(broken)).all()
    assert rejected["line"].tolist() == ["2", "3", "4"]
    assert rejected["reason"].str.contains("'latitude': is missing from the header").all()
    counts = read_csv(out / "reconciliation.csv").set_index("table").astype(int)
    assert counts.loc["incidents", "rejected"] == 3
    assert counts.loc["all", "records_in"] == \
        counts.loc["all", ["placed", "unresolved", "rejected"]].sum()
    err = capsys.readouterr().err
    assert "3 input rows could not be read and were left out" in err
    assert (out / "map.html").exists()


def test_keep_going_leaves_out_only_the_bad_row(tmp_path):
    bad = rewritten(LAYOUTS["acled_2019"], tmp_path / "acled.csv",
                    set_cell("event_date", 1, "31 February 2020"))
    out = tmp_path / "o"
    code = main(["export", "--format", "csv", "--incidents", str(bad), "--keep-going",
                 "--out", str(out)])
    assert code == 4
    rejected = read_csv(out / "rejected.csv")
    assert rejected[["line", "column", "value"]].values.tolist() == \
        [["3", "event_date", "31 February 2020"]]
    placed = read_csv(out / "incidents.csv")
    assert set(placed["event_id"]) >= {"acled-AFG92001", "acled-PAK92003"}
    assert "acled-AFG92002" not in set(placed["event_id"])


def test_keep_going_lists_an_unreadable_file(tmp_path):
    out = tmp_path / "o"
    code = main(["export", "--format", "csv", "--incidents", str(LAYOUTS["acled_2019"]),
                 str(tmp_path / "missing.csv"), "--keep-going", "--out", str(out)])
    assert code == 4
    rejected = read_csv(out / "rejected.csv")
    assert rejected[["file", "line"]].values.tolist() == [[str(tmp_path / "missing.csv"), "0"]]
    assert rejected["reason"].str.contains("cannot be read").all()
