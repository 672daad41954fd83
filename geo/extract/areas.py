"""Areas the text says the group holds, is based in, trains in or is active in.

A clause with an area cue ("the ISK-P-controlled districts of Darzab and Qosh
Tepa", "training centers in the villages of Moghul and Sar Dara", "remain
active in Karachi") gives one area per place it names, less the provinces
that only say where those places are and the places people came from. An
area is dated by the clause, its cited report, the headline's date, the
publication when told in the present tense, the paragraph's last date, or
else the publication: the text reports it held as of then. "Driven out of
their strongholds ... in late 2019" ends it.
"""

from __future__ import annotations

import itertools
import re

from geo.extract import cues
from geo.extract.dates import When
from geo.extract.incidents import ORIGIN
from geo.extract.places import Mention
from geo.extract.reading import Reading
from geo.records import extracted_id

_CLAUSE = re.compile(r";|,\s+(?:and|but|while)\s+|\s+but\s+")
# "Recruiters remain active in Karachi": told as now, so as of publication.
_PRESENT = re.compile(r"\b(?:is|are|remains?|has|have|controls|holds|operates|still)\b",
                      re.IGNORECASE)


def area_rows(reading: Reading, source_id: str) -> tuple[list[dict], list[str]]:
    """Contract rows for the areas of a document, and notes on any that could not be dated."""
    rows: dict[tuple, dict] = {}
    notes: list[str] = []
    paragraph_when = {}
    for i, s in enumerate(reading.sentences):
        reading.deadline.check(f"reading areas, sentence {i + 1} of {len(reading.sentences)}")
        if s.metadata:
            continue
        resolved = [d for d in reading.resolved_dates(i, None) if d.when is not None]
        dates = [d.when for d in resolved]
        if dates:
            paragraph_when[s.paragraph] = dates[-1]
        opened: list[dict] = []  # areas this sentence opened, which a later clause may end
        for start, end in _clauses(reading, i):
            words = reading.text[start:end]
            ended = bool(cues.AREA_LOST.search(words))
            status = cues.first_label(cues.AREA_CUES, words) or ("control" if ended else None)
            if cues.AREA_OTHERS.search(words) and not ended:
                continue  # "after the Taliban seized Kabul": held by others
            places = _held([m for m in reading.places[i] if start <= m.start < end
                            and not ORIGIN.search(reading.text[start:m.start])])
            if ended and not places and opened:
                # "Darzab fell to ISIL-K in 2017, and the group held the area until its
                # commanders surrendered in August 2018": the end of what it just opened
                own = [d.when for d in resolved if start <= d.mention.start < end] \
                    or dates[-1:]
                for row in opened:
                    if own and own[0].end.isoformat() >= row["date_start"]:
                        row["date_end"] = own[0].end.isoformat()
                continue
            if status is None or not places:
                continue
            now = reading.reference if _PRESENT.search(words) else None
            when = (dates[0] if dates else None) or reading.cited_when(i) or s.dated \
                or now or paragraph_when.get(s.paragraph) or reading.reference
            if when is None:
                notes.append(f"{reading.doc.name}: the area at offset {s.start} has no date "
                             "and the document none either (give --published)")
                continue
            for m in places:
                if ended and _end(rows, m, when):
                    continue  # "lost control of Achin in late 2019": the area held until then
                key = (m.place.name, m.place.country, status)
                if key in rows:
                    continue
                rows[key] = _area_row(reading, i, m, status, when, ended, source_id)
                opened.append(rows[key])
    return sorted(rows.values(), key=lambda r: (r["quote_start"], r["name"])), notes


def _area_row(reading: Reading, i: int, m: Mention, status: str, when: When, ended: bool,
              source_id: str) -> dict:
    """The contract row of the area at `m` that sentence `i` tells of, held from `when`."""
    s = reading.sentences[i]
    row = {
        "area_id": "",
        "name": m.place.name, "admin1": "", "country": m.place.country,
        "status": status, "date_start": when.start.isoformat(),
        "date_end": when.end.isoformat() if ended else "",
        "date_precision": when.precision,
        "latitude": m.place.latitude, "longitude": m.place.longitude,
        "geo_precision": m.place.geo_precision,
        "source_id": source_id, "source_file": reading.doc.name,
        "cited_sources": "; ".join(reading.cited_labels(i)),
        "summary": " ".join(reading.words(i).split()),
        "quote_start": s.start, "quote_end": s.end,
    }
    row["area_id"] = extracted_id("areas", row)
    return row


def _end(rows: dict[tuple, dict], mention: Mention, when) -> bool:
    """End the open areas already read at this place; False when there were none."""
    ended = False
    for (name, country, _), row in rows.items():
        if (name, country) == (mention.place.name, mention.place.country) and \
                not row["date_end"] and row["date_start"] <= when.end.isoformat():
            row["date_end"] = when.end.isoformat()
            ended = True
    return ended


def _clauses(reading: Reading, i: int) -> list[tuple[int, int]]:
    s = reading.sentences[i]
    cuts = [s.start, *(m.start() for m in _CLAUSE.finditer(reading.text, s.start, s.end)), s.end]
    return list(itertools.pairwise(cuts))


def _held(mentions: list[Mention]) -> list[Mention]:
    """The places named as held, without the provinces that only locate them."""
    kept: list[Mention] = []
    for m in mentions:
        locates = any(o.place.admin1 == m.place.admin1
                      and o.place.geo_precision < m.place.geo_precision for o in mentions)
        if not locates and all(k.place != m.place for k in kept):
            kept.append(m)
    return kept
