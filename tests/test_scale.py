"""Big datasets: the synthetic generator, the packed page columns, and a 100k map in Chromium."""

from __future__ import annotations

import base64
import gzip

import numpy as np
import pandas as pd
import pytest

from bench.synthetic import START, synthetic_incidents, write_dataset
from geo.records import load_table
from maps import payload
from maps.cli import main
from maps.style import GROUPS
from tests.conftest import SEEDS, Page, incident, write_records

WINDOWS = [("2015-01-01", "2015-01-31"), ("2018-03-01", "2018-05-31"),
           ("2020-01-01", "2024-12-31"), ("2015-01-01", "2024-12-31")]


def _columns(packed: dict) -> dict[str, np.ndarray]:
    """The page's columns, unpacked the way incidentcanvas.js does."""
    data = gzip.decompress(base64.b64decode(packed["columns"]))
    types = {kind: np.dtype(dtype).newbyteorder("<") for kind, dtype, _, _ in payload.WIDTHS}
    return {name: data[offset:offset + count].decode("utf-8") if kind == "Text" else
            np.frombuffer(data, dtype=types[kind], count=count, offset=offset)
            for name, (kind, offset, count) in packed["layout"].items()}


def test_synthetic_records_pass_the_loader_and_cluster_on_towns(tmp_path, gazetteer):
    folder = write_dataset(20_000, tmp_path, gazetteer)
    frame = load_table(folder / "incidents.csv", "incidents")
    assert len(frame) == 20_000
    assert frame["date_start"].min() >= START.isoformat()
    assert frame["date_end"].max() <= "2024-12-31"
    sites = frame[["latitude", "longitude"]].drop_duplicates()
    assert len(sites) < len(frame) / 4  # events gather on towns and a few sites near each
    assert set(frame["country"]) == {"AF", "PK"}
    assert set(frame["date_precision"]) == {"day", "week", "month"}


def test_synthetic_records_are_the_same_for_the_same_seed(gazetteer):
    first = synthetic_incidents(2_000, gazetteer, seed=7)
    assert first.equals(synthetic_incidents(2_000, gazetteer, seed=7))
    assert not first.equals(synthetic_incidents(2_000, gazetteer, seed=8))


def test_packed_columns_give_back_dates_places_and_popups(placed):
    packed = payload.incident_payload(placed.incidents, {}, list(placed.provinces["name"]))
    columns = _columns(packed)
    frame = placed.incidents  # already in start-date, id order
    days = pd.to_datetime(frame["date_start"]).to_numpy("datetime64[D]").astype(int)
    assert (np.cumsum(columns["dt0"]) == days).all()
    site = columns["site"]
    assert np.allclose(columns["siteLat"][site] / payload.SCALE, frame["latitude"], atol=1e-4)
    assert np.allclose(columns["siteLon"][site] / payload.SCALE, frame["longitude"], atol=1e-4)
    summary = packed["popup"][-1]
    assert [summary["values"][c] for c in columns[summary["codes"]]] == list(frame["summary"])
    assert payload.incident_payload(placed.incidents, {}, [])["columns"] == \
        payload.incident_payload(placed.incidents, {}, [])["columns"]


def test_wordy_fields_past_the_budget_stay_in_the_exports(placed, monkeypatch):
    monkeypatch.setattr(payload, "TEXT_BUDGET", 2_000)
    packed = payload.incident_payload(placed.incidents, {}, [])
    assert "Summary" in packed["leftOut"]
    assert sum(len(v) for f in packed["popup"] for v in f.get("values", [f.get("value")])) \
        <= 2_000


@pytest.fixture(scope="module")
def big_map(tmp_path_factory, gazetteer):
    folder = write_dataset(100_000, tmp_path_factory.mktemp("big"), gazetteer)
    out = folder / "out"
    assert main(["build", "--incidents", str(folder / "incidents.csv"), "--areas",
                 str(folder / "areas.csv"), "--sources", str(folder / "sources.csv"),
                 "--no-basemap", "--out", str(out)]) == 0
    return out


def _in_window(out, start: str, end: str) -> int:
    incidents = pd.read_csv(out / "incidents.csv", usecols=["date_start", "date_end"], dtype=str)
    return int(((incidents["date_start"] <= end) & (incidents["date_end"] >= start)).sum())


@pytest.mark.slow
def test_100k_map_groups_incidents_and_counts_every_window(browser, big_map):
    page = Page(browser, big_map / "map.html")
    assert (big_map / "map.html").stat().st_size < 8_000_000
    for start, end in WINDOWS:
        page.js("([a, b]) => incidentMap.setWindow(a, b)", [start, end])
        expected = _in_window(big_map, start, end)
        assert page.visible()["incidents"] == expected, (start, end)
        groups = page.js("incidentMap.groupList()")
        if expected > GROUPS["limit"]:  # too many for single markers; the region is in view
            assert page.js("incidentMap.drawn()") == 0
            assert sum(g["count"] for g in groups) == expected
        else:
            assert groups == []
            assert expected * 0.99 <= page.js("incidentMap.drawn()") <= expected  # some at edges
    page.screenshot("groups-100k")
    page.close()


@pytest.mark.slow
def test_zooming_in_on_a_town_shows_single_markers(browser, big_map):
    page = Page(browser, big_map / "map.html")
    page.js("incidentMap.setWindow('2018-03-01', '2018-03-31')")
    page.js("incidentMap.setView(34.43, 70.45, 11)")  # Jalalabad
    assert page.js("incidentMap.groups()") == 0
    drawn = page.js("incidentMap.drawn()")
    assert 0 < drawn <= GROUPS["limit"]
    page.close()


@pytest.mark.slow
def test_clicking_a_group_zooms_in_on_it(browser, big_map):
    page = Page(browser, big_map / "map.html")
    page.js("incidentMap.setWindow('2019-01-01', '2019-12-31')")
    zoom = page.js("incidentMap.getZoom()")
    biggest = max(page.js("incidentMap.groupList()"), key=lambda g: g["count"])
    page.page.mouse.move(biggest["x"], biggest["y"])  # as a hand does, before it clicks
    page.page.wait_for_function("document.querySelector('.leaflet-container').style.cursor "
                                "=== 'pointer'")
    page.page.mouse.click(biggest["x"], biggest["y"])
    page.page.wait_for_function(f"incidentMap.getZoom() > {zoom}")
    assert page.js("incidentMap.getZoom()") == zoom + 2
    page.close()


def test_popup_points_at_the_csv_row_of_a_field_left_out(browser, tmp_path,
                                                         monkeypatch):
    monkeypatch.setattr(payload, "TEXT_BUDGET", 40)
    rows = [incident(event_id=f"wordy-{i}", summary=f"A long summary written for record {i}.",
                     date_start=f"2017-12-1{i}", date_end=f"2017-12-1{i}") for i in range(3)]
    incidents_csv = write_records(tmp_path / "incidents.csv", "incidents", rows)
    out = tmp_path / "out"
    assert main(["build", "--incidents", str(incidents_csv), "--areas",
                 str(SEEDS / "areas.csv"), "--no-basemap", "--out", str(out)]) == 0
    page = Page(browser, out / "map.html")
    page.js("incidentMap.openPopup(1)")
    note = page.page.locator(".leaflet-popup-content p.left-out").inner_text()
    assert "see row 2 of incidents.csv" in note
    written = pd.read_csv(out / "incidents.csv", dtype=str)
    assert written.loc[1, "event_id"] == "wordy-1"  # row 2 of the file is the record clicked
    page.close()


def test_a_toll_past_32_bits_travels_whole(placed):
    incidents = placed.incidents.copy()
    incidents.loc[0, "fatalities"] = 3_000_000_000
    packed = payload.incident_payload(incidents, {}, [])
    assert packed["layout"]["deaths"][0] == "Float64Array"
    assert _columns(packed)["deaths"][0] == 3_000_000_000


def test_exports_written_side_by_side_are_the_same_bytes(tmp_path, monkeypatch, capsys):
    from geo import export as outputs

    for folder, first in (("apart", 1), ("here", 10**9)):
        monkeypatch.setattr(outputs, "PARALLEL_FROM", first)
        assert main(["build", "--no-basemap", "--out", str(tmp_path / folder)]) == 0
    written = sorted(p.name for p in (tmp_path / "here").iterdir())
    assert "incidents.gpkg" in written and "incidents.geojson" in written
    for name in written:
        assert (tmp_path / "apart" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()

    monkeypatch.setattr(outputs, "PARALLEL_FROM", 1)
    (tmp_path / "broken" / "incidents.gpkg").mkdir(parents=True)  # a folder where a file goes
    assert main(["build", "--no-basemap", "--out", str(tmp_path / "broken")]) == 5
    assert "an export could not be written" in capsys.readouterr().err
