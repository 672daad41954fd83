"""bench/score.py, the extraction scorer the held-out gates use, on a gold file small enough
to count by hand."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.score import score
from tests.conftest import ROOT

GOLD = {
    "incidents": [
        # found: the row two km off, though a farther row would also do
        {"doc": "a.txt", "date": "2018-03-21", "place": "Kabul", "admin1": ["kabul"],
         "lat": 34.52, "lon": 69.14, "tol_km": 20, "fatalities": 33, "claim": "claimed"},
        # found, with the wrong toll, the wrong province and a claim gold does not count
        {"doc": "a.txt", "date": "2019-08", "place": "Jalalabad", "admin1": ["nangarhar"],
         "lat": 34.43, "lon": 70.45, "tol_km": 25, "fatalities": 10, "claim": "attributed"},
        # missed: the only row of that day is 80 km away
        {"doc": "b.txt", "date": "2020-05-12", "place": "Kunduz", "admin1": ["kunduz"],
         "lat": 36.73, "lon": 68.86, "tol_km": 25, "fatalities": None, "claim": "disputed"},
    ],
    "areas": [
        {"doc": "a.txt", "district": "Achin", "lat": 34.09, "lon": 70.70, "tol_km": 15},
        {"doc": "b.txt", "district": "Darzab", "lat": 35.98, "lon": 65.38, "tol_km": 15},
    ],
}
INCIDENTS = [
    # (source_file, date_start, date_end, lat, lon, admin1, fatalities, claim_status, location)
    ("docs/a.txt", "2018-03-21", "2018-03-21", "34.53", "69.16", "Kabul", "33", " Claimed",
     "Kabul"),
    ("a.txt", "2018-03-20", "2018-03-22", "34.60", "69.20", "Kabul", "33", "claimed", "Kabul"),
    ("a.txt", "2019-08-01", "2019-08-31", "34.43", "70.46", "Kunar", "12", "claimed",
     "Jalalabad"),
    ("b.txt", "2020-05-12", "", "37.40", "69.20", "Kunduz", "", "disputed", "Imam Sahib"),
    ("b.txt", "2020-05-12", "", "", "", "", "", "", "Kunduz"),          # not mappable: not counted
    ("c.txt", "2020-05-12", "", "36.73", "68.86", "", "", "", "Kunduz"),  # no gold for c.txt
]
AREAS = [("a.txt", "Achin", "34.10", "70.69"), ("a.txt", "Darzab", "35.98", "65.38")]


def _write(path: Path, header: list[str], rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return path


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path, Path]:
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(GOLD), encoding="utf-8")
    incidents = _write(tmp_path / "incidents.csv",
                       ["source_file", "date_start", "date_end", "latitude", "longitude",
                        "admin1", "fatalities", "claim_status", "location"], INCIDENTS)
    areas = _write(tmp_path / "areas.csv", ["source_file", "name", "latitude", "longitude"], AREAS)
    return gold, incidents, areas


def test_a_match_a_miss_an_extra_and_a_wrong_toll_are_counted(files):
    result = score(*files)
    incidents = result["incidents"]
    assert (incidents["gold"], incidents["found"]) == (3, 2)
    assert incidents["recall"] == 0.667
    assert incidents["misses"] == ["missed: b.txt 2020-05-12 Kunduz"]
    # the second Kabul row lost to the nearer one, Imam Sahib is too far; c.txt is no gold doc
    assert incidents["extras"] == ["a.txt 2018-03-20 Kabul", "b.txt 2020-05-12 Imam Sahib"]
    assert (incidents["extracted_mappable"], incidents["unmatched_extracted"]) == (4, 2)
    assert incidents["precision"] == 0.5
    assert incidents["fatalities_right"] == "1/2"  # 12 told where gold says 10
    assert incidents["admin1_right"] == "1/2"  # Kunar is not Nangarhar
    assert incidents["claim_right"] == "1/1"  # only gold's claimed and disputed count
    assert incidents["median_km"] == 2.1  # the upper of the two distances, 2.1 and 0.9 km
    assert result["areas"] == {"gold": 2, "found": 1, "misses": ["missed area: b.txt Darzab"]}


def test_without_an_areas_file_only_incidents_are_scored(files):
    gold, incidents, _ = files
    assert set(score(gold, incidents)) == {"incidents"}


def test_the_command_prints_the_same_figures(files):
    run = [sys.executable, "-m", "bench.score", *map(str, files)]
    as_json = subprocess.run([*run, "--json"], capture_output=True, text=True, check=True,
                             cwd=ROOT)
    assert json.loads(as_json.stdout) == score(*files)
    as_text = subprocess.run(run, capture_output=True, text=True, check=True, cwd=ROOT)
    assert as_text.stdout.splitlines()[-1] == (
        "incidents: recall 0.667 (2/3), precision 0.5, fatalities 1/2, admin1 1/2, claim 1/1, "
        "median error 2.1 km; areas 1/2")
    assert "missed area: b.txt Darzab" in as_text.stdout
    wrong = subprocess.run([*run[:3], str(files[0])], capture_output=True, text=True, cwd=ROOT)
    assert wrong.returncode == 2 and "usage" in wrong.stderr
