"""The training passages of lesson 8: built from their markup, valid, split, and apart from the
article, the held-out texts and the corpus path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import corpuskit
from corpuskit.corpus import document_ids, shipped_corpus

ROOT = Path(__file__).resolve().parents[1]
TRAINING = shipped_corpus() / "training"


def _split(split: str) -> list[corpuskit.Document]:
    return [corpuskit.load(p) for p in sorted((TRAINING / split).iterdir()) if p.is_dir()]


def test_the_folders_are_what_the_markup_builds() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_training.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_passage_loads_with_entities_and_a_creation_time() -> None:
    train, dev = _split("train"), _split("dev")
    assert (len(train), len(dev)) == (18, 6)
    for doc in train + dev:
        assert doc.entities and doc.creation_time
        assert 60 <= len(doc.text.split()) <= 150, doc.id


def test_no_passage_shares_text_with_the_articles_or_the_held_out_set() -> None:
    def pieces(text: str, size: int = 40) -> set[str]:
        return {text[k : k + size] for k in range(0, max(1, len(text) - size + 1))}

    # The article the lessons are written on, and the second article lesson 8 is built on in the tests.
    others = [corpuskit.load("hanoi-summit-2019").text]
    others.append(corpuskit.load(ROOT / "tests" / "fixtures" / "corpus" / "rotterdam-port-strike-2025").text)
    others += [corpuskit.load(p).text for p in sorted((ROOT / "grading" / "heldout").iterdir()) if p.is_dir()]
    train = {doc.id: pieces(doc.text) for doc in _split("train")}
    dev = {doc.id: pieces(doc.text) for doc in _split("dev")}
    seen = set().union(*train.values())
    assert not any(p in seen for d in dev.values() for p in d), "a dev passage repeats a training passage"
    for text in others:
        assert not pieces(text) & (seen | set().union(*dev.values()))


def test_the_training_folders_are_not_corpus_documents() -> None:
    ids = set(document_ids())
    assert "hanoi-summit-2019" in ids
    assert not ids & {p.name for split in ("train", "dev") for p in (TRAINING / split).iterdir()}
