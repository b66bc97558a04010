"""Held-out scoring of quote questions: the ``quotes`` and ``attributions`` layers.

A quote question calls the student's function on held-out texts; it returns ``(start, end,
speaker)`` triples. Contents are matched to gold contents as in the Gender Gap Tracker evaluation
(a gold quote is found by the prediction covering the largest share of it, above the spec's
``overlap``); for ``attributions`` a found quote counts only when the speaker is one of the gold
speaker's names (its source as written, the cluster's name, any mention of the cluster).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import corpuskit
from corpuskit.course import answers
from corpuskit.course.kernel import Outcome
from corpuskit.course.key import answer_key as _answer_key
from corpuskit.course.questions import grade_function
from corpuskit.course.score import score_quotes, speaker_key, speaker_names
from corpuskit.course.spec import parse_spec

ROOT = Path(__file__).resolve().parents[1]
GRADING = ROOT / "grading"


def spec(layer: str, overlap: float | None = None, full_marks_at: float = 1.0, documents: Any = "*") -> Any:
    heldout: dict[str, Any] = {"documents": documents, "layer": layer, "full_marks_at": full_marks_at}
    if overlap is not None:
        heldout["overlap"] = overlap
    return parse_spec(
        {
            "lesson": "t",
            "title": "t",
            "notebook": "t.ipynb",
            "questions": [
                {
                    "id": "q",
                    "kind": "function",
                    "name": "find_quotes",
                    "points": 4,
                    "partial": "proportional",
                    "heldout": heldout,
                }
            ],
        }
    )


def question(layer: str, overlap: float | None = None, full_marks_at: float = 1.0) -> Any:
    return spec(layer, overlap, full_marks_at).questions[0]


def held_out(layer: str) -> Any:
    """The grader's held-out key for a quote question on the shipped held-out set."""
    return _answer_key(spec(layer), GRADING).heldout["q"]


def pulled(predictions: list[list[tuple[int, int, str]]]) -> answers.Pulled:
    return answers.Pulled("ok", [{"ok": True, "value": [list(p) for p in doc]} for doc in predictions])


def test_overlap_defaults_to_the_lower_threshold_and_can_be_set() -> None:
    assert question("quotes").heldout.overlap == 0.3
    assert question("attributions", overlap=0.8).heldout.overlap == 0.8


def test_a_quote_is_found_when_the_prediction_covers_more_than_the_overlap() -> None:
    gold = [[(0, 10, "direct")]]
    speakers = [[frozenset({"trump", "donald trump"})]]
    half = [[(0, 5, "Trump")]]
    low, high = score_quotes(gold, speakers, half, 0.3), score_quotes(gold, speakers, half, 0.8)
    assert (low.content.correct, low.content.missed, low.content.spurious) == (1, 0, 0)
    assert (high.content.correct, high.content.missed, high.content.spurious) == (0, 1, 1)
    assert low.speakers_right == 1 and low.attribution.correct == 1
    wrong = score_quotes(gold, speakers, [[(0, 10, "Kim")]], 0.3)
    assert wrong.content.f1 == 1.0 and wrong.attribution.f1 == 0.0 and wrong.matched == 1


def test_speaker_names_include_nominal_and_pronoun_mentions() -> None:
    doc = corpuskit.load("hanoi-summit-2019")
    quotes = {q.id: q for q in doc.quotes}
    assert {"it", "white house", "the white house"} <= speaker_names(quotes["Q2"], doc)
    assert {"the top u.s. diplomat", "pompeo", "mike pompeo"} <= speaker_names(quotes["Q19"], doc)
    assert speaker_key("  The U.S.   President ") == "the u.s. president"
    assert speaker_key("Kim") not in speaker_names(quotes["Q19"], doc)


def test_heldout_quotes_load_with_speakers_for_every_gold_quote() -> None:
    key = held_out("quotes")
    assert len(key.texts) == len(key.gold) == len(key.speakers) == 8
    assert sum(len(g) for g in key.gold) == 69
    assert all(len(g) == len(s) for g, s in zip(key.gold, key.speakers, strict=True))
    assert all(names for doc in key.speakers for names in doc), "every held-out quote has a speaker"


@pytest.mark.parametrize("layer", ["quotes", "attributions"])
def test_returning_the_heldout_gold_with_source_names_earns_full_marks(layer: str) -> None:
    q = question(layer)
    key = held_out(q.heldout.layer)
    predictions = [
        [(s, e, sorted(names)[0]) for (s, e, _), names in zip(g, n, strict=True)]
        for g, n in zip(key.gold, key.speakers, strict=True)
    ]
    result = grade_function(q, pulled(predictions), key, Outcome("ok"))
    assert result.points == 4 and result.status == "correct", result.feedback
    assert "F1 1.00" in result.feedback


def test_attributions_need_the_right_speaker_quotes_do_not() -> None:
    key = held_out("quotes")
    anonymous = [[(s, e, "") for s, e, _ in g] for g in key.gold]
    contents = grade_function(question("quotes"), pulled(anonymous), key, Outcome("ok"))
    assert contents.points == 4 and "speaker" not in contents.feedback
    result = grade_function(question("attributions"), pulled(anonymous), key, Outcome("ok"))
    assert result.points == 0 and result.status == "incorrect"
    assert "speaker right on 0 of the 69 quotes found" in result.feedback


def test_partial_credit_scales_to_full_marks_at_and_a_raising_text_is_reported() -> None:
    q = question("quotes", full_marks_at=0.5)
    key = held_out(q.heldout.layer)
    first_half = [[(s, e, "") for s, e, _ in g] if k < 4 else [] for k, g in enumerate(key.gold)]
    result = grade_function(q, pulled(first_half), key, Outcome("ok"))
    found = sum(len(g) for g in key.gold[:4])
    f1 = 2 * found / (found + 69)
    assert result.points == pytest.approx(round(4 * min(1.0, f1 / 0.5), 2))
    raising = answers.Pulled("ok", [{"ok": False, "error": "ValueError: no"}] * 8)
    result = grade_function(q, raising, key, Outcome("ok"))
    assert result.points == 0 and "failed on 8 of the 8 held-out texts: it raised an exception" in result.feedback
    assert "ValueError" not in result.feedback


def test_the_feedback_names_no_gold_offsets() -> None:
    q = question("attributions")
    key = held_out(q.heldout.layer)
    result = grade_function(q, pulled([[] for _ in key.gold]), key, Outcome("ok"))
    assert result.points == 0
    for doc in key.gold:
        for s, e, _ in doc:
            assert f"{s}, {e}" not in result.feedback and f"[{s}" not in result.feedback


def test_overlapping_spans_are_flattened_as_spacy_filter_spans_does() -> None:
    from corpuskit.course.score import flatten_spans

    spans = [(0, 10, "A"), (0, 10, "A"), (2, 5, "B"), (8, 14, "C"), (20, 24, "D"), (21, 25, "E"), (30, 30, "F")]
    # The longest wins; of (20, 24) and (21, 25), equally long, the earliest; (8, 14) overlaps (0, 10).
    assert flatten_spans(spans) == ([(0, 10, "A"), (20, 24, "D"), (30, 30, "F")], 4)
    assert flatten_spans([(3, 3, "X"), (3, 3, "X"), (0, 5, "Y")]) == ([(0, 5, "Y")], 2)
    assert flatten_spans([]) == ([], 0)


def test_overlapping_timexes_are_dropped_before_scoring_and_the_feedback_says_so() -> None:
    q = parse_spec(
        {
            "lesson": "t",
            "title": "t",
            "notebook": "t.ipynb",
            "questions": [
                {
                    "id": "q",
                    "kind": "function",
                    "name": "find_timexes",
                    "points": 3,
                    "partial": "proportional",
                    "heldout": {"documents": "*", "layer": "timexes", "schema": "type", "full_marks_at": 1.0},
                }
            ],
        }
    )
    key = _answer_key(q, GRADING).heldout["q"]
    gold = [[list(span) for span in doc] for doc in key.gold]
    exact = grade_function(
        q.questions[0], answers.Pulled("ok", [{"ok": True, "value": g} for g in gold]), key, Outcome("ok")
    )
    assert exact.points == 3 and "dropped" not in exact.feedback
    # Each gold span once, as the whole text: only one copy per text is kept.
    copies = [[[0, len(text), label] for _, _, label in doc] for text, doc in zip(key.texts, key.gold, strict=True)]
    wide = grade_function(
        q.questions[0], answers.Pulled("ok", [{"ok": True, "value": c} for c in copies]), key, Outcome("ok")
    )
    dropped = sum(len(doc) - 1 for doc in key.gold if doc)
    assert wide.points < 1 and f"{dropped} overlapping spans were dropped before scoring" in wide.feedback
