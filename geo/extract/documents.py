"""Reading a document: its text, title, publication date, sentences and cited reports.

Everything downstream points into `Document.text` by character offset, and
`texts/` holds that text, so `text[quote_start:quote_end]` is the sentence
behind a record. The text is kept as decoded but for what a reader does not
read as written, taken out once by `read_text` before anything points into
it: a leading byte-order mark, and the typesetting characters
geo.extract._unfold names (ligatures such as "ﬀ" as "ff", presentation forms,
full-width letters, soft hyphens and zero-width spaces). Every other character,
down to the line breaks, is the file's; a PDF's or a web page's text is its
cleaned text layer or main text (geo.extract._pdf, geo.extract._html).

Reading is bounded (geo.extract.limits): a file over a limit of size, text,
inflation or time is an `UnreadableDocument` naming the limit and its option,
and so is any other fault a hostile or broken file causes.
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path

from geo.extract._html import HtmlUnreadable, html_text
from geo.extract._pdf import PdfUnreadable, pdf_text
from geo.extract._unfold import reader_text
from geo.extract.dates import MONTHS, DateMention, When, find_dates, resolve
from geo.extract.limits import MB, Deadline, LimitReached, Limits

# Lines that describe the document rather than tell its story.
_METADATA = re.compile(
    r"^\s*(?:(?:(?:first|originally)\s+)?published(?:\s+on)?\s+\d|"
    r"(?:published|publication(?:\s+date)?|date|posted|updated|last\s+updated|by|"
    r"authors?|auhtors?|source|tags?|revisions?|volume|issue|reporting\s+period|"
    r"methodology)\s*[:|])", re.IGNORECASE)
_PUBLISHED = re.compile(
    r"^\s*(?:(?:first|originally)\s+)?(?:published(?:\s+on)?|publication\s+date|date|"
    r"posted(?:\s+on)?)\s*[:|-]?\s*(?P<rest>.+)$", re.IGNORECASE)
# "KABUL, 30 April 2018 —": a wire story's dateline.
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'-]{2,40},\s*(?:[A-Z][\w ]{2,30}\s*[,(]\s*)?"
                       r"\(?(?P<rest>[^—–()]{6,40}?)\)?\s*(?:—|–|--)")
# "15 October 2021, 18:42 GMT": a header line that is only a date (and a time).
_DATE_ONLY = re.compile(r"^\s*(?:\w+day,?\s+)?(?:\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}|"
                        r"[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d\d-\d\d)"
                        r"(?:,?\s+\d{1,2}:\d\d(?:\s*[A-Z]{2,4})?)?\s*$")
# "Week of 18-24 April 2022": a digest's week.
_WEEK_OF = re.compile(r"\bweek\s+(?:of|from)\s+(?P<first>\d{1,2})\s*[-–]\s*(?P<last>\d{1,2})\s+"
                      r"(?P<month>[A-Z][a-z]+)\s+(?P<year>\d{4})\b", re.IGNORECASE)
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "st", "no", "vol", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n",
    "a.k.a", "e.g", "i.e", "approx", "est", "govt", "dept", "prof", "rev", "gov", "sen", "rep",
}
_SENTENCE_END = re.compile(
    r"[.!?]+[\"'”’)\]]*(?:\[\d+\])*(?=\s+[\"'“‘(\[]?[A-Z0-9\u00c0-\u00de\u0100-\u017f])")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-•*–]|\d{1,2}[.)])\s")
_CITATION = re.compile(r"\(([^()]{3,300})\)")
_HEADER_LINES = 8
_HEADLINE_MAX = 160
# A "sentence" longer than this is read in pieces: a table or a list without full stops,
# or a page that is one paragraph. Reading a sentence costs more than linear in its
# length (each date and place in it looks at all of it), and the longest written one in
# the development set and the fixtures is 813 characters.
_LONGEST_SENTENCE = 2000
_BREAK = re.compile(r"[;,]\s|\s")  # where a long sentence is best cut, clause or word
_SPACES = re.compile(r"\s*")
_UTF16_SAMPLE = 8192


class UnreadableDocument(ValueError):
    """A file that cannot be read as text: empty, binary, or in an unknown encoding."""


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a headline, or a caption line) and where it sits."""

    start: int
    end: int
    paragraph: int
    headline: bool = False  # a title line with no full stop
    metadata: bool = False  # "Date: ...", "Authors: ..."
    dated: When | None = None  # a headline's date, from the "Date:" line under it


@dataclass(frozen=True)
class Citation:
    """A report the document cites in parentheses: "(Dawn, December 12, 2017)"."""

    start: int
    end: int
    outlet: str
    date: DateMention  # resolved against the publication date when it has no year


@dataclass
class Document:
    """A source document, decoded, split and dated."""

    path: str
    text: str
    title: str = ""
    title_span: tuple[int, int] = (0, 0)
    published: When | None = None
    published_from: str = ""  # "text", "given", "sources.csv", "latest date in text", ""
    sentences: list[Sentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # a timeline table's header, lower case

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class SourceText:
    """A document's text as read from its file, and what its file format says about it.

    For a PDF or a web page, `text` is the cleaned text the records point
    into, not the file's bytes; `published` is the date in its metadata.
    """

    text: str
    kind: str = "text"  # "text", "html" or "pdf"
    published: str | None = None  # YYYY-MM-DD from the file's metadata
    title: str = ""


def read_document(path: str | Path, encoding: str | None = None,
                  limits: Limits | None = None) -> Document:
    """Read and split one document; raise `UnreadableDocument` saying what is wrong.

    UTF-8 (with or without a byte-order mark) and UTF-16 (with its mark, or
    without it when its NUL bytes tell its byte order) are read as they are;
    anything else needs `encoding`, because a wrong guess turns place names
    into garbage without a word. PDFs and web pages are read for their text
    (see `read_text`).
    """
    return parse_document(str(path), read_text(path, encoding, limits).text)


def read_text(path: str | Path, encoding: str | None = None, limits: Limits | None = None,
              deadline: Deadline | None = None) -> SourceText:
    """A document's text as a reader reads it, or `UnreadableDocument` saying why there is none.

    A PDF is read through its text layer (geo.extract._pdf) and a web page for
    its main text (geo.extract._html); anything else is decoded as text. The
    text is then unfolded (see the module docstring). `limits` bound the file,
    its text and the time (until `deadline`, default `limits.seconds` from now);
    nothing a file holds raises anything but `UnreadableDocument`.
    """
    path, limits = Path(path), limits or Limits()
    raw = _read_bytes(path, limits)
    try:
        source = _source_text(path, raw, encoding, limits, deadline or Deadline(limits))
        text = limits.check_text(reader_text(source.text))
    except LimitReached as err:
        raise UnreadableDocument(f"{path}: {err}") from None
    except UnreadableDocument:
        raise
    except Exception as err:  # our fault on a file no test foresaw: skipped, not fatal
        raise UnreadableDocument(f"{path}: could not be read ({type(err).__name__}: {err}); "
                                 "please report this with the file") from None
    if not text.strip():
        raise UnreadableDocument(f"{path}: is a web page with no text in it" if source.kind ==
                                 "html" else f"{path}: is empty once its invisible characters "
                                 "are taken out")
    return replace(source, text=text)


def _read_bytes(path: Path, limits: Limits) -> bytes:
    """The file's bytes, never more than `limits.document_mb` of them: a larger file, or
    a device that never ends, is named and left unread. A named pipe is refused before
    it is opened: opening one that nobody writes to would wait for ever."""
    limit = limits.document_bytes
    try:
        if stat.S_ISFIFO(path.stat().st_mode):
            raise UnreadableDocument(f"{path}: is a named pipe, not a file; save what it "
                                     "gives to a file first")
        size = path.stat().st_size if path.is_file() else None
        if size is not None and size > limit:
            raise UnreadableDocument(
                f"{path}: {limits.over('document_mb', f'is {size / MB:.1f} MB')}")
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as err:
        raise UnreadableDocument(f"{path}: cannot be read ({err.strerror or err})") from None
    if len(raw) > limit:  # a device, or a file that grew
        what = "gives more bytes than its size said (a device, or a growing file?)"
        raise UnreadableDocument(f"{path}: {limits.over('document_mb', what)}")
    return raw


def _source_text(path: Path, raw: bytes, encoding: str | None, limits: Limits,
                 deadline: Deadline) -> SourceText:
    """The text of the file's format, before unfolding."""
    if raw.startswith(b"%PDF"):
        try:
            text, published, title = pdf_text(raw, limits, deadline)
        except PdfUnreadable as err:
            raise UnreadableDocument(f"{path}: {err}") from None
        return SourceText(text, "pdf", published, title)
    if _is_html(path, raw):
        try:
            text, published, title = html_text(raw)
        except HtmlUnreadable as err:
            raise UnreadableDocument(f"{path}: {err}") from None
        return SourceText(text, "html", published, title)
    return SourceText(decode(raw, str(path), encoding))


def _is_html(path: Path, raw: bytes) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return True
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def decode(raw: bytes, name: str, encoding: str | None = None) -> str:
    """Bytes -> text, or `UnreadableDocument` naming the file and the problem."""
    order = None if encoding or raw.startswith((b"\xff\xfe", b"\xfe\xff")) else \
        _utf16_order(raw)
    if encoding or order:
        try:
            text = raw.decode(encoding or order)
        except (UnicodeError, LookupError) as err:  # "idna" and "undefined" raise UnicodeError
            said = encoding or f"{order.upper()} (told by its NUL bytes; it has no byte-order mark)"
            raise UnreadableDocument(f"{name}: cannot be decoded as {said} ({err})") from None
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as err:
            raise UnreadableDocument(f"{name}: is not valid UTF-16 (byte {err.start})") from None
    else:
        if raw.startswith(b"PK\x03\x04"):
            raise UnreadableDocument(f"{name}: is a zip archive (Word, ODF?); save it as "
                                     "plain text first")
        if b"\x00" in raw[:8192]:
            raise UnreadableDocument(f"{name}: is binary, not text (NUL bytes)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise UnreadableDocument(
                f"{name}: is not UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start}); "
                "save it as UTF-8 or give its encoding with --encoding (e.g. cp1252)") from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise UnreadableDocument(f"{name}: is empty")
    return text


def _utf16_order(raw: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for UTF-16 text without a byte-order mark, else None.

    Told by its NUL bytes: each character below U+0100 (letters, spaces, digits,
    line breaks) has one, at the odd offsets in little-endian order and at the
    even ones in big-endian. A text that has them on one side only, and decodes
    to printable characters, is UTF-16; a binary file has them anywhere.
    """
    sample = raw[:_UTF16_SAMPLE]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0:pairs * 2:2].count(0), sample[1:pairs * 2:2].count(0)
    order = "utf-16-le" if odd > even else "utf-16-be"
    many, few = max(even, odd), min(even, odd)
    if many < 0.05 * pairs or few > 0.01 * pairs:
        return None
    head = sample[:pairs * 2].decode(order, errors="replace")
    printable = sum(ch.isprintable() or ch in "\t\n\r\f" for ch in head)
    return order if printable >= 0.95 * len(head) else None


def parse_document(path: str, text: str, deadline: Deadline | None = None) -> Document:
    """Split `text` into sentences; find its title, publication date and citations;
    LimitReached once `deadline` (default: none) has passed."""
    deadline = deadline or Deadline.never()
    doc = Document(path=path, text=text)
    lines = list(_lines(text))
    doc.title, doc.title_span = _title(text, lines)
    doc.published = _published(text, lines)
    doc.published_from = "text" if doc.published else ""
    doc.sentences = _sentences(text, lines, deadline)
    doc.citations = _citations(text)
    doc.columns = _table_header(text, lines)
    return doc


_TABLE_WORDS = {"date", "location", "place", "event", "killed", "dead", "deaths", "fatalities",
                "wounded", "injured", "responsibility", "claim", "type", "province"}


def _table_header(text: str, lines: list[tuple[int, int]]) -> list[str]:
    """The header of a "date | place | event | killed" timeline, if the text has one."""
    for start, end in lines:
        line = re.sub(r"^\s*[\w ]{1,20}:\s*", "", text[start:end])  # "Columns: date | ..."
        cells = [c.strip().lower() for c in line.split("|")]
        if len(cells) >= 3 and sum(c in _TABLE_WORDS for c in cells) >= 2:
            return cells
    return []


def _lines(text: str):
    """(start, end) of each non-blank line, without its line break."""
    for m in re.finditer(r"[^\r\n]+", text):
        if m.group().strip():
            yield m.start(), m.end()


def _title(text: str, lines: list[tuple[int, int]]) -> tuple[str, tuple[int, int]]:
    if not lines:
        return "", (0, 0)
    start, end = lines[0]
    line = text[start:end].strip()
    if len(line) <= _HEADLINE_MAX and not line.endswith("."):
        return line, (start, end)
    return "", (0, 0)


def _published(text: str, lines: list[tuple[int, int]]) -> When | None:
    """The publication date from a "Published:" line or a dateline near the top, or a
    "First published ..." line at the end."""
    for start, end in [*lines[:_HEADER_LINES], *lines[-3:]]:
        line = text[start:end]
        short = len(line) <= _HEADLINE_MAX  # a "Date:" line, not a sentence that starts so
        week = _WEEK_OF.search(line) if short else None
        if week:
            return _week_of(week)
        if short and _DATE_ONLY.match(line):
            m = re.match(r"(?P<rest>.*)", line)
        else:
            m = (_PUBLISHED.match(line) if short else None) or _DATELINE.match(line)
        if not m:
            continue
        found = [d for d in find_dates(m.group("rest")) if d.kind == "absolute"]
        if found:
            return resolve(found[0], None)
    return None


def _week_of(m: re.Match) -> When | None:
    month = MONTHS.get(m.group("month").lower())
    try:
        first = dt.date(int(m.group("year")), month, int(m.group("first")))
        last = dt.date(int(m.group("year")), month, int(m.group("last")))
    except (TypeError, ValueError):
        return None
    return When(first, last, "week") if 0 <= (last - first).days <= 7 else None


def _sentences(text: str, lines: list[tuple[int, int]], deadline: Deadline) -> list[Sentence]:
    """Sentences with offsets; lines of a hard-wrapped paragraph are joined first.

    Where the text separates paragraphs with blank lines, the lines between
    two blank lines are one paragraph (a script with a sentence a line, a list
    item under its date); where it has none, every line is a paragraph.
    """
    blocks = _blocks(text, lines, deadline)
    blank_lines = re.search(r"\n[ \t\r]*\n", text.strip()) is not None
    sentences: list[Sentence] = []
    paragraph = -1
    for n, (start, end) in enumerate(blocks):
        deadline.check("splitting sentences")
        if not blank_lines or n == 0 or _LIST_ITEM.match(text, start) or \
                re.search(r"\n[ \t\r]*\n", text[blocks[n - 1][1]:start]):
            paragraph += 1  # a list item is a paragraph of its own
        block = text[start:end]
        if _METADATA.match(block):
            sentences.append(Sentence(start, end, paragraph, metadata=True))
            continue
        headline = len(block.strip()) <= _HEADLINE_MAX and not block.rstrip().endswith(
            (".", "!", "”.", '."'))
        if headline:
            sentences.append(Sentence(start, end, paragraph, headline=True,
                                      dated=_dated_below(text, blocks, n)))
            continue
        cut = start
        for m in _SENTENCE_END.finditer(block):
            stop = start + m.end()
            if _abbreviation(text, start + m.start()) or _numbered(text, start + m.start()):
                continue
            sentences.append(Sentence(cut, stop, paragraph))
            cut = stop + len(text[stop:end]) - len(text[stop:end].lstrip())
        if cut < end:
            sentences.append(Sentence(cut, end, paragraph))
    return [piece for sentence in sentences for piece in _pieces(text, sentence)]


def _pieces(text: str, sentence: Sentence) -> list[Sentence]:
    """`sentence`, or pieces of it no longer than _LONGEST_SENTENCE, each cut at its
    last clause or word break (its second half holding one), else at the length; like a
    sentence, a piece neither starts nor ends with a space."""
    pieces, start = [], sentence.start
    while sentence.end - start > _LONGEST_SENTENCE:
        half = start + _LONGEST_SENTENCE // 2
        breaks = list(_BREAK.finditer(text, half, start + _LONGEST_SENTENCE))
        cut = breaks[-1].end() if breaks else start + _LONGEST_SENTENCE
        pieces.append(replace(sentence, start=start, end=start + len(text[start:cut].rstrip())))
        start = _SPACES.match(text, cut, sentence.end).end()
    if start < sentence.end:
        pieces.append(replace(sentence, start=start) if pieces else sentence)
    return pieces


def _blocks(text: str, lines: list[tuple[int, int]],
            deadline: Deadline) -> list[tuple[int, int]]:
    """Paragraphs: a line joins the one before when that one runs on into it.

    A line runs on when it starts in lower case, or when the text is wrapped
    at a fixed width and the line before reached it without ending a sentence.
    """
    width = _wrap_width(text, lines)
    blocks: list[list[int]] = []
    for start, end in lines:
        deadline.check("joining lines into paragraphs")
        if blocks:
            prev_start, prev_end = blocks[-1]
            previous = text[prev_start:prev_end].rstrip()
            last_line = text[text.rfind("\n", prev_start, prev_end) + 1:prev_end].rstrip()
            gap = text[prev_end:start]
            wrapped = width and len(last_line) >= 0.75 * width
            runs_on = (gap.count("\n") == 1
                       and not previous.endswith((".", ":", "!", "?", '"', "”"))
                       and (text[start:end].lstrip()[:1].islower() or wrapped))
            if runs_on:
                blocks[-1][1] = end
                continue
        blocks.append([start, end])
    return [(s, e) for s, e in blocks]


def _wrap_width(text: str, lines: list[tuple[int, int]]) -> int:
    """The width a hard-wrapped text is wrapped at, or 0 when its lines are paragraphs."""
    lengths = sorted(len(text[s:e].rstrip()) for s, e in lines)
    if len(lengths) < 4:
        return 0
    width = lengths[int(len(lengths) * 0.9)]
    full = sum(1 for n in lengths if n >= 0.75 * width)
    return width if width <= 100 and full >= len(lengths) / 2 else 0


def _dated_below(text: str, blocks: list[tuple[int, int]], index: int) -> When | None:
    """A headline's date: a "Date:" line below it, with only other metadata between."""
    for start, end in blocks[index + 1: index + 4]:
        line = text[start:end]
        if not _METADATA.match(line):
            return None
        m = _PUBLISHED.match(line)
        if m:
            found = [d for d in find_dates(m.group("rest")) if d.kind == "absolute"]
            return resolve(found[0], None) if found else None
    return None


def _abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at `stop` ends an abbreviation or an initial, not a sentence."""
    word = re.search(r"([\w.]+)$", text[max(0, stop - 12):stop])
    if not word:
        return False
    token = word.group(1).lower().strip(".")
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _numbered(text: str, stop: int) -> bool:
    """A full stop between digits ("March 18. 2017") is a typo in a date, not an end."""
    return text[stop - 1:stop].isdigit() and text[stop + 1:stop + 3].strip()[:1].isdigit()


def _citations(text: str) -> list[Citation]:
    """Parenthesised references with a date; one entry per report, "; "-separated."""
    found = []
    for m in _CITATION.finditer(text):
        for part in m.group(1).split(";"):
            dates = [d for d in find_dates(part) if d.kind in ("absolute", "yearless")]
            if not dates:
                continue
            outlet = part[: dates[0].start].strip(" ,–—-")
            if outlet and len(outlet) <= 80:
                found.append(Citation(m.start(), m.end(), outlet, dates[0]))
    return found
