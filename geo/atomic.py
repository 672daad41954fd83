"""Files written whole or not at all: into a temporary file beside the target, then renamed.

A run killed halfway (Ctrl-C, out of memory, a full disk) leaves the previous
output as it was, never half a file that looks whole. The rename is atomic
on one filesystem, which the file beside its target guarantees.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def part_path(path: Path) -> Path:
    """Where `path` is written before it is complete: hidden, with the same extension."""
    return path.with_name(f".{path.stem}.part{path.suffix}")


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on failure it goes."""
    path = Path(path)
    part = part_path(path)
    part.unlink(missing_ok=True)
    try:
        yield part
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> Path:
    """`Path.write_text` in UTF-8, whole or not at all."""
    with replacing(path) as part:
        part.write_text(text, encoding="utf-8", newline="")  # offsets count "\n" as one
    return Path(path)
