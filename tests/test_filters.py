"""The attribute filters, the density layer, the download and the heading, in real Chromium.

Every count the page gives is checked against the exported files filtered the
same way in pandas: the page and the exports must tell one story.
"""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import SEEDS, Page, require_tool

from geo.inputs import sources_by_id
from geo.records import load_table
from geo.timewindow import held_until
from maps.filters import FACETS, SEARCH_FROM, facet_specs
from maps.render import build_map, to_html

KEYS = {f.column: f.key for f in FACETS}
# (window, filters) the page and pandas must agree on.
VIEWS = [
    (("2017-01-01", "2017-12-31"), {"event_type": ["suicide_attack", "bombing"]}),
    (("2015-01-01", "2018-01-31"), {"claim_status": ["attributed"], "country": ["AF"]}),
    (("2016-01-01", "2017-06-30"), {"country": ["PK"]}),
    (("2015-01-01", "2018-01-31"), {"geo_precision": ["3"]}),
    (("2017-06-01", "2018-01-31"), {"source_id": ["jtm-2018-16-2"], "target": ["shia", ""]}),
    (("2015-01-01", "2018-01-31"), {"actor": ["ISKP"], "event_type": ["recruitment"]}),
    (("2017-10-01", "2018-01-31"), {"status": ["control", "base"]}),
]


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def expected(out: Path, window: tuple[str, str], choice: dict) -> dict:
    """What pandas says the view holds, from incidents.csv and areas.csv."""
    start, end = window
    incidents = _csv(out / "incidents.csv")
    keep = (incidents["date_start"] <= end) & (incidents["date_end"] >= start)
    areas = _csv(out / "areas.csv")
    sources = sources_by_id(load_table(SEEDS / "sources.csv", "sources"))
    until = pd.Series([held_until(a, sources) for a in areas.to_dict("records")], dtype=str)
    held = (areas["date_start"] <= end) & (until >= start)
    for name, values in choice.items():
        facet = next(f for f in FACETS if f.column == name)
        if "incidents" in facet.tables:
            keep &= incidents[name].isin(values)
        if "areas" in facet.tables:
            held &= areas[name].isin(values)
    shown = incidents[keep]
    deaths = pd.to_numeric(shown["fatalities"], errors="coerce").fillna(0).astype(int)
    by_province = shown.assign(deaths=deaths).groupby("admin1").agg(
        incidents=("event_id", "size"), deaths=("deaths", "sum"))
    return {"visible": {"incidents": len(shown), "areas": int(held.sum()),
                        "deaths": int(deaths.sum())},
            "provinces": {k: {"incidents": int(v["incidents"]), "deaths": int(v["deaths"])}
                          for k, v in by_province.iterrows()},
            "rows": shown.reset_index(drop=True)}


def _nonzero(provinces: dict) -> dict:
    return {k: v for k, v in provinces.items() if v["incidents"]}


def _download(page: Page, fmt: str) -> tuple[str, bytes]:
    with page.page.expect_download() as made:
        page.page.click(f'button.im-save[data-format="{fmt}"]')
    download = made.value
    return download.suggested_filename, Path(download.path()).read_bytes()


@pytest.fixture(scope="module")
def seed_page(browser, built):
    page = Page(browser, built / "map.html")
    yield page
    page.close()


@pytest.mark.parametrize(("window", "choice"), VIEWS)
def test_filtered_counts_and_download_agree_with_the_exports(seed_page, built, window, choice):
    page = seed_page
    page.js("incidentMap.clearFilter()")
    page.js("([a, b]) => incidentMap.setWindow(a, b)", list(window))
    assert page.js("(c) => incidentMap.setFilter(c)", choice) == choice
    want = expected(built, window, choice)
    assert page.visible() == want["visible"]
    assert _nonzero(page.js("incidentMap.provinces()")) == want["provinces"]
    name, data = _download(page, "csv")
    assert name == f"incidents_{window[0]}_{window[1]}.csv"
    got = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, want["rows"])


def test_unfiltered_download_is_incidents_csv_byte_for_byte(seed_page, built):
    page = seed_page
    page.js("incidentMap.clearFilter()")
    page.js("incidentMap.setWindow('2000-01-01', '2030-12-31')")
    _, data = _download(page, "csv")
    assert data == (built / "incidents.csv").read_bytes()


def test_geojson_download_is_the_export_of_the_view_and_gdal_reads_it(seed_page, built,
                                                                       tmp_path):
    page = seed_page
    page.js("incidentMap.setWindow('2017-01-01', '2017-12-31')")
    page.js("incidentMap.setFilter({country: ['AF']})")
    name, data = _download(page, "geojson")
    assert name == "incidents_2017-01-01_2017-12-31.geojson"
    got = json.loads(data)
    exported = json.loads((built / "incidents.geojson").read_text(encoding="utf-8"))
    ids = set(expected(built, ("2017-01-01", "2017-12-31"), {"country": ["AF"]})["rows"]
              ["event_id"])
    want = [f for f in exported["features"] if f["id"] in ids]
    assert [f["id"] for f in got["features"]] == [f["id"] for f in want]
    for mine, theirs in zip(got["features"], want, strict=True):
        assert mine["geometry"] == theirs["geometry"]
        assert mine["properties"] == theirs["properties"]
    xs = [f["geometry"]["coordinates"][0] for f in want]
    ys = [f["geometry"]["coordinates"][1] for f in want]
    assert got["bbox"] == [min(xs), min(ys), max(xs), max(ys)]
    assert "crs" not in got
    path = tmp_path / name
    path.write_bytes(data)
    info = subprocess.run([require_tool("ogrinfo"), "-ro", "-so", "-al", str(path)],
                          capture_output=True, text=True, check=True).stdout
    assert f"Feature Count: {len(want)}" in info


def test_a_shared_link_reproduces_the_view(browser, seed_page, built):
    page = seed_page
    page.js("incidentMap.clearFilter()")
    page.js("incidentMap.setWindow('2016-06-01', '2017-12-31')")
    page.js("incidentMap.setFilter({event_type: ['suicide_attack', 'bombing'], "
            "target: ['shia', '']})")
    link = page.js("location.hash")
    assert link == ("#from=2016-06-01&to=2017-12-31&mode=window"
                    "&type=suicide_attack,bombing&target=shia,")
    view = {k: page.js(f"incidentMap.{k}()") for k in ("getWindow", "getFilter", "visible",
                                                       "provinces")}
    opened = Page(browser, built / "map.html", link)
    assert {k: opened.js(f"incidentMap.{k}()") for k in view} == view
    opened.close()


def test_unknown_filter_names_are_refused_with_the_known_ones(seed_page):
    message = seed_page.js("""() => { try { incidentMap.setFilter({event: ['x']}); }
                                     catch (e) { return e.message; } }""")
    assert message.startswith('no filter named "event"; filters: event_type, claim_status')


def test_facet_counts_are_what_each_choice_would_show(seed_page, built):
    page = seed_page
    page.js("incidentMap.clearFilter()")
    page.js("incidentMap.setWindow('2015-01-01', '2018-01-31')")
    page.js("incidentMap.setFilter({country: ['AF']})")
    counts = page.js("incidentMap.facetCounts()")
    window = ("2015-01-01", "2018-01-31")
    for value, count in counts["event_type"].items():
        want = expected(built, window, {"country": ["AF"], "event_type": [value]})
        assert count == want["visible"]["incidents"], value
    # A facet's own choice does not narrow its counts: PK keeps its count while AF is chosen.
    assert counts["country"]["PK"] == expected(built, window, {"country": ["PK"]})[
        "visible"]["incidents"]


def test_the_histogram_shows_filtered_bars_over_a_faint_outline(seed_page, built):
    page = seed_page
    page.js("incidentMap.clearFilter()")
    assert page.js("IncidentMapLib && document.querySelector('.im-histogram') !== null")
    page.js("incidentMap.setFilter({event_type: ['recruitment']})")
    filtered = page.js("incidentMap.histogram()")
    assert sum(filtered["filtered"]) == 8 and sum(filtered["all"]) == 27
    page.js("incidentMap.setFilter({country: ['AF']})")  # two filters: a pass over every record
    both = page.js("incidentMap.histogram()")["filtered"]
    incidents = _csv(built / "incidents.csv")
    assert sum(both) == len(incidents[(incidents["event_type"] == "recruitment") &
                                      (incidents["country"] == "AF")])
    page.js("incidentMap.clearFilter()")
    assert page.js("incidentMap.histogram()")["filtered"] is None


def test_the_filter_panel_works_from_the_keyboard(browser, built):
    page = Page(browser, built / "map.html")
    keys = page.page.keyboard
    page.page.focus(".im-filters > summary")
    keys.press("Enter")
    assert page.js("document.querySelector('.im-filters').open")
    page.page.focus(".im-facet > summary")  # the first facet: event type
    keys.press("Enter")
    keys.press("Tab")
    keys.press("Space")  # the most frequent type: recruitment
    assert page.js("incidentMap.getFilter()") == {"event_type": ["recruitment"]}
    assert page.visible()["incidents"] == 8
    counts = page.js("""[...document.querySelectorAll('.im-facet')[0]
                         .querySelectorAll('.im-count')].map(c => c.textContent)""")
    assert counts[0] == "8"
    page.screenshot("filters-open")
    page.page.click(".im-clear")
    assert page.js("incidentMap.getFilter()") == {}
    page.close()


def test_a_long_facet_gets_a_search_box(browser, placed, seed_tables, tmp_path):
    names = [f"Group {i:02d}" for i in range(SEARCH_FROM + 3)]
    incidents = placed.incidents.assign(
        actor=[names[i % len(names)] for i in range(len(placed.incidents))])
    many = dataclasses.replace(placed, incidents=incidents)
    sources = sources_by_id(seed_tables["sources"])
    specs = facet_specs({"incidents": many.incidents, "areas": many.areas}, sources)
    assert [s["search"] for s in specs if s["column"] == "actor"] == [True]
    html = tmp_path / "map.html"
    html.write_text(to_html(build_map(many, sources, basemap=False)), encoding="utf-8")
    page = Page(browser, html)
    page.page.click(".im-filters > summary")
    actor = page.page.locator(".im-facet").nth(3)
    actor.locator("summary").click()
    actor.locator(".im-search").fill("group 1")
    shown = page.js("""[...document.querySelectorAll('.im-facet')[3].querySelectorAll(
                         '.im-value')].filter(r => r.style.display !== 'none').length""")
    assert shown == len([n for n in names if "Group 1" in n])
    page.close()


def test_the_density_layer_is_off_at_first_and_redraws_on_a_step(browser, built):
    page = Page(browser, built / "map.html")
    assert page.js("incidentMap.density()") is None
    page.page.locator(".leaflet-control-layers label", has_text="Density of incidents").click()
    page.js("incidentMap.setWindow('2015-01-01', '2016-06-30')")
    first = page.js("incidentMap.density()")
    picture = page.js("document.querySelector('.density-canvas').toDataURL()")
    assert 0 < first["incidents"] <= page.visible()["incidents"]
    page.js("incidentMap.step()")
    page.js("incidentMap.step()")
    second = page.js("incidentMap.density()")
    assert second != first
    assert page.js("document.querySelector('.density-canvas').toDataURL()") != picture
    page.js("incidentMap.setFilter({event_type: ['recruitment']})")
    assert page.js("incidentMap.density()")["incidents"] <= page.visible()["incidents"]
    page.screenshot("density")
    page.close()


def test_the_heading_names_the_years_and_sources(browser, built):
    page = Page(browser, built / "map.html")
    assert page.js("document.querySelector('.im-heading h1').textContent") == \
        "ISKP incidents and held areas, 2015-2018, from 2 sources"
    assert page.js("document.title") == "ISKP incidents and held areas, 2015-2018, from 2 sources"
    page.close()


def test_a_given_title_is_shown_as_text(browser, placed, seed_tables, tmp_path):
    html = tmp_path / "map.html"
    title = "<img src=x onerror=alert(1)> Attacks & claims"
    fmap = build_map(placed, sources_by_id(seed_tables["sources"]), basemap=False,
                     title=title, description="Our <b>own</b> words.")
    html.write_text(to_html(fmap), encoding="utf-8")
    page = Page(browser, html)
    assert page.js("document.querySelector('.im-heading h1').textContent") == title
    assert page.js("document.querySelector('.im-heading p').textContent") == \
        "Our <b>own</b> words."
    assert page.js("document.querySelectorAll('.im-heading img, .im-heading b').length") == 0
    page.close()


def test_the_control_and_legend_fit_an_a4_landscape_page(browser, built):
    """A4 landscape at 96 dpi is 1123 x 794 pixels."""
    page = Page(browser, built / "map.html")
    page.page.set_viewport_size({"width": 1123, "height": 794})
    page.page.emulate_media(media="print")
    boxes = page.js("""['.im-timefilter', '.im-legend', '.im-heading'].map(s => {
        const r = document.querySelector(s).getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom]; })""")
    for left, top, right, bottom in boxes:
        assert left >= 0 and top >= 0 and right <= 1123 and bottom <= 794
    (l1, t1, r1, b1), (l2, t2, r2, b2), (_, _, _, b3) = boxes
    assert r2 <= l1 or b2 <= t1 or r1 <= l2 or b1 <= t2  # control and legend apart
    assert b3 <= t2  # the heading above the legend
    # Nothing of the legend is scrolled out of sight on paper.
    assert page.js("(e => e.scrollHeight <= e.clientHeight)(document.querySelector('.im-legend'))")
    page.screenshot("a4-print")
    page.close()


def test_downloads_name_the_columns_too_big_for_the_page(placed, seed_tables, monkeypatch):
    import maps.payload

    monkeypatch.setattr(maps.payload, "DOWNLOAD_BUDGET", 200)
    payload = maps.payload.incident_payload(placed.incidents,
                                            sources_by_id(seed_tables["sources"]),
                                            list(placed.provinces["name"]))
    carried = [c["name"] for c in payload["download"]]
    assert carried[0] == "event_id"  # the id always travels, and the points' coordinates
    assert {"latitude", "longitude"} <= set(carried)
    assert "summary" in payload["downloadLeftOut"]
    assert set(carried).isdisjoint(payload["downloadLeftOut"])


def test_facet_values_are_most_frequent_first(placed, seed_tables):
    specs = {s["column"]: s for s in facet_specs(
        {"incidents": placed.incidents, "areas": placed.areas},
        sources_by_id(seed_tables["sources"]))}
    assert specs["event_type"]["values"][:2] == ["recruitment", "suicide_attack"]
    assert specs["event_type"]["labels"][1] == "suicide attack"
    assert specs["geo_precision"]["labels"][specs["geo_precision"]["values"].index("3")] == \
        "province"
    assert "" in specs["target"]["values"]
    assert specs["target"]["labels"][specs["target"]["values"].index("")] == "(not stated)"
    assert specs["status"]["tables"] == ["areas"]
