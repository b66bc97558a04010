"""Reading a submitted notebook: refusals before any code runs, its lesson, and locked-cell restoration."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuskit.course.spec import LessonSpec, lesson_ids
from corpuskit.errors import GradingError

if TYPE_CHECKING:
    from nbformat import NotebookNode


def field(node: Any, *keys: str) -> Mapping[str, Any]:
    """``node[keys[0]][keys[1]]...`` when each step is a JSON object, else empty.

    A submitted notebook's JSON is the student's: any field may hold a list, a string or a number
    where an object belongs, and must make the grader refuse or ignore it, never crash.
    """
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}


def code_cells(nb: NotebookNode) -> list[int]:
    return [i for i, cell in enumerate(nb.cells) if cell.get("cell_type") == "code"]


def grade_id(cell: Mapping[str, Any]) -> str | None:
    value = field(cell, "metadata", "nbgrader").get("grade_id")
    return str(value) if value is not None else None


def lesson_of(path: Path, nb: Mapping[str, Any] | None, grading_dir: Path) -> str:
    """The lesson a submission belongs to: its metadata, else the longest lesson id its name starts with."""
    if nb is not None:
        lesson = field(nb, "metadata", "corpuskit").get("lesson")
        if isinstance(lesson, str) and lesson in lesson_ids(grading_dir):
            return lesson
    matches = [lesson for lesson in lesson_ids(grading_dir) if path.stem.startswith(lesson)]
    if not matches:
        raise GradingError(
            f"{path}: cannot tell which lesson this is; pass --lesson (lessons: "
            f"{', '.join(lesson_ids(grading_dir)) or 'none'})"
        )
    return max(matches, key=len)


def read_submission(path: Path, within: Path | None = None) -> bytes:
    """The bytes of a submitted file, refused in a line that echoes none of them.

    A symbolic link (to the solution, to a classmate's file, to a root-only file), anything that is
    not a regular file, or a path that resolves outside ``within`` (the submissions folder, default
    the file's own folder) is refused: it would be graded as the student's work.
    """
    import stat

    within = (within or path.parent).resolve()
    if path.is_symlink():
        raise GradingError(f"{path}: a symbolic link; submit the notebook itself")
    if not path.resolve().is_relative_to(within):
        raise GradingError(f"{path}: lies outside the submissions folder {within}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise GradingError(f"{path}: no such file") from None
    except OSError as err:
        raise GradingError(f"{path}: {err.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise GradingError(f"{path}: not a regular file")
        return handle.read()


# What a submission can be refused for before any code runs: graded 0 with a report saying why.
def read_notebook(path: Path) -> tuple[Any, str, str]:
    """The notebook, or None with the report status and the reason."""
    import nbformat

    raw = read_submission(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "invalid-notebook", "not UTF-8 text"
    try:
        nb = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
    except Exception:
        # nbformat's message quotes the file's first bytes: never echoed, whose file it may be.
        return None, "invalid-notebook", "not a notebook (not JSON)"
    try:
        nbformat.validate(nb)
    except Exception as err:
        where = "/".join(map(str, getattr(err, "path", ()) or ()))[:100]
        return None, "invalid-notebook", f"not a valid notebook ({type(err).__name__} at /{where})"
    cells = nb.get("cells")
    if not isinstance(cells, list) or not any(isinstance(c, Mapping) and c.get("cell_type") == "code" for c in cells):
        return None, "no-cells", "the notebook has no code cells"
    if not all(isinstance(c, Mapping) for c in cells):
        return None, "invalid-notebook", "not a valid notebook (a cell that is not an object)"
    kernelspec = field(nb, "metadata", "kernelspec")
    name = str(kernelspec.get("name", "python3"))
    language = str(kernelspec.get("language", "")).lower()
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
    return "".join(map(str, source)) if isinstance(source, list) else str(source)


def restore_locked(nb: NotebookNode, release: NotebookNode) -> list[tuple[str, str]]:
    """Put locked cells back as released (as nbgrader does): ``(grade_id, what happened)`` for each change.

    Every cell of the submission carrying a locked cell's grade id is taken out, whatever its type,
    however many there are and wherever they stand; then each locked cell goes back, as released,
    after the cell carrying the grade id that precedes it in the release. A copy whose metadata was
    stripped is the student's own cell, and runs as such; the locked cell runs as released anyway.
    """
    import copy

    def locked(cell: Mapping[str, Any]) -> bool:
        meta = field(cell, "metadata", "nbgrader")
        return bool(meta.get("locked") and not meta.get("solution"))

    released = {gid: cell for cell in release.cells if (gid := grade_id(cell)) is not None and locked(cell)}
    before = [gid for cell in nb.cells if (gid := grade_id(cell)) is not None]
    copies: dict[str, list[Any]] = {gid: [] for gid in released}
    kept = []
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in copies:
            copies[gid].append(cell)
        else:
            kept.append(cell)
    previous: str | None = None
    for cell in release.cells:
        gid = grade_id(cell)
        if gid is None:
            continue
        if gid in released:
            fresh = copy.deepcopy(cell)
            fresh["outputs"] = [] if fresh.get("cell_type") == "code" else fresh.get("outputs", [])
            anchors = [i for i, c in enumerate(kept) if previous is not None and grade_id(c) == previous]
            kept.insert(anchors[-1] + 1 if anchors else 0, fresh)
        previous = gid
    nb.cells[:] = kept
    after = [gid for cell in nb.cells if (gid := grade_id(cell)) is not None]

    def neighbour(order: list[str], gid: str) -> str | None:
        at = order.index(gid)
        return order[at - 1] if at > 0 else None

    changes: list[tuple[str, str]] = []
    for gid, cell in released.items():
        found = copies[gid]
        if not found:
            changes.append((gid, "deleted; put back as released"))
        elif len(found) > 1:
            changes.append((gid, f"carried by {len(found)} cells; run once, as released"))
        elif cell_source(found[0]) != cell_source(cell) or found[0].get("cell_type") != cell.get("cell_type"):
            changes.append((gid, "edited; run as released instead"))
        elif neighbour(before, gid) != neighbour(after, gid):
            changes.append((gid, "moved; run where it was released"))
    return changes
