"""Print representative points of geoBoundaries districts, for supplement.csv rows.

    .venv/bin/python geo/data/district_points.py Darzab "Qush Tepa" Acheen

A representative point always lies inside its polygon, unlike a centroid, so a
district point coded this way joins to the right province.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import geopandas as gpd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from geo.geometry import valid_polygons

DISTRICTS = (
    Path(__file__).resolve().parents[2].parent
    / "shared" / "data" / "geoBoundaries-AFG-ADM2_simplified.geojson"
)

log = logging.getLogger(__name__)


def main(names: list[str]) -> None:
    districts = valid_polygons(gpd.read_file(DISTRICTS), DISTRICTS.name, names="shapeName")
    for name in names:
        match = districts[districts["shapeName"] == name]
        if match.empty:
            log.warning("%s: not in %s", name, DISTRICTS.name)
            continue
        point = match.geometry.iloc[0].representative_point()
        sys.stdout.write(f"{name},{point.y:.4f},{point.x:.4f}\n")  # the CSV rows are the output


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main(sys.argv[1:])
