"""The loader: whole tables or nothing, and messages that point at the cell."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.records import RecordError, check_sources, load_table
from tests.conftest import SEEDS, incident, write_records


def test_seed_tables_load_with_every_contract_column(seed_tables):
    assert len(seed_tables["incidents"]) >= 15
    assert len(seed_tables["areas"]) >= 6
    assert list(seed_tables["sources"]["source_id"]) == ["jtm-2018-16-2", "aan-iskp-2017"]


def test_bad_date_names_file_line_column_and_value(tmp_path):
    path = write_records(tmp_path / "incidents.csv", "incidents",
                         [incident(), incident(date_start="2017-13-01", location="Kabul")])
    with pytest.raises(RecordError) as caught:
        load_table(path, "incidents")
    problem = caught.value.problems[0]
    assert (problem.file, problem.line, problem.column, problem.value) == (
        str(path), 3, "date_start", "2017-13-01")
    assert f"{path}:3: column 'date_start': value '2017-13-01':" in str(caught.value)


def test_every_bad_cell_is_reported_and_nothing_is_loaded(tmp_path):
    path = write_records(tmp_path / "incidents.csv", "incidents", [
        incident(event_type="riot"),
        incident(),
        incident(fatalities="nine", claim_status="maybe", summary="Another record."),
    ])
    with pytest.raises(RecordError) as caught:
        load_table(path, "incidents")
    found = {(p.line, p.column) for p in caught.value.problems}
    assert found == {(2, "event_type"), (4, "fatalities"), (4, "claim_status")}


def test_month_precision_spans_no_more_than_a_month(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(date_start="2017-10-01", date_end="2017-11-02", date_precision="month")])
    with pytest.raises(RecordError, match="neither in the month of date_start"):
        load_table(path, "incidents")


def test_month_precision_may_straddle_two_calendar_months(tmp_path):
    # UCDP's date_prec 4: "some time in a month", written as 20 Oct to 15 Nov.
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(date_start="2017-10-20", date_end="2017-11-15", date_precision="month")])
    assert load_table(path, "incidents")["date_precision"].tolist() == ["month"]


def test_end_before_start_is_rejected(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(date_start="2017-10-05", date_end="2017-10-04")])
    with pytest.raises(RecordError, match="before date_start"):
        load_table(path, "incidents")


def test_qualifier_without_figure_is_rejected(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [incident(fatalities_qualifier="about")])
    with pytest.raises(RecordError, match="fatalities is empty"):
        load_table(path, "incidents")


def test_coordinates_out_of_range_are_rejected(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(latitude="95", longitude="67", geo_precision="1")])
    with pytest.raises(RecordError, match=r"outside -90\.\.90"):
        load_table(path, "incidents")


def test_unknown_and_missing_columns_are_named(tmp_path):
    path = tmp_path / "i.csv"
    path.write_text("date_start,date_end,colour\n2017-01-01,2017-01-01,red\n", encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        load_table(path, "incidents")
    message = str(caught.value)
    assert "column 'colour': is not a column of the contract" in message
    assert "column 'event_type': is missing from the header" in message


def test_duplicate_ids_are_rejected(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(event_id="x-1"), incident(event_id="x-1", location="Kabul")])
    with pytest.raises(RecordError, match="repeats the id"):
        load_table(path, "incidents")


def test_identical_rows_without_ids_are_reported_as_duplicates(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [incident(), incident()])
    with pytest.raises(RecordError, match="3: repeats line 2 in every identifying column"):
        load_table(path, "incidents")


def test_blank_ids_are_derived_the_same_way_every_run(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(), incident(location="Kabul", country="AF")])
    first = list(load_table(path, "incidents")["event_id"])
    again = list(load_table(path, "incidents")["event_id"])
    assert first == again
    assert len(set(first)) == 2 and all(i.startswith("ev-") for i in first)


def test_non_utf8_file_is_rejected_with_its_name(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((SEEDS / "incidents.csv").read_bytes()[:200] + "Kābul é".encode("latin-1",
                                                                                    "replace"))
    with pytest.raises(RecordError, match="is not UTF-8"):
        load_table(path, "incidents")


def test_records_must_name_a_listed_source(tmp_path, seed_tables):
    path = write_records(tmp_path / "i.csv", "incidents", [incident(source_id="nowhere")])
    frame = load_table(path, "incidents")
    with pytest.raises(RecordError, match=r"is not listed in sources\.csv"):
        check_sources(frame, path, seed_tables["sources"])


def test_a_line_separator_inside_a_cell_stays_in_the_cell(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(actor="ISKP\u2028cell", summary="Copied from a PDF\x0cpage.")])
    frame = load_table(path, "incidents")
    assert len(frame) == 1 and frame.loc[0, "actor"] == "ISKP\u2028cell"


def test_a_record_spanning_lines_is_named_by_its_first_line(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(summary="One line."), incident(summary="Two\nlines.", event_type="riot")])
    with pytest.raises(RecordError) as caught:
        load_table(path, "incidents")
    assert caught.value.problems[0].line == 3


def test_optional_columns_may_be_left_out_and_country_codes_folded(tmp_path):
    path = tmp_path / "i.csv"
    path.write_text(
        "date_start,date_end,date_precision,event_type,location,country,claim_status,"
        "source_id,source_file,summary\n"
        "2017-12-17,2017-12-17,day,bombing,Quetta,pk,unclaimed,jtm-2018-16-2,f.txt,Short.\n",
        encoding="utf-8")
    frame = load_table(path, "incidents")
    assert frame.loc[0, "country"] == "PK"
    assert frame.loc[0, "fatalities"] is pd.NA and frame.loc[0, "place"] == ""


def test_a_row_after_a_multi_line_cell_and_a_trailing_blank_line_is_named_rightly(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(summary="Three\nphysical\nlines."), incident(event_type="riot")])
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        load_table(path, "incidents")
    assert [(p.line, p.column) for p in caught.value.problems] == [(5, "event_type")]


def test_persian_and_arabic_digits_are_read_as_numbers(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [
        incident(fatalities="۱۲", injured="٣", latitude="۳۰", longitude="67.0")])
    frame = load_table(path, "incidents")
    assert (frame.loc[0, "fatalities"], frame.loc[0, "injured"]) == (12, 3)
    assert frame.loc[0, "latitude"] == 30.0


def test_a_number_too_long_to_hold_is_named_not_a_crash(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [incident(fatalities="9" * 20)])
    with pytest.raises(RecordError, match="is too large"):
        load_table(path, "incidents")


def test_old_mac_line_endings_load(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [incident(), incident(location="Kabul",
                                                                                 country="AF")])
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    assert list(load_table(path, "incidents")["location"]) == ["Quetta", "Kabul"]


def test_a_column_named_twice_in_the_header_is_named(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [incident()])
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([lines[0] + ",summary", lines[1] + ",again", ""]),
                    encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        load_table(path, "incidents")
    assert str(caught.value) == f"{path}:1: column 'summary': appears more than once in the header"


def test_a_spreadsheets_utf16_export_with_crlf_loads(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [incident(location="Kābul",
                                                                    country="AF")])
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(text.encode("utf-16"))  # with its byte-order mark
    assert list(load_table(path, "incidents")["location"]) == ["Kābul"]


def test_a_latin1_cell_is_named_by_line_column_and_value(tmp_path):
    path = write_records(tmp_path / "i.csv", "incidents", [incident(),
                                                           incident(location="Herat Café")])
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    with pytest.raises(RecordError) as caught:
        load_table(path, "incidents")
    problem = caught.value.problems[0]
    assert (problem.line, problem.column, problem.value) == (3, "location", "Herat Caf\ufffd")
    assert "is not UTF-8 (byte 0xe9" in problem.message and "CSV UTF-8" in problem.message
