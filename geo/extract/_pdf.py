"""The text layer of a PDF, as paragraphs a reader would see (pypdf).

Reports come as PDFs laid out for print: lines broken and hyphenated at the
margin, a running header and footer on every page, footnote numbers raised
after words. The extractor reads sentences, so all three are undone here, and
the cleaned text is what records point into (written to `texts/`).
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from pypdf import PdfReader
from pypdf.errors import PdfReadError

log = logging.getLogger(__name__)

_EDGE_LINES = 3  # lines at the top and bottom of a page where running heads sit
_MIN_LETTERS_PER_PAGE = 40  # fewer than this on average: images of pages
_PAGE_NUMBER = re.compile(r"^[-–—|\s]*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–—|\s]*$",
                          re.I)
_LONE_NUMBER = re.compile(r"^\d{1,3}$")  # a raised footnote number set on a line of its own
_LIST_START = re.compile(r"^(?:\d{1,3}[.)]|[-•*–])\s")
_SENTENCE_END = (".", "!", "?", ":", '"', "”", "’", ")")
# A raised footnote number: digits right after a lower-case word or after closing
# punctuation that does not follow a digit ("found.45 Member", "Kabul12 ").
_FOOTNOTE = re.compile(r"(?:(?<=[a-z\u00e0-\u024f])|(?<=[^\d\s][.,;:”’\")]))\d{1,3}(?=[\s.,;:]|$)")


class PdfUnreadable(Exception):
    """A PDF with no text to read; the message says why."""


def pdf_text(raw: bytes) -> tuple[str, str | None, str]:
    """(text, creation date as YYYY-MM-DD or None, title) of a PDF's text layer."""
    pypdf_log = logging.getLogger("pypdf")
    level, pypdf_log.level = pypdf_log.level, logging.ERROR  # its repairs are not ours to report
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfUnreadable("is an encrypted PDF; save an unprotected copy first")
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
        meta = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as err:
        # pypdf's faults on a broken file are of many kinds; each means the same here
        raise PdfUnreadable(f"is a damaged PDF ({type(err).__name__}: {err})") from None
    finally:
        pypdf_log.setLevel(level)
    letters = sum(sum(ch.isalpha() for ch in page) for page in pages)
    if not pages or letters < _MIN_LETTERS_PER_PAGE * len(pages):
        raise PdfUnreadable("has no text layer (scanned?); run OCR on it first "
                            "(e.g. ocrmypdf) and give the result")
    log.debug("PDF of %d pages, %d letters", len(pages), letters)
    lines = _without_running_heads([_page_lines(page) for page in pages])
    text = _paragraphs(lines)
    title = str(meta.get("/Title") or "").strip()
    if re.search(r"\.(?:html?|txt|docx?)$", title, re.I):  # a file name, not a title
        title = ""
    return _FOOTNOTE.sub("", text), _pdf_date(meta), title


def _page_lines(page: str) -> list[str]:
    """A page's lines with layout spacing closed up; blank lines kept as ''."""
    lines = [re.sub(r"\s{2,}", " ", line).strip() for line in page.splitlines()]
    return [line for line in lines if not _LONE_NUMBER.match(line)]


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _edges(lines: list[str]) -> list[int]:
    """Indices of the first and last few non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line]
    return filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]


def _without_running_heads(pages: list[list[str]]) -> list[list[str]]:
    """Pages without the lines repeated at the top or bottom of most pages, nor page numbers."""
    seen = Counter(key for page in pages for key in {_key(page[i]) for i in _edges(page)})
    repeated = {key for key, n in seen.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    cleaned = []
    for page in pages:
        drop = {i for i in _edges(page)
                if _key(page[i]) in repeated or _PAGE_NUMBER.match(page[i])}
        kept = [line for i, line in enumerate(page) if i not in drop]
        while kept and not kept[0]:  # the gap under a running head is not a paragraph break
            kept.pop(0)
        cleaned.append(kept)
    return cleaned


def _paragraphs(pages: list[list[str]]) -> str:
    """Lines joined into paragraphs, one blank line between paragraphs.

    A paragraph ends at a blank line, before a numbered or bulleted line that
    follows a finished sentence ("...reached\n63. The" is one paragraph), and
    after a line much shorter than the page's full lines (the end of a
    paragraph, or a heading). A paragraph cut by a page break, its last line
    full and unfinished, runs on at the top of the next page.
    """
    paragraphs: list[list[str]] = []
    open_ended = False
    for page in pages:
        width = _full_width(page)
        for line in page:
            if not line:
                open_ended = False
                continue
            numbered = bool(_LIST_START.match(line) and paragraphs
                            and paragraphs[-1][-1].endswith(_SENTENCE_END))
            if open_ended and not numbered:
                paragraphs[-1].append(line)
            else:
                paragraphs.append([line])
            open_ended = len(line) >= 0.7 * width
        open_ended = open_ended and not paragraphs[-1][-1].endswith(_SENTENCE_END)
    words = Counter(re.findall(r"[\w-]+", " ".join(" ".join(p) for p in paragraphs).lower()))
    return "\n\n".join(_join(lines, words) for lines in paragraphs) + "\n"


def _full_width(page: list[str]) -> int:
    lengths = sorted(len(line) for line in page if line)
    return lengths[int(len(lengths) * 0.8)] if lengths else 0


def _join(lines: list[str], words: Counter) -> str:
    """One paragraph's lines as one line, with words broken at the margin mended.

    "respon-" + "sibility" loses its hyphen; "Mazar-e-" + "Sharif" and
    "self-" + "styled" (when the text spells it so elsewhere) keep theirs.
    """
    text = lines[0]
    for line in lines[1:]:
        broken = re.search(r"([\w-]*\w)[-\u00ad]$", text)
        if not broken:
            text = f"{text} {line}"
            continue
        head, tail = broken.group(1), re.match(r"[\w-]*", line).group()
        joined = (head + tail).lower()
        hyphenated = f"{head}-{tail}".lower()
        spelt_so = text.endswith("-") and words[hyphenated] > words[joined]
        keep = not line[:1].islower() or spelt_so
        text = text[:-1] + ("-" if keep else "") + line
    return text


def _pdf_date(meta) -> str | None:
    """The creation date, 'D:20240722...' -> '2024-07-22'; None for a page a browser printed.

    A browser stamps the moment of printing, which says nothing of when the
    page was published.
    """
    made_by = f"{meta.get('/Creator', '')} {meta.get('/Producer', '')}"
    if re.search(r"Mozilla|Chrome|Skia|Firefox|Safari|wkhtmltopdf", made_by):
        return None
    m = re.match(r"^D:(\d{4})(\d{2})(\d{2})", str(meta.get("/CreationDate") or ""))
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None
