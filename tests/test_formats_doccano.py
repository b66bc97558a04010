from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from corpuskit.errors import InputError
from corpuskit.formats.base import LayerNotCarriedWarning
from corpuskit.formats.doccano import read_doccano, to_record, write_doccano
from corpuskit.model import Document
from tests.conftest import SMALL_TEXT
from tests.strategies import documents

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


def spans(doc: Document) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.label) for e in doc.entities]


def test_gold_round_trips(gold: Document, tmp_path: Path) -> None:
    with pytest.warns(LayerNotCarriedWarning, match="doccano cannot carry sections"):
        write_doccano(tmp_path / "gold.jsonl", [gold])
    [back] = read_doccano(tmp_path / "gold.jsonl", text=gold.text)
    assert (back.id, back.metadata, back.text) == (gold.id, gold.metadata, gold.text)
    assert spans(back) == spans(gold)


@SETTINGS
@given(documents())
def test_generated_documents_round_trip_overlaps_included(doc: Document) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerNotCarriedWarning)
        record = to_record(doc)
    from corpuskit.formats.doccano import from_record

    assert spans(from_record(json.loads(json.dumps(record)), "<mem>", 1)) == spans(doc)


def test_newer_export_shape_reads(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": 7,
                "text": SMALL_TEXT,
                "entities": [{"id": 1, "label": "PERSON", "start_offset": 0, "end_offset": 3}],
            }
        )
        + "\n"
    )
    [doc] = read_doccano(path)
    assert doc.id == "doccano-7" and spans(doc) == [(0, 3, "PERSON")]


BAD = {
    "bad offsets": (
        '{"text": "Kim met Trump in Hanoi.", "label": [[0, 99, "PERSON"]]}',
        "offsets [0, 99) are not inside",
    ),
    "unknown label": ('{"text": "Kim met Trump in Hanoi.", "label": [[0, 3, "PERSN"]]}', "'PERSN' is not an OntoNotes"),
    "truncated line": ('{"text": "Kim met Trump in Hanoi.", "label": [[0, 3, "PERS', "invalid JSON"),
    "another text": ('{"text": "Kim met Moon in Seoul.", "label": []}', "differs from the article's"),
    "bad triple": ('{"text": "Kim met Trump in Hanoi.", "label": [[0, 3]]}', "list of [start, end, label] triples"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_records_name_file_and_line(tmp_path: Path, case: str) -> None:
    line, message = BAD[case]
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "Kim met Trump in Hanoi.", "label": []}\n' + line + "\n")
    with pytest.raises(InputError, match=re.escape(message)) as info:
        list(read_doccano(path, text=SMALL_TEXT))
    assert info.value.path == str(path) and info.value.line == 2
