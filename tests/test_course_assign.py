"""corpuskit assign: exercises and solutions built from single-source lessons, byte for byte."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from corpuskit.cli import EXIT_INVALID, EXIT_OK, main
from corpuskit.course import assign
from corpuskit.course.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def source(lesson: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "notebooks" / f"{lesson}.ipynb").read_text())
    return data


def cell(source: str, grade_id: str = "q1", solution: bool = True, cell_type: str = "code") -> dict[str, Any]:
    meta = {
        "nbgrader": {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": solution}
    }
    return {
        "cell_type": cell_type,
        "id": grade_id,
        "metadata": meta,
        "source": source,
        "outputs": [],
        "execution_count": 3,
    }


def build(cells: list[dict[str, Any]], variant: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(assign.build({"cells": cells, "metadata": {}}, "x", variant))
    return data


def test_the_committed_copies_are_up_to_date() -> None:
    assert assign.drift(ROOT) == []


def test_cli_check_passes_on_the_repository(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assign", "--check", "--root", str(ROOT)]) == EXIT_OK


@pytest.mark.parametrize("lesson", LESSONS)
def test_building_twice_gives_identical_bytes(lesson: str) -> None:
    for variant in assign.VARIANTS:
        first = assign.build(source(lesson), lesson, variant)
        assert first == assign.build(json.loads(json.dumps(source(lesson))), lesson, variant)
        assert first.endswith("}\n") and json.loads(first)["nbformat_minor"] == assign.NBFORMAT_MINOR


@pytest.mark.parametrize("lesson", LESSONS)
def test_exercises_hold_no_solution_text(lesson: str) -> None:
    exercise = json.loads(assign.build(source(lesson), lesson, "exercises"))
    solution = json.loads(assign.build(source(lesson), lesson, "solutions"))
    assert assign.BEGIN not in json.dumps(exercise) and assign.END not in json.dumps(exercise)
    secret: set[str] = set()
    public: set[str] = set()
    for src in source(lesson)["cells"]:
        body = "".join(src["source"])
        chunks = body.split(assign.BEGIN)
        public.update(line.strip() for line in chunks[0].splitlines())
        for chunk in chunks[1:]:
            inside, _, after = chunk.partition(assign.END)
            secret.update(line.strip() for line in inside.splitlines())
            public.update(line.strip() for line in after.splitlines())
    exercise_lines = {line.strip() for c in exercise["cells"] for line in c["source"].splitlines()}
    leaked = {line for line in secret - public if len(line) > 3} & exercise_lines
    assert not leaked
    assert assign.BEGIN not in json.dumps(solution)
    assert 'raise NotImplementedError("Write your answer here")' not in json.dumps(solution)


@pytest.mark.parametrize("lesson", LESSONS)
def test_metadata_is_kept_and_outputs_stripped(lesson: str) -> None:
    exercise = json.loads(assign.build(source(lesson), lesson, "exercises"))
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in exercise["cells"] if "nbgrader" in c["metadata"]]
    # A cell that stands in for the lesson's own article on any other (tagged not-document:) is left out.
    assert ids == [
        c["metadata"]["nbgrader"]["grade_id"]
        for c in source(lesson)["cells"]
        if "nbgrader" in c["metadata"] and not any(t.startswith("not-document:") for t in c["metadata"].get("tags", []))
    ]
    for c in exercise["cells"]:
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None
        meta = c["metadata"].get("nbgrader")
        if meta:
            assert meta["schema_version"] == 3 and {"grade", "solution", "locked", "grade_id"} <= set(meta)
    assert exercise["metadata"]["corpuskit"] == {"lesson": lesson, "variant": "exercise"}


@pytest.mark.parametrize("lesson", LESSONS)
def test_spec_and_notebook_agree(lesson: str) -> None:
    spec = load_spec(ROOT / "grading", lesson)
    cells = {
        c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]
        for c in source(lesson)["cells"]
        if "nbgrader" in c["metadata"]
    }
    for q in spec.questions:
        assert cells[q.cell]["solution"], f"{q.id}: its cell is not a solution cell"
        # nbgrader keeps points on the (visible, locked) check cell; corpuskit grades from the spec.
        assert cells[f"{q.cell}-check"]["points"] == q.points
    assert spec.notebook == f"{lesson}.ipynb"


# "F1 0.60", "F1 from 0.40", "F1 of about 0.93", "full marks at 0.80": a number the prose ties to an F1 or to full marks.
STATED_THRESHOLD = re.compile(r"\bF1\b[^.\d\n]{0,20}?(\d\.\d+)|\bmarks at (?:F1 )?(\d\.\d+)")


def stated_thresholds(text: str) -> set[float]:
    return {float(a or b) for a, b in STATED_THRESHOLD.findall(text)}


def test_stated_thresholds_finds_the_ways_prose_names_one() -> None:
    old = "Points grow in proportion to F1 from 0.40 (what capitalised word pairs reach) to full marks at F1 0.60."
    assert stated_thresholds(old) == {0.40, 0.60}
    assert stated_thresholds("Points grow from F1 0.25 to full marks at 0.6.") == {0.25, 0.6}
    assert stated_thresholds("B scores a strict F1 of about 0.93 against the gold.") == {0.93}
    assert stated_thresholds("| attributor | F1 | precision |\n| lesson 4 rules | 0.66 | 0.75 |") == set()


def test_lessons_name_no_grading_threshold() -> None:
    """The thresholds are re-measured and an instructor sets their own: the grader's feedback states them."""
    checked = 0
    for lesson in LESSONS:
        spec = load_spec(ROOT / "grading", lesson)
        thresholds = {h.zero_marks_at for q in spec.questions if (h := q.heldout)} | {
            t.full_marks_at for q in spec.questions for t in (q.heldout, q.calls) if t
        }
        checked += bool(thresholds)
        for c in source(lesson)["cells"]:
            if c["cell_type"] == "markdown":
                named = stated_thresholds("".join(c["source"])) & thresholds
                assert not named, f"{lesson} cell {c['id']}: names the grading threshold(s) {sorted(named)}"
    assert checked >= 6


def test_placeholder_keeps_indentation_and_surrounding_code() -> None:
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n\nprint(f(1))"
    exercise = build([cell(src)], "exercises")["cells"][0]["source"]
    assert exercise == (
        'def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError("Write your answer here")\n\nprint(f(1))'
    )
    assert build([cell(src)], "solutions")["cells"][0]["source"] == "def f(x):\n    return x + 1\n\nprint(f(1))"


def test_markdown_answers_and_instructor_cells() -> None:
    md = cell("Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION", "m1", cell_type="markdown")
    note = {"cell_type": "markdown", "id": "n", "metadata": {"tags": ["instructor"]}, "source": "Grading notes"}
    exercise = build([md, note], "exercises")["cells"]
    assert [c["source"] for c in exercise] == ["Why?\nYOUR ANSWER HERE"]
    assert [c["source"] for c in build([md, note], "solutions")["cells"]] == ["Why?\nBecause.", "Grading notes"]


@pytest.mark.parametrize(
    ("src", "solution", "message"),
    [
        ("### BEGIN SOLUTION\nx = 1", True, "1 BEGIN SOLUTION but 0 END"),
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", False, "lacks solution: true"),
        ("### BEGIN HIDDEN TESTS\nassert x\n### END HIDDEN TESTS", False, "hidden tests would reach"),
    ],
)
def test_malformed_sources_are_refused(src: str, solution: bool, message: str) -> None:
    with pytest.raises(assign.AssignError, match=message):
        build([cell(src, solution=solution)], "exercises")


def test_duplicate_grade_ids_are_refused() -> None:
    with pytest.raises(assign.AssignError, match="used twice"):
        build([cell("x = 1"), cell("y = 2")], "exercises")


def test_check_detects_drift_and_assign_repairs_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for folder in ("notebooks", "exercises", "solutions"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    root = str(tmp_path)
    assert main(["assign", "--check", "--root", root]) == EXIT_OK
    lesson = LESSONS[0]
    edited = tmp_path / "solutions" / f"{lesson}.ipynb"
    edited.write_text(edited.read_text().replace("n_paragraphs", "n_paras", 1))
    (tmp_path / "exercises" / "stray.ipynb").write_text("{}")
    capsys.readouterr()
    assert main(["assign", "--check", "--root", root]) == EXIT_INVALID
    out = capsys.readouterr().out
    assert f"{edited}: differs from a fresh build" in out and "stray.ipynb: has no source" in out
    assert main(["assign", "--root", root]) == EXIT_OK
    assert f"wrote {edited}" in capsys.readouterr().out
    (tmp_path / "exercises" / "stray.ipynb").unlink()
    assert main(["assign", "--check", "--root", root]) == EXIT_OK
