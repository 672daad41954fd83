"""Map benchmark: our time filter against folium's TimestampedGeoJson and Timeline.

    make bench-map        # or: .venv/bin/python -m bench.map [--sizes 10000 50000 100000]

The same synthetic incidents (bench.synthetic) go into three offline pages,
each with its assets inlined and no basemap, so the pages differ only in how
they carry and filter incidents; every feature carries the same popup text.
Each steps a month at a time, in two ways of showing time:

- window: a one-year window from January 2015. Ours: `incidentMap.setWindow`,
  `incidentMap.step()`; TimestampedGeoJson: period P1M, duration P1Y,
  `timeDimension.nextTime()`; Timeline: each feature lasts a year from its
  start, `timeline.setTime(t + 30 days)`.
- cumulative: everything up to the current month, from December 2019 (half
  the data shown). Ours in cumulative mode; TimestampedGeoJson with no
  duration, which is folium's default and the DESIGN.md baseline.

Reported per page: HTML size, build time (Python), time to ready in Chromium
(navigation to the layer's first display), and the median main-thread time of
one slider step (the step call plus a forced layout), over `--steps` steps.

Our window page also takes filter steps in the same one-year window: the
event-type filter switched between two choices (`incidentMap.setFilter`,
which recounts the histogram over every record and redraws the window), with
the filter panel closed and, separately, open (its per-value counts
recomputed too). Above BASELINE_MAX incidents only our page is built: folium's
pages at a million features take longer to build than this whole run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

from folium.plugins import Timeline as FoliumTimeline
from folium.plugins import TimelineSlider, TimestampedGeoJson

from bench.synthetic import synthetic_placed, synthetic_sources
from geo.gazetteer import load_gazetteer
from maps.assets import inline_assets
from maps.popups import incident_popup
from maps.render import IncidentMap, build_map, to_html
from maps.style import EVENT_COLOURS, incident_radius

NPM = "https://cdn.jsdelivr.net/npm"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
READY_TIMEOUT_MS = 120_000
# Steps taken before timing, so the JIT and caches are warm for every page alike.
WARM_UP = 3
# The largest size folium's pages are built for.
BASELINE_MAX = 100_000
# One filter step: switch the event-type filter between two choices, then force a layout.
FILTER_STEP = """(choice) => { const t = performance.now(); incidentMap.setFilter(choice);
                 document.body.getBoundingClientRect(); return performance.now() - t; }"""
FILTER_CHOICES = ({"event_type": ["bombing", "armed_assault", "clash"]},
                  {"event_type": ["bombing"]})


class OfflineTimestampedGeoJson(TimestampedGeoJson):
    """folium's plugin with its assets from npm: jQuery UI 1.12.1 (jquery-ui-dist) stands in
    for the 1.10.2 build that npm does not carry. Its stylesheets are left out: the
    control's CSS loads icon fonts from a CDN, and they only dress the buttons."""

    default_js = [  # noqa: RUF012
        ("jquery", f"{NPM}/jquery@3.7.1/dist/jquery.min.js"),
        ("jqueryui", f"{NPM}/jquery-ui-dist@1.12.1/jquery-ui.min.js"),
        ("iso8601", f"{NPM}/iso8601-js-period@0.2.1/iso8601.js"),
        ("leaflet.timedimension",
         f"{NPM}/leaflet-timedimension@1.1.1/dist/leaflet.timedimension.min.js"),
        ("moment", f"{NPM}/moment@2.18.1/min/moment.min.js"),
    ]
    default_css = []  # noqa: RUF012


TIMELINE_JS = [("timeline", f"{NPM}/leaflet.timeline@1.6.0/dist/leaflet.timeline.js"),
               ("moment", f"{NPM}/moment@2.18.1/min/moment.min.js")]


class OfflineTimeline(FoliumTimeline):
    default_js = TIMELINE_JS


class OfflineTimelineSlider(TimelineSlider):
    default_js = TIMELINE_JS


def _features(placed, sources, end_of) -> list[dict]:
    features = []
    for record in placed.incidents.sort_values("date_start").to_dict("records"):
        colour = EVENT_COLOURS[record["event_type"]]
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point",
                         "coordinates": [round(record["longitude"], 4),
                                         round(record["latitude"], 4)]},
            "properties": {
                "start": record["date_start"], "end": end_of(record["date_start"]),
                "times": [record["date_start"]],
                "popup": incident_popup(record, sources),
                "icon": "circle",
                "iconstyle": {"color": colour, "fillColor": colour, "fillOpacity": 0.8,
                              "radius": incident_radius(record["fatalities"])},
            },
        })
    return features


def _year_later(iso: str) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=365)).isoformat()


def build_pages(count: int, folder: Path, gazetteer) -> list[dict]:
    """The three pages for `count` incidents, with their build times and sizes."""
    placed = synthetic_placed(count, gazetteer)
    sources = synthetic_sources()
    pages = []

    start = time.perf_counter()
    html = to_html(build_map(placed, sources, basemap=False))
    seconds = time.perf_counter() - start
    for mode in ("window", "cumulative"):
        pages.append(_save(folder, "ours", count, html, seconds, {"mode": mode}))
    if count > BASELINE_MAX:
        return pages

    features = _features(placed, sources, _year_later)
    for mode, duration in (("window", "P1Y"), ("cumulative", None)):
        start = time.perf_counter()
        fmap = IncidentMap(location=[31.5, 67.5], zoom_start=5, tiles=None)
        OfflineTimestampedGeoJson(
            {"type": "FeatureCollection", "features": features},
            period="P1M", duration=duration, add_last_point=False, auto_play=False, loop=False,
        ).add_to(fmap)
        html = inline_assets(fmap.get_root().render())
        pages.append(_save(folder, "TimestampedGeoJson", count, html,
                           time.perf_counter() - start, {"map": fmap.get_name(), "mode": mode}))

    start = time.perf_counter()
    fmap = IncidentMap(location=[31.5, 67.5], zoom_start=5, tiles=None)
    # The popup text rides in each feature's properties, as in the other pages; it is
    # not bound, because folium 0.20's Timeline with a GeoJsonPopup fails on load
    # ("geo_json_popup_... is not defined").
    timeline = OfflineTimeline({"type": "FeatureCollection", "features": features}).add_to(fmap)
    OfflineTimelineSlider(auto_play=False).add_timelines(timeline).add_to(fmap)
    html = inline_assets(fmap.get_root().render())
    pages.append(_save(folder, "Timeline", count, html, time.perf_counter() - start,
                       {"timeline": timeline.get_name(), "mode": "window"}))
    return pages


def _save(folder: Path, kind: str, count: int, html: str, seconds: float, names: dict) -> dict:
    path = folder / f"{kind}-{names.get('mode', '')}-{count}.html"
    path.write_text(html, encoding="utf-8")
    return {"kind": kind, "count": count, "path": path, "bytes": path.stat().st_size,
            "build_s": seconds, **names}


# JavaScript, per page kind: wait until ready, set a one-year window, take one step.
READY = {
    "ours": "() => window.incidentMap && window.incidentMap.ready",
    "TimestampedGeoJson": "(m) => window[m] && window[m].timeDimension && "
                          "document.querySelectorAll('.leaflet-interactive').length > 0",
    "Timeline": "(t) => window[t] && window[t]._map && typeof window[t].setTime === 'function'",
}
START = {
    ("ours", "window"): "() => incidentMap.setWindow('2015-01-01', '2015-12-31')",
    ("ours", "cumulative"): "() => { incidentMap.setMode('cumulative'); "
                            "incidentMap.setWindow('2015-01-01', '2019-12-01'); }",
    ("TimestampedGeoJson", "window"): "(m) => window[m].timeDimension.setCurrentTimeIndex(11)",
    ("TimestampedGeoJson", "cumulative"):
        "(m) => window[m].timeDimension.setCurrentTime(Date.parse('2019-12-01'))",
    ("Timeline", "window"): "(t) => { window[t].setTime(Date.parse('2015-12-31')); }",
}
STEP = {
    "ours": """() => { const t = performance.now(); incidentMap.step();
                     document.body.getBoundingClientRect(); return performance.now() - t; }""",
    "TimestampedGeoJson": """async (m) => { const d = window[m].timeDimension;
        const done = new Promise(r => d.once('timeload', r));
        const t = performance.now(); d.nextTime(1); await done;
        document.body.getBoundingClientRect(); return performance.now() - t; }""",
    "Timeline": """(t) => { const line = window[t]; const s = performance.now();
        line.setTime(line.time + 30 * 86400000); document.body.getBoundingClientRect();
        return performance.now() - s; }""",
}


def measure(browser, page_info: dict, steps: int) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    kind = page_info["kind"]
    arg = page_info.get("map") or page_info.get("timeline")
    start = time.perf_counter()
    try:
        page.goto(page_info["path"].as_uri(), wait_until="load", timeout=READY_TIMEOUT_MS)
        page.wait_for_function(READY[kind], arg=arg, timeout=READY_TIMEOUT_MS)
    except Exception as err:  # a page too big to load is a result, not a crash
        page.close()
        return {"ready_s": None, "step_ms": None, "note": f"not ready: {type(err).__name__}"}
    ready = time.perf_counter() - start
    page.evaluate(START[(kind, page_info["mode"])], arg)
    for _ in range(WARM_UP):
        page.evaluate(STEP[kind], arg)
    times = [page.evaluate(STEP[kind], arg) for _ in range(steps)]
    result = {"ready_s": ready, "step_ms": statistics.median(times)}
    if (kind, page_info["mode"]) == ("ours", "window"):
        page.evaluate(START[(kind, "window")])
        result["filter_ms"] = _filter_step(page, steps)
        page.click(".im-filters > summary")  # open the panel: its counts follow each step
        result["filter_open_ms"] = _filter_step(page, steps)
    page.close()
    return {**result, "note": "; ".join(errors[:1])}


def _filter_step(page, steps: int) -> float:
    """Median milliseconds of one filter step, after warm-up, choices taken in turn."""
    times = [page.evaluate(FILTER_STEP, FILTER_CHOICES[k % 2]) for k in range(WARM_UP + steps)]
    return statistics.median(times[WARM_UP:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[10_000, 50_000, 100_000, 1_000_000])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="keep the pages in this folder")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    gazetteer = load_gazetteer(["AF", "PK"])
    rows = []
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        for count in args.sizes:
            for info in build_pages(count, folder, gazetteer):
                result = measure(browser, info, args.steps)
                rows.append({**info, **result})
                print(json.dumps({k: v for k, v in rows[-1].items() if k != "path"},
                                 default=str), flush=True)
        browser.close()
    _table(rows)


def _table(rows: list[dict]) -> None:
    _step_table(rows)
    _filter_table(rows)


def _filter_table(rows: list[dict]) -> None:
    print("\n| incidents | time step ms | filter step ms | filter step, panel open ms "
          "| filter step / time step |")
    print("|---|---|---|---|---|")
    for r in rows:
        if r.get("filter_ms") is None:
            continue
        print(f"| {r['count']:,} | {r['step_ms']:.1f} | {r['filter_ms']:.1f} "
              f"| {r['filter_open_ms']:.1f} | {r['filter_ms'] / r['step_ms']:.2f} |")


def _step_table(rows: list[dict]) -> None:
    print("\n| incidents | page | mode | HTML MB | build s | ready s | step ms (median) "
          "| TimestampedGeoJson's step / this step | HTML / TimestampedGeoJson's |")
    print("|---|---|---|---|---|---|---|---|---|")
    by = {(r["count"], r["kind"], r["mode"]): r for r in rows}
    for r in rows:
        base = by.get((r["count"], "TimestampedGeoJson", r["mode"]), {})
        ratio = " | "
        if r["kind"] != "TimestampedGeoJson" and base.get("step_ms") and r["step_ms"]:
            ratio = f"{base['step_ms'] / r['step_ms']:.1f} | {r['bytes'] / base['bytes']:.2f}"
        ready = f"{r['ready_s']:.1f}" if r["ready_s"] is not None else r["note"]
        step = f"{r['step_ms']:.1f}" if r["step_ms"] is not None else ""
        print(f"| {r['count']:,} | {r['kind']} | {r['mode']} | {r['bytes'] / 1e6:.1f} "
              f"| {r['build_s']:.1f} "
              f"| {ready} | {step} | {ratio} |")


if __name__ == "__main__":
    main()
