"""Death and injury figures with the qualifiers analysts rely on."""

from __future__ import annotations

import pytest

from geo.extract.figures import casualties, number


def figures(text: str) -> dict:
    return {k: (v.value, v.qualifier) if v else None for k, v in casualties(text).items()}


@pytest.mark.parametrize("text, killed", [
    ("leaving at least nine worshippers dead", (9, "at_least")),
    ("killed nearly 20 worshippers", (20, "about")),
    ("in which more than 50 people were killed", (50, "more_than")),
    ("some 70 people died", (70, "about")),
    ("dozens were killed", (24, "at_least")),
    ("killing 33 people", (33, "exact")),
    ("over 40 people dead", (40, "more_than")),
    ("the death toll rose to 149", (149, "exact")),
    ("More than one hundred and eighty people died", (180, "more_than")),
    ("killing up to a dozen", (12, "up_to")),
    ("forty-two were killed", (42, "exact")),
    ("killing 1,200", (1200, "exact")),
])
def test_killed_with_its_qualifier(text, killed):
    assert figures(text)["killed"] == killed


def test_dead_and_wounded_in_one_sentence_stay_apart():
    found = figures("leaving at least nine Christian worshipers dead and more than 50 people "
                    "seriously wounded")
    assert found == {"killed": (9, "at_least"), "injured": (50, "more_than")}
    assert figures("killing 63 and wounding nearly 200") == {"killed": (63, "exact"),
                                                             "injured": (200, "about")}


def test_the_toll_is_the_number_after_the_verb_not_its_subject():
    assert figures("Two explosions killed twenty-three")["killed"] == (23, "exact")


def test_a_toll_with_a_breakdown_keeps_the_total():
    text = "at least seven foreign fighters—three French and four Uzbek militants— were killed"
    assert figures(text)["killed"] == (7, "at_least")


def test_no_casualties_is_a_stated_zero():
    assert figures("No casualties were reported.") == {"killed": (0, "exact"),
                                                       "injured": (0, "exact")}


def test_numbers_that_are_not_tolls_are_ignored():
    assert figures("recruited more than 130 people and the killing of three amirs") == {
        "killed": None, "injured": None}


def test_number_words():
    assert [number(w) for w in ("one hundred and eighty", "a hundred", "hundreds", "ninety",
                                "twenty-one", "1,200")] == [180, 100, 200, 90, 21, 1200]


def test_a_date_beside_a_toll_is_not_the_toll():
    assert figures("in Jalalabad on 13 January 2016, in which seven guards were killed")[
        "killed"] == (7, "exact")
    assert figures("on 28 December 2017 left at least 41 dead")["killed"] == (41, "at_least")


def test_tolls_written_as_deaths_or_a_revised_toll():
    assert figures("the United Nations documented 53 deaths")["killed"] == (53, "exact")
    assert figures("officials revised the death toll of the 4 March attack to 63")[
        "killed"] == (63, "exact")


def test_a_toll_does_not_reach_back_past_another_verb():
    assert figures("Police said 3 suspects were arrested and one officer was killed.")[
        "killed"] == (1, "exact")
    assert figures("Fighting over two days left 12 dead.")["killed"] == (12, "exact")


def test_an_impossible_toll_is_not_read():
    assert figures("killed 99999999999999999999999 people")["killed"] is None


def test_victims_told_one_by_one_are_counted():
    assert figures("Gunmen shot dead Manmohan Singh near his shop")["killed"] == (1, "exact")
    assert figures("Satnam Singh, a healer, was shot dead in his clinic")["killed"] == (
        1, "exact")
    assert figures("A Sikh worshipper and a Taliban guard were killed.")["killed"] == (
        2, "exact")
    assert figures("The toll reached 33.")["killed"] == (33, "exact")
