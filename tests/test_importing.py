from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

import corpuskit
from corpuskit.cli import EXIT_INVALID, EXIT_OK, main
from corpuskit.errors import InputError, ValidationError
from corpuskit.formats import registry
from corpuskit.formats.native import write_json_document
from corpuskit.importing import import_annotations
from corpuskit.model import Document

# Label Studio has no place for metonymy roles; the export says so, which is not under test here.
pytestmark = pytest.mark.filterwarnings("ignore::corpuskit.formats.base.LayerNotCarriedWarning")


@pytest.fixture
def article(tmp_path: Path, gold_folder: Path) -> Path:
    """A copy of the article's folder whose entities and timexes were never annotated."""
    folder = tmp_path / "hanoi-copy"
    shutil.copytree(gold_folder, folder)
    bare = dataclasses.replace(corpuskit.load(folder), entities=(), timexes=())
    # A standoff file, without the text, as the corpus keeps it.
    (folder / "annotations.json").write_text(json.dumps(bare.to_dict(include_text=False), indent=2) + "\n")
    return folder


def _labelstudio_export(doc: Document, path: Path) -> Path:
    registry.write("labelstudio", str(path), [doc], ["entities", "timexes"])
    return path


def test_label_studio_annotations_come_back_and_the_rest_stays(article: Path, gold: Document, tmp_path: Path) -> None:
    export = _labelstudio_export(gold, tmp_path / "export.json")
    done = import_annotations(article, export, "labelstudio")
    assert done.changes == (("entities", 0, len(gold.entities)), ("timexes", 0, len(gold.timexes)))
    back = corpuskit.load(article)
    assert [(e.start, e.end, e.label) for e in back.entities] == [(e.start, e.end, e.label) for e in gold.entities]
    assert [(t.start, t.end, t.value) for t in back.timexes] == [(t.start, t.end, t.value) for t in gold.timexes]
    assert back.sections == gold.sections and back.metadata == gold.metadata
    assert back.quotes == gold.quotes and back.clusters == gold.clusters


def test_an_export_of_another_text_changes_nothing(article: Path, gold: Document, tmp_path: Path) -> None:
    before = (article / "annotations.json").read_bytes()
    other = Document("other", "Kim met Trump in Hanoi.", {"title": "Other"})
    export = _labelstudio_export(other, tmp_path / "other.json")
    with pytest.raises(InputError):
        import_annotations(article, export, "labelstudio")
    assert (article / "annotations.json").read_bytes() == before


def test_a_layer_the_format_cannot_carry_is_refused(article: Path, gold: Document, tmp_path: Path) -> None:
    export = _labelstudio_export(gold, tmp_path / "export.json")
    with pytest.raises(InputError, match="labelstudio does not carry quotes"):
        import_annotations(article, export, "labelstudio", ["quotes"])


def test_an_import_that_would_leave_dangling_ids_writes_nothing(
    gold_folder: Path, gold: Document, tmp_path: Path
) -> None:
    folder = tmp_path / "hanoi"
    shutil.copytree(gold_folder, folder)
    before = (folder / "annotations.json").read_bytes()
    # A valid export without coreference: importing only its (empty) clusters would orphan the
    # entities, quotes and event arguments that still point at the old ones.
    unlinked = dataclasses.replace(
        gold,
        clusters=(),
        entities=tuple(dataclasses.replace(e, cluster=None) for e in gold.entities),
        quotes=tuple(dataclasses.replace(q, speaker=None) for q in gold.quotes),
        events=tuple(
            dataclasses.replace(ev, arguments=tuple(dataclasses.replace(a, cluster=None) for a in ev.arguments))
            for ev in gold.events
        ),
    )
    write_json_document(tmp_path / "unlinked.json", unlinked)
    with pytest.raises(ValidationError, match="refers to cluster"):
        import_annotations(folder, tmp_path / "unlinked.json", layers=["clusters"])
    assert (folder / "annotations.json").read_bytes() == before


def test_cli_import(article: Path, gold: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = _labelstudio_export(gold, tmp_path / "export.json")
    assert main(["import", str(article), str(export), "--from", "labelstudio", "--layers", "entities"]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"entities      0 -> {len(gold.entities)}" in out and "timexes" not in out
    assert main(["validate", str(article)]) == EXIT_OK
    assert main(["import", str(article), str(tmp_path / "export.weird")]) == EXIT_INVALID
    assert "give --from FORMAT" in capsys.readouterr().err
