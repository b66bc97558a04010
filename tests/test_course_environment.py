"""The environment users get is the environment tested.

The rest of the suite runs with the ``test`` extras; students and instructors get what
``scripts/lab.sh`` installs, or what the offline-wheels and JupyterHub recipes in
``docs/instructors.md`` install. Here each of the three is built as written, in a copy of the
repository, and that environment's own ``corpuskit grade`` gives every solution full marks and every
exercise zero. The recipes' commands are read out of the guide, so the guide and the test cannot
drift apart; the extras they name must be the ones ``scripts/lab.sh`` installs.

Each build uses pip's cache like any install, so the first one downloads everything. With the cache
warm, on a shared two-core machine, the three tests took 121 s (``lab.sh``), 256 s (offline wheels,
which downloads every wheel again into ``wheels/``) and 185 s (the image's line, which builds
corpuskit's wheel), grading included.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from corpuskit.course.gradescope import course_distributions

REPO = Path(__file__).resolve().parents[1]
LAB_SH = REPO / "scripts" / "lab.sh"
GUIDE = REPO / "docs" / "instructors.md"
# What the suite installs on top of the course: none of it may be in a course environment.
TEST_ONLY = ("pytest", "hypothesis", "playwright", "seqeval", "bratly", "mypy")


def course_extras() -> list[str]:
    """The extras ``scripts/lab.sh`` installs, read from its install line."""
    match = re.search(r'pip install --quiet -e "\.\[([a-z,]+)\]"', LAB_SH.read_text())
    assert match, 'scripts/lab.sh has no `pip install --quiet -e ".[EXTRAS]"` line'
    return match.group(1).split(",")


def recipe(name: str) -> str:
    """The code block after ``<!-- recipe: NAME -->`` in the instructor's guide."""
    match = re.search(rf"<!-- recipe: {re.escape(name)} -->\n```\w+\n(.*?)```", GUIDE.read_text(), re.S)
    assert match, f"docs/instructors.md has no recipe block {name!r}"
    return match.group(1)


# --- what the lessons import ----------------------------------------------------------------------


def _lesson_imports() -> dict[str, set[str]]:
    """Top-level modules imported by any code cell of any lesson, with the lessons importing each."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            # IPython's magics and shell escapes are not Python.
            code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
            for node in ast.walk(ast.parse(code)):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(path.stem)
    return found


def test_every_module_a_lesson_imports_comes_with_the_course_extras() -> None:
    imports = _lesson_imports()
    assert {"corpuskit", "spacy", "pandas", "nervaluate"} <= set(imports)
    distributions = set(course_distributions(course_extras()))
    provided = {"corpuskit"} | {
        module
        for module, dists in metadata.packages_distributions().items()
        if any(d.lower().replace("_", "-") in distributions for d in dists)
    }
    missing = {
        module: sorted(lessons)
        for module, lessons in imports.items()
        if module not in sys.stdlib_module_names and module not in provided
    }
    assert not missing, f"lessons import modules the course extras {course_extras()} do not install: {missing}"


def test_the_recipes_install_the_extras_lab_sh_installs() -> None:
    extras = ",".join(course_extras())
    assert extras == "lab,model"
    for name in ("offline-download", "offline-install", "jupyterhub"):
        named = re.findall(r"\[([a-z,]+)\]", recipe(name))
        assert named == [extras], f"recipe {name!r} installs {named}, scripts/lab.sh installs [{extras}]"


# --- the three environments, built and graded -----------------------------------------------------


def _copy_repository(target: Path) -> Path:
    """The repository's files (tracked and new, not ignored), as a fresh clone would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _clean_env() -> dict[str, str]:
    """This shell's environment without the test suite's virtual environment on it."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "VENV", "PYTHON")}
    test_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != test_bin)
    env.pop("CORPUSKIT_GRADING", None)
    return env


def _bash(script: str, cwd: Path) -> None:
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script], cwd=cwd, env=_clean_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, f"{script}\nfailed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _assert_course_environment(venv: Path, course: Path, tmp_path: Path) -> None:
    """No test-only package, and this environment's grader: solutions full, exercises zero."""
    python = venv / "bin" / "python"
    for module in TEST_ONLY:
        probe = subprocess.run([python, "-c", f"import {module}"], capture_output=True, env=_clean_env())
        assert probe.returncode != 0, f"{module}, a test-only package, is in the course environment"
    for folder, full in (("solutions", True), ("exercises", False)):
        out = tmp_path / f"grades-{folder}"
        done = subprocess.run(
            [venv / "bin" / "corpuskit", "grade", f"{folder}/", "--jobs", "2", "--out", str(out)],
            cwd=course,
            env=_clean_env(),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        reports = [json.loads(p.read_text()) for p in sorted((out / "reports").glob("*.json"))]
        assert len(reports) == len(list((course / folder).glob("*.ipynb"))) >= 6
        for report in reports:
            lost = [
                f"{q['id']}: {q['feedback']}" for q in report["questions"] if full and q["points"] < q["max_points"]
            ]
            assert report["status"] == "graded", report
            assert not lost, f"{report['lesson']} solution loses points in the course environment: {lost}"
            if not full:
                assert report["score"] == 0, f"{report['lesson']} exercise scores {report['score']}"


@pytest.mark.slow
def test_the_environment_lab_sh_builds_grades_solutions_full_and_exercises_zero(tmp_path: Path) -> None:
    course = _copy_repository(tmp_path / "course")
    _bash("bash scripts/lab.sh --setup-only", course)
    _assert_course_environment(course / ".venv", course, tmp_path)


@pytest.mark.slow
def test_the_offline_wheels_recipe_grades_solutions_full_and_exercises_zero(tmp_path: Path) -> None:
    course = _copy_repository(tmp_path / "course")
    _bash(recipe("offline-download"), course)
    # The second half runs with no index at all: only the downloaded wheels.
    _bash(recipe("offline-install"), course)
    _assert_course_environment(course / ".venv", course, tmp_path)


@pytest.mark.slow
def test_the_jupyterhub_image_recipe_grades_solutions_full_and_exercises_zero(tmp_path: Path) -> None:
    """The image's ``RUN pip install`` line, in a virtual environment instead of a container image
    (no docker here), from this clone instead of the git address; ``--no-cache-dir``, which only keeps
    the image small, is left out so that pip's cache serves the test."""
    course = _copy_repository(tmp_path / "course")
    (line,) = [line for line in recipe("jupyterhub").splitlines() if line.startswith("RUN ")]
    command = line.removeprefix("RUN ").replace(" --no-cache-dir", "")
    command = re.sub(r"git\+https://\S+?(?=\")", f"file://{course}", command)
    assert command.startswith("pip install ") and f"@ file://{course}" in command, command
    venv = tmp_path / "image"
    _bash(f"python3 -m venv {venv}\n{venv}/bin/python -m {command}", tmp_path)
    _assert_course_environment(venv, course, tmp_path)
