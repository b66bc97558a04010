"""The course on another corpus document: ``corpuskit assign --document`` on the second article kept
in ``tests/fixtures/corpus`` (fictional, written for these tests, not drawn from the held-out set),
graded as an instructor grades it, with the answer key computed on that article."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import corpuskit
from corpuskit.cli import EXIT_INVALID, main
from corpuskit.course import grade
from corpuskit.course.assign import AssignError, build, course, missing
from corpuskit.course.key import COURSE_FILE, DEFAULT_DOCUMENT, course_document
from corpuskit.course.spec import SpecError, load_spec, parse_spec
from corpuskit.errors import GradingError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "fixtures" / "corpus"
SECOND = "rotterdam-port-strike-2025"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("course") / "rotterdam"
    env = {**os.environ, "CORPUSKIT_PATH": str(CORPUS)}
    command = [sys.executable, "-m", "corpuskit", "assign", "--document", SECOND, "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return out, done


def lessons_in(folder: Path) -> set[str]:
    return {p.stem for p in folder.glob("*.ipynb")}


def test_assign_builds_the_lessons_the_article_can_carry_and_refuses_the_others_in_one_line(
    built: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, done = built
    every = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    refused = {line.split(":")[1].strip(): line for line in done.stderr.splitlines()}
    assert all(line.startswith("corpuskit: ") and f": not built on {SECOND}: " in line for line in refused.values())
    assert refused["02-annotating"] == (
        f"corpuskit: 02-annotating: not built on {SECOND}: it is written on the text of hanoi-summit-2019 only"
    )
    assert {"01-reading", "03-entities", "04-quotes", "05-events-time", "07-patterns", "08-training"} <= lessons_in(
        out / "solutions"
    )
    assert lessons_in(out / "solutions") == lessons_in(out / "exercises") == every - set(refused)
    assert {p.stem for p in (out / "grading" / "lessons").glob("*.json")} == lessons_in(out / "solutions")
    assert json.loads((out / "grading" / COURSE_FILE).read_text()) == {"document": SECOND}
    assert (out / "grading" / "heldout" / "README.md").is_file()


def test_the_guides_name_the_lessons_that_build_on_another_article(
    built: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = built
    numbers = {int(lesson[:2]) for lesson in lessons_in(out / "solutions")}
    for guide in ("instructors.md", "course.md"):
        said = re.search(r"Lessons ([\d, and]+?)\s+build\s+on\s+another\s+article", (ROOT / "docs" / guide).read_text())
        assert said, f"docs/{guide} does not say which lessons build on another article"
        assert {int(n) for n in re.findall(r"\d+", said.group(1))} == numbers, guide


def test_the_built_notebooks_read_the_article_and_never_name_the_hanoi_one(
    built: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = built
    for path in sorted((out / "solutions").glob("*.ipynb")) + sorted((out / "exercises").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        assert nb["metadata"]["corpuskit"]["document"] == SECOND
        setup = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "setup")
        assert f'DOCUMENT = "{SECOND}"' in setup["source"].splitlines()
        for cell in nb["cells"]:
            assert not any(t.startswith("document:") for t in cell["metadata"].get("tags", [])), path
            if cell["cell_type"] == "code":
                assert DEFAULT_DOCUMENT not in cell["source"], f"{path.name}: {cell['source'][:80]}"


def _graded(path: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("CORPUSKIT_PATH", str(CORPUS))
    return grade(path, grading_dir=out / "grading")


@pytest.mark.slow
def test_every_built_solution_scores_full_marks_and_every_exercise_zero(
    built: tuple[Path, subprocess.CompletedProcess[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = built
    for lesson in sorted(lessons_in(out / "solutions")):
        solution = _graded(out / "solutions" / f"{lesson}.ipynb", out, monkeypatch)
        assert solution.score == solution.max_score > 0, solution.summary()
        assert not [e for e in solution.events if e.kind == "error"], solution.summary()
        exercise = _graded(out / "exercises" / f"{lesson}.ipynb", out, monkeypatch)
        assert exercise.score == 0 and exercise.status == "graded", exercise.summary()


@pytest.mark.slow
def test_the_key_comes_from_the_grading_folder_not_from_the_notebook(
    built: tuple[Path, subprocess.CompletedProcess[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A student who reloads the Hanoi article in an answer cell answers about the wrong article."""
    out, _ = built
    nb = json.loads((out / "solutions" / "01-reading.ipynb").read_text())
    answer = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "q1-paragraphs")
    answer["source"] = f'doc = corpuskit.load("{DEFAULT_DOCUMENT}")\n' + answer["source"]
    submission = tmp_path / "01-reading.ipynb"
    submission.write_text(json.dumps(nb))
    report = _graded(submission, out, monkeypatch)
    points = {q.id: q.points for q in report.questions}
    assert points["q1-paragraphs"] == 0 and points["q6-gpe"] == 0, report.summary()
    hanoi = corpuskit.load(DEFAULT_DOCUMENT)
    assert sum(s.kind == "paragraph" for s in hanoi.sections) != sum(
        s.kind == "paragraph" for s in corpuskit.load(CORPUS / SECOND).sections
    )


def test_a_lesson_is_refused_for_what_the_document_lacks(small_data: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "text.txt").write_text("Kim met Trump in Hanoi.")
    (folder / "annotations.json").write_text(json.dumps(small_data))
    doc = corpuskit.load(folder)
    grading = ROOT / "grading"
    assert missing(load_spec(grading, "04-quotes"), doc, folder) == "no quotes layer"
    assert missing(load_spec(grading, "01-reading"), doc, folder) == ""
    assert missing(load_spec(grading, "02-annotating"), doc, folder) == (
        "it is written on the text of hanoi-summit-2019 only"
    )
    assert missing(load_spec(grading, "06-evaluation"), doc, folder) == (
        "it is written on the text of hanoi-summit-2019 only"
    )
    lesson6 = load_spec(grading, "06-evaluation")
    needs = dataclasses.replace(lesson6.requires, documents=(), annotations=("constructed_b.json",), sections=("S4",))
    assert missing(dataclasses.replace(lesson6, requires=needs), doc, folder) == (
        "no second annotation file constructed_b.json; no section S4"
    )


@pytest.mark.parametrize(
    ("requires", "message"),
    [
        ({"layers": ["quotes", "opinions"]}, "unknown layer"),
        ({"files": ["b.json"]}, "unknown key"),
        ({"annotations": "constructed_b.json"}, "must be a list of strings"),
        (["quotes"], "must be an object"),
    ],
)
def test_a_malformed_requires_is_refused(requires: Any, message: str) -> None:
    data = {"lesson": "x", "title": "X", "notebook": "x.ipynb", "questions": [], "requires": requires}
    with pytest.raises(SpecError, match=message):
        parse_spec(data)


def _notebook(setup: str) -> dict[str, Any]:
    def cell(source: str, grade_id: str | None = None, tags: tuple[str, ...] = ()) -> dict[str, Any]:
        meta: dict[str, Any] = {"tags": list(tags)} if tags else {}
        if grade_id:
            meta["nbgrader"] = {"grade_id": grade_id, "locked": True, "solution": False}
        return {"cell_type": "code", "metadata": meta, "source": source}

    return {
        "cells": [
            cell(setup, "setup"),
            cell("print('about Hanoi')", tags=(f"document:{DEFAULT_DOCUMENT}",)),
            cell("print('about any other article')", tags=(f"not-document:{DEFAULT_DOCUMENT}",)),
            cell("print(doc.title)"),
        ]
    }


def test_build_names_the_document_in_the_setup_cell_and_drops_other_articles_cells() -> None:
    source = _notebook('import corpuskit\nDOCUMENT = "hanoi-summit-2019"\ndoc = corpuskit.load(DOCUMENT)')
    nb = json.loads(build(source, "x", "solutions", document="my-article"))
    assert [c["source"] for c in nb["cells"]] == [
        'import corpuskit\nDOCUMENT = "my-article"\ndoc = corpuskit.load(DOCUMENT)',
        "print('about any other article')",
        "print(doc.title)",
    ]
    assert nb["metadata"]["corpuskit"] == {"lesson": "x", "variant": "solution", "document": "my-article"}
    for hanoi in (
        json.loads(build(source, "x", "solutions")),
        json.loads(build(source, "x", "solutions", document=DEFAULT_DOCUMENT)),
    ):
        assert [c["source"] for c in hanoi["cells"]][1:] == ["print('about Hanoi')", "print(doc.title)"]
    assert "document" not in json.loads(build(source, "x", "solutions"))["metadata"]["corpuskit"]
    with pytest.raises(AssignError, match='exactly one line DOCUMENT = "<id>"'):
        build(_notebook('DOCUMENT = "a"\nDOCUMENT = "b"'), "x", "solutions", document="my-article")


def test_assign_never_writes_over_a_folder_it_did_not_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORPUSKIT_PATH", str(CORPUS))
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(AssignError, match="not empty and holds no course assign wrote"):
        course(ROOT, tmp_path, SECOND, ["01-reading"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    other = tmp_path / "other"
    (other / "grading").mkdir(parents=True)
    (other / "grading" / COURSE_FILE).write_text(json.dumps({"document": DEFAULT_DOCUMENT}))
    with pytest.raises(AssignError, match=f"holds the course on {DEFAULT_DOCUMENT}"):
        course(ROOT, other, SECOND, ["01-reading"])
    with pytest.raises(AssignError, match="not the course the lessons come from"):
        course(ROOT, ROOT, SECOND, ["01-reading"])


def test_assign_cli_refuses_a_named_lesson_the_document_cannot_carry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CORPUSKIT_PATH", str(CORPUS))
    argv = ["assign", "02-annotating", "--document", SECOND, "--out", str(tmp_path / "c"), "--root", str(ROOT)]
    assert main(argv) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"corpuskit: 02-annotating: not built on {SECOND}: it is written on the text of hanoi-summit-2019 only",
        f"corpuskit: no lesson can be built on {SECOND}",
    ]
    assert not (tmp_path / "c").exists()
    assert main(["assign", "--check", "--document", SECOND]) == EXIT_INVALID
    assert "leave out --check" in capsys.readouterr().err


def test_the_course_file_names_the_document(tmp_path: Path) -> None:
    assert course_document(tmp_path) == DEFAULT_DOCUMENT
    (tmp_path / COURSE_FILE).write_text('{"document": ""}')
    with pytest.raises(GradingError, match="no document id"):
        course_document(tmp_path)
    (tmp_path / COURSE_FILE).write_text("[1, 2]")
    with pytest.raises(GradingError, match="not a course file"):
        course_document(tmp_path)


def test_the_gradescope_package_of_the_course_names_and_carries_its_document(
    built: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpuskit.course.gradescope import build_autograder

    out, _ = built
    monkeypatch.setenv("CORPUSKIT_PATH", str(CORPUS))
    names = build_autograder(tmp_path / "autograder.zip", out, ["01-reading"])
    assert f"grading/{COURSE_FILE}" in names and "exercises/01-reading.ipynb" in names
    assert f"documents/{SECOND}/annotations.json" in names
