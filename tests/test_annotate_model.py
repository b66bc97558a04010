"""The widget's pure-Python model: selection to span, snapping, undo, quotes, save/load, agreement."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import corpuskit
from corpuskit.annotate.model import (
    SPEAKER,
    AnnotationState,
    Mark,
    agreement,
    default_keys,
    layer_marks,
    passage_of,
    score,
    snap,
    tokens,
)
from corpuskit.corpus import check
from corpuskit.errors import InputError
from corpuskit.formats.native import read_json_document
from corpuskit.model import ENTITY_LABELS

TEXT = "Kim Jong Un met U.S. President Donald Trump in Hanoi."
SAID = 'Trump said "We have to walk," and Kim smiled.'


def at(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


@pytest.fixture
def state() -> AnnotationState:
    return AnnotationState(TEXT, labels=("PERSON", "GPE", "ORG"))


# -- tokens and snapping -------------------------------------------------------------------


def test_tokens_are_corpuskits_tokens() -> None:
    assert [TEXT[s:e] for s, e in tokens(TEXT)][:6] == ["Kim", "Jong", "Un", "met", "U.S.", "President"]


def test_a_selection_on_token_boundaries_is_kept_without_a_note() -> None:
    assert snap(TEXT, 0, 11) == snap(TEXT, 0, 11).__class__(0, 11, "")


def test_a_selection_cutting_words_grows_to_whole_tokens_with_a_note() -> None:
    result = snap(TEXT, 1, 10)
    assert (result.start, result.end) == (0, 11)
    assert "token boundaries" in result.note and "'Kim Jong Un'" in result.note


def test_spaces_around_a_selection_are_dropped_quietly() -> None:
    start, end = at(TEXT, " Donald Trump ")
    result = snap(TEXT, start, end)
    assert TEXT[result.start : result.end] == "Donald Trump" and result.note == ""


def test_a_selection_of_spaces_only_is_empty() -> None:
    result = snap("Kim   met", 4, 5)
    assert result.empty and "no words" in result.note


def test_a_backwards_selection_is_put_right() -> None:
    assert (snap(TEXT, 11, 0).start, snap(TEXT, 11, 0).end) == (0, 11)


def test_snapping_never_leaves_the_passage() -> None:
    result = snap(TEXT, 0, 20, passage=(4, 15))
    assert result.start >= 4 and result.end <= 15


@given(st.integers(0, len(TEXT)), st.integers(0, len(TEXT)))
def test_any_selection_snaps_to_token_boundaries(a: int, b: int) -> None:
    result = snap(TEXT, a, b)
    if result.empty:
        return
    starts = {s for s, _ in tokens(TEXT)}
    ends = {e for _, e in tokens(TEXT)}
    assert result.start in starts and result.end in ends
    low, high = min(a, b), max(a, b)
    assert all(result.start <= s and e <= result.end for s, e in tokens(TEXT) if low <= s and e <= high)
    assert low < result.end and result.start < high  # it grows or trims, never jumps elsewhere


# -- adding, relabelling, deleting, undo ---------------------------------------------------------


def test_add_turns_a_selection_into_an_entity_on_the_real_text(state: AnnotationState) -> None:
    change = state.add(*at(TEXT, "Kim Jong Un"), "PERSON")
    assert change.ok and change.note == ""
    (entity,) = state.annotations
    assert (entity.start, entity.end, entity.text, entity.label) == (0, 11, "Kim Jong Un", "PERSON")


def test_add_reports_snapping(state: AnnotationState) -> None:
    start, end = at(TEXT, "onald Trum")
    change = state.add(start, end, "PERSON")
    assert change.ok and "'Donald Trump'" in change.note
    assert state.annotations[0].text == "Donald Trump"


def test_unknown_label_is_refused(state: AnnotationState) -> None:
    change = state.add(0, 3, "NORP")
    assert not change.ok and "NORP" in change.note and not state.marks


def test_the_same_span_again_relabels_it(state: AnnotationState) -> None:
    state.add(*at(TEXT, "Hanoi"), "ORG")
    change = state.add(*at(TEXT, "Hanoi"), "GPE")
    assert change.ok and "ORG -> GPE" in change.note
    assert [(e.text, e.label) for e in state.annotations] == [("Hanoi", "GPE")]


def test_the_same_span_with_the_same_label_changes_nothing(state: AnnotationState) -> None:
    state.add(*at(TEXT, "Hanoi"), "GPE")
    change = state.add(*at(TEXT, "Hanoi"), "GPE")
    assert not change.ok and "already GPE" in change.note and len(state.marks) == 1


def test_an_overlapping_span_replaces_the_old_one(state: AnnotationState) -> None:
    state.add(*at(TEXT, "Donald"), "PERSON")
    change = state.add(*at(TEXT, "President Donald Trump"), "PERSON")
    assert change.ok and "replaced 'Donald'" in change.note
    assert [e.text for e in state.annotations] == ["President Donald Trump"]


def test_annotations_are_numbered_in_text_order(state: AnnotationState) -> None:
    state.add(*at(TEXT, "Hanoi"), "GPE")
    state.add(*at(TEXT, "Kim Jong Un"), "PERSON")
    assert [(e.id, e.text) for e in state.annotations] == [("T1", "Kim Jong Un"), ("T2", "Hanoi")]


def test_relabel_and_delete(state: AnnotationState) -> None:
    mark = state.add(*at(TEXT, "Hanoi"), "ORG").mark
    assert mark is not None
    assert state.relabel(mark.id, "GPE").ok and state.marks[0].label == "GPE"
    assert not state.relabel(mark.id, "NORP").ok
    assert state.delete(mark.id).ok and state.marks == ()
    assert not state.delete(mark.id).ok


def test_undo_and_redo_walk_through_every_change(state: AnnotationState) -> None:
    mark = state.add(*at(TEXT, "Hanoi"), "ORG").mark
    assert mark is not None
    state.relabel(mark.id, "GPE")
    state.delete(mark.id)
    assert state.marks == ()
    assert state.undo().ok and state.marks[0].label == "GPE"
    assert state.undo().ok and state.marks[0].label == "ORG"
    assert state.undo().ok and state.marks == ()
    assert not state.undo().ok
    assert state.redo().ok and state.marks[0].label == "ORG"


def test_a_new_change_forgets_what_could_be_redone(state: AnnotationState) -> None:
    state.add(*at(TEXT, "Hanoi"), "GPE")
    state.undo()
    state.add(*at(TEXT, "Kim Jong Un"), "PERSON")
    assert not state.can_redo and not state.redo().ok


def test_clear_is_undoable(state: AnnotationState) -> None:
    state.add(*at(TEXT, "Hanoi"), "GPE")
    assert state.clear().ok and not state.marks
    state.undo()
    assert len(state.marks) == 1


def test_the_passage_limits_what_can_be_annotated() -> None:
    passage = at(TEXT, "Donald Trump in Hanoi")
    state = AnnotationState(TEXT, labels=("PERSON",), passage=passage)
    assert not state.add(*at(TEXT, "Kim Jong Un"), "PERSON").ok
    assert state.add(0, len(TEXT), "PERSON").ok  # clipped to the passage, then snapped
    assert state.annotations[0].text == "Donald Trump in Hanoi"


def test_bad_setups_are_refused() -> None:
    with pytest.raises(ValueError, match="layers"):
        AnnotationState(TEXT, layer="events")
    with pytest.raises(ValueError, match="label set"):
        AnnotationState(TEXT, labels=("PERSON", "HERO"))
    with pytest.raises(ValueError, match="passage"):
        AnnotationState(TEXT, passage=(10, 5))


def test_default_keys_give_every_label_its_own_key() -> None:
    keys = default_keys([*ENTITY_LABELS])
    assert len(set(keys.values())) == len(ENTITY_LABELS)
    assert keys["PERSON"] == "p" and keys["GPE"] == "g" and keys["ORG"] == "o"
    assert not {"z", "y"} & set(keys.values())


# -- quotes: content, then speaker --------------------------------------------------------------


def quotes_state() -> AnnotationState:
    return AnnotationState(SAID, layer="quotes")


def test_content_then_speaker_makes_a_linked_quote() -> None:
    state = quotes_state()
    assert state.add(*at(SAID, '"We have to walk,"'), "direct").ok
    change = state.add(*at(SAID, "Trump"), SPEAKER)
    assert change.ok and "speaker" in change.note
    (quote,) = state.annotations
    assert quote.kind == "direct" and quote.content.text == '"We have to walk,"'
    assert quote.source is not None and quote.source.text == "Trump"


def test_a_speaker_needs_a_quote_first() -> None:
    state = quotes_state()
    change = state.add(*at(SAID, "Trump"), SPEAKER)
    assert not change.ok and "first" in change.note


def test_a_speaker_inside_its_own_quote_is_refused() -> None:
    state = quotes_state()
    state.add(*at(SAID, '"We have to walk,"'), "direct")
    assert not state.add(*at(SAID, "walk"), SPEAKER).ok


def test_clicking_a_quote_lets_another_speaker_be_linked() -> None:
    state = quotes_state()
    first = state.add(*at(SAID, '"We have to walk,"'), "direct").mark
    state.add(*at(SAID, "Trump"), SPEAKER)
    assert first is not None and state.set_focus(first.id).ok
    state.add(*at(SAID, "Kim"), SPEAKER)
    (quote,) = state.annotations
    assert quote.source is not None and quote.source.text == "Kim"


def test_deleting_a_quote_takes_its_unused_speaker_along() -> None:
    state = quotes_state()
    content = state.add(*at(SAID, '"We have to walk,"'), "direct").mark
    state.add(*at(SAID, "Trump"), SPEAKER)
    assert content is not None
    state.delete(content.id)
    assert state.marks == ()


def test_deleting_a_speaker_unlinks_its_quote() -> None:
    state = quotes_state()
    state.add(*at(SAID, '"We have to walk,"'), "direct")
    speaker = state.add(*at(SAID, "Trump"), SPEAKER).mark
    assert speaker is not None
    state.delete(speaker.id)
    (quote,) = state.annotations
    assert quote.source is None


def test_gold_quotes_become_linked_marks(gold: corpuskit.Document) -> None:
    section = next(s for s in gold.sections if s.id == "S4")
    marks = layer_marks(gold, "quotes", (section.start, section.end))
    by_id = {m.id: m for m in marks}
    linked = [m for m in marks if m.link]
    assert linked and all(by_id[m.link].label == SPEAKER for m in linked)


# -- documents, files, restoring ----------------------------------------------------------------


def test_the_saved_document_is_valid_native_json(tmp_path: Path, gold: corpuskit.Document) -> None:
    state = AnnotationState(gold.text, passage=passage_of(gold, "S2"), doc=gold)
    state.add(*at(gold.text, "Kim Jong Un"), "PERSON")
    path = tmp_path / "mine.json"
    state.save(path)
    data = read_json_document(path).to_dict()
    assert check({k: v for k, v in data.items() if k != "text"}, gold.text) == []
    assert data["metadata"]["annotate"] == {"layer": "entities", "labels": list(ENTITY_LABELS), "passage": [51, 237]}
    assert data["metadata"]["creation_time"] == "2019-02-28"


def test_save_then_load_restores_the_state(tmp_path: Path) -> None:
    state = AnnotationState(TEXT, labels=("PERSON", "GPE"), passage=(0, 43))
    state.add(*at(TEXT, "Kim Jong Un"), "PERSON")
    state.add(*at(TEXT, "Donald Trump"), "PERSON")
    state.save(tmp_path / "a.json")
    again = AnnotationState.from_document(read_json_document(tmp_path / "a.json"))
    assert (again.layer, again.labels, again.passage) == ("entities", ("PERSON", "GPE"), (0, 43))
    assert again.annotations == state.annotations
    assert not again.can_undo
    # fresh ids never clash with the ones the restored state hands out next
    again.add(*at(TEXT, "U.S."), "GPE")
    assert len({m.id for m in again.marks}) == 3


def test_quotes_survive_a_round_trip(tmp_path: Path) -> None:
    state = quotes_state()
    state.add(*at(SAID, '"We have to walk,"'), "direct")
    state.add(*at(SAID, "Trump"), SPEAKER)
    state.save(tmp_path / "q.json")
    again = AnnotationState.from_document(read_json_document(tmp_path / "q.json"))
    assert again.layer == "quotes" and again.annotations == state.annotations


def test_restoring_a_file_for_another_text_is_refused(tmp_path: Path) -> None:
    state = AnnotationState(TEXT)
    state.save(tmp_path / "a.json")
    other = AnnotationState(TEXT.upper())
    with pytest.raises(InputError, match="another text"):
        other.restore(read_json_document(tmp_path / "a.json"))


def test_restore_is_undoable(tmp_path: Path, state: AnnotationState) -> None:
    state.add(*at(TEXT, "Hanoi"), "GPE")
    state.save(tmp_path / "a.json")
    state.clear()
    state.restore(read_json_document(tmp_path / "a.json"))
    assert len(state.marks) == 1
    state.undo()
    assert state.marks == ()


# -- agreement with gold ------------------------------------------------------------------------


def test_copying_gold_agrees_perfectly(gold: corpuskit.Document) -> None:
    passage = passage_of(gold, "S2")
    state = AnnotationState(gold.text, passage=passage, gold=gold)
    for mark in layer_marks(gold, "entities", passage):
        assert state.add(mark.start, mark.end, mark.label).ok
    result = state.agreement()
    assert result is not None and result.total.f1 == 1.0 and result.total.gold == len(state.marks) > 0
    assert all(status == "match" for _, status in result.comparison.gold)


def test_agreement_is_pairwise_f1_per_label() -> None:
    gold = [Mark("g1", 0, 11, "PERSON"), Mark("g2", 31, 43, "PERSON"), Mark("g3", 47, 52, "GPE")]
    yours = [
        Mark("y1", 0, 11, "PERSON"),
        Mark("y2", 38, 43, "PERSON"),
        Mark("y3", 47, 52, "ORG"),
        Mark("y4", 16, 20, "GPE"),
    ]
    result = agreement(gold, yours)
    scores = {s.label: s for s in result.by_label}
    assert scores["PERSON"].f1 == pytest.approx(2 * 1 / (2 + 2))
    assert scores["GPE"].f1 == 0.0 and scores["ORG"].f1 == 0.0
    assert result.total.f1 == pytest.approx(2 * 1 / (3 + 4))
    assert [s for _, s in result.comparison.yours] == ["match", "extra", "boundary", "label"]
    assert [s for _, s in result.comparison.gold] == ["match", "boundary", "label"]


def test_agreement_counts_only_the_labels_offered(gold: corpuskit.Document) -> None:
    state = AnnotationState(gold.text, labels=("PERSON",), passage=passage_of(gold, "S2"), gold=gold)
    result = state.agreement()
    assert result is not None and {s.label for s in result.by_label} == {"PERSON"}


def test_no_gold_no_agreement() -> None:
    assert AnnotationState(TEXT).agreement() is None


def test_passage_of_a_section_id(gold: corpuskit.Document) -> None:
    assert passage_of(gold, "S2") == (51, 237)
    with pytest.raises(ValueError, match="no section"):
        passage_of(gold, "S99")


# -- import cost --------------------------------------------------------------------------------


def test_the_model_and_corpuskit_load_never_import_the_widget_stack() -> None:
    script = (
        "import sys, corpuskit.annotate.model; from corpuskit.cli import main;"
        "main(['load', 'hanoi-summit-2019', '-f', 'json', '-o', '/dev/null']);"
        "print(','.join(sorted({'anywidget', 'traitlets', 'ipywidgets'} & set(sys.modules))))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
    script = "import sys; from corpuskit.cli import main; main(['load', 'hanoi-summit-2019', '-f', 'json', '-o', '/dev/null']); print('corpuskit.annotate' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_grader_scores_the_saved_file_on_its_own_terms(tmp_path: Path, gold: corpuskit.Document) -> None:
    passage = passage_of(gold, "S2")
    state = AnnotationState(gold.text, passage=passage, doc=gold)
    state.add(*at(gold.text, "Kim Jong Un"), "PERSON")
    state.add(*at(gold.text, "Donald Trump"), "PERSON")
    state.add(*at(gold.text, "Thursday"), "PERSON")
    state.save(tmp_path / "mine.json")
    saved = read_json_document(tmp_path / "mine.json")
    result = score(saved, gold, passage=passage, labels=["PERSON"])
    assert (result.total.gold, result.total.yours, result.total.correct) == (2, 3, 2)
    assert score(saved, gold, passage=passage).total.gold > 2  # every gold entity of the lede counts
    with pytest.raises(InputError, match="another text"):
        score(corpuskit.Document("x", "other"), gold)
