"""Extraction benchmark: KB per second on one core, for plain text, web pages and PDFs.

    make bench            # or: .venv/bin/python -m bench.extract [--kb 2000]

The text corpus is every document we can read here, copied under new names until
it reaches --kb: the held-out fixtures in tests/ (ours), and the development and
seed documents in ../shared when present. The web-page corpus is the same texts
wrapped in a news site's page (navigation, adverts, related stories, footer) plus
our saved news page; the PDF corpus is twelve of them printed by headless
Chromium plus our UN-style report, copied to --kb (skipped without Chromium).
Each copy is read from disk and extracted as its own document, on one pinned
CPU, after the gazetteer is loaded. KB/s counts the bytes of the files read.
Target from the extraction issues: plain text at least 100 KB/s. Prints a
Markdown table with each figure, its target and the ratio, and peak memory.
"""

from __future__ import annotations

import argparse
import html
import os
import resource
import shutil
import subprocess
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


def write_corpus(folder: Path, kb: int, sources: list[bytes], suffix: str) -> tuple[list[Path],
                                                                                 int]:
    """Copies of `sources` under new names, `kb` kilobytes in all."""
    paths, size, n = [], 0, 0
    while size < kb * 1024:
        data = sources[n % len(sources)]
        path = folder / f"doc{n:05d}{suffix}"
        path.write_bytes(data)
        paths.append(path)
        size += len(data)
        n += 1
    return paths, size


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font: 17pt serif; hyphens: auto; text-align: justify; }}</style>
<script>window.dataLayer = [];</script></head><body>
<header><a href="/">Example News</a><nav><a href="/world">World</a></nav></header>
<div class="ad-slot">Advertisement</div><main><article>{body}</article>
<aside class="related"><ul><li>Earlier: more stories from the region</li></ul></aside></main>
<footer><p>Copyright Example News.</p></footer></body></html>"""


def as_page(text: bytes, title: str) -> bytes:
    blocks = [b for b in text.decode("utf-8-sig").split("\n\n") if b.strip()]
    body = "\n".join("<p>" + "<br>".join(html.escape(line) for line in b.split("\n")) + "</p>"
                     for b in blocks)
    return _PAGE.format(title=html.escape(title), body=body).encode("utf-8")


def printed(texts: list[Path], folder: Path) -> list[bytes]:
    """PDFs of some of `texts`, printed by headless Chromium; [] without Chromium."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return []
    made = []
    for n, path in enumerate(texts[:12]):
        page = folder / f"print{n}.html"
        page.write_bytes(as_page(path.read_bytes(), path.stem))
        pdf = folder / f"print{n}.pdf"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={folder / 'profile'}", "--no-pdf-header-footer",
                        f"--print-to-pdf={pdf}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
        made.append(pdf.read_bytes())
    return made


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(paths: list[Path], gazetteer) -> tuple[float, int]:
    started = time.perf_counter()
    result = extract_documents(paths, gazetteer)
    return time.perf_counter() - started, len(result.incidents) + len(result.areas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=2000, help="size of each corpus (KB)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    started = time.perf_counter()
    gazetteer = load_gazetteer(provinces=read_provinces())
    loaded = time.perf_counter() - started
    texts = corpus_sources()
    fixtures = ROOT / "tests" / "fixtures"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages = [as_page(p.read_bytes(), p.stem) for p in texts]
        pages += [p.read_bytes() for p in sorted(fixtures.glob("heldout*/*.html"))]
        pdfs = printed(texts, folder) + [p.read_bytes()
                                         for p in sorted(fixtures.glob("heldout*/*.pdf"))]
        corpora = [("plain text", [p.read_bytes() for p in texts], ".txt", TARGET_KB_S),
                   ("web pages (HTML)", pages, ".html", None),
                   ("PDF", pdfs if shutil.which("chromium") else [], ".pdf", None)]
        for name, sources, suffix, target in corpora:
            if not sources:
                rows.append(f"| {name} | skipped: Chromium is not installed | - | - |")
                continue
            sub = folder / suffix.strip(".")
            sub.mkdir()
            paths, size = write_corpus(sub, args.kb, sources, suffix)
            seconds, records = measure(paths, gazetteer)
            kb_s = size / 1024 / seconds
            goal = f">= {target:.0f} KB/s" if target else "-"
            ratio = f"{kb_s / target:.2f}" if target else "-"
            rows.append(f"| {name}, one core | {kb_s:.0f} KB/s ({len(paths)} files, "
                        f"{size / 1024:.0f} KB, {seconds:.2f} s, {records} records) | {goal} "
                        f"| {ratio} |")
    print(f"corpus: {len(texts)} distinct texts; gazetteer loaded in {loaded:.1f} s\n")
    print("| figure | value | target | ratio |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(f"| peak memory (gazetteer included) | {peak_mb():.0f} MB | - | - |")


if __name__ == "__main__":
    main()
