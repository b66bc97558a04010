"""Scoring document files layer by layer: the library behind ``corpuskit evaluate``."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from corpuskit.errors import InputError
from corpuskit.evaluate.coref import evaluate_coref
from corpuskit.evaluate.layers import evaluate_entities, evaluate_events, evaluate_quotes, evaluate_timexes
from corpuskit.model import Document


class MissingLayerWarning(UserWarning):
    """The predictions hold nothing at all in the layer being scored (often the wrong file or layer)."""


EVALUATE_LAYERS: tuple[str, ...] = ("entities", "quotes", "events", "timexes", "coref")


def evaluate_documents(gold: list[Document], pred: list[Document], layer: str = "entities") -> Any:
    """Score one layer; documents pair up by id (every gold id needs a prediction)."""
    if layer not in EVALUATE_LAYERS:
        raise ValueError(f"unknown layer {layer!r}; layers are: {', '.join(EVALUATE_LAYERS)}")
    paired = _pair(gold, pred)
    source = "clusters" if layer == "coref" else layer
    if any(d.layer(source) for d in gold) and not any(d.layer(source) for d in paired):
        warnings.warn(
            f"the predictions have no {source}: every gold item counts as missed", MissingLayerWarning, stacklevel=2
        )
    if layer == "entities":
        return evaluate_entities(gold, paired)
    if layer == "quotes":
        return evaluate_quotes(gold, paired)
    if layer == "events":
        return evaluate_events(gold, paired)
    if layer == "timexes":
        return evaluate_timexes(gold, paired)
    return evaluate_coref(gold, paired)


def _pair(gold: list[Document], pred: list[Document]) -> list[Document]:
    """The prediction for each gold document: by id, or the only one against the only one
    (formats such as CoNLL keep no document id). Offsets mean nothing on another text."""
    if len(gold) == len(pred) == 1:
        paired = pred
    else:
        by_id = {d.id: d for d in pred}
        missing = [d.id for d in gold if d.id not in by_id]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise InputError("predictions", f"no prediction for document {missing[0]!r}{more}")
        paired = [by_id[d.id] for d in gold]
    for g, p in zip(gold, paired, strict=True):
        if g.text != p.text:
            raise InputError("predictions", f"the prediction for {g.id!r} is for a different text than the gold")
    return paired


def evaluate_files(
    gold_path: str | os.PathLike[str], pred_path: str | os.PathLike[str], layer: str = "entities"
) -> Any:
    """Read two document files in any format corpuskit reads (by name: .json, .jsonl, .ann,
    .conll, .spacy, a CSV stem) or corpus documents (by id or folder) and score one layer.
    A CoNLL prediction takes its offsets from the gold text when the gold holds one document."""
    gold = _read(gold_path, None)
    return evaluate_documents(gold, _read(pred_path, gold[0].text if len(gold) == 1 else None), layer)


def _read(path: str | os.PathLike[str], text: str | None) -> list[Document]:
    """The documents of a file in any format corpuskit reads, or of a corpus document (id or folder)."""
    from corpuskit import corpus
    from corpuskit.formats import registry

    fmt = registry.guess(path)
    if fmt is None:
        if Path(path).is_dir() or (not Path(path).exists() and os.fspath(path) in corpus.document_ids()):
            return [corpus.load(path)]
        kinds = ".json, .jsonl, .ann, .conll, .spacy, or a corpus document id"
        raise InputError(os.fspath(path), f"cannot tell the format from the name ({kinds})")
    return registry.read(fmt, path, text)
