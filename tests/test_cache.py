"""The on-disk index cache: versioned by its inputs, written atomically, loaded on demand."""

from __future__ import annotations

from geo import _cache
from geo.gazetteer import load_gazetteer


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INCIDENT_MAP_CACHE", str(tmp_path / "here"))
    assert _cache.cache_dir() == tmp_path / "here"
    monkeypatch.delenv("INCIDENT_MAP_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _cache.cache_dir() == tmp_path / "xdg" / "incident-map"


def test_version_key_changes_with_file_content(tmp_path):
    data = tmp_path / "supplement.csv"
    data.write_text("a\n")
    before = _cache.version_key(1, data)
    data.write_text("b\n")
    assert _cache.version_key(1, data) != before
    assert _cache.version_key(2, data) != _cache.version_key(1, data)


def test_folder_is_complete_or_absent(tmp_path):
    folder = tmp_path / "index-abc"
    _cache.write_folder(folder, {"AF.pickle": b"x", "PK.pickle": b"y"})
    assert sorted(p.name for p in folder.iterdir()) == ["AF.pickle", "PK.pickle", "complete"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("index-abc.")]


def test_other_countries_load_when_a_query_names_them(provinces):
    gazetteer = load_gazetteer(["AF", "PK"], provinces)
    assert gazetteer.countries == ["AF", "PK"]
    tehran = gazetteer.resolve("Tehran", "IR")
    assert (tehran.country, tehran.admin1) == ("IR", "Tehran")
    assert gazetteer.countries == ["AF", "IR", "PK"]
