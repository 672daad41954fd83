"""Death and injury figures as reports state them, with their qualifiers.

"killing at least 20", "more than 70 people ... were killed", "leaving nearly
30 dead", "wounding some 200", "dozens were injured". A figure is the number
the text gives, never an estimate of ours; words that name no number
("dozens", "hundreds") become the least number they can mean (24, 200) with
the qualifier `at_least`. "No casualties" is a stated zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.extract.dates import MONTHS

_UNITS = {
    "one": 1, "two": 2, "both": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
# Words for an unstated number: the least they can mean.
_VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200}
_FEW = {"a dozen": 12, "a score": 20}
QUALIFIER_WORDS = {
    "at least": "at_least", "no fewer than": "at_least", "a minimum of": "at_least",
    "more than": "more_than", "over": "more_than", "upwards of": "more_than",
    "in excess of": "more_than",
    "nearly": "about", "almost": "about", "about": "about", "around": "about",
    "roughly": "about", "approximately": "about", "some": "about", "an estimated": "about",
    "close to": "about", "just under": "about", "up to": "up_to", "as many as": "up_to",
}

_WORD_NUMBER = (r"(?:(?:" + "|".join(_TENS) + r")(?:[\s-](?:" + "|".join(_UNITS) + r"))?|"
                + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")")
_NUMBER = (rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+|"
           rf"(?:(?:a|one|two|three|four|five|six|seven|eight|nine)\s+)?hundred"
           rf"(?:\s+(?:and\s+)?{_WORD_NUMBER})?|{_WORD_NUMBER}|dozens|scores|hundreds|a\s+dozen|a\s+score)")
_QUALIFIER = r"(?:(?P<qual>" + "|".join(sorted(QUALIFIER_WORDS, key=len, reverse=True)) + r")\s+)?"
_FIGURE = _QUALIFIER + _NUMBER
# Up to a few words between a number and its verb: "70 people, mostly women, were killed";
# never another harm word ("nine dead and 50 wounded" gives 50 wounded, not nine).
_HARM_WORDS = (r"killed|killing|dead|died|wounded|wounding|injured|injuring|hurt|slain|"
               r"perished|martyred|lives|deaths|fatalities")
_GAP = (rf"(?:[\s,—–-]+(?!(?:{_HARM_WORDS}|was|were|is|are|has|have|had|left|leaving)\b)"
        rf"[\w'’]+){{0,12}}?[\s,—–-]+")
_HARM = {
    "killed": (r"killed|dead|died|slain|lost\s+their\s+lives|perished|martyred|deaths|"
               r"fatalities|shot\s+dead|gunned\s+down",
               r"killing|killed|kills|shot\s+dead|shooting\s+dead|gunned\s+down|massacred|"
               r"executed|beheaded|claimed\s+the\s+lives\s+of|death\s+toll\s+"
               r"(?:(?:rose|climbed|reached|stood)\s+(?:to|at)|of|at)"),
    "injured": (r"injured|wounded|hurt",
                r"wounding|injuring|wounded|injured"),
}
# A figure beyond this is not a toll but a misreading (or a typo): none is read.
MAX_FIGURE = 100_000
def _patterns(harm: str, after: str, before: str) -> dict[str, re.Pattern]:
    """The ways a toll of `harm` is written, by name, tried in this order."""
    found = {
        "verb_first": rf"\b(?:{before})\s+{_FIGURE}\b",  # "killing at least 20"
        "number_first": rf"\b{_FIGURE}{_GAP}(?:(?:were|was|had\s+been|have\s+been|are|is)\s+)?"
                        rf"(?:\w+ly\s+)?(?:{after})\b",  # "more than 70 people were killed"
        "leaving": rf"\b(?:leaving|left|shot|shooting)\s+{_FIGURE}{_GAP}(?:\w+ly\s+)?"
                   rf"(?:{after})\b",
    }
    if harm == "killed":  # "revised the death toll of the 4 March attack to 63"
        found["toll"] = (rf"\b(?:toll\b[^.;]{{0,120}}?\b(?:to|at|reached|was)|(?:put|puts|"
                         rf"placed)\s+the\s+dead\s+at)\s+{_FIGURE}\b")
    return {name: re.compile(pattern, re.IGNORECASE) for name, pattern in found.items()}


_PATTERNS = {harm: _patterns(harm, after, before) for harm, (after, before) in _HARM.items()}
_NONE = {
    "killed": re.compile(r"\bno\s+(?:casualties|deaths|fatalities|one\s+was\s+killed)\b|"
                         r"\bnobody\s+was\s+killed\b|\bno\s+one\s+was\s+(?:hurt|harmed)\b",
                         re.IGNORECASE),
    "injured": re.compile(r"\bno\s+(?:casualties|injuries|one\s+was\s+(?:hurt|injured))\b",
                          re.IGNORECASE),
}


_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
# Numbers that belong to dates: "13 January", "Jan. 13", "2016", "2016-01-13".
_DATE_NUMBERS = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_WORD})\b\.?|"
    rf"\b(?:{_MONTH_WORD})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b(?:19|20)\d\d(?:-\d\d){{0,2}}\b",
    re.IGNORECASE)
_ANY_HARM = re.compile(rf"\b(?:{_HARM_WORDS}|shot|gunned|massacred|executed|beheaded|toll|"
                       r"casualties|nobody|no\s+one)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    """A stated number of people killed or injured."""

    value: int
    qualifier: str  # exact, at_least, about, more_than, up_to
    start: int
    end: int


def casualties(text: str) -> dict[str, Figure | None]:
    """The first stated figure for "killed" and for "injured" in `text`.

    Dates are blanked first: the 13 of "on 13 January, seven were killed" is no toll.
    """
    if not _ANY_HARM.search(text):
        return {harm: None for harm in _PATTERNS}
    text = _without_dates(text)
    return {harm: _first(text, harm) for harm in _PATTERNS}


def _without_dates(text: str) -> str:
    """`text` with the numbers of its dates written over (same length, so offsets hold)."""
    return _DATE_NUMBERS.sub(lambda m: "#" * len(m.group()), text)


def _first(text: str, harm: str) -> Figure | None:
    none = _NONE[harm].search(text)
    if none:  # "no one was killed or injured": not one killed
        text = text[:none.start()] + "#" * (none.end() - none.start()) + text[none.end():]
    found = []
    after_verb = re.compile(rf"\s+{_FIGURE}\b", re.IGNORECASE)
    for name, pattern in _PATTERNS[harm].items():
        for m in pattern.finditer(text):
            value = number(m.group("num"))
            if value is None or value > MAX_FIGURE:
                continue
            if name == "number_first" and after_verb.match(text, m.end()):
                continue  # "two explosions killed 23": the number after the verb is the toll
            vague = m.group("num").lower() in _VAGUE
            qualifier = "at_least" if vague else QUALIFIER_WORDS.get(
                " ".join((m.group("qual") or "").lower().split()), "exact")
            found.append(Figure(value, qualifier, m.start("num"), m.end("num")))
            break
    if found:
        return min(found, key=lambda f: f.start)
    if harm == "killed":
        counted = _people_killed(text)
        if counted:
            return counted
    return Figure(0, "exact", none.start(), none.end()) if none else None


_NAME = r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+"
_VERB = r"(?:shot\s+dead|killed|assassinated|gunned\s+down|beheaded|executed)"
# Victims told one by one: "shot dead Manmohan Singh", "Satnam Singh ... was shot dead",
# "a Sikh worshipper and a Taliban guard were killed".
_ONE = re.compile(rf"\b{_VERB}\s+(?:[a-z]+\s+){{0,3}}?{_NAME}|^\s*{_NAME},[^.;]{{0,100}}?\bwas\s+"
                  rf"{_VERB}|\b(?i:a|an|one)\s+(?:[\w-]+\s+){{1,3}}?(?:was|has\s+been)\s+{_VERB}")
_TWO = re.compile(rf"\b(?i:a|an|one)\s+(?:[\w-]+\s+){{1,3}}?and\s+(?i:a|an|one)\s+"
                  rf"(?:[\w-]+\s+){{1,3}}?were\s+{_VERB}")


def _people_killed(text: str) -> Figure | None:
    two = _TWO.search(text)
    if two:
        return Figure(2, "exact", two.start(), two.end())
    one = _ONE.search(text)
    return Figure(1, "exact", one.start(), one.end()) if one else None


def number(word: str) -> int | None:
    """"1,200" -> 1200, "forty-two" -> 42, "a hundred" -> 100, "dozens" -> 24."""
    word = " ".join(word.lower().replace("-", " ").split())
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", word):
        return int(word.replace(",", ""))
    if word in _VAGUE or word in _FEW:
        return _VAGUE.get(word) or _FEW[word]
    if "hundred" in word:
        head, _, tail = word.partition("hundred")
        hundreds = ({"": 1, "a": 1} | _UNITS).get(head.strip(), 0)
        rest = tail.strip().removeprefix("and").strip()
        return 100 * hundreds + (number(rest) or 0) if hundreds else None
    parts = word.split()
    if parts and parts[0] in _TENS:
        return _TENS[parts[0]] + (_UNITS.get(parts[1], 0) if len(parts) > 1 else 0)
    return _UNITS.get(word)
