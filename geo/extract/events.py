"""Finding the events of a document, sentence by sentence, in the order it tells them.

A sentence that names a date and something that happened opens an event;
the sentences after it in the same paragraph tell more of it (the toll, the
claim) until a new date, a new paragraph, or a different cited report. A
sentence with two dates tells two events, split at the clause break between
them. A sentence with no date of its own is dated by the report it cites,
"(Dawn, December 12, 2017)", and a headline by the "Date:" line under it.
Events known only to the year ("in late 2019") are too coarse for a point
on a time slider and are left out.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

from geo.extract import cues
from geo.extract.dates import When
from geo.extract.documents import Sentence
from geo.extract.figures import casualties
from geo.extract.places import Mention
from geo.extract.reading import Reading, best_place
from geo.gazetteer import distance_km

# "Both were claimed by the Islamic State": a sentence about the last two events.
_BOTH = re.compile(r"^\s*(?:both|the\s+two(?:\s+\w+)?)\s+(?:were|was|had\s+been)\b|"
                   r"\bclaimed\s+both\b|\bboth\s+(?:attacks|bombings|blasts|days|of\s+them)\b",
                   re.IGNORECASE)
# "Each of these attacks was claimed by the group": about every event of the paragraph.
_SEVERAL = re.compile(r"\b(?:each|all)\s+of\s+these\b|\ball\s+(?:three|four|five|six)\b|"
                      r"\bthese\s+attacks\s+were\b", re.IGNORECASE)
# "... claimed the attack late on Friday", "The Bamyan attack was later claimed": a claim
# that looks back at an event told before; the words between name which one.
_BACK = re.compile(r"\b(?:the|that|this)\s+(?P<named>(?:(?:[A-Z][\w’'-]*|first|second|third|"
                   r"earlier|later|latest|last|deadly|twin)\s+){0,3})"
                   r"(?:attacks?|bombings?|raids?|assaults?|blasts?|killings?|massacres?|"
                   r"explosions?|assassinations?|operations?|shootings?|strikes?|salvos?|"
                   r"rocket\s+fire)\b|"
                   r"\bclaimed\s+it\b", re.IGNORECASE)
# "It happened this afternoon in Mastung": a sentence dating the event told before it.
_ANAPHORA = re.compile(r"\s*(?:it|this|that|the\s+(?:attack|blast|bombing|explosion|assault|"
                       r"raid|strike|killing))\b", re.IGNORECASE)
_SAME_PLACE = re.compile(r"\b(?:in|at|near)\s+the\s+same\s+(?:city|town|village|district|"
                         r"province|area|place|neighbou?rhood)\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:and|but|while|whereas)\s+|\s+but\s+|—|–|,")


@dataclass
class Event:
    """An incident as read: the words that opened it and the sentences that told more."""

    when: When
    clause: tuple[int, int]  # the words that opened it (offsets in the text)
    first: int  # index of its opening sentence
    sentences: list[int] = field(default_factory=list)  # its sentences, opening one first
    places: list[Mention] = field(default_factory=list)  # places its own words name
    fallback: Mention | None = None  # the paragraph's or the title's place, if it names none
    cited: list[str] = field(default_factory=list)
    claim_hint: str | None = None  # from a sentence about several events


def find_events(reading: Reading) -> list[Event]:
    """The document's events in the order told."""
    return _EventReader(reading).read()


class _EventReader:
    def __init__(self, reading: Reading):
        self.r = reading
        # In the order opened, so in the order of their first sentences: the events a
        # sentence opened are the last ones, found without a scan of all the others.
        self.events: list[Event] = []
        self.whens: list[When] = []  # the events' dates, in the same order
        self.current: Event | None = None  # the event the next sentence may go on telling
        self.previous: When | None = None  # the last event's dates, for "two days later"
        # A date told on its own, as a list item's head ("1 July 2018 - Jalalabad"), with the
        # place it names and its paragraph: it dates the lines under it.
        self.heading: When | None = None
        self.heading_place: Mention | None = None
        self.heading_paragraph = -1
        # An event told before its date: "A bomb tore through a procession. It happened
        # this afternoon in Mastung."
        self.pending: int | None = None
        # A date told just before the event it dates: "The clearest contrast came on 30
        # July 2023 in Khar. A suicide bomber blew himself up ..."
        self.told: tuple[int, When] | None = None

    def read(self) -> list[Event]:
        for i, s in enumerate(self.r.sentences):
            self.r.deadline.check(f"reading events, sentence {i + 1} of {len(self.r.sentences)}")
            if s.metadata:
                continue
            # What a paragraph says stays in it.
            if self.current and self._apart(i, self.current.first):
                self.current = None
            if self.pending is not None and self._apart(i, self.pending):
                self.pending = None
            if self.told is not None and self._apart(i, self.told[0]):
                self.told = None
            if s.paragraph > self.heading_paragraph + 1:
                self.heading, self.heading_place = None, None
            self._sentence(i, s)
        return self.events

    def _sentence(self, i: int, s: Sentence) -> None:
        """Read one sentence: it opens events, tells more of one, or says nothing new."""
        dated = self.r.resolved_dates(i, self.previous, self.whens)
        # Dates a slider can use; "in 2019" or "last year" alone are too coarse.
        opening = [d for d in dated if d.mention.kind != "year"
                   and (d.when is None or d.when.precision != "year")]
        if opening and not self._dated_sentence(i, s, opening):
            return
        kind = cues.event_type(self.r.words(i))
        if dated and not opening and kind:
            self.current = None  # a year-only event: too coarse, and not part of the last
        elif s.headline:
            if kind and s.dated and self._eventful(i, (s.start, s.end)):
                self._open(i, _headline_when(s.dated), (s.start, s.end))
            self.current = None
        else:
            self._undated_sentence(i, s, kind)

    def _dated_sentence(self, i: int, s: Sentence, opening: list) -> bool:
        """Open an event per dated clause; True when the sentence is still to be read as
        undated (its only dates point back at the event it goes on telling)."""
        before, self.current = self.current, None
        if self.events and self._claims_last(i, after_days=all(
                d.mention.kind == "relative" for d in opening)):
            # "ISIL-K claimed the bombing the following day": the claim's date, not an event's
            return False
        clauses = self._clauses(s, opening)
        for clause, d in zip(clauses, opening, strict=True):
            if d.when is not None and self._eventful(i, clause, whole=len(clauses) == 1):
                self._open(i, d.when, clause)
        opened = list(itertools.takewhile(lambda e: e.first == i, reversed(self.events)))[::-1]
        words = self.r.words(i)
        if len(opened) > 1 and (_BOTH.search(words) or _SEVERAL.search(words)):
            self._claim_for(opened, words)  # "...; both attacks were claimed"
        if opened:
            return False
        pending = self.pending
        if pending is not None \
                and opening[-1].when is not None and len(opening) == 1 and _ANAPHORA.match(words):
            event = self._open(pending, opening[-1].when, (self.r.sentences[pending].start,
                                                           self.r.sentences[pending].end))
            event.sentences.append(i)  # the sentence with the date tells more of it
            event.places += self.r.places[i]
            event.fallback = None
            self.pending = None
            return False
        if opening[-1].when is not None:
            self.previous = opening[-1].when  # "That month, ...": the month just told
            if len(opening) == 1 and opening[-1].when.precision in ("day", "month"):
                self.told = (i, opening[-1].when)
        if before and all(d.mention.kind == "relative" or (
                _ANAPHORA.match(words) and d.when is not None
                and d.when.start <= before.when.end and d.when.end >= before.when.start)
                for d in opening):
            # "ISKP claimed the attack the next day", "It happened this afternoon in
            # Mastung": more of the event, not a new one
            self.current = before
            return True
        if _heading(words, opening):
            self.heading, self.heading_paragraph = opening[0].when, s.paragraph
            self.heading_place = best_place(self.r.places[i])
        return False

    def _undated_sentence(self, i: int, s: Sentence, kind: str | None) -> None:
        cited = self.r.cited_when(i)
        if self.current is None and kind and self.events and self._hours_later(i):
            return
        if self.current is None and self.events and self._claims_last(i):
            return
        if self.current and self._goes_on(i, cited):
            self._go_on(i)
        elif kind and (cited or self.heading) and self._eventful(i, (s.start, s.end)):
            event = self._open(i, cited or self.heading, (s.start, s.end))
            if not event.places and self.heading_place is not None:
                event.fallback = self.heading_place
            self.heading, self.heading_place = None, None
        elif self._told_before(i, s, kind):
            return
        elif kind and self._eventful(i, (s.start, s.end)):
            self.pending = i

    def _told_before(self, i: int, s: Sentence, kind: str | None) -> bool:
        """An attack told right after a sentence that gave a date and a place for it."""
        if self.told is None or kind not in (*cues.ATTACKS, "airstrike"):
            return False
        j, when = self.told
        if i - j > 2:
            return False
        cue = cues.trigger(self.r.words(i))
        if cue is None or cues.WEAK.match(cue) or cues.PLURAL.match(cue):
            return False
        event = self._open(i, when, (s.start, s.end))
        if not event.places and self.r.places[j]:
            event.places = list(self.r.places[j])
            event.fallback = None
        self.told = None
        return True

    def _goes_on(self, i: int, cited: When | None) -> bool:
        """Whether undated sentence `i` tells more of the current event."""
        event = self.current
        if cited is not None and not _near(cited, event.when):
            return False
        own = self.r.cited_labels(i)
        return not (event.cited and own and not set(own) & set(event.cited))

    def _go_on(self, i: int) -> None:
        event, words = self.current, self.r.words(i)
        later = self._same_time_event(i, event)
        if later is not None:
            return
        if _BOTH.search(words) and len(self.events) >= 2:
            self._claim_for(self.events[-2:], words)
            return
        if _SEVERAL.search(words):
            paragraph = self.r.sentences[i].paragraph
            self._claim_for([e for e in self.events
                             if self.r.sentences[e.first].paragraph == paragraph], words)
            return
        event.sentences.append(i)
        event.places += self.r.places[i]
        event.cited += [c for c in self.r.cited_labels(i) if c not in event.cited]

    def _hours_later(self, i: int) -> bool:
        """"Hours later in Kunduz, a bomb ...": a new event the day of the last one."""
        last = self.events[-1]
        near = self._apart(i, last.sentences[-1]) <= 2
        same = any(m.unit == "same" for m in self.r.dates[i])
        if near and same and self._eventful(i, (self.r.sentences[i].start,
                                                 self.r.sentences[i].end)):
            self._open(i, last.when, (self.r.sentences[i].start, self.r.sentences[i].end))
            return True
        return False

    def _apart(self, i: int, j: int) -> int:
        """How many paragraphs sentence `i` comes after sentence `j`."""
        return self.r.sentences[i].paragraph - self.r.sentences[j].paragraph

    def _claim_for(self, events: list[Event], words: str) -> None:
        label = cues.first_label(cues.CLAIM_CUES, words)
        for e in events:
            e.claim_hint = label or e.claim_hint

    def _claims_last(self, i: int, after_days: bool = False) -> bool:
        """A claim told after its event, in the next sentences or paragraphs: "X claimed the
        attack late on Friday", "The Bamyan attack was later claimed by ISIL-K".

        Only a sentence that tells nothing new (no toll, and no attack of its own unless
        its only date is a day after: "The next day the group claimed the massacre")
        and points back at events: the ones whose places the words name ("claimed
        both the first Shiraz shooting and ..."), else the last one told.
        """
        words = self.r.words(i)
        backs = list(_BACK.finditer(words))
        label = cues.first_label(cues.CLAIM_CUES, words)
        if label not in ("claimed", "disputed") or not backs:
            return False
        figures = casualties(words)
        cue = cues.trigger(_BACK.sub(" ", words))
        if figures["killed"] or figures["injured"] or (
                cue is not None and not cues.WEAK.match(cue.strip()) and not after_days):
            return False  # "a bomber struck ..., and Islamic State claimed the blast": new
        recent = next((e for e in reversed(self.events) if self._apart(i, e.sentences[-1]) <= 2),
                      None)
        events = [e for e in (self._named_by(b) for b in backs) if e is not None] \
            or ([recent] if recent is not None else [])
        if not events:
            return False
        for event in events:
            event.claim_hint = label if event.claim_hint is None else event.claim_hint
        self.current = events[0]
        return True

    def _named_by(self, back: re.Match) -> Event | None:
        """The event "the first Shah Cheragh shooting" or "the Bamyan attack" points at:
        one whose place or opening words hold those names, the earliest for "first"."""
        words = (back.group("named") or "").split()
        names = [w.lower() for w in words if w[:1].isupper()]
        if not names:
            return None
        found = [e for e in self.events
                 if any(m.text.lower() in " ".join(names) for m in e.places)
                 or all(n in self.r.text[e.clause[0]:e.clause[1]].lower() for n in names)]
        if not found:
            return None
        return found[0] if "first" in (w.lower() for w in words) else found[-1]

    def _same_time_event(self, i: int, event: Event) -> Event | None:
        """A second event "the same evening": a new kind of event at a place or with a
        toll of its own, not a claim or a detail of the last."""
        s = self.r.sentences[i]
        for m in self.r.dates[i]:
            if m.unit != "same":
                continue
            after = self.r.text[m.end:s.end]
            kind = cues.event_type(after)
            figures = casualties(after)
            places = [p for p in self.r.places[i] if p.start >= m.end]
            elsewhere = places and not any(_near_place(p, q) for p in places
                                           for q in event.places or [event.fallback] if q)
            substance = figures["killed"] or figures["injured"] or places
            new_kind = kind != cues.event_type(told(self.r, event))
            if kind and substance and (new_kind or elsewhere) and \
                    cues.first_label(cues.CLAIM_CUES, after) is None:
                return self._open(i, event.when, (m.start, s.end))
        return None

    def _open(self, i: int, when: When, clause: tuple[int, int]) -> Event:
        event = Event(when=when, clause=clause, first=i, sentences=[i])
        if self.events and _SAME_PLACE.search(self.r.text[clause[0]:clause[1]]):
            last = self.events[-1]  # "in the same city": where the last event was
            event.places, event.fallback = list(last.places), last.fallback
            event.cited = self.r.cited_labels(i)
            return self._opened(event)
        event.places = [m for m in self.r.places[i] if clause[0] <= m.start < clause[1]]
        taken = bool(self.events) and self.events[-1].first == i  # opened one already
        if not event.places and not taken:  # the sentence's other clause may name it
            event.places = [m for m in self.r.places[i] if not clause[0] <= m.start < clause[1]]
        if not event.places:
            event.fallback = self.r.paragraph_place(i) or self.r.title_place
        event.cited = self.r.cited_labels(i)
        return self._opened(event)

    def _opened(self, event: Event) -> Event:
        """`event` told: the last one, and the one the next sentences may go on telling."""
        self.events.append(event)
        self.whens.append(event.when)
        self.current, self.previous = event, event.when
        return event

    def _eventful(self, i: int, clause: tuple[int, int], whole: bool = True) -> bool:
        """Whether a clause tells an event: a specific cue, or a vague one with substance.

        "Gunmen stormed" is enough; "the attack" needs a toll or a place beside
        it; "similar attacks" (many events at once) needs a toll. When the
        clause is the whole sentence, the toll may come in the next sentence.
        """
        words = self.r.text[clause[0]:clause[1]]
        cue = cues.trigger(words, self.r.words(i))
        if cue is None:
            return False
        figures = casualties(words + " " + (self._next_undated(i) if whole else ""))
        toll = bool(figures["killed"] or figures["injured"])
        if cues.PLURAL.match(cue.strip()):
            return toll
        if not cues.WEAK.match(cue.strip()):
            return True
        return bool(toll or any(clause[0] <= m.start < clause[1] for m in self.r.places[i]))

    def _next_undated(self, i: int) -> str:
        """The next sentence of the paragraph when it has no date of its own, else ""."""
        following = i + 1
        if following < len(self.r.sentences) and not self.r.dates[following] and \
                self.r.sentences[following].paragraph == self.r.sentences[i].paragraph:
            return self.r.words(following)
        return ""

    def _clauses(self, s: Sentence, dated: list) -> list[tuple[int, int]]:
        """Split a sentence between its dates, at the last clause break before each."""
        bounds = [s.start]
        for before, after in itertools.pairwise(dated):
            gap = self.r.text[before.mention.end:after.mention.start]
            breaks = list(_CLAUSE_BREAK.finditer(gap))
            bounds.append(before.mention.end + (breaks[-1].start() if breaks else len(gap) // 2))
        bounds.append(s.end)
        return list(itertools.pairwise(bounds))


def _heading(words: str, opening: list) -> bool:
    """A date told on its own, as a list item's head: "1. Karachi, Sindh - 13 May 2015.".

    Besides the date, places and at most four small words ("Thu 21 Apr, at midday
    prayers."): "Residents interviewed on Monday said they had their doubts" is a
    sentence, not a heading.
    """
    d = opening[0]
    if len(opening) != 1 or d.when is None or d.when.precision not in ("day", "week", "month"):
        return False
    rest = words.replace(d.mention.text, " ")
    others = [w for w in re.findall(r"[^\W\d_]+", rest) if not w[:1].isupper()]
    return len(others) <= 4


def told(reading: Reading, event: Event) -> str:
    """Everything the document says of an event: its opening clause and later sentences."""
    own = reading.text[event.clause[0]:event.clause[1]]
    return " ".join([own, *(reading.words(i) for i in event.sentences[1:])])


def _near_place(a: Mention, b: Mention) -> bool:
    """Whether two mentions name the same neighbourhood (25 km)."""
    return a.place.admin1 == b.place.admin1 and distance_km(
        (a.place.latitude, a.place.longitude), (b.place.latitude, b.place.longitude)) <= 25


def _headline_when(dated: When) -> When:
    """A headline dated by its article: the event is in that month, on or before the date."""
    return When(dated.start.replace(day=1), dated.end, "month")


def _near(cited: When, when: When) -> bool:
    """Whether a cited report's date fits an event: on it or within a month after."""
    return when.start - dt.timedelta(days=3) <= cited.end <= when.end + dt.timedelta(days=31)
