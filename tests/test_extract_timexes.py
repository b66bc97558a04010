"""TIMEX3 recognition and normalisation against a document creation time (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest

from corpuskit.extract.timexes import (
    clock_value,
    duration_value,
    find_timexes,
    normalise,
    resolve_month,
    resolve_weekday,
    shift,
)

DCT = "2019-02-28"  # a Thursday


@pytest.mark.parametrize(
    ("weekday", "future", "expected"),
    [
        ("Wednesday", False, "2019-02-27"),  # the day before the DCT
        ("Thursday", False, "2019-02-28"),  # the DCT itself
        ("Friday", False, "2019-02-22"),  # past reading: last week's Friday
        ("Friday", True, "2019-03-01"),  # future reading: tomorrow
        ("Monday", True, "2019-03-04"),
    ],
)
def test_weekday_before_and_after_the_dct(weekday: str, future: bool, expected: str) -> None:
    assert resolve_weekday(weekday, date(2019, 2, 28), future=future).isoformat() == expected


def test_month_without_year_is_the_most_recent_past_one() -> None:
    assert resolve_month("June", date(2019, 2, 28)) == "2018-06"
    assert resolve_month("February", date(2019, 2, 28)) == "2019-02"
    assert resolve_month("January", date(2019, 2, 28)) == "2019-01"
    assert resolve_month("June", date(2019, 2, 28), future=True) == "2019-06"


def test_month_reading_follows_the_tense_of_its_sentence() -> None:
    past = find_timexes("They agreed at their summit in June.", DCT)
    future = find_timexes("They will meet again in June.", DCT)
    assert [(t.text, t.value) for t in past] == [("June", "2018-06")]
    assert [(t.text, t.value) for t in future] == [("June", "2019-06")]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("a year ago", "DATE", "2018"),
        ("three weeks ago", "DATE", "2019-W06"),
        ("two days ago", "DATE", "2019-02-26"),
        ("the following day", "DATE", "2019-03-01"),
        ("today", "DATE", "2019-02-28"),
        ("yesterday", "DATE", "2019-02-27"),
        ("tomorrow morning", "TIME", "2019-03-01TMO"),
        ("Wednesday night", "TIME", "2019-02-27TNI"),
        ("Thursday, Feb. 28, 2019", "DATE", "2019-02-28"),
        ("March 2018", "DATE", "2018-03"),
        ("last year", "DATE", "2018"),
        ("next week", "DATE", "2019-W10"),
        ("2 p.m. local time", "TIME", "2019-02-28T14:00"),
        ("0700 GMT", "TIME", "2019-02-28T07:00Z"),
        ("10:30 a.m. EST", "TIME", "2019-02-28T10:30-05:00"),
        ("noon", "TIME", "2019-02-28T12:00"),
        ("two hours", "DURATION", "PT2H"),
        ("two-day", "DURATION", "P2D"),
        ("two more days", "DURATION", "P2D"),
        ("15 minutes", "DURATION", "PT15M"),
        ("several weeks", "DURATION", "PXW"),
        ("a long time", "DURATION", "PXY"),
        ("every Monday", "SET", "XXXX-WXX-1"),
        ("the days and weeks ahead", "DATE", "FUTURE_REF"),
        ("the future", "DATE", "FUTURE_REF"),
    ],
)
def test_normalise(text: str, kind: str, value: str) -> None:
    assert normalise(text, DCT) == (kind, value)


def test_relative_expressions_count_from_their_anchor() -> None:
    assert normalise("the following day", DCT, anchor="2019-02-27") == ("DATE", "2019-02-28")
    found = find_timexes("They met on Wednesday night and again the following day.", DCT)
    assert [(t.text, t.value) for t in found] == [
        ("Wednesday night", "2019-02-27TNI"),
        ("the following day", "2019-02-28"),
    ]


def test_local_time_takes_its_offset_from_the_bracketed_zoned_time() -> None:
    found = find_timexes("The press conference moved to 2 p.m. local time (0700 GMT).", DCT)
    assert [(t.text, t.type, t.value) for t in found] == [
        ("2 p.m. local time", "TIME", "2019-02-28T14:00+07:00"),
        ("0700 GMT", "TIME", "2019-02-28T07:00Z"),
    ]


def test_helpers() -> None:
    assert shift(date(2019, 2, 28), -1, "year") == "2018"
    assert shift(date(2019, 2, 28), 1, "month") == "2019-03"
    assert shift(date(2019, 1, 15), -1, "month") == "2018-12"
    assert duration_value(2, "hours") == "PT2H"
    assert duration_value(None, "years") == "PXY"
    assert clock_value(12, 0, "a.m.", date(2019, 2, 28)) == "2019-02-28T00:00"
    assert clock_value(7, 0, None, date(2019, 2, 28), "GMT") == "2019-02-28T07:00Z"


def test_offsets_are_exact_and_prepositions_are_outside() -> None:
    text = "Kim is scheduled to stay here for two more days, Trump said on Thursday."
    found = find_timexes(text, DCT)
    assert [(t.text, text[t.start : t.end]) for t in found] == [
        ("two more days", "two more days"),
        ("Thursday", "Thursday"),
    ]


def test_without_a_dct_relative_values_stay_underspecified() -> None:
    (found,) = find_timexes("The vote is on Monday.", None)
    assert found.value == "XXXX-XX-XX"
    (absolute,) = find_timexes("The vote was on Feb. 3, 2017.", None)
    assert absolute.value == "2017-02-03"


def test_unknown_expression_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a time expression"):
        normalise("the budget", DCT)
