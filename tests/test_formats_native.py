from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuskit.cli import main
from corpuskit.errors import InputError, ValidationError
from corpuskit.formats.native import (
    dumps,
    read_documents,
    read_json_document,
    read_jsonl,
    write_json_document,
    write_jsonl,
)
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


def _shuffled(value: Any, rng: random.Random, spell_out_nulls: bool) -> Any:
    """The same JSON value with every object's keys in a random order, absent optional keys
    written out as null (or null ones left out) by the coin ``spell_out_nulls``."""
    if isinstance(value, list):
        return [_shuffled(item, rng, spell_out_nulls) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _shuffled(item, rng, spell_out_nulls) for key, item in value.items()}
    if spell_out_nulls and {"label", "start"} <= out.keys():
        out.setdefault("role", None)  # an entity: its optional role spelt out
    keys = list(out)
    rng.shuffle(keys)
    return {key: out[key] for key in keys}


@SETTINGS
@given(documents(), st.randoms(use_true_random=False), st.booleans())
def test_every_writer_gives_the_same_bytes_whatever_the_key_order(
    tmp_path_factory: pytest.TempPathFactory, doc: Document, rng: random.Random, nulls: bool
) -> None:
    folder = tmp_path_factory.mktemp("canonical")
    expected = dumps(doc) + "\n"
    shuffled = _shuffled(doc.to_dict(), rng, nulls)
    (folder / "in.json").write_text(json.dumps(shuffled), encoding="utf-8")
    (folder / "doc").mkdir()
    (folder / "doc" / "text.txt").write_text(doc.text, encoding="utf-8")
    (folder / "doc" / "annotations.json").write_text(json.dumps({**shuffled, "text": doc.text}), encoding="utf-8")
    assert main(["load", str(folder / "doc"), "--format", "json", "-o", str(folder / "load.json")]) == 0
    assert main(["convert", str(folder / "in.json"), str(folder / "convert.json")]) == 0
    assert main(["convert", str(folder / "in.json"), str(folder / "convert.jsonl")]) == 0
    assert (folder / "load.json").read_text(encoding="utf-8") == expected
    assert (folder / "convert.json").read_text(encoding="utf-8") == expected
    assert (folder / "convert.jsonl").read_text(encoding="utf-8") == dumps(doc, indent=None) + "\n"


def test_load_as_json_needs_neither_msgspec_nor_the_model() -> None:
    # Start-up: the command checks with the generated code and writes canonical JSON itself.
    code = (
        "import sys\nfrom corpuskit.cli import main\n"
        "main(['load', 'hanoi-summit-2019', '--format', 'json', '-o', '/dev/null'])\n"
        "print(sorted(m for m in sys.modules if m == 'msgspec' or m == 'corpuskit.model'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
