"""The grader: real lessons score full marks as solutions and zero as exercises; hostile or broken
submissions (tests/fixtures/course/<the failure>.ipynb, a tiny lesson) cost only what they break."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from corpuskit.cli import EXIT_INVALID, EXIT_OK, main
from corpuskit.course import GradingError, Limits, Report, grade

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "course"
TINY_GRADING = FIXTURES / "grading"
FAST = Limits(cell_timeout=3, probe_timeout=2, call_timeout=10, answer_timeout=10)

pytestmark = pytest.mark.slow


def tiny(name: str, **kwargs: object) -> Report:
    return grade(FIXTURES / f"{name}.ipynb", grading_dir=TINY_GRADING, limits=FAST, lesson="tiny", **kwargs)  # type: ignore[arg-type]


def points(report: Report) -> dict[str, float]:
    return {q.id: q.points for q in report.questions}


def statuses(report: Report) -> dict[str, str]:
    return {q.id: q.status for q in report.questions}


# --- the real lessons ------------------------------------------------------------------------

LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_scores_full_marks(lesson: str) -> None:
    report = grade(ROOT / "solutions" / f"{lesson}.ipynb", grading_dir=ROOT / "grading")
    assert report.status == "graded"
    assert report.score == report.max_score > 0, report.summary()
    assert all(q.status == "correct" for q in report.questions)


@pytest.mark.parametrize("lesson", LESSONS)
def test_exercise_scores_zero_without_crashing(lesson: str) -> None:
    report = grade(ROOT / "exercises" / f"{lesson}.ipynb", grading_dir=ROOT / "grading")
    assert report.status == "graded"
    assert report.score == 0 and report.max_score > 0
    assert {q.status for q in report.questions} <= {"missing", "invalid", "incorrect"}
    assert all("NotImplementedError" in q.feedback or q.status != "missing" for q in report.questions)


# --- failure modes ---------------------------------------------------------------------------


def test_tiny_solution_full_marks() -> None:
    report = tiny("tiny-solution")
    assert (report.score, report.max_score) == (8, 8)
    assert report.events == ()


def test_an_environment_or_corpus_under_tmp_still_starts_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Course environments built in a temporary folder (CI, the recipes' tests) live under /tmp,
    # which the kernel's own /tmp would otherwise cover.
    (tmp_path / "corpus").mkdir()
    monkeypatch.setenv("CORPUSKIT_PATH", str(tmp_path / "corpus"))
    report = tiny("tiny-solution")
    assert (report.score, report.max_score, report.sandbox) == (8, 8, "on")


def test_cell_that_raises_costs_only_its_question() -> None:
    report = tiny("cell-raises")
    assert points(report) == {"q1": 1, "q2": 1, "q3": 2, "q4": 3}  # q2 keeps what it had assigned: one of three words
    assert [(e.grade_id, e.kind) for e in report.events] == [("q2", "error")]
    assert "ValueError: student bug" in report.events[0].message


def test_infinite_loop_is_interrupted_and_grading_goes_on() -> None:
    report = tiny("infinite-loop")
    assert points(report) == {"q1": 1, "q2": 0, "q3": 2, "q4": 3}
    assert statuses(report)["q2"] == "missing"
    assert [e.kind for e in report.events] == ["timeout"]


def test_loop_that_swallows_interrupts_gets_a_fresh_kernel() -> None:
    report = tiny("loop-ignores-interrupt")
    assert points(report) == {"q1": 1, "q2": 0, "q3": 2, "q4": 3}
    assert [e.kind for e in report.events] == ["timeout", "kernel-replaced"]


def test_os_exit_midway_keeps_earlier_credit_and_later_questions() -> None:
    report = tiny("os-exit-midway")
    assert points(report) == {"q1": 1, "q2": 0, "q3": 2, "q4": 3}
    assert [e.kind for e in report.events] == ["dead", "kernel-replaced"]
    assert "kernel died" in report.questions[1].feedback


def test_os_exit_with_no_restarts_left_marks_the_rest_not_reached() -> None:
    report = grade(
        FIXTURES / "os-exit-midway.ipynb",
        grading_dir=TINY_GRADING,
        lesson="tiny",
        limits=Limits(cell_timeout=3, max_restarts=0),
    )
    assert points(report) == {"q1": 1, "q2": 0, "q3": 0, "q4": 0}
    assert statuses(report) == {"q1": "correct", "q2": "not-reached", "q3": "not-reached", "q4": "not-reached"}
    assert [e.kind for e in report.events] == ["dead", "gave-up"]


def test_eq_always_true_and_returning_gold_earn_nothing() -> None:
    report = tiny("eq-always-true")
    assert report.score == 0
    assert statuses(report) == {"q1": "incorrect", "q2": "invalid", "q3": "incorrect", "q4": "incorrect"}


def test_partial_credit_is_proportional() -> None:
    report = tiny("partial-answers")
    assert points(report) == {"q1": 1, "q2": 1.33, "q3": 0.67, "q4": 1.5}
    assert "F1 0.50" in report.questions[3].feedback


def test_function_that_raises_is_reported() -> None:
    report = tiny("function-raises")
    assert points(report)["q4"] == 0
    # Counted, neither named nor quoted: the function chooses both with the held-out text at hand.
    feedback = report.questions[3].feedback
    assert "failed on" in feedback and "RuntimeError" not in feedback and "not yet" not in feedback


def test_deleted_question_cell_is_not_found() -> None:
    report = tiny("deleted-question-cell")
    assert statuses(report)["q3"] == "not-found" and report.score == 6


def test_invalid_notebook_json_gets_a_zero_report() -> None:
    report = tiny("not-json")
    assert report.status == "invalid-notebook" and report.score == 0
    assert all(q.status == "not-reached" for q in report.questions)


def test_feedback_never_reveals_the_expected_answer() -> None:
    report = tiny("partial-answers")
    for q in report.questions:
        assert "trump" not in q.feedback and "'b': 2" not in q.feedback


def test_sandboxed_kernel_sees_no_grading_files_and_no_network(tmp_path: Path) -> None:
    from corpuskit.course.grade import sandbox_problem

    if sandbox_problem():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the sandbox: {sandbox_problem()}")
        pytest.skip(f"no sandbox here: {sandbox_problem()}")
    grading = tmp_path / "grading"
    (grading / "lessons").mkdir(parents=True)
    spec = {
        "lesson": "peek",
        "title": "Peek",
        "notebook": "peek.ipynb",
        "questions": [
            {"id": "q1", "kind": "value", "name": "seen", "type": "list[str]", "points": 1, "expected": []},
            {"id": "q2", "kind": "value", "name": "online", "type": "bool", "points": 1, "expected": False},
        ],
    }
    (grading / "lessons" / "peek.json").write_text(json.dumps(spec))
    source = (
        "import os, socket\n"
        f"seen = os.listdir({str(grading)!r}) if os.path.isdir({str(grading)!r}) else []\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n    online = True\n"
        "except OSError:\n    online = False"
    )
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "a",
        "outputs": [],
        "source": source,
        "metadata": {
            "nbgrader": {"grade_id": "q1", "solution": True, "grade": False, "locked": False, "schema_version": 3}
        },
    }
    cell2 = {
        **cell,
        "id": "b",
        "source": "pass",
        "metadata": {"nbgrader": {**cell["metadata"]["nbgrader"], "grade_id": "q2"}},
    }  # type: ignore[index]
    nb = {"cells": [cell, cell2], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "peek.ipynb").write_text(json.dumps(nb))
    report = grade(tmp_path / "peek.ipynb", grading_dir=grading, limits=FAST, sandbox="on")
    assert report.sandbox == "on" and report.score == 2, report.summary()
    unsandboxed = grade(tmp_path / "peek.ipynb", grading_dir=grading, limits=FAST, sandbox="off")
    assert points(unsandboxed)["q1"] == 0  # without the sandbox the kernel can list the grading folder
    assert unsandboxed.sandbox == "off"


# --- reports and the command line ------------------------------------------------------------


def test_report_renderings() -> None:
    report = tiny("partial-answers")
    data = json.loads(report.to_json())
    assert data["score"] == 4.5 and data["max_score"] == 8 and len(data["questions"]) == 4
    assert {"id", "points", "max_points", "status", "feedback"} <= set(data["questions"][0])
    suite = ET.fromstring(report.to_junit()).find("testsuite")
    assert suite is not None and suite.get("tests") == "4" and suite.get("failures") == "3"
    markdown = report.to_markdown()
    assert markdown.startswith("## A tiny lesson for testing the grader: 4.5 / 8")
    assert "| Q2 a list | 1.33 / 2 | partial |" in markdown


def test_cli_grade_json_junit_markdown(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junit, markdown = tmp_path / "report.xml", tmp_path / "report.md"
    code = main(
        [
            "grade",
            str(FIXTURES / "os-exit-midway.ipynb"),
            "--grading",
            str(TINY_GRADING),
            "--lesson",
            "tiny",
            "--timeout",
            "3",
            "--json",
            "--junit",
            str(junit),
            "--markdown",
            str(markdown),
        ]
    )
    out = capsys.readouterr().out
    assert code == EXIT_OK
    data = json.loads(out)
    assert (data["score"], data["max_score"]) == (6, 8)
    assert [q["id"] for q in data["questions"]] == ["q1", "q2", "q3", "q4"]
    assert ET.parse(junit).getroot().tag == "testsuites"
    assert "kernel died" in markdown.read_text()
    # The run time, in whole seconds only.
    assert type(data["seconds"]) is int
    assert all(str(e.get("time")).isdigit() for e in ET.parse(junit).getroot().iter() if "time" in e.attrib)


def test_cli_grade_fails_only_when_grading_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        main(["grade", str(FIXTURES / "not-json.ipynb"), "--grading", str(TINY_GRADING), "--lesson", "tiny"]) == EXIT_OK
    )
    assert (
        main(["grade", str(FIXTURES / "tiny-solution.ipynb"), "--grading", str(TINY_GRADING), "--lesson", "nope"])
        == EXIT_INVALID
    )
    assert (
        main(["grade", str(tmp_path / "missing.ipynb"), "--grading", str(TINY_GRADING), "--lesson", "tiny"])
        == EXIT_INVALID
    )
    err = capsys.readouterr().err
    assert "no grading spec for lesson 'nope'" in err and "no such file" in err


def test_cli_refuses_a_memory_limit_no_lesson_starts_in(capsys: pytest.CaptureFixture[str]) -> None:
    tiny = ["grade", str(FIXTURES / "tiny-solution.ipynb"), "--grading", str(TINY_GRADING), "--lesson", "tiny"]
    for small in ("256", "767"):
        assert main([*tiny, "--memory", small]) == EXIT_INVALID
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"--memory: {small} MB is too small" in err and "needs 768 MB" in err


def test_missing_heldout_data_is_a_grading_error(tmp_path: Path) -> None:
    grading = tmp_path / "grading"
    (grading / "lessons").mkdir(parents=True)
    spec = json.loads((TINY_GRADING / "lessons" / "tiny.json").read_text())
    (grading / "lessons" / "tiny.json").write_text(json.dumps(spec))
    (grading / "lessons" / "tiny.py").write_text((TINY_GRADING / "lessons" / "tiny.py").read_text())
    with pytest.raises(GradingError, match="no held-out documents"):
        grade(FIXTURES / "tiny-solution.ipynb", grading_dir=grading, lesson="tiny")
