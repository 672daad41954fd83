"""Load and validate record tables (incidents, areas, sources) from CSV.

A table loads whole or not at all: every problem in the file is collected and
raised together as one `RecordError`, each naming file, line, column and value,
so an analyst fixes a spreadsheet in one pass instead of one error per run.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from geo.schema import (
    COLUMNS,
    EXTRACTED_ID_BASIS,
    ID_BASIS,
    ID_COLUMN,
    ID_PREFIX,
    QUALIFIERS,
    Column,
    extra_columns,
)

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


class InputWarning(UserWarning):
    """Input used after a repair, or with a part left out; `--strict` makes it an error."""


class LeftOutWarning(InputWarning):
    """Part of the input left out of the outputs (an unreadable document, a nameless polygon)."""


class RecordError(ValueError):
    """A table that failed validation; `problems` lists every bad cell."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = [str(p) for p in problems[:_MAX_LISTED]]
        if len(problems) > _MAX_LISTED:
            shown.append(f"... and {len(problems) - _MAX_LISTED} more problems")
        super().__init__("\n".join(shown))


def load_table(path: str | Path, table: str,
               rejected: list[Problem] | None = None) -> pd.DataFrame:
    """Read and validate one CSV of `table` ("incidents", "areas", "sources").

    Returns a DataFrame with every contract column in contract order: text as
    str ("" when empty), int columns as nullable Int64, coordinates as float;
    then any imported dataset's own columns (geo.schema.DATASET_PREFIXES) as
    text. A `_line` column keeps each row's line in the CSV for later messages.

    Given a `rejected` list, rows with bad cells are left out and their
    problems added to it (--keep-going); a bad header still raises.
    """
    path = Path(path)
    name = str(path)
    data = path.read_bytes()
    text, utf8 = decode_csv(data, name)
    header = read_header(text)
    problems = header_problems(header, table, name)
    if problems:
        raise RecordError(problems)
    cells, lines, ragged = read_cells(text, utf8)
    return checked_cells(cells, lines, ragged, table, name, rejected)


def header_problems(header: list[str], table: str, name: str) -> list[Problem]:
    """What is wrong with a CSV's header: unknown, missing and repeated columns."""
    if not header:
        return [Problem(name, 1, "", "", "is empty: expected a header row")]
    columns = COLUMNS[table]
    problems = [Problem(name, 1, col, "", "is not a column of the contract")
                for col in header
                if col not in {c.name for c in columns} and not extra_columns([col], table)]
    problems += [Problem(name, 1, c.name, "", "is missing from the header")
                 for c in columns if c.name not in header and c.required]
    problems += [Problem(name, 1, col, "", "appears more than once in the header")
                 for col in sorted({h for h in header if header.count(h) > 1})]
    return problems


def checked_cells(cells: pd.DataFrame, lines: np.ndarray, ragged: list[int], table: str,
                  name: str, rejected: list[Problem] | None = None) -> pd.DataFrame:
    """`read_cells`' result validated and typed (table_from_cells); with a `rejected`
    list, the bad rows are left out and their problems added to it."""
    problems = [Problem(name, line, "", "", "has more fields than the header") for line in ragged]
    if rejected is None:
        return table_from_cells(cells, lines, table, name, problems)
    rejected += problems
    return without_bad_rows(
        lambda rows: table_from_cells(rows.drop(columns="_line"), rows["_line"].to_numpy(),
                                      table, name),
        cells.assign(_line=lines), rejected)


def decode_csv(data: bytes, name: str) -> tuple[str, bytes | None]:
    """A CSV's text, and its UTF-8 bytes when the file is UTF-8 (for the fast parser).

    UTF-8 with or without a byte-order mark, and UTF-16 with one (what
    spreadsheets save as "Unicode text"), are read. Anything else is refused
    with the line, column and cell of the first byte that is not UTF-8: a
    guessed encoding would turn place names into other names without a word.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as err:
            raise RecordError([Problem(name, 0, "", "", f"is not valid UTF-16 (byte "
                                                        f"{err.start})")]) from None
    try:
        return data.decode("utf-8-sig"), data.removeprefix(b"\xef\xbb\xbf")
    except UnicodeDecodeError as err:
        raise RecordError([_not_utf8(data, err.start, name)]) from None


def _not_utf8(data: bytes, offset: int, name: str) -> Problem:
    """Where the first byte that is not UTF-8 sits: its line, column and cell.

    Lines end in LF, CRLF or a lone CR, as the readers count them: a file
    saved by an old Mac spreadsheet has no LF at all.
    """
    before = data[:offset].decode("utf-8-sig", errors="replace")
    line = len(re.findall(r"\r\n|\r|\n", before)) + 1
    start = max(data.rfind(b"\n", 0, offset), data.rfind(b"\r", 0, offset)) + 1
    after = re.search(rb"[\r\n]", data[offset:])
    row = data[start:offset + after.start() if after else None].decode("utf-8", errors="replace")
    header = read_header(data[:1_000_000].decode("utf-8-sig", errors="replace"))
    cells = next(csv.reader([row]), [])
    at = next((i for i, cell in enumerate(cells) if "\ufffd" in cell), None)
    column = header[at] if at is not None and at < len(header) else ""
    return Problem(name, line, column, cells[at] if at is not None else "",
                   f"is not UTF-8 (byte 0x{data[offset]:02x} at offset {offset}): save the file "
                   "as UTF-8 (in Excel: CSV UTF-8)")


def read_header(text: str, delimiter: str = ",") -> list[str]:
    """The column names on the first line of a CSV's text, stripped."""
    return [h.strip() for h in next(first_rows(text, delimiter), [])]


def first_rows(text: str, delimiter: str = ","):
    """The records at the start of a CSV's text (its first megabyte), as csv reads them.

    A record may span lines (a quoted name) or end in a lone CR: csv decides.
    """
    return csv.reader(io.StringIO(text[:1_000_000], newline=""), delimiter=delimiter)


def delimiter_of(text: str) -> str:
    """"," ; or ";" or a tab where the header holds no comma but several of those: what a
    spreadsheet in a locale with decimal commas, or a "text (tab delimited)" save, writes."""
    first = text[:100_000].split("\n", 1)[0]
    if "," in first:
        return ","
    return max((";", "\t"), key=first.count) if (";" in first or "\t" in first) else ","


def read_cells(text: str, utf8: bytes | None = None, names: list[str] | None = None,
               delimiter: str = ",") -> tuple[pd.DataFrame, np.ndarray, list]:
    """A CSV's cells as text under its header, each row's line, and lines of too-long rows.

    `utf8` is the same text as UTF-8 bytes, when the caller has them; `names`
    replaces the header's names (a dataset import adds one for the empty field
    a trailing comma makes); `delimiter` is the field separator. Arrow
    parses a plain file in a second per million rows; a file where a line
    number cannot be told from a row's position (a quoted cell spanning
    lines, a blank line) or a row of the wrong length goes through the csv
    module, which counts lines exactly.
    """
    header = names if names is not None else read_header(text, delimiter)
    body = utf8 if utf8 is not None else text.encode("utf-8")
    if "\r" not in text.replace("\r\n", "") and len(set(header)) == len(header):
        try:
            parsed = pacsv.read_csv(
                pa.py_buffer(body),
                read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
                parse_options=pacsv.ParseOptions(newlines_in_values=True, delimiter=delimiter),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False,
                    quoted_strings_can_be_null=False),
            )
        except pa.ArrowInvalid:
            parsed = None
        if parsed is not None:
            frame = parsed.to_pandas()
            lines = _row_lines(frame, text)
            if lines is not None:
                return frame, lines, []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    width, lines, kept, ragged = len(header), [], [], []
    previous_end = reader.line_num
    for raw in reader:
        # A quoted cell may span lines; a record is named by the line it starts on.
        line, previous_end = previous_end + 1, reader.line_num
        if not raw:
            continue
        if len(raw) > width:
            ragged.append(line)
            continue
        kept.append(raw + [""] * (width - len(raw)))
        lines.append(line)
    frame = pd.DataFrame(kept, columns=header, dtype=object) if kept else \
        pd.DataFrame({h: pd.Series(dtype=object) for h in header})
    return frame, np.array(lines, dtype=int), ragged


def _row_lines(frame: pd.DataFrame, text: str) -> np.ndarray | None:
    """Each parsed row's line, when the rows account for every line of the file.

    A row starts one line after the previous row's last line; line breaks
    inside quoted cells push the next row down. Blank lines between rows
    cannot be placed this way (None: the csv module counts them); blank lines
    at the end do not matter.
    """
    physical = text.rstrip("\r\n").count("\n") + 1
    rows = np.arange(2, len(frame) + 2)
    if physical == 1 + len(frame):
        return rows
    inside = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        inside += frame[column].str.count("\n").to_numpy(dtype=np.int64)
    if 1 + len(frame) + int(inside.sum()) != physical:
        return None
    return rows + np.concatenate(([0], np.cumsum(inside)[:-1]))


def without_bad_rows(validate: Callable[[pd.DataFrame], pd.DataFrame], frame: pd.DataFrame,
                     rejected: list[Problem] | None) -> pd.DataFrame:
    """`validate(frame)`; with a `rejected` list, the rows its RecordError names are left out
    (their problems added to the list) and the rest validated again.

    `frame` has a `_line` column. A problem at a line no row holds (the header,
    the file as a whole) cannot be dropped row by row and is raised as it is.
    """
    for _ in range(3):  # a second pass can only name rows whose id a dropped row had shared
        try:
            return validate(frame)
        except RecordError as err:
            lines = set(frame["_line"].tolist())
            if rejected is None or any(p.line not in lines for p in err.problems):
                raise
            rejected += err.problems
            frame = frame[~frame["_line"].isin({p.line for p in err.problems})]
            frame = frame.reset_index(drop=True)
    return validate(frame)


def table_from_rows(rows: Iterable[tuple[int, Mapping[str, object]]], table: str,
                    name: str) -> pd.DataFrame:
    """Validate and type `(line, row)` pairs of `table`, from a CSV or from an extractor.

    Cells may be text (as read from a CSV) or values (as an extractor builds
    them); both pass the same checks, so every table in the pipeline keeps
    the contract whatever made it.
    """
    known = {c.name for c in COLUMNS[table]}
    problems: list[Problem] = []
    lines: list[int] = []
    kept: list[Mapping[str, object]] = []
    seen: dict[str, None] = {}
    for line, raw in rows:
        if None in raw:
            problems.append(Problem(name, line, "", "", "has more fields than the header"))
            continue
        for col in raw:
            if col not in known and col != "_line":
                seen[col] = None
                if not extra_columns([col], table):
                    problems.append(Problem(name, line, col, "", "is not a column of the contract"))
        lines.append(line)
        kept.append(raw)
    names = [*(c.name for c in COLUMNS[table]), *extra_columns(seen, table)]
    frame = pd.DataFrame({n: [_text(raw.get(n)) for raw in kept] for n in names}, dtype=object)
    return table_from_cells(frame, np.array(lines, dtype=int), table, name, problems)


def table_from_cells(cells: pd.DataFrame, lines: np.ndarray, table: str, name: str,
                     problems: Iterable[Problem] = ()) -> pd.DataFrame:
    """Check and type a frame of text cells column by column; raise every problem at once.

    `lines` gives each row's line for messages; `problems` are ones the caller
    found already (a ragged row), reported with the rest.

    Problems of a line come in the order a reader meets them: each column's
    own check in contract order, then checks across columns, then duplicates.
    """
    columns = COLUMNS[table]
    found: list[tuple[int, int, Problem]] = [(p.line, -1, p) for p in problems]
    lines = np.asarray(lines)
    frame = pd.DataFrame({"_line": lines})
    for order, c in enumerate(columns):
        text = cells[c.name].astype(str).str.strip() if c.name in cells else \
            pd.Series([""] * len(cells), dtype=str)
        text = text.reset_index(drop=True)
        value, bad, message = _convert(c, text)
        for line, cell, why in zip(lines[bad], text[bad], message[bad], strict=True):
            found.append((int(line), order, Problem(name, int(line), c.name, cell, why)))
        frame[c.name] = value
    for col, value, bad, why in _row_checks(frame, table):
        for line, cell, text in zip(lines[bad], value[bad], why[bad], strict=True):
            found.append((int(line), len(columns), Problem(name, int(line), col, cell, text)))
    for col in extra_columns(cells.columns, table):
        frame[col] = cells[col].astype(str).str.strip().to_numpy()
    if table in ID_COLUMN:
        frame = _fill_ids(frame, table)
        found += [(p.line, len(columns) + 1, p) for p in _duplicate_ids(frame, table, name)]
    if found:
        raise RecordError([p for _, _, p in sorted(found, key=lambda f: (f[0], f[1]))])
    return frame.drop(columns="_derived_id", errors="ignore").reset_index(drop=True)


def _text(value: object) -> str:
    """A cell as text: a missing value is empty, floats keep their digits."""
    return "" if is_missing(value) else str(value).strip()


def is_missing(value: object) -> bool:
    """A cell with no value: None, NaN, pd.NA, or text of white space only."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


# How far from 0 a coordinate may lie, by column kind.
COORDINATE_LIMITS = {"latitude": 90, "longitude": 180}


def coordinate_errors(number: np.ndarray, empty: np.ndarray, kind: str) -> np.ndarray:
    """Why each coordinate of `kind` ("latitude" or "longitude") is wrong, "" where it is
    not: a cell that is not `empty` but no number, or a number out of range."""
    limit = COORDINATE_LIMITS[kind]
    finite = np.isfinite(number)
    why = np.full(len(number), "", dtype=object)
    why[~empty & ~finite] = "is not a number"
    why[~empty & finite & (np.abs(number) > limit)] = f"is outside -{limit}..{limit}"
    return why


def _convert(c: Column, text: pd.Series) -> tuple[object, np.ndarray, np.ndarray]:
    """Parse a column: (typed values, which cells are wrong, why each is wrong)."""
    empty = (text == "").to_numpy()
    why = np.full(len(text), "", dtype=object)
    if c.required:
        why[empty] = "is required"
    if c.kind in ("text", "id"):
        return text, why != "", why
    if c.kind == "code":
        bad = ~empty & ~text.isin([str(v) for v in c.vocab]).to_numpy()
        why[bad] = "must be one of: " + ", ".join(map(str, c.vocab))
        return text, why != "", why
    if c.kind == "date":
        parsed = pd.to_datetime(text.where(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}"), None),
                                format="%Y-%m-%d", errors="coerce")
        bad = ~empty & parsed.isna().to_numpy()
        why[bad] = "is not a date (YYYY-MM-DD)"
        # A cell that parsed matched YYYY-MM-DD, so it is already in ISO form.
        return text.where(parsed.notna().to_numpy(), ""), why != "", why
    if c.kind in ("int", "precision"):
        digits = text.str.fullmatch(r"\d+").to_numpy(dtype=bool)
        bad = ~empty & ~digits
        why[bad] = "is not a whole number"
        huge = digits & (text.str.len() > 18).to_numpy(dtype=bool)
        why[huge] = "is too large (more than 18 digits)"
        bad = bad | huge
        digits = digits & ~huge
        ascii_digits = digits & text.str.fullmatch(r"[0-9]+").to_numpy(dtype=bool)
        number = pd.to_numeric(text.where(ascii_digits, None), errors="coerce").astype("Int64")
        for i in np.flatnonzero(digits & ~ascii_digits):  # Persian, Arabic-Indic... digits
            number.iloc[i] = int(text.iloc[i])
        if c.vocab:
            outside = (digits & ~number.isin(c.vocab).to_numpy(dtype=bool, na_value=False))
            why[outside] = "must be one of: " + ", ".join(map(str, c.vocab))
            bad |= outside
        return number.where(~bad, pd.NA).array, why != "", why
    if c.kind == "country":
        upper = text.str.upper()
        bad = ~empty & ~upper.str.fullmatch(r"[A-Z]{2}").to_numpy(dtype=bool)
        why[bad] = "is not an ISO 3166-1 alpha-2 code"
        return upper, why != "", why
    if c.kind in ("latitude", "longitude"):
        number = pd.to_numeric(text.where(~empty, None), errors="coerce").astype("float64")
        values = number.to_numpy(copy=True)
        for i in np.flatnonzero(~empty & np.isnan(values)):  # what only Python reads: "۳۴"
            with contextlib.suppress(ValueError):
                values[i] = float(text.iloc[i])
        wrong = coordinate_errors(values, empty, c.kind)
        bad = wrong != ""
        why[bad] = wrong[bad]
        return np.where(bad, np.nan, values), why != "", why
    raise AssertionError(f"unknown column kind {c.kind}")


def _row_checks(frame: pd.DataFrame, table: str):
    """Checks across columns of each row: (column, shown value, failing rows, message).

    An incident's dates bound one event, so they must agree with its precision
    (a 'month' is one calendar month, or any 31 days such as a dataset's
    20 July to 10 August; a 'year' likewise one calendar year or 366 days);
    an area's date_end is when it stopped being held, which precision does not bound.
    """
    n = len(frame)

    def failing(mask, column, shown, message):
        mask = np.asarray(mask, dtype=bool)
        why = np.full(n, "", dtype=object)
        why[mask] = message if isinstance(message, str) else np.asarray(message)[mask]
        return column, np.asarray(shown, dtype=object), mask, why

    if "date_end" in frame:
        a = pd.to_datetime(frame["date_start"].replace("", None))
        b = pd.to_datetime(frame["date_end"].replace("", None))
        both = (a.notna() & b.notna()).to_numpy()
        before = both & (b < a).to_numpy(dtype=bool)
        yield failing(before, "date_end", frame["date_end"],
                      "is before date_start " + frame["date_start"].astype(str))
        if table == "incidents":
            precision, fits = frame["date_precision"], both & ~before
            checks = (
                ("day", (a != b), "differs from date_start but precision is 'day'"),
                ("week", (b - a).dt.days > 7, "is more than a week after date_start"),
                ("month", ((a.dt.year != b.dt.year) | (a.dt.month != b.dt.month))
                 & ((b - a).dt.days > 30),
                 "is neither in the month of date_start nor within 31 days of it"),
                ("year", (a.dt.year != b.dt.year) & ((b - a).dt.days > 365),
                 "is neither in the year of date_start nor within 366 days of it"),
            )
            for unit, wrong, message in checks:
                mask = fits & (precision == unit).to_numpy() & wrong.to_numpy(dtype=bool)
                yield failing(mask, "date_end", frame["date_end"], message)
    for figure in ("fatalities", "injured"):
        if figure in frame:
            qualifier = frame[f"{figure}_qualifier"]
            given = qualifier.isin(QUALIFIERS).to_numpy() & frame[figure].isna().to_numpy()
            yield failing(given, f"{figure}_qualifier", qualifier,
                          f"is given but {figure} is empty")
    if "quote_start" in frame:
        qs, qe = frame["quote_start"], frame["quote_end"]
        alone = (qs.isna() != qe.isna()).to_numpy()
        yield failing(alone, "quote_end", qe.astype(object).where(qe.notna(), "").astype(str),
                      "quote_start and quote_end go together")
        order = ~alone & (qs.notna() & qe.notna() & (qe <= qs)).to_numpy(dtype=bool,
                                                                          na_value=False)
        yield failing(order, "quote_end", qe.astype(str), "must be greater than quote_start")
    if "latitude" in frame:
        lat, lon = frame["latitude"], frame["longitude"]
        shown = lon.astype(object).where(lon.notna() & (lon != 0), "").astype(str)
        yield failing((lat.isna() != lon.isna()).to_numpy(), "longitude", shown,
                      "latitude and longitude go together")


def stable_id(table: str, values: list[str]) -> str:
    """An id that depends only on the identifying columns, so re-runs agree."""
    digest = hashlib.sha1("\x1f".join(values).encode("utf-8")).hexdigest()[:12]
    return f"{ID_PREFIX[table]}-{digest}"


def extracted_id(table: str, row: Mapping[str, str]) -> str:
    """The id of a record read out of a document, from its cells of EXTRACTED_ID_BASIS."""
    return stable_id(table, [row[c] for c in EXTRACTED_ID_BASIS[table]])


def slug(value: str) -> str:
    """Text (a file stem) as an id part: lower case, runs of anything else as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _fill_ids(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    id_col = ID_COLUMN[table]
    missing = (frame[id_col] == "").to_numpy()
    frame["_derived_id"] = missing
    if missing.any():
        basis = [frame.loc[missing, c].astype(object).where(frame.loc[missing, c].notna(), "")
                 .astype(str) for c in ID_BASIS[table]]
        frame.loc[missing, id_col] = [stable_id(table, list(values))
                                      for values in zip(*basis, strict=True)]
    return frame


def _duplicate_ids(frame: pd.DataFrame, table: str, name: str) -> list[Problem]:
    id_col = ID_COLUMN[table]
    repeated = frame[id_col].duplicated(keep="first").to_numpy()
    if not repeated.any():
        return []
    first_line = frame.drop_duplicates(id_col).set_index(id_col)["_line"]
    return [repeated_line(table, name, int(r["_line"]), r[id_col], bool(r["_derived_id"]),
                          int(first_line[r[id_col]]))
            for r in frame[repeated].to_dict("records")]


def repeated_elsewhere(name: str, line: int, record_id: str, where: str, earlier: int
                       ) -> Problem:
    """A row of file `name` whose event id a row of another file (`where`, line
    `earlier`) has already given."""
    return Problem(name, line, "event_id", record_id, f"repeats the id of {where}:{earlier}")


def repeated_line(table: str, name: str, line: int, record_id: str, derived: bool,
                  earlier: int) -> Problem:
    """A row of file `name` whose id an earlier line of the same file has: given, or
    derived from the identifying columns (then the whole row repeats)."""
    if derived:
        return Problem(name, line, "", "", f"repeats line {earlier} in every identifying column "
                                           f"({', '.join(ID_BASIS[table])}): a duplicate, or "
                                           "give it an id")
    return Problem(name, line, ID_COLUMN[table], record_id, f"repeats the id of line {earlier}")


def check_sources(frame: pd.DataFrame, path: str | Path, sources: pd.DataFrame
                  ) -> pd.DataFrame:
    """Every record must name a source listed in sources.csv: `frame` when they all do,
    so the check serves as geo.records.without_bad_rows' validation."""
    unknown = ~frame["source_id"].isin(set(sources["source_id"])).to_numpy()
    problems = [
        Problem(str(path), int(line), "source_id", source_id, "is not listed in sources.csv")
        for line, source_id in zip(frame["_line"][unknown], frame["source_id"][unknown],
                                   strict=True)
    ]
    if problems:
        raise RecordError(problems)
    return frame
