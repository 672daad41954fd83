"""Synthetic incident datasets for benchmarks: real AF/PK towns, 2015-2024, seeded and repeatable.

    .venv/bin/python -m bench.synthetic 1000000 --out /tmp/syn-1m   # incidents/areas/sources.csv

Shaped like the big event datasets rather than like uniform noise: events
cluster on towns weighted by population, most are coded at the town's own
point and the rest at a few fixed sites around it (villages, checkpoints),
types and tolls are skewed, a fifth are dated to the week or month, and a few
actors, outlets and summary wordings repeat. Everything carries coordinates,
so a build measures loading, joining, exporting and mapping, not geocoding.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd

from geo.boundaries import join_provinces, province_counts
from geo.gazetteer import Gazetteer, load_gazetteer, read_provinces
from geo.pipeline import Placed
from geo.schema import EVENT_TYPES, column_names

START = dt.date(2015, 1, 1)
END = dt.date(2024, 12, 31)
SEED = 20171217
SITES_PER_TOWN = 6
# Shares of event types, in the order of geo.schema.EVENT_TYPES.
TYPE_SHARES = (0.06, 0.16, 0.2, 0.12, 0.3, 0.02, 0.05, 0.01, 0.02, 0.01, 0.01, 0.01, 0.03)
ACTORS = ("Islamic State Khorasan Province", "Tehrik-i-Taliban Pakistan", "Taliban",
          "Unidentified armed group", "Lashkar-e-Jhangvi", "Security forces")
OUTLETS = ("Pajhwok Afghan News", "Dawn", "TOLOnews", "Khaama Press", "The Express Tribune",
           "Reuters", "Associated Press")
# Rows generated and written at a time: the writer's memory is one chunk's, whatever the size.
CHUNK = 1_000_000
SOURCE = {"source_id": "synthetic", "title": "Synthetic benchmark records",
          "publisher": "incident-map", "published": "2025-01", "file": "synthetic.txt"}


def synthetic_incidents(count: int, gazetteer: Gazetteer, seed: int = SEED,
                        first_id: int = 0) -> pd.DataFrame:
    """`count` incident rows in the record contract, every cell as text, as a CSV holds them;
    ids are numbered from `first_id`."""
    rng = np.random.default_rng(seed + first_id)
    towns = [p for code in ("AF", "PK") for p in gazetteer._shards[code].places]
    weights = np.array([max(p.population, 500) for p in towns], dtype=float) ** 0.6
    town = rng.choice(len(towns), size=count, p=weights / weights.sum())
    # Site 0 is the town's own point; the others sit a few kilometres out, fixed per town.
    site = np.where(rng.random(count) < 0.7, 0, rng.integers(1, SITES_PER_TOWN, size=count))
    offsets = np.random.default_rng(seed + 1).normal(0, 0.04, size=(len(towns), SITES_PER_TOWN, 2))
    offsets[:, 0] = 0
    lat = np.array([p.latitude for p in towns])[town] + offsets[town, site, 0]
    lon = np.array([p.longitude for p in towns])[town] + offsets[town, site, 1]

    first = np.datetime64(START.isoformat())
    days = rng.integers(0, (END - START).days + 1, size=count)
    start = first + days.astype("timedelta64[D]")
    precision = rng.choice(np.array(["day", "week", "month"]), size=count, p=(0.8, 0.08, 0.12))
    month_start = start.astype("datetime64[M]").astype("datetime64[D]")
    month_end = (start.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    start = np.where(precision == "month", month_start, start)
    end = np.where(precision == "month", month_end,
                   np.where(precision == "week", np.minimum(start + 6, month_end), start))
    end = np.maximum(end, start)

    deaths = np.minimum(rng.negative_binomial(1, 0.3, size=count), 400)
    known = rng.random(count) < 0.85
    types = rng.choice(len(EVENT_TYPES), size=count, p=np.array(TYPE_SHARES) / sum(TYPE_SHARES))
    names = np.array([p.name for p in towns], dtype=object)
    type_names = np.array(EVENT_TYPES, dtype=object)
    frame = pd.DataFrame({c: "" for c in column_names("incidents")}, index=range(count))
    frame = frame.assign(
        event_id=[f"syn-{i:07d}" for i in range(first_id, first_id + count)],
        date_start=np.datetime_as_string(start, unit="D"),
        date_end=np.datetime_as_string(end, unit="D"),
        date_precision=precision,
        event_type=type_names[types],
        location=names[town],
        place=np.where(site == 0, names[town], ""),
        country=np.array([p.country for p in towns], dtype=object)[town],
        latitude=np.round(lat, 5).astype(str),
        longitude=np.round(lon, 5).astype(str),
        geo_precision=np.where(site == 0, "1", "2"),
        fatalities=np.where(known, deaths.astype(str), ""),
        fatalities_qualifier=np.where(known, "exact", ""),
        actor=np.array(ACTORS, dtype=object)[rng.integers(0, len(ACTORS), size=count)],
        claim_status=rng.choice(np.array(["claimed", "attributed", "unclaimed"]), size=count,
                                p=(0.3, 0.5, 0.2)),
        source_id=SOURCE["source_id"],
        source_file=SOURCE["file"],
        cited_sources=np.array(OUTLETS, dtype=object)[rng.integers(0, len(OUTLETS), size=count)],
        summary="Synthetic " + pd.Series(type_names[types]).str.replace("_", " ")
        + " near " + names[town] + ".",
    )
    return frame


def synthetic_placed(count: int, gazetteer: Gazetteer, seed: int = SEED) -> Placed:
    """`count` incidents as the pipeline would return them (for the map benchmark)."""
    import geopandas as gpd

    from geo.records import table_from_rows

    text = synthetic_incidents(count, gazetteer, seed)
    rows = ((line, row) for line, row in enumerate(text.to_dict("records"), start=2))
    frame = table_from_rows(rows, "incidents", "synthetic.csv")
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"],
                                                                  frame["latitude"]),
                              crs="EPSG:4326")
    provinces = read_provinces()
    incidents = join_provinces(points, provinces)
    areas = gpd.GeoDataFrame({c: pd.Series(dtype="object") for c in column_names("areas")},
                             geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    unresolved = pd.DataFrame(columns=["table"])
    return Placed(incidents, areas, province_counts(provinces, incidents, areas), unresolved)


def synthetic_sources() -> dict[str, dict]:
    """The one source the synthetic records cite, keyed by source_id like the CLI's."""
    return {SOURCE["source_id"]: dict(SOURCE)}


def write_dataset(count: int, folder: Path, gazetteer: Gazetteer, seed: int = SEED) -> Path:
    """incidents.csv, an empty areas.csv and sources.csv in `folder`, ready for `build`.

    Written `CHUNK` rows at a time (each chunk seeded by its first id), so 20 million
    rows need no more memory than one million.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "incidents.csv", "w", encoding="utf-8", newline="") as file:
        for first in range(0, max(count, 1), CHUNK):
            rows = synthetic_incidents(min(CHUNK, count - first), gazetteer, seed, first)
            rows.to_csv(file, index=False, header=first == 0, lineterminator="\n")
    pd.DataFrame(columns=column_names("areas")).to_csv(folder / "areas.csv", index=False)
    pd.DataFrame([SOURCE]).to_csv(folder / "sources.csv", index=False, lineterminator="\n")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int, help="how many incidents (e.g. 10000, 1000000)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the three CSVs")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    started = time.perf_counter()
    write_dataset(args.count, args.out, load_gazetteer(), args.seed)
    size = (args.out / "incidents.csv").stat().st_size / 1e6
    print(f"{args.count:,} incidents -> {args.out}/incidents.csv ({size:.0f} MB) "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
