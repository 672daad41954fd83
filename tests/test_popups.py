"""Popup text: dates said as precisely as they are known, figures with their qualifiers."""

from __future__ import annotations

import pytest

from maps.popups import describe_dates, describe_figure


@pytest.mark.parametrize("start, end, precision, text", [
    ("2017-12-17", "2017-12-17", "day", "17 Dec 2017"),
    ("2017-10-01", "2017-10-20", "month", "Oct 2017 (month precision)"),
    ("2018-01-01", "2018-01-02", "week", "1 Jan 2018 to 2 Jan 2018 (week precision)"),
    ("2017-12-01", "", "month", "Dec 2017 onwards (month precision)"),
    ("2015-01-01", "", "year", "2015 onwards (year precision)"),
])
def test_dates_say_no_more_than_their_precision(start, end, precision, text):
    assert describe_dates(start, end, precision) == text


@pytest.mark.parametrize("value, qualifier, text", [
    (9, "at_least", "at least 9"), (20, "about", "about 20"), (70, "more_than", "more than 70"),
    (5, "", "5"), (None, "", ""),
])
def test_figures_carry_their_qualifier(value, qualifier, text):
    assert describe_figure(value, qualifier) == text
