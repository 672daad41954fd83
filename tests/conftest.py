"""Shared fixtures and helpers: the seed pipeline run once, a built output folder, tool checks,
the CLI path, dataset-fixture rewriting, and the headless-Chromium `browser` and `Page`."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo.gazetteer import load_gazetteer, read_provinces
from geo.pipeline import place_records
from geo.records import load_table
from geo.schema import column_names
from maps.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
FIXTURES = ROOT / "tests" / "fixtures" / "datasets"
CLI = shutil.which("incident-map") or str(Path(sys.executable).parent / "incident-map")
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_tool(path_or_name: str) -> str:
    """The tool's path; in CI a missing tool fails the test, elsewhere it skips it."""
    found = shutil.which(path_or_name)
    if found:
        return found
    message = f"{path_or_name} is not installed (Debian: chromium, gdal-bin)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def ogrinfo(*args: str) -> str:
    """What GDAL's ogrinfo says of a file (read-only); a warning from it fails the test."""
    result = subprocess.run([require_tool("ogrinfo"), "-ro", *args], capture_output=True,
                            text=True, check=True)
    assert "Warning" not in result.stderr, result.stderr
    return result.stdout


def require_shared(relative: str) -> Path:
    """A file from ../shared; tests that read it skip when it is absent (not in CI)."""
    path = SHARED / relative
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing: CI runs with ../shared beside the clone")
        pytest.skip(f"{path} is not present")
    return path


def write_records(path: Path, table: str, rows: list[dict]) -> Path:
    """Write `rows` as a contract CSV; missing columns are left empty."""
    columns = column_names(table)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" if pd.isna(row.get(c)) else row.get(c, "") for c in columns})
    return path


def incident(**values) -> dict:
    """A minimal valid incident row; keyword arguments override fields."""
    row = {
        "date_start": "2017-12-17", "date_end": "2017-12-17", "date_precision": "day",
        "event_type": "bombing", "location": "Quetta", "country": "PK",
        "claim_status": "unclaimed", "source_id": "jtm-2018-16-2",
        "source_file": "000_42fb193f511c7a27.txt", "summary": "Test record written for the suite.",
    }
    row.update(values)
    return row


# Dataset fixtures (tests/fixtures/datasets) copied with some cells changed.
def rewritten(source: Path, target: Path, edit) -> Path:
    """A copy of a fixture with `edit(header, rows)` applied to its cells."""
    with open(source, encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    header, rows = edit(header, rows)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return target


def set_cell(name: str, row: int, value: str):
    def edit(header, rows):
        rows[row][header.index(name)] = value
        return header, rows
    return edit


@pytest.fixture(scope="session")
def provinces():
    return read_provinces()


@pytest.fixture(scope="session")
def gazetteer(provinces):
    return load_gazetteer(provinces=provinces)


@pytest.fixture(scope="session")
def seed_tables():
    return {t: load_table(SEEDS / f"{t}.csv", t) for t in ("incidents", "areas", "sources")}


@pytest.fixture(scope="session")
def placed(seed_tables, gazetteer, provinces):
    return place_records(seed_tables["incidents"], seed_tables["areas"], gazetteer, provinces)


@pytest.fixture(scope="module")
def scheduler():
    """A two-worker local cluster, reached by its address like any other scheduler (one per
    test module that asks for it)."""
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=":0")
    yield cluster.scheduler_address
    cluster.close()


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """`incident-map build` over the seeds, once for the session."""
    out = tmp_path_factory.mktemp("built")
    assert main(["build", "--out", str(out)]) == 0
    return out


# Headless Chromium: the `browser` fixture (one per module) and a loaded map `Page`.
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

    def __init__(self, browser, html: Path, hash_: str = ""):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 860})
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", lambda dialog: self.errors.append(f"dialog: {dialog.message}"))
        self.page.goto(html.as_uri() + hash_)
        self.page.wait_for_function("window.incidentMap && window.incidentMap.ready")

    def js(self, expression: str, *args):
        return self.page.evaluate(expression, *args)

    def visible(self) -> dict:
        return self.js("incidentMap.visible()")

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    def close(self) -> None:
        assert self.errors == []
        assert self.outside_requests() == []
        self.page.close()
