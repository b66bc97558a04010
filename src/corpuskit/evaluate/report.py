"""Rendering results: an aligned plain-text table, or JSON.

:func:`to_data` turns any result dataclass into plain JSON data: every
:class:`~corpuskit.evaluate.counts.Counts` appears as its five counts followed by
``possible``, ``actual``, ``precision``, ``recall`` and ``f1``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import Any

from corpuskit.evaluate.agreement import Agreement, KappaResult
from corpuskit.evaluate.coref import CorefResult, CorefScore
from corpuskit.evaluate.counts import Accuracy, Counts
from corpuskit.evaluate.layers import EventResult, QuotesResult, TimexResult
from corpuskit.evaluate.spans import SchemaResult, SpanResult

COLUMNS = ("correct", "incorrect", "partial", "missed", "spurious", "precision", "recall", "f1")


def to_data(obj: Any) -> Any:
    """Plain JSON data for a result (dataclasses, counts and their derived scores)."""
    if isinstance(obj, Counts | Accuracy):
        return obj.to_dict()
    if isinstance(obj, CorefScore):
        return {"precision": obj.precision, "recall": obj.recall, "f1": obj.f1}
    if isinstance(obj, CorefResult):
        return {
            "muc": to_data(obj.muc),
            "b_cubed": to_data(obj.b_cubed),
            "ceafe": to_data(obj.ceafe),
            "conll": obj.conll,
        }
    if isinstance(obj, KappaResult):
        return {"tokens": obj.tokens, "observed": obj.observed, "expected": obj.expected, "kappa": obj.kappa}
    if isinstance(obj, SchemaResult):
        return {
            **obj.total.to_dict(),
            "macro_precision": obj.macro_precision,
            "macro_recall": obj.macro_recall,
            "macro_f1": obj.macro_f1,
            "by_label": {label: c.to_dict() for label, c in obj.by_label.items()},
        }
    if isinstance(obj, SpanResult):
        return {"documents": obj.documents, **{s.schema: to_data(s) for s in obj.schemas()}}
    if isinstance(obj, QuotesResult):
        return {"thresholds": [to_data(r) for r in obj.thresholds]}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj) if not f.name.startswith("_")}
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_data(v) for v in obj]
    return obj


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    return json.dumps(to_data(obj), indent=indent)


def table(rows: Iterable[tuple[str, Counts]], title: str = "") -> str:
    """Counts as an aligned table: a name column, the five counts, then P, R and F1."""
    body = [(name, counts) for name, counts in rows]
    width = max([len(name) for name, _ in body] + [len(title), 4])
    lines = [f"{title:<{width}}  " + "  ".join(f"{c:>9}" for c in COLUMNS)]
    for name, c in body:
        cells = [f"{getattr(c, k):>9}" for k in COLUMNS[:5]]
        cells += [f"{getattr(c, k):>9.4f}" for k in COLUMNS[5:]]
        lines.append(f"{name:<{width}}  " + "  ".join(cells))
    return "\n".join(lines)


def _accuracy_lines(items: Iterable[tuple[str, Accuracy]]) -> str:
    return "\n".join(f"{name}: {a.value:.4f} ({a.correct}/{a.total})" for name, a in items)


def format_spans(result: SpanResult, title: str = "schema") -> str:
    """All four schemas, then the strict schema per label and its macro average."""
    out = [table(((s.schema, s.total) for s in result.schemas()), title)]
    if result.strict.by_label:
        out.append(table(result.strict.by_label.items(), "strict by label"))
        s = result.strict
        out.append(f"strict macro: precision {s.macro_precision:.4f}  recall {s.macro_recall:.4f}  f1 {s.macro_f1:.4f}")
    return "\n\n".join(out)


def format_result(result: Any) -> str:
    """A readable report for any layer result."""
    if isinstance(result, SpanResult):
        return format_spans(result)
    if isinstance(result, QuotesResult):
        parts = []
        for r in result.thresholds:
            rows = [("content", r.content), ("attribution", r.attribution)]
            speaker = f"{r.speaker.value:.4f} ({r.speaker.correct}/{r.speaker.total})"
            parts.append(table(rows, f"overlap > {r.threshold}") + f"\nspeaker accuracy on found quotes: {speaker}")
        return "\n\n".join(parts)
    if isinstance(result, EventResult):
        rows = [
            (name, getattr(result, name))
            for name in (
                "trigger_identification",
                "trigger_classification",
                "argument_identification",
                "argument_classification",
            )
        ]
        attrs = [(name, result.attribute(name)) for name in ("polarity", "modality", "tense", "realis")]
        return table(rows, "events") + "\n\naccuracy on identified triggers\n" + _accuracy_lines(attrs)
    if isinstance(result, TimexResult):
        return (
            format_spans(result.extent, "extent")
            + "\n\n"
            + table([("value (end to end)", result.value_counts)], "timex value")
            + "\n\n"
            + "accuracy on overlapping pairs\n"
            + _accuracy_lines([("type", result.type), ("value", result.value)])
        )
    if isinstance(result, CorefResult):
        lines = [f"{'metric':<8}  {'precision':>9}  {'recall':>9}  {'f1':>9}"]
        for name, s in (("MUC", result.muc), ("B-cubed", result.b_cubed), ("CEAFe", result.ceafe)):
            lines.append(f"{name:<8}  {s.precision:>9.4f}  {s.recall:>9.4f}  {s.f1:>9.4f}")
        lines.append(f"{'CoNLL':<8}  {'':>9}  {'':>9}  {result.conll:>9.4f}  (mean of the three F1)")
        return "\n".join(lines)
    if isinstance(result, Agreement):
        return (
            format_spans(result.pairwise, f"{result.layer} (A as reference)")
            + "\n\n"
            + f"token kappa: {result.kappa.kappa:.4f} over {result.kappa.tokens} tokens; "
            + f"marked tokens only: {result.kappa_marked_only.kappa:.4f}"
        )
    raise TypeError(f"no report for {type(result).__name__}")
