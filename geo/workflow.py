"""From input files to placed records: what `build`, `export` and `extract` do first.

Each step is a function of its own elsewhere (geo.inputs.load_inputs,
geo.extract.extract_documents, geo.extract.review.review_extraction,
geo.pipeline.place_records); these two run them in the order the commands do,
so a notebook gets the CLI's records without the CLI:

    run = place_files(["seeds/incidents.csv"], Path("seeds/areas.csv"),
                      Path("seeds/sources.csv"))
    run.placed.incidents  # a GeoDataFrame, one row per placed incident

Steps are logged (`geo.workflow` and the modules it calls); notes about the
input are logged with `note=True` on the record.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.districts import read_districts
from geo.extract import Extraction, extract_documents
from geo.extract.dates import When
from geo.extract.limits import Limits
from geo.extract.review import ReviewFile, review_extraction
from geo.gazetteer import Gazetteer, load_gazetteer, read_provinces
from geo.inputs import load_inputs, sources_by_id
from geo.pipeline import Placed, place_records
from geo.placing import Fallback
from geo.records import Problem, RecordError, load_table

log = logging.getLogger(__name__)


@dataclass
class Run:
    """A run's placed records, its sources by id, and what its documents gave."""

    placed: Placed
    sources: dict[str, dict]
    texts: dict[str, str] = field(default_factory=dict)  # source_id -> extracted text
    extraction: Extraction | None = None
    reviews: list[ReviewFile] = field(default_factory=list)


@dataclass(frozen=True)
class Documents:
    """How documents are read: their files, a date for those that state none, the
    analyst's reviewed CSVs, an encoding other than UTF-8, and what one document may
    cost to read (geo.extract.limits)."""

    files: Sequence[Path]
    published: When | None = None
    review: Sequence[Path] = ()
    encoding: str | None = None
    limits: Limits = field(default_factory=Limits)


def place_files(
    incidents: Sequence[Path],
    areas: Path,
    sources: Path,
    keep_going: bool = False,
    documents: Documents | None = None,
    districts: Path | None = None,
    districts_name_field: str | None = None,
    fallback: Fallback | None = None,
    client=None,
) -> Run:
    """Load and check the record files, extract `documents` too, place everything.

    `client` (a dask.distributed Client) runs the province join and the
    extraction on its cluster; the records are the same.
    """
    inputs = load_inputs(incidents, areas, sources, keep_going)
    _log_notes(inputs.notes)
    places, texts, extraction, reviews = None, {}, None, []
    if documents is not None and documents.files:
        places = load_places()
        extraction, reviews = _extract(documents, places[1], inputs.sources, client)
        if extraction is None:
            raise RecordError([Problem(str(p), 0, "", "", "could not be read (see above)")
                               for p in documents.files])
        inputs, texts = inputs.with_extraction(extraction), extraction.texts
    polygons = read_districts(districts, districts_name_field) if districts else None
    provinces, gazetteer = places or load_places()
    log.info("placing %d records", len(inputs.incidents) + len(inputs.areas))
    placed = place_records(inputs.incidents, inputs.areas, gazetteer, provinces, polygons,
                           districts_source=districts.name if districts else "",
                           fallback=fallback, join_engine=_join_engine(client),
                           rejected=inputs.rejected)
    return Run(placed, inputs.sources_by_id(), texts, extraction, reviews)


def extract_files(documents: Documents, sources: Path | None = None, client=None) -> Run | None:
    """Records from documents alone, placed; None when no document could be read.

    Documents listed in `sources` (a sources.csv, by file name) keep their id
    and publication date.
    """
    known = load_table(sources, "sources") if sources else None
    provinces, gazetteer = load_places()
    extraction, reviews = _extract(documents, gazetteer, known, client)
    if extraction is None:
        return None
    log.info("placing %d records", len(extraction.incidents) + len(extraction.areas))
    placed = place_records(extraction.incidents, extraction.areas, gazetteer, provinces,
                           join_engine=_join_engine(client))
    return Run(placed, sources_by_id(extraction.sources), extraction.texts, extraction,
               reviews)


def load_places() -> tuple[gpd.GeoDataFrame, Gazetteer]:
    """The province polygons and the gazetteer that knows them."""
    log.info("loading gazetteer (first run builds its cache: about 20 s)")
    provinces = read_provinces()
    return provinces, load_gazetteer(provinces=provinces)


def _extract(documents: Documents, gazetteer: Gazetteer, known: pd.DataFrame | None,
             client) -> tuple[Extraction | None, list[ReviewFile]]:
    mapper = None
    if client is not None:
        from geo.dask_engine import bag_mapper

        log.info("extracting %d documents on Dask", len(documents.files))
        mapper = bag_mapper(client)
    extraction = extract_documents(
        documents.files, gazetteer, published=documents.published,
        encoding=documents.encoding, mapper=mapper, limits=documents.limits,
        known_sources=None if known is None else sources_by_id(known))
    _log_notes(extraction.notes)
    if not extraction.documents_read:
        return None, []
    return extraction, review_extraction(extraction, documents.review)


def _join_engine(client):
    """The spatial join on the Dask cluster; None: in this process."""
    if client is None:
        return None
    from geo.dask_engine import join_engine_on

    return join_engine_on(client)


def _log_notes(notes: Sequence[str]) -> None:
    for note in notes:
        log.info("%s", note, extra={"note": True})
