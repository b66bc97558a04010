"""Scoring pulled answers against expected ones, in the grader's process, on plain JSON data.

Every rule returns the fraction of the points earned (0 to 1) and a message that says what is
wrong without giving the answer away.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corpuskit.course.spec import Question

if TYPE_CHECKING:
    from corpuskit.evaluate.counts import Counts

Fraction = tuple[float, str]


def score_value(question: Question, answer: Any, expected: Any) -> Fraction:
    """The fraction earned by a value answer under the question's ``compare`` rule.

    An answer whose shape the rule cannot compare (a list where a mapping is expected, a table
    with ragged rows) earns nothing: the answer's ``type`` is checked first, but a question with
    type ``any`` leaves the shape to this function.
    """
    rule = question.compare
    shape = _RULE_SHAPES.get(rule)
    if shape is not None and not shape[0](answer):
        return 0.0, f"the answer should be {shape[1]}"
    if rule == "exact":
        return (1.0, "") if _same(answer, expected) else (0.0, "")
    if rule == "close":
        ok = _number(answer) and math.isclose(float(answer), float(expected), rel_tol=0.0, abs_tol=question.tolerance)
        return (1.0, "") if ok else (0.0, "")
    if rule == "set":
        return _set_fraction(answer, expected)
    if rule == "mapping":
        return _mapping_fraction(answer, expected, question.tolerance)
    if rule == "table":
        return _table_fraction(answer, expected, question.columns, question.tolerance)
    raise ValueError(f"unknown compare rule {rule!r}")


def _is_table(value: Any) -> bool:
    from corpuskit.course.answers import type_problem

    return type_problem(value, "table") is None


_RULE_SHAPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "close": (lambda v: type(v) in (int, float), "a number"),
    "set": (lambda v: isinstance(v, list), "a list"),
    "mapping": (lambda v: isinstance(v, dict), "a dict"),
    "table": (_is_table, "a pandas DataFrame"),
}


def _number(value: Any) -> bool:
    return type(value) in (int, float)


def _same(a: Any, b: Any, tolerance: float = 0.0) -> bool:
    """Equality of plain JSON data, with a tolerance for numbers and no bool/int confusion."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if _number(a) and _number(b):
        return math.isclose(float(a), float(b), rel_tol=0.0, abs_tol=tolerance)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y, tolerance) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], tolerance) for k in a)
    return type(a) is type(b) and bool(a == b)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _set_fraction(answer: Sequence[Any], expected: Sequence[Any]) -> Fraction:
    got = {_hashable(a) for a in answer}
    want = {_hashable(e) for e in expected}
    if got == want:
        return 1.0, ""
    right = len(got & want)
    f1 = 2 * right / (len(got) + len(want)) if got or want else 1.0
    return f1, f"{right} of your {len(got)} item(s) are right; {len(want) - right} expected item(s) are missing"


def _mapping_fraction(answer: Mapping[str, Any], expected: Mapping[str, Any], tolerance: float) -> Fraction:
    right = sum(1 for key, value in expected.items() if key in answer and _same(answer[key], value, tolerance))
    extra = len(set(answer) - set(expected))
    total = len(expected) + extra
    if right == len(expected) and not extra:
        return 1.0, ""
    parts = [f"{right} of {len(expected)} expected keys have the right value"]
    if extra:
        parts.append(f"{extra} key(s) should not be there")
    return (right / total if total else 0.0), "; ".join(parts)


def table_rows(table: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A DataFrame in ``to_json(orient="split")`` form as ``{index: {column: value}}``."""
    columns = list(table["columns"])
    return {
        str(index): dict(zip(columns, row, strict=False))
        for index, row in zip(table["index"], table["data"], strict=False)
    }


def _table_fraction(
    answer: Mapping[str, Any], expected: Mapping[str, Mapping[str, Any]], columns: Sequence[str], tolerance: float
) -> Fraction:
    got_columns = set(answer["columns"])
    missing = [c for c in columns if c not in got_columns]
    if missing:
        return 0.0, f"the table has no column(s) {', '.join(map(repr, missing))}"
    rows = table_rows(answer)
    # A column of whole numbers must hold ints: 3.0 where 3 is asked is the wrong type, as for an int answer.
    floats = [
        c
        for c in columns
        if any(type(want.get(c)) is int for want in expected.values())
        and any(type(row.get(c)) is float for row in rows.values())
    ]
    if floats:
        return 0.0, f"the column(s) {', '.join(map(repr, floats))} should hold whole numbers (ints), not floats"
    right = sum(
        1
        for key, want in expected.items()
        if key in rows and all(_same(rows[key].get(c), want[c], tolerance) for c in columns)
    )
    extra = len(set(rows) - set(expected))
    total = len(expected) + extra
    if right == len(expected) and not extra:
        return 1.0, ""
    message = f"{right} of {len(expected)} expected rows are right"
    if extra:
        message += f"; {extra} row(s) should not be there"
    return (right / total if total else 0.0), message


def scaled(measured: float, zero_at: float, full_at: float) -> float:
    """The fraction of the points a measured F1 earns: none up to ``zero_at``, all from ``full_at``,
    in proportion between. ``zero_at`` is the F1 trivial solutions reach, so they earn nothing
    beyond it."""
    if measured >= full_at:
        return 1.0
    if measured <= zero_at or full_at <= zero_at:
        return 0.0
    return (measured - zero_at) / (full_at - zero_at)


def earned(question: Question, fraction: float) -> float:
    """Points for a fraction under the question's partial-credit rule."""
    if fraction >= 1.0 - 1e-9:
        return question.points
    if question.partial == "none":
        return 0.0
    return round(question.points * max(0.0, fraction), 2)


# --- held-out spans --------------------------------------------------------------------------

FLAT_LAYERS = ("entities", "timexes")
"""Held-out layers whose gold spans never overlap, so predictions are flattened before scoring."""


def flatten_spans(spans: Sequence[tuple[int, int, str]]) -> tuple[list[tuple[int, int, str]], int]:
    """The spans with no two overlapping, as spaCy's ``filter_spans`` keeps them: identical spans
    count once, and of overlapping spans the longest is kept (of equally long ones, the earliest).
    Also the number of spans dropped.

    Gold entities and time expressions are flat, and a matching that takes overlap for a match
    would otherwise let many copies of one wide span (the whole text, say) each pair with another
    gold span.
    """
    # Offsets are replaced by their rank among all offsets, so "cell" i is [points[i], points[i + 1]).
    # An empty span (p, p) takes the cell starting at p: it clashes with a span holding p, as in spaCy.
    points = sorted({offset for s, e, _ in spans for offset in (s, e)})
    rank = {offset: i for i, offset in enumerate(points)}
    taken = bytearray(len(points) + 1)  # cells inside a kept span
    starts = _Counter(len(points) + 1)  # cells where a kept span starts
    kept: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        first, last = rank[span[0]], max(rank[span[1]], rank[span[0]] + 1)
        # Kept spans never overlap, so one overlaps this span iff it holds its first cell or starts inside it.
        if taken[first] or starts.between(first + 1, last):
            continue
        kept.append(span)
        taken[first:last] = b"\x01" * (last - first)
        starts.add(first)
    kept.sort(key=lambda s: (s[0], s[1]))
    return kept, len(spans) - len(kept)


class _Counter:
    """Counts at positions 0..size-1 with sums over a range in logarithmic time (a Fenwick tree)."""

    def __init__(self, size: int) -> None:
        self.tree = [0] * (size + 1)

    def add(self, position: int) -> None:
        i = position + 1
        while i < len(self.tree):
            self.tree[i] += 1
            i += i & -i

    def _below(self, position: int) -> int:
        total, i = 0, position
        while i > 0:
            total += self.tree[i]
            i -= i & -i
        return total

    def between(self, first: int, last: int) -> bool:
        """Whether any count lies in positions ``first`` to ``last - 1``."""
        return last > first and self._below(last) > self._below(first)


# --- held-out quotes -------------------------------------------------------------------------

QUOTE_LAYERS = ("quotes", "attributions")
"""Held-out layers scored by quote matching: ``quotes`` counts found contents, ``attributions``
counts a quote only when its content is found *and* its speaker is right."""


def speaker_key(name: str) -> str:
    """How speaker names are compared: case and runs of spaces do not matter."""
    return " ".join(str(name).split()).casefold()


def speaker_names(quote: Any, doc: Any) -> frozenset[str]:
    """The names that count as the right speaker of a gold quote, as :func:`speaker_key` gives them:
    its source as written, the speaker cluster's name and every mention of that cluster
    ("Trump", "Donald Trump", "The U.S. president", "he", ...)."""
    names = {quote.source.text} if quote.source is not None else set()
    for cluster in doc.clusters:
        if quote.speaker is not None and cluster.id == quote.speaker:
            names |= {cluster.name, *(m.text for m in cluster.mentions)}
    return frozenset(speaker_key(n) for n in names)


@dataclass(frozen=True, slots=True)
class QuoteScore:
    """Held-out quote scores at one overlap threshold: contents found, speakers right on them."""

    overlap: float
    content: Counts
    attribution: Counts
    speakers_right: int
    matched: int


def score_quotes(
    gold: Sequence[Sequence[tuple[int, int, str]]],
    speakers: Sequence[Sequence[frozenset[str]]],
    predictions: Sequence[Sequence[tuple[int, int, str]]],
    overlap: float,
    within: float = 0.0,
) -> QuoteScore:
    """Match predicted ``(start, end, speaker)`` quotes to gold contents per document with
    :func:`corpuskit.evaluate.layers.match_quotes`: each gold quote in turn takes the unpaired
    prediction covering the largest share of it, above ``overlap``, among the predictions that
    lie at least ``within`` inside it. With ``within`` 0 this is the Gender Gap Tracker's
    matching; above 0, a paragraph or a whole text returned as one quote finds nothing.

    A found quote's speaker is right when the predicted name is one of the gold quote's
    ``speakers`` (see :func:`speaker_names`).
    """
    from corpuskit.evaluate.counts import Counts
    from corpuskit.evaluate.layers import match_quotes
    from corpuskit.model import Quote, Span

    def quotes(items: Sequence[tuple[int, int, str]]) -> list[Quote]:
        return [Quote(str(i), Span(s, e, ""), None, None, None, "direct") for i, (s, e, _) in enumerate(items)]

    content, attribution, right_total, matched_total = Counts(), Counts(), 0, 0
    for doc_gold, doc_speakers, doc_pred in zip(gold, speakers, predictions, strict=True):
        pairs = match_quotes(quotes(doc_gold), quotes(doc_pred), overlap, within)
        right = sum(speaker_key(doc_pred[p][2]) in doc_speakers[g] for g, p in pairs)
        n = len(pairs)
        content += Counts(correct=n, missed=len(doc_gold) - n, spurious=len(doc_pred) - n)
        attribution += Counts(correct=right, missed=len(doc_gold) - right, spurious=len(doc_pred) - right)
        right_total, matched_total = right_total + right, matched_total + n
    return QuoteScore(overlap, content, attribution, right_total, matched_total)
