"""RecordLayer: a Leaflet layer drawn from GeoJSON whose features carry their own look.

folium's Popup builds its content with jQuery inside a JS template literal, so
document text containing `${...}` would run as code. Here each feature carries
ready, escaped popup and tooltip HTML and its path style as JSON data; the
template only reads them. One class serves incidents, areas and provinces.
"""

from __future__ import annotations

import json

from folium.map import Layer
from jinja2 import Template


def script_json(data) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


class RecordLayer(Layer):
    """An overlay of features; each feature's properties hold `style`, `popup`, `tooltip`.

    Point features become circle markers (style.radius in pixels) or, when the
    feature has `radius_m`, circles of that many metres: an approximate area.
    With `fan_out`, circle markers that share a point are spread in a ring.
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
{% if this.fan_out %}
(function (layer, map) {
    // Markers at one point are fanned out in a small ring, in screen pixels, so
    // each can be seen and clicked; the ring is laid out again at every zoom.
    var stacks = {};
    layer.eachLayer(function (marker) {
        if (marker instanceof L.Circle || !(marker instanceof L.CircleMarker)) { return; }
        var home = marker.feature.geometry.coordinates;
        var key = home[0] + "," + home[1];
        (stacks[key] = stacks[key] || []).push(marker);
    });
    function fan() {
        Object.keys(stacks).forEach(function (key) {
            var stack = stacks[key];
            if (stack.length < 2) { return; }
            var home = stack[0].feature.geometry.coordinates;
            var centre = map.latLngToLayerPoint([home[1], home[0]]);
            var ring = 8 + 4 * stack.length;
            stack.forEach(function (marker, i) {
                var angle = 2 * Math.PI * i / stack.length;
                var offset = L.point(ring * Math.sin(angle), -ring * Math.cos(angle));
                marker.setLatLng(map.layerPointToLatLng(centre.add(offset)));
            });
        });
    }
    map.on("zoomend", fan);
    fan();
})({{ this.get_name() }}, {{ this._parent.get_name() }});
{% endif %}
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""
    )

    def __init__(self, features: list[dict], name: str, show: bool = True, fan_out: bool = False):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "RecordLayer"
        self.fan_out = fan_out
        self.features = features
        self.data = script_json({"type": "FeatureCollection", "features": features})
