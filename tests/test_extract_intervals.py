"""The span look-ups that keep extraction linear give the answers of a scan of the whole list."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpuskit.extract.intervals import SortedSpans, greedy_disjoint

spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)).map(lambda p: (p[0], p[0] + p[1])), max_size=40)


def disjoint_sorted(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-empty, non-overlapping spans in text order (like tokens or a Doc's entities)."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if end > start and (not kept or start >= kept[-1][1]):
            kept.append((start, end))
    return kept


@given(spans)
@settings(max_examples=300)
def test_greedy_disjoint_is_the_scan(candidates: list[tuple[int, int]]) -> None:
    chosen: list[tuple[int, int]] = []
    expected = []
    for start, end in candidates:
        keep = all(end <= s or start >= e for s, e in chosen)
        if keep:
            chosen.append((start, end))
        expected.append(keep)
    assert greedy_disjoint(candidates) == expected


@given(spans, st.integers(-2, 75), st.integers(-2, 75))
@settings(max_examples=300)
def test_sorted_span_lookups_are_the_scans(found: list[tuple[int, int]], a: int, b: int) -> None:
    items = disjoint_sorted(found)
    index = SortedSpans(items)
    assert SortedSpans.fits(items)
    lo, hi = index.within(a, b)
    assert items[lo:hi] == [(s, e) for s, e in items if s >= a and e <= b]
    assert index.ending_by(a) == sum(e <= a for _, e in items)
    assert index.starting_before(a) == sum(s < a for s, _ in items)
    holding = [k for k, (s, e) in enumerate(items) if s <= a < e]
    assert index.holding(a) == (holding[0] if holding else None)
    assert index.strictly_holding(a) == any(s < a < e for s, e in items)


def test_unsorted_spans_do_not_fit() -> None:
    assert not SortedSpans.fits([(5, 9), (0, 3)])
    assert not SortedSpans.fits([(0, 9), (2, 3)])
