"""Broken inputs, by kind, through `build`: each is read, or named by file, line and column.

Exit 0: everything used; 2: input rejected and nothing written. Every case
here checks both the code and what the message points at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from maps.cli import main
from tests.conftest import incident, write_records


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    return write_records(tmp_path / "incidents.csv", "incidents", rows)


def _recode(encoding: str, newline: str = "\n", bom: bytes = b""):
    def edit(path: Path) -> None:
        text = path.read_text(encoding="utf-8").replace("\n", newline)
        path.write_bytes(bom + text.encode(encoding))
    return edit


def _replace(old: str, new: str):
    def edit(path: Path) -> None:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return edit


# (kind, name, rows, edit of the written file, exit code, what the message must contain)
CASES = [
    ("encoding", "utf-8 with a byte-order mark", [incident()],
     _recode("utf-8", bom=b"\xef\xbb\xbf"), 0, None),
    ("encoding", "utf-16 with its mark, CRLF", [incident()], _recode("utf-16", "\r\n"), 0, None),
    ("encoding", "CRLF line ends", [incident()], _recode("utf-8", "\r\n"), 0, None),
    ("encoding", "old Mac CR line ends", [incident()], _recode("utf-8", "\r"), 0, None),
    ("encoding", "latin-1 cell", [incident(location="Quetta Café")], _recode("latin-1"), 2,
     ":2: column 'location': value 'Quetta Caf\ufffd': is not UTF-8"),
    ("columns", "a required column missing", [incident()], _replace("event_type,", "kind,"), 2,
     ":1: column 'kind': is not a column of the contract"),
    ("columns", "an unknown column", [incident()],
     _replace("summary,", "summary,notes,"), 2, ":1: column 'notes': is not a column"),
    ("columns", "a column twice", [incident()], _replace("summary,", "summary,summary,"), 2,
     ":1: column 'summary': appears more than once in the header"),
    ("rows", "a row longer than the header", [incident()], _replace("\n", "\n,,"), 2,
     "has more fields than the header"),
    ("dates", "a day that does not exist", [incident(date_start="2017-02-30",
                                                     date_end="2017-02-30")], None, 2,
     ":2: column 'date_start': value '2017-02-30': is not a date"),
    ("dates", "a date written the American way", [incident(date_start="12/17/2017")], None, 2,
     ":2: column 'date_start': value '12/17/2017': is not a date"),
    ("dates", "an end before the start", [incident(date_end="2017-12-01")], None, 2,
     ":2: column 'date_end': value '2017-12-01': is before date_start"),
    ("numbers", "a toll in words", [incident(fatalities="nine")], None, 2,
     ":2: column 'fatalities': value 'nine': is not a whole number"),
    ("numbers", "a negative toll", [incident(fatalities="-3")], None, 2,
     ":2: column 'fatalities': value '-3': is not a whole number"),
    ("numbers", "a toll of twenty digits", [incident(fatalities="9" * 20)], None, 2,
     "is too large"),
    ("numbers", "Persian digits", [incident(fatalities="۱۲")], None, 0, None),
    ("coordinates", "latitude out of range", [incident(latitude="95", longitude="67")], None, 2,
     ":2: column 'latitude': value '95': is outside -90..90"),
    ("coordinates", "longitude without latitude", [incident(longitude="67")], None, 2,
     ":2: column 'longitude': value '67.0': latitude and longitude go together"),
    ("coordinates", "latitude and longitude swapped",
     [incident(latitude="66.99", longitude="30.18")], None, 0,
     "would with latitude and longitude swapped"),
    ("ids", "one id twice", [incident(event_id="a"), incident(event_id="a", location="Kabul",
                                                             country="AF")], None, 2,
     ":3: column 'event_id': value 'a': repeats the id of line 2"),
    ("ids", "the same record twice without ids", [incident(), incident()], None, 2,
     ":3: repeats line 2 in every identifying column"),
    ("empty", "an empty file", [], lambda path: path.write_bytes(b""), 2,
     ":1: is empty: expected a header row"),
    ("empty", "a header and no rows", [], None, 0, None),
]


@pytest.mark.parametrize(("kind", "name", "rows", "edit", "code", "message"), CASES,
                         ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_broken_input_is_read_or_named(tmp_path, capsys, kind, name, rows, edit, code, message):
    path = _write(tmp_path, rows)
    if edit:
        edit(path)
    out = tmp_path / "out"
    assert main(["build", "--incidents", str(path), "--no-basemap", "--out", str(out)]) == code
    err = capsys.readouterr().err
    if message:
        assert message in err
    if code == 2:
        assert str(path) in err and not out.exists()  # nothing written
    else:
        assert (out / "reconciliation.csv").exists()


@pytest.mark.slow
def test_a_bad_cell_deep_in_a_very_large_file_is_named_by_its_line(tmp_path, capsys, gazetteer):
    from bench.synthetic import write_dataset

    folder = write_dataset(200_000, tmp_path / "big", gazetteer)
    path = folder / "incidents.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[150_000] = lines[150_000].replace(",day,", ",daily,", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--incidents", str(path), "--areas", str(folder / "areas.csv"),
                 "--sources", str(folder / "sources.csv"), "--out", str(out)]) == 2
    assert f"{path}:150001: column 'date_precision': value 'daily': must be one of" in \
        capsys.readouterr().err
    assert not out.exists()
