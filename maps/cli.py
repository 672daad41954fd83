"""The `incident-map` command: the top of the pipeline, records -> geo -> maps and exports.

It lives in `maps` because it is the one place that uses both packages; `geo`
never imports from here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from geo.districts import DistrictError, read_districts
from geo.gazetteer import load_gazetteer, read_provinces
from geo.geocode import GeocoderSetupError, online_fallback
from geo.pipeline import Placed, place_records
from geo.records import RecordError, check_sources, load_table
from maps.assets import AssetError
from maps.basemap import BasemapError
from maps.outputs import FORMATS, write_outputs
from maps.render import build_map, to_html

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# build writes these besides the map; export writes any of FORMATS.
BUILD_FORMATS = ("geojson", "gpkg", "csv")
EXIT_BAD_INPUT = 2
EXIT_ASSETS = 3


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "districts_name_field", None) and not args.districts:
        parser.error("--districts-name-field only applies with --districts")
    if getattr(args, "user_agent", None) and args.geocoder != "nominatim":
        parser.error("--user-agent only applies with --geocoder nominatim")
    try:
        return args.run(args)
    except RecordError as err:
        print(f"incident-map: input rejected, nothing was written:\n{err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (DistrictError, GeocoderSetupError) as err:
        print(f"incident-map: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (AssetError, BasemapError) as err:
        print(f"incident-map: {err}", file=sys.stderr)
        return EXIT_ASSETS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incident-map",
        description="Map ISKP incidents and claimed-control areas from curated records.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    inputs = argparse.ArgumentParser(add_help=False)  # what build and export both read
    inputs.add_argument("--incidents", type=Path, default=SEEDS / "incidents.csv",
                        help="incident records CSV (default: seeds/incidents.csv)")
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

    build = commands.add_parser(
        "build", parents=[inputs],
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
    build.set_defaults(run=run_build)

    export = commands.add_parser(
        "export", parents=[inputs],
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
    placed, sources = _place(args)
    _progress("rendering map")
    fmap = build_map(placed, sources, cdn=args.cdn, since=args.since, until=args.until,
                     basemap=args.basemap)
    html = to_html(fmap, cdn=args.cdn)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "map.html").write_text(html, encoding="utf-8")
    write_outputs(placed, args.out, sources, BUILD_FORMATS)
    _report(placed, args.out)
    return 0


def run_export(args: argparse.Namespace) -> int:
    placed, sources = _place(args)
    chosen = placed.within(args.since, args.until, sources)
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


def _place(args: argparse.Namespace) -> tuple[Placed, dict]:
    """Load, validate, geocode and join: what build and export share."""
    sources, incidents, areas = _load_all(args)

    districts = None
    if args.districts:
        districts = read_districts(args.districts, args.districts_name_field)
    fallback = None
    if args.geocoder == "nominatim":
        fallback = online_fallback(args.user_agent or "", args.nominatim_url)

    _progress("loading gazetteer (first run builds its cache: about 20 s)")
    provinces = read_provinces()
    gazetteer = load_gazetteer(provinces=provinces)
    _progress(f"placing {len(incidents) + len(areas)} records")
    placed = place_records(incidents, areas, gazetteer, provinces, districts,
                           districts_source=args.districts.name if args.districts else "",
                           fallback=fallback)
    return placed, {row["source_id"]: row for row in sources.to_dict("records")}


def _load_all(args: argparse.Namespace) -> tuple:
    """The three tables, or one error listing the problems of all of them."""
    tables, problems = {}, []
    for table, path in (("sources", args.sources), ("incidents", args.incidents),
                        ("areas", args.areas)):
        try:
            tables[table] = load_table(path, table)
        except RecordError as err:
            problems += err.problems
    for table, path in (("incidents", args.incidents), ("areas", args.areas)):
        if table in tables and "sources" in tables:
            try:
                check_sources(tables[table], path, tables["sources"])
            except RecordError as err:
                problems += err.problems
    if problems:
        raise RecordError(problems)
    return tables["sources"], tables["incidents"], tables["areas"]


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


if __name__ == "__main__":
    sys.exit(main())
