"""Events as incident records of the contract: type, toll, claim, actor, target and place.

Each event takes the finest place its own words name; failing that the
place its paragraph was about, then the one the title names, marked as
approximate (geo_precision 2 at best). An event named in several provinces
in one breath ("in Jowzjan and Sar-i-Pul provinces") becomes one record per
province, since a point stands in only one. An event told twice (a headline
and the body) is one record.
"""

from __future__ import annotations

import re

from geo.extract import cues
from geo.extract.events import Event, told
from geo.extract.figures import Figure, casualties
from geo.extract.limits import Deadline
from geo.extract.places import Mention
from geo.extract.reading import Reading, best_place, finest
from geo.gazetteer import distance_km
from geo.records import extracted_id

# "students from Lahore's university", "fighters who defected from ...": where people
# came from is not where the event was.
ORIGIN = re.compile(r"\b(?:from|left|fled|roots\s+in|natives?\s+of|hail(?:s|ed)?\s+from|"
                    r"born\s+in|pointing\s+to|grew\s+up\s+in|raised\s+in)\s+(?:the\s+)?"
                    r"(?:[A-Z][\w-]+(?:'s|’s)\s+)?$",
                    re.IGNORECASE)
# "Logar province, where he is said to have grown up"
ORIGIN_AFTER = re.compile(r"[\w\s]{0,10},?\s+where\s+(?:he|she|they)\s+(?:\w+\s+){0,4}?"
                          r"(?:grown|grew|born|raised|lived)\b", re.IGNORECASE)
# "three days after the Kabul bombing": a place naming another event.
OTHER_EVENT = re.compile(r"(?:'s|’s)?\s+(?:suicide\s+)?(?:bombing|attack|blast|massacre|"
                         r"explosion|siege|assault)s?\b", re.IGNORECASE)
# "the Nangarhar governor's office announced", "Kabul refused": an institution or a
# government speaking, not where it happened.
INSTITUTION = re.compile(r"^(?:'s|’s)?\s+(?:provincial\s+)?(?:governor|police|officials?|"
                         r"authorities|government|administration|council|spokes(?:man|person))\b|"
                         r"^\s+(?:has\s+|had\s+)?(?:said|says|refused|denied|confirmed|announced|"
                         r"insisted|accused|blamed|rejected|asked|demanded|warned|claimed)\b",
                         re.IGNORECASE)
_SAME_PLACE_KM = 25.0
# "a second, separate bomb": the text says it is another event.
_ANOTHER = re.compile(r"\b(?:second|another|separate|further|third|fresh)\b", re.IGNORECASE)
_PLACE_COLUMNS = ("location", "place", "admin2", "country", "latitude", "longitude",
                  "geo_precision", "geonameid")


def incident_rows(reading: Reading, events: list[Event], source_id: str) -> list[dict]:
    """Contract rows for `events`, one event told twice merged into one."""
    group = _main_group(reading.text)
    rows = []
    for n, event in enumerate(events, start=1):
        reading.deadline.check(f"writing records, event {n} of {len(events)}")
        rows += _rows(reading, event, source_id, group)
    return _dedupe(rows, reading.deadline)


def _rows(reading: Reading, event: Event, source_id: str, main_group: str) -> list[dict]:
    own = reading.text[event.clause[0]:event.clause[1]]
    rest = " ".join(reading.words(i) for i in event.sentences[1:])
    everything = told(reading, event)
    kind = cues.event_type(everything, reading.words(event.first)) or "other"
    figures, later = casualties(own), casualties(rest)
    cells = _table_figures(reading, own)
    killed = figures["killed"] or later["killed"] or cells.get("killed")
    injured = figures["injured"] or later["injured"] or cells.get("injured")
    claimants = cues.claimants(everything)
    claim = _claim(everything, event.claim_hint, kind)
    if len(claimants) > 1 and claim == "claimed":
        claim = "disputed"  # two groups claimed the same attack
    actor = claimants[0] if claimants else (main_group if kind in cues.ATTACKS else "")
    start = reading.sentences[event.sentences[0]].start
    end = reading.sentences[event.sentences[-1]].end
    base = {
        "date_start": event.when.start.isoformat(), "date_end": event.when.end.isoformat(),
        "date_precision": event.when.precision, "event_type": kind,
        "fatalities": killed.value if killed else None,
        "fatalities_qualifier": killed.qualifier if killed else "",
        "injured": injured.value if injured else None,
        "injured_qualifier": injured.qualifier if injured else "",
        "target": "" if kind in cues.AGAINST_THE_GROUP else _target(everything),
        "actor": actor, "assoc_actors": ";".join(claimants[1:]), "claim_status": claim,
        "source_id": source_id, "source_file": reading.doc.name,
        "cited_sources": "; ".join(event.cited),
        "summary": " ".join(reading.text[start:end].split()),
        "quote_start": start, "quote_end": end,
        "_headline": reading.sentences[event.first].headline,
    }
    rows = []
    for mention, approximate in _places(reading, event, kind):
        row = dict(base, **_place_columns(mention, approximate))
        if mention is None:
            row["country"] = _country(reading, everything)
        # From the words, not their offsets: an edit elsewhere in the file keeps the id.
        row["event_id"] = extracted_id("incidents", {**row, "clause": " ".join(own.split())})
        rows.append(row)
    return rows


_COLUMN_HARM = {"killed": "killed", "dead": "killed", "deaths": "killed",
                "fatalities": "killed", "wounded": "injured", "injured": "injured"}
_CELL = re.compile(r"^\s*(?P<num>\d[\d,]*)\s*(?P<plus>\+)?\s*$")


def _table_figures(reading: Reading, row: str) -> dict[str, Figure]:
    """Tolls from a timeline row's "killed"/"wounded" cells: "170+" is more than 170."""
    columns = reading.doc.columns
    cells = row.split("|")
    if not columns or len(cells) != len(columns):
        return {}
    found = {}
    for name, cell in zip(columns, cells, strict=True):
        m = _CELL.match(cell)
        if name in _COLUMN_HARM and m:
            found[_COLUMN_HARM[name]] = Figure(int(m.group("num").replace(",", "")),
                                               "more_than" if m.group("plus") else "exact", 0, 0)
    return found


def _places(reading: Reading, event: Event, kind: str) -> list[tuple[Mention | None, bool]]:
    """The event's place (approximate when borrowed), or one per province it names together.

    Provinces named together count from the opening clause, and from a later
    sentence that tells the same kind of event ("... recruited fighters in
    Jowzjan and Sar-i-Pul provinces"), not from one that only adds colour.
    """
    mentions = [m for m in event.places
                if not ORIGIN.search(reading.text[max(0, m.start - 30):m.start])
                and not OTHER_EVENT.match(reading.text[m.end:m.end + 30])
                and not ORIGIN_AFTER.match(reading.text[m.end:m.end + 60])
                and not INSTITUTION.match(reading.text[m.end:m.end + 40])]
    if not mentions:
        return [(event.fallback, True)]
    best = best_place(mentions)
    provinces = {best.place.admin1}
    same_kind = [i for i in event.sentences[1:] if cues.event_type(reading.words(i)) == kind]
    telling = [m for m in mentions if event.clause[0] <= m.start < event.clause[1]
               or any(reading.sentences[i].start <= m.start < reading.sentences[i].end
                      for i in same_kind)]
    for group in {m.group for m in telling}:
        named = {m.place.admin1 for m in telling if m.group == group}
        if len(named) > 1:
            provinces |= named
    if len(provinces) == 1:
        return [(best, False)]
    first_named = {p: min(m.start for m in mentions if m.place.admin1 == p) for p in provinces}
    return [(finest([m for m in mentions if m.place.admin1 == p]), False)
            for p in sorted(provinces, key=first_named.get)]


def _place_columns(mention: Mention | None, approximate: bool) -> dict:
    if mention is None:
        return {"location": "", "place": "", "admin2": "", "admin1": "", "country": "",
                "latitude": None, "longitude": None, "geo_precision": None, "geonameid": None}
    p = mention.place
    return {
        "location": mention.text, "place": p.name, "admin2": p.admin2, "admin1": "",
        "country": p.country, "latitude": p.latitude, "longitude": p.longitude,
        "geo_precision": max(p.geo_precision, 2) if approximate else p.geo_precision,
        "geonameid": p.geonameid,
    }


# "The Kremlin nevertheless blamed Ukraine", "the Government blamed the Taliban": another
# party named for an attack the group claimed.
_BLAMED_OTHER = re.compile(
    r"\b(?:blamed|accused)\s+(?!(?:the\s+)?(?:group|Islamic\s+State|IS\b|ISIS|ISIL|ISKP|IS-K|"
    r"ISIS-K|ISIL-K|Daesh|militants|jihadists|it\b|its\b|them\b))(?:the\s+)?[A-Z]|"
    r"\b(?:insist\w*|maintain\w*|argu\w*)\s+that\s+(?!the\s+group|Islamic|IS\b|ISKP)[A-Z]\w+"
    r"[^.;]{0,50}\b(?:was|were)\s+behind\b")


def _claim(text: str, hint: str | None, kind: str) -> str:
    """What the text says of responsibility; unsaid, an attack is the group's by attribution."""
    said = {label for label, pattern in cues.CLAIM_CUES if pattern.search(text)}
    if "unclaimed" in said:
        # Nobody claimed it: a denial alone disputes nothing, others' blame attributes it,
        # and both together leave it disputed.
        if "attributed" in said:
            return "disputed" if "disputed" in said else "attributed"
        return "unclaimed" if hint in (None, "unclaimed") else hint
    first = next((label for label, _ in cues.CLAIM_CUES if label in said), None)
    found = [label for label in (first, hint) if label]
    if "claimed" in found and _BLAMED_OTHER.search(text):
        return "disputed"  # claimed by the group, while a government blames someone else
    if found:
        return min(found, key=cues.CLAIM_PRECEDENCE.index)
    return "n/a" if kind in cues.AGAINST_THE_GROUP else "attributed"


def _target(text: str) -> str:
    return cues.first_label(cues.TARGET_CUES, text) or ""


def _main_group(text: str) -> str:
    """The group the document is about: ISKP when it names it, else the one named most."""
    counts = {name: len(pattern.findall(text)) for name, pattern in cues.GROUP_PATTERNS}
    if counts["ISKP"]:
        return "ISKP"
    best = max(counts, key=counts.get)
    return best if counts[best] else ""


def _country(reading: Reading, text: str) -> str:
    """The one country an unplaced event's words name, so its record can say so."""
    lowered = text.lower()
    named = {code for key, code in reading.finder.country_names.items()
             if code in reading.finder.countries_named and re.search(rf"\b{re.escape(key)}\b",
                                                                     lowered)}
    return named.pop() if len(named) == 1 else ""


def _dedupe(rows: list[dict], deadline: Deadline) -> list[dict]:
    """One record per event: a headline and the body's account of it merge.

    Each row is compared with every one kept before it, so `deadline` is checked per row.
    """
    kept: list[dict] = []
    for n, row in enumerate(rows, start=1):
        deadline.check(f"merging records, {n} of {len(rows)}")
        twin = next((k for k in kept if _same_event(k, row)), None)
        if twin is None:
            kept.append(row)
        else:
            _merge(twin, row)
    seen: dict[str, int] = {}
    for row in kept:
        row.pop("_headline")
        n = seen[row["event_id"]] = seen.get(row["event_id"], 0) + 1
        if n > 1:  # the same words opening two events: keep both, apart
            row["event_id"] = f"{row['event_id']}-{n}"
    return kept


def _same_event(a: dict, b: dict) -> bool:
    headline = a["_headline"] or b["_headline"]  # a headline names an attack loosely
    attacks = {a["event_type"], b["event_type"]} <= set(cues.ATTACKS)
    if a["event_type"] != b["event_type"] and not (headline and attacks):
        return False
    if a["date_start"] > b["date_end"] or b["date_start"] > a["date_end"]:
        return False
    if None not in (a["fatalities"], b["fatalities"]) and a["fatalities"] != b["fatalities"]:
        return False
    if a["latitude"] is None and b["latitude"] is None:
        return a["summary"] == b["summary"]  # the same words twice (a repeated headline)
    if a["latitude"] is None or b["latitude"] is None:
        return headline
    if not headline and (a["date_precision"] != "day" or (a["date_start"], a["date_end"]) != (
            b["date_start"], b["date_end"]) or _ANOTHER.search(b["summary"])):
        return False  # two body accounts merge only when they name the same day
    return a["place"] == b["place"] or distance_km(
        (a["latitude"], a["longitude"]), (b["latitude"], b["longitude"])) <= _SAME_PLACE_KM


def _merge(twin: dict, row: dict) -> None:
    """Fill what the first account lacks from the second; keep the narrower dates."""
    if twin["_headline"] and not row["_headline"]:
        twin["event_type"], twin["_headline"] = row["event_type"], False
    if twin["latitude"] is None and row["latitude"] is not None:
        twin.update({c: row[c] for c in _PLACE_COLUMNS})
    for column in ("fatalities", "fatalities_qualifier", "injured", "injured_qualifier",
                   "target", "actor", "cited_sources"):
        if twin[column] in (None, "") and row[column] not in (None, ""):
            twin[column] = row[column]
    twin["claim_status"] = min(twin["claim_status"], row["claim_status"],
                               key=cues.CLAIM_PRECEDENCE.index)
    start, end = max(twin["date_start"], row["date_start"]), min(twin["date_end"], row["date_end"])
    if (start, end) != (twin["date_start"], twin["date_end"]):
        narrower = row if (row["date_start"], row["date_end"]) == (start, end) else None
        precision = narrower["date_precision"] if narrower else "day" if start == end else \
            twin["date_precision"]
        twin.update(date_start=start, date_end=end, date_precision=precision)
