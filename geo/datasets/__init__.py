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

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.datasets import acled, gtd, ucdp
from geo.records import (
    Problem,
    RecordError,
    decode_csv,
    read_cells,
    read_header,
    table_from_cells,
)
from geo.schema import column_names

KINDS = {"acled": acled, "ucdp": ucdp, "gtd": gtd}


@dataclass(frozen=True)
class Imported:
    """One export read into the contract: incidents as text, and its one sources row."""

    kind: str
    incidents: pd.DataFrame
    sources: pd.DataFrame


def detect(header: list[str]) -> str | None:
    """"acled", "ucdp" or "gtd" from a CSV header, None for anything else.

    Each format has a column the others lack: ACLED event_id_cnty, UCDP GED
    date_prec and where_prec, GTD iyear, imonth and iday.
    """
    names = {_name(h) for h in header}
    for kind, module in KINDS.items():
        if names >= module.SIGNATURE:
            return kind
    return None


def sniff(path: Path) -> str | None:
    """The dataset a CSV file is an export of, from its header alone; None for our own CSVs."""
    with open(path, "rb") as handle:
        return detect(_header(handle.readline()))


def records(imported: Imported, name: str) -> pd.DataFrame:
    """An import's incidents checked and typed like any incidents CSV (geo.records)."""
    frame = imported.incidents
    return table_from_cells(frame.drop(columns="_line"), frame["_line"].to_numpy(), "incidents",
                            name)


def read_dataset(path: Path, kind: str | None = None) -> Imported:
    """Read one ACLED, UCDP GED or GTD CSV export; `kind` overrides detection.

    Raises RecordError for a header that lacks a column the importer needs
    (every one named) and for cells it cannot read (file, line, column, value).
    """
    path = Path(path)
    name = str(path)
    data = path.read_bytes()
    header = _header(data)
    if not header:
        raise RecordError([Problem(name, 1, "", "", "is empty: expected a header row")])
    kind = kind or detect(header)
    if kind is None:
        raise RecordError([Problem(name, 1, "", "", (
            "is not an ACLED, UCDP GED or GTD export: its header has none of event_id_cnty "
            "(ACLED), date_prec and where_prec (UCDP GED), iyear, imonth and iday (GTD)"))])
    if kind not in KINDS:
        raise ValueError(f"unknown dataset {kind!r}: expected one of {', '.join(KINDS)}")
    module = KINDS[kind]
    names = [_name(h) for h in header]
    missing = [Problem(name, 1, c, "", f"is missing from the header: {module.NAME} exports have "
                       "it and the importer needs it") for c in module.REQUIRED if c not in names]
    if missing:
        raise RecordError(missing)
    frame = _read(data, name, kind)
    frame.columns = [_name(c) for c in frame.columns]
    if frame.empty:
        raise RecordError([Problem(name, 2, "", "", "has a header but no rows")])
    incidents = module.to_records(frame, name)
    return Imported(kind, incidents, _source(module, path, incidents))


def _name(header_cell: str) -> str:
    # Older ACLED exports wrote EVENT_ID_CNTY; a spreadsheet may leave a BOM or spaces.
    return header_cell.strip().lstrip("\ufeff").strip().lower()


def _header(data: bytes) -> list[str]:
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        line = first.decode("latin-1")
    return read_header(line)


def _read(data: bytes, name: str, kind: str) -> pd.DataFrame:
    """Every cell as text ("" when empty), and each row's line in the file as `_line`.

    GTD's own CSV is Latin-1, so a GTD file that is not UTF-8 is read as
    Latin-1; ACLED and UCDP publish UTF-8, and anything else there is an error.
    """
    try:
        text, utf8 = decode_csv(data, name)
    except RecordError:
        if kind != "gtd":
            raise
        text, utf8 = data.decode("latin-1"), None
    frame, lines, ragged = read_cells(text, utf8)
    if ragged:
        raise RecordError([Problem(name, line, "", "", "has more fields than the header")
                           for line in ragged])
    frame["_line"] = lines
    return frame


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
