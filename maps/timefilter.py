"""The time filter: one control that drives every layer, and the incident canvas it drives.

folium's TimestampedGeoJson is not a layer (no LayerControl, a slider per
layer) and re-renders every feature at each step; this filter keeps incidents
as columns sorted by date on one canvas, adds and removes only the areas that
change, and recolours provinces for the window. Like a folium plugin, this
file holds the classes, their templates and their asset list; the JS and CSS
are ours (maps/static/) and are always inlined, in the order of `ASSETS`.

Everything the page's script knows of the records comes from Python: the
packed columns and type codes in the payload (maps.payload), the colours,
marker looks, radius rule and groups in the canvas options (maps.style), and
the steps, speeds and province shades in the filter's options.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from branca.element import Element, MacroElement
from folium.map import Layer
from jinja2 import Template

from maps.layers import script_json
from maps.style import DENSITY, EXACT_PRECISION, GROUPS, MARKER_LOOKS, RADIUS

STATIC = Path(__file__).resolve().parent / "static"
# The files this plugin adds to the page, inlined in the header once, in this order:
# the shared namespace and helpers, then one component a file.
ASSETS = (
    ("incidentmap_css", STATIC / "incidentmap.css"),
    ("incidentmap_js", STATIC / "incidentmap.js"),        # IncidentMapLib: shared helpers
    ("incidentcanvas_js", STATIC / "incidentcanvas.js"),  # the canvas incident layer
    ("density_js", STATIC / "density.js"),                # the density layer over it
    ("filters_js", STATIC / "filters.js"),                # the attribute filters' panel
    ("download_js", STATIC / "download.js"),              # the records in view as files
    ("timefilter_js", STATIC / "timefilter.js"),          # the time-filter control
    ("pageapi_js", STATIC / "pageapi.js"),                # window.incidentMap, and start()
)
# Days each step of the play button moves the window, in the order the select offers them.
STEPS = {"week": 7, "month": 30, "quarter": 91, "year": 365}
FIRST_STEP = "month"
# Play speeds: multiples of one step per PLAY_MS milliseconds.
SPEEDS = ("0.5x", "1x", "2x", "4x")
FIRST_SPEED = "1x"
PLAY_MS = 800


def add_assets(figure) -> None:
    """Inline our JS and CSS in the page header, once however many elements need them."""
    for name, path in ASSETS:
        text = path.read_text(encoding="utf-8")
        tag = "style" if path.suffix == ".css" else "script"
        figure.header.add_child(Element(f"<{tag}>{text}</{tag}>"), name=name)


class IncidentCanvas(Layer):
    """Incidents drawn on one canvas from compact columns (see maps.payload)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = new IncidentMapLib.IncidentCanvas({{ this.data }}, {{ this.options }});
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""
    )

    def __init__(self, payload: dict, colours: Mapping[str, str], provinces: int,
                 name: str = "Incidents"):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "IncidentCanvas"
        self.data = script_json(payload)
        self.options = script_json({"colours": dict(colours), "provinces": provinces,
                                    "radius": RADIUS, "exact": EXACT_PRECISION,
                                    "looks": MARKER_LOOKS, "groups": GROUPS})

    def render(self, **kwargs):
        add_assets(self.get_root())
        super().render(**kwargs)


class Density(Layer):
    """Where the incidents of the window and filters are thickest; off until chosen in the
    layer control. It counts what the incident canvas shows, so it follows every step."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = new IncidentMapLib.Density({{ this.incidents }}, {{ this.options }});
{% endmacro %}
"""
    )

    def __init__(self, incidents: IncidentCanvas, name: str = "Density of incidents"):
        super().__init__(name=name, overlay=True, control=True, show=False)
        self._name = "Density"
        self._incidents = incidents
        self.options = script_json(DENSITY)

    def render(self, **kwargs):
        self.incidents = self._incidents.get_name()
        add_assets(self.get_root())
        super().render(**kwargs)


class TimeFilter(MacroElement):
    """The control: date range, play, modes, histogram, totals, the attribute filters
    (maps.filters) and the download; and window.incidentMap."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = IncidentMapLib.start({{ this._parent.get_name() }}, Object.assign(
    {{ this.options }},
    {incidents: {{ this.incidents }}, areas: {{ this.areas }}, provinces: {{ this.provinces }},
     density: {{ this.density }}}
));
{% endmacro %}
"""
    )

    def __init__(self, incidents: Layer, areas: Layer, provinces: Layer, density: Layer,
                 options: dict):
        super().__init__()
        self._name = "TimeFilter"
        self._layers = (incidents, areas, provinces, density)
        self.options = script_json({
            "steps": STEPS, "step": FIRST_STEP, "speeds": list(SPEEDS), "speed": FIRST_SPEED,
            "playMs": PLAY_MS, **options})

    def render(self, **kwargs):
        self.incidents, self.areas, self.provinces, self.density = (
            layer.get_name() for layer in self._layers)
        add_assets(self.get_root())
        super().render(**kwargs)
