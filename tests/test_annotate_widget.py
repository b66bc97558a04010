"""The widget without a browser: its synced traitlets, the messages the browser sends, save/load."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import corpuskit
from corpuskit.annotate.model import SPEAKER
from corpuskit.annotate.widget import STATIC, AnnotationWidget, annotate
from corpuskit.formats.native import read_json_document


@pytest.fixture
def lede(gold: corpuskit.Document) -> AnnotationWidget:
    return annotate(gold, passage="S2", labels=["PERSON", "GPE", "NORP"], feedback=True)


def kim(gold: corpuskit.Document) -> tuple[int, int]:
    start = gold.text.index("Kim Jong Un", 51)
    return start, start + len("Kim Jong Un")


def send(widget: AnnotationWidget, **content: Any) -> None:
    """Deliver a message the way the browser's ``model.send`` does."""
    widget._handle_custom_msg(content, [])


def test_corpuskit_annotate_is_callable_every_time(gold: corpuskit.Document) -> None:
    first = corpuskit.annotate(gold, passage="S2")
    second = corpuskit.annotate(gold, passage="S3")  # after the package import shadowed the name
    from corpuskit import annotate as imported

    assert isinstance(first, AnnotationWidget) and isinstance(second, AnnotationWidget)
    assert isinstance(imported(gold), AnnotationWidget)


def test_the_widget_shows_the_passage_with_document_offsets(lede: AnnotationWidget, gold: corpuskit.Document) -> None:
    section = next(s for s in gold.sections if s.id == "S2")
    assert lede.text == section.text and lede.offset == section.start
    assert lede.labels == ["PERSON", "GPE", "NORP"]
    assert lede.shortcuts == {"PERSON": "p", "GPE": "g", "NORP": "n"}
    assert lede.marks == [] and lede.has_gold and lede.feedback


def test_a_browser_selection_becomes_an_annotation(lede: AnnotationWidget, gold: corpuskit.Document) -> None:
    start, end = kim(gold)
    version = lede.version
    send(lede, action="add", start=start, end=end, label="PERSON")
    assert [(e.start, e.end, e.text, e.label) for e in lede.annotations] == [(start, end, "Kim Jong Un", "PERSON")]
    assert lede.marks[0]["text"] == "Kim Jong Un" and lede.marks[0]["status"] == "match"
    assert lede.version > version and lede.can_undo and lede.focused == lede.marks[0]["id"]


def test_snapping_is_shown_as_a_note(lede: AnnotationWidget, gold: corpuskit.Document) -> None:
    start, end = kim(gold)
    send(lede, action="add", start=start + 1, end=end - 1, label="PERSON")
    assert "token boundaries" in lede.note and lede.annotations[0].text == "Kim Jong Un"


def test_relabel_delete_undo_through_messages(lede: AnnotationWidget, gold: corpuskit.Document) -> None:
    start, end = kim(gold)
    send(lede, action="add", start=start, end=end, label="GPE")
    mark_id = lede.marks[0]["id"]
    send(lede, action="relabel", id=mark_id, label="PERSON")
    assert lede.annotations[0].label == "PERSON"
    send(lede, action="delete", id=mark_id)
    assert lede.annotations == () and lede.marks == []
    send(lede, action="undo")
    assert lede.annotations[0].label == "PERSON"
    send(lede, action="redo")
    assert lede.annotations == () and lede.can_redo is False
    send(lede, action="nonsense")
    assert "unknown action" in lede.note


def test_agreement_and_compare_view_are_published(lede: AnnotationWidget, gold: corpuskit.Document) -> None:
    send(lede, action="add", start=kim(gold)[0], end=kim(gold)[1], label="PERSON")
    labels = {row["label"]: row for row in lede.agreement["by_label"]}
    assert labels["PERSON"]["correct"] == 1 and labels["PERSON"]["gold"] == 2
    assert {g["status"] for g in lede.gold} == {"match", "missed"}
    send(lede, action="view", view="compare")
    assert lede.view == "compare"


def test_switching_feedback_off_keeps_gold_out_of_the_browser(lede: AnnotationWidget) -> None:
    lede.feedback = False
    assert lede.gold == [] and lede.agreement == {}
    assert "gold" not in json.dumps([m for m in lede.marks])


def test_the_instructor_switch_in_the_environment(gold: corpuskit.Document, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORPUSKIT_FEEDBACK", "0")
    widget = annotate(gold, passage="S2")
    assert widget.feedback is False and widget.gold == [] and widget.agreement == {}


def test_plain_text_has_no_gold() -> None:
    widget = annotate("Kim met Trump in Hanoi.", labels=["PERSON"])
    send(widget, action="add", start=0, end=3, label="PERSON")
    assert widget.has_gold is False and widget.agreement == {} and widget.annotations[0].text == "Kim"


def test_a_layer_without_gold_gives_no_agreement(gold: corpuskit.Document) -> None:
    bare = corpuskit.Document(gold.id, gold.text, gold.metadata, sections=gold.sections)
    assert annotate(bare, passage="S2").has_gold is False


def test_the_state_syncs_as_plain_json(lede: AnnotationWidget, gold: corpuskit.Document) -> None:
    send(lede, action="add", start=kim(gold)[0], end=kim(gold)[1], label="PERSON")
    state = lede.get_state()
    json.dumps({k: v for k, v in state.items() if not k.startswith("_")})
    for name in ("text", "offset", "labels", "shortcuts", "colors", "marks", "agreement", "gold", "version"):
        assert name in state


def test_every_trait_the_browser_listens_to_is_synced() -> None:
    source = (STATIC / "annotate.js").read_text()
    listened = set(
        re.findall(
            r'"(\w+)"', source[source.index("const names = [") : source.index("];", source.index("const names = ["))]
        )
    )
    synced = set(AnnotationWidget.class_trait_names(sync=True))
    assert listened and listened <= synced
    assert "export default" in source and (STATIC / "annotate.css").is_file()


def test_keys_can_be_chosen(gold: corpuskit.Document) -> None:
    widget = annotate(gold, labels=["PERSON", "GPE"], keys={"PERSON": "K"})
    assert widget.shortcuts["PERSON"] == "k"


def test_save_and_load(tmp_path: Path, lede: AnnotationWidget, gold: corpuskit.Document) -> None:
    send(lede, action="add", start=kim(gold)[0], end=kim(gold)[1], label="PERSON")
    with pytest.raises(ValueError, match="file name"):
        lede.save()
    path = lede.save(tmp_path / "mine.json")
    assert [e.text for e in read_json_document(path).entities] == ["Kim Jong Un"]
    fresh = annotate(gold, passage="S2", labels=["PERSON", "GPE", "NORP"])
    fresh.load(path)
    assert fresh.annotations == lede.annotations and fresh.marks[0]["text"] == "Kim Jong Un"


def test_a_path_autosaves_and_a_rerun_picks_the_work_up(tmp_path: Path, gold: corpuskit.Document) -> None:
    path = tmp_path / "lesson2.json"
    widget = annotate(gold, passage="S2", path=path)
    send(widget, action="add", start=kim(gold)[0], end=kim(gold)[1], label="PERSON")
    assert [e.text for e in read_json_document(path).entities] == ["Kim Jong Un"]
    again = annotate(gold, passage="S2", path=path)
    assert again.annotations == widget.annotations and not again.can_undo


def test_quotes_through_messages(gold: corpuskit.Document) -> None:
    widget = annotate(gold, "quotes", passage="S10")
    text = gold.text
    content = text.index('"We have to walk ... There is a gap,"')
    send(
        widget, action="add", start=content, end=content + len('"We have to walk ... There is a gap,"'), label="direct"
    )
    speaker = text.index("Trump said", content)
    send(widget, action="add", start=speaker, end=speaker + 5, label=SPEAKER)
    (quote,) = widget.annotations
    assert quote.kind == "direct" and quote.source is not None and quote.source.text == "Trump"
    assert widget.shortcuts["SPEAKER"] == "s"
    assert any(m["link"] for m in widget.marks)
    assert widget.agreement["total"]["f1"] == 1.0


def test_annotate_refuses_what_it_cannot_show() -> None:
    with pytest.raises(TypeError, match="Document or a str"):
        annotate(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="start, end"):
        annotate("Kim met Trump.", passage="S1")


def test_a_saved_file_reopens_with_its_setup_and_gold(tmp_path: Path, gold: corpuskit.Document) -> None:
    widget = annotate(gold, passage="S2", labels=["PERSON", "GPE"])
    send(widget, action="add", start=kim(gold)[0], end=kim(gold)[1], label="PERSON")
    path = widget.save(tmp_path / "mine.json")
    for reopened in (annotate(path), annotate(read_json_document(path))):
        assert reopened.labels == ["PERSON", "GPE"] and reopened.offset == 51
        assert reopened.annotations == widget.annotations
        assert reopened.has_gold and reopened.agreement["total"]["correct"] == 1
    assert annotate(path).path == path
    assert set(annotate(path).to_document().metadata["annotate"]) == {"layer", "labels", "passage"}


def test_a_saved_plain_text_reopens_without_gold(tmp_path: Path) -> None:
    widget = annotate("Kim met Trump in Hanoi.", labels=["PERSON"])
    send(widget, action="add", start=0, end=3, label="PERSON")
    path = widget.save(tmp_path / "plain.json")
    reopened = annotate(path)
    assert reopened.has_gold is False and reopened.annotations == widget.annotations
