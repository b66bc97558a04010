"""Shared fixtures: the shipped gold, and throwaway document folders to break on purpose."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import corpuskit
from corpuskit.corpus import shipped_corpus

DOC_ID = "hanoi-summit-2019"


@pytest.fixture(scope="session")
def gold() -> corpuskit.Document:
    return corpuskit.load(DOC_ID)


@pytest.fixture(scope="session")
def gold_folder() -> Path:
    return shipped_corpus() / DOC_ID


@pytest.fixture
def small_data() -> dict[str, Any]:
    """A tiny valid annotations object for the text 'Kim met Trump in Hanoi.'"""
    return {
        "id": "tiny",
        "metadata": {"title": "Tiny", "creation_time": "2019-02-28"},
        "sections": [{"id": "S1", "kind": "paragraph", "start": 0, "end": 23, "text": "Kim met Trump in Hanoi."}],
        "entities": [
            {"id": "T1", "start": 0, "end": 3, "text": "Kim", "label": "PERSON", "cluster": "kim"},
            {"id": "T2", "start": 8, "end": 13, "text": "Trump", "label": "PERSON", "cluster": "trump"},
            {"id": "T3", "start": 17, "end": 22, "text": "Hanoi", "label": "GPE", "cluster": None},
        ],
        "clusters": [
            {
                "id": "kim",
                "name": "Kim Jong Un",
                "type": "PERSON",
                "wikidata": "Q56226",
                "mentions": [{"start": 0, "end": 3, "text": "Kim", "form": "name"}],
            },
            {
                "id": "trump",
                "name": "Donald Trump",
                "type": "PERSON",
                "wikidata": None,
                "mentions": [{"start": 8, "end": 13, "text": "Trump", "form": "name"}],
            },
        ],
        "quotes": [],
        "events": [
            {
                "id": "E1",
                "trigger": {"start": 4, "end": 7, "text": "met"},
                "type": "Contact.Meet",
                "arguments": [{"role": "Entity", "start": 0, "end": 3, "text": "Kim", "cluster": "kim"}],
                "polarity": "positive",
                "modality": "asserted",
                "tense": "past",
                "realis": "actual",
            },
        ],
        "timexes": [],
    }


SMALL_TEXT = "Kim met Trump in Hanoi."

WriteDoc = Callable[..., Path]


@pytest.fixture
def write_doc(tmp_path: Path, small_data: dict[str, Any]) -> WriteDoc:
    """Write a document folder; pass ``data``/``text`` (str or bytes) to break it."""

    def write(data: Any = None, text: str | bytes = SMALL_TEXT, name: str = "tiny") -> Path:
        folder = tmp_path / name
        folder.mkdir()
        raw_text = text.encode() if isinstance(text, str) else text
        (folder / "text.txt").write_bytes(raw_text)
        payload = data if data is not None else small_data
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        (folder / "annotations.json").write_bytes(raw)
        return folder

    return write
