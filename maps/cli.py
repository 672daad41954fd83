"""The `incident-map` command: its options (argparse) and its exit codes.

It lives in `maps` because it is the one place that uses both packages; `geo`
never imports from here. What each command does is maps.commands; how it
speaks (log records and warnings as lines) is maps.messages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from contextlib import nullcontext
from pathlib import Path

from geo.dask_engine import EngineError, connected
from geo.dask_pipeline import MAP_RECORDS
from geo.districts import DistrictError
from geo.export import OutputError
from geo.extract.dates import When, parse_when
from geo.extract.limits import Limits
from geo.partitions import BLOCK_BYTES
from geo.placing import GeocoderSetupError
from geo.postgis import PublishError
from geo.records import InputWarning, LeftOutWarning, RecordError
from maps.assets import AssetError
from maps.basemap import BasemapError
from maps.commands import (
    EXPORT_FORMATS,
    NothingRead,
    run_build,
    run_export,
    run_extract,
    run_geocode,
    run_publish,
    run_setup,
)
from maps.messages import speaking

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
EXIT_BAD_INPUT = 2
EXIT_ASSETS = 3
EXIT_LEFT_OUT = 4  # outputs written, but part of the input was left out (see the warnings)
EXIT_WRITE_FAILED = 5
# What each error a run may raise exits with, and the words before its message.
FAILURES = (((RecordError,), EXIT_BAD_INPUT, "input rejected, nothing was written:\n"),
            ((DistrictError, GeocoderSetupError, EngineError, NothingRead), EXIT_BAD_INPUT, ""),
            ((AssetError, BasemapError), EXIT_ASSETS, ""),
            ((OutputError, PublishError), EXIT_WRITE_FAILED, ""))


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "districts_name_field", None) and not args.districts:
        parser.error("--districts-name-field only applies with --districts")
    if getattr(args, "user_agent", None) and args.geocoder != "nominatim":
        parser.error("--user-agent only applies with --geocoder nominatim")
    if getattr(args, "scheduler", None) and args.engine != "dask":
        parser.error("--scheduler only applies with --engine dask")
    if args.run is run_export and args.engine == "dask" and (args.since or args.until):
        parser.error("export --engine dask writes every record: filter the dataset it writes "
                     "(incidents.parquet/) by date instead of --since/--until")
    try:
        dask = getattr(args, "engine", "single") == "dask"
        with speaking(getattr(args, "strict", False)) as shown, \
                (connected(args.scheduler) if dask else nullcontext()) as args.client:
            code = args.run(args)
        left_out = any(issubclass(category, LeftOutWarning) for category in shown)
        return EXIT_LEFT_OUT if code == 0 and left_out else code
    except InputWarning as err:
        print(f"incident-map: {err}\nincident-map: --strict: stopped, nothing was written",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except tuple(kind for kinds, _, _ in FAILURES for kind in kinds) as err:
        code, prefix = next((c, p) for kind, c, p in FAILURES if isinstance(err, kind))
        print(f"incident-map: {prefix}{err}", file=sys.stderr)
        return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incident-map",
        description="Map ISKP incidents and claimed-control areas from curated records.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    inputs, running, docs = _input_options(), _running_options(), _document_options()
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
    build.add_argument("--title", metavar="TEXT",
                       help="the page's title (default: counted from the records, e.g. "
                            "'ISKP incidents and held areas, 2015-2018, from 2 sources')")
    build.add_argument("--description", metavar="TEXT",
                       help="the line under the title (default: how many records, what "
                            "hollow markers mean, how many could not be mapped)")
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
        help="records -> GeoJSON, CSV, GeoPackage (+ QGIS project), GeoParquet, FlatGeobuf "
             "and KML in --out, filtered by date")
    export.add_argument("--format", choices=(*EXPORT_FORMATS, "all"), default="all",
                        help="which format to write (default: all)")
    export.add_argument("--since", type=_iso_date, metavar="DATE",
                        help="keep records reported on or after this date (YYYY-MM-DD)")
    export.add_argument("--until", type=_iso_date, metavar="DATE",
                        help="keep records reported on or before this date (YYYY-MM-DD)")
    export.set_defaults(run=run_export)

    _publish_command(commands, [inputs, running])

    _tool_commands(commands)
    return parser


def _publish_command(commands, parents: list[argparse.ArgumentParser]) -> None:
    """publish: the inputs build reads, the database, and whether gone records go."""
    publish = commands.add_parser(
        "publish", parents=parents,
        help="records -> PostGIS tables incidents, areas, provinces and sources, updated in "
             "place (one transaction)")
    publish.add_argument("--db", required=True, metavar="DSN",
                         help="the database, e.g. postgresql://user@host:5432/name; a "
                              "password is best left to PGPASSWORD or ~/.pgpass")
    publish.add_argument("--prune", action="store_true",
                         help="delete rows whose records are no longer in the input "
                              "(default: report them and keep them)")
    publish.set_defaults(run=run_publish)


def _tool_commands(commands) -> None:
    """The commands that read no records: geocode and setup."""
    geocode = commands.add_parser("geocode", help="look a place name up in the offline gazetteer")
    geocode.add_argument("name")
    geocode.add_argument("--country", help="ISO 3166-1 alpha-2 code to search within")
    geocode.add_argument("--all", action="store_true", help="every candidate, best first")
    geocode.set_defaults(run=run_geocode)

    setup = commands.add_parser(
        "setup", help="fetch, once, the pinned Leaflet, borders and offline tiles an installed "
                      "package needs (a checkout has them from `make install`)")
    setup.add_argument("--data", type=Path, metavar="DIR",
                       help="where to put them (default: INCIDENT_MAP_DATA, else "
                            "~/.local/share/incident-map)")
    setup.set_defaults(run=run_setup)


def _input_options() -> argparse.ArgumentParser:
    """What build and export both read, and where they write."""
    inputs = argparse.ArgumentParser(add_help=False)
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
    return inputs


def _running_options() -> argparse.ArgumentParser:
    """How strict a run is, and where its heavy steps run."""
    running = argparse.ArgumentParser(add_help=False)
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
    running.add_argument("--partition-mb", type=_positive, default=BLOCK_BYTES // 2**20,
                        metavar="MB",
                        help="build/export --engine dask: MB of CSV per task "
                             "(default: %(default)s)")
    running.add_argument("--map-records", type=_positive, default=MAP_RECORDS, metavar="N",
                        help="build/export --engine dask: above N input rows the map carries "
                             "counts per grid cell and month instead of records, and only "
                             "GeoParquet holds the records (default: %(default)s)")
    return running


def _document_options() -> argparse.ArgumentParser:
    """What extract and build --docs read documents with."""
    docs = argparse.ArgumentParser(add_help=False)
    docs.add_argument("--published", type=_published, metavar="DATE",
                      help="publication date (YYYY-MM-DD, YYYY-MM or YYYY) for documents that "
                           "state none, to resolve 'last year' and dates without a year")
    docs.add_argument("--review", type=Path, action="append", metavar="CSV",
                      help="an extracted incidents.csv or areas.csv an analyst has corrected: "
                           "its rows replace the extraction's (repeat for both files)")
    docs.add_argument("--encoding", metavar="NAME",
                      help="read documents in this encoding (default: UTF-8, or UTF-16 with a "
                           "byte-order mark or told by its NUL bytes)")
    # What one document may cost (geo.extract.limits): a document over a limit is skipped
    # with a line naming it, like an unreadable file (--strict stops the run there).
    limits = Limits()
    docs.add_argument("--max-document-mb", type=_above_zero, default=limits.document_mb,
                      metavar="MB", help="skip a document file larger than this "
                                         "(default: %(default)s)")
    docs.add_argument("--max-text-mb", type=_above_zero, default=limits.text_mb, metavar="MB",
                      help="skip a document whose text is longer than this, counted in "
                           "characters (default: %(default)s)")
    docs.add_argument("--max-decompressed-mb", type=_above_zero, default=limits.decompressed_mb,
                      metavar="MB",
                      help="skip a PDF whose compressed streams inflate past this, in all or "
                           "in one (a decompression bomb; default: %(default)s)")
    docs.add_argument("--max-document-seconds", type=_above_zero, default=limits.seconds,
                      metavar="S", help="stop reading a document after this many seconds "
                                        "and skip it (default: %(default)s)")
    return docs


def _above_zero(text: str) -> float:
    """A limit: any number above 0 (0.5 MB is a limit as good as 50)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return value


def _iso_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _published(text: str) -> When:
    when = parse_when(text)
    if when is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    return when


if __name__ == "__main__":
    sys.exit(main())
