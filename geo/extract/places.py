"""Place names in running text, resolved through the gazetteer with the document's context.

A place is looked for in runs of capitalised words ("Chapa Dara", "Dasht-e-Barchi",
"Quetta's"), with the level word written after it ("Mastung district", "the
villages of Moghul and Sar Dara"). Runs that name a person ("Haji Daud
Mehsud"), an organisation ("Balochistan Awami Party") or a report ("Express
Tribune") are not places even when a word in them is; a venue keeps the town
it is named for ("Kabul University" -> Kabul). Countries are noted as context,
never returned as places: an event "in Pakistan" has no point worth drawing.

Names the gazetteer matches only in a country the document does not name are
dropped ("Dubai City hall" in a Kabul report is not a town in India). Towns of
any country are found when the document names the country ("Russia", "the
Russian capital") or the town is large and its name is its own (Istanbul,
Cologne); such a town's country then counts as named, so "Krasnogorsk, outside
Moscow" finds Krasnogorsk in Russia.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from geo.gazetteer import FOCUS, Candidate, Context, Gazetteer, Place
from geo.names import normalize

_WORD = r"[A-Z][\w’'.]*(?:-[\w’']+)*"
_RUN = re.compile(rf"(?<![\w-]){_WORD}(?:[ \u00a0](?:(?:e|i|al|ul|ud|de|wa)[ \u00a0])?{_WORD})*")
_LEVEL_AFTER = re.compile(
    r"[ \u00a0]+(?P<level>districts?|provinces?|villages?|valley|city|town|area|agency|"
    r"agencies|neighbou?rhood|tehsil|region)\b", re.IGNORECASE)
_LEVEL_BEFORE = re.compile(
    r"\b(?P<level>districts?|provinces?|villages?|valleys?|towns?|cities|agencies)\s+of\s+"
    r"(?:the\s+)?$", re.IGNORECASE)
_COORDINATED = re.compile(r"^(?:,\s*|\s+and\s+|,\s+and\s+|\s*&\s*)(?:in\s+)?(?:the\s+)?$")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")

# Adjectives and other names of countries outside the focus that reports use for them.
_COUNTRY_WORDS = {
    "russian": "RU", "russian federation": "RU", "iranian": "IR", "islamic republic of iran":
    "IR", "turkish": "TR", "türkiye": "TR", "turkiye": "TR", "german": "DE", "austrian": "AT",
    "tajik": "TJ", "tajikistani": "TJ", "uzbek": "UZ", "uzbekistani": "UZ", "dutch": "NL",
    "the netherlands": "NL", "belgian": "BE", "swedish": "SE", "kyrgyz": "KG", "turkmen": "TM",
    "dagestani": "RU", "chechen": "RU",
}
_COUNTRY_WORD = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, _COUNTRY_WORDS), key=len,
                                                       reverse=True)) + r")\b", re.IGNORECASE)
# Capitalised words that are never part of a place name.
STOP = {
    "the", "a", "an", "in", "on", "at", "of", "and", "or", "but", "for", "to", "from", "by",
    "with", "as", "after", "before", "since", "during", "when", "while", "although", "though",
    "if", "it", "its", "he", "she", "they", "we", "this", "that", "these", "those", "there",
    "their", "his", "her", "our", "both", "all", "some", "many", "most", "more", "one", "two",
    "earlier", "later", "meanwhile", "however", "separately", "similarly", "outside", "inside",
    "near", "also", "even", "only", "over", "under", "between", "across", "according",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "eid", "ramadan", "christmas", "easter", "nowruz",
    "muharram", "ashura",
    "god", "allah", "prophet", "islam", "islamic", "muslim", "muslims", "shia", "shias",
    "sunni", "sunnis", "sufi", "sufis", "christian", "christians", "sikh", "sikhs", "hindu",
    "hazara", "hazaras", "pashtun", "pashtuns", "tajik", "tajiks", "uzbek", "uzbeks",
    "afghan", "afghans", "pakistani", "pakistanis", "american", "us", "un", "nato",
    "western", "eastern", "northern", "southern", "central", "north", "south", "east", "west",
    "old", "new", "great", "upper", "lower",
}
# Words of headline English: a run of capitalised words is cut at them ("Kabul Under Fire").
HEADLINE_WORDS = {
    "under", "over", "after", "against", "amid", "into", "onto", "upon", "inside", "beyond",
    "fire", "attack", "attacks", "war", "wars", "campaign", "battle", "battles", "blast",
    "blasts", "bombing", "bombings", "claims", "crisis", "deadly", "death", "deaths", "fear",
    "fears", "fight", "fighting", "gains", "ground", "hit", "hits", "rise", "rising", "siege",
    "strike", "strikes", "surge", "terror", "threat", "toll", "urban", "violence", "again",
    "returns", "return", "comes", "back", "why", "how", "what", "who", "where", "is", "are",
    "was", "were", "its", "says", "said", "killed", "kills", "dead", "wounded", "hundreds",
    "dozens", "scores", "target", "targets", "targeted", "suicide", "bomber", "bombers",
    "militants", "fighters", "insurgents", "shadow", "shadows", "front", "line", "lines",
}
# A run holding one of these names a person: no place in it.
PERSON = {
    "mullah", "mulla", "haji", "hajji", "qari", "maulvi", "maulana", "mawlawi", "sheikh",
    "shaikh", "hafiz", "abu", "abdul", "abdel", "mohammad", "muhammad", "mohammed", "ahmad",
    "mr", "mrs", "ms", "dr", "president", "general", "gen", "governor", "commander", "imam",
    "amir", "emir", "minister", "spokesman", "spokesperson", "chief", "colonel", "captain",
    "leader", "ustad", "ustaz", "engineer", "sayed", "syed", "sardar", "malik", "khan",
}
# A run holding one of these names an organisation, a publication or an event.
ORGANISATION = {
    "state", "party", "movement", "front", "agency", "news", "press", "times", "tribune",
    "today", "post", "monitor", "intelligence", "division", "brigade", "army", "corps",
    "force", "forces", "group", "network", "council", "shura", "taliban", "taleban",
    "lashkar", "jaish", "tehrik", "jamaat", "jamiat", "sipah", "daesh", "khorasan",
    "khurasan", "publication", "dossier", "analysts", "foundation", "institute", "ministry",
    "department", "commission", "committee", "tv", "radio", "channel", "express", "dawn",
    "pajhwok", "tolo", "tolonews", "reuters", "afp", "bbc", "associated", "voice", "nation",
    "children", "cross", "crescent", "nations", "union", "program", "programme", "operation",
    "line", "world", "war",
}
# A run ending in one of these names a venue: the place is the words before it. (Not
# "Road": Charsadda Road runs through Peshawar, towards Charsadda.)
VENUE = {
    "university", "college", "hospital", "airport", "hotel", "mosque", "shrine", "market",
    "bazaar", "square", "stadium", "embassy", "consulate", "club", "school",
    "academy", "prison", "jail", "bridge", "gate", "park", "hall", "center", "centre",
    "cantonment", "church", "compound", "camp", "base", "palace", "office", "cemetery",
    "polytechnic",
}
_ACRONYM = re.compile(r"^[A-Z]{2,5}$")


@dataclass(frozen=True)
class Mention:
    """A place named in the text: the words as written, where, and what they resolve to."""

    text: str
    start: int
    end: int
    place: Place
    group: tuple[int, int]  # (sentence, n): names joined by "and" or commas share one


@dataclass(frozen=True)
class Name:
    """A capitalised name in the text, not yet looked up."""

    query: str  # what to look up, with the level word: "Mastung district"
    text: str  # as written
    start: int
    end: int
    group: tuple[int, int]
    initial: bool  # the name opens its sentence
    person: bool = False  # holds a title or personal name: only an exact place name will do


def find_mentions(text: str, start: int, end: int, sentence: int = 0,
                  common: frozenset[str] = frozenset()) -> list[Name]:
    """Candidate place names in text[start:end], not yet looked up.

    `common` holds words the document writes in lower case: a capitalised
    run is cut at them, so a headline's "Kabul Under Fire" gives "Kabul".
    Names joined by "and" or commas share a `group`, and share the level
    word written after the last of them ("Achin, Nazyan and Deh Bala districts").
    """
    found: list[Name] = []
    group, last_end, pending_level = 0, None, None
    for run, run_start in _runs(text, start, end, common | HEADLINE_WORDS):
        words, s = _trim(run, run_start)
        if not words:
            continue
        lowered = {w.lower().strip(".’'") for w in words.split()}
        if lowered & ORGANISATION:
            last_end = None
            continue
        person = bool(lowered & PERSON)  # "Haji Daud Mehsud", but also "Imam Sahib" district
        query = _POSSESSIVE.sub("", words)
        e = s + len(query)
        level = None if query != words else _LEVEL_AFTER.match(text, e, end)
        shown_end = level.end() if level else e
        coordinated = last_end is not None and _COORDINATED.match(text[last_end:s] or " x")
        if not coordinated:
            group += 1
            before = _LEVEL_BEFORE.search(text, max(start, s - 40), s)
            pending_level = before.group("level") if before else None
        hint = (level.group("level") if level else None) or pending_level
        if hint:
            query = f"{query} {_singular(hint)}"
        if level and coordinated:
            found = [_with_hint(n, level.group("level")) if n.group == (sentence, group) else n
                     for n in found]
        initial = not text[start:s].strip() or bool(re.search(r"[.!?:]\s*$", text[start:s]))
        found.append(Name(query, text[s:shown_end], s, shown_end, (sentence, group), initial,
                          person))
        last_end = shown_end
    return found


def _runs(text: str, start: int, end: int, common: frozenset[str]):
    """(words, offset) of each run of capitalised words, cut at common words and after
    a possessive ("Quetta's Jinnah Town" gives "Quetta's" and "Jinnah Town")."""
    for m in _RUN.finditer(text, start, end):
        piece: list[str] = []
        piece_start = m.start()
        for w in re.finditer(r"\S+", m.group()):
            word, at = w.group(), m.start() + w.start()
            if word.lower() in common and piece:
                yield " ".join(piece), piece_start
                piece = []
            if word.lower() not in common:
                if not piece:
                    piece_start = at
                piece.append(word)
            if _POSSESSIVE.search(word) and piece:
                yield " ".join(piece), piece_start
                piece = []
        if piece:
            yield " ".join(piece), piece_start


def _singular(level: str) -> str:
    level = level.lower()
    return {"agencies": "agency", "cities": "city"}.get(level, level.rstrip("s"))


def _with_hint(name: Name, level: str) -> Name:
    if normalize(name.query)[1]:
        return name
    return replace(name, query=f"{name.query} {_singular(level)}")


def _trim(words: str, start: int) -> tuple[str, int]:
    """Drop stop words from both ends of a run of capitalised words."""
    parts = words.split()
    while parts and parts[0].lower().strip(".’'") in STOP:
        start += len(parts[0]) + 1
        parts = parts[1:]
        while parts and not parts[0][:1].isupper():
            start += len(parts[0]) + 1
            parts = parts[1:]
    while parts and (parts[-1].lower().strip(".’'") in STOP or not parts[-1][:1].isupper()):
        parts = parts[:-1]
    text = " ".join(parts)
    return text.rstrip("."), start


class PlaceFinder:
    """Resolves a document's place names, each name once, with the document's context."""

    def __init__(self, gazetteer: Gazetteer, text: str):
        self.gazetteer = gazetteer
        self._text = text
        self._lowercase = set(re.findall(r"\b[a-z][a-z'’-]+\b", text))
        self.country_names = gazetteer.country_names
        self.countries_named: set[str] = {_COUNTRY_WORDS[m.group().lower()]
                                          for m in _COUNTRY_WORD.finditer(text)}
        self._found: dict[tuple[str, bool], list[Candidate]] = {}
        self._countries_mostly: set[str] = set(FOCUS)
        self._context = Context()

    def prepare(self, names: list[Name]) -> None:
        """Look every name up once, then set the context from the unambiguous ones."""
        for name in names:
            for query in _queries(name):
                key = normalize(query)[0]
                if key in self.country_names:
                    self.countries_named.add(self.country_names[key])
        named_before = set(self.countries_named)
        for name in names:  # "outside Moscow": Russia is named too
            if not name.person and not _exact(self._candidates(name, world=False)):
                town = self._world_city(name)
                if town is not None:
                    self.countries_named.add(town.place.country)
        if self.countries_named != named_before:
            self._found.clear()  # looked up again with every country the text names
        confident = []
        for name in names:
            found = self._candidates(name)
            sure = len(found) == 1 or (len(found) > 1 and found[0].score - found[1].score >= 0.1)
            if sure and found[0].matched == "name":
                confident.append(found[0].place)
        counts: dict[str, int] = {}
        for place in confident:
            counts[place.country] = counts.get(place.country, 0) + 1
        top = max(counts.values(), default=0)
        self._countries_mostly = {c for c, n in counts.items() if n * 3 >= top} or set(FOCUS)
        if confident:
            lat = sum(p.latitude for p in confident) / len(confident)
            lon = sum(p.longitude for p in confident) / len(confident)
            self._context = Context(frozenset(p.admin1 for p in confident if p.admin1),
                                    (lat, lon))

    def resolve(self, name: Name, within: str | None = None) -> Mention | None:
        """The place `name` names (in province `within`, if given), or None when it
        names none we can trust."""
        found = self._candidates(name)
        if within is not None:
            found = [c for c in found if c.place.admin1 == within]
        if not found:
            return None
        ranked = self.gazetteer.in_context(found, self._context)
        best = ranked[0]
        if best.place.country not in self._countries_mostly:
            # Jalalabad in India only in a story mostly about India.
            best = next((c for c in ranked if c.place.country in self._countries_mostly), best)
        if best.matched != "name" and best.place.country in FOCUS and self._far(best.place):
            return None  # "Deh Mazang" is also a name of a town in Laghman: not in a Kabul story
        return Mention(name.text, name.start, name.end, best.place, name.group)

    def _far(self, place: Place) -> bool:
        """A GeoNames town known by another name, in a province the document never names."""
        return (place.kind == "town" and not place.curated and bool(self._context.provinces)
                and place.admin1 not in self._context.provinces)

    def _world_city(self, name: Name) -> Candidate | None:
        query = name.query
        key = normalize(query)[0]
        if not key or key in self.country_names or key in _COUNTRY_WORDS or (
                name.initial and " " not in key and key in self._lowercase):
            return None
        found = self.gazetteer.world_city(query)
        if found is None or not _known_abroad(found, query):
            return None
        after = self._text[name.end:name.end + 40]
        if _GOVERNMENT.match(after) or _NAMED_FOR.match(after):
            return None  # "Beijing reported", "the Dubai City hall": not where it happened
        return found

    def _candidates(self, name: Name, world: bool = True) -> list[Candidate]:
        if name.person:
            key = (f"person:{name.query}", name.initial)
            if key not in self._found:
                self._found[key] = [c for c in self._lookup(name.query, name.initial)
                                    if c.matched == "name" and c.place.kind != "town"]
            return self._found[key]
        for query in _queries(name):
            key = (query, name.initial)
            if key not in self._found:
                self._found[key] = self._lookup(query, name.initial)
            found = self._found[key]
            if found:
                break
        else:
            found = []
        # A town of the focus by this very name wins over any city abroad: don't look.
        here = any(c.place.country in FOCUS and c.matched != "skeleton" for c in found)
        town = self._world_city(name) if world and not here else None
        if town is not None and town.matched == "name":
            if not _exact(found):  # Kerman itself, not a village spelt like it
                return [town]
            if all(c.place.geonameid == town.place.geonameid or (c.place.country not in FOCUS
                   and c.place.population * 10 <= town.place.population) for c in found):
                return [town]  # Vienna, not Vienna in Virginia, when both countries are named
        return found

    def _lookup(self, query: str, initial: bool) -> list[Candidate]:
        key, _ = normalize(query)
        if not key or key in self.country_names or key in _COUNTRY_WORDS:
            return []
        single = " " not in key
        if initial and single and key in self._lowercase:
            return []  # a common word that opens a sentence, not a name
        allowed = set(FOCUS) | self.countries_named
        found = {id(c.place): c for c in self.gazetteer.candidates(query)}
        for country in sorted(self.countries_named - set(FOCUS)):  # loads its towns
            found.update((id(c.place), c) for c in self.gazetteer.candidates(query, country))
        return sorted((c for c in found.values()
                       if c.place.country in allowed and not (c.matched == "skeleton" and initial)
                       and (c.place.country in FOCUS or _known_abroad(c, query))),
                      key=lambda c: (-c.score, c.place.name, c.place.latitude,
                                     c.place.longitude))


# "Washington has since admitted": a capital standing for its government.
_GOVERNMENT = re.compile(r"\s+(?:has|have|had|is|was|said|says|reported|admitted|blamed|"
                         r"condemned|denied|accused|warned|announced|insisted|responded|urged|"
                         r"rejected|confirmed|sent|summoned|vowed)\b")
# "the Dubai City hall": a venue named for a town elsewhere.
_NAMED_FOR = re.compile(r"\s+(?:" + "|".join(sorted(VENUE)) + r"|wedding)s?\b", re.IGNORECASE)


# A town abroad this large has its English name among its alternates (Termez for Tirmiz).
_KNOWN_BY_ENGLISH_NAME = 100_000


def _known_abroad(candidate: Candidate, query: str) -> bool:
    """A town outside the focus by its own name, or a large one by its English name
    (Cologne), never by an acronym or a spelling like it ("ISK-P" is not Portland)."""
    if candidate.matched == "skeleton" or _ACRONYM.match(query.split("-")[0]) \
            or len(normalize(query)[0]) < 4:
        return False
    return candidate.matched == "name" or candidate.place.population >= _KNOWN_BY_ENGLISH_NAME


def _exact(found: list[Candidate]) -> bool:
    """Whether a candidate has the name itself, not only a spelling like it."""
    return any(c.matched != "skeleton" for c in found)


def _queries(name: Name) -> list[str]:
    """What to look up for a run: all of it, then the town a venue or a unit is named for."""
    words = name.query.split()
    queries = [name.query]
    if len(words) > 1 and words[-1].lower() in VENUE:
        queries.append(" ".join(words[:-1]))
    for i, word in enumerate(words):
        if "-" in word:
            head, _, tail = word.partition("-")
            if _ACRONYM.match(head) and tail[:1].isupper():
                queries.append(" ".join([*words[:i], tail, *words[i + 1:]]))
    return queries
