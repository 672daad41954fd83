"""Hostile and broken documents: each skipped with one line that says why, in bounded time,
while the good document beside it is still extracted.

Every file is made here, byte by byte (tests/pdfs.py for the PDFs): a decompression bomb,
a web page that is one 50 MB paragraph, UTF-16 without its byte-order mark, an encrypted,
a truncated and a deeply nested PDF, an empty file, a binary one named .txt, a
billion-laughs page, and what a reader of ours once choked on (JSON-LD nested past
Python's recursion limit, markup nested 2048 deep, one sentence half a megabyte long, a
device that never ends). Each runs through the real command beside one good document;
the time bound is a correctness bound (nothing hangs), not a benchmark.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from geo.extract._html import html_text
from maps.cli import main
from tests.pdfs import bomb_pdf, nested_pdf, shared_form_pdf, text_pdf

SECONDS = 30  # no document may take longer than this to be skipped or read
GOOD = "Note\nPublished: 1 May 2017\n\nOn 12 April 2017 gunmen killed six guards in Kunduz.\n"
INCIDENT = "Published: 2 June 2022\n\nOn 3 May 2022 a bomb in Kabul killed four people.\n"
# Ten to the ninth "lol"s, three bytes each, if a parser expanded the entities.
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(1, 10))
          + b"]><html><body><p>&lol9;</p></body></html>")


@pytest.fixture(autouse=True)
def warm(gazetteer):
    """The gazetteer's cache built before any clock starts: a first build takes 20 s."""


def paragraph_page(path: Path, megabytes: int) -> Path:
    """A web page whose text is one paragraph of `megabytes` MB, written a MB at a time."""
    sentence = b"On 3 May 2022 a bomb in Kabul killed four people and "
    chunk = sentence * (10**6 // len(sentence))
    with open(path, "wb") as handle:
        handle.write(b"<!doctype html><html><body><p>")
        for _ in range(megabytes):
            handle.write(chunk)
        handle.write(b"</p></body></html>")
    return path


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf([INCIDENT.split("\n")[2]] * 3))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated_pdf() -> bytes:
    whole = text_pdf([INCIDENT.split("\n")[2]] * 3)
    return whole[: len(whole) // 2]


def write(data: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path
    return make


# (file name, how it is made, what the skip says); the maker gets the path to write.
SKIPPED = [
    ("bomb.pdf", lambda p: write(bomb_pdf(2.0))(p),
     "is a PDF whose compressed streams inflate too far (a decompression bomb?); the limit "
     "on what a PDF inflates to is 200 MB (raise it with --max-decompressed-mb)"),
    ("paragraph.html", lambda p: paragraph_page(p, 50),
     "MB of text; the limit on a document's text is 5 MB (raise it with --max-text-mb)"),
    ("encrypted.pdf", lambda p: write(encrypted_pdf())(p),
     "is an encrypted PDF; save an unprotected copy first"),
    ("truncated.pdf", lambda p: write(truncated_pdf())(p), "is a damaged PDF (PdfStreamError: "),
    ("nested.pdf", lambda p: write(nested_pdf(50_000))(p),
     "is a damaged PDF: no text could be read from it (pypdf: "),
    ("deeper.html", write(b"<html><body>" + b"<div>" * 5000 + INCIDENT.encode() + b"</div>" * 5000
                          + b"</body></html>"),
     "is a web page past what lxml reads whole (Excessive depth in document: 2048)"),
    ("empty.txt", write(b""), "is empty"),
    ("image.txt", write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16),
     "is binary, not text (NUL bytes)"),
    ("odd.txt", write(INCIDENT.encode("utf-16-le") + b"x"),
     "cannot be decoded as UTF-16-LE (told by its NUL bytes; it has no byte-order mark)"),
]


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def extract_beside_good(tmp_path: Path, bad: Path, *options: str) -> tuple[int, float]:
    """`incident-map extract bad good ...`: its exit code and the seconds it took."""
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    started = time.monotonic()
    code = main(["extract", str(bad), str(good), "--out", str(tmp_path / "out"), *options])
    return code, time.monotonic() - started


@pytest.mark.parametrize("name, make, reason", SKIPPED, ids=[case[0] for case in SKIPPED])
def test_a_hostile_document_is_skipped_in_one_line_and_the_good_one_extracted(
        tmp_path, capsys, name, make, reason):
    bad = make(tmp_path / name)
    code, took = extract_beside_good(tmp_path, bad)
    err = capsys.readouterr().err
    assert code == 4  # written, with part of the input left out
    skips = [line for line in err.splitlines() if "skipped" in line]
    assert len(skips) == 1 and skips[0].startswith(f"incident-map: warning: skipped {bad}: "), err
    assert reason in skips[0], err
    assert took < SECONDS
    assert [r["place"] for r in rows(tmp_path / "out" / "incidents.csv")] == ["Kunduz"]


@pytest.mark.parametrize("order", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path, capsys, order):
    bad = tmp_path / "briefing.txt"
    bad.write_bytes(INCIDENT.encode(order))
    code, took = extract_beside_good(tmp_path, bad)
    assert code == 0, capsys.readouterr().err
    assert took < SECONDS
    found = {r["place"]: r for r in rows(tmp_path / "out" / "incidents.csv")}
    assert sorted(found) == ["Kabul", "Kunduz"]
    assert (found["Kabul"]["date_start"], found["Kabul"]["fatalities"]) == ("2022-05-03", "4")


@pytest.mark.parametrize("name, page", [
    ("laughs.html", LAUGHS),  # entities of an internal subset are never expanded
    ("json-ld.html", b'<html><head><script type="application/ld+json">' + b"[" * 100_000
     + b"]" * 100_000 + b"</script></head><body><p>" + INCIDENT.split("\n")[2].encode()
     + b"</p></body></html>"),  # past json's recursion limit
    ("deep.html", b"<html><body>" + b"<div>" * 2000 + INCIDENT.split("\n")[2].encode()
     + b"</div>" * 2000 + b"</body></html>"),  # past Python's recursion limit once parsed
])
def test_a_hostile_web_page_is_read_harmlessly(tmp_path, capsys, name, page):
    bad = tmp_path / name
    bad.write_bytes(page)
    code, took = extract_beside_good(tmp_path, bad)
    err = capsys.readouterr().err
    assert code == 0, err
    assert took < SECONDS
    texts = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "texts").iterdir()}
    assert max(map(len, texts.values())) < 1000  # nothing expanded
    places = sorted(r["place"] for r in rows(tmp_path / "out" / "incidents.csv"))
    assert places == (["Kunduz"] if name == "laughs.html" else ["Kabul", "Kunduz"])


def test_a_web_page_of_one_paragraph_over_10_mb_is_read_whole():
    """libxml2 drops a text node over 10 MB unless told otherwise (huge_tree)."""
    paragraph = "On 3 May 2022 a bomb in Kabul killed four people. " * 220_000
    text, _, _ = html_text(f"<html><body><p>{paragraph}</p></body></html>".encode())
    assert len(text) == len(paragraph.strip()) + 1 > 10 * 2**20


def test_one_sentence_half_a_megabyte_long_is_read_in_bounded_time(tmp_path, capsys):
    """Reading a sentence costs more than linear in its length: a "sentence" with no full
    stop for 500 kB took minutes before long ones were read in pieces."""
    bad = tmp_path / "run-on.txt"
    bad.write_text(INCIDENT.split("\n")[0] + "\n\n" + "On 3 May 2022 a bomb in Kabul killed "
                   "four people and " * 10_000, encoding="utf-8")
    code, took = extract_beside_good(tmp_path, bad)
    assert code == 0, capsys.readouterr().err
    assert took < SECONDS
    assert "Kabul" in {r["place"] for r in rows(tmp_path / "out" / "incidents.csv")}


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_that_never_ends_is_read_no_further_than_the_size_limit(tmp_path, capsys):
    code, took = extract_beside_good(tmp_path, Path("/dev/zero"))
    assert code == 4 and took < SECONDS
    assert "skipped /dev/zero: gives more bytes than its size said" in capsys.readouterr().err


def padded(path: Path, megabytes: float) -> Path:
    """The incident, then blank lines up to `megabytes` MB: large, and cheap to extract."""
    path.write_text(INCIDENT + "\n" * int(megabytes * 2**20), encoding="utf-8")
    return path


def test_a_limit_skip_names_the_limit_and_raising_it_lets_the_document_through(tmp_path,
                                                                              capsys):
    big = padded(tmp_path / "big.txt", 1.5)
    code, _ = extract_beside_good(tmp_path, big, "--max-document-mb", "1")
    assert code == 4
    assert (f"skipped {big}: is 1.5 MB; the limit on a document's file is 1 MB (raise it "
            "with --max-document-mb)") in capsys.readouterr().err
    code, _ = extract_beside_good(tmp_path, big, "--max-document-mb", "2")
    assert code == 0
    assert sorted(r["place"] for r in rows(tmp_path / "out" / "incidents.csv")) == \
        ["Kabul", "Kunduz"]


def long_document(path: Path) -> Path:
    """1.6 MB of incidents: a document that takes far longer than a second to extract."""
    path.write_text(INCIDENT + "\n\n".join(["On 3 May 2022 a bomb in Kabul killed four "
                                            "people, and police said more had died."] * 20_000),
                    encoding="utf-8")
    return path


def test_the_time_limit_stops_a_long_document_within_a_second_of_it(tmp_path, capsys):
    long = long_document(tmp_path / "long.txt")
    code, took = extract_beside_good(tmp_path, long, "--max-document-seconds", "1")
    err = capsys.readouterr().err
    assert code == 4
    assert f"skipped {long}: took too long (" in err
    assert "; the limit on the time to read one document is 1 s (raise it with " \
           "--max-document-seconds)" in err
    assert took < 1 + 5  # the second it had, and the gazetteer and the good document
    assert [r["place"] for r in rows(tmp_path / "out" / "incidents.csv")] == ["Kunduz"]


def test_strict_stops_at_a_limit_skip_with_exit_2_and_writes_nothing(tmp_path, capsys):
    big = padded(tmp_path / "big.txt", 1.5)
    code, _ = extract_beside_good(tmp_path, big, "--max-document-mb", "1", "--strict")
    assert code == 2
    assert "--max-document-mb" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_dask_worker_keeps_the_time_limit_too(tmp_path, capsys, scheduler):
    """The time left after reading travels with the document to the worker extracting it."""
    long = long_document(tmp_path / "long.txt")
    code, took = extract_beside_good(tmp_path, long, "--max-document-seconds", "1",
                                     "--engine", "dask", "--scheduler", scheduler)
    err = capsys.readouterr().err
    assert code == 4 and took < SECONDS
    assert f"skipped {long}: took too long (" in err and "--max-document-seconds" in err
    assert [r["place"] for r in rows(tmp_path / "out" / "incidents.csv")] == ["Kunduz"]


def test_a_form_drawn_on_every_page_counts_once_towards_the_inflation_limit(tmp_path,
                                                                          capsys):
    lines = ["Published: 2 June 2022, a note on attacks reported in Afghanistan.",
             "On 3 May 2022 a bomb in Kabul killed four people in the city.",
             "Officials said the attack was the third in the province that month.",
             "No group has claimed the bombing, which police are investigating."]
    pdf = tmp_path / "shared.pdf"
    pdf.write_bytes(shared_form_pdf(lines, megabytes=3))  # 4 pages show the same 3 MB
    code, took = extract_beside_good(tmp_path, pdf, "--max-decompressed-mb", "5")
    assert code == 0 and took < SECONDS, capsys.readouterr().err
    assert any(r["place"] == "Kabul" for r in rows(tmp_path / "out" / "incidents.csv"))
    # Below the one stream's size the same file is still skipped, naming the limit.
    code, _ = extract_beside_good(tmp_path, pdf, "--max-decompressed-mb", "2.5")
    assert code == 4 and "limit on what a PDF inflates to is 2.5 MB" in capsys.readouterr().err


def test_a_named_pipe_is_refused_unopened_instead_of_waited_on(tmp_path, capsys):
    pipe = tmp_path / "report.txt"
    os.mkfifo(pipe)  # nobody writes to it: opening it would wait for ever
    code, took = extract_beside_good(tmp_path, pipe)
    assert code == 4 and took < SECONDS
    assert f"skipped {pipe}: is a named pipe, not a file" in capsys.readouterr().err
