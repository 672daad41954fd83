"""Legend: one panel explaining every symbol, built from the same tables as the markers."""

from __future__ import annotations

from html import escape

from branca.element import MacroElement
from jinja2 import Template

from geo.schema import GEO_PRECISION_LABELS
from maps.layers import script_json
from maps.style import (
    AREA_COLOURS,
    DENSITY,
    EVENT_COLOURS,
    GROUPS,
    PROVINCE_COLOURS,
    PROVINCE_STEPS,
)

CSS = """
.im-legend { background: rgba(255,255,255,0.94); padding: 6px 9px; font: 11px/1.3 sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35); max-height: 60vh; overflow-y: auto; }
.im-legend summary { cursor: pointer; font-weight: 600; }
.im-legend h4 { margin: 6px 0 3px; font-size: 12px; }
.im-legend i { display: inline-block; width: 11px; height: 11px; margin-right: 5px;
  vertical-align: -1px; border-radius: 50%; }
.im-legend i.box { border-radius: 0; border: 1px solid #666; }
.im-legend i.hollow { background: transparent !important; border: 2px dashed #333; }
.im-legend .im-columns { display: grid; grid-template-columns: 1fr 1fr; column-gap: 8px; }
.im-legend i.area { border-radius: 2px; border: 2px dashed; opacity: 0.9; }
.popup h4 { margin: 0 0 4px; font-size: 13px; }
.popup table.record th { text-align: left; padding-right: 8px; vertical-align: top;
  font-weight: 600; white-space: nowrap; }
.popup p.summary { margin: 6px 0 0; }
@media print { .im-legend { max-height: none; overflow: visible; } }
"""


def legend_html() -> str:
    """The legend's HTML; every colour comes from maps.style."""
    parts = ["<details open><summary>Legend</summary>", "<h4>Incidents (colour: type)</h4>",
             '<div class="im-columns">']
    parts += [
        f'<div><i style="background:{colour}"></i>{escape(kind.replace("_", " "))}</div>'
        for kind, colour in EVENT_COLOURS.items()
    ]
    parts.append("</div>")
    parts.append("<h4>Marker</h4>")
    parts.append("<div>size grows with the stated death toll</div>")
    parts.append('<div><i style="background:#555"></i>filled: the place itself</div>')
    parts.append('<div><i class="hollow"></i>hollow, dashed: approximate place</div>')
    parts.append(f"<div>&nbsp;&nbsp;({escape(GEO_PRECISION_LABELS[2])},</div>")
    parts.append(f"<div>&nbsp;&nbsp;{escape(GEO_PRECISION_LABELS[3])} or country)</div>")
    parts.append(f'<div><i style="background:{GROUPS["colour"]}"></i>numbered: that many '
                 "incidents,</div><div>&nbsp;&nbsp;grouped while too many are in view; "
                 "click to zoom in</div>")
    parts.append("<h4>Areas reported held or used</h4>")
    parts += [
        f'<div><i class="area" style="border-color:{colour};background:{colour}33"></i>'
        f'{escape(status.replace("_", " "))}</div>'
        for status, colour in AREA_COLOURS.items()
    ]
    parts.append("<div>circles and outlines are approximate extents</div>")
    parts.append("<h4>Provinces (incidents)</h4>")
    bounds = [*PROVINCE_STEPS[1:], None]
    for low, high, colour in zip(PROVINCE_STEPS, bounds, PROVINCE_COLOURS, strict=True):
        parts.append(f'<div><i class="box" style="background:{colour}"></i>'
                     f"{_range_label(low, high)}</div>")
    parts.append("<div>a point placed only to its country counts in none</div>")
    parts.append("<h4>Density of incidents (off at first)</h4><div>")
    parts += [f'<i class="box" style="background:{colour}"></i>' for colour in DENSITY["colours"]]
    parts.append(f"</div><div>fewest to most in a {DENSITY['cell']}-pixel square, against "
                 "the busiest square in view</div>")
    parts.append("</details>")
    return "".join(parts)


def _range_label(low: int, high: int | None) -> str:
    """'0', '2-3', '8+': the counts one colour step covers."""
    if high is None:
        return f"{low}+"
    return f"{low}" if high == low + 1 else f"{low}-{high - 1}"


class Legend(MacroElement):
    """A bottom-left Leaflet control with the legend, and the data attributions."""

    _template = Template(
        """
{% macro header(this, kwargs) %}
<style>{{ this.css }}</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomleft"});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create("div", "im-legend");
    div.innerHTML = {{ this.html }};
    L.DomEvent.disableScrollPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.attribution }});
{% endmacro %}
"""
    )

    def __init__(self, attribution: str):
        super().__init__()
        self._name = "Legend"
        self.css = CSS
        self.html = script_json(legend_html())
        self.attribution = script_json(attribution)
