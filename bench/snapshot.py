"""Every output of a fixed set of builds, hashed: proof that a refactor changed no byte.

    .venv/bin/python -m bench.snapshot /tmp/before        # on the old commit
    .venv/bin/python -m bench.snapshot /tmp/after         # on the new one
    diff /tmp/before/manifest.txt /tmp/after/manifest.txt # empty: byte-identical

The builds: the seeds (`build` with the basemap, `export --format all`, and
`build --docs` on the seeds' documents), `extract` of the held-out documents,
each dataset fixture on its own (`build --no-basemap`), a fixture with a bad
row under `--keep-going`, and 100k synthetic records (`build`). Each runs the
installed `incident-map` command, so the CLI's messages are compared too
(stdout and stderr, with the snapshot and repository paths taken out).

Each folder with a map.html also gets `answers.json`: the page opened in
headless Chromium (offline: anything but file: and data: is refused) and
asked, through `window.incidentMap`, what it shows in the opening view and in
`WINDOWS`, then after a step of the window and of the cumulative mode; with
the totals line, each province's fill and a hash of the incident canvas's
pixels. When the page's script changes, the answers prove the behaviour did not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
FIXTURES = ROOT / "tests" / "fixtures"
SYNTHETIC = 100_000
# Inputs at one fixed path, so paths written into outputs (rejected.csv) are the same.
DATA = Path(tempfile.gettempdir()) / "incident-map-snapshot-data"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Fixed windows asked of every page; the page clamps them to its records' extent.
WINDOWS = [("2015-01-01", "2015-12-31"), ("2017-01-01", "2017-06-30"),
           ("2018-03-01", "2018-05-31"), ("2000-01-01", "2030-12-31")]
# Everything the page API and the page show for the current window.
ASK = """() => {
    const m = window.incidentMap;
    const canvas = document.querySelector("canvas.incident-canvas");
    let pixels = null;
    if (canvas && canvas.width && canvas.height) {
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let h = 2166136261;  // FNV-1a over the pixels
        for (let i = 0; i < data.length; i++) { h = Math.imul(h ^ data[i], 16777619) >>> 0; }
        pixels = h;
    }
    const totals = document.querySelector(".im-totals");
    return {window: m.getWindow(), visible: m.visible(), provinces: m.provinces(),
            drawn: m.drawn(), groups: m.groups(), groupList: m.groupList(), zoom: m.getZoom(),
            totals: totals ? totals.textContent : null, pixels: pixels,
            fills: Array.from(document.querySelectorAll("path.province-shape"),
                              (p) => p.getAttribute("fill"))};
}"""


def runs(data: Path) -> dict[str, list[str]]:
    """The command lines, by the name of the output folder each writes."""
    seeds = ROOT / "seeds"
    docs = sorted(str(p) for p in SHARED_SEEDS.glob("*.txt"))
    heldout = sorted(str(p) for p in (FIXTURES / "heldout10").glob("*.*")
                     if p.suffix in {".txt", ".pdf", ".html"})
    chosen = {
        "seeds": ["build"],
        "seeds_export": ["export", "--format", "all"],
        "seeds_window": ["export", "--since", "2018-01-01", "--until", "2019-12-31"],
        "seeds_docs": ["build", "--docs", *docs, "--no-basemap"],
        "extract_heldout10": ["extract", *heldout],
        "synthetic": ["build", "--incidents", str(data / "incidents.csv"),
                      "--areas", str(data / "areas.csv"),
                      "--sources", str(data / "sources.csv")],
    }
    for fixture in sorted((FIXTURES / "datasets").glob("*.csv")):
        chosen[f"dataset_{fixture.stem}"] = ["build", "--incidents", str(fixture),
                                             "--no-basemap"]
    chosen["dataset_mixed_keep_going"] = [
        "build", "--incidents", str(seeds / "incidents.csv"),
        str(FIXTURES / "datasets" / "acled.csv"), str(data / "bad.csv"),
        "--keep-going", "--no-basemap"]
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    folder, data = args.folder.resolve(), DATA
    data.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    subprocess.run([python, "-m", "bench.synthetic", str(SYNTHETIC), "--out", str(data)],
                   check=True, cwd=ROOT, capture_output=True)
    bad = (ROOT / "seeds" / "incidents.csv").read_text(encoding="utf-8").splitlines()
    header, row = bad[0], bad[1].split(",", 1)
    (data / "bad.csv").write_text(f"{header}\nbad-1,{row[1].replace('20', 'x0', 1)}\n",
                                  encoding="utf-8")
    command = str(Path(python).with_name("incident-map"))
    for name, argv in runs(data).items():
        out = folder / name
        done = subprocess.run([command, *argv, "--out", str(out)], cwd=ROOT,
                              capture_output=True, text=True)
        out.mkdir(exist_ok=True)
        said = f"exit {done.returncode}\n{done.stdout}\n--- stderr\n{done.stderr}"
        said = said.replace(str(folder), "SNAPSHOT").replace(str(ROOT), "REPO").replace(
            str(SHARED_SEEDS.parent), "SHARED")
        (out / "said.txt").write_text(said, encoding="utf-8")
        print(f"{name}: exit {done.returncode}", file=sys.stderr)
    pages = sorted(folder.rglob("map.html"))
    if pages:
        ask_pages(pages)
    lines = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "manifest.txt":
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            lines.append(f"{digest}  {path.relative_to(folder)}")
    (folder / "manifest.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} files hashed in {folder / 'manifest.txt'}", file=sys.stderr)
    return 0


def ask_pages(pages: list[Path]) -> None:
    """Write answers.json beside each map.html: the page API's answers, sorted."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for html in pages:
            answers = _answers(browser, html)
            (html.parent / "answers.json").write_text(
                json.dumps(answers, sort_keys=True, indent=1) + "\n", encoding="utf-8")
            print(f"{html.parent.name}: answers.json", file=sys.stderr)
        browser.close()


def _answers(browser, html: Path) -> dict:
    refused: list[str] = []
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 860})

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file:", "data:")):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(html.as_uri())
    page.wait_for_function("window.incidentMap && window.incidentMap.ready")
    views = {"opening": page.evaluate(ASK)}
    for start, end in WINDOWS:
        page.evaluate("([a, b]) => incidentMap.setWindow(a, b)", [start, end])
        views[f"{start}..{end}"] = page.evaluate(ASK)
    page.evaluate("() => incidentMap.setWindow('2017-01-01', '2017-03-31')")
    page.evaluate("() => incidentMap.step()")
    views["stepped"] = page.evaluate(ASK)
    for step in ("week", "quarter", "year"):
        page.get_by_label("Step").select_option(step)
        page.evaluate("() => incidentMap.step()")
        views[f"stepped a {step}"] = page.evaluate(ASK)
    page.get_by_label("Shade provinces by").select_option("deaths")
    views["shaded by deaths"] = page.evaluate(ASK)
    page.evaluate("() => incidentMap.setWindow('2016-01-01', '2016-06-30')")
    page.evaluate("() => incidentMap.setMode('cumulative')")
    page.evaluate("() => incidentMap.step()")
    views["cumulative stepped"] = page.evaluate(ASK)
    steps = page.evaluate("""() => Array.from(document.querySelectorAll(
        ".im-timefilter select"), (s) => [s.getAttribute("aria-label"), s.value,
        Array.from(s.options, (o) => o.value)])""")
    page.close()
    for view in views.values():
        view["groupList"] = sorted(view["groupList"], key=lambda g: (g["x"], g["y"], g["count"]))
    return {"views": views, "selects": sorted(steps), "errors": sorted(errors),
            "refused": sorted(refused)}


if __name__ == "__main__":
    sys.exit(main())
