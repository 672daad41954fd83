"""Records from documents: incidents and held areas, each with the sentence behind it.

`read_document` (documents.py) decodes and splits a file; `extract` (events.py)
reads it into contract rows with places already chosen from the gazetteer;
`extract_documents` does both for many files, keeps going past unreadable
ones, and returns tables ready for `geo.pipeline.place_records`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.extract.areas import area_rows
from geo.extract.dates import When, parse_when
from geo.extract.documents import Document, UnreadableDocument, read_document
from geo.extract.events import find_events
from geo.extract.incidents import incident_rows
from geo.extract.reading import Reading, iso
from geo.gazetteer import Gazetteer
from geo.records import table_from_rows
from geo.schema import column_names

__all__ = ["DocumentRecords", "Extraction", "UnreadableDocument", "extract", "extract_documents",
           "read_document"]


@dataclass
class DocumentRecords:
    """One document's records, as rows of the contract (dicts keyed by column)."""

    incidents: list[dict]
    areas: list[dict]
    notes: list[str]


def extract(doc: Document, gazetteer: Gazetteer, source_id: str) -> DocumentRecords:
    """Incidents and areas of one read document, with their places already chosen."""
    reading = Reading(doc, gazetteer)
    if doc.published is None and reading.reference is not None:
        doc.published, doc.published_from = reading.reference, "latest date in text"
    incidents = incident_rows(reading, find_events(reading), source_id)
    areas, notes = area_rows(reading, source_id)
    return DocumentRecords(incidents, areas, notes)


@dataclass
class Extraction:
    """Tables of the contract from a set of documents, and what could not be read."""

    incidents: pd.DataFrame
    areas: pd.DataFrame
    sources: pd.DataFrame
    failed: list[str] = field(default_factory=list)  # one message per unreadable file
    notes: list[str] = field(default_factory=list)
    left_out: pd.DataFrame | None = None  # extracted rows a review left out


def extract_documents(
    paths: Iterable[str | Path],
    gazetteer: Gazetteer,
    published: When | None = None,
    known_sources: Mapping[str, Mapping] | None = None,
    encoding: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Extraction:
    """Read each file and extract its records; an unreadable file is reported, not fatal.

    `known_sources` maps file names to rows of sources.csv: a document listed
    there keeps its source id and publication date. `published` dates every
    other document that states no date of its own.
    """
    paths = [Path(p) for p in paths]
    known = {row["file"]: row for row in (known_sources or {}).values()}
    incidents, areas, sources, failed, notes = [], [], [], [], []
    used_ids = {row["source_id"] for row in known.values()}  # never reuse a curated id
    for n, path in enumerate(paths, start=1):
        if progress:
            progress(n, len(paths), str(path))
        try:
            doc = read_document(path, encoding)
        except UnreadableDocument as err:
            failed.append(str(err))
            continue
        listed = known.get(doc.name)
        if listed:
            doc.published = parse_when(str(listed["published"])) or doc.published
            doc.published_from = "sources.csv"
        elif published is not None and doc.published is None:
            doc.published, doc.published_from = published, "given"
        source_id = listed["source_id"] if listed else _source_id(doc, used_ids)
        used_ids.add(source_id)
        try:
            found = extract(doc, gazetteer, source_id)
        except Exception as err:  # one document's fault must not cost the others
            failed.append(f"{path}: could not be extracted ({type(err).__name__}: {err}); "
                          "please report this with the file")
            continue
        incidents += found.incidents
        areas += found.areas
        notes += found.notes
        if doc.published_from == "latest date in text":
            notes.append(f"{doc.name}: no publication date in the text; dates without a year "
                         f"were read against {doc.published.end} (give --published)")
        if doc.published is None and not (found.incidents or found.areas):
            notes.append(f"{doc.name}: no date anywhere in it, so no record could be dated")
        sources.append(dict(listed) if listed else _source_row(doc, source_id))
    return Extraction(_table(incidents, "incidents"), _table(areas, "areas"),
                      pd.DataFrame(sources, columns=column_names("sources")), failed, notes)


def _source_id(doc: Document, used: set[str]) -> str:
    """A readable id from the file name, made unique within the run."""
    base = re.sub(r"[^a-z0-9]+", "-", Path(doc.name).stem.lower()).strip("-") or "document"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _source_row(doc: Document, source_id: str) -> dict:
    """The sources.csv row of an extracted document; its publisher is not known."""
    return {"source_id": source_id, "title": doc.title or Path(doc.name).stem,
            "publisher": "publisher not stated",
            "published": iso(doc.published) or "undated", "file": doc.name}


def _table(rows: list[dict], table: str) -> pd.DataFrame:
    """Rows as a validated, typed frame in contract order, sorted by document and position.

    Extracted rows pass the same checks as a CSV an analyst wrote (geo.records),
    numbered as the lines they get in the extracted CSV.
    """
    ordered = sorted(rows, key=lambda r: (r["source_file"], r["quote_start"]))  # stable
    return table_from_rows(enumerate(ordered, start=2), table, f"extracted {table}")
