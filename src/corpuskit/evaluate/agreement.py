"""Agreement between two annotations: pairwise F1 and token-level Cohen's kappa.

Why F1 is the better number for spans (Hripcsak & Rothschild 2005): kappa needs the count of
items both annotators left unmarked, and for spans that count is undefined (every substring of
the text is a candidate). Tokenising fixes it at "unmarked tokens", but that number mostly
reflects how long the text is. As it grows, kappa tends to the positive specific agreement
2a / (2a + b + c), which is exactly the pairwise F1 of one annotator scored against the other;
:func:`kappa_from_table` lets a student watch that happen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from corpuskit.evaluate.spans import SpanResult, SpanTuple, evaluate_spans
from corpuskit.model import Document
from corpuskit.tokens import tokenize

OUTSIDE = "O"


@dataclass(frozen=True, slots=True)
class KappaResult:
    """Cohen's kappa over ``tokens`` items: observed and chance agreement, and kappa."""

    tokens: int
    observed: float
    expected: float

    @property
    def kappa(self) -> float:
        if self.expected >= 1.0:
            return 1.0 if self.observed >= 1.0 else 0.0
        return (self.observed - self.expected) / (1.0 - self.expected)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement on one layer: pairwise scores (A as reference) and token kappas."""

    layer: str
    pairwise: SpanResult
    kappa: KappaResult
    kappa_marked_only: KappaResult

    @property
    def f1(self) -> float:
        """Strict pairwise F1, symmetric in the two annotators."""
        return self.pairwise.strict.f1


def token_labels(text: str, spans: Sequence[SpanTuple]) -> list[str]:
    """One label per token of :func:`tokenize`: the label of the first span (by start)
    containing the token's first character, else ``"O"``."""
    ordered = sorted(spans)
    labels = []
    for start, _ in tokenize(text):
        label = OUTSIDE
        for s, e, lab in ordered:
            if s > start:
                break
            if start < e:
                label = lab
                break
        labels.append(label)
    return labels


def cohen_kappa(labels_a: Sequence[str], labels_b: Sequence[str]) -> KappaResult:
    """Cohen's kappa of two label sequences of equal length.

    >>> round(cohen_kappa("AABB", "ABBB").kappa, 3)
    0.5
    """
    if len(labels_a) != len(labels_b):
        raise ValueError(f"{len(labels_a)} labels against {len(labels_b)}")
    n = len(labels_a)
    if n == 0:
        return KappaResult(0, 1.0, 1.0)
    agree = sum(a == b for a, b in zip(labels_a, labels_b, strict=True))
    count_a, count_b = Counter(labels_a), Counter(labels_b)
    expected = sum(count_a[label] * count_b[label] for label in count_a) / (n * n)
    return KappaResult(n, agree / n, expected)


def token_kappa(
    text: str, spans_a: Sequence[SpanTuple], spans_b: Sequence[SpanTuple], *, marked_only: bool = False
) -> KappaResult:
    """Token-level kappa; ``marked_only`` keeps only tokens at least one annotator marked."""
    a, b = token_labels(text, spans_a), token_labels(text, spans_b)
    if marked_only:
        kept = [(x, y) for x, y in zip(a, b, strict=True) if x != OUTSIDE or y != OUTSIDE]
        a, b = [x for x, _ in kept], [y for _, y in kept]
    return cohen_kappa(a, b)


def kappa_from_table(both: int, only_a: int, only_b: int, neither: int) -> float:
    """Kappa of a 2x2 marked/unmarked table.

    As ``neither`` grows, this tends to ``2*both / (2*both + only_a + only_b)``, the F1.

    >>> round(kappa_from_table(8, 2, 2, 10**9), 6)
    0.8
    """
    n = both + only_a + only_b + neither
    observed = (both + neither) / n
    expected = ((both + only_a) * (both + only_b) + (neither + only_a) * (neither + only_b)) / (n * n)
    return KappaResult(n, observed, expected).kappa


def _layer_spans(doc: Document, layer: str) -> list[SpanTuple]:
    if layer == "entities":
        return [(e.start, e.end, e.label) for e in doc.entities]
    if layer == "timexes":
        return [(t.start, t.end, t.type) for t in doc.timexes]
    if layer == "quotes":
        return [(q.content.start, q.content.end, q.kind) for q in doc.quotes]
    if layer == "events":
        return [(e.trigger.start, e.trigger.end, e.type) for e in doc.events]
    if layer == "mentions":
        return [(m.start, m.end, m.form) for c in doc.clusters for m in c.mentions]
    raise KeyError(f"no span layer {layer!r}; use entities, timexes, quotes, events or mentions")


def agreement(doc_a: Document, doc_b: Document, layer: str = "entities") -> Agreement:
    """Pairwise scores and token kappas between two annotations of the same text."""
    if doc_a.text != doc_b.text:
        raise ValueError(f"documents {doc_a.id!r} and {doc_b.id!r} annotate different texts")
    spans_a, spans_b = _layer_spans(doc_a, layer), _layer_spans(doc_b, layer)
    return Agreement(
        layer,
        evaluate_spans([spans_a], [spans_b]),
        token_kappa(doc_a.text, spans_a, spans_b),
        token_kappa(doc_a.text, spans_a, spans_b, marked_only=True),
    )
