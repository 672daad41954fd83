"""Records anywhere on Earth: GTD's 1970 events on five continents and two in Fiji, either side
of the antimeridian (tests/fixtures/datasets/gtd_1970.csv), build a map whose basemap has to
take in the whole world, Fiji's and Russia's broken country outlines with it."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from maps.cli import main
from tests.conftest import FIXTURES, Page, incident, write_records

GTD_1970 = FIXTURES / "gtd_1970.csv"
# Labasa (179.36 E) and Tubou in Lau (178.81 W): either side of the antimeridian.
FIJI = {"gtd-200007270005": 179.36451, "gtd-200007289901": -178.81232}
COUNTRY_ONLY = "gtd-197001110001"  # Ethiopia, specificity 5: no coordinates, no province


def _build(out: Path, *extra: str) -> tuple[int, str]:
    """The CLI's exit code and what it said on stderr (a module-scoped fixture cannot use
    capsys)."""
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        code = main(["build", "--incidents", str(GTD_1970), "--out", str(out), *extra])
    return code, said.getvalue()


@pytest.fixture(scope="module")
def worldwide(tmp_path_factory) -> tuple[Path, int, str]:
    out = tmp_path_factory.mktemp("worldwide") / "out"
    return (out, *_build(out))


def _features(out: Path) -> dict[str, dict]:
    collection = json.loads((out / "incidents.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["event_id"]: f for f in collection["features"]}


def test_the_fixture_is_the_2018_release_layout():
    with open(GTD_1970, encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert len(header) == len(set(header)) == 135
    assert (header[0], header[-1], header[13:15]) == ("eventid", "related",
                                                      ["latitude", "longitude"])
    assert len(rows) <= 12 and all(len(row) == 135 for row in rows)


def test_every_row_is_mapped_or_listed_with_its_reason(worldwide):
    out, code, _ = worldwide
    assert code in (0, 4)
    assert (out / "map.html").is_file()
    with open(GTD_1970, encoding="utf-8", newline="") as handle:
        ids = {f"gtd-{row['eventid']}" for row in csv.DictReader(handle)}
    mapped = _features(out)
    lost = pd.read_csv(out / "unresolved.csv", dtype=str, keep_default_na=False)
    listed = dict(zip(lost["record_id"], lost["reason"], strict=True))
    assert ids == set(mapped) | set(listed) and not set(mapped) & set(listed)
    assert all(listed[i] for i in listed)
    assert "country" in listed[COUNTRY_ONLY] and COUNTRY_ONLY not in mapped


def test_both_fiji_rows_are_placed_on_their_own_side_of_the_antimeridian(worldwide):
    features = _features(worldwide[0])
    for event_id, longitude in FIJI.items():
        assert features[event_id]["geometry"]["coordinates"][0] == pytest.approx(longitude)
        assert features[event_id]["properties"]["country"] == "FJ"
    for feature in features.values():
        x, y = feature["geometry"]["coordinates"]
        assert math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180


def test_records_abroad_and_at_country_level_count_in_no_province(worldwide):
    out = worldwide[0]
    for feature in _features(out).values():
        if feature["properties"]["geo_precision"] == 4:
            assert feature["properties"]["admin1"] == "" == feature["properties"]["admin2"]
    provinces = json.loads((out / "provinces.geojson").read_text(encoding="utf-8"))
    assert sum(f["properties"]["incidents"] for f in provinces["features"]) == 0


def test_the_broken_country_outlines_are_repaired_and_logged_not_warned(worldwide):
    _, _, said = worldwide
    assert "country borders (world-atlas countries-50m): repairing" in said
    assert "Fiji (Self-intersection[179.87" in said
    assert "warning: country borders" not in said and "Traceback" not in said


def test_strict_does_not_stop_at_the_pinned_borders(tmp_path):
    """The borders are our pinned asset, not the user's input: repairing them must not make
    `--strict` refuse every map that has a basemap."""
    code, said = _build(tmp_path / "out", "--strict")
    assert code == 0, said
    assert (tmp_path / "out" / "map.html").is_file()


def test_the_worldwide_map_opens_with_every_marker_in_view(browser, worldwide):
    out = worldwide[0]
    placed = pd.read_csv(out / "incidents.csv", dtype=str, keep_default_na=False)
    page = Page(browser, out / "map.html")
    assert page.visible()["incidents"] == len(placed)
    assert page.js("incidentMap.drawn()") == len(placed)  # all in the opening view
    assert 1 <= page.js("incidentMap.getZoom()") <= 3
    for event_id in FIJI:
        point = page.js("i => incidentMap.markerPoint(i)",
                        int(placed.index[placed["event_id"] == event_id][0]))
        assert 0 <= point["x"] <= 1280 and 0 <= point["y"] <= 860, (event_id, point)
    tiles = page.js("[...document.querySelectorAll('img.leaflet-tile')].map(t => t.src)")
    assert all(src.startswith("data:") for src in tiles)  # blank past the records' rows
    assert sum(src.startswith("data:image/png") for src in tiles) >= 8
    assert page.page.locator("path.country-line").count() > 100
    page.screenshot("worldwide")
    page.close()  # no page error, no request outside file: and data:


def test_records_on_the_antimeridian_itself_build_a_map(tmp_path):
    """179.9 E, 179.9 W and 180 exactly (Taveuni lies across it), with the basemap: the
    tiles and borders take in the whole width of the world and nothing is NaN."""
    rows = [incident(location=f"Taveuni {i}", country="FJ", latitude="-16.8",
                     longitude=longitude, geo_precision="1", event_id=f"fiji-{i}")
            for i, longitude in enumerate(("179.9", "-179.9", "180", "-180"))]
    incidents = write_records(tmp_path / "incidents.csv", "incidents", rows)
    areas = write_records(tmp_path / "areas.csv", "areas", [])
    out = tmp_path / "out"
    assert main(["build", "--incidents", str(incidents), "--areas", str(areas),
                 "--out", str(out)]) == 0
    placed = _features(out)
    assert sorted(f["geometry"]["coordinates"][0] for f in placed.values()) == [
        -180, -179.9, 179.9, 180]
    html = (out / "map.html").read_text(encoding="utf-8")
    assert re.search(r"[\[,:]\s*NaN\b", html) is None  # in no view, bound or coordinate
