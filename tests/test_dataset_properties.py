"""Properties of reading any incidents file, ours or a dataset's: no crash, no row lost.

Hypothesis writes the files: rows of our contract (seeds/incidents.csv) and of the ACLED,
UCDP GED and GTD fixtures (tests/fixtures/datasets), with random cells, a blank or a repeated
header cell or a column cut out, and now and then a row of empty cells, in UTF-8 (with and
without a byte-order mark), UTF-16, cp1252 or Latin-1, quoted minimally or everywhere, with
LF, CRLF or CR line ends. For every such file, reading it raises nothing but a RecordError,
reading it with --keep-going nothing at all (a build exits 0 or 4), and every row written is
placed, unresolved or rejected: never two of these, never none.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.inputs import load_inputs
from geo.pipeline import place_records
from geo.records import RecordError
from maps.cli import EXIT_LEFT_OUT, main
from tests.conftest import FIXTURES, SEEDS

# Each layout and the files its rows are drawn from.
LAYOUTS = {
    "ours": (SEEDS / "incidents.csv",),
    "acled": (FIXTURES / "acled.csv", FIXTURES / "acled_no_coordinates.csv"),
    "ucdp": (FIXTURES / "ucdp_ged.csv", FIXTURES / "ucdp_no_coordinates.csv"),
    "gtd": (FIXTURES / "gtd.csv", FIXTURES / "gtd_trimmed.csv", FIXTURES / "gtd_pre0718.csv"),
}
# What a spreadsheet cell can hold, and what breaks readers: separators, quotes, line ends,
# missing-value markers, HXL's #, digits.
CELL = st.one_of(
    st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\r,;\"#\t"),
            max_size=12),
    st.sampled_from(["", "NA", "#N/A", "-99", "0", "1.0", "2019", "1e5", "Unknown", " "]),
)
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1")
NEWLINES = ("\n", "\r\n", "\r")
HEADER_EDITS = ("none", "blank", "repeated", "cut")
# Small and derandomized: the same files on every run, and the file in under a minute.
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@dataclass(frozen=True)
class Written:
    """A file as Hypothesis wrote it: its bytes and how many records it holds."""

    layout: str
    data: bytes
    rows: int

    def save(self, folder: Path) -> Path:
        path = folder / f"{self.layout}.csv"
        path.write_bytes(self.data)
        return path


def _table(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


TABLES = {layout: [_table(path) for path in paths] for layout, paths in LAYOUTS.items()}


def _edit_header(draw, header: list[str], rows: list[list[str]]):
    """A blank header cell (an R row-name column, a stray comma), a repeated one, or a
    column cut out, each with what it does to the rows."""
    edit = draw(st.sampled_from(HEADER_EDITS))
    at = draw(st.integers(0, len(header) - 1))
    if edit == "blank":
        cells = draw(st.lists(CELL, min_size=len(rows), max_size=len(rows)))
        return [*header[:at], "", *header[at:]], [[*r[:at], c, *r[at:]]
                                                  for r, c in zip(rows, cells, strict=True)]
    if edit == "repeated":
        return [*header, header[at]], [[*r, r[at]] for r in rows]
    if edit == "cut":
        return header[:at] + header[at + 1:], [r[:at] + r[at + 1:] for r in rows]
    return header, rows


@st.composite
def files(draw, layout: str) -> Written:
    """A file of `layout`: some of its fixture rows, a few cells changed, written any way."""
    header, base = draw(st.sampled_from(TABLES[layout]))
    picked = draw(st.lists(st.integers(0, len(base) - 1), min_size=1, max_size=5))
    rows = [list(base[i]) for i in picked]
    for _ in range(draw(st.integers(0, 4))):
        row, column = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(header) - 1))
        rows[row][column] = draw(CELL)
    if draw(st.booleans()):  # a row a spreadsheet left with nothing in it: ,,,,
        rows.insert(draw(st.integers(0, len(rows))), [""] * len(header))
    header, rows = _edit_header(draw, list(header), rows)
    quoting = draw(st.sampled_from((csv.QUOTE_MINIMAL, csv.QUOTE_ALL)))
    newline, encoding = draw(st.sampled_from(NEWLINES)), draw(st.sampled_from(ENCODINGS))
    text = "".join(_line(cells, quoting) + newline for cells in [header, *rows])
    return Written(layout, text.encode(encoding, errors="replace"), len(rows))


def _line(cells: list[str], quoting: int) -> str:
    """One CSV record without its line end. Written with CRLF, so that csv quotes a cell
    holding either character: with LF alone it would leave a lone CR bare, which every
    reader takes for the end of a line, and the file would hold other rows than these."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", quoting=quoting).writerow(cells)
    return out.getvalue().removesuffix("\r\n")


ANY_FILE = st.sampled_from(sorted(LAYOUTS)).flatmap(files)


def _read(path: Path, keep_going: bool):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LeftOutWarning says what rejected.csv holds
        return load_inputs([path], SEEDS / "areas.csv", SEEDS / "sources.csv", keep_going)


def _rejected_rows(rejected: pd.DataFrame, path: Path) -> int:
    """Input rows of `path` left out: rejected.csv has one row per problem, so lines repeat."""
    mine = rejected[(rejected["table"] == "incidents") & (rejected["file"] == str(path))]
    return mine.loc[mine["line"].astype(int) > 0, "line"].nunique()


@SETTINGS
@given(ANY_FILE)
def test_reading_any_file_raises_a_record_error_or_nothing(tmp_path_factory, written):
    path = written.save(tmp_path_factory.mktemp("p"))
    try:
        _read(path, keep_going=False)
    except RecordError as err:
        assert err.problems
        assert all(p.file == str(path) for p in err.problems)


@SETTINGS
@given(ANY_FILE)
def test_every_row_is_placed_unresolved_or_rejected(tmp_path_factory, gazetteer, provinces,
                                                    written):
    path = written.save(tmp_path_factory.mktemp("p"))
    inputs = _read(path, keep_going=True)
    assert len(inputs.incidents) + _rejected_rows(inputs.rejected, path) == written.rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        placed = place_records(inputs.incidents, inputs.areas, gazetteer, provinces,
                               rejected=inputs.rejected)
    counts = placed.reconciliation().set_index("table")
    assert counts.loc["incidents", "records_in"] == written.rows
    assert counts.loc["incidents", "records_in"] == \
        counts.loc["incidents", ["placed", "unresolved", "rejected"]].sum()


@settings(SETTINGS, max_examples=12)
@given(ANY_FILE)
def test_build_keep_going_writes_every_row_into_one_of_its_three_tables(tmp_path_factory,
                                                                        written):
    folder = tmp_path_factory.mktemp("p")
    path, out = written.save(folder), folder / "out"
    code = main(["build", "--incidents", str(path), "--keep-going", "--no-basemap",
                 "--out", str(out)])
    assert code in (0, EXIT_LEFT_OUT)

    def rows(name: str) -> pd.DataFrame:
        return pd.read_csv(out / name, dtype=str, keep_default_na=False)

    unresolved = rows("unresolved.csv")
    rejected = rows("rejected.csv") if (out / "rejected.csv").exists() else \
        pd.DataFrame(columns=["table", "file", "line"])
    left_out = _rejected_rows(rejected, path)
    assert (code == EXIT_LEFT_OUT) == (left_out > 0)
    assert len(rows("incidents.csv")) + (unresolved["table"] == "incidents").sum() + left_out \
        == written.rows
    counts = rows("reconciliation.csv").set_index("table").astype(int)
    assert counts.loc["incidents", "records_in"] == written.rows
