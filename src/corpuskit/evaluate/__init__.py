"""Evaluation and agreement: span matching, layer metrics, agreement, uncertainty."""

from corpuskit.evaluate.counts import Accuracy, Counts
from corpuskit.evaluate.spans import SCHEMAS, Match, SchemaResult, SpanResult, evaluate_spans, score_spans

__all__ = [
    "SCHEMAS",
    "Accuracy",
    "Counts",
    "Match",
    "SchemaResult",
    "SpanResult",
    "evaluate_spans",
    "score_spans",
]
