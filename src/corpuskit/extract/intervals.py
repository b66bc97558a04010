"""Look-ups over sorted character spans in logarithmic time, so extraction stays linear in the
text's length: a greedy choice of non-overlapping spans, the span holding a position, and the
spans lying within a range.

Each function gives the answer a scan of the whole list would give; the extractors call them
once per sentence, word or candidate, where a scan would make a long text quadratic.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Sequence
from itertools import pairwise


class DisjointSpans:
    """A growing set of pairwise non-overlapping, non-empty ``[start, end)`` spans.

    >>> taken = DisjointSpans()
    >>> taken.add(5, 9); taken.overlaps(8, 12), taken.overlaps(9, 12)
    (True, False)
    """

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` shares a character with a span of the set."""
        # The spans are disjoint and non-empty, so their ends are sorted like their starts: only
        # the last span starting before ``end`` can reach past ``start``.
        i = bisect_left(self._starts, end) - 1
        if start == end:
            # An empty span overlaps a span that holds its position strictly inside.
            return i >= 0 and self._starts[i] < start < self._ends[i]
        return i >= 0 and self._ends[i] > start

    def add(self, start: int, end: int) -> None:
        """Add a non-empty span that overlaps none of the set."""
        i = bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


def greedy_disjoint(spans: Sequence[tuple[int, int]]) -> list[bool]:
    """For spans in order of preference, whether each is kept: a span is kept when it overlaps
    none kept before it (an empty span overlaps a span that holds its position strictly inside).

    >>> greedy_disjoint([(0, 5), (3, 8), (5, 8), (6, 6)])
    [True, False, True, False]
    """
    taken = DisjointSpans()
    points: list[int] = []  # the positions of the empty spans kept
    kept: list[bool] = []
    for start, end in spans:
        keep = not taken.overlaps(start, end)
        if keep and end > start:
            # A kept empty span at p blocks a later span with start < p < end.
            keep = bisect_right(points, start) == bisect_left(points, end)
        if keep:
            if end > start:
                taken.add(start, end)
            else:
                insort(points, start)
        kept.append(keep)
    return kept


class SortedSpans:
    """Spans sorted by start whose ends are sorted too (non-overlapping spans, or tokens).

    >>> spans = SortedSpans([(0, 3), (4, 7), (8, 12)])
    >>> spans.within(3, 12), spans.holding(5), spans.holding(7)
    ((1, 3), 1, None)
    """

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    @staticmethod
    def fits(spans: Sequence[tuple[int, int]]) -> bool:
        """Whether both starts and ends of ``spans`` are in non-decreasing order."""
        return all(a[0] <= b[0] and a[1] <= b[1] for a, b in pairwise(spans))

    def within(self, start: int, end: int) -> tuple[int, int]:
        """The index range ``[lo, hi)`` of the spans with ``start <= s`` and ``e <= end``."""
        lo = bisect_left(self.starts, start)
        return lo, max(lo, bisect_right(self.ends, end))

    def ending_by(self, position: int) -> int:
        """How many spans end at or before ``position`` (they come first)."""
        return bisect_right(self.ends, position)

    def starting_before(self, position: int) -> int:
        """How many spans start before ``position`` (they come first)."""
        return bisect_left(self.starts, position)

    def holding(self, position: int) -> int | None:
        """The index of the span with ``s <= position < e``, for spans that do not overlap."""
        i = bisect_right(self.starts, position) - 1
        return i if i >= 0 and position < self.ends[i] else None

    def strictly_holding(self, position: int) -> bool:
        """Whether a span has ``s < position < e``, for spans that do not overlap."""
        i = bisect_left(self.starts, position) - 1
        return i >= 0 and position < self.ends[i]
