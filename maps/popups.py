"""Popup and tooltip HTML for records, with every value escaped.

Record text comes from documents written by others; it is escaped here, once,
before it reaches the page, and the layers insert these strings as they are.
Labels come from the record contract in geo.schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from html import escape

from geo.records import is_missing
from geo.schema import GEO_PRECISION_LABELS, column
from maps.style import EXACT_PRECISION

QUALIFIER_WORDS = {
    "exact": "",
    "at_least": "at least ",
    "about": "about ",
    "more_than": "more than ",
    "up_to": "up to ",
}


def describe_dates(start: str, end: str, precision: str) -> str:
    """A date range as a reader says it: "17 Dec 2017", "Dec 2017", "1 Jan 2018 to 2 Jan 2018"."""
    a = dt.date.fromisoformat(start)
    b = dt.date.fromisoformat(end) if end else None
    # Say only as much as the precision knows: "Dec 2017 onwards", not "1 Dec 2017".
    first = {"month": a.strftime("%b %Y"), "year": f"{a.year}"}.get(
        precision, f"{a.day} {a.strftime('%b %Y')}")
    if b is None:
        text = f"{first} onwards"
    elif precision == "month" and (b.year, b.month) == (a.year, a.month):
        text = a.strftime("%b %Y")
    elif precision == "year" and b.year == a.year:
        text = f"{a.year}"
    else:
        text = f"{a.day} {a.strftime('%b %Y')}"
        if b != a:
            text += f" to {b.day} {b.strftime('%b %Y')}"
    if precision != "day":
        text += f" ({precision} precision)"
    return text


def describe_figure(value, qualifier: str) -> str:
    """A stated figure with its qualifier: "at least 9"; "" when the source gives none."""
    if is_missing(value):
        return ""
    return f"{QUALIFIER_WORDS.get(qualifier or 'exact', '')}{int(value)}"


def describe_precision(precision) -> str:
    if is_missing(precision):
        return ""
    note = GEO_PRECISION_LABELS[int(precision)]
    return note if int(precision) == EXACT_PRECISION else f"approximate: {note}"


def _words(code) -> str:
    return "" if is_missing(code) else str(code).replace("_", " ")


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in rows
        if value
    )
    return f'<table class="record">{cells}</table>'


def _source_line(source_id: str, sources: Mapping[str, Mapping]) -> str:
    source = sources.get(source_id, {})
    if not source:
        return source_id
    return f"{source['title']} ({source['publisher']}, {source['published']})"


def _heading(event_type: str, place: str, admin1: str) -> str:
    where = ", ".join(v for v in (place, admin1) if not is_missing(v))
    return f"{_words(event_type).capitalize()}: {where}"


def _text(value) -> str:
    return "" if is_missing(value) else str(value)


def incident_fields(sources: Mapping[str, Mapping]) -> list[tuple[str, tuple, Callable]]:
    """An incident popup, field by field: (label, columns it reads, formatter).

    The first field is the heading and the last the summary; those between
    are the table's rows. Both the map page (maps.payload, which formats each
    distinct value once) and `incident_parts` (one record) use this list.
    """
    c = lambda name: column("incidents", name).label  # noqa: E731
    return [
        ("", ("event_type", "place", "admin1"), _heading),
        ("Date", ("date_start", "date_end", "date_precision"), describe_dates),
        (c("location"), ("location",), _text),
        (c("admin2"), ("admin2",), _text),
        (c("admin1"), ("admin1",), _text),
        (c("geo_precision"), ("geo_precision",), describe_precision),
        (c("fatalities"), ("fatalities", "fatalities_qualifier"), describe_figure),
        (c("injured"), ("injured", "injured_qualifier"), describe_figure),
        (c("claim_status"), ("claim_status",), _words),
        (c("target"), ("target",), _words),
        (c("actor"), ("actor",), _text),
        (c("assoc_actors"), ("assoc_actors",), _text),
        (c("source_id"), ("source_id",), lambda sid: _source_line(sid, sources)),
        (c("cited_sources"), ("cited_sources",), _text),
        ("", ("summary",), _text),
    ]


def incident_parts(record: Mapping, sources: Mapping[str, Mapping]) -> tuple:
    """Popup content as plain text: (heading, [(label, value), ...], summary).

    The rows start with the date; empty values are left out. `incident_popup`
    escapes these into HTML.
    """
    values = [(label, formatter(*(record[c] for c in columns)))
              for label, columns, formatter in incident_fields(sources)]
    (_, heading), *rows, (_, summary) = values
    return heading, [(k, v) for k, v in rows if v], summary


def incident_popup(record: Mapping, sources: Mapping[str, Mapping]) -> str:
    """Popup HTML for one placed incident, every value escaped."""
    heading, rows, summary = incident_parts(record, sources)
    return (
        f'<div class="popup"><h4>{escape(heading)}</h4>{_table(rows)}'
        f'<p class="summary">{escape(summary)}</p></div>'
    )


def area_popup(record: Mapping, sources: Mapping[str, Mapping]) -> str:
    """Popup HTML for one claimed-control, presence, base or training-camp area."""
    c = lambda name: column("areas", name).label  # noqa: E731
    rows = [
        (c("status"), _words(record["status"])),
        ("Reported", describe_dates(record["date_start"], record["date_end"],
                                    record["date_precision"])),
        (c("admin1"), record["admin1"]),
        (c("geo_precision"), describe_precision(record["geo_precision"])),
        (c("source_id"), _source_line(record["source_id"], sources)),
        (c("cited_sources"), record["cited_sources"]),
    ]
    heading = f"{record['name']} ({_words(record['status'])})"
    return (
        f'<div class="popup"><h4>{escape(heading)}</h4>{_table(rows)}'
        f'<p class="summary">{escape(record["summary"])}</p></div>'
    )


def area_tooltip(record: Mapping) -> str:
    return escape(f"{record['name']}: {_words(record['status'])}")


def province_tooltip(record: Mapping) -> str:
    return escape(
        f"{record['name']}: {record['incidents']} incidents, "
        f"{record['deaths']} deaths stated, {record['areas']} areas"
    )
