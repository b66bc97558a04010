"""Function questions whose inputs the grader makes (``calls``): spec, kernel snippet, scoring, a full run.

A ``calls`` question names two functions of the lesson's grading module: ``inputs()`` gives the
argument lists, ``reference(*args)`` the expected result of each call. Only the arguments enter
the student's kernel; results come back as JSON and are compared in the grader's process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corpuskit.course import answers, grade
from corpuskit.course.answers import apply_snippet
from corpuskit.course.grade import Limits, Outcome
from corpuskit.course.key import Calls as _Calls
from corpuskit.course.questions import grade_calls
from corpuskit.course.spec import Calls, SpecError, parse_spec

SPEC: dict[str, Any] = {
    "lesson": "calls",
    "title": "Calls",
    "notebook": "calls.ipynb",
    "questions": [
        {
            "id": "q1",
            "kind": "function",
            "name": "count_outcomes",
            "points": 2,
            "partial": "proportional",
            "hint": "Count exact matches first.",
            "calls": {
                "inputs": "count_inputs",
                "reference": "count_reference",
                "type": "dict[str,int]",
                "compare": "mapping",
            },
        },
    ],
}

MODULE = """
def count_inputs(doc):
    return [
        [[[0, 3, "PERSON"], [5, 9, "GPE"]], [[0, 3, "PERSON"], [5, 8, "GPE"]]],
        [[[0, 3, "PERSON"]], []],
        [[], [[1, 2, "ORG"]]],
    ]


def count_reference(gold, pred):
    gold, pred = {tuple(s) for s in gold}, {tuple(s) for s in pred}
    return {"correct": len(gold & pred), "missed": len(gold - pred), "spurious": len(pred - gold)}
"""

RIGHT = """
def count_outcomes(gold, pred):
    assert all(isinstance(s, tuple) for s in gold + pred), "spans arrive as tuples"
    gold, pred = set(gold), set(pred)
    return {"correct": len(gold & pred), "missed": len(gold - pred), "spurious": len(pred - gold)}
"""

# Right on calls 2 and 3, wrong on call 1 (a boundary miss counts as correct here).
HALF = """
def count_outcomes(gold, pred):
    return {"correct": min(len(gold), len(pred)), "missed": len(gold) - min(len(gold), len(pred)),
            "spurious": len(pred) - min(len(gold), len(pred))}
"""

RAISES = """
def count_outcomes(gold, pred):
    raise RuntimeError("not yet")
"""

REFERENCE: dict[str, Any] = {}
exec(MODULE, REFERENCE)
ARGS = tuple(json.loads(json.dumps(REFERENCE["count_inputs"](None))))
CALLS = _Calls(ARGS, tuple(REFERENCE["count_reference"](*a) for a in ARGS))


def run_in_process(student: str) -> answers.Pulled:
    """Run the kernel snippet in a namespace holding the student's code, as the kernel would."""
    namespace: dict[str, Any] = {}
    exec(student, namespace)
    printed: list[str] = []
    namespace["print"] = lambda text, flush=False: printed.append(text)
    exec(apply_snippet("count_outcomes", "tok", ARGS), namespace)
    return answers.parse_outputs([{"output_type": "stream", "name": "stdout", "text": printed[0]}], "tok")


def question() -> Any:
    return parse_spec(SPEC).questions[0]


# --- the spec ------------------------------------------------------------------------------


def test_spec_reads_calls() -> None:
    q = question()
    assert q.kind == "function" and q.heldout is None
    assert q.calls == Calls("count_inputs", "count_reference", "dict[str,int]", "mapping", 0.0, 1.0)


def test_spec_refuses_an_unknown_compare_rule() -> None:
    bad = json.loads(json.dumps(SPEC))
    bad["questions"][0]["calls"]["compare"] = "fuzzy"
    with pytest.raises(SpecError, match=r"calls\.compare"):
        parse_spec(bad)


def test_function_question_without_calls_still_needs_heldout() -> None:
    bad = json.loads(json.dumps(SPEC))
    del bad["questions"][0]["calls"]
    with pytest.raises(SpecError, match="heldout"):
        parse_spec(bad)


# --- the snippet and the scoring -------------------------------------------------------------


def test_right_function_earns_full_marks() -> None:
    result = grade_calls(question(), run_in_process(RIGHT), CALLS, Outcome("ok"))
    assert (result.points, result.status) == (2.0, "correct")
    assert "3 results fully right" in result.feedback


def test_credit_is_the_mean_over_calls() -> None:
    result = grade_calls(question(), run_in_process(HALF), CALLS, Outcome("ok"))
    # Call 1 gets none of its 3 keys right; calls 2 and 3 are right: mean (0 + 1 + 1) / 3.
    assert result.status == "partial" and result.points == round(2 * 2 / 3, 2)
    assert "Hint: Count exact matches first." in result.feedback


def test_a_function_that_raises_scores_zero_and_says_why() -> None:
    result = grade_calls(question(), run_in_process(RAISES), CALLS, Outcome("ok"))
    assert (result.points, result.status) == (0.0, "incorrect")
    # Counted, not named: the function chooses its exception and message with the grader's inputs at hand.
    assert "It failed on 3 of the 3 calls: it raised an exception" in result.feedback
    assert "RuntimeError" not in result.feedback
    assert "not yet" not in result.feedback


def test_a_result_of_the_wrong_shape_scores_zero() -> None:
    result = grade_calls(
        question(), run_in_process("def count_outcomes(g, p):\n    return len(g)\n"), CALLS, Outcome("ok")
    )
    assert (
        result.points == 0 and "its result was not a dict[str,int] (the grader does not say which)" in result.feedback
    )


def test_a_missing_function_is_missing() -> None:
    result = grade_calls(question(), run_in_process("x = 1\n"), CALLS, Outcome("ok"))
    assert result.status == "missing"


def test_feedback_never_shows_the_expected_results() -> None:
    result = grade_calls(question(), run_in_process(HALF), CALLS, Outcome("ok"))
    assert "spurious" not in result.feedback and 'correct":' not in result.feedback


def test_full_marks_at_scales_the_credit() -> None:
    spec = json.loads(json.dumps(SPEC))
    spec["questions"][0]["calls"]["full_marks_at"] = 0.6
    q = parse_spec(spec).questions[0]
    assert grade_calls(q, run_in_process(HALF), CALLS, Outcome("ok")).points == 2.0


# --- a whole run in a kernel -------------------------------------------------------------------


def notebook(student: str) -> dict[str, Any]:
    import nbformat

    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    cell = nbformat.v4.new_code_cell(student)  # type: ignore[no-untyped-call]
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": "q1",
        "locked": False,
        "schema_version": 3,
        "solution": True,
    }
    nb.cells.append(cell)
    nb.metadata["corpuskit"] = {"lesson": "calls", "variant": "solutions"}
    return dict(nb)


@pytest.mark.slow
def test_grading_a_notebook_with_a_calls_question(tmp_path: Path) -> None:
    lessons = tmp_path / "grading" / "lessons"
    lessons.mkdir(parents=True)
    (lessons / "calls.json").write_text(json.dumps(SPEC))
    (lessons / "calls.py").write_text(MODULE)
    for name, student, expected in (("right", RIGHT, 2.0), ("raises", RAISES, 0.0)):
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps(notebook(student)))
        report = grade(
            path, grading_dir=tmp_path / "grading", limits=Limits(cell_timeout=30, call_timeout=30), sandbox="off"
        )
        assert report.score == expected, report.summary()
