"""The command line as a user runs it: counts, exit codes, nothing written on bad input."""

from __future__ import annotations

import json
import re
import subprocess

from tests.conftest import CLI, incident, write_records


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)


def test_build_prints_one_line_of_counts_that_add_up(tmp_path, seed_tables):
    result = run("build", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("records in"))
    found = dict(re.findall(r"(records in|placed|unresolved): (\d+)", line))
    records_in = len(seed_tables["incidents"]) + len(seed_tables["areas"])
    assert int(found["records in"]) == records_in
    assert int(found["placed"]) + int(found["unresolved"]) == records_in
    for name in ("map.html", "incidents.geojson", "areas.geojson", "provinces.geojson",
                 "incidents.gpkg", "incidents.csv", "areas.csv", "unresolved.csv"):
        assert (tmp_path / name).stat().st_size > 0, name


def test_bad_input_exits_2_names_the_cell_and_writes_nothing(tmp_path):
    bad = write_records(tmp_path / "bad.csv", "incidents", [incident(date_end="someday")])
    out = tmp_path / "out"
    result = run("build", "--incidents", str(bad), "--out", str(out))
    assert result.returncode == 2
    assert f"{bad}:2: column 'date_end': value 'someday': is not a date" in result.stderr
    assert not out.exists()


def test_cdn_build_links_leaflet_and_adds_tiles(tmp_path):
    result = run("build", "--cdn", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">' in html
    assert "tile.openstreetmap.org" in html


def test_geocode_prints_the_best_match_as_json():
    result = run("geocode", "Qush Tepa", "--country", "AF")
    assert result.returncode == 0, result.stderr
    match = json.loads(result.stdout)
    assert (match["name"], match["admin1"], match["geo_precision"]) == ("Qosh Tepa", "Jowzjan", 2)


def test_geocode_all_lists_namesakes_best_first():
    result = run("geocode", "Fatehpur", "--country", "PK", "--all")
    candidates = json.loads(result.stdout)
    provinces = [c["admin1"] for c in candidates]
    assert provinces[0] == "Balochistan" and "Punjab" in provinces
    scores = [c["score"] for c in candidates]
    assert scores == sorted(scores, reverse=True)


def test_options_without_the_option_they_belong_to_are_refused():
    result = run("build", "--districts-name-field", "NAME")
    assert result.returncode == 2 and "only applies with --districts" in result.stderr



def test_unlisted_sources_are_reported_with_every_other_problem(tmp_path):
    incidents = write_records(tmp_path / "i.csv", "incidents", [incident(source_id="nowhere")])
    areas = write_records(tmp_path / "a.csv", "areas", [{
        "name": "Darzab", "country": "AF", "status": "ruled", "date_start": "2017-12-01",
        "date_precision": "month", "source_id": "jtm-2018-16-2",
        "source_file": "000_42fb193f511c7a27.txt", "summary": "Held."}])
    result = run("build", "--incidents", str(incidents), "--areas", str(areas),
                 "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert f"{areas}:2: column 'status': value 'ruled'" in result.stderr
    assert f"{incidents}:2: column 'source_id': value 'nowhere': is not listed" in result.stderr


def test_swapped_coordinates_are_named_and_strict_stops_at_them(tmp_path):
    incidents = write_records(tmp_path / "i.csv", "incidents", [
        incident(), incident(event_id="flipped", location="Kabul", country="AF",
                             latitude="69.17", longitude="34.53")])
    result = run("build", "--incidents", str(incidents), "--no-basemap", "--out",
                 str(tmp_path / "out"))
    assert result.returncode == 0
    assert ("incident-map: warning: 1 incidents lie in none of the provinces but would with "
            "latitude and longitude swapped; check them: 000_42fb193f511c7a27.txt: flipped "
            "(line 3)") in result.stderr
    strict = run("build", "--incidents", str(incidents), "--strict", "--out",
                 str(tmp_path / "strict"))
    assert strict.returncode == 2 and "--strict: stopped" in strict.stderr
    assert not (tmp_path / "strict").exists()
