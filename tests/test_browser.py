"""The map in real headless Chromium: offline, no errors, and a time filter that drives it all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from maps.cli import main
from maps.style import PROVINCE_COLOURS
from tests.conftest import ROOT, Page, incident, write_records


def _build(tmp_path: Path, incidents: list[dict], areas: list[dict] | None = None,
           *extra: str, sources: list[dict] | None = None) -> Path:
    incidents_csv = write_records(tmp_path / "incidents.csv", "incidents", incidents)
    areas_csv = write_records(tmp_path / "areas.csv", "areas", areas or [])
    if sources:
        extra = (*extra, "--sources", str(write_records(tmp_path / "s.csv", "sources", sources)))
    out = tmp_path / "out"
    assert main(["build", "--incidents", str(incidents_csv), "--areas", str(areas_csv),
                 "--out", str(out), *extra]) == 0
    return out


# A small history of our own: places in four provinces, every date precision.
TIMELINE = [
    dict(location="Quetta", country="PK", date_start="2016-03-05", date_end="2016-03-05",
         fatalities="12"),
    dict(location="Kabul", country="AF", date_start="2016-07-01", date_end="2016-07-31",
         date_precision="month", fatalities="30", fatalities_qualifier="about"),
    dict(location="Jalalabad", country="AF", date_start="2016-11-20", date_end="2016-11-26",
         date_precision="week"),
    dict(location="Darzab district", country="AF", date_start="2017-01-01",
         date_end="2017-12-31", date_precision="year", event_type="recruitment"),
    dict(location="Kabul", country="AF", date_start="2017-05-31", date_end="2017-05-31",
         fatalities="90", fatalities_qualifier="more_than"),
    dict(location="Lahore", country="PK", date_start="2017-08-14", date_end="2017-08-14",
         fatalities="3"),
    dict(location="Logar province", country="AF", date_start="2017-10-01",
         date_end="2017-10-31", date_precision="month", event_type="propaganda"),
    dict(location="Alkhani village", country="AF", date_start="2018-01-01",
         date_end="2018-01-02", date_precision="week", event_type="airstrike", fatalities="7",
         fatalities_qualifier="at_least"),
]
HELD = [
    dict(name="Darzab", country="AF", status="control", date_start="2017-12-01",
         date_end="", date_precision="month"),
    dict(name="Nangarhar", country="AF", status="base", date_start="2015-01-01",
         date_end="2016-12-31", date_precision="year"),
]
WINDOWS = [("2016-01-01", "2016-12-31"), ("2017-06-01", "2017-09-30"),
           ("2017-12-15", "2018-01-31"), ("2015-01-01", "2015-06-30"), ("2016-07-15", "2016-07-15")]


def _rows(rows: list[dict], **common) -> list[dict]:
    return [incident(summary=f"Timeline record {i}.", **{**common, **row})
            for i, row in enumerate(rows)]


def _areas(rows: list[dict]) -> list[dict]:
    return [{"source_id": "jtm-2018-16-2", "source_file": "000_42fb193f511c7a27.txt",
             "summary": f"Held area {i}.", **row} for i, row in enumerate(rows)]


@pytest.fixture(scope="module")
def timeline(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("timeline"), _rows(TIMELINE), _areas(HELD))


def _expected(out: Path, start: str, end: str) -> dict:
    """What Python says the window holds, from the exported records."""
    incidents = pd.read_csv(out / "incidents.csv", dtype=str, keep_default_na=False)
    shown = incidents[(incidents["date_start"] <= end) & (incidents["date_end"] >= start)]
    deaths = pd.to_numeric(shown["fatalities"], errors="coerce").fillna(0).astype(int)
    areas = pd.read_csv(out / "areas.csv", dtype=str, keep_default_na=False)
    until = areas["date_end"].where(areas["date_end"] != "", "2018-01-31")  # source: 2018-01
    held = areas[(areas["date_start"] <= end) & (until >= start)]
    by_province = shown.assign(deaths=deaths).groupby("admin1").agg(
        incidents=("event_id", "size"), deaths=("deaths", "sum"))
    return {
        "visible": {"incidents": len(shown), "areas": len(held), "deaths": int(deaths.sum())},
        "provinces": {k: {"incidents": int(v["incidents"]), "deaths": int(v["deaths"])}
                      for k, v in by_province.iterrows()},
    }


def test_seed_map_opens_offline_with_every_placed_record(browser, built):
    page = Page(browser, built / "map.html")
    page.screenshot("seeds")
    incidents = pd.read_csv(built / "incidents.csv", dtype=str, keep_default_na=False)
    areas = pd.read_csv(built / "areas.csv", dtype=str, keep_default_na=False)
    shown = page.visible()
    assert shown["incidents"] == len(incidents)
    assert shown["areas"] == len(areas)
    assert shown["deaths"] == int(pd.to_numeric(incidents["fatalities"]).fillna(0).sum())
    assert page.js("incidentMap.drawn()") == len(incidents)
    assert page.page.locator("path.area-shape").count() == len(areas)
    assert page.page.locator("path.province-shape").count() == 41
    tiles = page.js("[...document.querySelectorAll('img.leaflet-tile')].map(t => t.src)")
    assert tiles and all(src.startswith("data:image/png") for src in tiles)
    assert page.page.locator("path.country-line").count() >= 5
    page.close()


@pytest.mark.parametrize("start, end", WINDOWS)
def test_visible_records_are_those_overlapping_the_window(browser, timeline, start, end):
    page = Page(browser, timeline / "map.html")
    assert page.js("([a, b]) => incidentMap.setWindow(a, b)", [start, end])["start"] == start
    expected = _expected(timeline, start, end)
    assert page.visible() == expected["visible"]
    counted = {name: value for name, value in page.js("incidentMap.provinces()").items()
               if value["incidents"]}
    assert counted == expected["provinces"]
    page.close()


def test_typing_dates_moves_the_window(browser, timeline):
    page = Page(browser, timeline / "map.html")
    page.page.get_by_label("From", exact=True).fill("2017-06-01")
    page.page.get_by_label("To", exact=True).fill("2017-09-30")
    assert page.js("incidentMap.getWindow()") == {"start": "2017-06-01", "end": "2017-09-30",
                                                  "mode": "window"}
    assert page.visible() == _expected(timeline, "2017-06-01", "2017-09-30")["visible"]
    assert "from=2017-06-01&to=2017-09-30" in page.js("location.hash")
    page.screenshot("typed-window")
    page.close()


def test_dragging_a_handle_narrows_the_window(browser, timeline):
    page = Page(browser, timeline / "map.html")
    before = page.js("incidentMap.getWindow()")
    handle = page.page.get_by_label("Window end")
    box = handle.bounding_box()
    y = box["y"] + box["height"] / 2
    page.page.mouse.move(box["x"] + box["width"] - 7, y)
    page.page.mouse.down()
    page.page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=8)
    page.page.mouse.up()
    after = page.js("incidentMap.getWindow()")
    assert after["start"] == before["start"] and after["end"] < before["end"]
    assert page.visible() == _expected(timeline, after["start"], after["end"])["visible"]
    page.close()


def test_play_steps_the_window_forward_and_pause_stops_it(browser, timeline):
    page = Page(browser, timeline / "map.html")
    page.js("incidentMap.setWindow('2016-01-01', '2016-03-31')")
    page.page.get_by_label("Speed").select_option("4x")
    page.page.get_by_role("button", name="Play").click()
    page.page.wait_for_function("incidentMap.getWindow().start > '2016-03-01'")
    page.page.get_by_role("button", name="Pause").click()
    stopped = page.js("incidentMap.getWindow()")
    page.page.wait_for_timeout(600)
    assert page.js("incidentMap.getWindow()") == stopped
    width = (dt.date.fromisoformat(stopped["end"]) - dt.date.fromisoformat(stopped["start"])).days
    assert width == 90  # a moving window keeps its width
    assert page.visible() == _expected(timeline, stopped["start"], stopped["end"])["visible"]
    page.close()


def test_cumulative_mode_keeps_the_start_at_the_first_record(browser, timeline):
    page = Page(browser, timeline / "map.html")
    page.js("incidentMap.setWindow('2017-01-01', '2017-06-30')")
    page.page.get_by_label("Mode").select_option("cumulative")
    window = page.js("incidentMap.getWindow()")
    assert window == {"start": "2015-01-01", "end": "2017-06-30", "mode": "cumulative"}
    page.js("incidentMap.step()")
    assert page.js("incidentMap.getWindow()")["start"] == "2015-01-01"
    page.close()


def test_province_colours_follow_the_window(browser, timeline):
    page = Page(browser, timeline / "map.html")
    kabul = page.page.locator("path.province-shape").nth(_province_index(timeline, "Kabul"))
    page.js("incidentMap.setWindow('2017-05-01', '2017-06-30')")
    busy = kabul.get_attribute("fill")
    page.js("incidentMap.setWindow('2018-01-01', '2018-01-31')")
    quiet = kabul.get_attribute("fill")
    assert busy != quiet and quiet == PROVINCE_COLOURS[0]
    page.page.get_by_label("Shade provinces by").select_option("deaths")
    page.js("incidentMap.setWindow('2017-05-01', '2017-06-30')")
    assert kabul.get_attribute("fill") != busy  # 90 deaths sit higher on the deaths scale
    page.close()


def _province_index(out: Path, name: str) -> int:
    import json

    features = json.loads((out / "provinces.geojson").read_text())["features"]
    return [f["properties"]["name"] for f in features].index(name)


def test_unticking_a_layer_hides_it_and_the_filter_keeps_working(browser, timeline):
    page = Page(browser, timeline / "map.html")
    page.page.get_by_label("Incidents", exact=True).uncheck()
    assert page.js("incidentMap.drawn()") == 0
    assert page.page.locator("canvas.incident-canvas").count() == 0
    page.js("incidentMap.setWindow('2017-01-01', '2017-12-31')")
    page.page.get_by_label("Incidents", exact=True).check()
    assert page.js("incidentMap.drawn()") == _expected(
        timeline, "2017-01-01", "2017-12-31")["visible"]["incidents"]
    page.page.get_by_label("Areas held or used").uncheck()
    assert page.page.locator("path.area-shape").count() == 0
    page.close()


def test_areas_show_only_while_held(browser, timeline):
    page = Page(browser, timeline / "map.html")
    page.js("incidentMap.setWindow('2016-01-01', '2016-06-30')")
    assert page.page.locator("path.area-shape").count() == 1  # Nangarhar, held 2015-2016
    page.js("incidentMap.setWindow('2017-12-01', '2018-01-31')")
    assert page.page.locator("path.area-shape").count() == 1  # Darzab, from December 2017
    page.close()


def test_since_and_until_set_the_opening_window_and_the_hash_wins(browser, tmp_path):
    out = _build(tmp_path, _rows(TIMELINE), _areas(HELD),
                 "--since", "2017-01-01", "--until", "2017-06-30")
    page = Page(browser, out / "map.html")
    assert page.js("incidentMap.getWindow()")["start"] == "2017-01-01"
    assert page.visible() == _expected(out, "2017-01-01", "2017-06-30")["visible"]
    page.close()
    shared = Page(browser, out / "map.html", "#from=2016-01-01&to=2016-12-31&mode=window")
    assert shared.js("incidentMap.getWindow()")["end"] == "2016-12-31"
    shared.close()


def test_approximate_places_are_drawn_hollow(browser, timeline):
    page = Page(browser, timeline / "map.html")
    page.page.get_by_label("Provinces (incidents)").uncheck()
    page.page.get_by_label("Areas held or used").uncheck()
    incidents = pd.read_csv(timeline / "incidents.csv", dtype=str, keep_default_na=False)
    order = incidents.sort_values(["date_start", "event_id"]).reset_index(drop=True)
    # Two lone markers, far from the big Kabul circles: Quetta (exact), Darzab (district).
    exact = order.index[order["location"] == "Quetta"][0]
    approximate = order.index[order["location"] == "Darzab district"][0]

    def alpha_at_centre(i: int) -> int:
        return page.js("""(i) => {
            const p = incidentMap.markerPoint(i);
            const canvas = document.querySelector('canvas.incident-canvas');
            const r = window.devicePixelRatio || 1;
            const x = Math.round(p.x * r), y = Math.round(p.y * r);
            return canvas.getContext('2d').getImageData(x, y, 1, 1).data[3];
        }""", int(i))

    assert alpha_at_centre(exact) > 150
    assert 0 < alpha_at_centre(approximate) < 80
    page.close()


def test_clicking_a_marker_opens_its_popup(browser, tmp_path):
    out = _build(tmp_path, [incident(fatalities="9", fatalities_qualifier="at_least",
                                     injured="50", injured_qualifier="more_than",
                                     claim_status="attributed", event_type="suicide_attack")])
    page = Page(browser, out / "map.html")
    point = page.js("incidentMap.markerPoint(0)")
    page.page.mouse.click(point["x"], point["y"])
    popup = page.page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    for expected in ("Suicide attack: Quetta, Balochistan", "17 Dec 2017", "at least 9",
                     "more than 50", "attributed", "Islamic State Gains Ground in Afghanistan",
                     "Test record written for the suite."):
        assert expected in text
    page.close()


def test_incidents_at_one_point_fan_out_and_each_can_be_clicked(browser, tmp_path):
    rows = [incident(event_id=f"stack-{i}", summary=f"Stacked record {i}.") for i in range(3)]
    page = Page(browser, _build(tmp_path, rows) / "map.html")
    page.page.get_by_label("Provinces (incidents)").uncheck()
    opened = set()
    points = [page.js(f"incidentMap.markerPoint({i})") for i in range(3)]
    assert len({(round(p["x"]), round(p["y"])) for p in points}) == 3
    for i in range(3):
        point = page.js(f"incidentMap.markerPoint({i})")  # afresh: a popup may pan the map
        page.page.mouse.click(point["x"], point["y"])
        popup = page.page.locator(".leaflet-popup-content")
        popup.wait_for()
        opened.add(popup.locator("p.summary").inner_text())
        page.page.locator(".leaflet-popup-close-button").click()
        popup.wait_for(state="detached")
    assert opened == {f"Stacked record {i}." for i in range(3)}
    page.close()


# Text from hostile documents and spreadsheets, by kind: each must reach the page as text.
HOSTILE_BY_KIND = {
    "script tags": [
        '<script>window.__pwned = "script"</script>',
        '</script><script>window.__pwned = "close"</script>',
        "<SCRIPT>window.__pwned = 'upper'</SCRIPT>",
    ],
    "event handlers": [
        '<img src=x onerror="window.__pwned = \'img\'">',
        "<svg onload=\"window.__pwned = 'svg'\"></svg>",
        '" autofocus onfocus="window.__pwned = \'attribute\'" x="',
        "' onmouseover='window.__pwned = 1' '",
    ],
    "javascript: URLs": [
        "javascript:window.__pwned = 'url'",
        "<a href=\"javascript:window.__pwned = 'link'\">read more</a>",
        "<iframe src=\"javascript:window.__pwned = 'frame'\"></iframe>",
    ],
    "script-context breaks": [
        '${window.__pwned = "template"}',
        '`); window.__pwned = "backtick"; (`',
        '"\u2028window.__pwned = "separator"//',
        "</script><!--",
    ],
    "broken HTML": [
        "<div><b>unclosed <i>tags",
        "<!-- an open comment",
        "<![CDATA[ ]]> &lt;script&gt; stays &amp; as written",
        "<style>body { display: none }</style>",
    ],
    "very long strings": [
        "A" * 100_000 + "<script>window.__pwned = 'long'</script>",
    ],
}
HOSTILE = [text for texts in HOSTILE_BY_KIND.values() for text in texts]


def test_hostile_record_text_is_shown_not_run(browser, tmp_path):
    """Every text field that reaches the page, from records and from sources.csv."""
    places = [("Quetta", "PK"), ("Kabul", "AF"), ("Lahore", "PK"), ("Karachi", "PK"),
              ("Herat", "AF")] * 4
    sources = [{"source_id": f"s{i}", "title": text, "publisher": text, "published": "2018-01",
                "file": "hostile.txt"} for i, text in enumerate(HOSTILE)]
    rows = [incident(summary=text, actor=text, location=text, place=place, country=country,
                     target=text, assoc_actors=text, cited_sources=text, source_id=f"s{i}",
                     event_id=f"hostile-{i}\"</script>")
            for i, (text, (place, country)) in enumerate(zip(HOSTILE, places, strict=False))]
    areas = [{**HELD[0], "name": text, "latitude": "36.01", "longitude": "65.36",
              "summary": text, "cited_sources": text, "area_id": f"hostile-area-{i}</script>",
              "source_id": f"s{i}", "source_file": "hostile.txt"}
             for i, text in enumerate(HOSTILE)]
    page = Page(browser, _build(tmp_path, rows, areas, sources=sources) / "map.html")
    shown = set()
    for i in range(len(HOSTILE)):
        page.js(f"incidentMap.openPopup({i})")
        popup = page.page.locator(".leaflet-popup-content").last
        text = popup.inner_text()
        shown |= {t for t in HOSTILE if t in text}
        assert popup.locator("a, img, svg, iframe, script, style, b, i").count() == 0
    assert shown == set(HOSTILE)
    areas_shown = set()
    for shape in page.page.locator("path.area-shape").all():
        shape.dispatch_event("click")
        popup = page.page.locator(".leaflet-popup-content").last
        areas_shown |= {t for t in HOSTILE if t in popup.inner_text()}
        assert popup.locator("a, img, svg, iframe, script, style, b, i").count() == 0
    assert areas_shown  # circles of areas at one point: at least the one on top opens
    assert page.js("window.__pwned === undefined")
    assert "javascript:" not in page.js("Array.from(document.querySelectorAll('[href],[src]'))"
                                        ".map(e => e.getAttribute('href') || e.getAttribute("
                                        "'src')).join(' ')")
    page.close()


def test_text_extracted_from_a_hostile_document_is_shown_not_run(browser, tmp_path):
    """A document's own words reach the popup (summary, title) as text, never as markup."""
    doc = tmp_path / "hostile.txt"
    doc.write_text(
        f"Report {HOSTILE[4]}\nPublished: 1 May 2017\n\n"
        f"On 12 April 2017 gunmen {HOSTILE[1]} killed six guards in Kunduz {HOSTILE[0]}.\n",
        encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--incidents", str(write_records(tmp_path / "none.csv", "incidents",
                                                           [])),
                 "--docs", str(doc), "--no-basemap", "--out", str(out)]) == 0
    page = Page(browser, out / "map.html")
    assert page.visible()["incidents"] == 1
    page.js("incidentMap.openPopup(0)")
    text = page.page.locator(".leaflet-popup-content").last.inner_text()
    assert HOSTILE[1] in text and HOSTILE[0] in text and HOSTILE[4] in text
    assert page.js("window.__pwned === undefined")
    page.close()


def test_a_country_centroid_is_drawn_but_shades_no_province(browser, tmp_path):
    # UCDP where_prec 6: Pakistan's centroid (30.0, 70.0) lies in Punjab, but says nothing of it.
    hdx = ROOT / "tests" / "fixtures" / "datasets" / "ucdp_ged_hdx.csv"
    out = tmp_path / "out"
    assert main(["build", "--incidents", str(hdx), "--no-basemap", "--out", str(out)]) == 0
    page = Page(browser, out / "map.html")
    assert page.visible()["incidents"] == 5
    counted = page.js("incidentMap.provinces()")
    assert counted["Punjab"]["incidents"] == 0
    assert sum(value["incidents"] for value in counted.values()) == 3
    page.close()


def test_attacks_abroad_are_in_view_and_shade_no_province(browser, tmp_path):
    """Records in Istanbul and Krasnogorsk: the opening view takes them in, and they count
    in no province of ours (their admin1 is empty)."""
    rows = _rows([
        dict(location="Kabul", country="AF", date_start="2024-01-05", date_end="2024-01-05"),
        dict(location="Istanbul", country="TR", latitude="41.01384", longitude="28.94966",
             geo_precision="1", date_start="2024-01-28", date_end="2024-01-28"),
        dict(location="Krasnogorsk", country="RU", latitude="55.81904", longitude="37.32984",
             geo_precision="1", date_start="2024-03-22", date_end="2024-03-22"),
    ])
    out = _build(tmp_path, rows, None, "--no-basemap")
    page = Page(browser, out / "map.html")
    assert page.visible()["incidents"] == 3
    assert page.js("incidentMap.drawn()") == 3  # all three inside the opening view
    assert sum(v["incidents"] for v in page.js("incidentMap.provinces()").values()) == 1
    page.close()


def test_records_abroad_bring_their_tiles_and_borders(browser, tmp_path):
    """Krasnogorsk lies far outside the Afghanistan-Pakistan tiles: the page carries tiles
    (to zoom 4) and country borders around it too, so it is not drawn on a blank sea."""
    rows = _rows([
        dict(location="Kabul", country="AF", date_start="2024-01-05", date_end="2024-01-05"),
        dict(location="Krasnogorsk", country="RU", latitude="55.81904", longitude="37.32984",
             geo_precision="1", date_start="2024-03-22", date_end="2024-03-22"),
    ])
    out = _build(tmp_path, rows)
    page = Page(browser, out / "map.html")
    page.js("incidentMap.setView(55.8, 37.3, 4)")  # Krasnogorsk at the centre
    page.page.wait_for_timeout(300)
    under = page.js("""(() => {
        const box = document.querySelector('.leaflet-container').getBoundingClientRect();
        const x = box.left + box.width / 2, y = box.top + box.height / 2;
        const tile = [...document.querySelectorAll('img.leaflet-tile')].find(t => {
            const r = t.getBoundingClientRect();
            return r.left <= x && x < r.right && r.top <= y && y < r.bottom;
        });
        // Borders are lines cut at the region's edge (not polygons whose cut edge would be
        // drawn), and none runs north of Moscow there: within 100 px (about 5 degrees) of
        // its latitude, where the Afghan-Pakistani region alone stops 16 degrees south.
        const north = [...document.querySelectorAll('path.country-line')]
            .filter(p => p.getBoundingClientRect().top < y + 100).length;
        return {tile: tile ? tile.src.slice(0, 14) : null, north: north};
    })()""")
    assert under["tile"] == "data:image/png", under  # a real tile, not the blank one
    assert under["north"] > 0  # borders reach up to near Moscow's latitude
    page.close()
