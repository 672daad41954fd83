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
from collections.abc import Iterator

from pypdf import PdfReader, apply_configuration
from pypdf.errors import DependencyError, LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

from geo.extract._unfold import unfold, without_soft_hyphens
from geo.extract.limits import MB, Deadline, LimitReached, Limits

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
# pypdf's limits on what one stream may inflate to, all set from Limits.decompressed_mb.
_PYPDF_OUTPUT_LIMITS = ("zlib_maximum_output_length", "lzw_maximum_output_length",
                        "run_length_maximum_output_length", "brotli_maximum_output_length",
                        "array_based_stream_maximum_output_length")


class PdfUnreadable(Exception):
    """A PDF with no text to read; the message says why."""


def pdf_text(raw: bytes, limits: Limits | None = None,
             deadline: Deadline | None = None) -> tuple[str, str | None, str]:
    """(text, creation date as YYYY-MM-DD or None, title) of a PDF's text layer.

    Every fault of the file is a PdfUnreadable, and a file over `limits` (what
    its streams inflate to, its text, the time by `deadline`) a LimitReached:
    pypdf's many kinds of error on a broken or hostile file each mean the same here.
    """
    limits = limits or Limits()
    deadline = deadline or Deadline(limits)
    configured = dict.fromkeys(_PYPDF_OUTPUT_LIMITS, limits.decompressed_bytes)
    faults = _Faults()
    try:
        with apply_configuration(stream_decoding_work_maximum_length=2 * limits.decompressed_bytes,
                                 **configured):
            reader = PdfReader(io.BytesIO(raw))
            _decrypt(reader)
            pages = list(_page_lines(reader, limits, deadline))
            meta = reader.metadata or {}
    except (LimitReached, PdfUnreadable):
        raise
    except LimitReachedError as err:  # one of pypdf's own limits
        if re.search(r"decompress|decoding", str(err), re.I):
            raise _inflates(limits) from None
        raise PdfUnreadable(f"is a PDF past pypdf's safety limits ({err})") from None
    except Exception as err:  # a broken file breaks pypdf in any way
        raise PdfUnreadable(f"is a damaged PDF ({type(err).__name__}: {err})") from None
    finally:
        faults.close()
    return _text_of(pages, meta, faults.heard)


class _Faults(logging.Handler):
    """pypdf's warnings while it reads one file, kept rather than shown: its repairs are
    not ours to report, but when no text comes out the first one says why."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.heard: list[str] = []
        self.log = logging.getLogger("pypdf")
        self.saved = self.log.level, self.log.propagate
        self.log.setLevel(logging.WARNING)
        self.log.propagate = False
        self.log.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.heard.append(record.getMessage())

    def close(self) -> None:
        self.log.removeHandler(self)
        self.log.level, self.log.propagate = self.saved
        super().close()


def _decrypt(reader: PdfReader) -> None:
    """Open a PDF protected by an owner password only; one that needs a password is
    unreadable (so is one whose cipher needs the optional `cryptography` package)."""
    try:
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfUnreadable("is an encrypted PDF; save an unprotected copy first")
    except DependencyError:
        raise PdfUnreadable("is an encrypted PDF (AES); save an unprotected copy first") \
            from None


def _text_of(pages: list[list[str]], meta, faults: list[str]) -> tuple[str, str | None, str]:
    """The cleaned text of the pages' lines, the creation date and the title; a PDF
    without text is a scan, unless pypdf reported `faults` reading it."""
    letters = sum(ch.isalpha() for page in pages for line in page for ch in line)
    if (not pages or letters < _MIN_LETTERS_PER_PAGE * len(pages)) and faults:
        raise PdfUnreadable(f"is a damaged PDF: no text could be read from it (pypdf: "
                            f"{faults[0]})")
    if not pages or letters < _MIN_LETTERS_PER_PAGE * len(pages):
        raise PdfUnreadable("has no text layer (scanned?); run OCR on it first "
                            "(e.g. ocrmypdf) and give the result")
    log.debug("PDF of %d pages, %d letters", len(pages), letters)
    text = without_soft_hyphens(_paragraphs(_without_running_heads(pages)))
    title = str(meta.get("/Title") or "").strip()
    if re.search(r"\.(?:html?|txt|docx?)$", title, re.I):  # a file name, not a title
        title = ""
    return _FOOTNOTE.sub("", text), _pdf_date(meta), title


def _page_lines(reader: PdfReader, limits: Limits, deadline: Deadline) -> Iterator[list[str]]:
    """Each page's lines, unfolded, read within `limits`: what the pages inflate to is
    counted before each is read, and the text and the time after."""
    inflated = chars = 0
    seen: set[int] = set()  # a form shared by every page is decoded, and counted, once
    for n, page in enumerate(reader.pages, start=1):
        deadline.check(f"reading page {n} of the PDF")
        inflated += _inflated(page, deadline, seen)
        if inflated > limits.decompressed_bytes:
            raise _inflates(limits)
        lines = _lines(unfold(page.extract_text(extraction_mode="layout") or ""))
        chars += sum(map(len, lines))
        if chars > limits.text_chars:
            raise limits.over("text_mb", f"has {chars / MB:.1f} MB of text by page {n}")
        yield lines


def _inflated(page, deadline: Deadline, seen: set[int]) -> int:
    """Bytes the page's content streams and form XObjects (nested ones too) inflate to,
    leaving out the objects in `seen` (those of earlier pages), which it adds to.

    Each is decoded here once; pypdf keeps the result for `extract_text`. Images are
    not counted: reading text never decodes them.
    """
    total = 0
    todo = [page.get("/Contents"), page.get("/Resources")]
    while todo:
        obj = _resolved(todo.pop())
        if obj is None or id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, ArrayObject):  # the page's content streams
            todo += obj
        elif isinstance(obj, StreamObject):  # a content stream or a form
            deadline.check("inflating a PDF stream")
            total += len(obj.get_data())
            todo.append(obj.get("/Resources"))
        elif isinstance(obj, DictionaryObject):  # resources: the forms they hold
            xobjects = _resolved(obj.get("/XObject"))
            if isinstance(xobjects, DictionaryObject):
                todo += [x for x in xobjects.values() if isinstance(_resolved(x), StreamObject)
                         and _resolved(x).get("/Subtype") == "/Form"]
    return total


def _resolved(obj):
    """A PDF object with its indirect reference followed (None stays None)."""
    return obj.get_object() if obj is not None else None


def _inflates(limits: Limits) -> LimitReached:
    return limits.over("decompressed_mb", "is a PDF whose compressed streams inflate too far "
                                          "(a decompression bomb?)")


def _lines(page: str) -> list[str]:
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
    """One paragraph's lines as one line, with words broken at the margin mended
    (see `_keeps_hyphen`). Only the end of the line before is looked at, so a
    paragraph of any length is joined in linear time.
    """
    pieces = [lines[0]]
    for line in lines[1:]:
        broken = re.search(r"([\w-]*\w)([-\u2010\u00ad])$", pieces[-1][-100:])
        if not broken:
            pieces += [" ", line]
            continue
        head, tail = broken.group(1), re.match(r"[\w-]*", line).group()
        keep = broken.group(2) != "\u00ad" and _keeps_hyphen(head, tail, line, words)
        pieces[-1] = pieces[-1][:-1] + ("-" if keep else "")
        pieces.append(line)
    return "".join(pieces)


def _keeps_hyphen(head: str, tail: str, line: str, words: Counter) -> bool:
    """Whether a hyphen that ends a line is the word's own (a soft hyphen never is).

    "respon-" + "sibility" loses it. "Mazar-e-" + "Sharif" keeps it (a capital
    goes on), and so does "self-" + "styled" when the text spells it so more
    often than "selfstyled". Where it spells it neither way, "Kabul-" + "based"
    keeps it when its first half is a name the text uses on its own elsewhere,
    or both halves are words it does: a word cut at a syllable ("at-" + "tack",
    "Af-" + "ghanistan") has a half no text uses.
    """
    if not line[:1].islower():
        return True
    hyphenated, joined = words[f"{head}-{tail}".lower()], words[(head + tail).lower()]
    if hyphenated != joined:
        return hyphenated > joined
    # The broken halves are counted too: "kabul-" on its line, "based" on the next.
    used = len(head) >= 3 and words[head.lower()] > 0
    return used and (head[:1].isupper() or words[tail.lower()] > 1)


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
