"""Popup and tooltip HTML for records, with every value escaped.

Record text comes from documents written by others; it is escaped here, once,
before it reaches the page, and the layers insert these strings as they are.
Labels come from the record contract in geo.schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from html import escape

import pandas as pd

from geo.schema import GEO_PRECISION_LABELS, column

QUALIFIER_WORDS = {
    "exact": "",
    "at_least": "at least ",
    "about": "about ",
    "more_than": "more than ",
    "up_to": "up to ",
}


def _blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or (
        isinstance(value, str) and not value.strip()
    )


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
    if _blank(value):
        return ""
    return f"{QUALIFIER_WORDS.get(qualifier or 'exact', '')}{int(value)}"


def describe_precision(precision) -> str:
    if _blank(precision):
        return ""
    note = GEO_PRECISION_LABELS[int(precision)]
    return note if int(precision) == 1 else f"approximate: {note}"


def _words(code: str) -> str:
    return code.replace("_", " ")


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in rows
        if value
    )
    return f'<table class="record">{cells}</table>'


def _source_line(record: Mapping, sources: Mapping[str, Mapping]) -> str:
    source = sources.get(record["source_id"], {})
    if not source:
        return record["source_id"]
    return f"{source['title']} ({source['publisher']}, {source['published']})"


def incident_parts(record: Mapping, sources: Mapping[str, Mapping]) -> tuple:
    """Popup content as plain text: (heading, date, [(label, value), ...], summary).

    The map page lays these out with textContent; `incident_popup` escapes
    them into HTML for other uses. Empty values are left out.
    """
    c = lambda name: column("incidents", name).label  # noqa: E731
    place = ", ".join(v for v in (record["place"], record["admin1"]) if not _blank(v))
    heading = f"{_words(record['event_type']).capitalize()}: {place}"
    date = describe_dates(record["date_start"], record["date_end"], record["date_precision"])
    rows = [
        (c("location"), record["location"]),
        (c("admin2"), record["admin2"]),
        (c("admin1"), record["admin1"]),
        (c("geo_precision"), describe_precision(record["geo_precision"])),
        (c("fatalities"), describe_figure(record["fatalities"], record["fatalities_qualifier"])),
        (c("injured"), describe_figure(record["injured"], record["injured_qualifier"])),
        (c("claim_status"), _words(record["claim_status"])),
        (c("target"), _words(record["target"])),
        (c("actor"), record["actor"]),
        (c("assoc_actors"), record["assoc_actors"]),
        (c("source_id"), _source_line(record, sources)),
        (c("cited_sources"), record["cited_sources"]),
    ]
    return heading, date, [(k, v) for k, v in rows if v], record["summary"]


def incident_popup(record: Mapping, sources: Mapping[str, Mapping]) -> str:
    """Popup HTML for one placed incident, every value escaped."""
    heading, date, rows, summary = incident_parts(record, sources)
    return (
        f'<div class="popup"><h4>{escape(heading)}</h4>{_table([("Date", date), *rows])}'
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
        (c("source_id"), _source_line(record, sources)),
        (c("cited_sources"), record["cited_sources"]),
    ]
    heading = f"{record['name']} ({_words(record['status'])})"
    return (
        f'<div class="popup"><h4>{escape(heading)}</h4>{_table(rows)}'
        f'<p class="summary">{escape(record["summary"])}</p></div>'
    )


def incident_tooltip(record: Mapping) -> str:
    figure = describe_figure(record["fatalities"], record["fatalities_qualifier"])
    deaths = f", {figure} killed" if figure else ""
    return escape(f"{_words(record['event_type'])}: {record['place']}{deaths}")


def area_tooltip(record: Mapping) -> str:
    return escape(f"{record['name']}: {_words(record['status'])}")


def province_tooltip(record: Mapping) -> str:
    return escape(
        f"{record['name']}: {record['incidents']} incidents, "
        f"{record['deaths']} deaths stated, {record['areas']} areas"
    )
