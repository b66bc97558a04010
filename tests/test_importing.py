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
from corpuskit.formats.labelstudio import AnnotationChoice
from corpuskit.formats.native import write_json_document
from corpuskit.importing import import_annotations, import_corpus
from corpuskit.model import Document
from corpuskit.scaffold import new_document

ARTICLE = Path(__file__).parent / "fixtures" / "classroom" / "article.txt"
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


# -- exports made by a real Label Studio server (tests/fixtures/labelstudio/README.md) ------

LABEL_STUDIO = Path(__file__).parent / "fixtures" / "labelstudio"


@pytest.fixture
def hanoi(tmp_path: Path, gold_folder: Path) -> Path:
    folder = tmp_path / "corpus" / "hanoi-summit-2019"
    shutil.copytree(gold_folder, folder)
    return folder


def test_a_task_skipped_then_annotated_gives_the_submitted_annotation_and_loses_nothing(
    hanoi: Path, gold: Document, capsys: pytest.CaptureFixture[str]
) -> None:
    export = LABEL_STUDIO / "skipped-then-annotated.json"
    assert main(["import", str(hanoi), str(export), "--from", "labelstudio"]) == EXIT_OK
    captured = capsys.readouterr()
    assert "read annotation 2 (the latest submitted" in captured.err
    assert "1 skipped or cancelled annotation(s) left out" in captured.err
    assert f"entities    {len(gold.entities)} -> {len(gold.entities)}" in captured.out
    assert "kept 75 cluster links from the document" in captured.out
    assert "kept 3 metonymy roles from the document" in captured.out
    # Label Studio has no place for cluster links, roles, timex mods and anchors: all kept.
    assert corpuskit.load(hanoi) == gold


@pytest.mark.parametrize("name", ["skipped-only.json", "predictions-only.json"])
def test_a_task_never_annotated_changes_nothing_and_says_why(hanoi: Path, name: str) -> None:
    before = (hanoi / "annotations.json").read_bytes()
    with pytest.warns(UserWarning, match="no submitted annotation"), pytest.raises(InputError) as info:
        import_annotations(hanoi, LABEL_STUDIO / name, "labelstudio")
    assert "holds no annotation for 'hanoi-summit-2019'" in str(info.value)
    assert "nothing was imported" in str(info.value)
    assert (hanoi / "annotations.json").read_bytes() == before


def test_an_export_of_nothing_annotated_says_so(hanoi: Path) -> None:
    with pytest.raises(InputError, match=r"holds no tasks \(Label Studio exports only annotated tasks"):
        import_annotations(hanoi, LABEL_STUDIO / "nothing-annotated.json", "labelstudio")


def test_deleted_relabelled_and_drawn_regions_come_back_without_id_collisions(hanoi: Path, gold: Document) -> None:
    done = import_annotations(hanoi, LABEL_STUDIO / "deleted-and-added.json", "labelstudio")
    back = corpuskit.load(hanoi)
    ids = [e.id for e in back.entities]
    assert len(ids) == len(set(ids)) == len(gold.entities)
    assert "T5" not in ids
    [new] = [e for e in back.entities if e.id not in {g.id for g in gold.entities}]
    # A drawn region takes the first id above every pre-annotation's, so none can collide.
    first_free = f"T{max(int(g.id[1:]) for g in gold.entities) + 1}"
    assert (new.id, new.text, new.label) == (first_free, "working lunch", "EVENT")
    relabelled = next(e for e in back.entities if e.id == "T2")
    assert relabelled.label == "NORP" and relabelled.cluster == gold.entities[1].cluster
    assert [e.start for e in back.entities] == sorted(e.start for e in back.entities)
    assert done.changes[0] == ("entities", len(gold.entities), len(gold.entities))


def test_a_two_document_export_goes_into_each_document(hanoi: Path, gold: Document, tmp_path: Path) -> None:
    export = LABEL_STUDIO / "two-documents.json"
    # One document at a time: the task with its text is picked out of the export.
    n = len(gold.entities)
    assert import_annotations(hanoi, export, "labelstudio").changes[0][1:] == (n, n)
    # Or the whole corpus folder at once, each document matched by text.
    second = new_document("kelsbury-council", ARTICLE, hanoi.parent)
    results = import_corpus(hanoi.parent, export, "labelstudio")
    assert [r.document.id for r in results] == ["hanoi-summit-2019", "kelsbury-council"]
    assert corpuskit.load(hanoi) == gold
    assert [(e.text, e.label) for e in corpuskit.load(second).entities] == [
        ("Kelsbury", "GPE"),
        ("Ruth Okafor", "PERSON"),
    ]


def test_a_folder_without_the_exported_text_is_refused(hanoi: Path, tmp_path: Path) -> None:
    export = LABEL_STUDIO / "two-documents.json"
    before = (hanoi / "annotations.json").read_bytes()
    with pytest.raises(InputError, match=r"1 document\(s\) of the export \(kelsbury-council\) match no document"):
        import_corpus(hanoi.parent, export, "labelstudio")
    assert (hanoi / "annotations.json").read_bytes() == before


def test_emptying_a_layer_needs_it_named(hanoi: Path, tmp_path: Path, gold: Document) -> None:
    # An export holding entities but no time expressions would empty the timexes.
    data = json.loads((LABEL_STUDIO / "skipped-then-annotated.json").read_text())
    for annotation in data[0]["annotations"]:
        annotation["result"] = [r for r in annotation["result"] if r["from_name"] == "label"]
    export = tmp_path / "no-timexes.json"
    export.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"would empty layers of 'hanoi-summit-2019' \(timexes 17 -> 0\)"):
        import_annotations(hanoi, export, "labelstudio")
    with pytest.warns(AnnotationChoice, match="read annotation 2"):
        done = import_annotations(hanoi, export, "labelstudio", ["entities", "timexes"])
    n = len(gold.entities)
    assert done.changes == (("entities", n, n), ("timexes", len(gold.timexes), 0))


def test_convert_from_a_label_studio_export_keeps_the_metadata(tmp_path: Path, gold: Document) -> None:
    out = tmp_path / "out.json"
    export = LABEL_STUDIO / "skipped-then-annotated.json"
    assert main(["convert", str(export), str(out), "--from", "labelstudio"]) == EXIT_OK
    converted = json.loads(out.read_text())
    assert converted["id"] == gold.id and converted["metadata"] == dict(gold.metadata)


def test_annotations_drawn_in_brat_go_into_a_fresh_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = new_document("kelsbury-council", ARTICLE, tmp_path)
    drawn = Path(__file__).parent / "fixtures" / "brat" / "drawn-in-brat.ann"
    assert main(["import", str(folder), str(drawn)]) == EXIT_OK
    assert "clusters      0 -> 1" in capsys.readouterr().out
    doc = corpuskit.load(folder)
    assert len(doc.sections) == 6 and len(doc.entities) == 3 and len(doc.events) == 4
    assert doc.quotes[0].speaker == doc.clusters[0].id


def test_cli_import_into_a_corpus_folder(hanoi: Path, gold: Document, capsys: pytest.CaptureFixture[str]) -> None:
    new_document("kelsbury-council", ARTICLE, hanoi.parent)
    export = LABEL_STUDIO / "two-documents.json"
    assert main(["import", str(hanoi.parent), str(export), "--from", "labelstudio"]) == EXIT_OK
    out = capsys.readouterr().out
    n = len(gold.entities)
    assert f"hanoi-summit-2019:\n  entities    {n:3} -> {n:<4} items\n" in out
    assert "kelsbury-council:\n  entities      0 -> 2    items\n" in out
    assert out.count("  wrote ") == 2
