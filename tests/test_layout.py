"""README's Layout is the newcomer's tour: it names every module, and only modules that exist."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _toured() -> set[str]:
    """The files the Layout block names, as paths (its indentation gives the folders)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    folders: list[tuple[int, str]] = []
    named = set()
    for line in block.splitlines():
        match = re.match(r"( *)(\S.*?)(?:\s{2,}|$)", line)
        if not match or not match[2]:
            continue
        depth, words = len(match[1]), match[2]
        folders = [(d, f) for d, f in folders if d < depth]
        prefix = "".join(f for _, f in folders)
        if words.endswith("/"):
            folders.append((depth, words))
            continue
        named |= {prefix + name.strip() for name in words.split(",") if name.strip()}
    return named


def test_readme_layout_names_every_module_one_for_one():
    modules = {str(p.relative_to(ROOT)) for folder in ("geo", "maps")
               for p in (ROOT / folder).rglob("*.py")
               if p.name != "__init__.py" or p.parent.name in ("datasets", "extract")}
    toured = {name for name in _toured() if name.endswith(".py")}
    assert toured - modules == set(), "README names modules that do not exist"
    assert modules - toured == set(), "modules missing from README's Layout"
