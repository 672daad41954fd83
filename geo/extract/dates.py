"""Dates as reports write them, turned into windows with a precision.

Reports date events in many ways: "17 December 2017", "December 17, 2017",
"2017-12-17", "March 2017", "in early January", "on October 5" (the year left
to the reader), "last year", "two months later", "the same night". `find_dates`
finds them in a sentence; `resolve` turns one into a `When`, given what the
reader knows: the document's publication date (or the date of the report it
cites) and the event told just before.

A date with no year is the latest such date on or before its reference, since
reports look back: in a piece published in January 2018, "on December 17" is
2017-12-17.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Literal

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "a few": 3, "several": 3,
}
# Thirds of a month (days) and of a year (months) for "early", "mid" and "late".
_PART_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
_PART_MONTHS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}

# Full month names anywhere; abbreviations only next to a day or a year ("9 Mar 2020").
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
# As written in running text and in capitals (headers, wire slugs): "SEPTEMBER 2023".
_FULL = "|".join([*_MONTH_NAMES, *(m.upper() for m in _MONTH_NAMES)])
_ABBREVIATED = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_MONTH = rf"(?:{_FULL}|{_ABBREVIATED}(?=\s*\d))"
_MONTH_AFTER_DAY = rf"(?:{_FULL}|{_ABBREVIATED})\b"  # "24 Jan": the day says it is a month
_YEAR = r"(?:19[5-9]\d|20\d\d)"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"


def _part_re(n: int) -> str:
    return (rf"(?:(?P<part{n}>(?i:early|mid|late|(?:the\s+)?(?:beginning|start|middle|end)\s+of))"
            r"[\s-]+)?")


def _shift_re(n: int) -> str:
    return rf"(?:,?\s+(?P<shift{n}>last|this|the\s+previous|the\s+following|next)\s+year)?"


_NUM = r"\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+few|several"

_PATTERN = re.compile(
    rf"""
    (?P<iso>\b(?P<iy>{_YEAR})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])\b)
  | (?P<isom>(?<![\d-])(?P<my_y>{_YEAR})-(?P<my_m>0[1-9]|1[0-2])(?![\d-]))
  | (?P<dmy>\b(?P<d1>{_DAY})\s+(?:of\s+)?(?P<m1>{_MONTH_AFTER_DAY})
        (?:,?\s+(?P<y1>{_YEAR})\b)?{_shift_re(1)})
  | (?P<mdy>\b(?P<m2>{_MONTH})\s+(?P<d2>{_DAY})\b(?![.,]?\d)
        (?:[,.]?\s+(?P<y2>{_YEAR})\b)?{_shift_re(2)})
  | (?P<my>\b{_part_re(3)}(?P<m3>{_MONTH}),?\s+(?:of\s+)?(?P<y3>{_YEAR})\b)
  | (?P<last_month_name>\b(?:last|this\s+past)\s+(?P<m5>{_FULL})\b)
  | (?P<m>\b{_part_re(4)}(?P<m4>{_FULL})\b{_shift_re(4)})
  | (?P<rel>\b(?i:(?:less\s+than\s+|more\s+than\s+|about\s+|some\s+|nearly\s+)?(?P<rn>{_NUM})\s+
        (?P<ru>day|week|month|year)s?\s+(?P<rd>later|afterwards|after\s+that|earlier|ago))\b)
  | (?P<same>\b(?i:(?:the\s+same|that)\s+(?:day|night|evening|morning|afternoon)|hours\s+later)\b)
  | (?P<same_month>\b(?i:(?:(?P<smp>later|earlier)\s+)?(?:that|the\s+same)\s+month)\b)
  | (?P<next>\b(?i:the\s+(?:next|following)\s+(?P<nu>day|morning|night|week|month|year))\b)
  | (?P<weekday>(?:\b(?i:(?P<wl>last|on|this\s+past|that|on\s+the\s+(?:previous|following)|
        the\s+(?:previous|following))\s+)|(?<=\()|(?<=^)|(?<=\n)|(?<=-\s))(?P<wd>Monday|Tuesday|
        Wednesday|Thursday|Friday|Saturday|Sunday|(?:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\.?
        (?=\s+\d))\b(?!\s+(?:prayers?|sermons?|market|
        night|worshipp?ers|congregation))(?!,?\s+\d))
  | (?P<this>\b(?i:(?P<tw>earlier\s+this|later\s+this|last|this|the\s+previous)\s+
        (?P<tu>year|month|week))\b)
  | (?P<yesterday>\b(?i:yesterday)\b)
  | (?P<today>\b(?i:today|tonight|this\s+(?:morning|afternoon|evening)|earlier\s+today)\b)
  | (?P<year>\b{_part_re(5)}(?:in\s+|of\s+|since\s+|during\s+)?(?P<y5>{_YEAR})\b(?!-\d\d-))
    """,
    re.VERBOSE,
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _weekday(word: str) -> int:
    """"Thursday", "Thu", "Thurs." -> 3."""
    word = word.lower().rstrip(".")
    return next(i for i, day in enumerate(_WEEKDAYS) if day.startswith(word[:3]))
# A bare "May" or "March" is more often a verb than a month: it needs one of these before it
# (within _CUE_REACH characters).
_CUE_REACH = 40
_MONTH_CUES = re.compile(
    r"(?:\b(?:in|on|since|during|until|till|by|from|of|between|through|to|and|or|"
    r"last|this|next|early|mid|late|before|after)\s+|-)$", re.IGNORECASE)


@dataclass(frozen=True)
class When:
    """An event's dates: the first and last day it may have happened, and the unit known."""

    start: dt.date
    end: dt.date
    precision: str  # day, week, month or year

    def capped(self, bound: dt.date) -> When:
        """No later than `bound` (the date of the report that told of it)."""
        if self.start <= bound < self.end:
            return replace(self, end=bound)
        return self


MentionKind = Literal["absolute", "yearless", "relative", "ago", "weekday", "year"]


@dataclass(frozen=True)
class DateMention:
    """One date expression in a text, not yet resolved.

    `kind` says what it needs to resolve: "absolute" (nothing), "yearless" (a
    reference date), "relative" (the event before), "ago" and "weekday" (the
    reference date), "year" (nothing: a bare year, too coarse for an event).
    """

    start: int
    end: int
    text: str
    kind: MentionKind
    year: int | None = None
    month: int | None = None
    day: int | None = None
    part: str | None = None
    shift: int = 0  # years before the reference year ("last year": -1)
    before: bool = False  # "last September": strictly before the reference's month
    amount: int = 0
    unit: str = ""  # day, week, month, year

    @property
    def precision(self) -> str:
        """The finest unit this mention can give."""
        if self.kind in ("absolute", "yearless"):
            return "day" if self.day else "month" if self.month else "year"
        if self.kind in ("relative", "ago"):
            return self.unit
        return "year" if self.kind == "year" else "day"  # weekday: a day


def find_dates(text: str, offset: int = 0) -> list[DateMention]:
    """Every date expression in `text`, left to right; offsets are shifted by `offset`."""
    found = []
    for m in _PATTERN.finditer(text):
        mention = _mention(m, text)
        if mention is not None:
            found.append(replace(mention, start=mention.start + offset,
                                 end=mention.end + offset))
    return found


# The alternatives of _PATTERN (one matches at a time) that count from another date.
_COUNTED = ("rel", "same", "same_month", "weekday", "next", "this", "yesterday", "today")


def _mention(m: re.Match, text: str) -> DateMention | None:
    g = m.groupdict()
    base = {"start": m.start(), "end": m.end(), "text": m.group(0)}
    if any(g[name] for name in _COUNTED):
        return _counted(g, base)
    return _calendar(m, text, g, base)


def _calendar(m: re.Match, text: str, g: dict, base: dict) -> DateMention | None:
    """A date the calendar names: a day, a month or a year, with or without its year."""
    part = _part(next((v for k, v in g.items() if k.startswith("part") and v), None))
    shift = _shift(next((v for k, v in g.items() if k.startswith("shift") and v), None))
    if g["iso"]:
        return DateMention(**base, kind="absolute", year=int(g["iy"]), month=int(g["im"]),
                           day=int(g["id"]))
    if g["isom"]:
        year, month = int(g["my_y"]), int(g["my_m"])
        if month == (year + 1) % 100:
            return None  # "2011-12" is more often two years than a month
        return DateMention(**base, kind="absolute", year=year, month=month)
    for d, mo, y in (("d1", "m1", "y1"), ("d2", "m2", "y2")):
        if g[mo] and g[d]:
            year = int(g[y]) if g[y] else None
            kind = "absolute" if year else "yearless"
            return DateMention(**base, kind=kind, year=year, month=_month(g[mo]),
                               day=int(re.match(r"\d+", g[d]).group()), part=None, shift=shift)
    if g["my"]:
        return DateMention(**base, kind="absolute", year=int(g["y3"]), month=_month(g["m3"]),
                           part=part)
    if g["last_month_name"]:
        return DateMention(**base, kind="yearless", month=_month(g["m5"]), before=True)
    if g["m"]:
        word = g["m4"]
        if word.lower() in ("may", "march") and not part and \
                not _MONTH_CUES.search(text, max(0, m.start() - _CUE_REACH), m.start()):
            return None  # looks back a few words, not at all the text: linear in its length
        return DateMention(**base, kind="yearless", month=_month(word), part=part, shift=shift)
    if g["year"]:
        return DateMention(**base, kind="year", year=int(g["y5"]), part=part)
    return None


def _counted(g: dict, base: dict) -> DateMention | None:
    """A date counted from another: "two days later", "the same night", "last Friday"."""
    if g["rel"]:
        amount = _amount(g["rn"])
        word = g["rd"].lower()
        direction = -1 if word in ("earlier", "ago") else 1
        kind = "ago" if word == "ago" else "relative"
        return DateMention(**base, kind=kind, amount=amount * direction, unit=g["ru"].lower())
    if g["same"]:
        return DateMention(**base, kind="relative", amount=0, unit="same")
    if g["same_month"]:
        return DateMention(**base, kind="relative", amount=0, unit="month",
                           part={"later": "late_rest", "earlier": "early_rest"}.get(
                               (g["smp"] or "").lower()))
    if g["weekday"]:
        which = " ".join((g["wl"] or "").lower().split())
        day = _weekday(g["wd"])
        if which == "that":
            return None  # "that Friday": which one, the text has said elsewhere
        if "following" in which or "previous" in which:  # counted from the event before
            return DateMention(**base, kind="relative", unit="weekday", day=day,
                               amount=1 if "following" in which else -1)
        return DateMention(**base, kind="weekday", day=day,
                           shift=-1 if which == "last" else 0)
    if g["next"]:
        unit = {"morning": "day", "night": "day"}.get(g["nu"].lower(), g["nu"].lower())
        return DateMention(**base, kind="relative", amount=1, unit=unit)
    if g["this"]:
        which = " ".join(g["tw"].lower().split())
        amount = -1 if which in ("last", "the previous") else 0
        return DateMention(**base, kind="ago", amount=amount, unit=g["tu"].lower(),
                           part="to_date" if amount == 0 else None)
    if g["yesterday"]:
        return DateMention(**base, kind="ago", amount=-1, unit="day")
    if g["today"]:
        return DateMention(**base, kind="ago", amount=0, unit="day")
    return None


def _month(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")]


def _part(word: str | None) -> str | None:
    if not word:
        return None
    word = word.lower()
    if "early" in word or "beginning" in word or "start" in word:
        return "early"
    if "mid" in word:
        return "mid"
    return "late"


def _shift(word: str | None) -> int:
    if not word:
        return 0
    word = " ".join(word.lower().split())
    return {"last": -1, "the previous": -1, "this": 0, "next": 1, "the following": 1}[word]


def _amount(word: str) -> int:
    word = " ".join(word.lower().split())
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def resolve(mention: DateMention, reference: When | None,
            previous: When | None = None) -> When | None:
    """The window `mention` stands for, or None when what it needs is unknown.

    `reference` is the latest date the writer can mean (publication, or the
    cited report); `previous` is the event told before, for "two months later".
    """
    if mention.kind == "absolute":
        return _window(mention.year, mention.month, mention.day, mention.part)
    if mention.kind == "year":
        return _window(mention.year, None, None, mention.part)
    if mention.kind == "yearless":
        if reference is None:
            return None
        return _yearless(mention, reference)
    if mention.kind == "ago":
        return None if reference is None else _ago(mention, reference)
    if mention.kind == "relative":
        return None if previous is None else _after(mention, previous)
    if mention.kind == "weekday":  # the last such day of the reference day or week
        if reference is None or reference.precision not in ("day", "week"):
            return None
        back = (reference.end.weekday() - mention.day) % 7 or (7 if mention.shift else 0)
        day = reference.end - dt.timedelta(days=back)
        return When(day, day, "day")
    return None


def _window(year: int, month: int | None, day: int | None, part: str | None) -> When | None:
    try:
        if day:
            d = dt.date(year, month, day)
            return When(d, d, "day")
        if month:
            last = calendar.monthrange(year, month)[1]
            first, final = _PART_DAYS.get(part, (1, last))
            return When(dt.date(year, month, first), dt.date(year, month, min(final, last)),
                        "month")
        first, final = _PART_MONTHS.get(part, (1, 12))
        return When(dt.date(year, first, 1),
                    dt.date(year, final, calendar.monthrange(year, final)[1]), "year")
    except ValueError:  # 31 February and the like: not a date
        return None


def _yearless(mention: DateMention, reference: When) -> When | None:
    ref = reference.end
    if mention.before:  # "last September": the latest September before this month
        year = ref.year if mention.month < ref.month else ref.year - 1
    else:
        year = ref.year + mention.shift
        later = (mention.month, mention.day or 1) > (ref.month, ref.day)
        if mention.shift == 0 and later and reference.precision != "year":
            year -= 1
    return _window(year, mention.month, mention.day, mention.part)


def _ago(mention: DateMention, reference: When) -> When | None:
    ref = reference.end
    if mention.unit == "year":
        window = _window(ref.year + mention.amount, None, None, None)
    elif mention.unit == "month":
        year, month = _add_months(ref.year, ref.month, mention.amount)
        window = _window(year, month, None, None)
    elif mention.unit == "week":
        day = ref + dt.timedelta(weeks=mention.amount)
        window = When(day - dt.timedelta(days=3), day + dt.timedelta(days=3), "week")
    else:
        day = ref + dt.timedelta(days=mention.amount)
        window = When(day, day, "day")
    if window and mention.part == "to_date":  # "this year": up to the reference, not after
        window = window.capped(ref)
    return window


def _after(mention: DateMention, previous: When) -> When | None:
    if mention.unit == "same":
        return previous
    if mention.unit == "weekday":  # "the following Friday": the next Friday after it
        step = dt.timedelta(days=mention.amount)
        day = previous.start + step
        while day.weekday() != mention.day:
            day += step
        return When(day, day, "day")
    if mention.unit == "month" and mention.amount == 0:
        window = _window(previous.start.year, previous.start.month, None, None)
        if mention.part == "late_rest" and window:
            return When(previous.start, window.end, "month")
        return window
    base = previous.start
    if mention.unit == "day":
        day = base + dt.timedelta(days=mention.amount)
        return When(day, day, "day") if previous.precision == "day" else _window(
            day.year, day.month, None, None)
    if mention.unit == "week":
        day = base + dt.timedelta(weeks=mention.amount)
        return When(day - dt.timedelta(days=3), day + dt.timedelta(days=3), "week")
    if mention.unit == "month":
        year, month = _add_months(base.year, base.month, mention.amount)
        return _window(year, month, None, None)
    return _window(base.year + mention.amount, None, None, None)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def parse_when(text: str) -> When | None:
    """A publication date as a user or a header writes it: "2018-01", "10 April 2020", ...

    Returns None when `text` is not one date.
    """
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        month = int(text[5:])
        return _window(int(text[:4]), month, None, None) if 1 <= month <= 12 else None
    if re.fullmatch(r"\d{4}", text):
        return _window(int(text), None, None, None)
    found = [m for m in find_dates(text) if m.kind in ("absolute", "year")]
    if len(found) != 1 or found[0].text.strip() != text.rstrip(".").strip():
        return None
    return resolve(found[0], None)
