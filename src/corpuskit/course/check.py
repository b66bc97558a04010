"""Visible checks for students: quick, specific hints in the notebook, never a grade.

Each helper raises ``AssertionError`` with a hint a student can act on, in the style of the
spaCy course (``assert cond, "hint"``). The checks look at types, shapes and consistency,
never at the expected answer, which stays with the grader.

>>> from corpuskit.course.check import check_type
>>> check_type(3, int, "n_sections")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def check_defined(namespace: Mapping[str, Any], *names: str) -> None:
    """Every name is defined (pass ``globals()``)."""
    for name in names:
        assert name in namespace, f"`{name}` is not defined yet: run the cell where you define it."


def check_type(value: Any, expected: type | tuple[type, ...], name: str) -> None:
    """``value`` has the expected type (``bool`` does not pass for ``int``)."""
    types = expected if isinstance(expected, tuple) else (expected,)
    wrong_bool = isinstance(value, bool) and bool not in types
    names = " or ".join(t.__name__ for t in types)
    hint = f"`{name}` should be a {names}, but it is a {type(value).__name__}."
    assert isinstance(value, types) and not wrong_bool, hint


def check_between(value: float, low: float, high: float, name: str, why: str = "") -> None:
    """``low <= value <= high``: a plausibility range, not the answer."""
    hint = f" {why}" if why else ""
    assert low <= value <= high, f"`{name}` is {value}, which cannot be right: expect {low} to {high}.{hint}"


def check_spans(spans: Iterable[Any], text: str, name: str = "the spans", labels: Iterable[str] | None = None) -> None:
    """A list of ``(start, end, label)`` triples with valid offsets into ``text``."""
    allowed = None if labels is None else set(labels)
    items = list(spans)
    for item in items:
        assert isinstance(item, (tuple, list)) and len(item) == 3, (
            f"Each item of {name} should be a (start, end, label) tuple; found {item!r}."
        )
        start, end, label = item
        assert isinstance(start, int) and isinstance(end, int), f"Offsets should be ints; found {item!r}."
        assert 0 <= start < end <= len(text), (
            f"{item!r} is not a span of the text: offsets count characters, start < end <= len(text)."
        )
        known = sorted(allowed or ())
        assert allowed is None or label in allowed, f"Unknown label {label!r} in {item!r}; use one of {known}."
    assert len(set(map(tuple, items))) == len(items), f"{name} lists the same span twice."


def check_same_keys(mapping: Mapping[str, Any], keys: Iterable[str], name: str) -> None:
    """``mapping`` has exactly these keys (order does not matter)."""
    want, got = set(keys), set(mapping)
    missing, extra = sorted(want - got), sorted(got - want)
    assert not missing, f"`{name}` is missing the key(s) {missing}."
    assert not extra, f"`{name}` has key(s) it should not have: {extra}."


def passed(message: str = "Well done!") -> None:
    """Print the success message at the end of a check cell."""
    print(f"\u2714 {message}")
