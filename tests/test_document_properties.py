"""Properties of reading documents, for any document: text with markup of every kind, in
any encoding, as a text file, a web page or (almost) a PDF; and dates in every form.

Hypothesis writes the documents; whatever it writes, reading ends in a text or in one
UnreadableDocument, and extraction in records whose offsets point into that text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from geo.extract import extract
from geo.extract._unfold import reader_text
from geo.extract.dates import When, find_dates, parse_when, resolve
from geo.extract.documents import UnreadableDocument, parse_document, read_text
from geo.extract.limits import Limits
from tests.pdfs import page_pdf, text_pdf
from tests.test_properties import SETTINGS

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December", "Jan", "Sept", "Dec.", "MAY"]
WEEKDAYS = ["Monday", "Friday", "Sunday", "Thu", "Thurs.", "Tues", "Fri"]
NUMBERS = st.integers(0, 40).map(str) | st.sampled_from(["a", "one", "two", "twelve", "a few",
                                                         "several", "999"])
YEARS = st.integers(1940, 2110).map(str)
DAYS = st.integers(0, 40).map(str) | st.sampled_from(["1st", "2nd", "23rd", "31st", "04"])


@st.composite
def date_phrase(draw) -> str:
    """A date in one of the forms geo.extract.dates reads, with any numbers in it."""
    d, m, y = draw(DAYS), draw(st.sampled_from(MONTHS)), draw(YEARS)
    part = draw(st.sampled_from(["", "early ", "mid-", "late ", "the end of ", "mid "]))
    forms = [
        f"{d} {m} {y}", f"{m} {d}, {y}", f"{d} of {m}", f"{m} {d}", f"{y}-{d.zfill(2)}-{d}",
        f"{y}-{draw(st.integers(0, 13)):02d}", f"{part}{m} {y}", f"in {part}{m}", f"{m} {y}",
        f"last {m}", f"this past {m}", f"{d} {m} last year", f"{m} {d} the following year",
        f"{draw(NUMBERS)} {draw(st.sampled_from(['day', 'weeks', 'month', 'years']))} "
        f"{draw(st.sampled_from(['later', 'earlier', 'ago', 'afterwards', 'after that']))}",
        "the same night", "that evening", "hours later", "later that month",
        "the same month", f"the next {draw(st.sampled_from(['day', 'morning', 'week', 'year']))}",
        f"{draw(st.sampled_from(['last ', 'on ', 'this past ', 'on the following ', '(']))}"
        f"{draw(st.sampled_from(WEEKDAYS))}", f"{draw(st.sampled_from(WEEKDAYS))} {d}",
        f"{draw(st.sampled_from(['earlier this', 'later this', 'last', 'this']))} "
        f"{draw(st.sampled_from(['year', 'month', 'week']))}", "yesterday", "tonight",
        "earlier today", f"{part}{y}", f"in {y}", f"since {y}", f"March 18. {y}",
        f"Week of {d}-{draw(DAYS)} {m} {y}",
    ]
    return draw(st.sampled_from(forms))


GARBAGE = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
SENTENCES = st.sampled_from([
    "On 3 May 2022 a bomb in Kabul killed four people.",
    "Gunmen stormed a mosque in Peshawar, killing 63 worshippers; ISKP claimed it.",
    "The group held Achin district until late 2019.", "Both attacks were claimed.",
    "Published: 1 June 2022", "KABUL, 30 April 2018 —", "Date | Place | Event | Killed",
])
MARKUP = st.sampled_from([
    "<p>", "</p>", "<div class='ad'>", "</div>", "<br>", "<script>", "</script>", "<!-- ",
    " -->", "<![CDATA[", "]]>", "&amp;", "&#0;", "&#x1F4A3;", "&lol9;", "<article>", "<h1>",
    "<time datetime='2022-03-10'>", '<meta property="article:published_time" content="2022-',
    "%PDF-1.7", "1 0 obj", "endobj", "stream\n", "endstream", "<< /Type /Page >>", "xref",
    "trailer", "startxref", "[1]", "[citation needed]", "{{cite web|date=2017}}", "<ref>",
    "(Dawn, December 12, 2017)", "\u00ad", "\ufb01", "\ufb00", "\u200b", "\ufeff", "\x00",
    "\x0c", "\x1b[31m", "\r", "\n\n", "\t", "-\n", "\u2028", "\u202e", "\ufffd", "\ud7ff",
])
# Text a document may hold: sentences, dates, markup and anything else, run together.
DOCUMENT = st.lists(SENTENCES | date_phrase() | MARKUP | GARBAGE, max_size=25).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                             "latin-1", "cp1252", "utf-32", "ascii"])


@st.composite
def file_bytes(draw) -> bytes:
    """A document's bytes: its text in an encoding, text PDF-ish bytes, or a mangled PDF."""
    kind = draw(st.sampled_from(["encoded", "raw", "pdf", "mangled pdf"]))
    if kind == "encoded":
        return draw(DOCUMENT).encode(draw(ENCODINGS), errors="replace")
    if kind == "raw":
        return draw(st.binary(max_size=300))
    lines = draw(st.lists(SENTENCES | date_phrase() | GARBAGE, min_size=1, max_size=6))
    pdf = text_pdf([line.encode("cp1252", "replace").decode("cp1252") for line in lines])
    if kind == "pdf":
        return pdf
    cut = draw(st.integers(0, len(pdf)))
    junk = draw(st.binary(max_size=20))
    return pdf[:cut] + junk + pdf[cut + len(junk):] if draw(st.booleans()) else pdf[:cut]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("documents")


@SETTINGS
@given(file_bytes(), st.sampled_from([".txt", ".html", ".pdf", ".htm", ""]),
       st.sampled_from([None, None, "cp1252", "utf-16", "no-such-codec", "idna", "rot13",
                        "undefined", "utf-7", "unicode_escape"]))
@example(page_pdf(b"BT /F1 11 Tf (" + b"x" * 50 + b") Tj ET"), ".pdf", None)
@example(b"<html><body><p>" + b"<div>" * 3000 + b"</p></body></html>", ".html", None)
def test_reading_any_file_gives_a_text_or_one_unreadable_document(folder, raw, suffix,
                                                                  encoding):
    path = folder / f"document{suffix}"
    path.write_bytes(raw)
    try:
        source = read_text(path, encoding, Limits(seconds=10))
    except UnreadableDocument as err:
        assert str(err).startswith(f"{path}: ")
        assert "please report" not in str(err)  # foreseen, not caught by the last resort
        return
    assert source.text.strip() and source.kind in ("text", "html", "pdf")
    assert reader_text(source.text) == source.text  # unfolded once and for all


@SETTINGS
@given(DOCUMENT)
def test_any_text_splits_into_sentences_inside_it(text):
    doc = parse_document("document.txt", text)
    previous_end = 0
    for s in doc.sentences:
        assert previous_end <= s.start < s.end <= len(text)
        previous_end = s.end
    for c in doc.citations:
        assert 0 <= c.start < c.end <= len(text)


@SETTINGS
@given(DOCUMENT)
@example("Published 1 June 2022\n\n" + "On 3 May 2022 a bomb in Kabul killed four people and "
         * 100)
def test_any_text_extracts_to_records_whose_quotes_are_in_it(gazetteer, text):
    doc = parse_document("document.txt", text)
    found = extract(doc, gazetteer, "document")
    for row in [*found.incidents, *found.areas]:
        assert 0 <= row["quote_start"] < row["quote_end"] <= len(text)
        # The summary is the quote with its line breaks and runs of spaces closed up.
        assert row["summary"] == " ".join(text[row["quote_start"]:row["quote_end"]].split())


WHENS = st.builds(
    lambda day, days, precision: When(day, day + dt.timedelta(days=days), precision),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.integers(0, 400),
    st.sampled_from(["day", "week", "month", "year"]))


@SETTINGS
@given(st.lists(date_phrase() | GARBAGE, max_size=6).map(" ".join),
       st.none() | WHENS, st.none() | WHENS)
def test_dates_in_any_form_and_any_garbage_never_raise(text, reference, previous):
    for mention in find_dates(text):
        assert text[mention.start:mention.end] == mention.text
        when = resolve(mention, reference, previous)
        assert when is None or when.start <= when.end
    when = parse_when(text)
    assert when is None or when.start <= when.end


@SETTINGS
@given(date_phrase() | GARBAGE)
def test_a_publication_date_in_any_form_is_one_date_or_none(text):
    when = parse_when(text)
    assert when is None or (when.start <= when.end and when.precision in ("day", "month",
                                                                          "year"))


def test_a_mangled_pdf_is_still_one_unreadable_document(folder):
    """The byte flips above, each at one place of a real page: pypdf's faults are many."""
    pdf = text_pdf(["On 3 May 2022 a bomb in Kabul killed four people."] * 4)
    for at in range(0, len(pdf), max(1, len(pdf) // 150)):
        path = folder / "flipped.pdf"
        path.write_bytes(pdf[:at] + bytes([pdf[at] ^ 0xFF]) + pdf[at + 1:])
        with contextlib.suppress(UnreadableDocument):
            read_text(path, limits=Limits(seconds=10))


def test_a_pdf_whose_stream_claims_more_bytes_than_the_file_has_is_unreadable(folder):
    path = folder / "long.pdf"
    path.write_bytes(page_pdf(b"BT ET").replace(b"/Length 5", b"/Length 99999999"))
    with pytest.raises(UnreadableDocument):
        read_text(path)
