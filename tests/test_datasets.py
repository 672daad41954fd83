"""Importers for ACLED, UCDP GED and GTD exports: codes mapped to ours, records the loader takes."""

from __future__ import annotations

import csv
import subprocess

import pandas as pd
import pytest

from geo.datasets import acled, detect, gtd, read_dataset, sniff, ucdp
from geo.datasets._countries import from_names
from geo.records import RecordError, check_sources, table_from_rows
from geo.schema import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, column_names
from maps.cli import main
from tests.conftest import FIXTURES, ROOT, require_tool, rewritten, set_cell

ACLED, UCDP, GTD = FIXTURES / "acled.csv", FIXTURES / "ucdp_ged.csv", FIXTURES / "gtd.csv"


@pytest.fixture(scope="module")
def imported():
    return {kind: read_dataset(path) for kind, path in
            (("acled", ACLED), ("ucdp", UCDP), ("gtd", GTD))}


def record(imported, kind: str, event_id: str) -> dict:
    incidents = imported[kind].incidents
    rows = incidents[incidents["event_id"] == event_id]
    assert len(rows) == 1, event_id
    return rows.iloc[0].to_dict()


def passes_validator(result) -> pd.DataFrame:
    """The importer's records through geo.records' own checks, extras dropped."""
    contract = column_names("incidents")
    incidents = result.incidents
    assert list(incidents.columns[:len(contract)]) == contract
    rows = zip(incidents["_line"].tolist(), incidents[contract].to_dict("records"), strict=True)
    table = table_from_rows(rows, "incidents", "import")
    sources = table_from_rows(enumerate(result.sources.to_dict("records"), 2), "sources", "src")
    check_sources(table, "import", sources)
    return table


# --- telling the formats apart --------------------------------------------------------------

def test_detect_tells_the_three_formats_apart():
    headers = {}
    for path in (ACLED, UCDP, GTD):
        with open(path, encoding="utf-8") as handle:
            headers[path.name] = next(csv.reader(handle))
    assert detect(headers["acled.csv"]) == "acled"
    assert detect(headers["ucdp_ged.csv"]) == "ucdp"
    assert detect(headers["gtd.csv"]) == "gtd"
    assert detect([h.upper() for h in headers["acled.csv"]]) == "acled"  # older ACLED exports
    assert detect(column_names("incidents")) is None
    assert detect(["date_prec", "latitude"]) is None  # needs where_prec too


def test_unrecognised_header_is_one_problem_naming_the_closest_layout(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("id,date,place\n1,2019-01-01,Kabul\n", encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        read_dataset(path)
    [problem] = caught.value.problems
    assert problem.line == 1
    assert problem.message.startswith("looks like incident-map's own incidents CSV (1 of its "
                                      "columns) but lacks date_start, date_end")


def test_missing_acled_column_is_named(tmp_path):
    def drop(header, rows):
        gone = [header.index("time_precision"), header.index("geo_precision")]
        keep = [i for i in range(len(header)) if i not in gone]
        return [header[i] for i in keep], [[r[i] for i in keep] for r in rows]

    path = rewritten(ACLED, tmp_path / "acled.csv", drop)
    with pytest.raises(RecordError) as caught:
        read_dataset(path)
    found = [(p.line, p.column) for p in caught.value.problems]
    assert found == [(1, "time_precision"), (1, "geo_precision")]
    assert "missing from the header" in str(caught.value)


def test_kind_overrides_detection_and_checks_that_kinds_columns(tmp_path):
    with pytest.raises(RecordError) as caught:
        read_dataset(ACLED, kind="gtd")
    assert {p.column for p in caught.value.problems} == {"eventid", "imonth", "iday"}


# --- every fixture row passes the record contract -------------------------------------------

def test_every_acled_fixture_row_passes_the_record_validator(imported):
    table = passes_validator(imported["acled"])
    assert len(table) == 10


def test_every_ucdp_fixture_row_passes_the_record_validator(imported):
    table = passes_validator(imported["ucdp"])
    assert len(table) == 8


def test_every_gtd_fixture_row_passes_the_record_validator(imported):
    table = passes_validator(imported["gtd"])
    assert len(table) == 8


def test_cells_are_text_then_line_then_dataset_extras(imported):
    incidents = imported["acled"].incidents
    contract = column_names("incidents")
    assert list(incidents.columns[len(contract):]) == ["_line"] + [f"acled_{c}" for c in
                                                                    acled.KEPT]
    assert incidents["_line"].tolist() == list(range(2, 12))
    cells = incidents.drop(columns="_line").to_numpy().ravel()
    assert all(isinstance(cell, str) for cell in cells)


def test_mappings_stay_inside_our_vocabularies():
    for mapping in (acled.SUB_EVENT_TYPES, gtd.ATTACK_TYPES, ucdp.VIOLENCE_TYPES):
        assert set(mapping.values()) <= set(EVENT_TYPES)
    for mapping in (acled.GEO_PRECISION, ucdp.WHERE_PRECISION, gtd.SPECIFICITY):
        assert set(mapping.values()) <= set(GEO_PRECISIONS)
    for mapping in (acled.TIME_PRECISION, ucdp.DATE_PRECISION):
        assert set(mapping.values()) <= set(DATE_PRECISIONS)


# --- ACLED ----------------------------------------------------------------------------------

def test_acled_day_precision_keeps_its_day(imported):
    r = record(imported, "acled", "acled-AFG90001")
    assert (r["date_start"], r["date_end"], r["date_precision"]) == (
        "2019-03-14", "2019-03-14", "day")


def test_acled_month_precision_spans_its_month(imported):
    r = record(imported, "acled", "acled-AFG90004")  # event_date 15 May 2019, time_precision 3
    assert (r["date_start"], r["date_end"], r["date_precision"]) == (
        "2019-05-01", "2019-05-31", "month")
    assert r["acled_time_precision"] == "3"


def test_acled_week_is_three_days_either_side_of_its_date(imported):
    r = record(imported, "acled", "acled-AFG90003")  # 2019-03-30, time_precision 2
    assert (r["date_start"], r["date_end"], r["date_precision"]) == (
        "2019-03-27", "2019-04-02", "week")


def test_acled_reads_iso_and_written_out_dates(imported):
    assert record(imported, "acled", "acled-PAK90002")["date_start"] == "2019-08-09"
    assert record(imported, "acled", "acled-PAK90001")["date_start"] == "2019-07-21"
    r = record(imported, "acled", "acled-AFG90002")  # "2 April 2019", a week
    assert (r["date_start"], r["date_end"]) == ("2019-03-30", "2019-04-05")


def test_acled_geo_precision_codes_are_ours_and_kept(imported):
    found = {r: record(imported, "acled", r)["geo_precision"]
             for r in ("acled-AFG90001", "acled-AFG90002", "acled-AFG90004")}
    assert found == {"acled-AFG90001": "1", "acled-AFG90002": "2", "acled-AFG90004": "3"}
    assert record(imported, "acled", "acled-AFG90004")["acled_geo_precision"] == "3"


def test_acled_sub_event_types_become_our_event_types(imported):
    found = dict(zip(imported["acled"].incidents["acled_sub_event_type"],
                     imported["acled"].incidents["event_type"], strict=True))
    assert found == {
        "Suicide bomb": "suicide_attack", "Armed clash": "clash", "Air/drone strike": "airstrike",
        "Remote explosive/landmine/IED": "bombing", "Attack": "armed_assault",
        "Arrests": "arrest", "Headquarters or base established": "other", "Grenade": "bombing",
        "Non-state actor overtakes territory": "clash", "Peaceful protest": "other",
    }


def test_acled_violence_against_civilians_targets_civilians(imported):
    assert record(imported, "acled", "acled-PAK90001")["target"] == "civilians"
    assert record(imported, "acled", "acled-AFG90002")["target"] == ""


def test_acled_named_actor_is_attributed_and_unidentified_is_not(imported):
    named = record(imported, "acled", "acled-AFG90001")
    assert (named["actor"], named["claim_status"]) == ("Islamic State (Afghanistan)", "attributed")
    assert record(imported, "acled", "acled-AFG90004")["claim_status"] == "n/a"


def test_acled_assoc_actors_use_our_separator(imported):
    assert record(imported, "acled", "acled-AFG90002")["assoc_actors"] == (
        "Police Forces of Afghanistan (2004-2021);NDS: National Directorate of Security")


def test_acled_empty_notes_and_fatalities(imported):
    r = record(imported, "acled", "acled-AFG90004")
    assert r["summary"] == "ACLED event AFG90004"
    assert (r["fatalities"], r["fatalities_qualifier"]) == ("", "")
    r = record(imported, "acled", "acled-AFG90001")
    assert (r["fatalities"], r["fatalities_qualifier"]) == ("6", "exact")
    assert r["summary"].startswith("On 14 March 2019, a suicide bomber")


def test_acled_place_sources_and_country(imported):
    r = record(imported, "acled", "acled-PAK90002")
    assert (r["location"], r["place"], r["admin2"], r["admin1"], r["country"]) == (
        "Karachi", "Karachi", "Karachi South", "Sindh", "PK")
    assert (r["acled_admin3"], r["acled_iso"]) == ("Saddar Town", "586")
    assert (r["latitude"], r["longitude"]) == ("24.8607", "67.0011")
    assert r["cited_sources"] == "Express Tribune"
    assert (r["source_id"], r["source_file"]) == ("acled-acled", "acled.csv")


def test_acled_country_comes_from_the_name_when_iso_is_absent(tmp_path):
    def drop_iso(header, rows):
        i = header.index("iso")
        return header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows]

    result = read_dataset(rewritten(ACLED, tmp_path / "acled.csv", drop_iso))
    assert set(result.incidents["country"]) == {"AF", "PK"}
    assert set(result.incidents["acled_iso"]) == {""}


def test_acled_sources_row_names_the_export(tmp_path):
    path = rewritten(ACLED, tmp_path / "2019-01-01 Afghanistan+Pakistan.csv",
                     lambda header, rows: (header, rows))
    result = read_dataset(path)
    assert result.sources.to_dict("records") == [{
        "source_id": "acled-2019-01-01-afghanistan-pakistan",
        "title": "ACLED export 2019-01-01 Afghanistan+Pakistan.csv",
        "publisher": "Armed Conflict Location & Event Data (ACLED)",
        "published": "2019-12-31",
        "file": "2019-01-01 Afghanistan+Pakistan.csv",
    }]
    assert set(result.incidents["source_id"]) == {"acled-2019-01-01-afghanistan-pakistan"}


# --- problems named by file, line, column and value -----------------------------------------

def test_bad_acled_date_names_file_line_column_and_value(tmp_path):
    path = rewritten(ACLED, tmp_path / "acled.csv", set_cell("event_date", 3, "31 Febuary 2019"))
    with pytest.raises(RecordError) as caught:
        read_dataset(path)
    p = caught.value.problems[0]
    assert (p.file, p.line, p.column, p.value) == (str(path), 5, "event_date", "31 Febuary 2019")


def test_every_bad_number_and_code_is_reported_at_once(tmp_path):
    def edit(header, rows):
        rows[0][header.index("fatalities")] = "six"
        rows[2][header.index("geo_precision")] = "4"
        rows[5][header.index("latitude")] = "north"
        return header, rows

    with pytest.raises(RecordError) as caught:
        read_dataset(rewritten(ACLED, tmp_path / "acled.csv", edit))
    found = [(p.line, p.column, p.value) for p in caught.value.problems]
    assert found == [(2, "fatalities", "six"), (4, "geo_precision", "4"),
                     (7, "latitude", "north")]
    assert "must be one of: 1, 2, 3" in str(caught.value)


def test_line_numbers_count_quoted_line_breaks_and_blank_lines(tmp_path):
    def edit(header, rows):
        rows[1][header.index("notes")] = "First line of the note.\nSecond line."
        rows[4][header.index("fatalities")] = "many"
        return header, rows

    path = rewritten(ACLED, tmp_path / "acled.csv", edit)
    text = path.read_text(encoding="utf-8").replace("\nAFG90004", "\n\nAFG90004")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        read_dataset(path)
    # Row 5 sits on line 6, one more for the line break in row 2, one for the blank line.
    assert [(p.line, p.column) for p in caught.value.problems] == [(8, "fatalities")]


def test_physical_lines_survive_a_multi_line_cell(tmp_path):
    path = rewritten(ACLED, tmp_path / "acled.csv",
                     set_cell("notes", 0, "A note\nwritten on\nthree lines."))
    lines = read_dataset(path).incidents["_line"].tolist()
    assert lines[:3] == [2, 5, 6]


# --- UCDP GED -------------------------------------------------------------------------------

@pytest.mark.parametrize(("event_id", "where_prec", "geo_precision"), [
    ("ucdp-900001", "1", "1"), ("ucdp-900002", "2", "2"), ("ucdp-900003", "3", "2"),
    ("ucdp-900004", "4", "3"), ("ucdp-900005", "5", "3"), ("ucdp-900006", "6", "4"),
    ("ucdp-900008", "7", "4"),
])
def test_ucdp_where_prec_maps_onto_our_geo_precision(imported, event_id, where_prec,
                                                     geo_precision):
    r = record(imported, "ucdp", event_id)
    assert (r["ucdp_where_prec"], r["geo_precision"]) == (where_prec, geo_precision)


def test_ucdp_where_prec_6_is_country_precision(imported):
    r = record(imported, "ucdp", "ucdp-900006")
    assert (r["geo_precision"], r["location"], r["admin1"], r["country"]) == (
        "4", "Afghanistan", "", "AF")


def test_ucdp_multi_day_span_is_a_week(imported):
    r = record(imported, "ucdp", "ucdp-900002")  # date_prec 2: two to six days
    assert (r["date_start"], r["date_end"], r["date_precision"]) == (
        "2019-04-02", "2019-04-05", "week")


def test_ucdp_week_across_a_month_end_stays_a_week(imported):
    r = record(imported, "ucdp", "ucdp-900003")
    assert (r["date_start"], r["date_end"], r["date_precision"]) == (
        "2019-04-28", "2019-05-04", "week")


def test_ucdp_month_whose_dates_span_two_months_stays_a_month(imported):
    r = record(imported, "ucdp", "ucdp-900005")  # date_prec 4, 20 July..10 August: 22 days
    assert (r["ucdp_date_prec"], r["date_precision"]) == ("4", "month")
    assert (r["date_start"], r["date_end"]) == ("2019-07-20", "2019-08-10")


def test_ucdp_precision_is_never_finer_than_ucdp_says(imported):
    r = record(imported, "ucdp", "ucdp-900008")  # date_prec 2, one day
    assert (r["date_start"], r["date_end"], r["date_precision"]) == (
        "2019-10-01", "2019-10-01", "week")
    assert record(imported, "ucdp", "ucdp-900004")["date_precision"] == "month"
    assert record(imported, "ucdp", "ucdp-900006")["date_precision"] == "year"


def test_ucdp_dates_with_a_time_of_day_are_read(imported):
    r = record(imported, "ucdp", "ucdp-900007")
    assert (r["date_start"], r["date_end"], r["date_precision"]) == (
        "2019-08-16", "2019-08-16", "day")


def test_ucdp_span_across_two_years_is_an_error(tmp_path):
    path = rewritten(UCDP, tmp_path / "ged.csv", set_cell("date_end", 5, "2020-01-03"))
    with pytest.raises(RecordError, match="no date precision covers the span") as caught:
        read_dataset(path)
    p = caught.value.problems[0]
    assert (p.line, p.column, p.value) == (7, "date_end", "2020-01-03")


def test_ucdp_one_sided_violence_is_armed_assault_on_civilians(imported):
    r = record(imported, "ucdp", "ucdp-900007")
    assert (r["event_type"], r["target"], r["actor"], r["ucdp_side_b"]) == (
        "armed_assault", "civilians", "IS", "Civilians")
    clash = record(imported, "ucdp", "ucdp-900004")  # non-state
    assert (clash["event_type"], clash["target"]) == ("clash", "")


def test_ucdp_best_is_fatalities_and_low_high_are_kept(imported):
    r = record(imported, "ucdp", "ucdp-900003")
    assert (r["fatalities"], r["fatalities_qualifier"], r["ucdp_low"], r["ucdp_high"]) == (
        "11", "exact", "9", "15")
    assert r["claim_status"] == "attributed"


def test_ucdp_admin_names_lose_their_unit(imported):
    r = record(imported, "ucdp", "ucdp-900001")
    assert (r["admin1"], r["admin2"], r["location"]) == ("Nangarhar", "Jalalabad", "Jalalabad town")


def test_ucdp_empty_headline_gets_a_neutral_summary(imported):
    assert record(imported, "ucdp", "ucdp-900006")["summary"] == "UCDP GED event 900006"
    assert record(imported, "ucdp", "ucdp-900001")["cited_sources"].startswith("Pajhwok")


# --- GTD ------------------------------------------------------------------------------------

def test_gtd_unknown_day_is_month_precision(imported):
    r = record(imported, "gtd", "gtd-201904000001")
    assert (r["date_start"], r["date_end"], r["date_precision"]) == (
        "2019-04-01", "2019-04-30", "month")


def test_gtd_unknown_month_is_year_precision(imported):
    r = record(imported, "gtd", "gtd-201900000001")
    assert (r["date_start"], r["date_end"], r["date_precision"]) == (
        "2019-01-01", "2019-12-31", "year")


def test_gtd_leap_day_is_a_day(imported):
    r = record(imported, "gtd", "gtd-202002290001")
    assert (r["date_start"], r["date_precision"]) == ("2020-02-29", "day")


@pytest.mark.parametrize(("event_id", "specificity", "geo_precision"), [
    ("gtd-201903140001", "1", "1"), ("gtd-201904000001", "2", "2"),
    ("gtd-201900000001", "3", "2"), ("gtd-201907220001", "4", "3"),
    ("gtd-201908170001", "5", "4"),
])
def test_gtd_specificity_maps_onto_our_geo_precision(imported, event_id, specificity,
                                                     geo_precision):
    r = record(imported, "gtd", event_id)
    assert (r["gtd_specificity"], r["geo_precision"]) == (specificity, geo_precision)


@pytest.mark.parametrize(("event_id", "claim_status"), [
    ("gtd-201903140001", "claimed"),     # claimed 1
    ("gtd-201907220001", "disputed"),    # claimed 1, compclaim 1
    ("gtd-201908170001", "unclaimed"),   # claimed 0
    ("gtd-201904000001", "attributed"),  # claimed -9, a named group
    ("gtd-201912300001", "n/a"),         # claimed -9, group Unknown
    ("gtd-201900000001", "n/a"),         # claimed empty, group Unknown
])
def test_gtd_claims_become_our_claim_status(imported, event_id, claim_status):
    assert record(imported, "gtd", event_id)["claim_status"] == claim_status


def test_gtd_unknown_counts_stay_empty(imported):
    r = record(imported, "gtd", "gtd-201904000001")  # nkill empty, nwound -99
    assert (r["fatalities"], r["fatalities_qualifier"], r["injured"], r["injured_qualifier"]) == (
        "", "", "", "")
    r = record(imported, "gtd", "gtd-201910050001")  # nkill -99
    assert (r["fatalities"], r["injured"], r["injured_qualifier"]) == ("", "20", "exact")
    assert record(imported, "gtd", "gtd-202002290001")["fatalities"] == "3"  # written 3.0


def test_gtd_suicide_attack_wins_over_attack_type(imported):
    r = record(imported, "gtd", "gtd-201903140001")
    assert (r["event_type"], r["gtd_attacktype1_txt"], r["gtd_suicide"]) == (
        "suicide_attack", "Bombing/Explosion", "1")
    types = dict(zip(imported["gtd"].incidents["event_id"],
                     imported["gtd"].incidents["event_type"], strict=True))
    assert types["gtd-201907220001"] == "armed_assault"  # Assassination
    assert types["gtd-201900000001"] == "other"  # Hostage Taking (Kidnapping)


def test_gtd_targets_use_our_words_or_keep_the_label(imported):
    targets = dict(zip(imported["gtd"].incidents["event_id"],
                       imported["gtd"].incidents["target"], strict=True))
    assert targets["gtd-201903140001"] == "civilians"
    assert targets["gtd-201908170001"] == "security_forces"
    assert targets["gtd-201907220001"] == "government"
    assert targets["gtd-201910050001"] == "Religious Figures/Institutions"


def test_gtd_unknown_place_and_group_are_left_empty(imported):
    r = record(imported, "gtd", "gtd-201908170001")
    assert (r["location"], r["admin1"], r["country"], r["gtd_country_txt"]) == (
        "", "", "PK", "Pakistan")
    assert record(imported, "gtd", "gtd-201900000001")["actor"] == ""
    assert record(imported, "gtd", "gtd-201900000001")["summary"] == "GTD event 201900000001"


def test_gtd_impossible_day_is_named(tmp_path):
    path = rewritten(GTD, tmp_path / "gtd.csv", set_cell("iday", 7, "30"))  # 30 February 2020
    with pytest.raises(RecordError, match="not a day of that month") as caught:
        read_dataset(path)
    p = caught.value.problems[0]
    assert (p.line, p.column, p.value) == (9, "iday", "30")


TRIMMED_GTD = FIXTURES / "gtd_trimmed.csv"


def test_gtd_without_iyear_is_still_gtd():
    with open(TRIMMED_GTD, encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert "iyear" not in header
    assert detect(header) == "gtd"


def test_gtd_iyear_wins_over_an_eventid_that_disagrees(tmp_path):
    path = rewritten(GTD, tmp_path / "gtd.csv", set_cell("eventid", 0, "201803140001"))
    r = record({"gtd": read_dataset(path)}, "gtd", "gtd-201803140001")
    assert (r["date_start"], r["date_precision"]) == ("2019-03-14", "day")  # iyear 2019


def test_gtd_empty_iyear_cell_takes_the_year_from_eventid(tmp_path):
    path = rewritten(GTD, tmp_path / "gtd.csv", set_cell("iyear", 0, ""))
    r = record({"gtd": read_dataset(path)}, "gtd", "gtd-201903140001")
    assert r["date_start"] == "2019-03-14"


@pytest.mark.parametrize(("eventid", "message"), [
    ("000003140001", "does not begin with a year (YYYYMMDD and a 4-digit sequence), and there "
                     "is no iyear"),
    ("2019031401", "gives no year (GTD writes it as YYYYMMDD and a 4-digit sequence) and the "
                   "file has no iyear"),
])
def test_gtd_without_iyear_an_eventid_that_gives_no_year_is_named(tmp_path, eventid, message):
    path = rewritten(TRIMMED_GTD, tmp_path / "gtd.csv", set_cell("eventid", 1, eventid))
    with pytest.raises(RecordError) as caught:
        read_dataset(path)
    assert [(p.line, p.column, p.value, p.message) for p in caught.value.problems] == [
        (3, "eventid", eventid, message)]


def test_gtd_latin1_export_is_read(tmp_path):
    path = rewritten(GTD, tmp_path / "gtd.csv", set_cell("summary", 0, "Attack near a café."))
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    result = read_dataset(path)
    assert result.incidents["summary"].iloc[0] == "Attack near a café."


def test_utf16_export_is_told_by_its_last_column_too(tmp_path):
    def last(header, rows):  # where_prec, one of the two columns that tell UCDP GED, moved last
        at = header.index("where_prec")
        return ([*header[:at], *header[at + 1:], header[at]],
                [[*r[:at], *r[at + 1:], r[at]] for r in rows])
    path = rewritten(UCDP, tmp_path / "ucdp.csv", last)
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))  # LF: 0a 00 in LE
    assert sniff(path) == "ucdp"
    assert len(read_dataset(path).incidents) == 8


def test_acled_export_that_is_not_utf8_is_an_error(tmp_path):
    path = rewritten(ACLED, tmp_path / "acled.csv", set_cell("notes", 0, "Attack near a café."))
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    with pytest.raises(RecordError, match="is not UTF-8"):
        read_dataset(path)


def test_acled_export_with_cr_line_ends_that_is_not_utf8_names_its_line(tmp_path):
    path = rewritten(ACLED, tmp_path / "acled.csv", set_cell("notes", 1, "Attack near a café."))
    path.write_bytes(path.read_text(encoding="utf-8").replace("\n", "\r").encode("latin-1"))
    with pytest.raises(RecordError) as caught:  # was a csv.Error from the message's own reader
        read_dataset(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.value) == (3, "notes", "Attack near a caf\ufffd.")


def test_a_column_named_twice_in_an_export_is_a_header_problem(tmp_path):
    def twice(header, rows):
        return [*header, "Latitude"], [[*r, r[header.index("latitude")]] for r in rows]
    path = rewritten(ACLED, tmp_path / "acled.csv", twice)
    with pytest.raises(RecordError) as caught:  # was a ValueError deep in pandas
        read_dataset(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: column 'latitude': appears more than once in the header"]


# --- countries ------------------------------------------------------------------------------

def test_country_names_of_the_three_datasets_become_iso_codes():
    names = pd.Series(["Afghanistan", "Pakistan", "DR Congo (Zaire)", "West Germany (FRG)",
                       "Bosnia-Herzegovina", "Democratic Republic of Congo", "Cote d'Ivoire",
                       "Soviet Union", ""])
    assert from_names(names).tolist() == ["AF", "PK", "CD", "DE", "BA", "CD", "CI", "", ""]


def test_to_records_takes_a_frame_read_elsewhere():
    frame = pd.read_csv(GTD, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    incidents = gtd.to_records(frame, "exports/gtd 2019.csv")
    assert incidents["_line"].tolist() == list(range(2, 10))
    assert set(incidents["source_file"]) == {"gtd 2019.csv"}
    assert set(incidents["source_id"]) == {"gtd-gtd-2019"}


def test_assemble_refuses_a_key_the_contract_does_not_declare():
    from geo.datasets._common import assemble

    frame = pd.DataFrame({"_line": [2, 3]})
    with pytest.raises(ValueError, match=r"'fatality_count'.*neither a column of the "
                                         r"incidents contract.*acled_\*, ucdp_\*, gtd_\*"):
        assemble(frame, {"event_id": ["a", "b"], "fatality_count": ["1", "2"]}, "acled", {})
    with pytest.raises(ValueError, match=r"'mine_kind'"):  # a dataset the contract lacks
        assemble(frame, {"event_id": ["a", "b"]}, "mine", {"kind": ["x", "y"]})
    # A dataset's own field may be given either way; both come out beside the contract's.
    kept = assemble(frame, {"event_id": ["a", "b"], "ucdp_low": ["1", "2"]}, "ucdp",
                    {"high": ["3", "4"]})
    assert list(kept.columns[-3:]) == ["_line", "ucdp_low", "ucdp_high"]
    assert kept["ucdp_low"].tolist() == ["1", "2"]


# --- through the command line ---------------------------------------------------------------


def test_build_maps_the_three_exports_beside_the_seeds(tmp_path, capsys):
    code = main(["build", "--incidents", str(ROOT / "seeds" / "incidents.csv"), str(ACLED),
                 str(UCDP), str(GTD), "--no-basemap", "--out", str(tmp_path)])
    assert code == 0
    imported = sum(len(read_dataset(p).incidents) for p in (ACLED, UCDP, GTD))
    placed = pd.read_csv(tmp_path / "incidents.csv", dtype=str, keep_default_na=False)
    lost = pd.read_csv(tmp_path / "unresolved.csv", dtype=str, keep_default_na=False)
    assert len(placed) + (lost["table"] == "incidents").sum() == 30 + imported
    assert f"records in: {40 + imported}" in capsys.readouterr().out
    jalalabad = placed.set_index("event_id").loc["acled-AFG90001"]
    assert (jalalabad["admin1"], jalalabad["latitude"]) == ("Nangarhar", "34.4265")
    assert jalalabad["acled_sub_event_type"] == "Suicide bomb"
    curated = placed[placed["source_id"] == "jtm-2018-16-2"]
    assert (curated["acled_sub_event_type"] == "").all()


def test_dataset_extras_reach_the_geopackage(tmp_path):
    ogrinfo = require_tool("ogrinfo")
    assert main(["build", "--incidents", str(ACLED), "--no-basemap", "--out",
                 str(tmp_path)]) == 0
    info = subprocess.run([ogrinfo, "-so", str(tmp_path / "incidents.gpkg"), "incidents"],
                          capture_output=True, text=True, check=True).stdout
    assert "acled_sub_event_type: String" in info
    assert "date_start: Date" in info


def test_an_event_given_in_two_incident_files_is_named(tmp_path, capsys):
    copy = tmp_path / "again.csv"
    copy.write_bytes(ACLED.read_bytes())
    code = main(["build", "--incidents", str(ACLED), str(copy), "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{copy}:2: column 'event_id': value 'acled-AFG90001': repeats the id of {ACLED}:2" \
        in err
    assert not (tmp_path / "o" / "map.html").exists()
