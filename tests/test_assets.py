"""The inliner: known CDN URLs become local npm files; anything else is an error."""

from __future__ import annotations

import json
import re

import pytest

from maps.assets import AssetError, inline_assets, local_path
from maps.render import LEAFLET_CSS, LEAFLET_JS


def test_jsdelivr_url_maps_to_the_installed_npm_file():
    assert local_path(LEAFLET_JS).parts[-4:] == ("node_modules", "leaflet", "dist", "leaflet.js")


def test_unknown_url_is_an_error_naming_it():
    with pytest.raises(AssetError, match=re.escape("https://code.jquery.com/jquery-3.7.1.min.js")):
        inline_assets('<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>')


def test_image_tag_from_the_network_is_an_error():
    with pytest.raises(AssetError, match=re.escape("https://example.org/x.png")):
        inline_assets('<img src="https://example.org/x.png">')


def test_wrong_installed_version_is_an_error(tmp_path):
    package = tmp_path / "leaflet"
    (package / "dist").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"version": "0.7.7"}))
    (package / "dist" / "leaflet.js").write_text("")
    with pytest.raises(AssetError, match=r"leaflet@1.9.3 but node_modules has 0.7.7"):
        local_path(LEAFLET_JS, tmp_path)


def test_stylesheet_images_become_data_uris():
    html = inline_assets(f'<link rel="stylesheet" href="{LEAFLET_CSS}"/>')
    assert html.startswith("<style>") and "url(data:image/png;base64," in html
    assert "url(images/" not in html


def test_inlined_script_cannot_close_its_own_tag(tmp_path):
    package = tmp_path / "evil"
    (package / "dist").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"version": "1.0.0"}))
    (package / "dist" / "e.js").write_text('var s = "</script><b>";')
    html = inline_assets(
        '<script src="https://cdn.jsdelivr.net/npm/evil@1.0.0/dist/e.js"></script>', tmp_path)
    assert html.count("</script>") == 1
