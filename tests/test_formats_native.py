from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from corpuskit.errors import InputError, ValidationError
from corpuskit.formats.native import read_documents, read_json_document, read_jsonl, write_json_document, write_jsonl
from corpuskit.model import Document
from tests.strategies import documents

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


def test_gold_round_trips_as_json_and_jsonl(gold: Document, tmp_path: Path) -> None:
    write_json_document(tmp_path / "g.json", gold)
    assert read_json_document(tmp_path / "g.json") == gold
    write_jsonl(tmp_path / "g.jsonl", [gold, gold])
    assert list(read_documents(tmp_path / "g.jsonl")) == [gold, gold]


@SETTINGS
@given(documents())
def test_generated_documents_round_trip(tmp_path_factory: pytest.TempPathFactory, doc: Document) -> None:
    folder = tmp_path_factory.mktemp("native")
    write_json_document(folder / "d.json", doc)
    write_jsonl(folder / "d.jsonl", [doc])
    assert read_json_document(folder / "d.json") == doc
    assert list(read_jsonl(folder / "d.jsonl")) == [doc]


def test_jsonl_is_read_lazily(gold: Document, tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    write_jsonl(path, [gold])
    path.write_text(path.read_text() + "{broken\n")
    documents_read = read_jsonl(path)
    assert next(documents_read) == gold  # the bad second line is not read yet
    with pytest.raises(InputError, match=re.escape(f"{path}:2: invalid JSON")):
        next(documents_read)


def test_a_bad_span_names_the_line(gold: Document, tmp_path: Path) -> None:
    data = gold.to_dict()
    data["entities"][0]["end"] = 10**6
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(gold.to_dict()) + "\n" + json.dumps(data) + "\n")
    with pytest.raises(ValidationError, match=re.escape(f"{path}:2: $.entities[0]")):
        list(read_jsonl(path))


def test_a_line_that_is_not_a_document(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("[1, 2]\n")
    with pytest.raises(InputError, match="expected a document object"):
        list(read_jsonl(path))
