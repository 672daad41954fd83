"""Load and validate record tables (incidents, areas, sources) from CSV.

A table loads whole or not at all: every problem in the file is collected and
raised together as one `RecordError`, each naming file, line, column and value,
so an analyst fixes a spreadsheet in one pass instead of one error per run.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.schema import COLUMNS, ID_BASIS, ID_COLUMN, ID_PREFIX, Column

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_INT = re.compile(r"^\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMERIC = ("int", "precision", "latitude", "longitude")
_MAX_LISTED = 25


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        if self.column:
            where += f": column {self.column!r}"
        value = f" value {self.value!r}:" if self.value != "" else ""
        return f"{where}:{value} {self.message}"


class RecordError(ValueError):
    """A table that failed validation; `problems` lists every bad cell."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = [str(p) for p in problems[:_MAX_LISTED]]
        if len(problems) > _MAX_LISTED:
            shown.append(f"... and {len(problems) - _MAX_LISTED} more problems")
        super().__init__("\n".join(shown))


def load_table(path: str | Path, table: str) -> pd.DataFrame:
    """Read and validate one CSV of `table` ("incidents", "areas", "sources").

    Returns a DataFrame with every contract column in contract order: text as
    str ("" when empty), int columns as nullable Int64, coordinates as float.
    A `_line` column keeps each row's line in the CSV for later messages.
    """
    path = Path(path)
    columns = COLUMNS[table]
    problems: list[Problem] = []
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise RecordError(
            [Problem(name, 0, "", "", f"is not UTF-8 (bad byte at offset {err.start})")]
        ) from None
    # StringIO with newline="": only CR/LF end a row, as in Excel; a form feed or
    # U+2028 copied from a PDF stays inside its cell.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if not header:
        raise RecordError([Problem(name, 1, "", "", "is empty: expected a header row")])
    known = {c.name for c in columns}
    for col in header:
        if col not in known:
            problems.append(Problem(name, 1, col, "", "is not a column of the contract"))
    for c in columns:
        if c.name not in header and c.required:
            problems.append(Problem(name, 1, c.name, "", "is missing from the header"))
    if problems:
        raise RecordError(problems)

    def numbered():
        previous_end = reader.line_num
        for raw in reader:
            # A quoted cell may span lines; a record is named by the line it starts on.
            line, previous_end = previous_end + 1, reader.line_num
            yield line, raw

    return table_from_rows(numbered(), table, name)


def table_from_rows(rows: Iterable[tuple[int, Mapping[str, object]]], table: str,
                    name: str) -> pd.DataFrame:
    """Validate and type `(line, row)` pairs of `table`, from a CSV or from an extractor.

    Cells may be text (as read from a CSV) or values (as an extractor builds
    them); both pass the same checks, so every table in the pipeline keeps
    the contract whatever made it.
    """
    columns = COLUMNS[table]
    known = {c.name for c in columns}
    problems: list[Problem] = []
    typed: list[dict] = []
    for line, raw in rows:
        if None in raw:
            problems.append(Problem(name, line, "", "", "has more fields than the header"))
            continue
        for col in sorted(set(raw) - known - {"_line"}):
            problems.append(Problem(name, line, col, "", "is not a column of the contract"))
        row = {"_line": line}
        for c in columns:
            value = _text(raw.get(c.name))
            row[c.name], message = _convert(c, value)
            if message:
                problems.append(Problem(name, line, c.name, value, message))
        problems.extend(Problem(name, line, col, val, msg)
                        for col, val, msg in _row_checks(row, table))
        typed.append(row)

    frame = pd.DataFrame(typed, columns=["_line", *[c.name for c in columns]])
    if table in ID_COLUMN:
        frame = _fill_ids(frame, table)
        problems.extend(_duplicate_ids(frame, table, name))
    if problems:
        raise RecordError(sorted(problems, key=lambda p: p.line))
    return _typed(frame, columns)


def _text(value: object) -> str:
    """A cell as text: None and NaN are empty, floats keep their digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _convert(c: Column, value: str) -> tuple[object, str]:
    """Parse one cell; returns (value, "") or (None, why it is wrong)."""
    if value == "":
        empty = None if c.kind in _NUMERIC else ""
        return (empty, "is required") if c.required else (empty, "")
    if c.kind in ("text", "id"):
        return value, ""
    if c.kind == "code":
        if value in c.vocab:
            return value, ""
        return None, "must be one of: " + ", ".join(map(str, c.vocab))
    if c.kind == "date":
        try:
            if _DATE.match(value):
                return dt.date.fromisoformat(value).isoformat(), ""
        except ValueError:
            pass
        return None, "is not a date (YYYY-MM-DD)"
    if c.kind in ("int", "precision"):
        if not _INT.match(value):
            return None, "is not a whole number"
        number = int(value)
        if c.vocab and number not in c.vocab:
            return None, "must be one of: " + ", ".join(map(str, c.vocab))
        return number, ""
    if c.kind == "country":
        if _COUNTRY.match(value.upper()):
            return value.upper(), ""
        return None, "is not an ISO 3166-1 alpha-2 code"
    if c.kind in ("latitude", "longitude"):
        limit = 90 if c.kind == "latitude" else 180
        try:
            number = float(value)
        except ValueError:
            return None, "is not a number"
        if not math.isfinite(number):
            return None, "is not a number"
        if not -limit <= number <= limit:
            return None, f"is outside -{limit}..{limit}"
        return number, ""
    raise AssertionError(f"unknown column kind {c.kind}")


def _row_checks(row: dict, table: str) -> list[tuple[str, str, str]]:
    """Checks across columns of one row: (column, value, message) for each failure.

    An incident's dates bound one event, so they must agree with its precision;
    an area's date_end is when it stopped being held, which precision does not bound.
    """
    found = []
    start, end, precision = row.get("date_start"), row.get("date_end"), row.get("date_precision")
    if start and end:
        a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        if b < a:
            found.append(("date_end", end, f"is before date_start {start}"))
        elif table == "incidents":  # an area's end is when it stopped being held
            found.extend(_precision_checks(a, b, end, precision))
    for figure in ("fatalities", "injured"):
        qualifier = row.get(f"{figure}_qualifier")
        if qualifier and row.get(figure) is None:
            found.append((f"{figure}_qualifier", qualifier, f"is given but {figure} is empty"))
    qs, qe = row.get("quote_start"), row.get("quote_end")
    if (qs is None) != (qe is None):
        found.append(("quote_end", str(qe or ""), "quote_start and quote_end go together"))
    elif qs is not None and qe <= qs:
        found.append(("quote_end", str(qe), "must be greater than quote_start"))
    lat, lon = row.get("latitude"), row.get("longitude")
    if "latitude" in row and (lat is None) != (lon is None):
        found.append(("longitude", str(lon or ""), "latitude and longitude go together"))
    return found


def _precision_checks(a: dt.date, b: dt.date, end: str, precision: str) -> list[tuple]:
    """An incident's dates must fit inside one unit of its stated precision."""
    if precision == "day" and a != b:
        return [("date_end", end, "differs from date_start but precision is 'day'")]
    if precision == "week" and (b - a).days > 7:
        return [("date_end", end, "is more than a week after date_start")]
    if precision == "month" and (a.year, a.month) != (b.year, b.month):
        return [("date_end", end, "is not in the month of date_start")]
    if precision == "year" and a.year != b.year:
        return [("date_end", end, "is not in the year of date_start")]
    return []


def stable_id(table: str, values: list[str]) -> str:
    """An id that depends only on the identifying columns, so re-runs agree."""
    digest = hashlib.sha1("\x1f".join(values).encode("utf-8")).hexdigest()[:12]
    return f"{ID_PREFIX[table]}-{digest}"


def _fill_ids(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    id_col = ID_COLUMN[table]
    basis = ID_BASIS[table]
    missing = frame[id_col].isna() | (frame[id_col] == "")
    frame["_derived_id"] = missing
    frame.loc[missing, id_col] = [
        stable_id(table, ["" if pd.isna(row[c]) else str(row[c]) for c in basis])
        for _, row in frame[missing].iterrows()
    ]
    return frame


def _duplicate_ids(frame: pd.DataFrame, table: str, name: str) -> list[Problem]:
    id_col = ID_COLUMN[table]
    dupes = frame[frame[id_col].duplicated(keep="first")]
    first_line = frame.drop_duplicates(id_col).set_index(id_col)["_line"]
    problems = []
    for _, r in dupes.iterrows():
        earlier = int(first_line[r[id_col]])
        if r["_derived_id"]:
            message = (f"repeats line {earlier} in every identifying column "
                       f"({', '.join(ID_BASIS[table])}): a duplicate, or give it an id")
            problems.append(Problem(name, int(r["_line"]), "", "", message))
        else:
            message = f"repeats the id of line {earlier}"
            problems.append(Problem(name, int(r["_line"]), id_col, r[id_col], message))
    return problems


def _typed(frame: pd.DataFrame, columns: tuple[Column, ...]) -> pd.DataFrame:
    for c in columns:
        if c.kind in ("int", "precision"):
            frame[c.name] = pd.array(frame[c.name].tolist(), dtype="Int64")
        elif c.kind in ("latitude", "longitude"):
            frame[c.name] = pd.to_numeric(frame[c.name], errors="raise").astype("float64")
        else:
            frame[c.name] = frame[c.name].fillna("").astype(str)
    return frame.drop(columns="_derived_id", errors="ignore").reset_index(drop=True)


def check_sources(frame: pd.DataFrame, path: str | Path, sources: pd.DataFrame) -> None:
    """Every record must name a source listed in sources.csv."""
    known = set(sources["source_id"])
    problems = [
        Problem(str(path), int(row["_line"]), "source_id", row["source_id"],
                "is not listed in sources.csv")
        for _, row in frame.iterrows()
        if row["source_id"] not in known
    ]
    if problems:
        raise RecordError(problems)
