"""Extraction benchmark: KB of text per second on one core, after the gazetteer is loaded.

    make bench            # or: .venv/bin/python -m bench.extract [--kb 2000]

The corpus is every document we can read here, copied under new names until it
reaches --kb: the held-out fixtures in tests/ (ours), and the development and
seed documents in ../shared when present. Each copy is read from disk and
extracted as its own document. The process is pinned to one CPU. Target from
the extraction issue: at least 100 KB/s. Prints a Markdown table with each
figure, its target and the ratio, and peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from geo.extract import extract_documents
from geo.gazetteer import load_gazetteer, read_provinces

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TARGET_KB_S = 100.0


def corpus_sources() -> list[Path]:
    found = sorted((ROOT / "tests" / "fixtures").glob("heldout*/*.txt"))
    found += sorted((SHARED / "eval" / "docs").glob("*.txt"))
    found += sorted((SHARED / "seeds").glob("*.txt"))
    return found


def write_corpus(folder: Path, kb: int) -> tuple[list[Path], int]:
    """Copies of the documents under new names, `kb` kilobytes in all."""
    sources = [p.read_bytes() for p in corpus_sources()]
    paths, size, n = [], 0, 0
    while size < kb * 1024:
        data = sources[n % len(sources)]
        path = folder / f"doc{n:05d}.txt"
        path.write_bytes(data)
        paths.append(path)
        size += len(data)
        n += 1
    return paths, size


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=2000, help="corpus size (default 2000 KB)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    started = time.perf_counter()
    gazetteer = load_gazetteer(provinces=read_provinces())
    loaded = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        paths, size = write_corpus(Path(tmp), args.kb)
        started = time.perf_counter()
        result = extract_documents(paths, gazetteer)
        seconds = time.perf_counter() - started
    kb_s = size / 1024 / seconds
    records = len(result.incidents) + len(result.areas)
    print(f"corpus: {len(paths)} documents, {size / 1024:.0f} KB, from "
          f"{len(corpus_sources())} distinct texts; gazetteer loaded in {loaded:.1f} s\n")
    print("| figure | value | target | ratio |")
    print("|---|---|---|---|")
    print(f"| extraction, one core | {kb_s:.0f} KB/s ({seconds:.2f} s, {records} records) "
          f"| >= {TARGET_KB_S:.0f} KB/s | {kb_s / TARGET_KB_S:.2f} |")
    print(f"| peak memory (gazetteer included) | {peak_mb():.0f} MB | - | - |")


if __name__ == "__main__":
    main()
