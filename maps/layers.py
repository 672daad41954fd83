"""RecordLayer: a Leaflet layer drawn from GeoJSON whose features carry their own look.

folium's Popup builds its content with jQuery inside a JS template literal, so
document text containing `${...}` would run as code. Here each feature carries
ready, escaped popup and tooltip HTML and its path style as JSON data; the
template only reads them. One class serves areas, provinces and borders.
"""

from __future__ import annotations

import json

from folium.map import Layer
from jinja2 import Template


def script_json(data) -> str:
    """JSON that is safe inside a <script> element: no "<" at all, so no text from a
    document can close the element or open a comment there."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("<", "\\u003c")


class RecordLayer(Layer):
    """An overlay of features; each feature's properties hold `style`, `popup`, `tooltip`.

    A point feature with `radius_m` becomes a circle of that many metres (an
    approximate area); other points become circle markers (style.radius in pixels).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
    pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        if (p.radius_m) {
            return L.circle(latlng, Object.assign({}, p.style, {radius: p.radius_m}));
        }
        return L.circleMarker(latlng, p.style);
    },
    style: function (feature) {
        var style = Object.assign({}, feature.properties.style);
        if (feature.properties.radius_m) { delete style.radius; }
        return style;
    },
    onEachFeature: function (feature, layer) {
        var p = feature.properties;
        if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 380}); }
        if (p.tooltip) { layer.bindTooltip(p.tooltip, {sticky: true}); }
    }
});
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""
    )

    def __init__(self, features: list[dict], name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "RecordLayer"
        self.features = features
        self.data = script_json({"type": "FeatureCollection", "features": features})
