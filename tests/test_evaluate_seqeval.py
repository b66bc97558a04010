"""Entity-level precision, recall and F1 on IOB2 input agree with seqeval.

seqeval scores exact chunks (boundaries and type), which is the strict schema: micro scores
from the overall counts, per-label scores from each label's counts, and macro averages the
per-label precision, recall and F1.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import seqeval.metrics as seqeval_metrics
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuskit.evaluate.spans import SpanTuple, evaluate_spans

LABELS = ["PER", "ORG", "LOC", "MISC"]


def encode_iob2(spans: list[SpanTuple], length: int) -> list[str]:
    """Token spans ``[start, end)`` to IOB2 tags."""
    tags = ["O"] * length
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
    return tags


def decode_iob2(tags: list[str]) -> list[SpanTuple]:
    """IOB2 tags to token spans; an ``I-`` that does not continue a chunk starts one."""
    spans: list[SpanTuple] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        if start >= 0 and (prefix != "I" or kind != label):
            spans.append((start, i, label))
            start = -1
        if prefix == "B" or (prefix == "I" and start < 0):
            start, label = i, kind
    return spans


def test_iob2_round_trip() -> None:
    spans = [(0, 2, "PER"), (2, 3, "PER"), (5, 6, "LOC")]
    tags = encode_iob2(spans, 7)
    assert tags == ["B-PER", "I-PER", "B-PER", "O", "O", "B-LOC", "O"]
    assert decode_iob2(tags) == spans


@st.composite
def sentence(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    length = draw(st.integers(1, 14))

    def tagging() -> list[str]:
        cuts = sorted(draw(st.sets(st.integers(0, length), max_size=8)))
        spans = [(a, b, draw(st.sampled_from(LABELS))) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
        return encode_iob2(spans, length)

    return tagging(), tagging()


def seqeval_scores(y_true: list[list[str]], y_pred: list[list[str]]) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "micro": (
                seqeval_metrics.precision_score(y_true, y_pred),
                seqeval_metrics.recall_score(y_true, y_pred),
                seqeval_metrics.f1_score(y_true, y_pred),
            ),
            "report": seqeval_metrics.classification_report(y_true, y_pred, output_dict=True, zero_division=0),
        }


@settings(max_examples=300, deadline=None)
@given(st.lists(sentence(), min_size=1, max_size=6))
def test_strict_schema_equals_seqeval(sentences: list[tuple[list[str], list[str]]]) -> None:
    y_true = [t for t, _ in sentences]
    y_pred = [p for _, p in sentences]
    theirs = seqeval_scores(y_true, y_pred)
    strict = evaluate_spans([decode_iob2(t) for t in y_true], [decode_iob2(p) for p in y_pred]).strict
    assert (strict.precision, strict.recall, strict.f1) == pytest.approx(theirs["micro"])
    report = theirs["report"]
    labels = [k for k in report if k not in ("micro avg", "macro avg", "weighted avg")]
    assert sorted(labels) == sorted(strict.by_label)
    for label, counts in strict.by_label.items():
        row = report[label]
        assert (counts.precision, counts.recall, counts.f1) == pytest.approx(
            (row["precision"], row["recall"], row["f1-score"])
        ), label
        assert counts.possible == row["support"]
    if labels:
        macro = report["macro avg"]
        assert (strict.macro_precision, strict.macro_recall, strict.macro_f1) == pytest.approx(
            (macro["precision"], macro["recall"], macro["f1-score"])
        )


def test_worked_example_from_the_seqeval_readme() -> None:
    y_true = [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    y_pred = [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    strict = evaluate_spans([decode_iob2(t) for t in y_true], [decode_iob2(p) for p in y_pred]).strict
    # One of two chunks exact (PER); MISC is off by one token at the start.
    assert (strict.precision, strict.recall, strict.f1) == (0.5, 0.5, 0.5)
    assert strict.total.incorrect == 1
