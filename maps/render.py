"""Placed records -> a layered, time-filtered Folium map -> one HTML file.

Overlays: provinces shaded by incidents (or deaths) in the time window,
incidents on one canvas, areas reported held; under a LayerControl, with a
legend, attributions, and the time filter that drives all three. By default
the page is self-contained (assets inlined, an offline OpenStreetMap basemap
for the region); `cdn=True` links Leaflet and uses online tiles instead, for a
smaller file used online.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from html import escape

import folium
import geopandas as gpd
import numpy as np
from branca.element import Element
from folium.map import FitBounds
from shapely.geometry import mapping

from geo.pipeline import Placed
from maps.assets import inline_assets
from maps.basemap import OfflineTiles, border_features, region_around
from maps.filters import WINDOW_KEYS, facet_specs
from maps.heading import Heading, default_description, default_title
from maps.layers import RecordLayer
from maps.legend import Legend
from maps.payload import (
    EPOCH,
    area_features,
    cell_payload,
    cell_rows,
    day,
    histogram,
    incident_payload,
)
from maps.popups import province_tooltip
from maps.style import (
    EVENT_COLOURS,
    PROVINCE_COLOURS,
    PROVINCE_DEATH_STEPS,
    PROVINCE_STEPS,
    province_style,
)
from maps.timefilter import Density, IncidentCanvas, TimeFilter

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
ATTRIBUTION = "Provinces, borders: Natural Earth | Places: GeoNames, geoBoundaries (CC BY 4.0)"
# Degrees; about 1 km. Enough for provinces at the zooms the map opens at.
DISPLAY_TOLERANCE = 0.01
# The slider's single day when there are no records at all.
EMPTY_DAY = "2000-01-01"


class IncidentMap(folium.Map):
    """A folium Map that loads only Leaflet: no jQuery, Bootstrap or icon fonts."""

    default_js = [("leaflet", LEAFLET_JS)]  # noqa: RUF012  (folium's own attribute types)
    default_css = [("leaflet_css", LEAFLET_CSS)]  # noqa: RUF012


def build_map(placed: Placed, sources: Mapping[str, Mapping], cdn: bool = False,
              since: str | None = None, until: str | None = None,
              basemap: bool = True, title: str | None = None,
              description: str | None = None) -> folium.Map:
    """The layered, time-filtered map of `placed`; `since`/`until` set the opening window.

    `title` and `description` head the page (defaults: maps.heading, counted from
    the records).
    `sources` ({source_id: row of sources.csv}) gives each record's source title.
    Records outside the opening
    window stay in the page; the filter shows them when the window moves.
    `basemap=False` leaves out the offline tiles and borders (about 1 MB).
    """
    fmap = IncidentMap(location=[31.5, 67.5], zoom_start=5, tiles=None, control_scale=True)
    if cdn:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(fmap)
        folium.TileLayer("CartoDB positron", name="CartoDB Positron").add_to(fmap)
    else:
        Element("<style>.leaflet-container { background: #dfe8ef; }</style>").add_to(
            fmap.get_root().header
        )
        if basemap:
            region = region_around(_bounds(placed))
            OfflineTiles(region=region).add_to(fmap)
            RecordLayer(border_features(region), "Country borders").add_to(fmap)

    names = list(placed.provinces["name"])
    drawn = _incident_rows(placed)
    weights = {"incidents": drawn["incidents"]} if placed.cells is not None else {}
    facets = facet_specs({"incidents": drawn, "areas": placed.areas}, sources, weights)
    provinces = RecordLayer(_province_features(placed.provinces), "Provinces (incidents)")
    areas = RecordLayer(
        area_features(placed.areas, placed.area_outlines, sources, DISPLAY_TOLERANCE, facets),
        "Areas held or used",
    )
    payload = incident_payload(placed.incidents, sources, names, facets) \
        if placed.cells is None else cell_payload(placed.cells, names, facets)
    incidents = IncidentCanvas(payload, EVENT_COLOURS, len(names))
    density = Density(incidents)
    for layer in (provinces, areas, incidents, density):
        layer.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    Legend(ATTRIBUTION).add_to(fmap)

    extent = _extent(drawn, areas.features)
    _add_heading(fmap, placed, extent, title, description)
    TimeFilter(incidents, areas, provinces, density, {
        "extent": extent,
        "initial": [max(extent[0], day(since)) if since else extent[0],
                    min(extent[1], day(until)) if until else extent[1]],
        "histogram": histogram(drawn, weights.get("incidents")),
        "shades": {"incidents": {"steps": PROVINCE_STEPS, "colours": PROVINCE_COLOURS},
                   "deaths": {"steps": PROVINCE_DEATH_STEPS, "colours": PROVINCE_COLOURS}},
        "provinceNames": [escape(n) for n in names],
        "facets": facets,
        "windowKeys": list(WINDOW_KEYS),
    }).add_to(fmap)
    _fit(fmap, placed)
    _stable_ids(fmap)
    return fmap


def _incident_rows(placed: Placed):
    """What the canvas draws: the incidents, or their counts per cell as rows
    (maps.payload.cell_rows) when only the counts are held."""
    return placed.incidents if placed.cells is None else cell_rows(placed.cells)


def _fit(fmap: folium.Map, placed: Placed) -> None:
    west, south, east, north = _bounds(placed)
    fit = FitBounds([[south, west], [north, east]])
    # No zoom animation at load: the incident canvas hides while Leaflet animates a zoom,
    # and clicks in the meantime are lost.
    fit.options["animate"] = False
    fit.add_to(fmap)


def _add_heading(fmap: folium.Map, placed: Placed, extent: list[int], title: str | None,
                 description: str | None) -> None:
    """The page's title (also its <title>) and description; defaults from maps.heading."""
    if title is None:
        years = None if placed.incidents.empty and placed.areas.empty else \
            tuple((EPOCH + dt.timedelta(days=d)).year for d in extent)
        title = default_title(placed, years)
    if description is None:
        description = default_description(placed)
    Element(f"<title>{escape(title)}</title>").add_to(fmap.get_root().header)
    Heading(title, description).add_to(fmap)


def to_html(fmap: folium.Map, cdn: bool = False) -> str:
    """Render the page; self-contained unless `cdn`."""
    html = fmap.get_root().render()
    return html if cdn else inline_assets(html)


def _bounds(placed: Placed) -> tuple[float, float, float, float]:
    """The provinces, widened to take in any record placed beyond them.

    West and east stay within -180..180 even when the records lie on both sides of
    the antimeridian (Fiji at 179.4 and -178.8): Leaflet draws each marker at its
    own longitude, not in a copy of the world, so a box across the antimeridian
    would leave the far side's markers out of the view; the box the long way
    round keeps them all in it. A frame whose points are all missing has NaN
    bounds, which would leave the page with no view at all: skipped.
    """
    boxes = [placed.provinces.total_bounds]
    boxes += [frame.total_bounds for frame in (placed.incidents, placed.areas) if len(frame)]
    boxes = [b for b in boxes if np.isfinite(b).all()]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _extent(incidents, area_features: list[dict]) -> list[int]:
    """First and last day any record covers: the range of the time slider."""
    starts = [f["properties"]["t0"] for f in area_features]
    ends = [f["properties"]["t1"] for f in area_features]
    if len(incidents):  # ISO dates sort as text
        starts.append(day(incidents["date_start"].min()))
        ends.append(day(incidents["date_end"].max()))
    if not starts:
        return [day(EMPTY_DAY), day(EMPTY_DAY)]
    return [min(starts), max(ends)]


def _province_features(provinces: gpd.GeoDataFrame) -> list[dict]:
    """Province outlines; `idx` ties each to the filter's per-province counts."""
    features = []
    for idx, (record, shape) in enumerate(
        zip(provinces.to_dict("records"), provinces.geometry, strict=True)
    ):
        features.append({
            "type": "Feature",
            "id": record["code"],
            "geometry": mapping(shape.simplify(DISPLAY_TOLERANCE)),
            "properties": {
                "idx": idx,
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
