"""Scoring document files layer by layer: the library behind ``corpuskit evaluate``."""

from __future__ import annotations

import os
from typing import Any

from corpuskit.evaluate.coref import evaluate_coref
from corpuskit.evaluate.layers import evaluate_entities, evaluate_events, evaluate_quotes, evaluate_timexes
from corpuskit.model import Document

EVALUATE_LAYERS: tuple[str, ...] = ("entities", "quotes", "events", "timexes", "coref")


def evaluate_documents(gold: list[Document], pred: list[Document], layer: str = "entities") -> Any:
    """Score one layer; documents pair up by id (every gold id needs a prediction)."""
    if layer not in EVALUATE_LAYERS:
        raise ValueError(f"unknown layer {layer!r}; layers are: {', '.join(EVALUATE_LAYERS)}")
    by_id = {d.id: d for d in pred}
    missing = [d.id for d in gold if d.id not in by_id]
    if missing:
        raise ValueError(f"no prediction for document {missing[0]!r}"
                         + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))  # fmt: skip
    paired = [by_id[d.id] for d in gold]
    if layer == "entities":
        return evaluate_entities(gold, paired)
    if layer == "quotes":
        return evaluate_quotes(gold, paired)
    if layer == "events":
        return evaluate_events(gold, paired)
    if layer == "timexes":
        return evaluate_timexes(gold, paired)
    return evaluate_coref(gold, paired)


def evaluate_files(
    gold_path: str | os.PathLike[str], pred_path: str | os.PathLike[str], layer: str = "entities"
) -> Any:
    """Read two document files (JSON or JSONL) and score one layer."""
    from corpuskit.formats.native import read_documents

    return evaluate_documents(list(read_documents(gold_path)), list(read_documents(pred_path)), layer)
