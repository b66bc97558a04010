"""The annotation round trip through a real Label Studio server, started for this module.

A server on a free local port, SQLite in a temporary folder: a project from corpuskit's labelling
config, corpuskit's tasks with predictions imported, an annotator's work through the REST API
(accept, delete, relabel, draw, skip), the export, and ``corpuskit import`` back into a copy of
the article, compared with the document expected. Where Label Studio is not installed the module
skips, except in CI (``CI`` set), where it fails: ``scripts/test.sh`` installs it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import corpuskit
from corpuskit.cli import EXIT_OK, main
from corpuskit.errors import InputError
from corpuskit.importing import import_annotations, import_corpus
from corpuskit.model import Document, Entity
from corpuskit.scaffold import new_document
from tests import labelstudio_recipes as recipes
from tests.labelstudio_server import LabelStudio, command, running

pytestmark = pytest.mark.slow

if command() is None and not os.environ.get("CI"):
    pytest.skip("needs label-studio in .labelstudio-venv/ (scripts/test.sh installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabelStudio]:
    # Under CI a missing or failing server raises here, so every test of the module fails.
    with running(tmp_path_factory.mktemp("label-studio")) as started:
        yield started


@pytest.fixture
def hanoi(tmp_path: Path, gold_folder: Path) -> Path:
    folder = tmp_path / "corpus" / "hanoi-summit-2019"
    shutil.copytree(gold_folder, folder)
    return folder


def save(tmp_path: Path, exported: list[dict[str, object]]) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported))
    return path


def test_skipped_then_annotated(server: LabelStudio, hanoi: Path, gold: Document, tmp_path: Path) -> None:
    exported = recipes.skipped_then_annotated(server)
    annotations = exported[0]["annotations"]
    assert [a["was_cancelled"] for a in annotations] == [True, False]  # what Label Studio writes
    assert main(["import", str(hanoi), str(save(tmp_path, exported)), "--from", "labelstudio"]) == EXIT_OK
    assert corpuskit.load(hanoi) == gold


def test_deleted_relabelled_and_drawn(server: LabelStudio, hanoi: Path, gold: Document, tmp_path: Path) -> None:
    export = save(tmp_path, recipes.deleted_and_added(server))
    import_annotations(hanoi, export, "labelstudio")
    words, label = recipes.DRAWN
    start = gold.text.index(words)
    # A drawn region takes the first id above every pre-annotation's.
    first_free = f"T{max(int(e.id[1:]) for e in gold.entities) + 1}"
    drawn = Entity(first_free, start, start + len(words), words, label)
    kept = [
        dataclasses.replace(e, label="NORP", role=None) if e.id == "T2" else e for e in gold.entities if e.id != "T5"
    ]
    expected = dataclasses.replace(gold, entities=tuple(sorted([*kept, drawn], key=lambda e: (e.start, e.end))))
    assert corpuskit.load(hanoi) == expected


def test_skipped_or_never_annotated_changes_nothing(server: LabelStudio, hanoi: Path, tmp_path: Path) -> None:
    before = (hanoi / "annotations.json").read_bytes()
    for recipe in (recipes.skipped_only, recipes.predictions_only):
        with pytest.warns(UserWarning, match="no submitted annotation"), pytest.raises(InputError):
            import_annotations(hanoi, save(tmp_path, recipe(server)), "labelstudio")
    with pytest.raises(InputError, match="holds no tasks"):
        import_annotations(hanoi, save(tmp_path, recipes.nothing_annotated(server)), "labelstudio")
    assert (hanoi / "annotations.json").read_bytes() == before


def test_two_documents_into_a_corpus_folder(server: LabelStudio, hanoi: Path, gold: Document, tmp_path: Path) -> None:
    export = save(tmp_path, recipes.two_documents(server))
    second = new_document("kelsbury-council", recipes.SECOND_ARTICLE, hanoi.parent)
    results = import_corpus(hanoi.parent, export, "labelstudio")
    assert [r.unchanged for r in results] == [None, None]
    assert corpuskit.load(hanoi) == gold
    assert [(e.text, e.label) for e in corpuskit.load(second).entities] == [
        ("Kelsbury", "GPE"),
        ("Ruth Okafor", "PERSON"),
    ]
