"""geo.aggregates: counts per cell add up across pieces, and the page's rows keep them."""

from __future__ import annotations

import pandas as pd

from bench.synthetic import synthetic_placed
from geo.aggregates import CELL_DEGREES, cell_counts, combine
from maps.payload import cell_rows, histogram


def test_counts_of_pieces_add_up_to_the_counts_of_the_whole(gazetteer):
    incidents = synthetic_placed(3000, gazetteer).incidents
    whole = cell_counts(incidents)
    pieces = combine(cell_counts(part) for part in (incidents[:1000], incidents[1000:1700],
                                                    incidents[1700:]))
    pd.testing.assert_frame_equal(pieces, whole)
    assert whole["incidents"].sum() == 3000
    deaths = incidents["fatalities"].astype("Float64").sum()
    assert whole["deaths"].sum() == deaths
    assert len(whole) < 3000  # towns repeat: the counts are fewer than the records


def test_a_cell_is_named_by_its_south_west_corner():
    frame = pd.DataFrame({"latitude": [34.51, 34.74, -0.01], "longitude": [69.19, 69.01, 0.3],
                          "admin1": ["Kabul"] * 3, "country": ["AF"] * 3,
                          "date_start": ["2019-03-04", "2019-03-31", "2019-04-01"],
                          "event_type": ["bombing"] * 3, "fatalities": [3, None, 1]})
    counts = cell_counts(frame)
    assert counts[["cell_lat", "cell_lon", "month", "incidents"]].values.tolist() == [
        [-1, 1, "2019-04", 1], [138, 276, "2019-03", 2]]
    assert counts["deaths"].tolist() == [1, 3]  # an unstated toll adds nothing
    assert CELL_DEGREES == 0.25


def test_page_rows_span_their_month_and_count_their_incidents():
    frame = pd.DataFrame({"latitude": [34.51, 34.52, 34.53], "longitude": [69.19] * 3,
                          "admin1": ["Kabul"] * 3, "country": ["AF"] * 3,
                          "date_start": ["2020-02-04", "2020-02-28", "2019-12-01"],
                          "event_type": ["bombing"] * 3, "fatalities": [None, None, 2]})
    rows = cell_rows(cell_counts(frame))
    assert rows[["date_start", "date_end", "incidents"]].values.tolist() == [
        ["2019-12-01", "2019-12-31", 1], ["2020-02-01", "2020-02-29", 2]]
    assert rows["latitude"].tolist() == [34.625, 34.625]
    assert histogram(rows, rows["incidents"])["counts"] == [1, 0, 2]
