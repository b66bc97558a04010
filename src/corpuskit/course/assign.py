"""Building student and solution notebooks from single-source lessons, byte for byte the same each time.

A source lesson (``notebooks/<lesson>.ipynb``) marks solution code with ``### BEGIN SOLUTION``
and ``### END SOLUTION`` inside cells whose nbgrader metadata says ``solution: true``. The
exercise copy replaces each region with a placeholder (``# YOUR CODE HERE`` and
``raise NotImplementedError(...)``, as nbgrader does) and drops cells tagged ``instructor``;
the solution copy keeps the code and loses the marker lines. Both lose outputs, execution
counts and volatile metadata, and are written with sorted keys, nbformat 4.5 and a final
newline, so building twice gives identical bytes.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpuskit.errors import CorpuskitError

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
CODE_PLACEHOLDER = ("# YOUR CODE HERE", 'raise NotImplementedError("Write your answer here")')
MARKDOWN_PLACEHOLDER = "YOUR ANSWER HERE"
INSTRUCTOR_TAG = "instructor"
NBFORMAT_MINOR = 5
VARIANTS = ("exercises", "solutions")
# Cell metadata worth keeping; everything else (execution timing, scroll state) is noise in diffs.
KEEP_CELL_METADATA = ("nbgrader", "tags", "editable", "deletable")


class AssignError(CorpuskitError):
    """A source lesson is malformed (unbalanced markers, hidden tests, duplicate grade ids)."""


@dataclass(frozen=True, slots=True)
class Built:
    """One generated notebook: where it goes and its exact bytes."""

    path: Path
    content: str


def lesson_id(source: Path) -> str:
    return source.stem


def build(source_nb: Mapping[str, Any], lesson: str, variant: str, where: str = "notebook") -> str:
    """The exercise or solution notebook (as text) for a source notebook (as JSON data)."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}")
    cells = []
    seen: set[str] = set()
    for index, cell in enumerate(source_nb.get("cells", [])):
        label = f"{where}: cell {index}"
        meta = cell.get("metadata", {})
        grade_id = meta.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            if grade_id in seen:
                raise AssignError(f"{label}: grade_id {grade_id!r} is used twice")
            seen.add(grade_id)
        if variant == "exercises" and INSTRUCTOR_TAG in meta.get("tags", []):
            continue
        cells.append(_build_cell(cell, index, variant, label))
    metadata = {
        "corpuskit": {"lesson": lesson, "variant": variant[:-1]},
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nb = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": NBFORMAT_MINOR}
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _build_cell(cell: Mapping[str, Any], index: int, variant: str, label: str) -> dict[str, Any]:
    source = _source(cell)
    for marker in HIDDEN_MARKERS:
        if marker in source:
            raise AssignError(
                f"{label}: {marker!r}: hidden tests would reach the student's kernel; "
                "put them in grading/lessons/<lesson>.json instead"
            )
    meta = cell.get("metadata", {})
    is_solution = bool(meta.get("nbgrader", {}).get("solution"))
    has_markers = BEGIN in source or END in source
    if has_markers and not is_solution:
        raise AssignError(f"{label}: solution markers in a cell whose nbgrader metadata lacks solution: true")
    if is_solution:
        source = _solution_regions(source, cell.get("cell_type") == "code", variant, label)
    out: dict[str, Any] = {
        "cell_type": cell["cell_type"],
        "id": str(cell.get("id") or f"cell-{index:03d}"),
        "metadata": {k: copy.deepcopy(meta[k]) for k in KEEP_CELL_METADATA if k in meta},
        "source": source,
    }
    if cell["cell_type"] == "code":
        out["execution_count"] = None
        out["outputs"] = []
    return out


_REGION = re.compile(
    r"^([ \t]*)" + re.escape(BEGIN) + r"[ \t]*\n(.*?)^[ \t]*" + re.escape(END) + r"[ \t]*(\n|\Z)", re.M | re.S
)


def _solution_regions(source: str, code: bool, variant: str, label: str) -> str:
    if source.count(BEGIN) != source.count(END):
        raise AssignError(f"{label}: {source.count(BEGIN)} BEGIN SOLUTION but {source.count(END)} END SOLUTION")

    def replace(match: re.Match[str]) -> str:
        indent, body, tail = match.group(1), match.group(2), match.group(3)
        if variant == "solutions":
            return body
        if code:
            return "".join(f"{indent}{line}\n" for line in CODE_PLACEHOLDER)[: None if tail else -1]
        return MARKDOWN_PLACEHOLDER + tail

    if BEGIN not in source:
        if variant == "solutions":
            return source
        # A whole-cell answer without markers, as nbgrader allows: the cell becomes the placeholder.
        return "\n".join(CODE_PLACEHOLDER) if code else MARKDOWN_PLACEHOLDER
    result, count = _REGION.subn(replace, source)
    if count != source.count(BEGIN) or BEGIN in result or END in result:
        raise AssignError(f"{label}: solution markers must sit on lines of their own, BEGIN before END")
    return result.rstrip("\n")


def plan(root: Path, lessons: Iterable[str] = ()) -> list[Built]:
    """Every generated notebook for the lessons under ``root/notebooks`` (all when ``lessons`` is empty)."""
    wanted = set(lessons)
    sources = sorted((root / "notebooks").glob("*.ipynb"))
    if not sources:
        raise AssignError(f"{root / 'notebooks'}: no source lessons (*.ipynb)")
    built: list[Built] = []
    for source in sources:
        lesson = lesson_id(source)
        if wanted and lesson not in wanted:
            continue
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise AssignError(f"{source}: not a notebook ({err})") from None
        for variant in VARIANTS:
            built.append(Built(root / variant / source.name, build(data, lesson, variant, str(source))))
    missing = wanted - {lesson_id(s) for s in sources}
    if missing:
        raise AssignError(f"no source lesson(s) {', '.join(sorted(missing))} in {root / 'notebooks'}")
    return built


def drift(root: Path, lessons: Iterable[str] = ()) -> list[str]:
    """What differs between the committed copies and a fresh build (empty when up to date)."""
    built = plan(root, lessons)
    problems = []
    for item in built:
        if not item.path.is_file():
            problems.append(f"{item.path}: missing")
        elif item.path.read_text(encoding="utf-8") != item.content:
            problems.append(f"{item.path}: differs from a fresh build")
    if not list(lessons):
        expected = {item.path for item in built}
        for variant in VARIANTS:
            for stray in sorted((root / variant).glob("*.ipynb")):
                if stray not in expected:
                    problems.append(f"{stray}: has no source in notebooks/")
    return problems


def write(root: Path, lessons: Iterable[str] = ()) -> list[Path]:
    """Build and write the notebooks; returns the files whose content changed."""
    from corpuskit.fileio import write_text_atomic

    changed = []
    for item in plan(root, lessons):
        item.path.parent.mkdir(parents=True, exist_ok=True)
        if not item.path.is_file() or item.path.read_text(encoding="utf-8") != item.content:
            write_text_atomic(item.path, item.content)
            changed.append(item.path)
    return changed
