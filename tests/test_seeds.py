"""The curated seed records: they point at the documents, and say it in our own words."""

from __future__ import annotations

import re

import pytest

from tests.conftest import require_shared

# (id, date_start, date_precision, event_type, claim_status) the issue asks the seeds to hold.
REQUIRED_INCIDENTS = [
    ("jtm-2017-12-17-quetta-church", "2017-12-17", "day", "suicide_attack", "attributed"),
    ("jtm-2016-03-lahore-park", "2016-03-01", "month", "bombing", "attributed"),
    ("jtm-2017-10-05-jhal-magsi-shrine", "2017-10-05", "day", "suicide_attack", "attributed"),
    ("jtm-2017-12-28-kabul-shia-centre", "2017-12-28", "day", "suicide_attack", "claimed"),
    ("jtm-2017-10-kabul-imam-zaman-mosque", "2017-10-01", "month", "suicide_attack", "attributed"),
    ("jtm-2017-09-islamabad-flag", "2017-09-01", "month", "propaganda", "unclaimed"),
    ("jtm-2017-05-karachi-arrests", "2017-05-01", "month", "arrest", "n/a"),
    ("jtm-2017-03-logar-leaflets", "2017-03-01", "month", "recruitment", "attributed"),
    ("jtm-2017-12-moghul-training-centre", "2017-12-01", "month", "recruitment", "attributed"),
    ("jtm-2017-12-sar-dara-training-centre", "2017-12-01", "month", "recruitment", "attributed"),
    ("jtm-2018-01-alkhani-airstrike", "2018-01-01", "week", "airstrike", "n/a"),
    ("aan-2017-07-31-iraqi-embassy", "2017-07-31", "day", "suicide_attack", "attributed"),
    ("aan-2017-04-achin-moab", "2017-04-01", "month", "airstrike", "n/a"),
    ("aan-2015-04-jalalabad-bombs", "2015-04-01", "month", "bombing", "disputed"),
    ("aan-2016-10-ghor-killings", "2016-10-25", "day", "mass_killing", "disputed"),
    ("aan-2017-05-mamand-battle", "2017-05-01", "month", "clash", "n/a"),
]
REQUIRED_AREAS = ["Nangarhar", "Mamand", "Kot", "Darzab", "Qosh Tepa", "Bibi Mariam"]


@pytest.fixture(scope="module")
def documents(seed_tables):
    texts = {}
    for row in seed_tables["sources"].to_dict("records"):
        texts[row["file"]] = require_shared(f"seeds/{row['file']}").read_text(encoding="utf-8")
    return texts


@pytest.mark.parametrize("event_id, start, precision, event_type, claim", REQUIRED_INCIDENTS)
def test_required_incident_is_curated(seed_tables, event_id, start, precision, event_type, claim):
    rows = seed_tables["incidents"].set_index("event_id")
    assert event_id in rows.index
    row = rows.loc[event_id]
    assert (row["date_start"], row["date_precision"], row["event_type"], row["claim_status"]) == (
        start, precision, event_type, claim)


def test_required_areas_are_curated(seed_tables):
    assert set(REQUIRED_AREAS) <= set(seed_tables["areas"]["name"])


def test_every_quote_span_contains_the_location_as_written(seed_tables, documents):
    checked = 0
    for table, name_column in (("incidents", "location"), ("areas", "name")):
        for row in seed_tables[table].to_dict("records"):
            span = documents[row["source_file"]][row["quote_start"]:row["quote_end"]]
            assert span.strip(), f"{row} points at an empty span"
            if row[name_column]:
                assert row[name_column] in span, (row[name_column], span)
                checked += 1
    assert checked >= 30


def test_summaries_are_ours_not_sentences_from_the_documents(seed_tables, documents):
    """No summary shares a run of seven words with a document."""
    def shingles(text: str, n: int = 7) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}

    document_runs = set().union(*(shingles(t) for t in documents.values()))
    for table in ("incidents", "areas"):
        for row in seed_tables[table].to_dict("records"):
            shared = shingles(row["summary"]) & document_runs
            assert not shared, (row["summary"], shared)


def test_every_record_file_is_its_sources_file(seed_tables):
    files = dict(zip(seed_tables["sources"]["source_id"], seed_tables["sources"]["file"],
                     strict=True))
    for table in ("incidents", "areas"):
        frame = seed_tables[table]
        assert (frame["source_file"] == frame["source_id"].map(files)).all()
