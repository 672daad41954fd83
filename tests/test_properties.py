"""Properties that hold for any input: the loader, the date and number readers, the name folder.

Hypothesis writes the inputs; each test says what must hold for all of them.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import string

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo.extract.dates import parse_when
from geo.extract.figures import casualties, number
from geo.names import normalize
from geo.records import RecordError, load_table
from geo.schema import CLAIM_STATUSES, EVENT_TYPES, column_names

# Text a spreadsheet cell can hold: no surrogates, no control characters but line breaks.
CELL = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n,\""),
               max_size=40)
WORDS = CELL.map(str.strip).filter(bool)
DAYS = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
# The years the extractor reads as years (geo.extract.dates): elsewhere a number is a count.
READ_DAYS = st.dates(dt.date(1950, 1, 1), dt.date(2099, 12, 31))
# Derandomized: CI tries the same inputs on every run, so a failure is a failure of the code.
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=column_names("incidents"), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@st.composite
def incidents(draw) -> dict:
    day = draw(DAYS)
    row = dict.fromkeys(column_names("incidents"), "")
    row.update(
        event_id=draw(st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)),
        date_start=day.isoformat(), date_end=day.isoformat(), date_precision="day",
        event_type=draw(st.sampled_from(EVENT_TYPES)), location=draw(WORDS),
        country=draw(st.sampled_from(["AF", "PK", ""])),
        claim_status=draw(st.sampled_from(CLAIM_STATUSES)), source_id=draw(WORDS),
        source_file=draw(WORDS), summary=draw(WORDS), actor=draw(CELL).strip(),
        fatalities=draw(st.one_of(st.just(""), st.integers(0, 10**6).map(str))),
        latitude=draw(st.one_of(st.just(""), st.floats(-90, 90).map(repr))),
    )
    row["longitude"] = "" if row["latitude"] == "" else repr(draw(st.floats(-180, 180)))
    return row


@SETTINGS
@given(st.lists(incidents(), min_size=1, max_size=8, unique_by=lambda r: r["event_id"]))
def test_valid_rows_load_back_as_written(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("p") / "incidents.csv"
    path.write_bytes(_csv(rows))
    frame = load_table(path, "incidents")
    assert list(frame["event_id"]) == [r["event_id"] for r in rows]
    assert list(frame["summary"]) == [r["summary"] for r in rows]
    assert list(frame["actor"]) == [r["actor"] for r in rows]
    assert [None if pd.isna(v) else int(v) for v in frame["fatalities"]] == \
        [int(r["fatalities"]) if r["fatalities"] else None for r in rows]
    assert [None if pd.isna(v) else float(v) for v in frame["latitude"]] == \
        [float(r["latitude"]) if r["latitude"] else None for r in rows]


@SETTINGS
@given(incidents(), st.sampled_from(["date_start", "fatalities", "latitude", "event_type",
                                     "country", "geo_precision", "quote_start"]), CELL)
def test_any_cell_either_loads_or_is_named_with_its_line_and_column(tmp_path_factory, row,
                                                                   column, value):
    path = tmp_path_factory.mktemp("p") / "incidents.csv"
    path.write_bytes(_csv([row, {**row, "event_id": row["event_id"] + "x", column: value}]))
    try:
        load_table(path, "incidents")
    except RecordError as err:
        assert err.problems
        for problem in err.problems:
            assert problem.file == str(path)
            assert problem.line >= 2
            assert str(problem).startswith(f"{path}:{problem.line}")


@SETTINGS
@given(st.text(max_size=60))
def test_date_reader_never_fails_on_any_text(text):
    when = parse_when(text)
    assert when is None or when.start <= when.end


@SETTINGS
@given(READ_DAYS)
def test_dates_as_people_write_them_are_read_to_the_day(day):
    for written in (day.isoformat(), f"{day.day} {calendar.month_name[day.month]} {day.year}",
                    f"{calendar.month_name[day.month]} {day.day}, {day.year}"):
        when = parse_when(written)
        assert (when.start, when.end, when.precision) == (day, day, "day"), written


@SETTINGS
@given(st.integers(0, 10**9))
def test_numbers_in_digits_and_with_commas_are_read(n):
    assert number(str(n)) == n
    assert number(f"{n:,}") == n


@SETTINGS
@given(st.text(max_size=80))
def test_casualty_reader_never_fails_and_points_inside_the_text(text):
    for figure in casualties(text).values():
        if figure is not None:
            assert 0 <= figure.start < figure.end <= len(text)
            assert figure.value >= 0


@SETTINGS
@given(st.integers(2, 9999))
def test_a_stated_toll_is_read(n):
    found = casualties(f"The blast killed {n:,} people and wounded nobody else.")
    assert found["killed"].value == n


@SETTINGS
@given(st.text(max_size=40))
@example("0:IY")  # "iy" folds to "i", itself a word the folder drops: once, not twice
def test_folded_names_fold_no_further(name):
    key, _ = normalize(name)
    assert normalize(key)[0] == key
    assert key == " ".join(key.split())
    assert key == key.lower()


@SETTINGS
@given(st.text(string.ascii_letters + " -'", max_size=30))
def test_folding_ignores_case_and_diacritics(name):
    assert normalize(name.upper())[0] == normalize(name)[0]
    accented = name.replace("a", "\u0101").replace("e", "\u00e9")
    assert normalize(accented)[0] == normalize(name)[0]
