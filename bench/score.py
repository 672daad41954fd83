"""Score an extraction (incidents.csv, areas.csv) against a gold file, without ../shared.

    python -m bench.score GOLD.json INCIDENTS.csv [AREAS.csv] [--json]

The gold format and the metrics are those of the development set's scorer
(../shared/eval/README.md), so figures from either can be set side by side:

* Only extracted rows with a numeric latitude and longitude take part.
* Gold incidents are taken in file order; each claims the nearest row still free that
  comes from the same document (compared by file name, folders dropped), whose date
  window overlaps the gold day (or, for a gold `YYYY-MM`, that month), and that lies
  within the gold `tol_km`; on equal distances the earlier row wins.
* Rows left free from the gold's documents are extras; recall is found / gold and
  precision found / (found + extras), both to three places.
* On the matches: the toll agrees when gold has none or the numbers are equal; the
  province when one of gold's lower-case spellings is inside the row's admin1; the
  claim is counted only where gold says claimed or disputed, and must say the same.
* A gold area is found when any row of its document lies within its `tol_km`.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

EARTH_RADIUS_KM = 6371.0
CLAIMS_COUNTED = ("claimed", "disputed")


def _number(text) -> float | None:
    """A cell as a float, or None when it is empty or not a number."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _doc(source_file) -> str:
    """The document's file name, whichever separator the path was written with."""
    return str(source_file or "").replace("\\", "/").split("/")[-1]


def _cell(row: dict, name: str) -> str:
    return (row.get(name) or "").strip()


def _distance_km(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    """Great-circle distance by the haversine formula."""
    phi_a, phi_b = math.radians(lat_a), math.radians(lat_b)
    half_dphi = (phi_b - phi_a) / 2
    half_dlambda = math.radians(lon_b - lon_a) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _gold_days(date: str) -> tuple[str, str]:
    """First and last ISO day a gold date stands for (a month runs to "-31": text order)."""
    return (f"{date}-01", f"{date}-31") if len(date) == 7 else (date, date)


def _overlaps(row: dict, gold_date: str) -> bool:
    start = _cell(row, "date_start")[:10]
    if not start:
        return False
    end = _cell(row, "date_end")[:10] or start
    first, last = _gold_days(gold_date)
    return start <= last and end >= first


def _point(row: dict) -> tuple[float, float] | None:
    lat, lon = _number(row.get("latitude")), _number(row.get("longitude"))
    return None if lat is None or lon is None else (lat, lon)


def _fraction(right: int, total: int) -> str:
    return f"{right}/{total}"


def _nearest_free(gold: dict, candidates: list[tuple[dict, tuple[float, float]]],
                  taken: set[int]) -> tuple[int, float] | None:
    """Index and distance of the closest untaken row that can be this gold incident."""
    best: tuple[int, float] | None = None
    for index, (row, (lat, lon)) in enumerate(candidates):
        if index in taken or _doc(row.get("source_file")) != gold["doc"]:
            continue
        if not _overlaps(row, gold["date"]):
            continue
        distance = _distance_km(lat, lon, gold["lat"], gold["lon"])
        if distance <= gold["tol_km"] and (best is None or distance < best[1]):
            best = (index, distance)
    return best


def score_incidents(gold: list[dict], rows: list[dict]) -> dict:
    candidates = [(row, point) for row in rows if (point := _point(row)) is not None]
    taken: set[int] = set()
    matches: list[tuple[dict, dict, float]] = []
    misses: list[str] = []
    for entry in gold:
        hit = _nearest_free(entry, candidates, taken)
        if hit is None:
            misses.append(f"missed: {entry['doc']} {entry['date']} {entry['place']}")
            continue
        taken.add(hit[0])
        matches.append((entry, candidates[hit[0]][0], hit[1]))

    gold_docs = {entry["doc"] for entry in gold}
    in_scope = [i for i, (row, _) in enumerate(candidates)
                if _doc(row.get("source_file")) in gold_docs]
    extras = [candidates[i][0] for i in in_scope if i not in taken]

    tolls = sum(entry["fatalities"] is None
                or _number(row.get("fatalities")) == entry["fatalities"]
                for entry, row, _ in matches)
    provinces = sum(any(spelling in (row.get("admin1") or "").lower()
                        for spelling in entry["admin1"])
                    for entry, row, _ in matches)
    claim_pairs = [(entry, row) for entry, row, _ in matches
                   if entry.get("claim") in CLAIMS_COUNTED]
    claims = sum(_cell(row, "claim_status").lower() == entry["claim"]
                 for entry, row in claim_pairs)
    distances = sorted(distance for _, _, distance in matches)
    found = len(matches)
    return {
        "gold": len(gold),
        "found": found,
        "recall": round(found / len(gold), 3) if gold else None,
        "extracted_mappable": len(in_scope),
        "unmatched_extracted": len(extras),
        "precision": round(found / (found + len(extras)), 3) if found or extras else None,
        "fatalities_right": _fraction(tolls, found),
        "admin1_right": _fraction(provinces, found),
        "claim_right": _fraction(claims, len(claim_pairs)),
        "median_km": round(distances[len(distances) // 2], 1) if distances else None,
        "misses": misses,
        "extras": [f"{_doc(row.get('source_file'))} {row.get('date_start')} "
                   f"{row.get('location') or row.get('place')}" for row in extras],
    }


def score_areas(gold: list[dict], rows: list[dict]) -> dict:
    located = [(row, point) for row in rows if (point := _point(row)) is not None]
    misses = []
    for entry in gold:
        near = (_doc(row.get("source_file")) == entry["doc"]
                and _distance_km(lat, lon, entry["lat"], entry["lon"]) <= entry["tol_km"]
                for row, (lat, lon) in located)
        if not any(near):
            misses.append(f"missed area: {entry['doc']} {entry['district']}")
    return {"gold": len(gold), "found": len(gold) - len(misses), "misses": misses}


def _read_rows(path: str | Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def score(gold_path: str | Path, incidents_csv: str | Path,
          areas_csv: str | Path | None = None) -> dict:
    """{"incidents": {...}, "areas": {...}} for one extraction; areas only when given."""
    gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    result = {"incidents": score_incidents(gold["incidents"], _read_rows(incidents_csv))}
    if areas_csv is not None:
        result["areas"] = score_areas(gold.get("areas", []), _read_rows(areas_csv))
    return result


def summary(result: dict) -> str:
    """One line: the figures of a score() result."""
    found = result["incidents"]
    line = (f"incidents: recall {found['recall']} ({found['found']}/{found['gold']}), "
            f"precision {found['precision']}, fatalities {found['fatalities_right']}, "
            f"admin1 {found['admin1_right']}, claim {found['claim_right']}, "
            f"median error {found['median_km']} km")
    if "areas" in result:
        line += f"; areas {result['areas']['found']}/{result['areas']['gold']}"
    return line


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    paths = [a for a in argv if not a.startswith("--")]
    unknown = [a for a in argv if a.startswith("--") and a != "--json"]
    if len(paths) not in (2, 3) or unknown:
        print("usage: " + __doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    result = score(*paths)
    if "--json" in argv:
        print(json.dumps(result, indent=1))
        return 0
    for line in (result["incidents"]["misses"] + result["incidents"]["extras"]
                 + result.get("areas", {}).get("misses", [])):
        print(line)
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
