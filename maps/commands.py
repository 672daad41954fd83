"""What each command does with its parsed options, step by step.

geo.workflow places the records (loading, extraction, review, geocoding, the
joins), maps.render draws them, geo.export writes them; these functions put
the steps in order and print what was written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from geo import atomic
from geo.dask_engine import EngineError
from geo.dask_pipeline import DATASET, place_partitioned
from geo.districts import read_districts
from geo.export import (
    FORMATS,
    PARTITIONED_PARQUET,
    WITHOUT_INCIDENTS,
    write_accounts,
    write_extraction,
    write_outputs,
)
from geo.extract import Limits, write_texts
from geo.gazetteer import load_gazetteer
from geo.pipeline import Placed
from geo.placing import online_fallback
from geo.postgis import check_database, publish
from geo.workflow import Documents, Run, extract_files, place_files
from maps.fetch import fetch_assets
from maps.kml import KML
from maps.messages import progress
from maps.qgis import GPKG_WITH_PROJECT
from maps.render import build_map, to_html

# geo.export's formats, the GeoPackage with its QGIS project beside it, and KML.
EXPORT_FORMATS = {**FORMATS, "gpkg": GPKG_WITH_PROJECT, "kml": KML}
BUILD_FORMATS = ("geojson", "gpkg", "csv")  # build writes these beside the map
PLACE_FIELDS = ("name", "country", "admin1", "admin2", "kind", "feature_code", "latitude",
                "longitude", "geo_precision", "geonameid", "source")


class NothingRead(RuntimeError):
    """`extract` was given documents and could read none of them."""


def run_build(args: argparse.Namespace) -> int:
    run = _place(args)
    progress("rendering map")
    fmap = build_map(run.placed, run.sources, cdn=args.cdn, since=args.since,
                     until=args.until, basemap=args.basemap, title=args.title,
                     description=args.description)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic.write_text(args.out / "map.html", to_html(fmap, cdn=args.cdn))
    progress("writing GeoJSON, GeoPackage and CSV")
    write_outputs(run.placed, args.out, run.sources, _formats(BUILD_FORMATS, run.placed, args))
    write_texts(run.texts, args.out)
    _report(run.placed, args.out)
    return 0


def run_export(args: argparse.Namespace) -> int:
    run = _place(args)
    placed, chosen = run.placed, run.placed.between(args.since, args.until, run.sources)
    args.out.mkdir(parents=True, exist_ok=True)
    written = write_outputs(chosen, args.out, run.sources,
                            _formats(EXPORT_FORMATS if args.format == "all" else (args.format,),
                                     placed, args))
    if args.since or args.until:
        print(f"window {args.since or 'start'} to {args.until or 'end'}: "
              f"{len(chosen.incidents)} of {len(placed.incidents)} incidents, "
              f"{len(chosen.areas)} of {len(placed.areas)} areas")
    print("wrote " + ", ".join(p.name for p in written))
    _report(placed, args.out)
    return 0


def run_publish(args: argparse.Namespace) -> int:
    check_database(args.db)  # before placing: a database that cannot take it says so now
    run = _place(args)
    progress("publishing to the database")
    changes = publish(run.placed, run.sources, args.db, prune=args.prune)
    for table in changes:
        print(table.summary())
    print(f"{sum(t.changes for t in changes)} rows changed")
    args.out.mkdir(parents=True, exist_ok=True)
    write_accounts(run.placed, args.out)
    _report(run.placed, args.out)
    return 0


def run_extract(args: argparse.Namespace) -> int:
    run = extract_files(_documents(args, args.files), args.sources, args.client)
    if run is None:
        raise NothingRead("no document could be read; nothing was written")
    _reviews(run)
    args.out.mkdir(parents=True, exist_ok=True)
    written = write_extraction(run.placed, args.out, run.extraction)
    texts = write_texts(run.texts, args.out)
    print("wrote " + ", ".join(p.name for p in written) +
          (f" and {len(texts)} texts in {args.out / 'texts'}" if texts else ""))
    print(f"documents: {len(args.files)} given, {run.extraction.documents_read} read; "
          + run.placed.summary())
    return 0


def _place(args: argparse.Namespace) -> Run:
    """What build and export share: the records placed, as the options say."""
    if args.engine == "dask" and args.run in (run_build, run_export):
        return _place_partitioned(args)
    fallback = online_fallback(args.user_agent or "", args.nominatim_url) \
        if args.geocoder == "nominatim" else None
    run = place_files(args.incidents, args.areas, args.sources, args.keep_going,
                      _documents(args, args.docs) if args.docs else None, args.districts,
                      args.districts_name_field, fallback, args.client)
    _reviews(run)
    return run


def _place_partitioned(args: argparse.Namespace) -> Run:
    """--engine dask: every step on the cluster, piece by piece (geo.dask_pipeline)."""
    if args.docs:
        raise EngineError("build --engine dask reads record files, not documents: run "
                          "`incident-map extract --engine dask` first and give its incidents.csv")
    if args.geocoder != "offline":
        raise EngineError("--engine dask places names with the offline gazetteer only: "
                          "--geocoder nominatim asks one server at 1 request/s")
    polygons = read_districts(args.districts, args.districts_name_field) \
        if args.districts else None
    args.out.mkdir(parents=True, exist_ok=True)
    progress("reading, placing and writing the incidents on the cluster")
    placed, sources = place_partitioned(
        args.client, args.incidents, args.areas, args.sources, args.out, args.keep_going,
        polygons, args.districts.name if args.districts else "",
        block_bytes=args.partition_mb * 2**20, map_records=args.map_records)
    print(f"wrote {DATASET}/ ({len(list((args.out / DATASET).rglob('*.parquet')))} files)")
    return Run(placed, sources)


def _documents(args: argparse.Namespace, files: list[Path]) -> Documents:
    limits = Limits(document_mb=args.max_document_mb, text_mb=args.max_text_mb,
                    decompressed_mb=args.max_decompressed_mb, seconds=args.max_document_seconds)
    return Documents(files, args.published, args.review or (), args.encoding, limits)


def _reviews(run: Run) -> None:
    for done in run.reviews:
        print(f"review {done.path}: {done.kept} reviewed {done.table} kept; {done.left_out} "
              f"extracted {done.table} of reviewed documents are not in it and were left out")


def _formats(names, placed: Placed, args: argparse.Namespace) -> list:
    """The formats asked for. With --engine dask the incidents' GeoParquet is the dataset
    the workers wrote; when only their counts are held, the formats that need the records
    are left out, and their files from an earlier run removed."""
    chosen = {name: fmt for name, fmt in EXPORT_FORMATS.items() if name in set(names)}
    if args.engine == "dask" and "parquet" in chosen:
        chosen["parquet"] = PARTITIONED_PARQUET
    if "incidents" in placed.held:
        return list(chosen.values())
    left = [name for name in chosen if name not in WITHOUT_INCIDENTS]
    if left:
        print(f"not written, as the records are too many to hold in one process: "
              f"{', '.join(left)} (the records are in {DATASET}/; ogr2ogr converts it)")
    for name in {f for fmt in EXPORT_FORMATS.values() for f in fmt.files}:
        if name.startswith("incidents.") and name != DATASET:
            (args.out / name).unlink(missing_ok=True)
    return [fmt for name, fmt in chosen.items() if name in WITHOUT_INCIDENTS]


def _report(placed: Placed, out: Path) -> None:
    print(placed.summary())
    if len(placed.unresolved):
        print(f"unresolved records are listed in {out / 'unresolved.csv'}")


def run_geocode(args: argparse.Namespace) -> int:
    found = load_gazetteer().candidates(args.name,
                                        args.country.upper() if args.country else None)
    rows = [{**{name: getattr(c.place, name) for name in PLACE_FIELDS},
             "score": c.score, "matched": c.matched, "rank": rank}
            for rank, c in enumerate(found, start=1)]
    if not rows:
        print(json.dumps({"query": args.name, "match": None}))
        return 1
    print(json.dumps(rows if args.all else rows[0], ensure_ascii=False, indent=2))
    return 0


def run_setup(args: argparse.Namespace) -> int:
    for path in fetch_assets(args.data, progress=print):
        print(f"ready: {path}")
    return 0
