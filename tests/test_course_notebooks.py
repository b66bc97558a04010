"""The solution notebooks run top to bottom and their outputs match recorded ones (pytest-notebook).

The recorded runs live in tests/fixtures/course/executed/<lesson>.ipynb: the solution notebook
with outputs. A test first checks that their cell sources are exactly those of solutions/ (so the
record cannot drift from the lesson), then pytest-notebook executes the record in a fresh kernel
and diffs the outputs, ignoring fields that change from run to run or machine to machine.
Re-record after changing a lesson: ``pytest tests/test_course_notebooks.py --nb-force-regen``.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_notebook.nb_regression import NBRegressionFixture

ROOT = Path(__file__).resolve().parents[1]
RECORDED = Path(__file__).parent / "fixtures" / "course" / "executed"
LESSONS = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))
# Fields that are noise: timings, kernel versions, rendered pictures (matplotlib bytes differ across
# versions and fonts), and the system comparison whose statistical row exists only where a model is installed.
VOLATILE = (
    "/metadata/language_info",
    "/metadata/widgets",
    "/cells/*/metadata/execution",
    "/cells/*/execution_count",
    "/cells/*/outputs/*/execution_count",
    "/cells/*/outputs/*/data/image/png",
    "/cells/*/outputs/*/metadata",
)
# Outputs ignored by the start of the cell's source: environment-dependent by design, or displaCy's
# dependency views, whose SVG elements get random ids on every run.
ENVIRONMENT_CELLS = {
    "03-entities": ["def spans_of"],
    "07-patterns": ["def sentence_at", 'displacy.render(sentence_at("Pompeo'],
    "08-training": ["def per_label"],
}

pytestmark = pytest.mark.slow


def sources(path: Path) -> list[tuple[str, str]]:
    nb: dict[str, Any] = json.loads(path.read_text())
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]


def ignored(lesson: str, path: Path) -> tuple[str, ...]:
    cells = json.loads(path.read_text())["cells"]
    starts = ENVIRONMENT_CELLS.get(lesson, [])
    found = [i for i, c in enumerate(cells) if any("".join(c["source"]).startswith(s) for s in starts)]
    assert len(found) == len(starts), f"{path}: cells {starts} not found"
    return VOLATILE + tuple(f"/cells/{i}/outputs" for i in found)


@pytest.mark.parametrize("lesson", LESSONS)
def test_recorded_run_matches_the_solution_sources(lesson: str, request: pytest.FixtureRequest) -> None:
    record = RECORDED / f"{lesson}.ipynb"
    if request.config.getoption("nb_force_regen", False):  # re-recording is asked for, never implied
        RECORDED.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "solutions" / f"{lesson}.ipynb", record)
    assert record.is_file(), f"{record} is missing: run pytest {__file__} --nb-force-regen"
    assert sources(record) == sources(ROOT / "solutions" / f"{lesson}.ipynb"), (
        f"{record} is out of date: run pytest {__file__} --nb-force-regen"
    )


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_notebook_outputs_are_stable(lesson: str, request: pytest.FixtureRequest) -> None:
    record = RECORDED / f"{lesson}.ipynb"
    fixture = NBRegressionFixture(exec_timeout=300, diff_ignore=ignored(lesson, record), diff_color_words=False)
    fixture.force_regen = bool(request.config.getoption("nb_force_regen", False))
    started = time.monotonic()
    result = fixture.check(str(record), raise_errors=True)
    seconds = time.monotonic() - started
    assert not any(o.get("output_type") == "error" for c in result.nb_final.cells for o in c.get("outputs", []))
    print(f"{lesson}: executed in {seconds:.1f} s")
