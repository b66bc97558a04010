"""Outcome counts of a matching, and the one place precision, recall and F1 come from.

SemEval-2013 Task 9.1 defines every schema by five counts; the scores follow from them:

    possible = correct + incorrect + partial + missed      (gold items)
    actual   = correct + incorrect + partial + spurious    (predicted items)
    precision = (correct + 0.5 * partial) / actual
    recall    = (correct + 0.5 * partial) / possible

The half credit for ``partial`` is SemEval's "partial" schema; the strict, exact and type
schemas never produce a partial outcome, so for them the same formula is plain
``correct / actual``. There is therefore no mode flag, and a total is the sum of its parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OUTCOMES: tuple[str, ...] = ("correct", "incorrect", "partial", "missed", "spurious")


def safe_ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, or 0.0 when the denominator is 0 (seqeval's convention)."""
    return numerator / denominator if denominator else 0.0


def f_score(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall (0.0 when both are 0)."""
    return safe_ratio(2 * precision * recall, precision + recall)


@dataclass(frozen=True, slots=True)
class Counts:
    """How many matched items fell into each outcome.

    >>> c = Counts(correct=2, partial=2, missed=1, spurious=1)
    >>> c.possible, c.actual, c.precision
    (5, 5, 0.6)
    """

    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    def __add__(self, other: Counts) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(
            self.correct + other.correct,
            self.incorrect + other.incorrect,
            self.partial + other.partial,
            self.missed + other.missed,
            self.spurious + other.spurious,
        )

    def __radd__(self, other: object) -> Counts:
        # Lets ``sum(counts_list)`` start from 0.
        if other == 0:
            return self
        return NotImplemented

    @property
    def possible(self) -> int:
        """Gold items: everything that could have been found."""
        return self.correct + self.incorrect + self.partial + self.missed

    @property
    def actual(self) -> int:
        """Predicted items: everything the system put forward."""
        return self.correct + self.incorrect + self.partial + self.spurious

    @property
    def credit(self) -> float:
        """Matched credit: a correct item counts 1, a partial one 0.5."""
        return self.correct + 0.5 * self.partial

    @property
    def precision(self) -> float:
        return safe_ratio(self.credit, self.actual)

    @property
    def recall(self) -> float:
        return safe_ratio(self.credit, self.possible)

    @property
    def f1(self) -> float:
        return f_score(self.precision, self.recall)

    def to_dict(self) -> dict[str, Any]:
        """Counts first, then the derived values, as ``--json`` prints them."""
        return {
            "correct": self.correct,
            "incorrect": self.incorrect,
            "partial": self.partial,
            "missed": self.missed,
            "spurious": self.spurious,
            "possible": self.possible,
            "actual": self.actual,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True, slots=True)
class Accuracy:
    """How many of ``total`` compared items agreed (e.g. speakers of matched quotes)."""

    correct: int = 0
    total: int = 0

    def __add__(self, other: Accuracy) -> Accuracy:
        if not isinstance(other, Accuracy):
            return NotImplemented
        return Accuracy(self.correct + other.correct, self.total + other.total)

    @property
    def value(self) -> float:
        return safe_ratio(self.correct, self.total)

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "total": self.total, "accuracy": self.value}
