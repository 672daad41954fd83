"""Placed records -> a layered Folium map -> one HTML file.

Three overlays (provinces shaded by incident count, incidents, reported areas)
under a LayerControl, a legend, and attributions. By default the page is
self-contained (assets inlined, no tiles); `cdn=True` links the assets and adds
an OpenStreetMap tile layer instead, for a smaller file used online.
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element
from shapely.geometry import mapping

from geo.pipeline import Placed
from maps.assets import inline_assets
from maps.layers import RecordLayer
from maps.legend import Legend
from maps.popups import (
    area_popup,
    area_tooltip,
    incident_popup,
    incident_tooltip,
    province_tooltip,
)
from maps.style import AREA_RADIUS_M, area_style, incident_style, province_style

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
ATTRIBUTION = (
    "Provinces: Natural Earth (public domain) | Places: GeoNames (CC BY 4.0), "
    "geoBoundaries (CC BY 4.0) | Records: incident-map seeds"
)
TITLE = "incident-map: ISKP incidents and areas"
# Degrees; about 1 km. Enough for provinces at the zooms the map opens at.
DISPLAY_TOLERANCE = 0.01


class IncidentMap(folium.Map):
    """A folium Map that loads only Leaflet: no jQuery, Bootstrap or icon fonts."""

    default_js = [("leaflet", LEAFLET_JS)]  # noqa: RUF012  (folium's own attribute types)
    default_css = [("leaflet_css", LEAFLET_CSS)]  # noqa: RUF012


def build_map(placed: Placed, sources: pd.DataFrame, cdn: bool = False) -> folium.Map:
    """The layered map for `placed` records; `sources` gives each record's source title."""
    by_source = {row["source_id"]: row for row in sources.to_dict("records")}
    fmap = IncidentMap(
        location=[31.5, 67.5], zoom_start=5, tiles=None, prefer_canvas=False,
        control_scale=True,
    )
    if cdn:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(fmap)
    else:
        Element("<style>.leaflet-container { background: #dfe8ef; }</style>").add_to(
            fmap.get_root().header
        )
    Element(f"<title>{TITLE}</title>").add_to(fmap.get_root().header)
    RecordLayer(_province_features(placed.provinces), "Provinces (incidents)").add_to(fmap)
    RecordLayer(_area_features(placed.areas, placed.area_outlines, by_source),
                "Areas held or used").add_to(fmap)
    RecordLayer(_incident_features(placed.incidents, by_source), "Incidents",
                fan_out=True).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    Legend(ATTRIBUTION).add_to(fmap)
    bounds = placed.provinces.total_bounds
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    _stable_ids(fmap)
    return fmap


def to_html(fmap: folium.Map, cdn: bool = False) -> str:
    """Render the page; self-contained unless `cdn`."""
    html = fmap.get_root().render()
    return html if cdn else inline_assets(html)


def _incident_features(incidents: gpd.GeoDataFrame, sources: Mapping) -> list[dict]:
    features = []
    for record, point in zip(incidents.to_dict("records"), incidents.geometry, strict=True):
        features.append({
            "type": "Feature",
            "id": record["event_id"],
            "geometry": mapping(point),
            "properties": {
                "style": incident_style(record["event_type"], record["fatalities"],
                                        int(record["geo_precision"])),
                "popup": incident_popup(record, sources),
                "tooltip": incident_tooltip(record),
            },
        })
    return features


def _area_features(areas: gpd.GeoDataFrame, outlines: Mapping, sources: Mapping) -> list[dict]:
    """Areas with an outline (province, district) draw it; others a circle: 'about here'."""
    features = []
    for record, point in zip(areas.to_dict("records"), areas.geometry, strict=True):
        precision = int(record["geo_precision"])
        properties = {
            "style": area_style(record["status"]),
            "popup": area_popup(record, sources),
            "tooltip": area_tooltip(record),
        }
        if record["area_id"] in outlines:
            geometry = outlines[record["area_id"]].simplify(DISPLAY_TOLERANCE)
        else:
            geometry = point
            properties["radius_m"] = AREA_RADIUS_M[precision]
        features.append({"type": "Feature", "id": record["area_id"],
                         "geometry": mapping(geometry), "properties": properties})
    return features


def _province_features(provinces: gpd.GeoDataFrame) -> list[dict]:
    features = []
    for record, shape in zip(provinces.to_dict("records"), provinces.geometry, strict=True):
        features.append({
            "type": "Feature",
            "id": record["code"],
            "geometry": mapping(shape.simplify(DISPLAY_TOLERANCE)),
            "properties": {
                "style": province_style(int(record["incidents"])),
                "tooltip": province_tooltip(record),
            },
        })
    return features


def _stable_ids(fmap: folium.Map) -> None:
    """Give every element a counter-based id so the same input renders the same bytes."""
    counter = 0

    def visit(element) -> None:
        nonlocal counter
        element._id = f"{counter:08x}"
        counter += 1
        for child in element._children.values():
            visit(child)

    visit(fmap.get_root())
