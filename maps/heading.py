"""The page's heading: a title and a line saying what the map holds.

A map passed on as a file or a screenshot must say what it shows without its
sender: which records, which years, how many sources. `build --title` and
`--description` set the words; the defaults are counted from the records.
"""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

from geo.aggregates import CELL_DEGREES
from geo.pipeline import Placed
from maps.layers import script_json


def default_title(placed: Placed, years: tuple[int, int] | None) -> str:
    """'ISKP incidents and held areas, 2015-2018, from 2 sources'."""
    title = "ISKP incidents and held areas"
    if years:
        title += f", {years[0]}" + (f"-{years[1]}" if years[1] != years[0] else "")
    count = len(_source_ids(placed))
    if count:
        title += f", from {count} source" + ("s" if count != 1 else "")
    return title


def default_description(placed: Placed) -> str:
    """How many records, what the marks mean, and where the records not mapped went."""
    text = (f"{placed.placed_rows('incidents'):,} incidents and {len(placed.areas):,} areas "
            "reported held or used, each from a named source. Hollow markers and dashed shapes "
            "are approximate places.")
    if placed.cells is not None:
        text += (f" Incidents are counted per {CELL_DEGREES}\u00b0 square, month and type; "
                 "each record is in incidents.parquet.")
    missing = len(placed.unresolved) + len(placed.rejected)
    if missing:
        text += f" {missing:,} records could not be mapped: see unresolved.csv and rejected.csv."
    return text


def _source_ids(placed: Placed) -> set[str]:
    ids: set[str] = set()
    for frame in (placed.incidents, placed.areas):
        if len(frame):
            ids |= set(frame["source_id"].dropna().astype(str))
    return ids


class Heading(MacroElement):
    """A top-left control above the zoom buttons with the title and the description,
    set as text (never parsed as HTML)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map) {
    var heading = L.control({position: "topleft"});
    heading.onAdd = function () {
        var div = L.DomUtil.create("div", "im-heading"), el = IncidentMapLib.util.el;
        div.appendChild(el("h1", null, {{ this.title }}));
        if ({{ this.description }}) { div.appendChild(el("p", null, {{ this.description }})); }
        return div;
    };
    if (map.zoomControl) { map.zoomControl.remove(); }
    heading.addTo(map);
    if (map.zoomControl) { map.zoomControl.addTo(map); }
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, title: str, description: str):
        super().__init__()
        self._name = "Heading"
        self.title = script_json(title)
        self.description = script_json(description)
