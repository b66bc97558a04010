"""Building student and solution notebooks from single-source lessons, byte for byte the same each time.

A source lesson (``notebooks/<lesson>.ipynb``) marks solution code with ``### BEGIN SOLUTION``
and ``### END SOLUTION`` inside cells whose nbgrader metadata says ``solution: true``. The
exercise copy replaces each region with a placeholder (``# YOUR CODE HERE`` and
``raise NotImplementedError(...)``, as nbgrader does) and drops cells tagged ``instructor``;
the solution copy keeps the code and loses the marker lines. Both lose outputs, execution
counts and volatile metadata, and are written with sorted keys, nbformat 4.5 and a final
newline, so building twice gives identical bytes.

A course on another corpus document (``corpuskit assign --document ID --out DIR``) is built from
the same sources: the ``DOCUMENT = "..."`` line of each lesson's setup cell names the document,
cells tagged ``document:<id>`` (commentary on one article) are kept only in that article's
course, cells tagged ``not-document:<id>`` (what the lesson shows instead on any other article)
are left out of that article's course, and the grading folder written beside the notebooks names
the document the grader computes the answer key on. A lesson whose spec ``requires`` what the
document lacks is refused with one line saying what is missing.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuskit.errors import CorpuskitError

if TYPE_CHECKING:
    from corpuskit.course.spec import LessonSpec
    from corpuskit.model import Document

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
CODE_PLACEHOLDER = ("# YOUR CODE HERE", 'raise NotImplementedError("Write your answer here")')
MARKDOWN_PLACEHOLDER = "YOUR ANSWER HERE"
INSTRUCTOR_TAG = "instructor"
NBFORMAT_MINOR = 5
VARIANTS = ("exercises", "solutions")
# Cell metadata worth keeping; everything else (execution timing, scroll state) is noise in diffs.
KEEP_CELL_METADATA = ("nbgrader", "tags", "editable", "deletable")
# The setup cell's line naming the corpus document the lesson reads; assign substitutes its id.
DOCUMENT_LINE = re.compile(r'^DOCUMENT = "([^"\\\n]*)"$', re.M)
DOCUMENT_TAG = "document:"
OTHER_DOCUMENTS_TAG = "not-document:"
SETUP_CELL = "setup"


class AssignError(CorpuskitError):
    """A source lesson is malformed (unbalanced markers, hidden tests, duplicate grade ids)."""


@dataclass(frozen=True, slots=True)
class Built:
    """One generated notebook: where it goes and its exact bytes."""

    path: Path
    content: str


def lesson_id(source: Path) -> str:
    return source.stem


def build(
    source_nb: Mapping[str, Any], lesson: str, variant: str, where: str = "notebook", document: str | None = None
) -> str:
    """The exercise or solution notebook (as text) for a source notebook (as JSON data).

    With ``document``, the notebook reads that corpus document: its setup cell's ``DOCUMENT``
    line names it, and the notebook's metadata records it. Cells tagged for another document, or
    tagged as standing in for this one's, are left out; without ``document`` the course is on the
    document the source's ``DOCUMENT`` line names.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}")
    on = document if document is not None else _source_document(source_nb)
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
        tags = meta.get("tags", [])
        if variant == "exercises" and INSTRUCTOR_TAG in tags:
            continue
        if on is not None and not _for_document(tags, on):
            continue
        built = _build_cell(cell, index, variant, label)
        if document is not None and grade_id == SETUP_CELL:
            built["source"] = _set_document(built["source"], document, label)
        cells.append(built)
    if document is not None and not any(
        c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == SETUP_CELL for c in source_nb.get("cells", [])
    ):
        raise AssignError(f"{where}: no setup cell (grade_id {SETUP_CELL!r}) to name the document in")
    course: dict[str, str] = {"lesson": lesson, "variant": variant[:-1]}
    if document is not None:
        course["document"] = document
    metadata = {
        "corpuskit": course,
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nb = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": NBFORMAT_MINOR}
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _for_document(tags: Iterable[str], document: str) -> bool:
    """Whether a cell with these tags belongs in the course on ``document``."""
    return not any(
        (tag.startswith(DOCUMENT_TAG) and tag != DOCUMENT_TAG + document) or tag == OTHER_DOCUMENTS_TAG + document
        for tag in tags
    )


def _source_document(source_nb: Mapping[str, Any]) -> str | None:
    """The document the source's setup cell names on its ``DOCUMENT`` line, or None."""
    for cell in source_nb.get("cells", []):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == SETUP_CELL:
            found = DOCUMENT_LINE.findall(_source(cell))
            return found[0] if len(found) == 1 else None
    return None


def _set_document(source: str, document: str, label: str) -> str:
    found = DOCUMENT_LINE.findall(source)
    if len(found) != 1:
        raise AssignError(
            f'{label}: the setup cell needs exactly one line DOCUMENT = "<id>" to name its document '
            f"(found {len(found)})"
        )
    return DOCUMENT_LINE.sub(lambda _: f"DOCUMENT = {json.dumps(document)}", source)


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


@dataclass(frozen=True, slots=True)
class Course:
    """What ``corpuskit assign --document`` wrote, and the lessons it refused, one line each."""

    written: tuple[Path, ...]
    refused: tuple[str, ...]


def missing(spec: LessonSpec, doc: Document, folder: Path) -> str:
    """What ``doc`` (found in ``folder``) lacks of what the lesson requires, or "" when nothing."""
    needs = spec.requires
    if needs.documents and doc.id not in needs.documents:
        return f"it is written on the text of {', '.join(needs.documents)} only"
    lacks = [f"no {layer} layer" for layer in needs.layers if not doc.layer(layer)]
    lacks += [f"no second annotation file {name}" for name in needs.annotations if not (folder / name).is_file()]
    have = {s.id for s in doc.sections}
    gone = [s for s in needs.sections if s not in have]
    if gone:
        lacks.append(f"no section{'s' if len(gone) > 1 else ''} {', '.join(gone)}")
    return "; ".join(lacks)


def course(root: Path, out: Path, document: str, lessons: Iterable[str] = ()) -> Course:
    """Build the course of ``root``'s lessons on the corpus document ``document`` into ``out``.

    ``out`` gets ``exercises/`` and ``solutions/`` and a grading folder ``grading/`` (the built
    lessons' specs and modules, the held-out texts, and ``course.json`` naming the document), so
    that ``corpuskit grade out/solutions/01-reading.ipynb --grading out/grading`` grades against
    that document's gold. Refused lessons are left out of all three.
    """
    from corpuskit.corpus import load, locate
    from corpuskit.course.key import COURSE_FILE, course_document
    from corpuskit.course.spec import find_grading_dir, load_spec
    from corpuskit.errors import GradingError
    from corpuskit.fileio import write_bytes_atomic, write_text_atomic

    folder = locate(document)
    if folder.name != document:
        raise AssignError(f"{document}: give a document id from the corpus path ('corpuskit list'), not a folder")
    doc = load(document)
    out = out.resolve()
    if out == root.resolve():
        raise AssignError(f"{out}: --out must be a folder of its own, not the course the lessons come from")
    if out.exists() and any(out.iterdir()):
        try:
            built_on = course_document(out / "grading") if (out / "grading" / COURSE_FILE).is_file() else None
        except GradingError as err:
            raise AssignError(str(err)) from None
        if built_on != document:
            what = f"holds the course on {built_on}" if built_on else "is not empty and holds no course assign wrote"
            raise AssignError(f"{out}: {what}; choose another --out (nothing was changed)")
    grading = find_grading_dir(root / "grading")
    items: list[Built] = []
    copies: dict[Path, bytes] = {}
    refused: list[str] = []
    for item in plan(root, lessons):
        lesson = lesson_id(item.path)
        if item.path.parent.name != VARIANTS[0]:
            continue  # each lesson is judged once, on its exercise copy's turn
        spec = load_spec(grading, lesson)
        lacks = missing(spec, doc, folder)
        source = json.loads((root / "notebooks" / item.path.name).read_text(encoding="utf-8"))
        if not lacks and _source_document(source) is None:
            lacks = 'its setup cell does not read the document from a DOCUMENT = "..." line'
        if lacks:
            refused.append(f"{lesson}: not built on {document}: {lacks}")
            continue
        where = str(root / "notebooks" / item.path.name)
        for variant in VARIANTS:
            items.append(Built(out / variant / item.path.name, build(source, lesson, variant, where, document)))
        for module in (spec.path, spec.module_path):
            if module is not None:
                copies[out / "grading" / "lessons" / module.name] = module.read_bytes()
    if items and (grading / "heldout").is_dir():
        for path in sorted((grading / "heldout").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                copies[out / "grading" / "heldout" / path.relative_to(grading / "heldout")] = path.read_bytes()
    written: list[Path] = []
    for target, content in [*((i.path, i.content.encode("utf-8")) for i in items), *copies.items()]:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, content)
        written.append(target)
    if items:
        write_text_atomic(out / "grading" / COURSE_FILE, json.dumps({"document": document}, indent=2) + "\n")
        written.append(out / "grading" / COURSE_FILE)
    return Course(tuple(written), tuple(refused))
