"""The `incident-map` command: the top of the pipeline, records -> geo -> maps and exports.

It lives in `maps` because it is the one place that uses both packages; `geo`
never imports from here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from geo import atomic, export
from geo.districts import DistrictError, read_districts
from geo.extract import Extraction, extract_documents, write_texts
from geo.extract.dates import When, parse_when
from geo.extract.review import apply_review
from geo.gazetteer import load_gazetteer, read_provinces
from geo.inputs import load_inputs
from geo.pipeline import Placed, place_records
from geo.placing import GeocoderSetupError, online_fallback
from geo.records import (
    InputWarning,
    LeftOutWarning,
    Problem,
    RecordError,
    load_table,
)
from geo.schema import ID_COLUMN, column_names
from maps.assets import AssetError
from maps.basemap import BasemapError
from maps.outputs import FORMATS, OutputError, write_accounts, write_outputs
from maps.render import build_map, to_html

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# build writes these besides the map; export writes any of FORMATS.
BUILD_FORMATS = ("geojson", "gpkg", "csv")
EXIT_BAD_INPUT = 2
EXIT_ASSETS = 3
EXIT_LEFT_OUT = 4  # outputs written, but part of the input was left out (see the warnings)
EXIT_WRITE_FAILED = 5


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "districts_name_field", None) and not args.districts:
        parser.error("--districts-name-field only applies with --districts")
    if getattr(args, "user_agent", None) and args.geocoder != "nominatim":
        parser.error("--user-agent only applies with --geocoder nominatim")
    if getattr(args, "scheduler", None) and args.engine != "dask":
        parser.error("--scheduler only applies with --engine dask")
    shown: list[type] = []

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        shown.append(category)
        if issubclass(category, InputWarning):  # one line, like every other message
            print(f"incident-map: warning: {message}", file=sys.stderr)
        else:
            print(warnings.formatwarning(message, category, filename, lineno, line), end="",
                  file=sys.stderr)

    try:
        with warnings.catch_warnings(), _engine(args):
            warnings.showwarning = show
            warnings.simplefilter("error" if getattr(args, "strict", False) else "always",
                                  InputWarning)
            code = args.run(args)
        left_out = any(issubclass(category, LeftOutWarning) for category in shown)
        return EXIT_LEFT_OUT if code == 0 and left_out else code
    except InputWarning as err:
        print(f"incident-map: {err}\nincident-map: --strict: stopped, nothing was written",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecordError as err:
        print(f"incident-map: input rejected, nothing was written:\n{err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (DistrictError, GeocoderSetupError, EngineError) as err:
        print(f"incident-map: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (AssetError, BasemapError) as err:
        print(f"incident-map: {err}", file=sys.stderr)
        return EXIT_ASSETS
    except OutputError as err:
        print(f"incident-map: {err}", file=sys.stderr)
        return EXIT_WRITE_FAILED


@contextmanager
def _engine(args: argparse.Namespace):
    """Connect to Dask for `--engine dask` (args.client), and let go of it afterwards."""
    args.client = None
    if getattr(args, "engine", "single") != "dask":
        yield
        return
    from geo import dask_engine

    _progress(f"connecting to Dask ({args.scheduler or 'a local cluster'})")
    try:
        args.client = dask_engine.connect(args.scheduler)
    except ImportError as err:
        raise EngineError(str(err)) from None
    except (OSError, TimeoutError, ValueError) as err:
        raise EngineError(f"cannot reach the Dask scheduler {args.scheduler}: {err}") from None
    try:
        yield
    finally:
        dask_engine.close(args.client)


class EngineError(RuntimeError):
    """--engine dask asked for, and no scheduler answered."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incident-map",
        description="Map ISKP incidents and claimed-control areas from curated records.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    inputs = argparse.ArgumentParser(add_help=False)  # what build and export both read
    inputs.add_argument("--incidents", type=Path, nargs="+", default=[SEEDS / "incidents.csv"],
                        metavar="CSV",
                        help="incident records: our CSVs, and ACLED, UCDP GED or GTD CSV "
                             "exports, told apart by their header (default: "
                             "seeds/incidents.csv)")
    inputs.add_argument("--areas", type=Path, default=SEEDS / "areas.csv",
                        help="area records CSV (default: seeds/areas.csv)")
    inputs.add_argument("--sources", type=Path, default=SEEDS / "sources.csv",
                        help="source documents CSV (default: seeds/sources.csv)")
    inputs.add_argument("--districts", type=Path, metavar="FILE",
                        help="district polygons (any format geopandas reads, any CRS): fill "
                             "admin2 and draw districts named by areas as polygons")
    inputs.add_argument("--districts-name-field", metavar="FIELD",
                        help="the field holding district names (default: detected)")
    inputs.add_argument("--geocoder", choices=("offline", "nominatim"), default="offline",
                        help="nominatim: ask a Nominatim server for names the offline "
                             "gazetteer cannot place (needs --user-agent; 1 request/s, cached)")
    inputs.add_argument("--user-agent", help="who is asking, for --geocoder nominatim")
    inputs.add_argument("--nominatim-url", default="https://nominatim.openstreetmap.org",
                        help="the Nominatim server (default: %(default)s)")
    inputs.add_argument("--out", type=Path, default=Path("out"),
                        help="output folder (default: out)")
    inputs.add_argument("--keep-going", action="store_true",
                        help="map the files and rows that can be read, list the rest in "
                             "rejected.csv and exit 4 (default: any bad input is an error, "
                             "exit 2, nothing written)")
    inputs.set_defaults(docs=None)

    running = argparse.ArgumentParser(add_help=False)  # how strict, and where heavy steps run
    running.add_argument("--strict", action="store_true",
                        help="stop at any warning (a repaired polygon, a skipped document) "
                             "instead of going on; nothing is written")
    running.add_argument("--engine", choices=("single", "dask"), default="single",
                        help="dask: run the province join (dask-geopandas) and document "
                             "extraction (dask bag) on a Dask cluster; same results "
                             "(default: single process)")
    running.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --engine dask: the scheduler to use, e.g. "
                             "tcp://host:8786 (default: a local cluster, one worker per core)")

    docs = argparse.ArgumentParser(add_help=False)  # what extract and build --docs read
    docs.add_argument("--published", type=_published, metavar="DATE",
                      help="publication date (YYYY-MM-DD, YYYY-MM or YYYY) for documents that "
                           "state none, to resolve 'last year' and dates without a year")
    docs.add_argument("--review", type=Path, action="append", metavar="CSV",
                      help="an extracted incidents.csv or areas.csv an analyst has corrected: "
                           "its rows replace the extraction's (repeat for both files)")
    docs.add_argument("--encoding", metavar="NAME",
                      help="read documents in this encoding (default: UTF-8, or UTF-16 with a "
                           "byte-order mark)")

    build = commands.add_parser(
        "build", parents=[inputs, docs, running],
        help="records -> map.html, GeoJSON, GeoPackage and CSV in --out")
    build.add_argument("--since", type=_iso_date, metavar="DATE",
                       help="open the map's time window at this date (YYYY-MM-DD); "
                            "all records stay in the page and the exports")
    build.add_argument("--until", type=_iso_date, metavar="DATE",
                       help="close the opening time window at this date (YYYY-MM-DD)")
    build.add_argument("--no-basemap", dest="basemap", action="store_false",
                       help="leave the offline tiles and borders out of map.html (about 1 MB)")
    build.add_argument("--cdn", action="store_true",
                       help="link Leaflet from a CDN and add OpenStreetMap tiles (needs network)")
    build.add_argument("--docs", type=Path, nargs="+", metavar="FILE",
                       help="also extract records from these documents and map them with the "
                            "curated ones (documents listed in --sources keep their id and date)")
    build.set_defaults(run=run_build)

    extract = commands.add_parser(
        "extract", parents=[docs, running],
        help="documents -> incidents.csv and areas.csv (+ GeoJSON) with the sentence behind "
             "each record")
    extract.add_argument("files", type=Path, nargs="+", metavar="FILE",
                         help="documents: plain text, PDF (its text layer) or saved web "
                              "pages (their main text)")
    extract.add_argument("--out", type=Path, required=True, help="output folder")
    extract.add_argument("--sources", type=Path, metavar="CSV",
                         help="a sources.csv: documents listed there (by file name) keep their "
                              "source id and publication date")
    extract.set_defaults(run=run_extract)

    export = commands.add_parser(
        "export", parents=[inputs, running],
        help="records -> GeoJSON, GeoPackage, CSV and KML in --out, filtered by date")
    export.add_argument("--format", choices=(*FORMATS, "all"), default="all",
                        help="which format to write (default: all)")
    export.add_argument("--since", type=_iso_date, metavar="DATE",
                        help="keep records reported on or after this date (YYYY-MM-DD)")
    export.add_argument("--until", type=_iso_date, metavar="DATE",
                        help="keep records reported on or before this date (YYYY-MM-DD)")
    export.set_defaults(run=run_export)

    geocode = commands.add_parser("geocode", help="look a place name up in the offline gazetteer")
    geocode.add_argument("name")
    geocode.add_argument("--country", help="ISO 3166-1 alpha-2 code to search within")
    geocode.add_argument("--all", action="store_true", help="every candidate, best first")
    geocode.set_defaults(run=run_geocode)
    return parser


def run_build(args: argparse.Namespace) -> int:
    placed, sources, texts = _place(args)
    _progress("rendering map")
    fmap = build_map(placed, sources, cdn=args.cdn, since=args.since, until=args.until,
                     basemap=args.basemap)
    html = to_html(fmap, cdn=args.cdn)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic.write_text(args.out / "map.html", html)
    _progress("writing GeoJSON, GeoPackage and CSV")
    write_outputs(placed, args.out, sources, BUILD_FORMATS)
    write_texts(texts, args.out)
    _report(placed, args.out)
    return 0


def run_export(args: argparse.Namespace) -> int:
    placed, sources, _ = _place(args)
    chosen = placed.between(args.since, args.until, sources)
    args.out.mkdir(parents=True, exist_ok=True)
    formats = FORMATS if args.format == "all" else (args.format,)
    written = write_outputs(chosen, args.out, sources, formats)
    if args.since or args.until:
        print(f"window {args.since or 'start'} to {args.until or 'end'}: "
              f"{len(chosen.incidents)} of {len(placed.incidents)} incidents, "
              f"{len(chosen.areas)} of {len(placed.areas)} areas")
    print("wrote " + ", ".join(p.name for p in written))
    _report(placed, args.out)
    return 0


def _report(placed: Placed, out: Path) -> None:
    print(placed.summary())
    if len(placed.unresolved):
        print(f"unresolved records are listed in {out / 'unresolved.csv'}")


def _place(args: argparse.Namespace) -> tuple[Placed, dict, dict[str, str]]:
    """Load, validate, extract (--docs), geocode and join: what build and export share.

    Returns the placed records, the sources by id, and the extracted documents' texts.
    """
    inputs = load_inputs(args.incidents, args.areas, args.sources, args.keep_going, _progress)
    for note in inputs.notes:
        print(f"incident-map: note: {note}", file=sys.stderr)
    sources, incidents, areas = inputs.sources, inputs.incidents, inputs.areas
    provinces = gazetteer = None
    texts: dict[str, str] = {}
    if args.docs:
        provinces, gazetteer = _gazetteer()
        extraction = _extract(args.docs, args, gazetteer, sources)
        if extraction is None:
            raise RecordError([Problem(str(p), 0, "", "", "could not be read (see above)")
                               for p in args.docs])
        for frame in (extraction.incidents, extraction.areas):
            frame["_line"] = None  # not from a CSV: unresolved.csv names them by id and file
        incidents = pd.concat([incidents, extraction.incidents], ignore_index=True)
        areas = pd.concat([areas, extraction.areas], ignore_index=True)
        sources = pd.concat([sources, extraction.sources], ignore_index=True)
        texts = extraction.texts

    districts = None
    if args.districts:
        districts = read_districts(args.districts, args.districts_name_field)
    fallback = None
    if args.geocoder == "nominatim":
        fallback = online_fallback(args.user_agent or "", args.nominatim_url)

    if gazetteer is None:
        provinces, gazetteer = _gazetteer()
    _progress(f"placing {len(incidents) + len(areas)} records")
    placed = place_records(incidents, areas, gazetteer, provinces, districts,
                           districts_source=args.districts.name if args.districts else "",
                           fallback=fallback, join_engine=_join_engine(args),
                           rejected=inputs.rejected)
    return placed, {row["source_id"]: row for row in sources.to_dict("records")}, texts


def _join_engine(args: argparse.Namespace):
    """The spatial join on the Dask cluster with --engine dask; None: in this process."""
    if args.client is None:
        return None
    from geo.dask_engine import join_engine_on

    return join_engine_on(args.client)


def _gazetteer():
    _progress("loading gazetteer (first run builds its cache: about 20 s)")
    provinces = read_provinces()
    return provinces, load_gazetteer(provinces=provinces)


def run_extract(args: argparse.Namespace) -> int:
    known = load_table(args.sources, "sources") if args.sources else None
    provinces, gazetteer = _gazetteer()
    extraction = _extract(args.files, args, gazetteer, known)
    if extraction is None:
        print("incident-map: no document could be read; nothing was written", file=sys.stderr)
        return EXIT_BAD_INPUT
    _progress(f"placing {len(extraction.incidents) + len(extraction.areas)} records")
    placed = place_records(extraction.incidents, extraction.areas, gazetteer, provinces,
                           join_engine=_join_engine(args))
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for table, frame in (("incidents", placed.incidents), ("areas", placed.areas)):
        columns = column_names(table)
        records = _with_unplaced(frame, getattr(extraction, table), table)
        written.append(export.write_csv(records, args.out / f"{table}.csv", columns))
        written.append(export.write_geojson(frame, args.out / f"{table}.geojson", columns,
                                            id_column=columns[0]))
    written.append(export.write_csv(extraction.sources, args.out / "sources.csv",
                                    column_names("sources")))
    written += write_accounts(placed, args.out)
    texts = write_texts(extraction.texts, args.out)
    if extraction.left_out is not None:
        written.append(export.write_csv(extraction.left_out, args.out / "not_in_review.csv",
                                        list(extraction.left_out.columns)))
    print("wrote " + ", ".join(p.name for p in written) +
          (f" and {len(texts)} texts in {args.out / 'texts'}" if texts else ""))
    print(f"documents: {len(args.files)} given, {len(args.files) - len(extraction.failed)} "
          f"read; " + placed.summary())
    return 0


def _extract(paths: list[Path], args: argparse.Namespace, gazetteer,
             known: pd.DataFrame | None) -> Extraction | None:
    """Extract records from `paths`, apply any review; None when no document was read."""
    known_sources = {r["source_id"]: r for r in known.to_dict("records")} if known is not None \
        else None
    mapper = None
    if args.client is not None:
        from geo.dask_engine import bag_mapper

        _progress(f"extracting {len(paths)} documents on Dask")
        mapper = bag_mapper(args.client)
    extraction = extract_documents(paths, gazetteer, published=args.published,
                                   known_sources=known_sources, encoding=args.encoding,
                                   progress=_document_progress, mapper=mapper)
    for message in extraction.failed:
        warnings.warn(f"skipped {message}", LeftOutWarning, stacklevel=1)
    for note in extraction.notes:
        print(f"incident-map: note: {note}", file=sys.stderr)
    if len(extraction.failed) == len(paths):
        return None
    left_out = []
    for path in args.review or []:
        table = _review_table(path)
        reviewed = load_table(path, table)
        beside = path.parent / "sources.csv"
        documents = set(load_table(beside, "sources")["file"]) if beside.exists() else set()
        result = apply_review(getattr(extraction, table), reviewed, table, documents)
        setattr(extraction, table, result.records)
        if len(result.left_out):
            left_out.append(result.left_out.assign(table=table))
        print(f"review {path}: {result.kept} reviewed {table} kept; {len(result.left_out)} "
              f"extracted {table} of reviewed documents are not in it and were left out")
        extraction.sources = _with_review_sources(extraction.sources, reviewed, path)
    if left_out:
        extraction.left_out = pd.concat(left_out, ignore_index=True).reindex(
            columns=["table", "event_id", "area_id", "source_file", "quote_start", "summary"])
    return extraction


def _review_table(path: Path) -> str:
    """"incidents" or "areas", from the id column in the file's header."""
    try:
        header = path.read_text(encoding="utf-8-sig").split("\n", 1)[0]
    except (OSError, UnicodeDecodeError) as err:
        raise RecordError([Problem(str(path), 0, "", "", f"cannot be read ({err})")]) from None
    names = [h.strip() for h in header.split(",")]
    for table, id_col in ID_COLUMN.items():
        if id_col in names:
            return table
    raise RecordError([Problem(str(path), 1, "", "", "is neither an incidents nor an areas "
                               "table (no event_id or area_id column)")])


def _with_review_sources(sources: pd.DataFrame, reviewed: pd.DataFrame,
                         path: Path) -> pd.DataFrame:
    """Sources of reviewed rows from other runs, read from the sources.csv beside the file."""
    missing = set(reviewed["source_id"]) - set(sources["source_id"])
    if not missing:
        return sources
    beside = path.parent / "sources.csv"
    if not beside.exists():
        raise RecordError([Problem(str(path), 0, "source_id", ", ".join(sorted(missing)),
                                   f"is not a document of this run and {beside} is missing: "
                                   "keep the review file with the sources.csv written with it")])
    older = load_table(beside, "sources")
    older = older[older["source_id"].isin(missing)]
    return pd.concat([sources, older], ignore_index=True)


def _with_unplaced(placed: pd.DataFrame, extracted: pd.DataFrame, table: str) -> pd.DataFrame:
    """Every extracted record: the placed ones as placed, the rest as extracted."""
    id_col = ID_COLUMN[table]
    unplaced = extracted[~extracted[id_col].isin(set(placed[id_col]))]
    records = pd.concat([pd.DataFrame(placed.drop(columns="geometry")), unplaced],
                        ignore_index=True)
    return records.sort_values(["source_file", "quote_start"],
                               kind="stable").reset_index(drop=True)


def run_geocode(args: argparse.Namespace) -> int:
    gazetteer = load_gazetteer()
    found = gazetteer.candidates(args.name, args.country.upper() if args.country else None)
    rows = [
        {
            "name": c.place.name, "country": c.place.country, "admin1": c.place.admin1,
            "admin2": c.place.admin2, "kind": c.place.kind,
            "feature_code": c.place.feature_code, "latitude": c.place.latitude,
            "longitude": c.place.longitude, "geo_precision": c.place.geo_precision,
            "geonameid": c.place.geonameid, "source": c.place.source,
            "score": c.score, "matched": c.matched, "rank": rank,
        }
        for rank, c in enumerate(found, start=1)
    ]
    if not rows:
        print(json.dumps({"query": args.name, "match": None}))
        return 1
    result = rows if args.all else rows[0]
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _iso_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _progress(message: str) -> None:
    print(f"incident-map: {message}...", file=sys.stderr, flush=True)


def _document_progress(n: int, total: int, path: str) -> None:
    """One line per document on a terminal (overwritten); about 20 lines in a log."""
    if sys.stderr.isatty():
        end = "\n" if n == total else ""
        print(f"\rincident-map: extracting [{n}/{total}] {path[-60:]:<60}", end=end,
              file=sys.stderr, flush=True)
    elif n == 1 or n == total or n % max(1, total // 20) == 0:
        print(f"incident-map: extracting [{n}/{total}] {path}", file=sys.stderr, flush=True)


def _published(text: str) -> When:
    when = parse_when(text)
    if when is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    return when


if __name__ == "__main__":
    sys.exit(main())
