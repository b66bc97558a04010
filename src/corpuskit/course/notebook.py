"""Reading a submitted notebook: refusals before any code runs, its lesson, and locked-cell restoration."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuskit.course.spec import LessonSpec, lesson_ids
from corpuskit.errors import GradingError

if TYPE_CHECKING:
    from nbformat import NotebookNode


def code_cells(nb: NotebookNode) -> list[int]:
    return [i for i, cell in enumerate(nb.cells) if cell.get("cell_type") == "code"]


def grade_id(cell: Mapping[str, Any]) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    value = meta.get("grade_id") if isinstance(meta, Mapping) else None
    return str(value) if value is not None else None


def lesson_of(path: Path, nb: Mapping[str, Any] | None, grading_dir: Path) -> str:
    """The lesson a submission belongs to: its metadata, else the longest lesson id its name starts with."""
    if nb is not None:
        meta = nb.get("metadata", {}).get("corpuskit", {})
        lesson = meta.get("lesson") if isinstance(meta, Mapping) else None
        if isinstance(lesson, str) and lesson in lesson_ids(grading_dir):
            return lesson
    matches = [lesson for lesson in lesson_ids(grading_dir) if path.stem.startswith(lesson)]
    if not matches:
        raise GradingError(
            f"{path}: cannot tell which lesson this is; pass --lesson (lessons: "
            f"{', '.join(lesson_ids(grading_dir)) or 'none'})"
        )
    return max(matches, key=len)


# What a submission can be refused for before any code runs: graded 0 with a report saying why.
def read_notebook(path: Path) -> tuple[Any, str, str]:
    """The notebook, or None with the report status and the reason."""
    import nbformat

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise GradingError(f"{path}: no such file") from None
    except OSError as err:
        raise GradingError(f"{path}: {err.strerror}") from None
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)  # type: ignore[no-untyped-call]
        nbformat.validate(nb)
    except Exception as err:
        first = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
        return None, "invalid-notebook", f"{type(err).__name__}: {first}"
    if not isinstance(nb.get("cells"), list) or not any(c.get("cell_type") == "code" for c in nb.cells):
        return None, "no-cells", "the notebook has no code cells"
    kernelspec = nb.get("metadata", {}).get("kernelspec") or {}
    name = str(kernelspec.get("name", "python3")) if isinstance(kernelspec, Mapping) else "?"
    language = str(kernelspec.get("language", "")).lower() if isinstance(kernelspec, Mapping) else "?"
    if (language and language != "python") or (not language and not name.startswith("python")):
        why = f"the notebook is for the kernel {name!r} ({language or 'no language'}), not Python 3"
        return None, "wrong-kernel", why
    return nb, "", ""


def release_copy(spec: LessonSpec, release_dir: Path) -> Any:
    import nbformat

    path = release_dir / spec.notebook
    if not path.is_file():
        return None
    return nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]


def cell_source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def restore_locked(nb: NotebookNode, release: NotebookNode) -> list[tuple[str, str]]:
    """Put locked cells back as released (as nbgrader does): ``(grade_id, what happened)`` for each change.

    An edited locked cell gets its released source; a deleted one is inserted after the cell that
    precedes it in the release. Cells are matched by grade id.
    """
    import copy

    def locked(cell: Mapping[str, Any]) -> bool:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        return bool(isinstance(meta, Mapping) and meta.get("locked") and not meta.get("solution"))

    changes: list[tuple[str, str]] = []
    previous: str | None = None
    for cell in release.cells:
        gid = grade_id(cell)
        if gid is None:
            continue
        where = {g: i for i, c in enumerate(nb.cells) if (g := grade_id(c)) is not None}
        if locked(cell):
            fresh = copy.deepcopy(cell)
            fresh["outputs"] = [] if fresh.get("cell_type") == "code" else fresh.get("outputs", [])
            if gid not in where:
                at = where[previous] + 1 if previous in where else 0
                nb.cells.insert(at, fresh)
                changes.append((gid, "deleted; put back as released"))
            elif cell_source(nb.cells[where[gid]]) != cell_source(cell) or nb.cells[where[gid]].get(
                "cell_type"
            ) != cell.get("cell_type"):
                nb.cells[where[gid]] = fresh
                changes.append((gid, "edited; run as released instead"))
        previous = gid
    return changes
