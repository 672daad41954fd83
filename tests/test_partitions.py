"""geo.partitions: a CSV cut into pieces reads as the whole file does, lines and all."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from geo.partitions import block_bounds, nominal_blocks, piece_cells, plan_pieces
from geo.records import RecordError, checked_cells, load_table
from tests.conftest import SEEDS


def _pieces(path, block_bytes):
    blocks = [block_bounds(*b) for b in nominal_blocks(path, block_bytes)]
    return plan_pieces(blocks)


def _read_in_pieces(path, block_bytes) -> pd.DataFrame:
    frames = []
    for piece in _pieces(path, block_bytes):
        cells, lines, ragged = piece_cells(piece)
        frames.append(checked_cells(cells, lines, ragged, "incidents", str(path)))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def multiline(tmp_path):
    """The seed incidents with summaries spanning lines, one of them quoting a comma."""
    rows = list(csv.DictReader((SEEDS / "incidents.csv").open(encoding="utf-8")))
    for k in (2, 3, 11):
        rows[k]["summary"] = f'first line of {k},\nsecond "line"\nthird'
    path = tmp_path / "multiline.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("block_bytes", [1, 37, 200, 1000, 10**9])
def test_pieces_read_as_the_whole_file_whatever_the_cut(multiline, block_bytes):
    whole = load_table(multiline, "incidents")
    assert whole["_line"].iloc[4] == 10  # rows 2 and 3 each took two more lines
    pd.testing.assert_frame_equal(_read_in_pieces(multiline, block_bytes), whole)


def test_a_cut_inside_a_quoted_cell_joins_the_blocks(multiline):
    text = multiline.read_bytes()
    inside = text.index(b"second") + 2
    blocks = [block_bounds(str(multiline), 0, inside), block_bounds(str(multiline), inside,
                                                                     len(text))]
    assert blocks[0].quotes % 2 == 1  # the cut is in the middle of a quoted summary
    pieces = plan_pieces(blocks)
    assert len(pieces) == 1 and (pieces[0].start, pieces[0].end) == (0, len(text))


def test_each_piece_knows_the_line_of_its_first_row(multiline):
    pieces = _pieces(multiline, 200)
    assert len(pieces) > 5
    lines = multiline.read_bytes().split(b"\n")
    for piece in pieces:
        with multiline.open("rb") as file:
            file.seek(piece.start)
            first = file.readline()
            if piece.start == 0:  # the first piece holds the header, then its first row
                first = file.readline()
        assert lines[piece.first_line - 1] + b"\n" == first


def test_a_byte_that_is_not_utf8_is_named_at_its_line_in_a_later_piece(tmp_path):
    data = (SEEDS / "incidents.csv").read_bytes().split(b"\n")
    data[20] = data[20].replace(b"Jowzjan", b"J\xf6wzjan", 1)
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"\n".join(data))
    pieces = _pieces(path, 500)
    later = next(p for p in pieces if p.first_line <= 21 and p.start > 0
                 and piece_end_line(path, p) >= 21)
    with pytest.raises(RecordError) as err:
        piece_cells(later)
    assert str(err.value.problems[0]).startswith(f"{path}:21: column ")
    assert "is not UTF-8" in str(err.value)


def piece_end_line(path, piece) -> int:
    with path.open("rb") as file:
        file.seek(piece.start)
        return piece.first_line + file.read(piece.end - piece.start).count(b"\n") - 1
