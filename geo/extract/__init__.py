"""Records from documents: incidents and held areas, each with the sentence behind it.

`read_document` (documents.py) decodes and splits a file; `extract` (events.py)
reads it into contract rows with places already chosen from the gazetteer;
`extract_documents` does both for many files, keeps going past unreadable
ones, and returns tables ready for `geo.pipeline.place_records`. Each document
is read and extracted within `Limits` (limits.py) of size, text, inflation and
time; a document over one, or one whose reading fails in any way, is skipped
with one line that says why, and the others' records are still written.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo import atomic
from geo.extract.areas import area_rows
from geo.extract.dates import When, parse_when
from geo.extract.documents import (
    Document,
    SourceText,
    UnreadableDocument,
    parse_document,
    read_document,
    read_text,
)
from geo.extract.events import find_events
from geo.extract.incidents import incident_rows
from geo.extract.limits import Deadline, LimitReached, Limits, one_line
from geo.extract.reading import Reading, iso
from geo.gazetteer import Gazetteer
from geo.records import LeftOutWarning, slug, table_from_rows
from geo.schema import column_names

log = logging.getLogger(__name__)

__all__ = ["DocumentRecords", "Extracted", "Extraction", "Limits", "Planned",
           "UnreadableDocument", "extract", "extract_documents", "extract_one", "read_document",
           "write_texts"]


@dataclass
class DocumentRecords:
    """One document's records, as rows of the contract (dicts keyed by column)."""

    incidents: list[dict]
    areas: list[dict]
    notes: list[str]


def extract(doc: Document, gazetteer: Gazetteer, source_id: str,
            deadline: Deadline | None = None) -> DocumentRecords:
    """Incidents and areas of one read document, with their places already chosen;
    LimitReached once `deadline` (default: none) has passed."""
    reading = Reading(doc, gazetteer, deadline)
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
    # source_id -> the text its records' quote_start/quote_end point into
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def documents_read(self) -> int:
        """Documents that gave a sources row: all but the failed ones."""
        return len(self.sources)


@dataclass(frozen=True)
class Planned:
    """One document to extract, with what the run decided before reading any of them."""

    path: Path
    source_text: SourceText
    source_id: str
    listed: Mapping | None  # its row of sources.csv, if there is one
    published: When | None
    limits: Limits = field(default_factory=Limits)
    seconds: float | None = None  # of limits.seconds, what reading it left for extracting


@dataclass
class Extracted:
    """What one document gave: its records and source row, or why it gave nothing."""

    records: DocumentRecords | None = None
    source: dict | None = None
    failed: str | None = None
    notes: list[str] = field(default_factory=list)


# Runs `extract_one` over the planned documents and returns the results in order: in
# this process by default, or on a Dask cluster (geo.dask_engine.bag_mapper).
Mapper = Callable[[list[Planned]], list[Extracted]]


def extract_documents(
    paths: Iterable[str | Path],
    gazetteer: Gazetteer | None,
    published: When | None = None,
    known_sources: Mapping[str, Mapping] | None = None,
    encoding: str | None = None,
    mapper: Mapper | None = None,
    limits: Limits | None = None,
) -> Extraction:
    """Read each file and extract its records; an unreadable file is reported, not fatal.

    `known_sources` maps file names to rows of sources.csv: a document listed
    there keeps its source id and publication date. `published` dates every
    other document that states no date of its own. Source ids are given, in
    order, to the documents that can be read before any is extracted, so
    documents can be extracted in any order, or in parallel by `mapper`, with
    the same result. `limits` bound each document's reading and extraction
    together (the time reading one took is taken from the time left to
    extract it, wherever `mapper` runs it). Each unreadable file is a
    LeftOutWarning; progress is logged, one record per document, with
    `progress=(n, total)` on it.
    """
    plan = _plan([Path(p) for p in paths], known_sources, published, encoding,
                 limits or Limits())
    readable = [item for item in plan if isinstance(item, Planned)]
    if mapper is None:
        extracted = []
        for n, item in enumerate(readable, start=1):
            log.info("extracting [%d/%d] %s", n, len(readable), item.path,
                     extra={"progress": (n, len(readable))})
            extracted.append(extract_one(item, gazetteer))
    else:
        extracted = mapper(readable)
    done = iter(extracted)
    return _gathered(plan, [next(done) if isinstance(item, Planned) else item for item in plan])


def _plan(paths: list[Path], known_sources: Mapping[str, Mapping] | None,
          published: When | None, encoding: str | None,
          limits: Limits) -> list[Planned | Extracted]:
    """Every file read first: ids go, in order, to the documents that can be read, and
    the text travels with the plan, so workers elsewhere need no access to the files."""
    known = {row["file"]: row for row in (known_sources or {}).values()}
    used_ids = {row["source_id"] for row in known.values()}  # never reuse a curated id
    plan: list[Planned | Extracted] = []
    for path in paths:
        deadline = Deadline(limits)
        try:
            source_text = read_text(path, encoding, limits, deadline)
        except UnreadableDocument as err:
            plan.append(Extracted(failed=str(err)))
            continue
        except Exception as err:  # read_text raises nothing else; if it ever does, skip
            plan.append(Extracted(failed=f"{path}: could not be read ({type(err).__name__}: "
                                         f"{err}); please report this with the file"))
            continue
        listed = known.get(path.name)
        source_id = listed["source_id"] if listed else _source_id(path.name, used_ids)
        used_ids.add(source_id)
        plan.append(Planned(path, source_text, source_id, listed, published, limits,
                            max(0.0, deadline.left())))
    return plan


def _gathered(plan: list[Planned | Extracted], results: list[Extracted]) -> Extraction:
    """The documents' records in one set of tables, in the order the files were given."""
    incidents, areas, sources, failed, notes = [], [], [], [], []
    texts = {}
    for item, result in zip(plan, results, strict=True):
        if result.failed:
            failed.append(one_line(result.failed))
            warnings.warn(f"skipped {failed[-1]}", LeftOutWarning, stacklevel=3)
            continue
        incidents += result.records.incidents
        areas += result.records.areas
        notes += result.notes
        sources.append(result.source)
        texts[item.source_id] = item.source_text.text
    return Extraction(_table(incidents, "incidents"), _table(areas, "areas"),
                      pd.DataFrame(sources, columns=column_names("sources")), failed, notes,
                      texts=texts)


def extract_one(item: Planned, gazetteer: Gazetteer) -> Extracted:
    """Extract one planned document within what its limits left of its time; its faults
    are returned, never raised."""
    deadline = Deadline(item.limits, item.seconds)
    try:
        doc = parse_document(str(item.path), item.source_text.text, deadline)
        meta = item.source_text
        if item.listed:
            doc.published = parse_when(str(item.listed["published"])) or doc.published
            doc.published_from = "sources.csv"
        elif doc.published is None and meta.published:
            doc.published = parse_when(meta.published)
            doc.published_from = f"{meta.kind} metadata"
        elif item.published is not None and doc.published is None:
            doc.published, doc.published_from = item.published, "given"
        doc.title = meta.title or doc.title
        found = extract(doc, gazetteer, item.source_id, deadline)
    except LimitReached as err:
        return Extracted(failed=f"{item.path}: {err}")
    except Exception as err:  # one document's fault must not cost the others
        return Extracted(failed=f"{item.path}: could not be extracted ({type(err).__name__}: "
                                f"{err}); please report this with the file")
    notes = list(found.notes)
    if doc.published_from == "latest date in text":
        notes.append(f"{doc.name}: no publication date in the text; dates without a year "
                     f"were read against {doc.published.end} (give --published)")
    if doc.published is None and not (found.incidents or found.areas):
        notes.append(f"{doc.name}: no date anywhere in it, so no record could be dated")
    source = dict(item.listed) if item.listed else _source_row(doc, item.source_id)
    return Extracted(records=found, source=source, notes=notes)


def write_texts(texts: Mapping[str, str], out: Path) -> list[Path]:
    """Write each document's text to `out/texts/<source_id>.txt`, as UTF-8.

    These are the texts `quote_start`/`quote_end` point into: for a PDF or a
    web page, its cleaned text, not the file; `text[quote_start:quote_end]` is
    the sentence behind a record.
    """
    written = []
    for source_id, text in sorted(texts.items()):
        folder = Path(out) / "texts"
        folder.mkdir(parents=True, exist_ok=True)
        written.append(atomic.write_text(folder / f"{source_id}.txt", text))
    return written


def _source_id(name: str, used: set[str]) -> str:
    """A readable id from the file name, made unique within the run."""
    base = slug(Path(name).stem) or "document"
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
