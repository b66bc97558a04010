"""Trivial solutions (every member of every family) earn at most a quarter of a held-out or
grader-called question's points; the model solution earns them all; ``zero_marks_at`` is the best
trivial F1 rounded down to 0.05; docs/course.md shows the tables ``python -m tests.trivial`` prints."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.trivial import (
    BASELINE,
    CALENDAR_VARIANTS,
    CALLS_QUESTIONS,
    CAPITALISED_FILTERS,
    HELD_OUT_QUESTIONS,
    HIDDEN_BY,
    REFERENCE,
    TRAIN_QUESTIONS,
    attributors_markdown,
    best_trivial,
    calendar_expressions,
    calls_markdown,
    calls_points,
    capitalised_runs,
    family_results,
    hidden_baseline,
    hidden_reference,
    markdown,
    model_earns,
    model_solution,
    points,
    spec_of,
    thresholds_markdown,
    train_markdown,
    trivial_calls,
    zero_marks_from,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "course.md"


@pytest.mark.slow
@pytest.mark.parametrize(("lesson", "question"), HELD_OUT_QUESTIONS + TRAIN_QUESTIONS)
def test_every_member_of_every_trivial_family_earns_at_most_a_quarter(lesson: str, question: str) -> None:
    _, q = spec_of(lesson, question)
    training = (lesson, question) in TRAIN_QUESTIONS
    for family, members in family_results(lesson, question).items():
        if family in HIDDEN_BY and hidden_baseline(lesson, family):
            # corpuskit's own extractors and the statistical model would earn more than a quarter,
            # so the graded kernel cannot import them.
            continue
        # corpuskit's own extractors are hidden wherever an extractor is asked for; the statistical
        # model stays importable only in a lesson built on its parse, and must earn at most a quarter there.
        assert family not in HIDDEN_BY or not training, f"{lesson} must hide {', '.join(HIDDEN_BY[family])}"
        assert family != BASELINE, f"{lesson} must hide {', '.join(HIDDEN_BY[family])}"
        over = {name: earned.points for name, earned in members.items() if earned.points > 0.25 * q.points}
        assert not over, (
            f"{family}: {len(over)} of {len(members)} members earn more than a quarter of {q.points}: {over}"
        )
    assert model_earns(lesson, question).points == q.points


@pytest.mark.slow
@pytest.mark.parametrize(("lesson", "question"), HELD_OUT_QUESTIONS + TRAIN_QUESTIONS)
def test_zero_marks_at_is_the_best_trivial_f1_rounded_down(lesson: str, question: str) -> None:
    _, q = spec_of(lesson, question)
    assert q.heldout is not None
    _, _, best = best_trivial(lesson, question)
    model_f1 = model_earns(lesson, question).f1
    assert q.heldout.zero_marks_at == zero_marks_from(best.f1, model_f1)
    assert model_f1 >= q.heldout.full_marks_at


def test_the_capitalised_filters_do_what_their_names_say() -> None:
    text = 'The White House spoke. Naomi Castellanos met Mr. Raj Patel on Monday. "Yes," said Judge Harriet Mbeki.'

    def found(**filters: Any) -> list[str]:
        return [text[s:e] for s, e in capitalised_runs(text, **filters)]

    assert found() == ["The White", "Naomi Castellanos", "Raj Patel", "Judge Harriet"]
    assert found(words=(2, 3)) == ["The White House", "Naomi Castellanos", "Raj Patel", "Judge Harriet Mbeki"]
    assert found(words=(2, 3), titles="not in names")[-1] == "Harriet Mbeki"
    assert found(words=(2, 3), titles="in the span")[2:] == ["Mr. Raj Patel", "Judge Harriet Mbeki"]
    assert "Monday" in found(words=(1, 1)) and "Monday" not in found(words=(1, 1), no_calendar=True)
    # A naive sentence end: "Mr." ends one too.
    assert found(words=(2, 3), not_at_sentence_start=True) == ["Judge Harriet Mbeki"]
    text = "The talks met a Grand Jury and the Supreme Court, not Grand Rapids."
    assert found(not_after="the") == ["Grand Jury", "Grand Rapids"]
    assert found(not_after="the|a|an") == ["Grand Rapids"]


def test_the_calendar_variants_do_what_their_names_say() -> None:
    text = "Last Monday night, on March 3, 2019, and next Nov. 30 the talks ran two weeks, not today."

    def found(**variant: Any) -> list[str]:
        return [text[s:e] for s, e, _ in calendar_expressions(text, **variant)]

    assert found() == ["Monday", "March", "2019", "today"]
    assert found(prefix="last|next|this", dates="month day year", relative=False) == ["Last Monday", "March 3, 2019"]
    assert found(
        prefix="on|last|next|this",
        dates="month day",
        abbreviations=True,
        years=False,
        parts_of_day=True,
        durations=True,
    ) == ["Last Monday night", "on March 3", "next Nov. 30", "today", "two weeks"]


def test_every_held_out_and_grader_called_question_is_in_a_table() -> None:
    from corpuskit.course.spec import load_spec
    from tests.trivial import GRADING

    questions = [
        (spec.lesson, q)
        for spec in (load_spec(GRADING, p.stem) for p in sorted((GRADING / "lessons").glob("*.json")))
        for q in spec.questions
    ]
    held_out = {(lesson, q.id) for lesson, q in questions if q.heldout is not None and not q.heldout.train}
    assert held_out == set(HELD_OUT_QUESTIONS)
    trains = {(lesson, q.id) for lesson, q in questions if q.heldout is not None and q.heldout.train}
    assert trains == set(TRAIN_QUESTIONS)
    assert {(lesson, q.id) for lesson, q in questions if q.calls is not None} == set(CALLS_QUESTIONS)


@pytest.mark.slow
def test_the_docs_show_the_measured_tables() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert markdown() in docs
    assert calls_markdown() in docs
    assert train_markdown() in docs
    assert thresholds_markdown() in docs
    assert f"*capitalised words* ({len(CAPITALISED_FILTERS)} members)" in docs
    assert f"*weekday/month/year regex* ({len(CALENDAR_VARIANTS)} members)" in docs


@pytest.mark.slow
@pytest.mark.parametrize(("lesson", "question"), CALLS_QUESTIONS)
def test_trivial_answers_to_the_graders_calls_earn_at_most_a_quarter(lesson: str, question: str) -> None:
    spec, q = spec_of(lesson, question)
    for name, solution in trivial_calls(lesson, question).items():
        if name == REFERENCE:
            # corpuskit's own implementation would earn full marks, so the graded kernel cannot import it.
            assert hidden_reference(lesson)
            continue
        earned = calls_points(lesson, question, solution)
        assert earned <= 0.25 * q.points, f"{name} earns {earned} of {q.points}"
    assert calls_points(lesson, question, model_solution(spec, q)) == q.points


@pytest.mark.slow
def test_lesson_7_shows_the_measured_comparison_of_the_attributors() -> None:
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "07-patterns.ipynb", as_version=4)
    shown = [cell.source for cell in nb.cells if cell.cell_type == "markdown" and "--attributors" in cell.source]
    assert len(shown) == 1 and attributors_markdown() in shown[0]


# Words of each kind: a function returning as many wide spans of a label as it finds words of that
# kind gets about as many spans of each label as the gold has, without locating any.
WORDS_OF = {
    "DATE": r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|"
    r"July|August|September|October|November|December|today|yesterday|tomorrow|(?:19|20)\d\d|last \w+|next \w+|"
    r"this \w+)\b",
    "DURATION": r"\b(?:\d+|two|three|four|five|six|several|many)[- ](?:days?|weeks?|months?|years?|hours?|minutes?)\b",
    "TIME": r"(?i)\b(?:\d{1,2}(?::\d\d)?\s*[ap]\.?m\.?|morning|afternoon|evening|tonight|midnight|noon)\b",
    "SET": r"(?i)\b(?:every|each|annual|weekly|daily|monthly|yearly)\b",
    "PERSON": r"\b[A-Z][a-z]+\b",
}


def _degenerate(family: str, labels: tuple[str, ...], per_word: int) -> Callable[[str], list[tuple[int, int, str]]]:
    """Wide spans of each label, ``per_word`` for each word of its kind, that a matching by overlap
    would pair each with another gold span."""

    def solution(text: str) -> list[tuple[int, int, str]]:
        n, found = len(text), []
        for label in labels:
            copies = per_word * len(re.findall(WORDS_OF[label], text))
            spans = {
                "identical whole-text copies": [(0, n)] * copies,
                "nested whole-text copies": [(0, n - k) for k in range(copies)],
                "shifted whole-text copies": [(k, n - copies + k) for k in range(copies)],
                "paragraph copies": [span for span in _paragraph_spans(text) for _ in range(copies)],
            }[family]
            found += [(s, e, label) for s, e in spans]
        return found

    return solution


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lesson", "question"),
    [("02-annotating", "q6-dates"), ("03-entities", "q6-people"), ("05-events-time", "q6-find-timexes")],
)
@pytest.mark.parametrize(
    "family",
    ["identical whole-text copies", "nested whole-text copies", "shifted whole-text copies", "paragraph copies"],
)
def test_many_overlapping_copies_of_a_wide_span_earn_at_most_a_quarter(lesson: str, question: str, family: str) -> None:
    _, q = spec_of(lesson, question)
    labels = tuple(q.heldout.labels) if q.heldout and q.heldout.labels else ("DATE", "DURATION", "TIME", "SET")
    for per_word in (1, 2, 4):
        earned = points(lesson, question, _degenerate(family, labels, per_word))
        assert earned <= 0.25 * q.points, f"{family}, {per_word} per word of its kind, earn {earned} of {q.points}"
