"""Record files cut into pieces a worker reads alone, each knowing the line its rows start on.

A CSV is cut into blocks of about `BLOCK_BYTES` at line starts, the way
Dask's own CSV reader cuts them. A block that starts inside a quoted cell (an
odd number of quote characters before it) joins the block before it, so no
row is ever split, which `dask.dataframe.read_csv` cannot promise. Each
piece carries the line of its first row, from the line breaks counted
before it, so a message from any worker names the same `file:line` a
one-process run names. A Parquet file is cut at row groups; its "line" is
the row (the first row is 1), as Parquet has no lines.

Nothing here needs Dask: `block_bounds` runs on a worker (it reads only its
block), `plan_pieces` in the caller on their counts, and `piece_cells` on a
worker again.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.records import Problem, RecordError, decode_csv, read_cells, read_header

BLOCK_BYTES = 64 * 2**20
# Rows of Parquet read by one piece, at least one row group.
PARQUET_ROWS = 500_000
PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".parq")


@dataclass(frozen=True)
class Block:
    """Bytes [start, end) of a CSV, cut at line starts, with the line breaks and quote
    characters inside them."""

    path: str
    start: int
    end: int
    newlines: int
    quotes: int


@dataclass(frozen=True)
class Piece:
    """One partition of the input, read by one task.

    CSV: bytes [start, end) of `path`, whose first row is on line `first_line`;
    `header` is the file's first line, parsed with pieces that do not hold it.
    Parquet: rows [start, end) of `path`, numbered from `first_line`.
    """

    index: int
    path: str
    kind: Literal["csv", "parquet"]
    start: int
    end: int
    first_line: int
    header: bytes = b""


def is_parquet(path: str | Path) -> bool:
    return str(path).lower().endswith(PARQUET_SUFFIXES)


def nominal_blocks(path: str | Path, block_bytes: int = BLOCK_BYTES) -> list[tuple[str, int, int]]:
    """(path, from, to) byte ranges of about `block_bytes` covering a file, before they are
    moved to line starts by `block_bounds`."""
    size = Path(path).stat().st_size
    edges = [*range(0, size, block_bytes), size] if size else [0, 0]
    return [(str(path), a, b) for a, b in pairwise(edges)]


def block_bounds(path: str, start: int, end: int) -> Block:
    """The block of the lines that start in [start, end), with its counts (on a worker)."""
    with open(path, "rb") as file:
        real_start, real_end = _line_start(file, start), _line_start(file, end)
        file.seek(real_start)
        data = file.read(real_end - real_start)
    return Block(path, real_start, real_end, data.count(b"\n"), data.count(b'"'))


def _line_start(file, offset: int) -> int:
    """The first position at or after `offset` where a line starts."""
    if offset == 0:
        return 0
    file.seek(offset - 1)
    while chunk := file.read(1 << 16):
        found = chunk.find(b"\n")
        if found >= 0:
            return offset - 1 + found + 1
        offset += len(chunk)
    return file.tell()


def plan_pieces(blocks: list[Block], first_index: int = 0) -> list[Piece]:
    """The pieces of one CSV from its blocks in order: blocks starting inside a quoted cell
    join the one before; each piece knows its first line."""
    pieces: list[Piece] = []
    newlines = quotes = 0
    header = b""
    for block in blocks:
        if block.start == block.end and block.start > 0:
            continue
        if block.start == 0:
            header = _header_line(block.path)
        inside_quotes = quotes % 2 == 1
        if pieces and inside_quotes:
            last = pieces[-1]
            pieces[-1] = Piece(last.index, last.path, "csv", last.start, block.end,
                               last.first_line, last.header)
        else:
            # A piece at byte 0 holds the header (line 1) and then its first row.
            pieces.append(Piece(first_index + len(pieces), block.path, "csv", block.start,
                                block.end, newlines + 1 + (block.start == 0),
                                b"" if block.start == 0 else header))
        newlines += block.newlines
        quotes += block.quotes
    return pieces


def _header_line(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.readline()


def parquet_pieces(path: str | Path, first_index: int = 0,
                   rows: int = PARQUET_ROWS) -> list[Piece]:
    """A Parquet file's row groups, gathered into pieces of about `rows` rows."""
    metadata = pq.ParquetFile(path).metadata
    pieces: list[Piece] = []
    start = taken = 0
    for group in range(metadata.num_row_groups):
        taken += metadata.row_group(group).num_rows
        if taken - start >= rows or group == metadata.num_row_groups - 1:
            pieces.append(Piece(first_index + len(pieces), str(path), "parquet", start, taken,
                                start + 1))
            start = taken
    return pieces


def csv_header(path: str | Path) -> list[str]:
    """The column names of a CSV, read from its first line alone."""
    data = _header_line(str(path))
    text, _ = decode_csv(data, str(path))
    return read_header(text)


def parquet_header(path: str | Path) -> list[str]:
    """The columns of a Parquet file, without its geometry column (latitude and longitude
    are read; the point geometry is their copy)."""
    schema = pq.read_schema(path)
    geo = (schema.metadata or {}).get(b"geo", b"")
    skip = {"geometry", "bbox"} if geo else set()
    return [name for name in schema.names if name not in skip and not name.startswith("__")]


def piece_cells(piece: Piece) -> tuple[pd.DataFrame, np.ndarray, list[int]]:
    """A piece's rows as text cells, each row's line in its file, and the lines of rows with
    too many fields: what geo.records.checked_cells takes."""
    if piece.kind == "parquet":
        return _parquet_cells(piece)
    with open(piece.path, "rb") as file:
        file.seek(piece.start)
        data = file.read(piece.end - piece.start)
    shift = piece.first_line - 2  # read_cells numbers the first row after the header 2
    try:
        text, utf8 = decode_csv(piece.header + data, piece.path)
    except RecordError as err:
        raise RecordError([_shifted(p, shift) for p in err.problems]) from None
    cells, lines, ragged = read_cells(text, utf8)
    return cells, lines + shift, [line + shift for line in ragged]


def _shifted(problem: Problem, shift: int) -> Problem:
    line = problem.line + shift if problem.line > 1 else problem.line
    return Problem(problem.file, line, problem.column, problem.value, problem.message)


def _parquet_cells(piece: Piece) -> tuple[pd.DataFrame, np.ndarray, list[int]]:
    """Rows [start, end) of a Parquet file as the text a CSV of them would hold."""
    names = parquet_header(piece.path)
    file = pq.ParquetFile(piece.path)
    batches, at = [], 0
    for group in range(file.metadata.num_row_groups):
        size = file.metadata.row_group(group).num_rows
        if piece.start <= at < piece.end:
            batches.append(file.read_row_group(group, columns=names))
        at += size
    table = pa.concat_tables(batches) if batches else pa.table({n: [] for n in names})
    cells = pd.DataFrame({name: _as_text(table.column(name)) for name in names})
    return cells, np.arange(piece.first_line, piece.first_line + len(cells)), []


def _as_text(values: pa.ChunkedArray) -> np.ndarray:
    """A typed column as the text of a CSV cell: dates ISO, numbers as written, null empty."""
    if pa.types.is_floating(values.type):
        floats = values.to_numpy(zero_copy_only=False)
        return np.array(["" if np.isnan(v) else repr(float(v)) for v in floats], dtype=object)
    text = values.cast(pa.string()) if not pa.types.is_string(values.type) else values
    return np.array(text.fill_null("").to_pylist(), dtype=object)
