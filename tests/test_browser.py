"""The map in real headless Chromium: offline, no errors, one marker per placed record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maps.cli import main
from tests.conftest import ROOT, incident, require_tool, write_records

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = ROOT / "tests" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    chromium = require_tool("/usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Page:
    """A loaded map page with every request and page error it produced."""

    def __init__(self, browser, html: Path):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 860})
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", lambda dialog: self.errors.append(f"dialog: {dialog.message}"))
        self.page.goto(html.as_uri())
        self.page.wait_for_selector("path.province-shape")

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


def _features(folder: Path, name: str) -> int:
    return len(json.loads((folder / f"{name}.geojson").read_text(encoding="utf-8"))["features"])


def test_map_opens_offline_with_one_marker_per_placed_incident(browser, built):
    page = Page(browser, built / "map.html")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(SCREENSHOTS / "seeds.png"))
    assert page.outside_requests() == []
    assert page.errors == []
    assert page.count("path.incident-marker") == _features(built, "incidents")
    assert page.count("path.area-shape") == _features(built, "areas")
    assert page.count("path.province-shape") == _features(built, "provinces")
    page.page.close()


def test_approximate_places_are_drawn_hollow_and_dashed(browser, built):
    page = Page(browser, built / "map.html")
    exact = page.page.locator("path.incident-marker.precision-1").first
    approximate = page.page.locator("path.incident-marker.precision-2").first
    assert exact.get_attribute("stroke-dasharray") is None
    assert approximate.get_attribute("stroke-dasharray") == "4 3"
    assert float(approximate.get_attribute("fill-opacity")) < 0.5
    page.page.close()


def test_unticking_a_layer_removes_its_markers(browser, built):
    page = Page(browser, built / "map.html")
    page.page.get_by_label("Incidents", exact=True).uncheck()
    assert page.count("path.incident-marker") == 0
    page.page.get_by_label("Incidents", exact=True).check()
    assert page.count("path.incident-marker") == _features(built, "incidents")
    page.page.close()


def _build(tmp_path: Path, rows: list[dict]) -> Path:
    incidents = write_records(tmp_path / "incidents.csv", "incidents", rows)
    no_areas = write_records(tmp_path / "areas.csv", "areas", [])
    out = tmp_path / "out"
    assert main(["build", "--incidents", str(incidents), "--areas", str(no_areas),
                 "--out", str(out)]) == 0
    return out


def test_popup_gives_date_type_place_toll_claim_and_source(browser, tmp_path):
    out = _build(tmp_path, [incident(fatalities="9", fatalities_qualifier="at_least",
                                     injured="50", injured_qualifier="more_than",
                                     claim_status="attributed", event_type="suicide_attack")])
    page = Page(browser, out / "map.html")
    page.page.locator("path.incident-marker").first.click(force=True)
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    for expected in ("Suicide attack: Quetta, Balochistan", "17 Dec 2017", "at least 9",
                     "more than 50", "attributed", "Islamic State Gains Ground in Afghanistan",
                     "Test record written for the suite."):
        assert expected in text
    page.page.close()


HOSTILE = [
    '<script>window.__pwned = "script"</script>',
    '<img src=x onerror="window.__pwned = \'img\'">',
    '${window.__pwned = "template"}',
    '`); window.__pwned = "backtick"; (`',
    '</script><script>window.__pwned = "close"</script>',
]


def test_hostile_record_text_is_shown_not_run(browser, tmp_path):
    # Apart on the map, so each marker can be clicked.
    places = [("Quetta", "PK"), ("Kabul", "AF"), ("Lahore", "PK"), ("Karachi", "PK"),
              ("Herat", "AF")]
    rows = [incident(summary=text, actor=text, location=place, country=country,
                     cited_sources=text, event_id=f"hostile-{i}")
            for i, (text, (place, country)) in enumerate(zip(HOSTILE, places, strict=True))]
    page = Page(browser, _build(tmp_path, rows) / "map.html")
    markers = page.page.locator("path.incident-marker")
    assert markers.count() == len(HOSTILE)
    shown = set()
    for i in range(len(HOSTILE)):
        markers.nth(i).dispatch_event("click")
        popup = page.page.locator(".leaflet-popup-content")
        popup.wait_for()
        shown |= {text for text in HOSTILE if text in popup.inner_text()}
        page.page.locator(".leaflet-popup-close-button").click()
        popup.wait_for(state="detached")
    assert page.page.evaluate("window.__pwned") is None
    assert shown == set(HOSTILE)
    assert page.errors == []
    assert page.outside_requests() == []
    page.page.close()


def test_incidents_at_one_point_fan_out_and_each_can_be_clicked(browser, tmp_path):
    rows = [incident(event_id=f"stack-{i}", summary=f"Stacked record {i}.") for i in range(3)]
    page = Page(browser, _build(tmp_path, rows) / "map.html")
    page.page.get_by_label("Provinces (incidents)").uncheck()
    markers = page.page.locator("path.incident-marker")

    def centre(i: int) -> tuple[int, int]:
        box = markers.nth(i).bounding_box()
        return round(box["x"] + box["width"] / 2), round(box["y"] + box["height"] / 2)

    assert len({centre(i) for i in range(3)}) == 3
    opened = set()
    for i in range(3):
        page.page.mouse.click(*centre(i))  # afresh: an open popup may pan the map
        popup = page.page.locator(".leaflet-popup-content")
        popup.wait_for()
        opened.add(popup.locator("p.summary").inner_text())
        page.page.locator(".leaflet-popup-close-button").click()
        popup.wait_for(state="detached")
    assert opened == {f"Stacked record {i}." for i in range(3)}
    page.page.close()
