"""Public event datasets (ACLED, UCDP GED, GTD) read into our incident records.

An analyst can download one of these exports and map it beside the curated
records. Each dataset has a module (acled, ucdp, gtd) holding its columns, its
codebook's codes mapped onto our vocabulary and a vectorised `to_records`;
this module tells the formats apart by their header, reads the CSV as text and
returns the incidents with the one sources row that names the export.

The incidents frame holds text only: the contract's columns in order, then
`_line` (the row's line in the CSV, header = 1, for later messages), then the
dataset's own fields we have no column for, as `<kind>_<field>`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import pandas as pd

from geo.datasets import acled, gtd, ucdp
from geo.records import (
    Problem,
    RecordError,
    decode_csv,
    delimiter_of,
    first_rows,
    read_cells,
    read_header,
    table_from_cells,
    without_bad_rows,
)
from geo.schema import COLUMNS, column_names, extra_columns

KINDS = {"acled": acled, "ucdp": ucdp, "gtd": gtd}


@dataclass(frozen=True)
class Imported:
    """One export read into the contract: incidents as text, and its one sources row."""

    kind: str
    incidents: pd.DataFrame
    sources: pd.DataFrame
    notes: tuple[str, ...] = ()


def detect(header: list[str]) -> str | None:
    """"acled", "ucdp" or "gtd" from a CSV header, None for anything else.

    Each format has a column the others lack: ACLED event_id_cnty, UCDP GED
    date_prec and where_prec, GTD imonth and iday (not iyear, which a file
    trimmed in a spreadsheet may have lost: the year is also in eventid).
    """
    names = {_name(h) for h in header}
    for kind, module in KINDS.items():
        if names >= module.SIGNATURE:
            return kind
    return None


def sniff(path: Path) -> str | None:
    """The dataset a CSV file is an export of, from its header alone; None for our own CSVs.

    Raises RecordError for a dataset's table of counts (see `aggregated`) and
    for a header that is neither a dataset's nor mostly our contract's (see
    `closest_layout`): our CSV reader would otherwise reject it column by
    column, a screenful of lines that hide the one thing to fix.
    """
    with open(path, "rb") as handle:
        header = _header(handle.read(HEADER_BYTES))
    why = aggregated(header)
    kind = None if why else detect(header)
    if kind is None:
        why = why or closest_layout(header)
    if why:
        raise RecordError([Problem(str(path), 1, "", "", why)])
    return kind


# Enough of a file to hold its header row, whatever its encoding and line ends.
HEADER_BYTES = 1_000_000
DESCRIBED = {"acled": "an ACLED export", "ucdp": "a UCDP GED export", "gtd": "a GTD export"}
OURS = "incident-map's own incidents CSV"


def closest_layout(header: list[str]) -> str | None:
    """Why a header that no dataset's signature matches cannot be read, in one line.

    None where it is our contract's (at least half its columns are ours, and
    no dataset shares more): geo.records then names each unknown or missing
    column, the help a typo needs. Otherwise the line names the layout whose
    known columns (each module's COLUMNS, geo.schema for ours) the header
    shares most of, and what it lacks that the importer or loader needs.
    """
    names = list(dict.fromkeys(n for n in map(_name, header) if n))
    if not names:
        return None  # geo.records says the file is empty
    ours = [n for n in names if n in column_names("incidents")
            or extra_columns([n], "incidents")]
    shared = {kind: set(_canonical(names, module)) & module.COLUMNS
              for kind, module in KINDS.items()}
    best = max(shared, key=lambda kind: len(shared[kind]))
    if len(ours) >= len(shared[best]):
        if 2 * len(ours) >= len(names):
            return None
        if ours:
            return _unlike_ours(names, ours)
    if not shared[best]:
        return (f"is neither {OURS} nor an ACLED, UCDP GED or GTD export: none of its "
                f"{len(names)} columns ({_listed(names, 5)}) is one of theirs")
    lacking = [gap.short for gap in gaps(set(_canonical(names, KINDS[best])), KINDS[best])]
    return (f"looks like {DESCRIBED[best]} ({len(shared[best])} of its columns) but lacks "
            f"{_listed(lacking)}, which the importer needs; restore "
            f"{'it' if len(lacking) == 1 else 'them'} from the original download, or give the "
            f"file the columns of {OURS}")


def _unlike_ours(names: list[str], ours: list[str]) -> str:
    """The line for a header closest to our contract that is mostly something else."""
    needed = [c.name for c in COLUMNS["incidents"] if c.required and c.name not in names]
    unknown = [n for n in names if n not in ours]
    lacks = f" but lacks {_listed(needed)}, which the loader needs," if needed else ""
    return (f"looks like {OURS} ({len(ours)} of its columns){lacks} and {len(unknown)} of its "
            f"{len(names)} columns are none of ours ({_listed(unknown, 5)})")


def _listed(items: list[str], most: int | None = None) -> str:
    """'a', 'a and b', 'a, b and c'; past `most` items, the first ones and '...'."""
    if most is not None and len(items) > most:
        return ", ".join(items[:most]) + ", ..."
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class Gap(NamedTuple):
    """Something a header lacks that an importer needs: the column ("" for the header as a
    whole), why, as geo.records words a header problem, and its name in a list."""

    column: str
    why: str
    short: str


def gaps(names: set[str], module: ModuleType) -> list[Gap]:
    """Each thing a header lacks that `module`'s importer needs.

    Its REQUIRED columns (a tuple there: one of them), latitude and longitude
    together or not at all, and without them a place name to geocode from
    (module.PLACES).
    """
    found = []
    for need in module.REQUIRED:
        options = (need,) if isinstance(need, str) else need
        if not names & set(options):
            also = f", and so is {' or '.join(options[1:])}" if len(options) > 1 else ""
            found.append(Gap(options[0], f"is missing from the header{also}: {module.NAME} "
                                         "exports have it and the importer needs it",
                             " or ".join(options)))
    pair = ("latitude", "longitude")
    places = [column for column, _ in module.PLACES]
    if len(names & set(pair)) == 1:
        gone = next(c for c in pair if c not in names)
        found.append(Gap(gone, f"is missing from the header: {module.NAME} exports have it, "
                               "and the importer reads latitude and longitude together (with "
                               "neither, it places events by their names)", gone))
    elif not names & set(pair) and not names & set(places):
        found.append(Gap("", "has no place to map: neither latitude and longitude nor any of "
                             f"{', '.join(places)}",
                         f"latitude and longitude or a place ({' or '.join(places)})"))
    return found


def aggregated(header: list[str]) -> str | None:
    """Why a header of counts per area and month is not an event export, or None.

    HDX's ACLED pages offer such tables (admin1, month, year, events,
    fatalities) beside the events: they hold no place or date of any one event.
    """
    names = {_name(h) for h in header}
    if {"events", "fatalities"} <= names and names & {"month", "year"} and \
            not names & {"event_id_cnty", "event_date"}:
        return ("holds counts of events per area and month (ACLED's aggregated data, as HDX "
                "offers it), not events: download the event-level export instead")
    return None


def records(imported: Imported, name: str,
            rejected: list[Problem] | None = None) -> pd.DataFrame:
    """An import's incidents checked and typed like any incidents CSV (geo.records).

    Given a `rejected` list, rows that fail are left out and named in it.
    """
    def typed(frame: pd.DataFrame) -> pd.DataFrame:
        return table_from_cells(frame.drop(columns="_line"), frame["_line"].to_numpy(),
                                "incidents", name)

    return without_bad_rows(typed, imported.incidents, rejected)


def read_dataset(path: Path, kind: str | None = None,
                 rejected: list[Problem] | None = None) -> Imported:
    """Read one ACLED, UCDP GED or GTD CSV export; `kind` overrides detection.

    Raises RecordError for a header that lacks a column the importer needs
    (every one named) and for cells it cannot read (file, line, column, value).
    Given a `rejected` list, rows with bad cells are left out and their
    problems added to it instead; a bad header still raises.
    """
    path = Path(path)
    name = str(path)
    data = path.read_bytes()
    header = _header(data[:HEADER_BYTES])
    if not header:
        raise RecordError([Problem(name, 1, "", "", "is empty: expected a header row")])
    kind = kind or detect(header)
    if kind is None:
        raise RecordError([Problem(name, 1, "", "", aggregated(header) or closest_layout(header)
                                   or "is not an ACLED, UCDP GED or GTD export: its header "
                                   f"is that of {OURS} (geo.records.load_table reads it)")])
    if kind not in KINDS:
        raise ValueError(f"unknown dataset {kind!r}: expected one of {', '.join(KINDS)}")
    module = KINDS[kind]
    names = _canonical([_name(h) for h in header], module)
    missing = [Problem(name, 1, gap.column, "", gap.why) for gap in gaps(set(names), module)]
    missing += _repeated(header, names, name)
    if missing:
        raise RecordError(missing)
    frame = _read(data, name, kind, rejected)
    frame.columns = _canonical([_name(c) for c in frame.columns], module)
    if frame.empty:
        raise RecordError([Problem(name, 2, "", "", "has a header but no rows")])
    incidents = without_bad_rows(lambda rows: module.to_records(rows, name), frame, rejected)
    if incidents.empty:
        raise RecordError([Problem(name, 2, "", "", "has no row that could be read")])
    return Imported(kind, incidents, _source(module, path, incidents),
                    tuple(getattr(module, "notes", lambda _: ())(incidents)))


def _repeated(header: list[str], names: list[str], file_name: str) -> list[Problem]:
    """Columns named twice (latitude and Latitude, too): which of the two holds the data
    cannot be told, so it is an error, as in our own CSVs (geo.records). Row-name columns
    do not count: they are dropped however many there are."""
    data = [n for n, cell in zip(names, header, strict=True) if not _row_names(cell)]
    return [Problem(file_name, 1, n, "", "appears more than once in the header")
            for n in sorted({n for n in data if data.count(n) > 1})]


def _name(header_cell: str) -> str:
    # Older ACLED exports wrote EVENT_ID_CNTY; a spreadsheet may leave a BOM or spaces.
    return header_cell.strip().lstrip("\ufeff").strip().lower()


def _canonical(names: list[str], module) -> list[str]:
    """Header names with the dataset's older spellings (module.ALIASES) read as today's.

    An alias stays as it is where the file also has the name it stands for.
    """
    aliases = getattr(module, "ALIASES", {})
    present = set(names)
    return [aliases[n] if n in aliases and aliases[n] not in present else n for n in names]


def _header(data: bytes) -> list[str]:
    """The header's names from a file's bytes, or from its first HEADER_BYTES.

    Where no line break comes in those bytes (a file whose lines end in a lone
    CR), they may end inside a character: that tail is not an error.
    """
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        line = data[:HEADER_BYTES].decode("utf-16", errors="replace").split("\n", 1)[0]
    else:
        try:
            line = codecs.getincrementaldecoder("utf-8-sig")().decode(first, final=end >= 0)
        except UnicodeDecodeError:
            line = first.decode("latin-1")
    return read_header(line, delimiter_of(line))


def _read(data: bytes, name: str, kind: str, rejected: list[Problem] | None) -> pd.DataFrame:
    """Every cell as text ("" when empty or a missing-value marker), and each row's line as
    `_line`.

    What downloads and spreadsheets add is taken off here, for every dataset
    alike: an HXL hashtag row under the header (HDX), an empty field closing
    each row (a trailing comma: UCDP's web explorer), the markers R, Excel
    and pandas write for a missing value (MISSING), a row-name column, and the
    semicolons (or tabs) and decimal commas of a spreadsheet saved in a
    locale that writes 34,4265. GTD's own CSV is Latin-1,
    so a GTD file that is not UTF-8 is read as Latin-1; ACLED and UCDP publish
    UTF-8, and anything else there is an error.
    """
    try:
        text, utf8 = decode_csv(data, name)
    except RecordError:
        if kind != "gtd":
            raise
        text, utf8 = data.decode("latin-1"), None
    delimiter = delimiter_of(text)
    header = read_header(text, delimiter)
    spare = _spare_fields(text, len(header), delimiter)
    names = [*header, *(f"{SPARE}{i}" for i in range(spare))]
    frame, lines, ragged = read_cells(text, utf8, names, delimiter)
    frame["_line"] = lines
    frame = frame.drop(columns=[c for c in header if _row_names(c)])
    problems = [Problem(name, line, "", "", "has more fields than the header") for line in ragged]
    for column in names[len(header):]:
        filled = (frame[column].str.strip() != "").to_numpy()
        problems += [Problem(name, int(line), "", "", "has more fields than the header")
                     for line in lines[filled]]
        frame = frame.drop(columns=column)
    if problems:
        if rejected is None:
            raise RecordError(sorted(problems, key=lambda p: p.line))
        rejected += problems
        frame = frame[~frame["_line"].isin({p.line for p in problems})]
    if len(frame) and is_hxl(frame.iloc[0].drop("_line")):
        frame = frame.iloc[1:]
    frame = frame.reset_index(drop=True)
    for column in frame.columns.drop("_line"):
        marked = frame[column].isin(MISSING)
        if marked.any():
            frame.loc[marked, column] = ""
        if delimiter != ",":  # a locale that writes 34,4265 for 34.4265
            frame[column] = frame[column].str.replace(DECIMAL_COMMA, r"\1.\2", regex=True)
    return frame


# What R (NA), Excel (#N/A), pandas (nan) and database dumps (NULL) write for a missing value.
MISSING = frozenset({"NA", "N/A", "n/a", "NULL", "null", "Null", "nan", "NaN", "NAN", "#N/A"})
SPARE = "_spare_field_"
DECIMAL_COMMA = r"^\s*(-?\d+),(\d+)\s*$"


def _spare_fields(text: str, width: int, delimiter: str) -> int:
    """How many empty fields the first row has past the header's (a trailing comma: 1)."""
    rows = first_rows(text, delimiter)
    next(rows, None)
    first = next(rows, None)
    if not first or len(first) <= width or any(cell.strip() for cell in first[width:]):
        return 0
    return len(first) - width


def _row_names(header_cell: str) -> bool:
    """The column R's write.csv (a "" header) or pandas' to_csv ("Unnamed: 0" once re-read)
    adds for row names: numbering, not data."""
    name = _name(header_cell)
    return name == "" or re.fullmatch(r"unnamed: \d+", name) is not None


def is_hxl(cells: Iterable[str]) -> bool:
    """An HXL hashtag row (#date+start, #affected+killed): every filled cell starts with #."""
    filled = [str(cell).strip() for cell in cells if str(cell).strip()]
    return bool(filled) and all(cell.startswith("#") for cell in filled)


def _source(module, path: Path, incidents: pd.DataFrame) -> pd.DataFrame:
    """The sources row naming the export; published is the latest date an event began."""
    dates = incidents["date_start"]
    row = {
        "source_id": incidents["source_id"].iloc[0],
        "title": f"{module.NAME} export {path.name}",
        "publisher": module.PUBLISHER,
        "published": dates[dates != ""].max(),
        "file": path.name,
    }
    return pd.DataFrame([row], columns=column_names("sources"), dtype=str)
