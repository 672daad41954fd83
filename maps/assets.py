"""Make a folium page self-contained: every script and stylesheet inlined from node_modules.

folium links its JS/CSS from CDNs; with no network that is a blank page. We map
each CDN URL to the same file of the same version installed by `npm ci`, inline
it, and turn the files a stylesheet points at (Leaflet's layer icons) into data:
URIs. A URL we cannot map is an error, never a silent leftover request.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import re
from pathlib import Path

# `npm ci` installs beside pyproject.toml; INCIDENT_MAP_NODE_MODULES points elsewhere.
_REPO_NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"
NODE_MODULES = Path(os.environ.get("INCIDENT_MAP_NODE_MODULES", _REPO_NODE_MODULES))

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


def local_path(url: str, node_modules: Path = NODE_MODULES) -> Path:
    """The file in node_modules that serves `url`, checked against the pinned version."""
    match = _JSDELIVR_NPM.match(url)
    if not match:
        raise AssetError(
            f"no local copy is known for {url}: add its npm package to package.json "
            "and a rule to maps/assets.py, or build with --cdn"
        )
    package, version, inner = match["pkg"], match["ver"], match["path"]
    manifest = node_modules / package / "package.json"
    if not manifest.exists():
        raise AssetError(f"{url} needs npm package {package}@{version}: run `npm ci` first")
    installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if installed != version:
        raise AssetError(
            f"{url} asks for {package}@{version} but node_modules has {installed}: "
            "pin that version in package.json and run `npm ci`"
        )
    path = node_modules / package / inner
    if not path.is_file():
        raise AssetError(f"{url}: {path} does not exist in the installed package")
    return path


def inline_assets(html: str, node_modules: Path = NODE_MODULES) -> str:
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
