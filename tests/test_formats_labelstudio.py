from __future__ import annotations

import dataclasses
import json
import re
import warnings
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings

from corpuskit.errors import InputError
from corpuskit.formats.base import LayerNotCarriedWarning, restrict
from corpuskit.formats.labelstudio import from_task, labelling_config, read_labelstudio, to_task, write_tasks
from corpuskit.model import Document, Entity, Timex
from tests.conftest import SMALL_TEXT
from tests.strategies import documents

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


def carried(doc: Document) -> Document:
    """What Label Studio tasks hold: entities without roles, timexes without mod/anchor, in text order."""
    doc = restrict(doc, {"entities", "timexes"})
    return dataclasses.replace(
        doc,
        entities=tuple(sorted((dataclasses.replace(e, role=None) for e in doc.entities), key=text_order)),
        timexes=tuple(sorted((dataclasses.replace(t, mod=None, anchor=None) for t in doc.timexes), key=text_order)),
    )


def text_order(item: Entity | Timex) -> tuple[int, int]:
    return item.start, item.end


def test_gold_round_trips_as_predictions_and_as_annotations(gold: Document, tmp_path: Path) -> None:
    for as_annotations in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LayerNotCarriedWarning)
            write_tasks(tmp_path / "tasks.json", [gold], as_annotations=as_annotations)
        [back] = read_labelstudio(tmp_path / "tasks.json", text=gold.text)
        assert dataclasses.replace(back, metadata=gold.metadata) == carried(gold)


@SETTINGS
@given(documents())
def test_generated_documents_round_trip(doc: Document) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerNotCarriedWarning)
        task = json.loads(json.dumps(to_task(doc)))
    assert dataclasses.replace(from_task(task, "<mem>"), metadata=doc.metadata) == carried(doc)


def test_config_is_xml_naming_every_control_the_tasks_use(gold: Document) -> None:
    root = ElementTree.fromstring(labelling_config())
    names = {element.get("name") for element in root}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerNotCarriedWarning)
        task = to_task(gold)
    assert {r["from_name"] for r in task["predictions"][0]["result"]} <= names


def export(tmp_path: Path, text: str, result: list[dict[str, object]]) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"id": 1, "data": {"text": text}, "annotations": [{"id": 1, "result": result}]}]))
    return path


def region(start: int, end: int, text: str, label: str = "PERSON") -> dict[str, object]:
    return {
        "id": "abc",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text, "labels": [label]},
    }


def test_an_export_made_in_label_studio_reads(tmp_path: Path) -> None:
    [doc] = read_labelstudio(export(tmp_path, SMALL_TEXT, [region(0, 3, "Kim")]), text=SMALL_TEXT)
    assert [(e.id, e.text, e.label) for e in doc.entities] == [("T1", "Kim", "PERSON")]


BAD = {
    "another text": (
        "Kim met Moon in Seoul.",
        [region(0, 3, "Kim")],
        "none of its 1 task(s) is for the article's text",
    ),
    "bad offsets": (SMALL_TEXT, [region(0, 99, "Kim")], "task 1, result 1: offsets [0, 99) are not inside"),
    "wrong region text": (SMALL_TEXT, [region(0, 3, "Kin")], "task 1, result 1: region text 'Kin' differs"),
    "unknown label": (
        SMALL_TEXT,
        [region(0, 3, "Kim", "PERSN")],
        "task 1, result 1: label 'PERSN' is not an OntoNotes",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_exports_are_refused(tmp_path: Path, case: str) -> None:
    text, result, message = BAD[case]
    path = export(tmp_path, text, result)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        list(read_labelstudio(path, text=SMALL_TEXT))
    assert str(info.value).startswith(f"{path}: ")


# -- conformance: label-studio-converter reads our export ---------------------------------


def test_label_studio_converter_reads_our_export(gold: Document, tmp_path: Path) -> None:
    # label-studio-converter installs a top-level `tests` package that shadows this one, so
    # it is not a test dependency; the test runs where it is installed on its own.
    converter = pytest.importorskip("label_studio_converter")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerNotCarriedWarning)
        write_tasks(tmp_path / "export.json", [gold], as_annotations=True)
    out = tmp_path / "out"
    converter.Converter(labelling_config(), project_dir=str(tmp_path)).convert_to_json_min(
        str(tmp_path / "export.json"), str(out), is_dir=False
    )
    [record] = json.loads((out / "result.json").read_text())
    assert record["text"] == gold.text
    assert [(r["start"], r["end"], r["labels"][0]) for r in record["label"]] == [
        (e.start, e.end, e.label) for e in gold.entities
    ]
    assert [(r["start"], r["end"], r["labels"][0]) for r in record.get("timex", [])] == [
        (t.start, t.end, t.type) for t in gold.timexes
    ]
