"""Bootstrap confidence intervals by resampling sentences.

The outcomes of one evaluation (pairing done once, on whole documents) are attributed to the
sentence where their gold span starts (the predicted span for a spurious one). Each resample
draws as many sentences as there are, with replacement, and sums their counts; the interval is
the percentile interval of the metric over resamples. One news article has a couple of dozen
sentences, and the interval shows how little that can prove.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass

from corpuskit.evaluate.counts import Counts
from corpuskit.evaluate.spans import SCHEMAS, SpanTuple, evaluate_spans
from corpuskit.model import Document
from corpuskit.tokens import sentences

METRICS = ("precision", "recall", "f1")


@dataclass(frozen=True, slots=True)
class BootstrapResult:
    """A point estimate and its percentile interval."""

    schema: str
    metric: str
    point: float
    low: float
    high: float
    confidence: float
    resamples: int
    units: int
    seed: int


def sentence_counts(
    texts: Sequence[str],
    gold_docs: Sequence[Sequence[SpanTuple]],
    pred_docs: Sequence[Sequence[SpanTuple]],
    schema: str = "strict",
) -> list[Counts]:
    """The counts of each sentence of each document, in order; they sum to the total."""
    if schema not in SCHEMAS:
        raise KeyError(f"unknown schema {schema!r}")
    result = evaluate_spans(gold_docs, pred_docs).schema(schema)
    bounds = [sentences(text) or [(0, len(text))] for text in texts]
    tallies = [[[0] * 5 for _ in doc] for doc in bounds]
    slot = {"correct": 0, "incorrect": 1, "partial": 2, "missed": 3, "spurious": 4}
    starts = [[s for s, _ in doc] for doc in bounds]
    for match in result.matches:
        anchor = gold_docs[match.doc][match.gold] if match.gold is not None else pred_docs[match.doc][match.pred]  # type: ignore[index]
        k = max(0, bisect.bisect_right(starts[match.doc], anchor[0]) - 1)
        tallies[match.doc][k][slot[match.outcome]] += 1
    return [Counts(*t) for doc in tallies for t in doc]


def bootstrap(
    units: Sequence[Counts],
    *,
    schema: str = "strict",
    metric: str = "f1",
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> BootstrapResult:
    """Percentile bootstrap of ``metric`` over units (e.g. sentences) of counts."""
    if metric not in METRICS:
        raise KeyError(f"unknown metric {metric!r}; metrics are: {', '.join(METRICS)}")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    point = getattr(sum(units, Counts()), metric)
    if not units:
        return BootstrapResult(schema, metric, point, point, point, confidence, resamples, 0, seed)
    rng = random.Random(seed)
    rows = [(c.correct, c.incorrect, c.partial, c.missed, c.spurious) for c in units]
    n = len(rows)
    values = []
    for _ in range(resamples):
        tot = [0, 0, 0, 0, 0]
        for row in rng.choices(rows, k=n):
            for i in range(5):
                tot[i] += row[i]
        values.append(getattr(Counts(*tot), metric))
    values.sort()
    tail = (1 - confidence) / 2
    cut = int(tail * (resamples - 1))  # the same number of values cut from each end
    low, high = values[cut], values[resamples - 1 - cut]
    return BootstrapResult(schema, metric, point, low, high, confidence, resamples, n, seed)


def bootstrap_entities(
    gold_docs: Sequence[Document],
    pred_docs: Sequence[Document],
    *,
    schema: str = "strict",
    metric: str = "f1",
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> BootstrapResult:
    """Bootstrap interval of an entity score, resampling the documents' sentences."""
    units = sentence_counts(
        [d.text for d in gold_docs],
        [[(e.start, e.end, e.label) for e in d.entities] for d in gold_docs],
        [[(e.start, e.end, e.label) for e in d.entities] for d in pred_docs],
        schema,
    )
    return bootstrap(units, schema=schema, metric=metric, resamples=resamples, confidence=confidence, seed=seed)
