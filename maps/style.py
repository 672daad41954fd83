"""How records look on the map: colours, sizes and the marks of approximate places.

Kept apart from the layers so the legend is built from the same tables the
markers are drawn with, and cannot drift from them.
"""

from __future__ import annotations

import math

from geo.records import is_missing
from geo.schema import AREA_STATUSES, EVENT_TYPES

EVENT_COLOURS = dict(
    zip(
        EVENT_TYPES,
        (
            "#b2182b",  # suicide_attack
            "#e66101",  # bombing
            "#d6604d",  # armed_assault
            "#5e3c99",  # airstrike
            "#8073ac",  # clash
            "#67001f",  # mass_killing
            "#2166ac",  # arrest
            "#1b7837",  # recruitment
            "#5aae61",  # propaganda
            "#01665e",  # allegiance
            "#404040",  # leader_killed
            "#4393c3",  # surrender
            "#878787",  # other
        ),
        strict=True,
    )
)
AREA_COLOURS = dict(
    zip(AREA_STATUSES, ("#7f0000", "#e08214", "#b35806", "#542788"), strict=True)
)
# Radius in metres of the circle drawn for an area known only as a point.
AREA_RADIUS_M = {1: 4_000, 2: 12_000, 3: 40_000, 4: 150_000}
PROVINCE_STEPS = (0, 1, 2, 4, 8)
PROVINCE_DEATH_STEPS = (0, 1, 10, 50, 200)
PROVINCE_COLOURS = ("#f7f7f7", "#fee5d9", "#fcae91", "#fb6a4a", "#cb181d")


# Marker radius in pixels: base + per_sqrt_death * sqrt(deaths), at most `most`; an
# unknown toll keeps the base. The page's canvas reads the same numbers.
RADIUS = {"base": 5.0, "per_sqrt_death": 2.0, "most": 24.0}
# A place of this geo_precision is drawn filled ("exact"); any coarser one hollow and
# dashed ("approximate"): fill opacity, outline width in pixels, and dash pattern.
EXACT_PRECISION = 1
MARKER_LOOKS = {
    "exact": {"fillOpacity": 0.8, "weight": 1.5, "dash": []},
    "approximate": {"fillOpacity": 0.12, "weight": 2.5, "dash": [4, 3]},
}
# More than `limit` incidents in view are drawn as counted groups: one per `cell`-pixel
# square of the screen, of radius base + per_log10 * log10(count), at most cell / 2.
GROUPS = {"limit": 2000, "cell": 64, "colour": "rgba(122, 30, 30, 0.72)",
          "base": 10, "per_log10": 8}
# The density layer: the window's incidents counted in `cell`-pixel squares of the screen,
# each square shaded by its count against the busiest square in view, on a log scale.
DENSITY = {"cell": 24, "opacity": 0.7,
           "colours": ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")}


def incident_radius(fatalities) -> float:
    """Marker radius in pixels; area grows with the death toll, unknown tolls stay small."""
    if is_missing(fatalities):
        return RADIUS["base"]
    radius = RADIUS["base"] + RADIUS["per_sqrt_death"] * math.sqrt(float(fatalities))
    return round(min(radius, RADIUS["most"]), 2)


def area_style(status: str) -> dict:
    """Claimed-control areas are outlined, dashed, and lightly filled: they are approximate."""
    return {
        "color": AREA_COLOURS[status],
        "fillColor": AREA_COLOURS[status],
        "weight": 2,
        "fillOpacity": 0.15,
        "dashArray": "6 4",
        "className": "area-shape",
    }


def province_fill(count: int) -> str:
    """Sequential fill for a province's incident count."""
    colour = PROVINCE_COLOURS[0]
    for step, step_colour in zip(PROVINCE_STEPS, PROVINCE_COLOURS, strict=True):
        if count >= step:
            colour = step_colour
    return colour


def province_style(count: int) -> dict:
    return {
        "color": "#666666",
        "weight": 0.8,
        "fillColor": province_fill(count),
        "fillOpacity": 0.55,
        "className": "province-shape",
    }
