"""Gradescope: its ``results.json`` for a graded notebook, and the autograder package that writes it.

Gradescope's autograder runs ``/autograder/run_autograder`` in a container built once with
``setup.sh``, with the student's upload in ``/autograder/submission/`` and the unzipped package in
``/autograder/source/``; whatever ``/autograder/results/results.json`` holds then is the grade:
``score``, ``execution_time``, ``output``, ``visibility``, ``stdout_visibility`` and one entry
per test with ``name``, ``number``, ``score``, ``max_score``, ``status`` (passed / failed),
``output`` and ``visibility``. Here a test is a question of the lesson.

The package holds ``setup.sh``, ``run_autograder``, ``requirements.txt`` (the course environment
pinned to the versions installed where the package is built), corpuskit's own source, the grading
folder of the chosen lessons and their released exercises (to restore locked cells), and, for a
course built on another corpus document, that document's folder, which ``run_autograder`` puts on
the corpus path so that the grader and the student's kernel both find it.
"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from corpuskit.course.key import COURSE_FILE, course_document
from corpuskit.course.report import Report
from corpuskit.errors import CorpuskitError
from corpuskit.fileio import write_bytes_atomic, write_text_atomic

# What students see: every feedback line is written for them and never holds the expected answer.
# The grader's own log (stdout) is for instructors only.
VISIBILITY = "visible"
STDOUT_VISIBILITY = "hidden"
# The extras of the course environment, the same ones scripts/lab.sh installs.
COURSE_EXTRAS = ("lab", "model")
# corpuskit's source, as much as building and installing it needs.
PACKAGE_FILES = ("pyproject.toml", "README.md", "src/corpuskit", "corpus")
# Where the package carries the course's own corpus document; run_autograder puts it on the corpus
# path. It sits beside the grading folder, never inside it: the kernel may read the one, not the other.
DOCUMENTS = "documents"


class GradescopeError(CorpuskitError):
    """The autograder package cannot be built (a missing lesson, an environment that cannot be pinned)."""


def results(report: Report) -> dict[str, Any]:
    """Gradescope's ``results.json`` for one graded notebook: one test per question."""
    tests = [
        {
            "name": q.title,
            "number": str(number),
            "score": q.points,
            "max_score": q.max_points,
            "status": "passed" if q.points >= q.max_points else "failed",
            "output": q.feedback,
            "visibility": VISIBILITY,
        }
        for number, q in enumerate(report.questions, start=1)
    ]
    lines = [f"{report.title}: {report.score:g} / {report.max_score:g}"]
    if report.status != "graded":
        lines.append(f"This notebook could not be graded as {report.lesson}: {report.status}.")
    lines += [f"While running the notebook: {event}" for event in report.events]
    lines += [f"Warning: {warning}" for warning in report.warnings]
    return {
        "score": report.score,
        "execution_time": round(report.seconds),
        "output": "\n".join(lines),
        "visibility": VISIBILITY,
        "stdout_visibility": STDOUT_VISIBILITY,
        "tests": tests,
    }


def write_results(path: str | os.PathLike[str], report: Report) -> None:
    """Write ``results.json`` (atomically)."""
    write_text_atomic(path, json.dumps(results(report), indent=2, ensure_ascii=False) + "\n")


def pinned_requirements(extras: Iterable[str] = COURSE_EXTRAS) -> list[str]:
    """``name==version`` for every distribution ``corpuskit[extras]`` installs, as installed here."""
    versions = course_distributions(extras)
    versions.pop("corpuskit", None)
    return [f"{name}=={version}" for name, version in sorted(versions.items())]


def course_distributions(extras: Iterable[str] = COURSE_EXTRAS) -> dict[str, str]:
    """The installed version of corpuskit and of every distribution ``corpuskit[extras]`` pulls in,
    by normalised name, following the installed packages' own requirements."""
    from packaging.requirements import Requirement

    versions: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [("corpuskit", frozenset(extras))]
    while todo:
        name, wanted = todo.pop()
        if (name, wanted) in seen:
            continue
        seen.add((name, wanted))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise GradescopeError(
                f"{name} is not installed here, so the autograder's requirements cannot be pinned: "
                "build the package from the course environment (bash scripts/lab.sh --setup-only)"
            ) from None
        key = _normal(dist.metadata["Name"])
        versions[key] = dist.version
        for text in dist.requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in wanted or {""}):
                todo.append((_normal(requirement.name), frozenset(requirement.extras)))
    return versions


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


_SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
SOURCE="$(cd "$(dirname "$0")" && pwd)"
AUTOGRADER="$(dirname "$SOURCE")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# corpuskit needs Python 3.11 or newer; Gradescope's Ubuntu images have it in their archive.
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  PYTHON=python3
  apt-get install -y -qq --no-install-recommends python3-venv
else
  PYTHON=python3.11
  apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv
fi
# The grader's sandbox; where the container forbids its namespaces the grader says so in the results.
apt-get install -y -qq --no-install-recommends bubblewrap || echo "bubblewrap is not available: grading without it"
"$PYTHON" -m venv "$AUTOGRADER/venv"
"$AUTOGRADER/venv/bin/python" -m pip install --quiet --upgrade pip
"$AUTOGRADER/venv/bin/python" -m pip install --quiet -r "$SOURCE/requirements.txt"
"$AUTOGRADER/venv/bin/python" -m pip install --quiet --no-deps "$SOURCE/corpuskit"
"""

_RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for each submission: it grades the uploaded notebook and writes
# results/results.json. Paths are relative to this script, which Gradescope puts in /autograder.
set -uo pipefail
AUTOGRADER="$(cd "$(dirname "$0")" && pwd)"
SOURCE="$AUTOGRADER/source"
RESULTS="$AUTOGRADER/results/results.json"
mkdir -p "$AUTOGRADER/results"
NOTEBOOK="$(find "$AUTOGRADER/submission" -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort | head -n 1)"
if [ -z "$NOTEBOOK" ]; then
  printf '%s\\n' '{"score": 0, "output": "No notebook (.ipynb) in the submission: upload your lesson notebook.", \
"visibility": "visible", "stdout_visibility": "hidden", "tests": []}' > "$RESULTS"
  exit 0
fi
# The course's corpus document, when the package carries one: the answer key and the student's
# corpuskit.load(DOCUMENT) both look it up on the corpus path.
if [ -d "$SOURCE/{documents}" ]; then
  export CORPUSKIT_PATH="$SOURCE/{documents}"
fi
cd "$AUTOGRADER"
"$AUTOGRADER/venv/bin/corpuskit" grade "$NOTEBOOK" {lesson}--grading "$SOURCE/grading" \\
  --release "$SOURCE/exercises" --gradescope "$RESULTS"
status=$?
if [ "$status" -ne 0 ] && [ ! -s "$RESULTS" ]; then
  printf '%s\\n' '{"score": 0, "output": "The autograder could not grade this notebook; \
your instructor has been told.", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}' > "$RESULTS"
fi
exit "$status"
"""


def build_autograder(zip_path: str | os.PathLike[str], root: Path, lessons: Iterable[str] = ()) -> list[str]:
    """Write Gradescope's autograder zip for the course folder ``root``; return the names it holds.

    With one lesson the autograder grades every upload as that lesson; with several (or none,
    meaning every lesson in ``grading/lessons``) it takes the lesson from the notebook.
    """
    grading = root / "grading"
    chosen = list(lessons) or sorted(p.stem for p in (grading / "lessons").glob("*.json"))
    if not chosen:
        raise GradescopeError(f"{grading / 'lessons'}: no lesson specs to grade")
    files: dict[str, bytes] = {}
    for lesson in chosen:
        found = False
        for suffix in (".json", ".py"):
            spec = grading / "lessons" / f"{lesson}{suffix}"
            if spec.is_file():
                files[f"grading/lessons/{spec.name}"] = spec.read_bytes()
                found = found or suffix == ".json"
        if not found:
            raise GradescopeError(f"{grading / 'lessons' / (lesson + '.json')}: no grading spec for lesson {lesson!r}")
        exercise = root / "exercises" / f"{lesson}.ipynb"
        if not exercise.is_file():
            raise GradescopeError(f"{exercise}: no released exercise (run 'corpuskit assign' first)")
        files[f"exercises/{exercise.name}"] = exercise.read_bytes()
    files.update(_tree(grading / "heldout", "grading/heldout"))
    # A course built on another document names it here; without it the key would be the Hanoi article's.
    files.update(_tree(grading / COURSE_FILE, f"grading/{COURSE_FILE}"))
    if (grading / COURSE_FILE).is_file():
        document = course_document(grading)
        files.update(_tree(_document_folder(document, grading / COURSE_FILE), f"{DOCUMENTS}/{document}"))
    package = _package_root(root)
    for name in PACKAGE_FILES:
        files.update(_tree(package / name, f"corpuskit/{name}"))
    files["requirements.txt"] = ("\n".join(pinned_requirements()) + "\n").encode()
    lesson_option = f"--lesson {chosen[0]} " if len(chosen) == 1 else ""
    files["setup.sh"] = _SETUP.encode()
    files["run_autograder"] = _RUN.replace("{lesson}", lesson_option).replace("{documents}", DOCUMENTS).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            executable = name in ("setup.sh", "run_autograder")
            info.external_attr = ((stat.S_IFREG | (0o755 if executable else 0o644)) & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    write_bytes_atomic(zip_path, buffer.getvalue())
    return sorted(files)


def _document_folder(document: str, course_file: Path) -> Path:
    """The folder of the course's document, as the corpus path here finds it."""
    from corpuskit.corpus import locate

    try:
        return locate(document)
    except CorpuskitError as err:
        raise GradescopeError(
            f"{course_file}: the course's document cannot be packed ({err}); "
            "build the package where CORPUSKIT_PATH finds it, as when the course was built"
        ) from None


def _package_root(root: Path) -> Path:
    """The corpuskit source tree to ship: the course folder when it is one, else this package's."""
    for candidate in (root, Path(__file__).resolve().parents[3]):
        if (candidate / "pyproject.toml").is_file() and (candidate / "src" / "corpuskit").is_dir():
            return candidate
    raise GradescopeError(f"{root}: not a corpuskit source tree (no pyproject.toml and src/corpuskit)")


def _tree(path: Path, prefix: str) -> dict[str, bytes]:
    if path.is_file():
        return {prefix: path.read_bytes()}
    return {
        f"{prefix}/{item.relative_to(path).as_posix()}": item.read_bytes()
        for item in sorted(path.rglob("*"))
        if item.is_file() and "__pycache__" not in item.parts
    }
