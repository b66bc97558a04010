"""The checks no schema can say: calendar dates without datetime, TIMEX3 values."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuskit.validate import _real_date, timex_value


@given(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99))
def test_real_dates_are_the_ones_datetime_accepts(year: int, month: int, day: int) -> None:
    value = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        date.fromisoformat(value)
    except ValueError:
        expected = False
    else:
        expected = True
    assert _real_date(value) == expected, value


@pytest.mark.parametrize(
    "value",
    [
        "2018",
        "2018-06",
        "2019-02-28",
        "2019-02-27TNI",
        "2019-02-28T07:00Z",
        "2019-02-28T14:00+07:00",
        "2019-W09",
        "2019-Q1",
        "2019-SU",
        "XXXX-06",
        "P2D",
        "PT2H",
        "PXY",
        "P1Y2M",
        "FUTURE_REF",
        "PAST_REF",
        "PRESENT_REF",
    ],
)
def test_timex3_values_of_every_kind_are_well_formed(value: str) -> None:
    assert timex_value().fullmatch(value)


@pytest.mark.parametrize("value", ["soon", "2019/02/28", "T", "P", "2019-02-28\n", "FUTURE", "28-02-2019"])
def test_other_values_are_not(value: str) -> None:
    assert not timex_value().fullmatch(value)
