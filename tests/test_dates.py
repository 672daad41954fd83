"""Dates as reports write them: every form the extractor reads, with its precision."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.extract.dates import When, find_dates, parse_when, resolve

D = dt.date
PUBLISHED_JAN_2018 = parse_when("2018-01")
PUBLISHED_20_DEC_2017 = parse_when("20 December 2017")  # a Wednesday


def only(text: str, reference: When | None = PUBLISHED_JAN_2018,
         previous: When | None = None) -> When | None:
    found = find_dates(text)
    assert len(found) == 1, [m.text for m in found]
    return resolve(found[0], reference, previous)


@pytest.mark.parametrize("text", ["December 17, 2017", "17 December 2017", "2017-12-17",
                                  "Dec. 17, 2017", "17th of December 2017", "17 Dec 2017"])
def test_absolute_day_forms_all_give_the_same_day(text):
    assert only(text, reference=None) == When(D(2017, 12, 17), D(2017, 12, 17), "day")


def test_month_and_year_spans_its_month():
    assert only("in March 2017", reference=None) == When(D(2017, 3, 1), D(2017, 3, 31), "month")


def test_early_mid_and_late_narrow_a_month_to_its_thirds():
    assert only("in early January 2018", None) == When(D(2018, 1, 1), D(2018, 1, 10), "month")
    assert only("mid-March 2017", None) == When(D(2017, 3, 11), D(2017, 3, 20), "month")
    assert only("late February 2016", None) == When(D(2016, 2, 21), D(2016, 2, 29), "month")


def test_a_day_without_a_year_is_the_latest_on_or_before_publication():
    assert only("on December 17") == When(D(2017, 12, 17), D(2017, 12, 17), "day")
    assert only("on January 2") == When(D(2018, 1, 2), D(2018, 1, 2), "day")


def test_a_month_without_a_year_and_in_early_january():
    assert only("In July, the group") == When(D(2017, 7, 1), D(2017, 7, 31), "month")
    assert only("In early January") == When(D(2018, 1, 1), D(2018, 1, 10), "month")


def test_last_year_and_this_year_count_from_publication():
    assert only("last year") == When(D(2017, 1, 1), D(2017, 12, 31), "year")
    assert only("this year", PUBLISHED_20_DEC_2017) == When(D(2017, 1, 1), D(2017, 12, 20),
                                                            "year")
    assert only("on December 17 last year") == When(D(2017, 12, 17), D(2017, 12, 17), "day")
    assert only("In September last year") == When(D(2017, 9, 1), D(2017, 9, 30), "month")


def test_later_and_same_count_from_the_event_before():
    before = When(D(2017, 12, 17), D(2017, 12, 17), "day")
    assert only("two months later", previous=before) == When(D(2018, 2, 1), D(2018, 2, 28),
                                                             "month")
    assert only("the same night", previous=before) == before
    assert only("Three days later", previous=before) == When(D(2017, 12, 20), D(2017, 12, 20),
                                                             "day")
    assert only("later that month", previous=before) == When(D(2017, 12, 17), D(2017, 12, 31),
                                                             "month")
    assert only("two months later", previous=None) is None


def test_weekdays_and_days_ago_count_back_from_a_dated_publication():
    assert only("last Sunday", PUBLISHED_20_DEC_2017) == When(D(2017, 12, 17), D(2017, 12, 17),
                                                              "day")
    assert only("on Wednesday", PUBLISHED_20_DEC_2017).start == D(2017, 12, 20)
    assert only("last Wednesday", PUBLISHED_20_DEC_2017).start == D(2017, 12, 13)
    assert only("Eight days ago", PUBLISHED_20_DEC_2017).start == D(2017, 12, 12)
    assert only("last Sunday", PUBLISHED_JAN_2018) is None  # a month is not a day to count from


def test_may_the_verb_is_not_a_month():
    assert find_dates("Attackers may strike again. March on, they said.") == []
    assert [m.text for m in find_dates("in May the group")] == ["May"]


def test_a_date_that_does_not_exist_resolves_to_nothing():
    assert only("31 February 2017", reference=None) is None


def test_a_cited_report_caps_an_open_window():
    window = only("In early January", reference=parse_when("2018-01-02"))
    assert window.capped(D(2018, 1, 2)) == When(D(2018, 1, 1), D(2018, 1, 2), "month")


@pytest.mark.parametrize("text, expected", [
    ("2018-01", When(D(2018, 1, 1), D(2018, 1, 31), "month")),
    ("2019", When(D(2019, 1, 1), D(2019, 12, 31), "year")),
    ("10 April 2020", When(D(2020, 4, 10), D(2020, 4, 10), "day")),
    ("30 May 2019.", When(D(2019, 5, 30), D(2019, 5, 30), "day")),
    ("soon", None),
    ("10 April 2020 and 11 April 2020", None),
])
def test_publication_dates_as_users_write_them(text, expected):
    assert parse_when(text) == expected


def test_relative_words_read_alike_in_any_case():
    before = When(D(2018, 6, 10), D(2018, 6, 10), "day")
    ref = parse_when("2018-06-15")
    assert only("Last year, the", ref) == When(D(2017, 1, 1), D(2017, 12, 31), "year")
    assert only("Two Days later", ref, before).start == D(2018, 6, 12)
    assert only("Three weeks Earlier", ref, before).start < D(2018, 6, 10)
    assert only("Early March 2018", None) == When(D(2018, 3, 1), D(2018, 3, 10), "month")


def test_the_following_weekday_counts_from_the_event_before():
    friday = When(D(2021, 10, 8), D(2021, 10, 8), "day")
    assert only("The following Friday", previous=friday).start == D(2021, 10, 15)


def test_a_month_number_out_of_range_is_no_date():
    assert parse_when("2018-00") is None and parse_when("2018-13") is None
