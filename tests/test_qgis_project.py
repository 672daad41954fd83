"""incidents.qgz opened in real QGIS (Debian python3-qgis, headless): layers, styles, timeline."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from geo.timewindow import in_window
from maps.cli import main
from maps.style import AREA_COLOURS, EVENT_COLOURS
from tests.conftest import IN_CI

CHECK = Path(__file__).parent / "qgis" / "check_project.py"
QGIS_PYTHON = "/usr/bin/python3"
# One day (a one-day incident), years, a half-year, a month, and the areas' last month.
WINDOWS = [("2016-08-24", "2016-08-24"), ("2015-01-01", "2015-12-31"),
           ("2016-01-01", "2016-06-30"), ("2017-01-01", "2017-12-31"),
           ("2017-08-01", "2017-08-31"), ("2018-01-01", "2018-12-31")]


def _qgis(project: Path, *args: str) -> dict:
    probe = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True)
    if probe.returncode != 0:
        message = "QGIS is not installed (Debian: python3-qgis qgis-providers)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"}
    done = subprocess.run([QGIS_PYTHON, str(CHECK), str(project), *args], capture_output=True,
                          text=True, env=env, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    out = tmp_path_factory.mktemp("qgis")
    assert main(["export", "--out", str(out)]) == 0
    image = out / "view.png"
    dates = [d for window in WINDOWS for d in window]
    return out, _qgis(out / "incidents.qgz", f"--render={image}", *dates), image


def test_the_project_opens_with_every_layer_valid_and_labels_off(opened):
    out, seen, _ = opened
    assert seen["read"] and seen["crs"] == "EPSG:4326"
    assert seen["order"] == ["incidents", "areas", "provinces"]
    counts = {"incidents": len(pd.read_csv(out / "incidents.csv")),
              "areas": len(pd.read_csv(out / "areas.csv")), "provinces": 41}
    for name, layer in seen["layers"].items():
        assert layer["valid"] and not layer["labels"], name
        assert layer["features"] == counts[name] and layer["renderer"] == "RuleRenderer"


def test_layers_are_styled_by_type_precision_and_status(opened):
    layers = opened[1]["layers"]
    assert layers["incidents"]["rules"][:3] == ["suicide attack", "exact", "approximate"]
    assert len(layers["incidents"]["rules"]) == 13 * 3
    assert layers["areas"]["rules"] == ["control", "presence", "base", "training camp"]


def test_temporal_properties_are_active_with_the_date_fields(opened):
    layers = opened[1]["layers"]
    incidents, areas = layers["incidents"]["temporal"], layers["areas"]["temporal"]
    for layer in (incidents, areas):  # mode 4: start and end from expressions
        assert layer["active"] and layer["mode"] == 4
        assert (layer["start_field"], layer["end_field"]) == ("date_start", "date_end")
        assert layer["start_expression"] == 'to_datetime("date_start")'
    assert incidents["end_expression"] == """to_datetime("date_end") + to_interval('1 day')"""
    assert areas["end_expression"].startswith('to_datetime(coalesce("date_end"')
    assert not layers["provinces"]["temporal"]["active"]
    assert opened[1]["time_range"] == ["2015-01-01T00:00:00Z", "2018-01-31T23:59:59Z"]


def test_a_temporal_filter_keeps_what_the_csv_window_holds(opened, placed):
    out, seen, _ = opened
    sources = {s["source_id"]: s for s in
               pd.read_csv(Path(__file__).parents[1] / "seeds" / "sources.csv",
                           dtype=str).to_dict("records")}
    for table in ("incidents", "areas"):
        frame = pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False)
        for since, until in WINDOWS:
            expected = int(in_window(frame, table, since, until, sources).sum())
            assert seen["layers"][table]["windows"][f"{since}..{until}"] == expected, \
                (table, since, until)


def test_qgis_draws_the_incidents_in_their_colours(opened):
    colours = set(opened[1]["colours"])
    assert opened[2].stat().st_size > 10_000
    # Outlines are drawn at full opacity in the type's colour (maps.style).
    assert {EVENT_COLOURS["suicide_attack"], EVENT_COLOURS["bombing"],
            AREA_COLOURS["control"]} <= colours
