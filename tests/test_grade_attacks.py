"""The attack table: one hostile or broken notebook per row, each with
the score it must get and what the report must say. The notebooks are the tiny lesson's solution
(8 points) changed in one way each, written by tests/fixtures/attacks/make_fixtures.py; every
attack is bounded, so a failing limit cannot take the machine down."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from corpuskit.course import Limits, Report, grade
from corpuskit.course.sandbox import probe

ATTACKS = Path(__file__).parent / "fixtures" / "attacks"
GRADING = Path(__file__).parent / "fixtures" / "course" / "grading"
LIMITS = Limits(cell_timeout=4, probe_timeout=2, call_timeout=10, answer_timeout=10, memory_mb=1024, processes=128)
ISOLATED = probe().mode == "bwrap"

pytestmark = pytest.mark.slow


def run(name: str, **kwargs: object) -> Report:
    return grade(
        ATTACKS / f"{name}.ipynb",
        grading_dir=GRADING,
        lesson="tiny",
        limits=LIMITS,
        release_dir=ATTACKS / "release",
        **kwargs,
    )  # type: ignore[arg-type]


# attack -> (points per question, report status, event kinds in order, a phrase the report must contain)
TABLE: dict[str, tuple[dict[str, float], str, list[str], str]] = {
    "infinite-loop": ({"q1": 1, "q2": 0, "q3": 2, "q4": 3}, "graded", ["timeout"], "still running after 4 s"),
    "os-exit-midway": ({"q1": 1, "q2": 0, "q3": 2, "q4": 3}, "graded", ["dead", "kernel-replaced"], "kernel died"),
    "segfault-midway": ({"q1": 1, "q2": 0, "q3": 2, "q4": 3}, "graded", ["dead", "kernel-replaced"], "kernel died"),
    "memory-bomb": ({"q1": 1, "q2": 0, "q3": 2, "q4": 3}, "graded", ["memory-limit", "kernel-replaced"], "MemoryError"),
    "fork-bomb": (
        {"q1": 1, "q2": 0, "q3": 2, "q4": 3},
        "graded",
        ["process-limit", "kernel-replaced"],
        "Resource temporarily unavailable",
    ),
    "huge-output": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", ["output-limit"], "bytes were dropped"),
    "eq-always-true": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "graded", [], "could not be read as plain data"),
    "monkeypatch": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "graded", [], "Not right yet"),
    "read-hidden-files": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "graded", [], "F1 0.00"),
    "locked-cell-edited": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", ["locked-cell"], "edited; run as released"),
    "locked-cell-deleted": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", ["locked-cell"], "deleted; put back"),
    "deleted-question-cell": ({"q1": 1, "q2": 2, "q3": 0, "q4": 3}, "graded", [], "No cell with grade id 'q3'"),
    "not-json": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "invalid-notebook", ["invalid-notebook"], "Not graded"),
    "no-cells": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "no-cells", ["no-cells"], "no code cells"),
    "other-kernel": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "wrong-kernel", ["wrong-kernel"], "kernel 'ir'"),
    "wrong-lesson": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "wrong-lesson", ["wrong-lesson"], "lesson '03-entities'"),
}
NEEDS_ISOLATION = {"fork-bomb", "read-hidden-files"}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_attack(name: str) -> None:
    if name in NEEDS_ISOLATION and not ISOLATED:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the bubblewrap sandbox: {probe().missing}")
        pytest.skip(f"needs the bubblewrap sandbox: {probe().missing}")
    want_points, want_status, want_events, phrase = TABLE[name]
    started = time.monotonic()
    report = run(name)
    assert time.monotonic() - started < 60, "the grader took longer than its limits allow"
    assert {q.id: q.points for q in report.questions} == want_points, report.summary()
    assert report.status == want_status
    assert [e.kind for e in report.events] == want_events, report.summary()
    assert phrase in report.summary() + report.to_json(), report.summary()


def test_attack_table_covers_every_fixture() -> None:
    fixtures = {p.stem for p in ATTACKS.glob("*.ipynb")}
    assert fixtures == set(TABLE) | {"write-report"}


@pytest.mark.skipif(not ISOLATED, reason="needs the bubblewrap sandbox")
def test_student_cannot_write_or_replace_the_report(tmp_path: Path) -> None:
    from corpuskit.course.batch import grade_class

    out = tmp_path / "corpuskit-attack-reports"
    submissions = tmp_path / "class"
    submissions.mkdir()
    (submissions / "mallory.ipynb").write_bytes((ATTACKS / "write-report.ipynb").read_bytes())
    grade_class(submissions, out, lesson="tiny", grading_dir=GRADING, limits=LIMITS, release_dir=ATTACKS / "release")
    time.sleep(2)  # the student's background writer, had it escaped, would run for 8 s
    data = json.loads((out / "reports" / "mallory.json").read_text())
    assert (data["score"], data["max_score"]) == (6, 8)


def test_report_names_the_sandbox_and_a_private_heldout_set(tmp_path: Path) -> None:
    import shutil

    private = tmp_path / "private-heldout"
    shutil.copytree(GRADING / "heldout", private)
    report = run("locked-cell-edited", heldout_dir=private)
    assert report.heldout == f"private set {private.resolve()}"
    assert report.score == 8
    public = run("deleted-question-cell")
    assert public.heldout.startswith("public set ") and public.heldout.endswith("grading/heldout")
    assert report.sandbox == ("on" if ISOLATED else report.sandbox)
    assert "Held-out texts: private set" in report.to_markdown()
