"""Bootstrap intervals: deterministic with a seed, around the point estimate, honest width."""

from __future__ import annotations

import pytest

from corpuskit.evaluate.bootstrap import bootstrap, bootstrap_entities, sentence_counts
from corpuskit.evaluate.counts import Counts
from corpuskit.model import Document, Entity

TEXT = "Kim met Trump. Trump left Hanoi. Kim stayed. Pompeo spoke."


def make(entities: list[tuple[int, int, str]]) -> Document:
    return Document(
        "d",
        TEXT,
        {"title": "t", "creation_time": "2019-02-28"},
        entities=tuple(Entity(str(i), s, e, TEXT[s:e], lab) for i, (s, e, lab) in enumerate(entities)),
    )


GOLD = make(
    [(0, 3, "PERSON"), (8, 13, "PERSON"), (15, 20, "PERSON"), (26, 31, "GPE"), (33, 36, "PERSON"), (45, 51, "PERSON")]
)
PRED = make([(0, 3, "PERSON"), (8, 13, "PERSON"), (15, 20, "ORG"), (26, 31, "GPE"), (45, 58, "PERSON")])


def test_sentence_counts_sum_to_the_document_total() -> None:
    units = sentence_counts(
        [TEXT],
        [[(e.start, e.end, e.label) for e in GOLD.entities]],
        [[(e.start, e.end, e.label) for e in PRED.entities]],
    )
    assert units == [
        Counts(correct=2),  # Kim met Trump.
        Counts(correct=1, incorrect=1),  # Trump(ORG) left Hanoi.
        Counts(missed=1),  # Kim stayed.
        Counts(incorrect=1),  # "Pompeo spoke" against gold "Pompeo"
    ]
    assert sum(units, Counts()) == Counts(correct=3, incorrect=2, missed=1)


def test_bootstrap_is_deterministic_and_brackets_the_point() -> None:
    first = bootstrap_entities([GOLD], [PRED], seed=7, resamples=500)
    again = bootstrap_entities([GOLD], [PRED], seed=7, resamples=500)
    assert first == again
    # strict: 3 correct of 5 predicted and 6 gold: P 0.6, R 0.5, F1 6/11.
    assert first.point == pytest.approx(6 / 11)
    assert first.low <= first.point <= first.high
    assert first.units == 4
    # Four sentences prove little: the interval is wide.
    assert first.high - first.low > 0.3


def test_other_seed_other_interval_same_point() -> None:
    a = bootstrap_entities([GOLD], [PRED], seed=1, resamples=200)
    b = bootstrap_entities([GOLD], [PRED], seed=2, resamples=200)
    assert a.point == b.point
    assert (a.low, a.high) != (b.low, b.high) or a.low == a.high


def test_identical_units_give_a_zero_width_interval() -> None:
    result = bootstrap([Counts(correct=1, missed=1)] * 10, metric="recall", resamples=100)
    assert (result.low, result.point, result.high) == (0.5, 0.5, 0.5)


def test_bad_metric_is_refused() -> None:
    with pytest.raises(KeyError, match="metric"):
        bootstrap([Counts()], metric="accuracy")
