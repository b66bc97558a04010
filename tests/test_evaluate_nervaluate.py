"""Differential tests against nervaluate on generated inputs.

nervaluate treats ``end`` as inclusive, so spans are handed over as ``end - 1``. It pairs
greedily (predictions in list order, each taking the first free gold it overlaps), which can
miss an exact match or a larger pairing; on inputs where greedy pairing cannot go wrong the
counts must be identical, and the cases where it does go wrong are pinned below with the
numbers each side gives.
"""

from __future__ import annotations

from typing import Any

import nervaluate
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuskit.evaluate.counts import Counts
from corpuskit.evaluate.spans import SpanTuple, evaluate_spans, score_spans

LABELS = ["PER", "ORG", "LOC"]
NV_NAME = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


def run_nervaluate(gold: list[list[SpanTuple]], pred: list[list[SpanTuple]]) -> Any:
    def convert(docs: list[list[SpanTuple]]) -> list[list[dict[str, Any]]]:
        return [[{"label": lab, "start": s, "end": e - 1} for s, e, lab in doc] for doc in docs]

    return nervaluate.Evaluator(convert(gold), convert(pred), tags=LABELS, loader="dict").evaluate()


def as_counts(result: Any) -> Counts:
    return Counts(result.correct, result.incorrect, result.partial, result.missed, result.spurious)


@st.composite
def disjoint_spans(draw: st.DrawFn, max_spans: int = 5, width: int = 40) -> list[SpanTuple]:
    """Non-overlapping spans in text order, as an IOB tagger produces them."""
    n = draw(st.integers(0, max_spans))
    points = sorted(draw(st.lists(st.integers(0, width), min_size=2 * n, max_size=2 * n, unique=True)))
    labels = draw(st.lists(st.sampled_from(LABELS), min_size=n, max_size=n))
    return [(points[2 * i], points[2 * i + 1], labels[i]) for i in range(n)]


def overlaps(a: SpanTuple, b: SpanTuple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def one_to_one(gold: list[SpanTuple], pred: list[SpanTuple]) -> bool:
    """Every span overlaps at most one span of the other side: no pairing choice exists."""
    return all(sum(overlaps(g, p) for p in pred) <= 1 for g in gold) and all(
        sum(overlaps(g, p) for g in gold) <= 1 for p in pred
    )


def assert_same(ours: Any, theirs: Any, schemas: tuple[str, ...], per_label: bool) -> None:
    for schema in schemas:
        mine = ours.schema(schema)
        assert mine.total == as_counts(theirs["overall"][NV_NAME[schema]]), schema
        nv_overall = theirs["overall"][NV_NAME[schema]]
        assert mine.precision == pytest.approx(nv_overall.precision)
        assert mine.recall == pytest.approx(nv_overall.recall)
        assert mine.f1 == pytest.approx(nv_overall.f1)
        if per_label:
            assert set(mine.by_label) == set(theirs["entities"])
            for label, counts in mine.by_label.items():
                assert counts == as_counts(theirs["entities"][label][NV_NAME[schema]]), (schema, label)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(disjoint_spans(), disjoint_spans()), min_size=1, max_size=4))
def test_disjoint_spans_match_nervaluate_for_strict_exact_partial(docs: list[Any]) -> None:
    # With non-overlapping spans on each side, greedy pairing in text order is maximum and
    # never steals an exact match, so every count agrees, overall and per label.
    gold = [g for g, _ in docs]
    pred = [p for _, p in docs]
    assert_same(evaluate_spans(gold, pred), run_nervaluate(gold, pred), ("strict", "exact", "partial"), per_label=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(disjoint_spans(), disjoint_spans()), min_size=1, max_size=4))
def test_unambiguous_pairings_match_nervaluate_for_every_schema(docs: list[Any]) -> None:
    docs = [(g, p) for g, p in docs if one_to_one(g, p)]
    if not docs:
        return
    gold = [g for g, _ in docs]
    pred = [p for _, p in docs]
    assert_same(
        evaluate_spans(gold, pred), run_nervaluate(gold, pred), ("strict", "exact", "partial", "type"), per_label=True
    )


spans_anywhere = st.lists(
    st.tuples(st.integers(0, 20), st.integers(1, 8), st.sampled_from(LABELS)).map(lambda t: (t[0], t[0] + t[1], t[2])),
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(spans_anywhere, spans_anywhere)
def test_we_never_find_fewer_correct_than_greedy(gold: list[SpanTuple], pred: list[SpanTuple]) -> None:
    ours = score_spans(gold, pred)
    theirs = run_nervaluate([gold], [pred])
    for schema, name in NV_NAME.items():
        mine = ours.schema(schema).total
        other = as_counts(theirs["overall"][name])
        assert mine.correct >= other.correct, schema
        # Both sides account for every span exactly once.
        assert (mine.possible, mine.actual) == (other.possible, other.actual)


# Deliberate differences, each pinned with both answers.


def test_difference_greedy_takes_the_first_overlap_for_type() -> None:
    # nervaluate's ent_type: (2, 6, C) comes first and takes gold A as an incorrect match;
    # (19, 28, A), which overlaps the same gold with the right label, becomes spurious.
    gold, pred = [(3, 26, "PER")], [(2, 6, "LOC"), (19, 28, "PER")]
    assert as_counts(run_nervaluate([gold], [pred])["overall"]["ent_type"]) == Counts(incorrect=1, spurious=1)
    assert score_spans(gold, pred).type.total == Counts(correct=1, spurious=1)


def test_difference_greedy_loses_an_exact_match_to_an_earlier_overlap() -> None:
    gold = [(3, 11, "ORG"), (5, 12, "PER"), (11, 19, "ORG")]
    pred = [(5, 6, "LOC"), (5, 7, "LOC"), (5, 12, "LOC")]
    nv = run_nervaluate([gold], [pred])["overall"]["exact"]
    assert as_counts(nv) == Counts(incorrect=3)
    # (5, 12) is an exact boundary match; of (5, 6) and (5, 7) only one can pair with (3, 11).
    assert score_spans(gold, pred).exact.total == Counts(correct=1, incorrect=1, missed=1, spurious=1)


def test_difference_greedy_pairing_is_not_maximum() -> None:
    gold = [(10, 18, "LOC"), (19, 23, "PER")]
    pred = [(15, 22, "PER"), (16, 18, "LOC")]
    nv = run_nervaluate([gold], [pred])["overall"]["strict"]
    assert as_counts(nv) == Counts(incorrect=1, missed=1, spurious=1)
    assert score_spans(gold, pred).strict.total == Counts(incorrect=2)


def test_difference_nervaluate_needs_one_percent_overlap() -> None:
    # nervaluate's min_overlap_percentage (at least 1.0) is measured against the gold length:
    # one shared character of a 200-character gold span is 0.5 % and does not count there.
    gold, pred = [(0, 200, "ORG")], [(199, 210, "ORG")]
    nv = run_nervaluate([gold], [pred])["overall"]["partial"]
    assert as_counts(nv) == Counts(missed=1, spurious=1)
    assert score_spans(gold, pred).partial.total == Counts(partial=1)
