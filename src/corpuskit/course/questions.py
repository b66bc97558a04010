"""Grading one question from what the kernel returned: values, held-out extractors, grader-made calls.

Each grader takes the answer pulled out of the kernel as plain JSON and the answer key, and
returns a ``QuestionResult`` with points and feedback. Nothing here runs in the kernel.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from corpuskit.course import answers
from corpuskit.course.clean import exception_name
from corpuskit.course.kernel import Outcome
from corpuskit.course.key import Calls, Heldout
from corpuskit.course.report import QuestionResult
from corpuskit.course.score import (
    FLAT_LAYERS,
    QUOTE_LAYERS,
    QuoteScore,
    earned,
    flatten_spans,
    scaled,
    score_quotes,
    score_value,
)
from corpuskit.course.spec import Question


def result(q: Question, points: float, status: str, feedback: str) -> QuestionResult:
    return QuestionResult(q.id, q.title, points, q.points, status, feedback)


def why_not(pulled: answers.Pulled, q: Question, cell_outcome: Outcome) -> QuestionResult:
    stopped = f" Its cell stopped with {cell_outcome.message}." if not cell_outcome.ok else ""
    if pulled.status == "missing":
        what = "function" if q.kind == "function" else "variable"
        feedback = f"No answer: the {what} `{q.name}` is not defined after its cell ran.{stopped}"
        return result(q, 0.0, "missing", feedback)
    if pulled.status == "unserialisable":
        # A function's results were made with held-out text or grader-made arguments in the kernel,
        # which can choose among the reasons: one fixed reason for them.
        why = (pulled.reason or raised(pulled.error)) if q.kind == "value" else "not plain data"
        return result(
            q,
            0.0,
            "invalid",
            f"`{q.name}` could not be read as plain data ({why}); use plain Python values (int, str, list, dict).",
        )
    return result(q, 0.0, "error", f"The answer to this question could not be read from the kernel.{stopped}")


def raised(error: object) -> str:
    """What the kernel reported about an exception, told without its words.

    The snippet reports ``Name: message``. The message (and a class name of the student's own)
    may quote anything the kernel holds, held-out text included, so only a built-in exception
    name is repeated.
    """
    name = str(error).split(":", 1)[0].strip()
    return exception_name(name) if name else "an error"


# Every way a function can fail with held-out text or grader-made arguments at hand, told as one:
# the function chooses the way, and could spell out the text with it.
HOW_IT_FAILS = "it raised an exception, exceeded its time or memory limit, or the kernel died"


def grade_value(q: Question, pulled: answers.Pulled, expected: Any, cell_outcome: Outcome) -> QuestionResult:
    if pulled.status != "ok":
        return why_not(pulled, q, cell_outcome)
    problem = answers.type_problem(pulled.value, q.type, f"`{q.name}`")
    if problem:
        return result(q, 0.0, "invalid", problem[0].upper() + problem[1:] + ".")
    fraction, detail = score_value(q, pulled.value, expected)
    points = earned(q, fraction)
    if points >= q.points:
        return result(q, points, "correct", "Correct.")
    hint = f" Hint: {q.hint}" if q.hint else ""
    detail = f" {detail[0].upper()}{detail[1:]}." if detail else ""
    status = "partial" if points > 0 else "incorrect"
    return result(q, points, status, f"Not right yet.{detail}{hint}")


def grade_function(q: Question, pulled: answers.Pulled, heldout: Heldout, cell_outcome: Outcome) -> QuestionResult:
    assert q.heldout is not None
    if pulled.status != "ok":
        return why_not(pulled, q, cell_outcome)
    results = pulled.value if isinstance(pulled.value, list) else []
    predictions: list[list[tuple[int, int, str]]] = []
    failed = 0
    for k in range(len(heldout.texts)):
        item: dict[str, Any] = {"ok": False, "error": "no result"}
        if k < len(results) and isinstance(results[k], dict):
            item = results[k]
        # How it failed is not told: the function chooses it, with the held-out text at hand.
        if (
            not item.get("ok")
            or answers.type_problem(item.get("value"), "spans")
            or not all(0 <= s <= e for s, e, _ in item["value"])
        ):
            failed += 1
            predictions.append([])
        else:
            predictions.append([(int(s), int(e), str(label)) for s, e, label in item["value"]])
    notes = (
        [
            f"your `{q.name}` failed on {failed} of the {len(heldout.texts)} held-out texts: {HOW_IT_FAILS}, or "
            "did not return a list of (start, end, label) triples with 0 <= start <= end "
            "(the grader does not say which)"
        ]
        if failed
        else []
    )
    found = measure(q, heldout, predictions)
    if found.quotes is not None:
        return grade_quotes(q, len(heldout.texts), found, notes)
    points = earned(q, scaled(found.f1, q.heldout.zero_marks_at, q.heldout.full_marks_at))
    n = len(heldout.texts)
    measured = (
        f"On {n} held-out text{'s' if n != 1 else ''} your `{q.name}` scores F1 {found.f1:.2f} "
        f"(precision {found.precision:.2f}, recall {found.recall:.2f}, {q.heldout.schema} match); "
        f"{marks_range(q.heldout.zero_marks_at, q.heldout.full_marks_at)}."
    )
    if found.dropped:
        measured += (
            f" {found.dropped} overlapping span{'s were' if found.dropped != 1 else ' was'} dropped before scoring "
            "(the gold spans never overlap: of overlapping spans only the longest counts)."
        )
    return measured_result(q, points, measured, notes)


@dataclasses.dataclass(frozen=True, slots=True)
class Measured:
    """A function's predictions on the held-out texts, scored as its question asks."""

    f1: float
    precision: float
    recall: float
    dropped: int = 0  # overlapping spans dropped before scoring a flat layer
    quotes: QuoteScore | None = None  # the quote layers' scores


def measure(q: Question, heldout: Heldout, predictions: list[list[tuple[int, int, str]]]) -> Measured:
    """The F1 (with precision and recall) that the points of a held-out question are scaled from."""
    from corpuskit.evaluate import evaluate_spans

    assert q.heldout is not None
    if q.heldout.layer in QUOTE_LAYERS:
        found = score_quotes(heldout.gold, heldout.speakers, predictions, q.heldout.overlap, q.heldout.within)
        counts = found.attribution if q.heldout.layer == "attributions" else found.content
        return Measured(counts.f1, counts.precision, counts.recall, quotes=found)
    dropped = 0
    if q.heldout.layer in FLAT_LAYERS:
        flat = [flatten_spans(spans) for spans in predictions]
        predictions, dropped = [spans for spans, _ in flat], sum(n for _, n in flat)
    labels = q.heldout.labels or None
    result = evaluate_spans([list(g) for g in heldout.gold], predictions, labels=labels).schema(q.heldout.schema)
    return Measured(result.f1, result.precision, result.recall, dropped)


def marks_range(zero_at: float, full_at: float) -> str:
    if zero_at > 0:
        return f"points grow from F1 {zero_at:.2f} (what trivial solutions reach) to full marks at F1 {full_at:.2f}"
    return f"full marks from F1 {full_at:.2f}"


def measured_result(q: Question, points: float, measured: str, notes: list[str]) -> QuestionResult:
    """A held-out score's result: the measurement, the first problems met, and the status."""
    if notes:
        measured += " " + " ".join(note[0].upper() + note[1:] + "." for note in notes)
    status = "correct" if points >= q.points else "partial" if points > 0 else "incorrect"
    return result(q, points, status, measured)


def grade_calls(q: Question, pulled: answers.Pulled, calls: Calls, cell_outcome: Outcome) -> QuestionResult:
    """Each result of the student's function against the reference's, as a value answer."""
    assert q.calls is not None
    if pulled.status != "ok":
        return why_not(pulled, q, cell_outcome)
    rule = dataclasses.replace(q, compare=q.calls.compare, tolerance=q.calls.tolerance)
    results = pulled.value if isinstance(pulled.value, list) else []
    fractions: list[float] = []
    failed = 0
    for k, want in enumerate(calls.expected):
        item = results[k] if k < len(results) and isinstance(results[k], dict) else {"ok": False, "error": "no result"}
        # How a call failed is not told: the function chooses it, with the grader's arguments at hand.
        if not item.get("ok") or answers.type_problem(item.get("value"), q.calls.type):
            failed += 1
            fractions.append(0.0)
        else:
            fractions.append(score_value(rule, item["value"], want)[0])
    n = len(calls.expected)
    mean = sum(fractions) / n if n else 0.0
    full = q.calls.full_marks_at
    points = earned(q, min(1.0, mean / full) if full > 0 else float(mean > 0))
    right = sum(f >= 1.0 - 1e-9 for f in fractions)
    feedback = (
        f"The grader called your `{q.name}` on {n} input{'s' if n != 1 else ''} of its own: {right} "
        f"result{'s' if right != 1 else ''} fully right, mean credit {mean:.2f}."
    )
    if failed:
        feedback += (
            f" It failed on {failed} of the {n} calls: {HOW_IT_FAILS}, or its result was not a {q.calls.type} "
            "(the grader does not say which)."
        )
    if points < q.points and q.hint:
        feedback += f" Hint: {q.hint}"
    status = "correct" if points >= q.points else "partial" if points > 0 else "incorrect"
    return result(q, points, status, feedback)


def grade_quotes(q: Question, n: int, found: Measured, notes: list[str]) -> QuestionResult:
    """Quote contents matched at the spec's overlap on ``n`` texts; for ``attributions``, speakers
    must be right too."""
    assert q.heldout is not None and found.quotes is not None
    points = earned(q, scaled(found.f1, q.heldout.zero_marks_at, q.heldout.full_marks_at))
    what = "quotes with the right speaker" if q.heldout.layer == "attributions" else "quote contents"
    # Speakers are reported only where the question asks for them.
    speakers = (
        f"; speaker right on {found.quotes.speakers_right} of the {found.quotes.matched} quotes found"
        if q.heldout.layer == "attributions"
        else ""
    )
    measured = (
        f"On {n} held-out text{'s' if n != 1 else ''} your `{q.name}` finds {what} with F1 {found.f1:.2f} "
        f"(precision {found.precision:.2f}, recall {found.recall:.2f}, a match covers more than "
        f"{q.heldout.overlap:.0%} of a quote and lies at least {q.heldout.within:.0%} inside it){speakers}; "
        f"{marks_range(q.heldout.zero_marks_at, q.heldout.full_marks_at)}."
    )
    return measured_result(q, points, measured, notes)
