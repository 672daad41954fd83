"""Geocoding benchmark: index build and load, lookups, and geocode + province join.

    make bench            # or: .venv/bin/python -m bench.geocode [--records N]

Targets from the geocoding issue, on this machine: 10,000 distinct warm
lookups under 1 s; geocoding plus province join of 100,000 records under 5 s.
Prints a Markdown table with each figure, its target and the ratio.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import tempfile
import time
from pathlib import Path

from geo import _cache
from geo.boundaries import join_provinces
from geo.gazetteer import load_gazetteer, read_provinces
from geo.placing import geocode_table
from geo.records import load_table
from geo.schema import column_names

SEED = 20171217


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def distinct_queries(gazetteer, count: int, rng: random.Random) -> list[str]:
    """Names as reports write them: index names, level words, misspellings, misses."""
    names = sorted({p.name for shard in ("AF", "PK") for p in gazetteer._shards[shard].places}
                   | {p.name for p in gazetteer._static.places})
    forms = [
        lambda n: n,
        lambda n: f"{n} district",
        lambda n: f"{n} village",
        lambda n: n.upper(),
        lambda n: n.replace("a", "e", 1),
        lambda n: f"{n}-{rng.randrange(10**6)}",  # not in any gazetteer
    ]
    queries: set[str] = set()
    while len(queries) < count:
        queries.add(rng.choice(forms)(rng.choice(names)))
    return sorted(queries)


def synthetic_records(path: Path, count: int, names: list[str], rng: random.Random) -> Path:
    columns = column_names("incidents")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for i in range(count):
            name, country = rng.choice(names)
            writer.writerow({
                "event_id": f"bench-{i}", "date_start": "2017-12-17", "date_end": "2017-12-17",
                "date_precision": "day", "event_type": "bombing", "location": name,
                "country": country, "claim_status": "unclaimed", "source_id": "bench",
                "source_file": f"doc-{i % 500}.txt", "summary": "Synthetic record.",
            })
    return path


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--cold", action="store_true",
                        help="also time a cold index build in an empty cache folder")
    args = parser.parse_args()
    rng = random.Random(SEED)
    rows = []

    if args.cold:
        with tempfile.TemporaryDirectory() as empty:
            import os
            os.environ["INCIDENT_MAP_CACHE"] = empty
            _, seconds = timed(load_gazetteer)
            del os.environ["INCIDENT_MAP_CACHE"]
        rows.append(("index build, cold (all countries)", seconds, None))
    load_gazetteer()  # make sure the cache is warm
    gazetteer, seconds = timed(load_gazetteer)
    rows.append(("gazetteer load, warm", seconds, None))

    queries = distinct_queries(gazetteer, args.lookups, rng)
    results, seconds = timed(lambda: [gazetteer.resolve(q) for q in queries])
    hits = sum(r is not None for r in results)
    rows.append((f"{len(queries):,} distinct lookups ({hits:,} found)", seconds, 1.0))

    provinces = read_provinces()
    names = [(p.name, p.country) for shard in ("AF", "PK") for p in gazetteer._shards[shard].places]
    names += [(p.name, p.country) for p in gazetteer._static.places if p.country in ("AF", "PK")]
    with tempfile.TemporaryDirectory() as folder:
        path = synthetic_records(Path(folder) / "incidents.csv", args.records, names, rng)
        frame, seconds = timed(lambda: load_table(path, "incidents"))
        rows.append((f"load and validate {args.records:,} records", seconds, None))

    def geocode_and_join():
        points, lost = geocode_table(frame, gazetteer, "incidents")
        return join_provinces(points, provinces), lost

    (points, lost), seconds = timed(geocode_and_join)
    rows.append((f"geocode + province join, {args.records:,} records "
                 f"({len(points):,} placed, {len(lost):,} unresolved)", seconds, 5.0))

    print(f"cache: {_cache.cache_dir()}")
    print("| step | seconds | target | time / target |")
    print("|---|---|---|---|")
    for label, seconds, target in rows:
        ratio = f"{seconds / target:.2f}" if target else ""
        print(f"| {label} | {seconds:.3f} | {target or ''} | {ratio} |")
    print(f"\npeak memory (max RSS of this process): {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
