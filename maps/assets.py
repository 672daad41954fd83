"""Make a folium page self-contained: every script and stylesheet inlined from node_modules.

folium links its JS/CSS from CDNs; with no network that is a blank page. We map
each CDN URL to the same file of the same version installed by `npm ci`, inline
it, and turn the files a stylesheet points at (Leaflet's layer icons) into data:
URIs. A URL we cannot map is an error, never a silent leftover request.

Where the npm packages are found, first match wins (see `node_modules_dirs`):
INCIDENT_MAP_NODE_MODULES when set (and then only there), else the checkout's
node_modules (`npm ci`), else the per-user folder `incident-map setup` fills
(`data_dir()`), so a pip-installed package needs neither Node nor a checkout.
The packages the page needs and their pins ship in npm-assets.json, derived
from package-lock.json (maps.fetch writes it, tests/test_install.py checks it).
"""

from __future__ import annotations

import base64
import functools
import json
import mimetypes
import os
import re
from pathlib import Path

# `npm ci` installs beside pyproject.toml (a checkout); INCIDENT_MAP_NODE_MODULES points
# elsewhere; INCIDENT_MAP_DATA moves the folder `incident-map setup` fills.
REPO_NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"
NODE_MODULES_ENV = "INCIDENT_MAP_NODE_MODULES"
DATA_ENV = "INCIDENT_MAP_DATA"
# The npm packages the default page needs (Leaflet's JS, CSS and icons; world-atlas's
# borders), with version and integrity from package-lock.json. Shipped in the package.
NPM_ASSETS = Path(__file__).with_name("npm-assets.json")

_JSDELIVR_NPM = re.compile(
    r"^https://cdn\.jsdelivr\.net/npm/"
    r"(?P<pkg>(?:@[^/]+/)?[^@/]+)@(?P<ver>[^/]+)/(?P<path>.+)$"
)
_SCRIPT_TAG = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>')
_LINK_TAG = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"url\((?P<q>['\"]?)(?P<ref>[^)'\"]+)(?P=q)\)")
_EXTERNAL_TAG = re.compile(
    r'<(?:script|link|img|iframe|source|embed)\b[^>]*?\b(?:src|href)\s*=\s*"(?P<url>(?:https?:)?//[^"]+)"[^>]*>'
)


class AssetError(RuntimeError):
    """An asset URL with no local copy, or a local copy of the wrong version."""


SETUP_HINT = "run `incident-map setup` (in a checkout: `npm ci`)"


def data_dir() -> Path:
    """The per-user folder `incident-map setup` fills: INCIDENT_MAP_DATA, else
    $XDG_DATA_HOME/incident-map, else ~/.local/share/incident-map (the XDG default),
    so an installed package keeps its assets outside site-packages and across upgrades."""
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "incident-map"


def node_modules_dirs() -> list[Path]:
    """The node_modules folders searched, in order. An INCIDENT_MAP_NODE_MODULES that is
    set is the only one: an explicit choice that silently fell through would hide a typo."""
    override = os.environ.get(NODE_MODULES_ENV)
    if override:
        return [Path(override).expanduser()]
    return [REPO_NODE_MODULES, data_dir() / "node_modules"]


@functools.cache
def pinned_npm() -> dict[str, dict[str, str]]:
    """{package: {"version", "integrity"}} for the npm packages the default page needs."""
    return json.loads(NPM_ASSETS.read_text(encoding="utf-8"))["packages"]


def package_file(package: str, version: str, inner: str, node_modules: Path | None = None,
                 what: str | None = None) -> Path:
    """`inner` of npm `package`, from the first folder of `node_modules_dirs()` that holds
    the package (or from `node_modules`), checked to be `version`. `what` names the asker
    in errors (default: the package)."""
    what = what or f"{package}@{version}"
    folders = [node_modules] if node_modules is not None else node_modules_dirs()
    root = next((f / package for f in folders if (f / package / "package.json").is_file()),
                None)
    if root is None:
        looked = ", ".join(str(f) for f in folders)
        raise AssetError(f"{what} needs npm package {package}@{version}, not found in "
                         f"{looked}: {SETUP_HINT}")
    installed = installed_version(root)
    if installed != version:
        raise AssetError(
            f"{what} asks for {package}@{version} but node_modules has {installed} "
            f"({root}): pin that version in package.json and run `npm ci`, or "
            "`incident-map setup` for an installed package"
        )
    path = root / inner
    if not path.is_file():
        raise AssetError(f"{what}: {path} does not exist in the installed package")
    return path


def installed_version(package: Path) -> str | None:
    """The version in an npm package folder's package.json; None when it has none."""
    try:
        return json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def local_path(url: str, node_modules: Path | None = None) -> Path:
    """The file in node_modules that serves `url`, checked against the pinned version;
    `node_modules` None searches `node_modules_dirs()`."""
    match = _JSDELIVR_NPM.match(url)
    if not match:
        raise AssetError(
            f"no local copy is known for {url}: add its npm package to package.json "
            "and a rule to maps/assets.py, or build with --cdn"
        )
    return package_file(match["pkg"], match["ver"], match["path"], node_modules, what=url)


def inline_assets(html: str, node_modules: Path | None = None) -> str:
    """Replace every CDN <script> and stylesheet <link> in `html` by its local content."""

    def script(match: re.Match) -> str:
        code = local_path(match["url"], node_modules).read_text(encoding="utf-8")
        return "<script>" + code.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match) -> str:
        path = local_path(match["url"], node_modules)
        css = _inline_css_urls(path.read_text(encoding="utf-8"), path.parent)
        return "<style>" + css.replace("</style", "<\\/style") + "</style>"

    # Check the page's own tags before inlining: the inlined libraries are
    # full of URLs in strings (Leaflet's attribution link) that load nothing.
    for tag in _EXTERNAL_TAG.finditer(html):
        if not (_SCRIPT_TAG.fullmatch(_closed(tag, html)) or _LINK_TAG.fullmatch(tag.group(0))):
            raise AssetError(f"the page loads {tag['url']} in a form the inliner does not know")
    html = _SCRIPT_TAG.sub(script, html)
    return _LINK_TAG.sub(style, html)


def _closed(tag: re.Match, html: str) -> str:
    """A <script ...> tag together with its (empty) body and closing tag."""
    end = html.find("</script>", tag.end())
    return html[tag.start() : end + len("</script>")] if end >= 0 else tag.group(0)


def _inline_css_urls(css: str, base: Path) -> str:
    def data_uri(match: re.Match) -> str:
        ref = match["ref"].strip()
        if ref.startswith(("data:", "#")):
            return match.group(0)
        if re.match(r"^(?:https?:)?//", ref):
            raise AssetError(f"stylesheet in {base} loads {ref}, which has no local copy")
        path = (base / ref.split("?")[0].split("#")[0]).resolve()
        if not path.is_file():
            raise AssetError(f"stylesheet in {base} refers to missing file {ref}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:{mime};base64,{encoded})"

    return _CSS_URL.sub(data_uri, css)
