"""Print representative points of geoBoundaries districts, for supplement.csv rows.

    .venv/bin/python geo/data/district_points.py Darzab "Qush Tepa" Acheen

A representative point always lies inside its polygon, unlike a centroid, so a
district point coded this way joins to the right province.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd

DISTRICTS = (
    Path(__file__).resolve().parents[2].parent
    / "shared" / "data" / "geoBoundaries-AFG-ADM2_simplified.geojson"
)


def main(names: list[str]) -> None:
    districts = gpd.read_file(DISTRICTS)
    for name in names:
        match = districts[districts["shapeName"] == name]
        if match.empty:
            print(f"{name}: not in {DISTRICTS.name}", file=sys.stderr)
            continue
        point = match.geometry.iloc[0].representative_point()
        print(f"{name},{point.y:.4f},{point.x:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
