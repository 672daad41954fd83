"""The files `build` and `export` write, in every format, from one set of placed records.

GeoJSON, GeoPackage and CSV come from geo.export; KML, which Google Earth
renders as HTML, from maps.kml. Every format gets the same records, so a
filter applies to all alike.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from geo import __version__, export
from geo.pipeline import Placed
from geo.schema import (
    COLUMNS,
    DISAGREEMENT_COLUMNS,
    PROVINCE_COLUMNS,
    RECONCILIATION_COLUMNS,
    REJECTED_COLUMNS,
    UNRESOLVED_COLUMNS,
    output_columns,
)
from maps.kml import write_kml

FORMATS = ("geojson", "gpkg", "csv", "kml")
# Records from which each format is written by its own process.
PARALLEL_FROM = 100_000
LICENCES = (
    "Provinces and borders: Natural Earth (public domain). Places: GeoNames (CC BY 4.0), "
    "geoBoundaries (CC BY 4.0), OpenStreetMap Nominatim (ODbL) where --geocoder nominatim "
    "was used. Records: summaries by incident-map curators; facts from the sources listed."
)


def write_outputs(placed: Placed, out: Path, sources: Mapping[str, Mapping],
                  formats: Iterable[str]) -> list[Path]:
    """Write `placed` in each of `formats` into `out`, and always the accounts (write_accounts).

    From `PARALLEL_FROM` records on, each format is written by a process of
    its own (see `_run`), so the formats share the machine's cores.
    """
    formats = set(formats)
    jobs: list[tuple[list[Path], Callable[[], object]]] = []
    tables = {"incidents": placed.incidents, "areas": placed.areas}
    if "geojson" in formats:
        def geojson() -> None:
            for table, frame in tables.items():
                columns = output_columns(frame, table)
                export.write_geojson(frame, out / f"{table}.geojson", columns,
                                     id_column=columns[0])
            export.write_geojson(placed.provinces, out / "provinces.geojson",
                                 list(PROVINCE_COLUMNS), id_column="code")
        jobs.append(([out / f"{t}.geojson" for t in (*tables, "provinces")], geojson))
    if "csv" in formats:
        def csv() -> None:
            for table, frame in tables.items():
                export.write_csv(frame, out / f"{table}.csv", output_columns(frame, table))
        jobs.append(([out / f"{t}.csv" for t in tables], csv))
    if "gpkg" in formats:
        layers = {table: (frame, output_columns(frame, table)) for table, frame in tables.items()}
        layers["provinces"] = (placed.provinces, list(PROVINCE_COLUMNS))
        dates = {t: [c.name for c in COLUMNS[t] if c.kind == "date"] for t in tables}
        jobs.append(([out / "incidents.gpkg"], lambda: export.write_gpkg(
            out / "incidents.gpkg", layers, gpkg_metadata(placed, sources), dates)))
    if "kml" in formats:
        jobs.append(([out / "incidents.kml"], lambda: write_kml(
            out / "incidents.kml", placed.incidents, placed.areas, sources)))
    _run([job for _, job in jobs], len(placed.incidents) >= PARALLEL_FROM)
    return [path for paths, _ in jobs for path in paths] + write_accounts(placed, out)


def write_accounts(placed: Placed, out: Path) -> list[Path]:
    """Where every record not placed went, and the sum: unresolved.csv (read, not placed),
    rejected.csv (not read), reconciliation.csv; and disagreements.csv (placed, in another
    province than their input names). Written on every run, empty but for the header when
    nothing is there, so a script can read them without asking first."""
    return [export.write_csv(placed.unresolved, out / "unresolved.csv", list(UNRESOLVED_COLUMNS)),
            export.write_csv(placed.rejected, out / "rejected.csv", list(REJECTED_COLUMNS)),
            export.write_csv(placed.disagreements, out / "disagreements.csv",
                             list(DISAGREEMENT_COLUMNS)),
            export.write_csv(placed.reconciliation(), out / "reconciliation.csv",
                             list(RECONCILIATION_COLUMNS))]


class OutputError(RuntimeError):
    """A format could not be written; the process that tried said why on stderr."""


def _run(jobs: list[Callable[[], object]], parallel: bool) -> None:
    """Run the writers here, or each in a forked process when `parallel` (Linux only).

    A forked process starts with the records already in memory, shared until
    written to, so nothing is copied or pickled; on 2 cores the three exports
    of a million records take about half the time.
    """
    if not parallel or len(jobs) < 2 or sys.platform != "linux":
        for job in jobs:
            job()
        return
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=job) for job in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if any(worker.exitcode != 0 for worker in workers):
        raise OutputError("an export could not be written (see the error above)")


def gpkg_metadata(placed: Placed, sources: Mapping[str, Mapping]) -> dict[str, str]:
    """What a GIS user needs to cite the file: sources, licences, the tool and version."""
    used = sorted(set(placed.incidents["source_id"]) | set(placed.areas["source_id"]))
    cited = "; ".join(
        f"{s['title']} ({s['publisher']}, {s['published']}; file {s['file']})"
        for s in (sources[i] for i in used if i in sources)
    )
    return {
        "TITLE": "incident-map: incidents, areas and provinces",
        "SOURCES": cited,
        "LICENCES": LICENCES,
        "TOOL": f"incident-map {__version__}",
    }
