"""The attribute filters beside the time filter: which columns, keyed how in the URL.

An analyst narrows the map by a few columns of the record contract (type,
claim, target, actor, country, location precision, source; and an area's
status). Each is a facet, declared once here: the page builds its checkboxes,
its URL hash keys and `incidentMap.setFilter` from this list, and matches
records by the codes computed here, so the page never reads a column name or
a vocabulary of its own.

A facet's values are the distinct texts of its column over every table it
applies to, most frequent first; a missing value is the empty text and shows
as `MISSING_LABEL`. Choosing no value of a facet leaves it open (every value
passes); choosing some keeps only records with one of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.records import is_missing
from geo.schema import GEO_PRECISION_LABELS, column


@dataclass(frozen=True)
class Facet:
    """One filter: the contract `column` it reads, its `key` in the URL hash, the tables
    whose records it applies to, and its label (the contract's unless given)."""

    column: str
    key: str
    tables: tuple[str, ...]
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or column(self.tables[0], self.column).label


INCIDENTS, AREAS, BOTH = ("incidents",), ("areas",), ("incidents", "areas")
FACETS = (
    Facet("event_type", "type", INCIDENTS, "Event type"),
    Facet("claim_status", "claim", INCIDENTS),
    Facet("target", "target", INCIDENTS),
    Facet("actor", "actor", INCIDENTS),
    Facet("country", "country", BOTH),
    Facet("geo_precision", "precision", BOTH),
    Facet("source_id", "source", BOTH),
    Facet("status", "status", AREAS, "Area status"),
)
# Window keys of the URL hash, before the facets' own: #from=...&to=...&mode=...&type=...
WINDOW_KEYS = ("from", "to", "mode")
# A facet with more values than this gets a search box above its list.
SEARCH_FROM = 12
MISSING_LABEL = "(not stated)"


def facet_text(values: pd.Series) -> pd.Series:
    """The text a facet matches on: "" for missing, 3 rather than 3.0 for a precision."""
    def text(value) -> str:
        if is_missing(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return values.astype(object).map(text)


def value_label(facet: Facet, value: str, sources: Mapping[str, Mapping]) -> str:
    """How the page lists one value: words for codes, the source's title, the precision's."""
    if value == "":
        return MISSING_LABEL
    if facet.column == "geo_precision":
        return GEO_PRECISION_LABELS.get(int(value), value)
    if facet.column == "source_id":
        return str(sources.get(value, {}).get("title") or value)
    if column(facet.tables[0], facet.column).kind == "code":
        return value.replace("_", " ")
    return value


def facet_specs(frames: Mapping[str, pd.DataFrame], sources: Mapping[str, Mapping],
                weights: Mapping[str, pd.Series] | None = None) -> list[dict]:
    """Each facet as the page takes it: its hash key, label, values (most frequent first
    over `frames`, {table: records}) and their labels, and the tables it applies to.

    A row of a table in `weights` counts that many records (counts per cell, see
    maps.payload.cell_rows); a facet applies only to the tables that have its column.
    """
    specs = []
    weights = weights or {}
    for facet in FACETS:
        tables = [t for t in facet.tables if t in frames and facet.column in frames[t]]
        if not tables:
            continue
        texts = [facet_text(frames[t][facet.column]) for t in tables]
        ones = [weights[t] if t in weights else pd.Series(1, index=frames[t].index)
                for t in tables]
        counts = pd.concat(ones, ignore_index=True).groupby(
            pd.concat(texts, ignore_index=True).to_numpy()).sum()
        # Most frequent first; ties by the text itself, so the order is the same every run.
        values = [v for v, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
        specs.append({
            "column": facet.column, "key": facet.key, "label": facet.title,
            "tables": tables,
            "values": values, "labels": [value_label(facet, v, sources) for v in values],
            "search": len(values) > SEARCH_FROM,
        })
    return specs


def facet_codes(specs: Sequence[dict], frame: pd.DataFrame, table: str
                ) -> list[np.ndarray | None]:
    """Per facet, each record's index into the facet's `values`; None where the facet
    does not apply to `table`."""
    codes = []
    for spec in specs:
        if table not in spec["tables"]:
            codes.append(None)
            continue
        index = {value: i for i, value in enumerate(spec["values"])}
        codes.append(facet_text(frame[spec["column"]]).map(index).to_numpy(np.int64))
    return codes
