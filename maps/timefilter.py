"""The time filter: one control that drives every layer, and the incident canvas it drives.

folium's TimestampedGeoJson is not a layer (no LayerControl, a slider per
layer) and re-renders every feature at each step; this filter keeps incidents
as columns sorted by date on one canvas, adds and removes only the areas that
change, and recolours provinces for the window. Like a folium plugin, this
file holds the classes, their templates and their asset list; the JS and CSS
are ours (maps/static/) and are always inlined.
"""

from __future__ import annotations

from pathlib import Path

from branca.element import Element, MacroElement
from folium.map import Layer
from jinja2 import Template

from maps.layers import script_json
from maps.style import RADIUS

STATIC = Path(__file__).resolve().parent / "static"
# The files this plugin adds to the page, inlined in the header once.
ASSETS = (
    ("incidentmap_css", STATIC / "incidentmap.css"),
    ("incidentmap_js", STATIC / "incidentmap.js"),
)


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

    def __init__(self, payload: dict, colours: list[str], provinces: int, name: str = "Incidents"):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "IncidentCanvas"
        self.data = script_json(payload)
        self.options = script_json({"colours": colours, "provinces": provinces,
                                    "radius": RADIUS})

    def render(self, **kwargs):
        add_assets(self.get_root())
        super().render(**kwargs)


class TimeFilter(MacroElement):
    """The control: date range, play, modes, histogram, totals; and window.incidentMap."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = IncidentMapLib.start({{ this._parent.get_name() }}, Object.assign(
    {{ this.options }},
    {incidents: {{ this.incidents }}, areas: {{ this.areas }}, provinces: {{ this.provinces }}}
));
{% endmacro %}
"""
    )

    def __init__(self, incidents: Layer, areas: Layer, provinces: Layer, options: dict):
        super().__init__()
        self._name = "TimeFilter"
        self._layers = (incidents, areas, provinces)
        self.options = script_json(options)

    def render(self, **kwargs):
        self.incidents, self.areas, self.provinces = (layer.get_name() for layer in self._layers)
        add_assets(self.get_root())
        super().render(**kwargs)
