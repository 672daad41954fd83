"""The files `build` and `export` write, in every format, from one set of placed records.

GeoJSON, GeoPackage and CSV come from geo.export; KML, which Google Earth
renders as HTML, from maps.kml. Every format gets the same records, so a
filter applies to all alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from geo import __version__, export
from geo.pipeline import Placed
from geo.schema import COLUMNS, PROVINCE_COLUMNS, UNRESOLVED_COLUMNS, output_columns
from maps.kml import write_kml

FORMATS = ("geojson", "gpkg", "csv", "kml")
LICENCES = (
    "Provinces and borders: Natural Earth (public domain). Places: GeoNames (CC BY 4.0), "
    "geoBoundaries (CC BY 4.0), OpenStreetMap Nominatim (ODbL) where --geocoder nominatim "
    "was used. Records: summaries by incident-map curators; facts from the sources listed."
)


def write_outputs(placed: Placed, out: Path, sources: Mapping[str, Mapping],
                  formats: Iterable[str]) -> list[Path]:
    """Write `placed` in each of `formats` into `out`, and always unresolved.csv."""
    formats = set(formats)
    written = []
    tables = {"incidents": placed.incidents, "areas": placed.areas}
    if "geojson" in formats:
        for table, frame in tables.items():
            columns = output_columns(frame, table)
            written.append(export.write_geojson(frame, out / f"{table}.geojson", columns,
                                                id_column=columns[0]))
        written.append(export.write_geojson(placed.provinces, out / "provinces.geojson",
                                            list(PROVINCE_COLUMNS), id_column="code"))
    if "csv" in formats:
        for table, frame in tables.items():
            written.append(export.write_csv(frame, out / f"{table}.csv",
                                            output_columns(frame, table)))
    if "gpkg" in formats:
        layers = {table: (frame, output_columns(frame, table)) for table, frame in tables.items()}
        layers["provinces"] = (placed.provinces, list(PROVINCE_COLUMNS))
        dates = {t: [c.name for c in COLUMNS[t] if c.kind == "date"] for t in tables}
        written.append(export.write_gpkg(out / "incidents.gpkg", layers,
                                         gpkg_metadata(placed, sources), dates))
    if "kml" in formats:
        written.append(write_kml(out / "incidents.kml", placed.incidents, placed.areas, sources))
    written.append(export.write_csv(placed.unresolved, out / "unresolved.csv",
                                    list(UNRESOLVED_COLUMNS)))
    return written


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
