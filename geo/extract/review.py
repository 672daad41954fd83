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

from dataclasses import dataclass

import pandas as pd

from geo.schema import ID_COLUMN


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
