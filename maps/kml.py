"""KML for Google Earth: a placemark per record, the popup as its description.

KML is a presentation format (Google Earth renders each description as HTML),
so it lives with the map: the description is the same escaped popup HTML the
areas layer uses, and a TimeSpan per placemark drives Google Earth's own time
slider.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from geo.atomic import write_text
from geo.export import Format
from geo.pipeline import Placed
from geo.timewindow import held_until
from maps.popups import area_popup, incident_popup
from maps.style import AREA_COLOURS, EVENT_COLOURS


def _kml_colour(hex_rgb: str, alpha: str = "ff") -> str:
    """KML writes colours as aabbggrr."""
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{alpha}{b}{g}{r}"


def _styles() -> list[str]:
    out = []
    for name, colour in [*EVENT_COLOURS.items(), *AREA_COLOURS.items()]:
        out.append(
            f'<Style id="{name}"><IconStyle><color>{_kml_colour(colour)}</color>'
            "<scale>0.8</scale></IconStyle></Style>"
        )
    return out


def _placemark(name: str, style: str, description: str, begin: str, end: str,
               lon: float, lat: float, record_id: str) -> str:
    return (
        f'<Placemark id="{escape(record_id, {chr(34): "&quot;"})}">'
        f"<name>{escape(name)}</name><styleUrl>#{style}</styleUrl>"
        f"<description>{escape(description)}</description>"
        f"<TimeSpan><begin>{begin}</begin><end>{end}</end></TimeSpan>"
        f"<Point><coordinates>{lon:.6f},{lat:.6f}</coordinates></Point></Placemark>"
    )


def write_kml(placed: Placed, path: str | Path, sources: Mapping[str, Mapping]) -> Path:
    """Incidents and areas as two folders of placemarks in one KML file."""
    incidents, areas = placed.incidents, placed.areas
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
             "<name>incident-map</name>", *_styles(), "<Folder><name>Incidents</name>"]
    for record in incidents.to_dict("records"):
        parts.append(_placemark(
            f"{record['event_type'].replace('_', ' ')}: {record['place']}",
            record["event_type"], incident_popup(record, sources),
            record["date_start"], record["date_end"],
            record["longitude"], record["latitude"], record["event_id"]))
    parts.append("</Folder><Folder><name>Areas held or used</name>")
    for record in areas.to_dict("records"):
        parts.append(_placemark(
            f"{record['name']} ({record['status'].replace('_', ' ')})",
            record["status"], area_popup(record, sources),
            record["date_start"], held_until(record, sources),
            record["longitude"], record["latitude"], record["area_id"]))
    parts.append("</Folder></Document></kml>")
    return write_text(path, "\n".join(parts) + "\n")


# The fourth output format, beside geo.export.FORMATS.
KML = Format(("incidents.kml",),
             lambda placed, out, sources: write_kml(placed, out / "incidents.kml", sources))
