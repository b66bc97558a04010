"""Run a baseline system on corpus documents and score it against their gold, layer by layer.

The metrics are ``corpuskit.evaluate``'s: entities under the SemEval schemas, quotes as in the
GenderGapTracker evaluation (content found at overlap 0.3 and 0.8, speaker accuracy on the
found ones), events as in ACE (triggers and arguments), timexes as in TempEval-3.

>>> scores = score_system("rules", ["hanoi-summit-2019"])   # doctest: +SKIP
>>> print(format_scores([scores]))                          # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from corpuskit.model import Document

# (layer, metric) rows in print order.
METRICS: tuple[tuple[str, str], ...] = (
    ("entities", "strict F1"),
    ("entities", "type F1"),
    ("quotes", "F1 @0.3"),
    ("quotes", "speaker acc @0.3"),
    ("quotes", "F1 @0.8"),
    ("quotes", "speaker acc @0.8"),
    ("events", "trigger F1"),
    ("events", "trigger+type F1"),
    ("events", "argument+role F1"),
    ("events", "polarity acc"),
    ("timexes", "strict extent F1"),
    ("timexes", "relaxed extent F1"),
    ("timexes", "value acc"),
    ("timexes", "value F1"),
)


@dataclass(frozen=True, slots=True)
class SystemScores:
    """One system's scores on a set of documents: ``values[(layer, metric)]`` in [0, 1]."""

    system: str
    documents: tuple[str, ...]
    values: dict[tuple[str, str], float]
    counts: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        layers: dict[str, dict[str, float]] = {}
        for (layer, metric), value in self.values.items():
            layers.setdefault(layer, {})[metric] = value
        return {"system": self.system, "documents": list(self.documents), "scores": layers, "counts": self.counts}


def predict(name: str | os.PathLike[str], system: str = "rules") -> tuple[Document, Document]:
    """The gold document (by id, folder or annotations file) and the system's prediction for its
    text, anchored at the gold's creation time."""
    from corpuskit.corpus import load
    from corpuskit.extract.pipeline import extract

    gold = load(name)
    pred = extract(gold.text, dct=gold.creation_time, system=system, doc_id=gold.id, title=gold.title)
    return gold, pred


def score_documents(system: str, gold: Sequence[Document], pred: Sequence[Document]) -> SystemScores:
    """Per-layer scores of predictions against gold (paired in order)."""
    from corpuskit.evaluate import evaluate_entities, evaluate_events, evaluate_quotes, evaluate_timexes

    entities = evaluate_entities(gold, pred)
    quotes = evaluate_quotes(gold, pred)
    low, high = quotes.at(0.3), quotes.at(0.8)
    events = evaluate_events(gold, pred)
    timexes = evaluate_timexes(gold, pred)
    values = {
        ("entities", "strict F1"): entities.strict.total.f1,
        ("entities", "type F1"): entities.type.total.f1,
        ("quotes", "F1 @0.3"): low.content.f1,
        ("quotes", "speaker acc @0.3"): low.speaker.value,
        ("quotes", "F1 @0.8"): high.content.f1,
        ("quotes", "speaker acc @0.8"): high.speaker.value,
        ("events", "trigger F1"): events.trigger_identification.f1,
        ("events", "trigger+type F1"): events.trigger_classification.f1,
        ("events", "argument+role F1"): events.argument_classification.f1,
        ("events", "polarity acc"): events.polarity.value,
        ("timexes", "strict extent F1"): timexes.extent.exact.total.f1,
        ("timexes", "relaxed extent F1"): timexes.extent.partial.total.f1,
        ("timexes", "value acc"): timexes.value.value,
        ("timexes", "value F1"): timexes.value_counts.f1,
    }
    layers = ("entities", "quotes", "events", "timexes")
    counts = {
        "gold": {layer: sum(len(d.layer(layer)) for d in gold) for layer in layers},
        "predicted": {layer: sum(len(d.layer(layer)) for d in pred) for layer in layers},
        "quotes_found_at_0.3": low.content.correct,
        "speakers_right_at_0.3": low.speaker.correct,
    }
    return SystemScores(system, tuple(d.id for d in gold), values, counts)


def score_system(system: str, names: Iterable[str | os.PathLike[str]]) -> SystemScores:
    """Run ``system`` on each corpus document named and score it against the gold."""
    pairs = [predict(name, system) for name in names]
    return score_documents(system, [g for g, _ in pairs], [p for _, p in pairs])


def format_scores(results: Sequence[SystemScores], title: str = "") -> str:
    """A plain-text table: one row per layer metric, one column per result."""
    header = ["layer", "metric", *[f"{r.system}" for r in results]]
    rows = [header]
    for layer, metric in METRICS:
        rows.append([layer, metric, *[f"{r.values[(layer, metric)]:.3f}" for r in results]])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [title] if title else []
    for k, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    for r in results:
        found, total = r.counts["quotes_found_at_0.3"], r.counts["gold"]["quotes"]
        lines.append(
            f"{r.system}: {len(r.documents)} document(s); {found} of {total} gold quotes found at 0.3, "
            f"{r.counts['predicted']['quotes']} predicted"
        )
    return "\n".join(lines)
