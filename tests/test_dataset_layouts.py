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
from geo.inputs import load_inputs
from geo.records import LeftOutWarning, RecordError
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
    """An ACLED export with its latitude column cut off and longitude kept: half a pair of
    coordinates is an error, where a file without both is geocoded (see below)."""
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


# --- files trimmed in a spreadsheet: no iyear, no coordinates -------------------------------

TRIMMED = {"gtd": FIXTURES / "gtd_trimmed.csv", "acled": FIXTURES / "acled_no_coordinates.csv",
           "ucdp": FIXTURES / "ucdp_no_coordinates.csv"}


@pytest.fixture(scope="module")
def trimmed(tmp_path_factory):
    """The three trimmed exports built together, as an analyst would map them."""
    out = tmp_path_factory.mktemp("trimmed")
    code = main(["build", "--incidents", *map(str, TRIMMED.values()), "--no-basemap",
                 "--out", str(out)])
    placed = read_csv(out / "incidents.csv").set_index("event_id")
    lost = read_csv(out / "unresolved.csv").set_index("record_id")
    return code, out, placed, lost


def without(source, target, *names):
    """A copy of a fixture with the columns `names` cut out, as a spreadsheet user trims it."""
    def edit(header, rows):
        keep = [i for i, c in enumerate(header) if c not in names]
        return [header[i] for i in keep], [[r[i] for i in keep] for r in rows]
    return rewritten(source, target, edit)


def where(placed: pd.DataFrame, event_id: str) -> tuple:
    row = placed.loc[event_id]
    return (row["admin1"], row["admin2"], row["geo_precision"],
            round(float(row["latitude"]), 2), round(float(row["longitude"]), 2))


def test_trimmed_exports_build_and_account_for_every_row(trimmed):
    code, out, placed, lost = trimmed
    assert code == 0  # nothing left out unread: unresolved rows are listed, not rejected
    counts = read_csv(out / "reconciliation.csv").set_index("table").astype(int)
    rows = sum(len(read_csv(path)) for path in TRIMMED.values())
    assert counts.loc["incidents", "records_in"] == rows == 19
    assert counts.loc["incidents", "rejected"] == 0
    assert counts.loc["incidents", ["placed", "unresolved"]].tolist() == [len(placed), len(lost)]


def test_trimmed_gtd_without_iyear_takes_its_dates_from_eventid(trimmed):
    placed = trimmed[2]
    assert placed.loc["gtd-201903140001", ["date_start", "date_end", "date_precision"]].tolist() \
        == ["2019-03-14", "2019-03-14", "day"]
    assert placed.loc["gtd-201905000002", ["date_start", "date_end", "date_precision"]].tolist() \
        == ["2019-05-01", "2019-05-31", "month"]  # iday 0


def test_trimmed_gtd_without_coordinates_is_geocoded_from_its_names(trimmed):
    placed = trimmed[2]
    # No specificity: a city is at best 2, a province alone 3 (see geo.datasets.gtd).
    assert where(placed, "gtd-201903140001") == ("Nangarhar", "Jalalabad", "2", 34.43, 70.45)
    assert where(placed, "gtd-201907210003")[:3] == ("Khyber Pakhtunkhwa", "Peshawar District",
                                                     "2")
    assert where(placed, "gtd-201909000005")[:3] == ("Balochistan", "", "3")
    assert placed.loc["gtd-201909000005", "gtd_city"] == "Unknown"


def test_trimmed_gtd_rows_that_cannot_be_placed_are_unresolved(trimmed):
    lost = trimmed[3]
    assert lost.loc["gtd-201908020004", "reason"] == "no gazetteer entry for 'Qalay Zarnigar' in AF"
    assert lost.loc["gtd-201908020004", "input_line"] == "5"
    assert lost.loc["gtd-201910110006", "reason"] == \
        "the source names no place finer than the country (PK)"


def test_acled_without_coordinates_is_placed_no_finer_than_the_row_names(trimmed):
    placed, lost = trimmed[2], trimmed[3]
    assert where(placed, "acled-AFG96001") == ("Nangarhar", "Jalalabad", "1", 34.43, 70.45)
    assert where(placed, "acled-AFG96002")[:3] == ("Kunar", "Chawkay", "2")
    assert where(placed, "acled-AFG96003")[:3] == ("Nangarhar", "Achin", "2")  # admin2 only
    assert where(placed, "acled-AFG96004")[:3] == ("Kabul", "Kabul", "3")  # geo_precision 3
    # geo_precision 1, but the row names only its province: a province it is.
    assert where(placed, "acled-AFG96005")[:3] == ("Kunar", "", "3")
    assert lost.loc["acled-PAK96002", "reason"] == \
        "the source names no place finer than the country (PK)"
    assert lost.loc["acled-AFG96006", "reason"].startswith("no gazetteer entry for 'Qalay")


def test_ucdp_without_coordinates_is_placed_no_finer_than_where_prec(trimmed):
    placed, lost = trimmed[2], trimmed[3]
    assert where(placed, "ucdp-930001") == ("Nangarhar", "Jalalabad", "1", 34.43, 70.45)
    assert where(placed, "ucdp-930003")[:3] == ("Kunar", "Chapa Dara", "2")  # where_prec 3
    assert where(placed, "ucdp-930004")[:3] == ("Jowzjan", "", "3")  # where_prec 4
    assert set(lost.index) >= {"ucdp-930002", "ucdp-930006"}  # a village we lack; a country
    assert "ucdp-930006" not in placed.index


def test_a_trimmed_file_still_needs_what_a_record_cannot_dowithout(tmp_path):
    no_place = without(TRIMMED["acled"], tmp_path / "a.csv", "location", "admin1", "admin2")
    with pytest.raises(RecordError) as caught:
        read_dataset(no_place)
    assert [str(p) for p in caught.value.problems] == [
        f"{no_place}:1: has no place to map: neither latitude and longitude nor any of "
        "location, admin2, admin1"]
    no_precision = without(TRIMMED["acled"], tmp_path / "b.csv", "geo_precision")
    with pytest.raises(RecordError, match="'geo_precision': is missing from the header"):
        read_dataset(no_precision)
    # What a record can do without may go: it is then empty, never guessed.
    lean = rows_of(read_dataset(without(TRIMMED["acled"], tmp_path / "c.csv", "actor1",
                                        "fatalities")))["acled-AFG96001"]
    assert (lean["actor"], lean["fatalities"], lean["claim_status"]) == ("", "", "n/a")


# --- a header of no layout we read: one line naming the closest -----------------------------


@pytest.mark.parametrize(("source", "gone", "expected"), [
    ("gtd.csv", ("eventid", "imonth"),
     "looks like a GTD export (45 of its columns) but lacks eventid and imonth, which the "
     "importer needs; restore them from the original download, or give the file the columns of "
     "incident-map's own incidents CSV"),
    ("acled.csv", ("event_id_cnty",),
     "looks like an ACLED export (30 of its columns) but lacks event_id_cnty, which the "
     "importer needs; restore it from the original download, or give the file the columns of "
     "incident-map's own incidents CSV"),
    ("ucdp_ged.csv", ("where_prec",),
     "looks like a UCDP GED export (48 of its columns) but lacks where_prec, which the importer "
     "needs; restore it from the original download, or give the file the columns of "
     "incident-map's own incidents CSV"),
])
def test_a_header_of_no_layout_is_one_line_naming_the_closest(tmp_path, capsys, source, gone,
                                                             expected):
    path = without(FIXTURES / source, tmp_path / "x.csv", *gone)
    code = main(["build", "--incidents", str(path), "--no-basemap", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    about = [line for line in err.splitlines() if line.startswith(f"{path}:")]
    assert about == [f"{path}:1: {expected}"]
    assert "is not a column of the contract" not in err
    assert not (tmp_path / "o").exists()


def test_a_header_like_none_says_so_in_one_line(tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("when,what,where\n2019-03-14,blast,Jalalabad\n", encoding="utf-8")
    assert main(["build", "--incidents", str(path), "--no-basemap",
                 "--out", str(tmp_path / "o")]) == 2
    about = [line for line in capsys.readouterr().err.splitlines() if str(path) in line]
    assert about[-1:] == [f"{path}:1: is neither incident-map's own incidents CSV nor an ACLED, "
                          "UCDP GED or GTD export: none of its 3 columns (when, what and where) "
                          "is one of theirs"]
    assert len([line for line in about if line.startswith(f"{path}:")]) == 1


def test_our_own_csv_with_a_typo_keeps_its_per_column_messages(tmp_path, capsys):
    path = tmp_path / "incidents.csv"
    path.write_text((ROOT / "seeds" / "incidents.csv").read_text(encoding="utf-8")
                    .replace("summary", "summry", 1), encoding="utf-8")
    assert main(["build", "--incidents", str(path), "--no-basemap",
                 "--out", str(tmp_path / "o")]) == 2
    about = [line for line in capsys.readouterr().err.splitlines()
             if line.startswith(f"{path}:")]
    assert about == [f"{path}:1: column 'summry': is not a column of the contract",
                     f"{path}:1: column 'summary': is missing from the header"]


def test_keep_going_lists_every_row_of_a_file_of_no_layout_with_that_line(tmp_path):
    path = without(FIXTURES / "gtd.csv", tmp_path / "x.csv", "eventid", "imonth")
    out = tmp_path / "o"
    code = main(["build", "--incidents", str(path), "--keep-going", "--no-basemap",
                 "--out", str(out)])
    assert code == 4
    rejected = read_csv(out / "rejected.csv")
    assert rejected["line"].tolist() == [str(n) for n in range(2, 10)]
    assert rejected["reason"].str.startswith("file not read: line 1: looks like a GTD export").all()
    counts = read_csv(out / "reconciliation.csv").set_index("table").astype(int)
    assert counts.loc["incidents"].tolist() == [8, 0, 0, 8]


def test_engine_dask_names_a_file_of_no_layout_in_one_line_beside_the_others(tmp_path):
    from geo.dask_pipeline import _expand  # checks the files before any worker starts

    odd = without(FIXTURES / "gtd.csv", tmp_path / "x.csv", "eventid", "imonth")
    typo = tmp_path / "incidents.csv"
    typo.write_text((ROOT / "seeds" / "incidents.csv").read_text(encoding="utf-8")
                    .replace("summary", "summry", 1), encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        _expand([odd, typo])
    assert [(p.file, p.line, p.column) for p in caught.value.problems] == [
        (str(odd), 1, ""), (str(typo), 1, "summry"), (str(typo), 1, "summary")]
    assert caught.value.problems[0].message.startswith("looks like a GTD export")


def test_keep_going_counts_an_empty_row_of_a_file_it_cannot_read(tmp_path):
    def spoilt(header, rows):  # a column named twice, and a row a spreadsheet left empty
        return [*header, header[0]], [[*rows[0], ""], [""] * (len(header) + 1),
                                      [*rows[1], ""]]
    path = rewritten(LAYOUTS["acled_2019"], tmp_path / "acled.csv", spoilt)
    with pytest.warns(LeftOutWarning, match="3 input rows"):
        inputs = load_inputs([path], ROOT / "seeds" / "areas.csv",
                             ROOT / "seeds" / "sources.csv", keep_going=True)
    # As a readable file's empty row is rejected (its cells are required), so is this one.
    assert sorted(set(inputs.rejected["line"])) == [2, 3, 4]
