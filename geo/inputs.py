"""A run's input files read into its three tables, with what could not be read set apart.

`build` and `export` read one sources.csv, one areas.csv and any number of
incident files, each our CSV or a dataset export (geo.datasets). By default a
problem anywhere is an error naming every bad cell, and nothing is mapped:
a map drawn from part of the input looks complete and is not. With
`keep_going` the rows that can be read go on and the rest is listed in
`Inputs.rejected`, one row per problem (geo.schema.REJECTED_COLUMNS); a file
that cannot be read at all puts each of its rows there, so every input row
is still accounted for.
"""

from __future__ import annotations

import csv
import io
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from geo import datasets
from geo.extract import Extraction
from geo.records import (
    LeftOutWarning,
    Problem,
    RecordError,
    check_sources,
    load_table,
    repeated_elsewhere,
    table_from_rows,
    without_bad_rows,
)
from geo.schema import REJECTED_COLUMNS, extra_columns

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inputs:
    """The tables a run maps, and the input rows left out of them (with --keep-going)."""

    sources: pd.DataFrame
    incidents: pd.DataFrame
    areas: pd.DataFrame
    rejected: pd.DataFrame
    notes: tuple[str, ...] = ()

    def with_extraction(self, extraction: Extraction) -> Inputs:
        """These tables and the records extracted from documents, mapped together."""
        # Not from a CSV, so no line: unresolved.csv names them by id and file.
        return replace(
            self,
            incidents=pd.concat([self.incidents, extraction.incidents.assign(_line=None)],
                                ignore_index=True),
            areas=pd.concat([self.areas, extraction.areas.assign(_line=None)],
                            ignore_index=True),
            sources=pd.concat([self.sources, extraction.sources], ignore_index=True))

    def sources_by_id(self) -> dict[str, dict]:
        """Each source's row by its id: what popups and exports look sources up in."""
        return sources_by_id(self.sources)


def sources_by_id(sources: pd.DataFrame) -> dict[str, dict]:
    """The rows of a sources table by their source_id."""
    return {row["source_id"]: row for row in sources.to_dict("records")}


def load_inputs(
    incidents: Sequence[Path],
    areas: Path,
    sources: Path,
    keep_going: bool = False,
) -> Inputs:
    """Read and check every input table; the sources rows of dataset exports are added.

    Raises RecordError listing the problems of all files at once, unless
    `keep_going`: then the bad rows are left out, listed in `rejected`, and a
    LeftOutWarning says how many. Each file read is logged.
    """
    reader = _Reader(keep_going)
    tables = {table: reader.read(table, path, lambda kept, p=path, t=table: load_table(p, t, kept))
              for table, path in (("sources", sources), ("areas", areas))}
    if keep_going:  # a table that could not be read maps nothing, and the rest goes on
        tables = {table: frame if frame is not None else _empty(table)
                  for table, frame in tables.items()}
    listed = [tables["sources"]] if tables["sources"] is not None else []
    files: list[tuple[Path, pd.DataFrame, bool]] = []
    notes: list[str] = []
    for path in incidents:
        log.info("reading %s", path)
        found = reader.read("incidents", path, lambda kept, p=path: _incidents(p, kept))
        if found is None:
            continue
        frame, imported = found
        files.append((path, frame, imported is not None))
        if imported is not None:
            listed.append(imported.sources)
            notes += imported.notes
            log.info("%s: %d %s records", path, len(frame), imported.kind.upper())

    all_sources = pd.concat(listed, ignore_index=True) if listed else None
    if tables["sources"] is not None:  # without a sources table there is nothing to check
        files, tables["areas"] = reader.check_sources(files, areas, tables["areas"], all_sources)
    files = reader.without_repeated_ids(files)
    if reader.problems:
        raise RecordError(reader.problems)

    combined = pd.concat([frame for _, frame, _ in files] or [_empty("incidents")],
                         ignore_index=True)
    extras = extra_columns(combined.columns, "incidents")  # empty for our own records
    combined[extras] = combined[extras].fillna("")
    result = Inputs(all_sources, combined, tables["areas"].reset_index(drop=True),
                    rejected_table(reader.rejected), tuple(notes))
    if reader.rejected:
        rows = result.rejected.query("line > 0").drop_duplicates(["file", "line"])
        warnings.warn(f"{len(rows)} input rows could not be read and were left out "
                      f"({len(reader.rejected)} problems, listed in rejected.csv); the first: "
                      f"{reader.rejected[0][1]}", LeftOutWarning, stacklevel=2)
    return result


class _Reader:
    """Reads input files, keeping every problem: as errors, or (keep_going) as rejected rows."""

    def __init__(self, keep_going: bool) -> None:
        self.keep_going = keep_going
        self.rejected: list[tuple[str, Problem]] = []
        self.problems: list[Problem] = []

    def read(self, table: str, path: Path, reader: Callable[[list | None], object]):
        """`reader(kept)`'s result, or None when the file could not be read at all."""
        kept: list[Problem] | None = [] if self.keep_going else None
        try:
            found = reader(kept)
        except RecordError as err:
            if not self.keep_going:
                self.problems.extend(err.problems)
                return None
            found, kept = None, [*kept, *_whole_file(path, err.problems)]
        except OSError as err:
            problem = Problem(str(path), 0, "", "", f"cannot be read ({err.strerror})")
            if not self.keep_going:
                self.problems.append(problem)
                return None
            found, kept = None, [*kept, problem]
        self.rejected.extend((table, p) for p in kept or ())
        return found

    def check_sources(self, files: list, areas: Path, area_frame: pd.DataFrame | None,
                      sources: pd.DataFrame) -> tuple[list, pd.DataFrame | None]:
        """Our own incident files and the areas, with rows naming an unknown source out."""
        checks = [(path, frame, "incidents") for path, frame, imported in files if not imported]
        if area_frame is not None:
            checks.append((areas, area_frame, "areas"))
        for path, frame, table in checks:
            checked = self.read(table, path, lambda kept, p=path, f=frame: without_bad_rows(
                lambda rows: check_sources(rows, p, sources), f, kept))
            if table == "areas":
                area_frame = checked
            else:
                files = [(p, checked if p == path else f, d) for p, f, d in files]
        return files, area_frame

    def without_repeated_ids(self, files: list) -> list:
        repeated = _repeated_ids(files)
        if not self.keep_going:
            self.problems += repeated
            return files
        self.rejected += [("incidents", p) for p in repeated]
        return [(path, frame[~frame["_line"].isin({p.line for p in repeated
                                                   if p.file == str(path)})], imported)
                for path, frame, imported in files]


def _incidents(path: Path, kept: list[Problem] | None):
    """One incident file's records, and the import (None for our own CSV)."""
    kind = datasets.sniff(path)
    if kind is None:
        return load_table(path, "incidents", kept), None
    imported = datasets.read_dataset(path, kind, kept)
    return datasets.records(imported, str(path), kept), imported


def _empty(table: str) -> pd.DataFrame:
    return table_from_rows([], table, "")


def _whole_file(path: Path, problems: list[Problem]) -> list[Problem]:
    """A file that failed as a whole (its header, its encoding): one problem per row of it,
    saying why, so the rows are counted as rejected and not silently gone."""
    why = "; ".join("line " + str(p).removeprefix(f"{p.file}:") for p in problems[:3]) \
        + (" ..." if len(problems) > 3 else "")
    lines = _record_lines(path)
    if not lines:
        return [Problem(str(path), 0, "", "", f"file not read: {why}")]
    return [Problem(str(path), line, "", "", f"file not read: {why}") for line in lines]


def _record_lines(path: Path) -> list[int]:
    """The line each data row of a CSV starts on, read as leniently as it can be.

    A row counts as the readers count it: one of empty cells (`,,,`, which a
    spreadsheet leaves) is a row they reject, so it is one here too; an empty
    line is none, and nor is an HXL hashtag row right under a dataset's header
    (geo.datasets skips it; our own CSVs have none to skip).
    """
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    tagged = datasets.detect(header) is not None
    lines, previous_end = [], reader.line_num
    for row in reader:
        line, previous_end = previous_end + 1, reader.line_num
        hxl = tagged and not lines and datasets.is_hxl(row)
        if row and not hxl:
            lines.append(line)
    return lines


def _repeated_ids(files: list[tuple[Path, pd.DataFrame, bool]]) -> list[Problem]:
    """An event id in two incident files: the same event given twice."""
    if len(files) < 2:  # within one file, geo.records has said so already
        return []
    seen: dict[str, tuple[Path, int]] = {}
    problems = []
    for path, frame, _ in files:
        for event_id, line in zip(frame["event_id"], frame["_line"], strict=True):
            if event_id in seen:
                where = seen[event_id]
                problems.append(repeated_elsewhere(str(path), int(line), event_id,
                                                   str(where[0]), where[1]))
            else:
                seen[event_id] = (path, int(line))
    return problems


def rejected_table(rejected: list[tuple[str, Problem]]) -> pd.DataFrame:
    """rejected.csv's rows from (table, problem) pairs, by file and line."""
    rows = [{"table": table, "file": p.file, "line": p.line, "column": p.column,
             "value": p.value, "reason": p.message} for table, p in rejected]
    frame = pd.DataFrame(rows, columns=list(REJECTED_COLUMNS))
    frame["line"] = frame["line"].astype(int)
    return frame.sort_values(["file", "line"], kind="stable").reset_index(drop=True)
