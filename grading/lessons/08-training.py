"""Expected answers of lesson 8, computed in the grader's process from the training corpus
(``corpus/training/``), and the training documents the grader calls ``train_ner`` with."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import corpuskit
from corpuskit.corpus import shipped_corpus

LABELS = ("PERSON", "GPE", "ORG")


def _split(split: str) -> list[corpuskit.Document]:
    folder = shipped_corpus() / "training" / split
    return [corpuskit.load(p) for p in sorted(folder.iterdir()) if p.is_dir()]


def split_sizes(doc: corpuskit.Document) -> dict[str, int]:
    return {split: len(_split(split)) for split in ("train", "dev")}


def label_counts(doc: corpuskit.Document) -> dict[str, int]:
    counted = Counter(e.label for d in _split("train") for e in d.entities)
    return {label: counted[label] for label in LABELS}


def docbin_entities(doc: corpuskit.Document) -> int:
    import spacy
    from spacy.tokens import DocBin

    from corpuskit.formats.spacy_doc import write_docbin

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.spacy"
        write_docbin(path, _split("train"), layers=["entities"])
        return sum(len(d.ents) for d in DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def config_dropout(doc: corpuskit.Document) -> float:
    from spacy.cli.init_config import init_config

    return float(init_config(lang="en", pipeline=["ner"], optimize="efficiency")["training"]["dropout"])


def training_documents(doc: corpuskit.Document) -> list[Any]:
    """The training split as plain data, all labels kept: what ``train_ner`` is called with."""
    return [[d.text, [[e.start, e.end, e.label] for e in d.entities]] for d in _split("train")]
