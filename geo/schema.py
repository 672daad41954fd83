"""The record contract: every column, its type and its vocabulary, declared once.

Loaders validate against these tables, exports write columns in this order, and
popups take their labels from here. Change the contract here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EVENT_TYPES = (
    "suicide_attack",
    "bombing",
    "armed_assault",
    "airstrike",
    "clash",
    "mass_killing",
    "arrest",
    "recruitment",
    "propaganda",
    "allegiance",
    "leader_killed",
    "surrender",
    "other",
)
DATE_PRECISIONS = ("day", "week", "month", "year")
QUALIFIERS = ("exact", "at_least", "about", "more_than", "up_to")
CLAIM_STATUSES = ("claimed", "attributed", "disputed", "unclaimed", "n/a")
AREA_STATUSES = ("control", "presence", "base", "training_camp")
GEO_PRECISIONS = (1, 2, 3, 4)
GEO_PRECISION_LABELS = {
    1: "the site or town itself",
    2: "district, or near a town",
    3: "province",
    4: "country",
}


ColumnKind = Literal["text", "id", "date", "int", "float", "code", "country", "latitude",
                     "longitude", "precision"]


@dataclass(frozen=True)
class Column:
    """One column of a record table.

    `kind` says how a cell is read and checked (a `code` from `vocab`).
    Columns marked `required` must be non-empty in every input row; `filled`
    columns are computed by the pipeline and may be empty on input.
    """

    name: str
    kind: ColumnKind = "text"
    label: str = ""
    required: bool = False
    vocab: tuple = ()
    filled: bool = False



# Where a record comes from and the words behind it: the same for incidents and areas.
EVIDENCE_COLUMNS: tuple[Column, ...] = (
    Column("source_id", "text", "Source", required=True),
    Column("source_file", "text", "Source file", required=True),
    Column("cited_sources", "text", "Cited by the source"),
    Column("summary", "text", "Summary", required=True),
    Column("quote_start", "int", "Quote starts at"),
    Column("quote_end", "int", "Quote ends at"),
)

INCIDENT_COLUMNS: tuple[Column, ...] = (
    Column("event_id", "id", "Event id"),
    Column("date_start", "date", "From", required=True),
    Column("date_end", "date", "To", required=True),
    Column("date_precision", "code", "Date precision", required=True, vocab=DATE_PRECISIONS),
    Column("event_type", "code", "Type", required=True, vocab=EVENT_TYPES),
    Column("location", "text", "Location (as written)"),
    Column("place", "text", "Place"),
    Column("admin2", "text", "District", filled=True),
    Column("admin1", "text", "Province", filled=True),
    Column("country", "country", "Country"),
    Column("latitude", "latitude", "Latitude", filled=True),
    Column("longitude", "longitude", "Longitude", filled=True),
    Column("geo_precision", "precision", "Location precision", vocab=GEO_PRECISIONS, filled=True),
    Column("geonameid", "int", "GeoNames id", filled=True),
    Column("fatalities", "int", "Killed"),
    Column("fatalities_qualifier", "code", "", vocab=QUALIFIERS),
    Column("injured", "int", "Injured"),
    Column("injured_qualifier", "code", "", vocab=QUALIFIERS),
    Column("target", "text", "Target"),
    Column("actor", "text", "Actor"),
    Column("assoc_actors", "text", "Associated actors"),
    Column("claim_status", "code", "Claim status", required=True, vocab=CLAIM_STATUSES),
    *EVIDENCE_COLUMNS,
)

AREA_COLUMNS: tuple[Column, ...] = (
    Column("area_id", "id", "Area id"),
    Column("name", "text", "Area", required=True),
    Column("admin1", "text", "Province", filled=True),
    Column("country", "country", "Country", required=True),
    Column("status", "code", "Status", required=True, vocab=AREA_STATUSES),
    Column("date_start", "date", "Reported from", required=True),
    Column("date_end", "date", "Reported until"),
    Column("date_precision", "code", "Date precision", required=True, vocab=DATE_PRECISIONS),
    Column("latitude", "latitude", "Latitude", filled=True),
    Column("longitude", "longitude", "Longitude", filled=True),
    Column("geo_precision", "precision", "Location precision", vocab=GEO_PRECISIONS, filled=True),
    *EVIDENCE_COLUMNS,
)

SOURCE_COLUMNS: tuple[Column, ...] = (
    Column("source_id", "text", "Source id", required=True),
    Column("title", "text", "Title", required=True),
    Column("publisher", "text", "Publisher", required=True),
    Column("published", "text", "Published", required=True),
    Column("file", "text", "File", required=True),
)

# The columns an id is derived from when a row leaves its id empty: enough to
# tell two events apart, and nothing the geocoder fills in.
ID_BASIS = {
    "incidents": ("source_id", "date_start", "event_type", "location", "place", "quote_start",
                  "summary"),
    "areas": ("source_id", "name", "status", "date_start", "quote_start", "summary"),
}
# The same for records read out of documents (geo.extract), which always derive their id:
# from the words rather than their offsets or dates, so that an edit elsewhere in the file
# keeps every id. `clause` is no column: the words of the clause telling the event, spaces
# folded.
EXTRACTED_ID_BASIS = {
    "incidents": ("source_id", "clause", "location", "place"),
    "areas": ("source_id", "name", "country", "status"),
}
ID_PREFIX = {"incidents": "ev", "areas": "ar"}
ID_COLUMN = {"incidents": "event_id", "areas": "area_id"}
COLUMNS = {"incidents": INCIDENT_COLUMNS, "areas": AREA_COLUMNS, "sources": SOURCE_COLUMNS}
# Fields of imported datasets (geo.datasets) that the contract has no column for travel
# beside it as text, named `<dataset>_<field>`, and come out again after the contract's.
DATASET_PREFIXES = ("acled_", "ucdp_", "gtd_")


def column_names(table: str) -> list[str]:
    """Column names of `table` ("incidents", "areas" or "sources") in contract order."""
    return [c.name for c in COLUMNS[table]]


def extra_columns(names, table: str) -> list[str]:
    """The imported datasets' own columns among `names`, in the order given."""
    known = set(column_names(table))
    return [n for n in names if n not in known and n.startswith(DATASET_PREFIXES)]


def output_columns(frame, table: str) -> list[str]:
    """What exports write for `frame`: the contract's columns, then any dataset extras."""
    return column_names(table) + extra_columns(frame.columns, table)


def column(table: str, name: str) -> Column:
    """The declaration of one column, for labels and vocabularies."""
    for c in COLUMNS[table]:
        if c.name == name:
            return c
    raise KeyError(f"{table} has no column {name!r}")


# unresolved.csv: one row for every input record that could not be placed.
UNRESOLVED_COLUMNS = ("table", "record_id", "location", "country", "source_file", "input_line",
                      "reason")
# rejected.csv (--keep-going): every input row left out because it could not be read.
REJECTED_COLUMNS = ("table", "file", "line", "column", "value", "reason")
# not_in_review.csv: extracted records of reviewed documents that the review file lacks
# (deleted by the analyst, or new since the review), named by table and id.
NOT_IN_REVIEW_COLUMNS = ("table", "event_id", "area_id", "source_file", "quote_start", "summary")
# reconciliation.csv: per table and in all, records in = placed + unresolved + rejected.
RECONCILIATION_COLUMNS = ("table", "records_in", "placed", "unresolved", "rejected")
# disagreements.csv: records whose own province is not the one their point lies in.
DISAGREEMENT_COLUMNS = ("table", "record_id", "source_file", "input_line", "stated_admin1",
                        "admin1", "km_outside_stated")
# The province polygons' own columns (geo/data/provinces.geojson, which also holds
# alt_names: other spellings for the gazetteer, "|"-separated, never exported).
PROVINCE_POLYGON_COLUMNS = ("code", "name", "country", "ne_name", "former_units")
# provinces.geojson: the polygons' own columns, then counts for the mapped records.
PROVINCE_COLUMNS = (*PROVINCE_POLYGON_COLUMNS, "incidents", "deaths", "areas")
