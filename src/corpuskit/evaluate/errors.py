"""Error analysis as pandas DataFrames: one row per error, and a label confusion table.

pandas is imported inside the functions, so importing corpuskit.evaluate stays light.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corpuskit.evaluate.spans import SpanTuple, evaluate_spans

ERROR_KINDS = ("missed", "spurious", "boundary", "label", "label+boundary")
NONE = "(none)"


def _kind(gold: SpanTuple, pred: SpanTuple) -> str:
    same_bounds = gold[:2] == pred[:2]
    same_label = gold[2] == pred[2]
    return "label" if same_bounds else ("boundary" if same_label else "label+boundary")


def error_table(
    gold_docs: Sequence[Sequence[SpanTuple]],
    pred_docs: Sequence[Sequence[SpanTuple]],
    texts: Sequence[str] | None = None,
) -> Any:
    """Every strict-schema error: ``doc``, ``kind`` (one of :data:`ERROR_KINDS`), the gold
    and predicted span (start, end, label, text), in document and text order."""
    import pandas as pd

    rows = []
    for match in evaluate_spans(gold_docs, pred_docs).strict.matches:
        if match.outcome == "correct":
            continue
        g = None if match.gold is None else gold_docs[match.doc][match.gold]
        p = None if match.pred is None else pred_docs[match.doc][match.pred]
        kind = "missed" if p is None else "spurious" if g is None else _kind(g, p)
        row: dict[str, Any] = {"doc": match.doc, "kind": kind}
        for side, span in (("gold", g), ("pred", p)):
            row[f"{side}_start"] = None if span is None else span[0]
            row[f"{side}_end"] = None if span is None else span[1]
            row[f"{side}_label"] = None if span is None else span[2]
            if texts is not None:
                row[f"{side}_text"] = None if span is None else texts[match.doc][span[0] : span[1]]
        rows.append(row)
    columns = ["doc", "kind"] + [
        f"{side}_{field}"
        for side in ("gold", "pred")
        for field in ("start", "end", "label", *(("text",) if texts is not None else ()))
    ]
    frame = pd.DataFrame(rows, columns=columns)
    order = frame[["gold_start", "pred_start"]].min(axis=1)
    return (
        frame.assign(_order=order)
        .sort_values(["doc", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def confusion_table(gold_docs: Sequence[Sequence[SpanTuple]], pred_docs: Sequence[Sequence[SpanTuple]]) -> Any:
    """Gold label (rows) against predicted label (columns) over overlapping pairs.

    Pairs are the ``partial`` schema's (any overlap, largest pairing); a missed span counts in
    the ``(none)`` column, a spurious one in the ``(none)`` row.
    """
    import pandas as pd

    gold_labels, pred_labels = [], []
    for match in evaluate_spans(gold_docs, pred_docs).partial.matches:
        gold_labels.append(NONE if match.gold is None else gold_docs[match.doc][match.gold][2])
        pred_labels.append(NONE if match.pred is None else pred_docs[match.doc][match.pred][2])
    table = pd.crosstab(
        pd.Series(gold_labels, name="gold", dtype=object),
        pd.Series(pred_labels, name="pred", dtype=object),
    )
    labels = sorted(set(gold_labels) | set(pred_labels) - {NONE})
    labels = [lab for lab in labels if lab != NONE] + [NONE]
    return table.reindex(index=labels, columns=labels, fill_value=0)
