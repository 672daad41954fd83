"""An analyst's corrections, carried over when documents are extracted again.

The analyst edits the extracted CSV (fixes a date, a place, a toll; deletes
a false record) and hands it back with `--review FILE`. Because ids are
stable, a fresh extraction is matched to the reviewed rows by id:

- a reviewed row replaces the extracted row with its id, as the analyst left it;
- a reviewed row whose document was not extracted this time is kept as it is;
- an extracted row of a reviewed document that is not in the review file was
  deleted by the analyst (or is new since the review): it is left out of the
  records and returned apart, so nothing vanishes unseen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.extract import Extraction
from geo.records import Problem, RecordError, load_table, read_header
from geo.schema import ID_COLUMN, NOT_IN_REVIEW_COLUMNS


@dataclass
class Reviewed:
    """Records after review, and the extracted rows the review left out."""

    records: pd.DataFrame
    left_out: pd.DataFrame
    kept: int  # reviewed rows that replaced or joined the extraction


def apply_review(extracted: pd.DataFrame, reviewed: pd.DataFrame, table: str,
                 reviewed_docs: set[str] | None = None) -> Reviewed:
    """Merge `reviewed` rows (a validated contract table) over `extracted` ones.

    `reviewed_docs` names the documents the analyst went through (the files of
    the sources.csv written with the review file): a document whose every
    record was deleted is still reviewed. By default, the documents of the rows.
    """
    id_col = ID_COLUMN[table]
    reviewed_docs = set(reviewed["source_file"]) | set(reviewed_docs or ())
    reviewed_ids = set(reviewed[id_col])
    in_reviewed_doc = extracted["source_file"].isin(reviewed_docs)
    left_out = extracted[in_reviewed_doc & ~extracted[id_col].isin(reviewed_ids)]
    fresh = extracted[~in_reviewed_doc]
    records = pd.concat([reviewed, fresh], ignore_index=True)
    records = records.sort_values(["source_file", "quote_start"],
                                  kind="stable", na_position="last").reset_index(drop=True)
    return Reviewed(records, left_out.reset_index(drop=True), len(reviewed))


@dataclass(frozen=True)
class ReviewFile:
    """What one --review file did: its table, the reviewed rows kept, the rows left out."""

    path: Path
    table: str
    kept: int
    left_out: int


def review_extraction(extraction: Extraction, paths: Iterable[Path]) -> list[ReviewFile]:
    """Apply each reviewed incidents.csv or areas.csv to `extraction`, in place.

    The extracted rows a review left out are collected in `extraction.left_out`
    (not_in_review.csv); the sources of reviewed rows from earlier runs come
    from the sources.csv written beside each review file.
    """
    done, left_out = [], []
    for path in paths:
        table = review_table(path)
        reviewed = load_table(path, table)
        beside = path.parent / "sources.csv"
        older = load_table(beside, "sources") if beside.exists() else None
        documents = set(older["file"]) if older is not None else set()
        result = apply_review(getattr(extraction, table), reviewed, table, documents)
        setattr(extraction, table, result.records)
        if len(result.left_out):
            left_out.append(result.left_out.assign(table=table))
        done.append(ReviewFile(path, table, result.kept, len(result.left_out)))
        extraction.sources = _with_review_sources(extraction.sources, reviewed, path, older)
    if left_out:
        extraction.left_out = pd.concat(left_out, ignore_index=True).reindex(
            columns=list(NOT_IN_REVIEW_COLUMNS))
    return done


def review_table(path: Path) -> str:
    """"incidents" or "areas", from the id column in the file's header."""
    try:
        names = read_header(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as err:
        raise RecordError([Problem(str(path), 0, "", "", f"cannot be read ({err})")]) from None
    for table, id_col in ID_COLUMN.items():
        if id_col in names:
            return table
    raise RecordError([Problem(str(path), 1, "", "", "is neither an incidents nor an areas "
                               "table (no event_id or area_id column)")])


def _with_review_sources(sources: pd.DataFrame, reviewed: pd.DataFrame, path: Path,
                         older: pd.DataFrame | None) -> pd.DataFrame:
    """Sources of reviewed rows from other runs, from `older`: the sources.csv beside the
    review file at `path` (None when there is none)."""
    missing = set(reviewed["source_id"]) - set(sources["source_id"])
    if not missing:
        return sources
    if older is None:
        beside = path.parent / "sources.csv"
        raise RecordError([Problem(str(path), 0, "source_id", ", ".join(sorted(missing)),
                                   f"is not a document of this run and {beside} is missing: "
                                   "keep the review file with the sources.csv written with it")])
    return pd.concat([sources, older[older["source_id"].isin(missing)]], ignore_index=True)
