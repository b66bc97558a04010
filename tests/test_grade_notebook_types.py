"""A submitted notebook's JSON fields, each of any JSON type: the grader answers with a report, never a crash."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from corpuskit.course import Report, grade

COURSE = Path(__file__).parent / "fixtures" / "course"
RELEASE = Path(__file__).parent / "fixtures" / "attacks" / "release"
SOLUTION = json.loads((COURSE / "tiny-solution.ipynb").read_text())


def cell_at(grade_id: str) -> int:
    return next(
        i for i, c in enumerate(SOLUTION["cells"]) if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id
    )


def answer_at() -> int:
    return next(
        i
        for i, c in enumerate(SOLUTION["cells"])
        if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("solution")
    )


SETUP, ANSWER = cell_at("setup"), answer_at()

# Every field the grader reads from a submission, where an object, a string, a list or a flag belongs.
FIELDS: dict[str, tuple[Any, ...]] = {
    "metadata": ("metadata",),
    "metadata.corpuskit": ("metadata", "corpuskit"),
    "metadata.corpuskit.lesson": ("metadata", "corpuskit", "lesson"),
    "metadata.kernelspec": ("metadata", "kernelspec"),
    "metadata.kernelspec.name": ("metadata", "kernelspec", "name"),
    "metadata.kernelspec.language": ("metadata", "kernelspec", "language"),
    "metadata.language_info": ("metadata", "language_info"),
    "locked.metadata": ("cells", SETUP, "metadata"),
    "locked.nbgrader": ("cells", SETUP, "metadata", "nbgrader"),
    "locked.grade_id": ("cells", SETUP, "metadata", "nbgrader", "grade_id"),
    "locked.locked": ("cells", SETUP, "metadata", "nbgrader", "locked"),
    "locked.solution": ("cells", SETUP, "metadata", "nbgrader", "solution"),
    "locked.cell_type": ("cells", SETUP, "cell_type"),
    "answer.nbgrader": ("cells", ANSWER, "metadata", "nbgrader"),
    "answer.grade_id": ("cells", ANSWER, "metadata", "nbgrader", "grade_id"),
    "answer.points": ("cells", ANSWER, "metadata", "nbgrader", "points"),
    "answer.source": ("cells", ANSWER, "source"),
    "answer.outputs": ("cells", ANSWER, "outputs"),
    "answer.cell": ("cells", ANSWER),
    "cells": ("cells",),
    "nbformat": ("nbformat",),
}
VALUES: dict[str, Any] = {
    "list": ["tiny", {"lesson": "tiny"}],
    "string": "tiny",
    "number": 3,
    "null": None,
    "object": {"name": ["x"], "lesson": 4},
}


def variant(field: str, value: str) -> dict[str, Any]:
    nb = copy.deepcopy(SOLUTION)
    *parents, last = FIELDS[field]
    node = nb
    for key in parents:
        node = node[key]
    node[last] = copy.deepcopy(VALUES[value])
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("value", sorted(VALUES))
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_any_json_type_in_any_field_gets_a_report(field: str, value: str, tmp_path: Path) -> None:
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(variant(field, value)))
    report = grade(path, grading_dir=COURSE / "grading", lesson="tiny", release_dir=RELEASE)
    assert isinstance(report, Report)
    assert report.status in ("graded", "invalid-notebook", "no-cells", "wrong-kernel"), report.status
    assert 0 <= report.score <= report.max_score


def test_the_lesson_is_read_past_metadata_of_any_type(tmp_path: Path) -> None:
    from corpuskit.course.notebook import lesson_of

    for value in VALUES.values():
        for nb in (
            {"metadata": {"corpuskit": value}},
            {"metadata": value},
            {"metadata": {"corpuskit": {"lesson": value}}},
        ):
            assert lesson_of(tmp_path / "tiny-x.ipynb", nb, COURSE / "grading") == "tiny"
