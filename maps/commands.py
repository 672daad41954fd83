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
from geo.export import FORMATS, write_accounts, write_extraction, write_outputs
from geo.extract import write_texts
from geo.gazetteer import load_gazetteer
from geo.pipeline import Placed
from geo.placing import online_fallback
from geo.postgis import publish
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
    write_outputs(run.placed, args.out, run.sources, _formats(BUILD_FORMATS))
    write_texts(run.texts, args.out)
    _report(run.placed, args.out)
    return 0


def run_export(args: argparse.Namespace) -> int:
    run = _place(args)
    placed, chosen = run.placed, run.placed.between(args.since, args.until, run.sources)
    args.out.mkdir(parents=True, exist_ok=True)
    written = write_outputs(chosen, args.out, run.sources,
                            _formats(EXPORT_FORMATS if args.format == "all" else (args.format,)))
    if args.since or args.until:
        print(f"window {args.since or 'start'} to {args.until or 'end'}: "
              f"{len(chosen.incidents)} of {len(placed.incidents)} incidents, "
              f"{len(chosen.areas)} of {len(placed.areas)} areas")
    print("wrote " + ", ".join(p.name for p in written))
    _report(placed, args.out)
    return 0


def run_publish(args: argparse.Namespace) -> int:
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
    fallback = online_fallback(args.user_agent or "", args.nominatim_url) \
        if args.geocoder == "nominatim" else None
    run = place_files(args.incidents, args.areas, args.sources, args.keep_going,
                      _documents(args, args.docs) if args.docs else None, args.districts,
                      args.districts_name_field, fallback, args.client)
    _reviews(run)
    return run


def _documents(args: argparse.Namespace, files: list[Path]) -> Documents:
    return Documents(files, args.published, args.review or (), args.encoding)


def _reviews(run: Run) -> None:
    for done in run.reviews:
        print(f"review {done.path}: {done.kept} reviewed {done.table} kept; {done.left_out} "
              f"extracted {done.table} of reviewed documents are not in it and were left out")


def _formats(names) -> list:
    return [fmt for name, fmt in EXPORT_FORMATS.items() if name in set(names)]


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
