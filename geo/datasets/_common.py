"""What the three importers share: collecting bad cells, reading numbers and codes, building rows.

Every helper works on whole columns: an export can hold a million rows, and a
Python loop over them would take minutes where pandas takes a second. Only the
rows that are wrong are visited one by one, to name them in a `Problem`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from geo.datasets._dates import SLASHED, parse, slash_order
from geo.records import Problem, RecordError, coordinate_errors, slug
from geo.schema import DATASET_PREFIXES, column_names, extra_columns

_WHOLE = r"\d+(?:\.0*)?"  # spreadsheets re-save 12 as 12.0; both are whole numbers


class Problems:
    """Bad cells of one file, raised together as one RecordError like geo.records does.

    An analyst who fixes an export should see every bad cell in one run, not
    one per run; lines come from the frame's `_line` column (see read_dataset).
    """

    def __init__(self, frame: pd.DataFrame, file_name: str):
        self.file = file_name
        self.lines = line_numbers(frame)
        self.found: list[Problem] = []

    def add(self, bad, column: str, values: pd.Series, message: str) -> None:
        """Record `message` for every row where `bad` is true."""
        for i in np.flatnonzero(np.asarray(bad, dtype=bool)):
            self.found.append(Problem(self.file, int(self.lines[i]), column,
                                      str(values.iloc[i]), message))

    def add_each(self, why: np.ndarray, column: str, values: pd.Series) -> None:
        """Record each row's own message in `why`, for every row where it is not ""."""
        for i in np.flatnonzero(why != ""):
            self.found.append(Problem(self.file, int(self.lines[i]), column,
                                      str(values.iloc[i]), why[i]))

    def raise_any(self) -> None:
        if self.found:
            raise RecordError(sorted(self.found, key=lambda p: p.line))


def line_numbers(frame: pd.DataFrame) -> np.ndarray:
    """Each row's CSV line: read_dataset's `_line`, else its position after a header."""
    if "_line" in frame:
        return frame["_line"].to_numpy(dtype="int64")
    return np.arange(2, len(frame) + 2)


def text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as stripped text; a column the export does not have reads as empty."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=str)
    return frame[column].astype(str).str.strip()


def whole_numbers(frame: pd.DataFrame, column: str, problems: Problems,
                  unknown: tuple[str, ...] = ()) -> pd.Series:
    """A count as text without a trailing .0; empty, and each `unknown` marker, become ""."""
    values = text(frame, column)
    missing = values.isin(("", *unknown)).to_numpy()
    whole = values.str.fullmatch(_WHOLE).to_numpy(dtype=bool)
    problems.add(~missing & ~whole, column, values, "is not a whole number")
    return _without_point_zero(values).where(whole & ~missing, "")


def identifiers(frame: pd.DataFrame, column: str, problems: Problems) -> pd.Series:
    """An id column as text: 199301220001.0 (a re-saved number) is 199301220001.

    An id a spreadsheet wrote in scientific notation (1.99301E+11) has lost
    its last digits, and no reader can get them back: it is an error.
    """
    ids = text(frame, column)
    problems.add((ids == "").to_numpy(), column, ids, "is required")
    exponent = ids.str.fullmatch(r"[0-9.]+[eE][+-]?[0-9]+").to_numpy(dtype=bool)
    problems.add(exponent, column, ids, "is in scientific notation, as a spreadsheet saves a "
                 "long number: its last digits are lost; export the file again, keeping the "
                 "column as text")
    numeric = ids.str.fullmatch(r"[0-9]+\.0*").to_numpy(dtype=bool)
    return ids.where(~numeric, ids.str.replace(r"\.0*$", "", regex=True))


def _without_point_zero(values: pd.Series) -> pd.Series:
    # Only the few cells with a point are rewritten: a regex over every cell costs seconds.
    pointed = values.str.contains(".", regex=False)
    if not pointed.any():
        return values
    return values.where(~pointed, values[pointed].str.replace(r"\.0*$", "", regex=True))


def codes(frame: pd.DataFrame, column: str, mapping: Mapping, problems: Problems,
          *, required: bool = True) -> pd.Series:
    """A numeric code of the dataset looked up in `mapping` (keys are the codes as ints), as text.

    A code outside the codebook is an error rather than a guess: it means the
    export is of a version whose codes we have not read. An empty cell is an
    error too unless `required` is false; it then reads as "".
    """
    values = text(frame, column)
    found = lookup(values, mapping)
    bad = found.isna().to_numpy(dtype=bool, copy=True)
    if not required:
        bad &= (values != "").to_numpy()
    allowed = ", ".join(str(k) for k in mapping)
    problems.add(bad, column, values, f"must be one of: {allowed}")
    return found.fillna("").astype(str)


def lookup(values: pd.Series, mapping: Mapping) -> pd.Series:
    """Codes looked up in `mapping` (int keys, any values) as text; NaN for a code not in it."""
    keys = {str(k): str(v) for k, v in mapping.items()}
    return vocabulary(values, lambda code: keys.get(re.sub(r"\.0*$", "", code)))


def vocabulary(values: pd.Series, translate) -> pd.Series:
    """`translate` applied to each distinct value, then spread over the column by a lookup.

    A million rows hold a few dozen distinct event types or codes, so folding
    case or spelling in Python once per distinct value is cheap where a
    string operation over every cell is not. None from `translate` is NaN.
    """
    table = {value: translate(value) for value in values.unique()}
    return values.map(table)


def labels(values: pd.Series, mapping: Mapping[str, str], default: str | None) -> pd.Series:
    """Dataset labels onto our words via `mapping` (keys folded); `default` for any other
    label, or the label itself when `default` is None."""
    return vocabulary(values, lambda v: mapping.get(folded(v), v if default is None else default))


def folded(value: str) -> str:
    """A label folded for lookup: datasets change capitals and spacing between releases."""
    return " ".join(value.lower().split())


def coordinates(frame: pd.DataFrame, problems: Problems, lat: str = "latitude",
                lon: str = "longitude") -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude as the export wrote them, checked as numbers in range."""
    out = []
    for column, kind in ((lat, "latitude"), (lon, "longitude")):
        values = text(frame, column)
        empty = (values == "").to_numpy()
        number = pd.to_numeric(values.where(~empty, None), errors="coerce").to_numpy(float)
        problems.add_each(coordinate_errors(number, empty, kind), column, values)
        out.append(values)
    alone = (out[0] == "").to_numpy() != (out[1] == "").to_numpy()
    problems.add(alone, lon, out[1], f"{lat} and {lon} go together")
    return out[0], out[1]


def named_place(names: list[tuple[pd.Series, int]]) -> tuple[pd.Series, np.ndarray]:
    """The finest place each row names, and the best geo_precision that name allows.

    `names` are a row's place columns, finest first, each with the precision
    its name stands for at best (a town 1, a district 2, a province 3). A row
    naming none is ("", 4): the country alone, which the geocoder cannot place.
    """
    index = names[0][0].index
    place = pd.Series("", index=index, dtype=str)
    best = np.full(len(index), 4)
    for values, precision in reversed(names):
        filled = (values != "").to_numpy()
        place = place.where(~filled, values)
        best[filled] = precision
    return place, best


def no_finer(stated: pd.Series, best: np.ndarray, rows: np.ndarray) -> pd.Series:
    """geo_precision as text: `stated`, coarsened to `best` on `rows` (the rows placed by name).

    A row without coordinates is placed from a name, and the name bounds what
    the point can mean: a province named alone is province precision whatever
    code the row carries.
    """
    number = pd.to_numeric(stated.where(stated != "", None), errors="coerce").to_numpy(float)
    coarser = rows & ~(number >= best)  # NaN (no code) takes `best` too
    return stated.where(~coarser, pd.Series(best.astype(str), index=stated.index))


def days(frame: pd.DataFrame, column: str, problems: Problems, formats: tuple[str, ...],
         example: str, slashed: str | None = None) -> np.ndarray:
    """A date column as days, in `formats` or slashed (3/14/2019) in the file's own order.

    `slashed` is the order a download is known to write (UCDP's explorer: US);
    None leaves it to the file (see _dates.slash_order), and a file whose
    slashed dates could be read either way is an error, not a guess.
    """
    written = text(frame, column)
    is_slashed = written.str.fullmatch(SLASHED).to_numpy(dtype=bool)
    try:
        order = slash_order(written, slashed) if is_slashed.any() else None
        why = "could be day/month/year or month/day/year, and no date in the file tells"
    except ValueError as err:
        order, why = None, str(err)
    day = parse(written, formats + ((order,) if order else ()))
    unread = np.isnat(day)
    unknown_order = unread & is_slashed & (order is None)
    problems.add(unknown_order, column, written, f"{why}: write {column} as YYYY-MM-DD")
    problems.add(unread & ~unknown_order, column, written, f"is not a date ({example})")
    return day


def source_id(kind: str, file_name: str) -> str:
    """One source per export file: `<kind>-<file stem>`, so two exports never share an id."""
    return f"{kind}-{slug(Path(file_name).stem)}"


def provenance(kind: str, file_name: str) -> dict[str, str]:
    """The contract's source columns for every record of one export."""
    return {"source_id": source_id(kind, file_name), "source_file": Path(file_name).name}


def or_default(values: pd.Series, default: pd.Series) -> pd.Series:
    """`values`, with `default` wherever a cell is empty."""
    return values.where(values != "", default)


def assemble(frame: pd.DataFrame, records: dict, kind: str, raw: dict) -> pd.DataFrame:
    """The incidents frame: contract columns in order, `_line`, then `<kind>_<field>` extras.

    `records` maps contract columns to a Series, an array or one value for
    every row, matched by position (missing columns are empty); `raw` maps the
    dataset's own field names to the values kept beside them. Every cell
    comes out as text. A name that would come out as neither a contract column
    nor a dataset's own (geo.schema.DATASET_PREFIXES) is the importer's mistake:
    ValueError, rather than a column dropped without a word.
    """
    contract = column_names("incidents")
    extras = {**{k: v for k, v in records.items() if k not in contract},
              **{f"{kind}_{name}": values for name, values in raw.items()}}
    unknown = [k for k in extras if not extra_columns([k], "incidents")]
    if unknown:
        raise ValueError(f"{', '.join(map(repr, unknown))}: neither a column of the incidents "
                         f"contract nor a dataset's own field "
                         f"({', '.join(p + '*' for p in DATASET_PREFIXES)})")
    n = len(frame)
    columns: dict[str, object] = {name: _as_text(records.get(name, ""), n) for name in contract}
    columns["_line"] = line_numbers(frame)
    for name, values in extras.items():
        columns[name] = _as_text(values, n)
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


def _as_text(values, n: int) -> pd.Series:
    if isinstance(values, str):
        return pd.Series([values] * n, dtype=str)
    series = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(values)
    return series.fillna("").astype(str)
