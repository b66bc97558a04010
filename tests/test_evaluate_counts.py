"""Counts: the five outcomes, and precision/recall/F1 derived in one place."""

from __future__ import annotations

import pytest

from corpuskit.evaluate.counts import Accuracy, Counts, f_score, safe_ratio


def test_semeval_partial_example_has_half_credit_for_partials() -> None:
    # The partial column of the SemEval scenario table: COR 2, PAR 2, MIS 1, SPU 1.
    counts = Counts(correct=2, partial=2, missed=1, spurious=1)
    assert (counts.possible, counts.actual) == (5, 5)
    assert counts.precision == pytest.approx(3 / 5)
    assert counts.recall == pytest.approx(3 / 5)
    assert counts.f1 == pytest.approx(0.6)


def test_strict_formula_is_the_same_formula_without_partials() -> None:
    counts = Counts(correct=1, incorrect=3, missed=1, spurious=1)
    assert counts.precision == pytest.approx(1 / 5)
    assert counts.recall == pytest.approx(1 / 5)


def test_asymmetric_precision_and_recall() -> None:
    counts = Counts(correct=3, incorrect=1, missed=4, spurious=0)
    assert counts.precision == pytest.approx(3 / 4)
    assert counts.recall == pytest.approx(3 / 8)
    assert counts.f1 == pytest.approx(2 * 0.75 * 0.375 / 1.125)


def test_totals_are_sums_and_scores_do_not_change_with_copies() -> None:
    one = Counts(correct=0, partial=1)
    two = one + one
    assert two == Counts(partial=2)
    assert sum([one, one, one]) == Counts(partial=3)
    # The nervaluate bug this guards against: 0.5 for one copy, 0.0 for two.
    assert one.precision == two.precision == 0.5


def test_empty_counts_score_zero_not_an_error() -> None:
    assert Counts().precision == Counts().recall == Counts().f1 == 0.0
    assert safe_ratio(1, 0) == 0.0
    assert f_score(0.0, 0.0) == 0.0


def test_to_dict_lists_counts_then_scores() -> None:
    data = Counts(correct=1, missed=1).to_dict()
    assert list(data)[:5] == ["correct", "incorrect", "partial", "missed", "spurious"]
    assert data["precision"] == 1.0 and data["recall"] == 0.5
    assert data["f1"] == pytest.approx(2 / 3)


def test_accuracy_adds_and_divides() -> None:
    acc = Accuracy(2, 3) + Accuracy(1, 1)
    assert acc == Accuracy(3, 4)
    assert acc.value == 0.75
    assert Accuracy().value == 0.0
