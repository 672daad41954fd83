"""One pass over a document: each sentence's dates, cited reports and places, found once.

Everything the event and area readers ask of a sentence is computed here up
front, so reading stays linear in the length of the document.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from geo.extract.dates import DateMention, When, find_dates, resolve
from geo.extract.documents import Citation, Document, Sentence
from geo.extract.limits import Deadline
from geo.extract.places import Mention, PlaceFinder, find_mentions
from geo.gazetteer import Gazetteer, Place
from geo.names import normalize

_HEADER_CHARS = 300
_LAST_YEAR = re.compile(r"\blast\s+year\b", re.IGNORECASE)
_SETS_YEAR = re.compile(r"\W*(?:in|by|during|through)\s+((?:19|20)\d\d)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Dated:
    """A date expression of a sentence and the window it resolved to (None: unresolvable)."""

    mention: DateMention
    when: When | None


class Reading:
    """A document with what each of its sentences says about when, where and who told it."""

    def __init__(self, doc: Document, gazetteer: Gazetteer, deadline: Deadline | None = None):
        """Read `doc` against `gazetteer`; every reader of it checks `deadline` per
        sentence or record (default: none)."""
        self.doc = doc
        self.deadline = deadline or Deadline.never()
        self.text = doc.text
        self.sentences = doc.sentences
        every_date = _every_date(doc.text, self.deadline)
        self.reference = doc.published or estimated_publication(doc, every_date)
        # Estimated from the latest date in the text, a lower bound only (a year taken
        # from the title is not an estimate of that kind).
        self.estimated = doc.published is None and self.reference is not None and \
            self.reference.precision == "day"
        self.citations = _by_sentence(doc.sentences, doc.citations, lambda c: c.start)
        # Dates inside a citation date the report, not the event.
        self.dates = [
            [m for m in in_sentence if not any(c.start <= m.start < c.end for c in cited)]
            for in_sentence, cited in zip(
                _by_sentence(doc.sentences, every_date, lambda m: m.start), self.citations,
                strict=True)
        ]
        self.set_years = _set_years(self.sentences, self.dates, self.text, self.reference)
        self.finder, self.places = _places(doc, gazetteer, self.deadline)
        title = [m for i, s in enumerate(doc.sentences)
                 if (s.start, s.end) == doc.title_span for m in self.places[i]]
        self.title_place = best_place(title)

    def words(self, i: int) -> str:
        return self.text[self.sentences[i].start:self.sentences[i].end]

    def cited_when(self, i: int) -> When | None:
        """The date of the report cited for sentence `i`.

        A sentence with no citation borrows the next one's when that sentence
        is undated too: analysts cite once for a run of statements.
        """
        cited = self.citations[i]
        following = i + 1
        if not cited and following < len(self.sentences) and \
                self.sentences[following].paragraph == self.sentences[i].paragraph and \
                not self.dates[following]:
            cited = self.citations[following]
        for c in cited:
            when = resolve(c.date, self.reference)
            if when is not None:
                return when
        return None

    def cited_labels(self, i: int) -> list[str]:
        """The reports sentence `i` cites, as "Outlet, YYYY-MM-DD"."""
        labels = []
        for c in self.citations[i]:
            when = resolve(c.date, self.reference)
            label = f"{c.outlet}, {iso(when)}" if when else c.outlet
            if label not in labels:
                labels.append(label)
        return labels

    def resolved_dates(self, i: int, previous: When | None,
                       told: Sequence[When] = ()) -> list[Dated]:
        """Sentence `i`'s own dates, resolved.

        A year written in the sentence gives the year of a day written without
        one ("the deadliest attack of 2019 came on August 17"); a cited report
        bounds a date the text leaves open ("in early January ... (Times,
        January 2)").
        """
        mentions = [m for m in self.dates[i] if m.unit != "same"]
        # "Less than three weeks later, on 25 March 2020": the date is the written one,
        # and the "later" says which year a date written without one is in.
        fixed = [m for m in mentions if m.kind in ("absolute", "yearless")]
        bridges = [m for m in mentions
                   if m.kind == "relative" and any(0 <= f.start - m.end <= 40 for f in fixed)]
        mentions = [m for m in mentions if m not in bridges
                    and not (m.kind == "weekday" and fixed)]  # "Friday, 8 October": one date
        bridged = next((w for w in (resolve(b, None, previous) for b in bridges) if w), None)
        years = {m.year for m in mentions if m.kind == "year"} or self.set_years[i]
        cited = self.cited_when(i)
        found = []
        for m in mentions:
            if m.kind == "year" and any(o.kind == "yearless" for o in mentions):
                continue
            reference = self.reference
            if m.kind == "yearless" and m.shift == 0 and len(years) == 1:
                year_end = dt.date(next(iter(years)), 12, 31)
                reference = When(year_end, year_end, "day")
            elif m.kind == "yearless" and m.shift == 0 and cited is not None:
                reference = cited
            elif m.kind == "yearless" and m.shift == 0 and bridged is not None:
                year_end = dt.date(bridged.end.year, 12, 31)
                reference = When(year_end, year_end, "day")
            elif m.kind == "yearless" and m.shift == 0 and self.estimated and told:
                if _NEXT_SEASON.search(self.words(i)):  # "the next spring, on 21 April"
                    reference = _onwards(m, max(told, key=lambda w: w.end))
                else:  # no publication date: the year that keeps it near the story
                    reference = _nearest_year(m, told)
            elif m.kind == "weekday" and self.estimated:
                found.append(Dated(m, None))  # a weekday counts back from a date we lack
                continue
            when = resolve(m, reference, previous)
            if when is not None and cited is not None and m.kind == "relative" and \
                    when.end < cited.start - dt.timedelta(days=31):
                # "claimed the attack the following day (BBC, 2 Aug 2017)" months after
                # the event told before: the report, not that event, dates it.
                when = When(cited.start.replace(day=1), cited.end, "month")
            if when is not None and cited is not None and m.kind != "absolute":
                when = when.capped(cited.end)
            if when is not None and self.reference is not None and not self.estimated and \
                    m.kind in ("relative", "ago") and when.start > self.reference.end:
                when = None  # "a year later" past the publication: not something it reports
            found.append(Dated(m, when))
        return found

    def paragraph_place(self, i: int) -> Mention | None:
        """The finest place of the nearest earlier sentence of the paragraph that names one."""
        paragraph = self.sentences[i].paragraph
        for j in range(i - 1, -1, -1):
            if self.sentences[j].paragraph != paragraph:
                break
            if self.places[j]:
                return best_place(self.places[j])
        return None


def _set_years(sentences: list[Sentence], dates: list[list[DateMention]], text: str,
               reference: When | None) -> list[set[int]]:
    """For each sentence, a year its paragraph set before it: "In 2021, ... on 8 May"."""
    found: list[set[int]] = []
    year, paragraph = None, None
    for s, in_sentence in zip(sentences, dates, strict=True):
        if s.paragraph != paragraph:
            year, paragraph = None, s.paragraph
        found.append({year} if year else set())
        opening = _SETS_YEAR.match(text, s.start, s.end)
        if opening and not any(m.kind in ("absolute", "yearless") for m in in_sentence):
            candidate = int(opening.group(1))
            if reference is None or candidate <= reference.end.year:
                year = candidate
    return found


_NEXT_SEASON = re.compile(r"\b(?:the\s+)?(?:next|following)\s+(?:spring|summer|autumn|fall|"
                          r"winter|year)\b", re.IGNORECASE)


def _onwards(mention: DateMention, latest: When) -> When:
    """A reference that puts a date without a year on or after the latest event told."""
    year = latest.start.year
    if (mention.month, mention.day or 31) < (latest.start.month, latest.start.day):
        year += 1
    last = dt.date(year, 12, 31)
    return When(last, last, "day")


def _nearest_year(mention: DateMention, told: Sequence[When]) -> When:
    """A reference giving a date without a year the year that puts it nearest an event
    already told: a story without a publication date still keeps to its own time."""
    years = sorted({w.start.year + k for w in told for k in (-1, 0, 1)})

    def gap(year: int) -> int:
        try:
            day = dt.date(year, mention.month, mention.day or 15)
        except ValueError:
            return 10**6
        return min(abs((day - w.start).days) for w in told)

    year = min(reversed(years), key=gap)
    last = dt.date(year, 12, 31)
    return When(last, last, "day")


def best_place(mentions: list[Mention]) -> Mention | None:
    """The finest place named, less the towns outside a district the text names.

    "Kunduz (Friday): ... a mosque in Imam Sahib district": the district the
    event is placed in outweighs a town of the province outside it.
    """
    districts = [m.place for m in mentions if m.place.kind == "district"]
    kept = [m for m in mentions if not (
        m.place.kind == "town" and m.place.admin2
        and any(d.admin1 == m.place.admin1 and normalize(d.name)[0] != normalize(
            m.place.admin2)[0] for d in districts))]
    return finest(kept or mentions)


def finest(mentions: list[Mention]) -> Mention | None:
    """The most precise place named, the first of equals."""
    if not mentions:
        return None
    return min(mentions, key=lambda m: (m.place.geo_precision, m.start))


def iso(when: When | None) -> str:
    """A window as ISO text at its precision: 2017-12-17, 2017-12 or 2017."""
    if when is None:
        return ""
    if when.precision in ("day", "week"):
        return when.start.isoformat()
    return when.start.isoformat()[:7] if when.precision == "month" else str(when.start.year)


def estimated_publication(doc: Document, dates: list[DateMention]) -> When | None:
    """No date line: the latest full date in the text, or the year after a cited "last year".

    "December 17 last year" beside "(The Nation, December 17, 2017)" says the
    piece was written in 2018 or later.
    """
    latest = None
    for m in dates:
        if m.kind == "absolute":
            when = resolve(m, None)
            if when and (latest is None or when.end > latest):
                latest = when.end
    if latest is None:  # "2018 in review": the year its title or header names
        years = [m.year for m in dates if m.kind == "year" and m.start < _HEADER_CHARS]
        if not years:
            return None
        year = max(years)
        return When(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
    for s in doc.sentences:
        if _LAST_YEAR.search(doc.text, s.start, s.end):
            for c in doc.citations:
                if s.start <= c.start < s.end and c.date.year:
                    latest = max(latest, dt.date(c.date.year + 1, 1, 1))
    return When(latest, latest, "day")


def _by_sentence(sentences: list[Sentence], items: list, position) -> list[list]:
    """Items bucketed by the sentence their position falls in."""
    starts = [s.start for s in sentences]
    buckets: list[list] = [[] for _ in sentences]
    for item in items:
        at = position(item)
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0 and at < sentences[i].end:
            buckets[i].append(item)
    return buckets


_DATE_BLOCK = 100_000  # characters of text `_every_date` reads between two deadline checks


def _every_date(text: str, deadline: Deadline) -> list[DateMention]:
    """`find_dates(text)`, a block at a time, so that a long text is checked against
    `deadline` as it goes. A block ends at a blank line, else a line break, else a
    sentence's end, else a space, within a block's length past its first: no date
    runs across the first two, and a text that has none of them is no report."""
    found: list[DateMention] = []
    start = 0
    while start < len(text):
        deadline.check(f"finding dates, at character {start} of {len(text)}")
        end = next((at for cut in ("\n\n", "\n", ". ", " ")
                    if (at := text.find(cut, start + _DATE_BLOCK, start + 2 * _DATE_BLOCK)) >= 0),
                   min(len(text), start + 2 * _DATE_BLOCK))
        found += find_dates(text[start:end], start)
        start = end
    return found


def _places(doc: Document, gazetteer: Gazetteer,
            deadline: Deadline) -> tuple[PlaceFinder, list[list[Mention]]]:
    """Every sentence's places, each name resolved once with the document's context."""
    common = frozenset(re.findall(r"\b[a-z][a-z'’-]+\b", doc.text)) - {"e", "i"}
    raws = []
    for i, s in enumerate(doc.sentences):
        deadline.check(f"finding places, sentence {i + 1} of {len(doc.sentences)}")
        raws.append(find_mentions(doc.text, s.start, s.end, sentence=i, common=common))
    finder = PlaceFinder(gazetteer, doc.text)
    finder.prepare([r for found in raws for r in found])
    places = []
    for i, found in enumerate(raws):
        deadline.check(f"placing names, sentence {i + 1} of {len(raws)}")
        places.append(_located(doc.text, finder, found))
    capital = _capital(gazetteer, places)
    if capital is not None:
        for i, s in enumerate(doc.sentences):
            for m in _THE_CAPITAL.finditer(doc.text, s.start, s.end):
                places[i].append(Mention(m.group(), m.start(), m.end(), capital, (i, -1)))
            places[i].sort(key=lambda m: m.start)
    return finder, places


# "the capital" in a story about one country is its capital, roughly.
_THE_CAPITAL = re.compile(r"\bthe\s+(?:(?:Afghan|Pakistani)\s+)?capital\b(?!\s+of\b)")
_CAPITALS = {"AF": "Kabul", "PK": "Islamabad"}


def _capital(gazetteer: Gazetteer, places: list[list[Mention]]) -> Place | None:
    """The capital of the country the document's places are mostly in, marked approximate."""
    counts: dict[str, int] = {}
    for found in places:
        for m in found:
            counts[m.place.country] = counts.get(m.place.country, 0) + 1
    if not counts:
        return None
    country = max(sorted(counts), key=counts.get)
    if country not in _CAPITALS:
        return None
    place = gazetteer.resolve(_CAPITALS[country], country)
    return replace(place, geo_precision=2) if place else None


# "Deh Mazang square in western Kabul", "the Fatehpur area of Jhal Magsi district": the
# second place says where the first is.
_LOCATED_BY = re.compile(r"^[\s,]*(?:(?!and\b|or\b|but\b)\w+\s+){0,2}?(?:in|of|near|outside)\s+"
                         r"(?:the\s+)?"
                         r"(?:(?:north|south|east|west|central)\w*\s+)?$|^\s*,\s*$",
                         re.IGNORECASE)


# "Krasnogorsk, outside Moscow": the second place is beside the first, not around it.
_BESIDE = re.compile(r"\b(?:near|outside)\s", re.IGNORECASE)


def _located(text: str, finder: PlaceFinder, names: list) -> list[Mention]:
    """A sentence's places, each kept only where the place that locates it agrees."""
    found = [(name, finder.resolve(name)) for name in names]
    kept = []
    for n, (name, mention) in enumerate(found):
        if mention is None:
            continue
        outer = found[n + 1][1] if n + 1 < len(found) else None
        gap = text[mention.end:outer.start] if outer is not None else ""
        if outer is not None and outer.place.geo_precision >= mention.place.geo_precision \
                and _LOCATED_BY.match(gap) and not _BESIDE.search(gap) \
                and outer.place.admin1 != mention.place.admin1:
            mention = finder.resolve(name, within=outer.place.admin1)
            if mention is None:
                continue
        kept.append(mention)
    return _in_named_province(finder, names, kept)


def _in_named_province(finder: PlaceFinder, names: list, kept: list[Mention]) -> list[Mention]:
    """"In Badakhshan province, ... in Faizabad": the town of that name in the one province
    the sentence names, when the gazetteer has one there."""
    provinces = {m.place.admin1 for m in kept if m.place.kind == "province"}
    if len(provinces) != 1:
        return kept
    (province,) = provinces
    by_start = {name.start: name for name in names}
    moved = []
    for mention in kept:
        if mention.place.kind != "province" and mention.place.admin1 != province \
                and mention.start in by_start:
            mention = finder.resolve(by_start[mention.start], within=province) or mention
        moved.append(mention)
    return moved


__all__ = ["Citation", "Dated", "Reading", "estimated_publication", "finest", "iso"]
