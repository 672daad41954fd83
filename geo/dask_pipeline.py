"""The pipeline end to end on a Dask cluster, piece by piece: record files larger than memory.

`build` and `export` with `--engine dask` read incident files here. Each
piece of the input (geo.partitions: a block of a CSV, row groups of a
Parquet file) is one task on a worker: read, validated with geo.records'
rules and messages (lines right across pieces), geocoded and joined to the
provinces by geo.pipeline, and written as GeoParquet under
`incidents.parquet/year=YYYY/part-NNNNN.parquet`. What comes back to this
process is small: problems, unresolved rows, disagreements, counts per
province and per grid cell (geo.aggregates). An id repeated across pieces
is found on the cluster (dask.dataframe's value_counts), and with
--keep-going the pieces holding the repeats are run again without them.

Areas and sources are small and read here, as in one process. When the
input has at most `MAP_RECORDS` rows the placed incidents are gathered too,
and every output is the one a single process writes; above it the caller
holds only the counts, and the page maps cells (geo.aggregates).

Workers read the input files and write the dataset themselves: both paths
must be the same on every worker (one machine, or a shared mount).
"""

from __future__ import annotations

import glob
import logging
import shutil
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import aggregates, datasets
from geo.boundaries import province_counts
from geo.geoparquet import write_geoparquet
from geo.inputs import Inputs, load_inputs, rejected_table
from geo.partitions import (
    BLOCK_BYTES,
    Piece,
    block_bounds,
    csv_header,
    is_parquet,
    nominal_blocks,
    parquet_header,
    parquet_pieces,
    piece_cells,
    plan_pieces,
)
from geo.pipeline import Placed, in_order, place_records
from geo.records import (
    InputWarning,
    LeftOutWarning,
    Problem,
    RecordError,
    check_sources,
    checked_cells,
    header_problems,
    repeated_elsewhere,
    repeated_line,
    table_from_rows,
    without_bad_rows,
)
from geo.schema import extra_columns, output_columns

# Above this many input rows the page carries counts per cell, not records (README: Scale).
MAP_RECORDS = 2_000_000
DATASET = "incidents.parquet"
IDS_META = pd.DataFrame({"event_id": pd.Series(dtype=object), "_line": pd.Series(dtype="int64"),
                         "derived": pd.Series(dtype=bool), "piece": pd.Series(dtype="int64")})

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """What every piece's task is given besides its piece."""

    source_ids: pd.DataFrame  # the source_id column of the sources known
    staging: str
    keep_going: bool
    keep_records: bool
    districts: gpd.GeoDataFrame | None = None
    districts_source: str = ""


@dataclass
class PieceResult:
    """What one piece's task returns. `ids` stays on the cluster; the rest is gathered."""

    index: int
    problems: list[Problem] = field(default_factory=list)
    ids: pd.DataFrame = field(default_factory=lambda: IDS_META.copy())
    unresolved: pd.DataFrame | None = None
    disagreements: pd.DataFrame | None = None
    provinces: pd.DataFrame | None = None  # name, incidents, deaths
    cells: pd.DataFrame | None = None
    placed: gpd.GeoDataFrame | None = None  # with Settings.keep_records only
    warned: list[str] = field(default_factory=list)


def place_partitioned(
    client,
    incidents: Sequence[Path | str],
    areas: Path,
    sources: Path,
    out: Path,
    keep_going: bool = False,
    districts: gpd.GeoDataFrame | None = None,
    districts_source: str = "",
    block_bytes: int = BLOCK_BYTES,
    map_records: int = MAP_RECORDS,
) -> tuple[Placed, dict[str, dict]]:
    """Read, check, place and write `incidents` (files or globs) on `client`'s cluster.

    Writes `out/incidents.parquet/` (replaced whole only when the run
    succeeds) and returns the placed areas and provinces, the accounts, and
    either the incidents (at most `map_records` rows given) or their counts
    per cell (`Placed.cells`), with the sources by id.
    """
    files = _expand(incidents)
    inputs = load_inputs([], areas, sources, keep_going)
    pieces, rows = _plan(client, files, block_bytes)
    keep_records = rows <= map_records
    log.info("%d incident files, %d pieces, about %s rows: %s", len(files), len(pieces),
             f"{rows:,}", "records gathered" if keep_records else "counts per cell gathered")
    staging = out / f".{DATASET}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    settings = Settings(inputs.sources[["source_id"]], str(staging), keep_going, keep_records,
                        districts, districts_source)
    try:
        results, repeats, cells = _run_pieces(client, pieces, settings)
        problems = [p for r in results for p in r.problems] + repeats
        if problems and not keep_going:
            raise RecordError(problems)
        # Warnings are raised here, as errors with --strict, before the dataset replaces
        # the last one: a stopped run writes nothing.
        placed = _assemble(results, cells, inputs, districts, districts_source)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _publish_dataset(staging, out / DATASET)
    return placed, inputs.sources_by_id()


def _expand(paths: Sequence[Path | str]) -> list[Path]:
    """Files in the order given, each glob's matches sorted; refused unless in the contract."""
    files: list[Path] = []
    for given in paths:
        matches = sorted(glob.glob(str(given))) if glob.has_magic(str(given)) else [str(given)]
        if not matches:
            raise RecordError([Problem(str(given), 0, "", "", "matches no file")])
        files += [Path(m) for m in matches]
    problems = []
    for path in files:
        if not path.is_file():
            problems.append(Problem(str(path), 0, "", "", "cannot be read (no such file)"))
            continue
        try:
            kind = None if is_parquet(path) else datasets.sniff(path)
        except RecordError as err:  # a header of no layout we read: one line for the file
            problems += err.problems
            continue
        if kind is not None:
            problems.append(Problem(str(path), 0, "", "", (
                f"is an export of {kind.upper()}: --engine dask reads files in the "
                "record contract; convert it first with `incident-map export --incidents "
                f"{path} --format csv` and give the incidents.csv it writes")))
            continue
        header = parquet_header(path) if is_parquet(path) else csv_header(path)
        problems += header_problems(header, "incidents", str(path))
    if problems:
        raise RecordError(problems)
    return files


def _plan(client, files: list[Path], block_bytes: int) -> tuple[list[Piece], int]:
    """Every file's pieces, numbered across files in order (CSV blocks counted on workers),
    and about how many rows they hold (a CSV's line breaks less its header)."""
    csv_files = [f for f in files if not is_parquet(f)]
    nominal = {f: nominal_blocks(f, block_bytes) for f in csv_files}
    flat = [block for f in csv_files for block in nominal[f]]
    counted = iter(client.gather(client.map(block_bounds, *zip(*flat, strict=True), pure=False))
                   if flat else [])
    pieces: list[Piece] = []
    rows = 0
    for path in files:
        if is_parquet(path):
            found = parquet_pieces(path, len(pieces))
            rows += found[-1].end if found else 0
            pieces += found
        else:
            blocks = [next(counted) for _ in nominal[path]]
            rows += max(0, sum(b.newlines for b in blocks) - 1)
            planned = plan_pieces(blocks, len(pieces))
            if len(planned) < len([b for b in blocks if b.end > b.start]):
                log.info("%s: blocks joined where a quoted cell spans a boundary", path)
            pieces += planned
    return pieces, rows


def _run_pieces(client, pieces: list[Piece], settings: Settings
                ) -> tuple[list[PieceResult], list[Problem], pd.DataFrame | None]:
    """Every piece's task, then the ids repeated across pieces: with --keep-going the pieces
    holding a repeat run again without it (the repeats are then among their problems);
    else the repeats are returned as problems. The counts per cell are added up on the
    cluster, when they are wanted."""
    shared = client.scatter(settings, broadcast=True)
    futures = client.map(run_piece, pieces, settings=shared, pure=False)
    _log_progress(futures)
    repeats = _repeated_across_pieces(client, futures, pieces)
    if repeats and settings.keep_going:
        by_piece: dict[int, dict[int, Problem]] = {}
        for problem, index in repeats.items():
            by_piece.setdefault(index, {})[problem.line] = problem
        again = [pieces[i] for i in sorted(by_piece)]
        rerun = client.map(run_piece, again, [shared] * len(again),
                           [by_piece[p.index] for p in again], pure=False)
        futures = [*futures]
        for piece, future in zip(again, rerun, strict=True):
            futures[piece.index] = future
        repeats = {}
    results = client.gather(client.map(_summary, futures))
    cells = None if settings.keep_records else _added_up(client, futures)
    return results, list(repeats), cells


def _added_up(client, futures) -> pd.DataFrame:
    """The pieces' counts per cell added up on the workers, a few at a time, so this
    process receives only the total."""
    level = client.map(_cells_of, futures)
    while len(level) > 1:
        level = [client.submit(aggregates.combine, level[k:k + 4])
                 for k in range(0, len(level), 4)]
    return level[0].result() if level else aggregates.empty()


def _log_progress(futures) -> None:
    from distributed import as_completed

    step = max(1, len(futures) // 10)
    for done, _ in enumerate(as_completed(futures), start=1):
        if done % step == 0 or done == len(futures):
            log.info("pieces read, placed and written: %d of %d", done, len(futures))


def _summary(result: PieceResult) -> PieceResult:
    """What this process gathers of a piece: not its ids nor its counts per cell."""
    return replace(result, ids=IDS_META.iloc[:0], cells=None)


def _cells_of(result: PieceResult) -> pd.DataFrame:
    return result.cells if result.cells is not None else aggregates.empty()


def _ids_of(result: PieceResult) -> pd.DataFrame:
    return result.ids


def _repeated_across_pieces(client, futures, pieces: list[Piece]) -> dict[Problem, int]:
    """{problem: piece} for each row whose id a row of an earlier piece has (the first one
    stays); counted on the cluster, so no process holds every id."""
    import dask.dataframe as dd

    ids = dd.from_delayed(client.map(_ids_of, futures), meta=IDS_META, verify_meta=False)
    counts = ids["event_id"].value_counts(split_out=max(1, len(futures) // 16))
    repeated = set(client.compute(counts[counts > 1]).result().index)
    if not repeated:
        return {}
    rows = client.compute(ids[ids["event_id"].isin(list(repeated))]).result()
    rows = rows.sort_values(["piece", "_line"], kind="stable")
    first: dict[str, tuple[int, int]] = {}
    found: dict[Problem, int] = {}
    for event_id, line, derived, index in rows.itertuples(index=False):
        if event_id not in first:
            first[event_id] = (index, line)
            continue
        earlier_piece, earlier = first[event_id]
        path = pieces[index].path
        if pieces[earlier_piece].path == path:
            problem = repeated_line("incidents", path, line, event_id, derived, earlier)
        else:
            problem = repeated_elsewhere(path, line, event_id, pieces[earlier_piece].path,
                                         earlier)
        found[problem] = index
    return found


def run_piece(piece: Piece, settings: Settings, exclude: Mapping[int, Problem] | None = None
              ) -> PieceResult:
    """One piece, on a worker: read, check, place, write its GeoParquet parts.

    `exclude` names rows to leave out unread, by line, with the problem that says why
    (an id an earlier piece has)."""
    exclude = exclude or {}
    name = piece.path
    rejected: list[Problem] | None = [] if settings.keep_going else None
    try:
        cells, lines, ragged = piece_cells(piece)
        if exclude:
            kept = ~np.isin(lines, list(exclude))
            cells, lines = cells[kept].reset_index(drop=True), lines[kept]
            ragged = [line for line in ragged if line not in exclude]
        blank = set(lines[(cells["event_id"].astype(str).str.strip() == "").to_numpy()]) \
            if "event_id" in cells else set(lines)
        frame = checked_cells(cells, lines, ragged, "incidents", name, rejected)
        frame = without_bad_rows(lambda rows: check_sources(rows, name, settings.source_ids),
                                 frame, rejected)
    except RecordError as err:
        return PieceResult(piece.index, problems=[*(rejected or []), *err.problems,
                                                  *exclude.values()])
    ids = pd.DataFrame({"event_id": frame["event_id"].to_numpy(object),
                        "_line": frame["_line"].to_numpy("int64"),
                        "derived": frame["_line"].isin(blank).to_numpy(bool),
                        "piece": piece.index})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        placed = _place(frame, settings)
    _write_parts(placed.incidents, Path(settings.staging), piece.index)
    counts = placed.provinces[["name", "incidents", "deaths"]]
    return PieceResult(
        piece.index, problems=[*(rejected or []), *exclude.values()], ids=ids,
        unresolved=placed.unresolved, disagreements=placed.disagreements, provinces=counts,
        cells=None if settings.keep_records else aggregates.cell_counts(placed.incidents),
        placed=placed.incidents if settings.keep_records else None,
        warned=[str(w.message) for w in caught])


def _place(frame: pd.DataFrame, settings: Settings) -> Placed:
    provinces, gazetteer = _places()
    return place_records(frame, _no_areas(), gazetteer, provinces, settings.districts,
                         settings.districts_source)


@cache
def _places():
    """Each worker loads the provinces and gazetteer once, from its own cache."""
    from geo.workflow import load_places

    return load_places()


@cache
def _no_areas() -> pd.DataFrame:
    return table_from_rows([], "areas", "")


def _write_parts(incidents: gpd.GeoDataFrame, folder: Path, index: int) -> None:
    """The piece's incidents, one file per year of date_start (hive partitions)."""
    name = f"part-{index:05d}.parquet"
    for old in folder.glob(f"year=*/{name}"):  # a piece run again replaces its own files
        old.unlink()
    if incidents.empty:
        return
    columns = output_columns(incidents, "incidents")
    years = incidents["date_start"].str.slice(0, 4)
    for year, rows in incidents.groupby(years, sort=True):
        target = folder / f"year={year}"
        target.mkdir(exist_ok=True)
        write_geoparquet(rows, target / name, "incidents", columns)


def _publish_dataset(staging: Path, target: Path) -> None:
    """The finished dataset in place of the last one."""
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()  # a one-file incidents.parquet from a single-process export
    staging.rename(target)


def _assemble(results: list[PieceResult], cells: pd.DataFrame | None, inputs: Inputs,
              districts: gpd.GeoDataFrame | None, districts_source: str) -> Placed:
    """The pieces' results and the areas (placed here) as one Placed."""
    provinces, gazetteer = _places()
    incidents_in = table_from_rows([], "incidents", "")
    areas = place_records(incidents_in, inputs.areas, gazetteer, provinces, districts,
                          districts_source)
    _warn_from_workers([w for r in results for w in r.warned])
    problems = [("incidents", p) for r in results for p in r.problems]
    rejected = rejected_table([*_rejected_pairs(inputs.rejected), *problems])
    if problems:
        warnings.warn(f"{len(problems)} incident rows could not be read and were left out "
                      f"(listed in rejected.csv); the first: {problems[0][1]}",
                      LeftOutWarning, stacklevel=3)
    unresolved = pd.concat([*(r.unresolved for r in results if r.unresolved is not None),
                            areas.unresolved], ignore_index=True)
    disagreements = pd.concat([*(r.disagreements for r in results
                                 if r.disagreements is not None), areas.disagreements],
                              ignore_index=True)
    if cells is None:  # records gathered: the one-process result exactly
        kept = [r.placed for r in results if r.placed is not None]
        incidents = _concatenated(kept) if kept else areas.incidents
        counted = province_counts(provinces, incidents, areas.areas)
        return replace(areas, incidents=incidents, provinces=counted, unresolved=unresolved,
                       rejected=rejected, disagreements=disagreements)
    counts = pd.concat([r.provinces for r in results if r.provinces is not None])
    by_name = counts.groupby("name")[["incidents", "deaths"]].sum()
    counted = areas.provinces.copy()
    for column in ("incidents", "deaths"):
        counted[column] = counted["name"].map(by_name[column]).fillna(0).astype(int)
    return replace(areas, provinces=counted, unresolved=unresolved, rejected=rejected,
                   disagreements=disagreements, cells=cells)


def _concatenated(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """The pieces' incidents in the exports' order, dataset extras filled as one load fills
    them (geo.inputs)."""
    combined = pd.concat(frames, ignore_index=True)
    extras = extra_columns(combined.columns, "incidents")
    combined[extras] = combined[extras].fillna("")
    return in_order(combined, "incidents")


def _rejected_pairs(rejected: pd.DataFrame) -> list[tuple[str, Problem]]:
    return [(row["table"], Problem(row["file"], int(row["line"]), row["column"], row["value"],
                                   row["reason"])) for row in rejected.to_dict("records")]


def _warn_from_workers(messages: list[str]) -> None:
    """The workers' warnings, each distinct one once (five at most), here where the CLI
    shows them and --strict stops on them."""
    distinct = list(dict.fromkeys(messages))
    for message in distinct[:5]:
        warnings.warn(message, InputWarning, stacklevel=3)
    if len(distinct) > 5:
        warnings.warn(f"and {len(distinct) - 5} more warnings from the pieces",
                      InputWarning, stacklevel=3)
