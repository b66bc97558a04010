"""Pooling a class's annotations of one passage: ``corpuskit sprint collect``.

Students hand in what the course already has them produce: a file saved by the annotation
widget (native JSON), a lesson 2 notebook (a markup string whose plain text is the passage),
a Label Studio export (each annotation is one student, named by ``completed_by``) or a brat
folder (one ``.ann`` per student). Every submission is reduced to the entity spans
``(start, end, label)`` inside the passage, in document offsets.

Nothing is dropped silently: a student who handed in twice (the last source given is kept), an
empty submission, spans outside the passage and unreadable files are each listed as a problem.

A student is named by the file's stem (``alice.json``), or by its folder when every file has
the same name (``submitted/alice/lesson2.json``); in a Label Studio export by the annotator,
in a brat folder by each ``.ann`` file's stem. In
everything written, a stable pseudonym stands for the name: a keyed hash, so the same student
keeps the same pseudonym in every sprint that uses the same key; the key and the mapping live
in ``instructor/``, which is never shown to the class.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import hashlib
import hmac
import io
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from corpuskit.errors import CorpuskitError, InputError
from corpuskit.fileio import write_text_atomic
from corpuskit.model import Document

SpanTriple = tuple[int, int, str]
Passage = tuple[int, int]

POOL_FILE = "pool.json"
INSTRUCTOR_FOLDER = "instructor"
KEY_FILE = "pseudonym.key"
MAPPING_FILE = "pseudonyms.csv"
PROBLEMS_FILE = "problems.txt"
UNREADABLE = f"a file could not be read; its name and the error are in {INSTRUCTOR_FOLDER}/{PROBLEMS_FILE}"


@dataclasses.dataclass(frozen=True, slots=True)
class Submission:
    """One student's spans of the passage and where they came from (``""`` once read back from
    a pool, which keeps no file names)."""

    student: str
    source: str
    spans: tuple[SpanTriple, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """A submission (or part of one) that is reported rather than pooled as it is.

    ``source`` (a file name, which often names the student) is for the instructor only.
    """

    kind: str  # duplicate, empty, off-passage, unreadable
    student: str
    source: str
    detail: str

    def line(self) -> str:
        where = " ".join(part for part in (self.student, f"({self.source})" if self.source else "") if part)
        return f"{self.kind}: {where}: {self.detail}" if where else f"{self.kind}: {self.detail}"


@dataclasses.dataclass(frozen=True, slots=True)
class Pool:
    """The class's annotations of one passage, students under pseudonyms, with the problems."""

    document: str
    text: str
    passage: Passage
    section: str | None
    submissions: tuple[Submission, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def students(self) -> tuple[str, ...]:
        return tuple(s.student for s in self.submissions)

    def to_json(self) -> dict[str, Any]:
        """The pool as the class may see it: pseudonyms only, no file names (they name students)."""
        return {
            "document": self.document,
            "passage": list(self.passage),
            "section": self.section,
            "passage_text": self.text[self.passage[0] : self.passage[1]],
            "submissions": [{"student": s.student, "spans": [list(t) for t in s.spans]} for s in self.submissions],
            "problems": [
                {"kind": p.kind, "student": p.student, "detail": UNREADABLE if p.kind == "unreadable" else p.detail}
                for p in self.problems
            ],
        }


# Reading one source ---------------------------------------------------------------------------


def _from_notebook(path: Path, text: str, passage: Passage) -> list[SpanTriple] | None:
    """The spans of the last markup string in a notebook whose plain text is the passage."""
    from corpuskit.formats.markup import MarkupError, parse

    data = json.loads(path.read_text(encoding="utf-8"))
    wanted = text[passage[0] : passage[1]]
    found: list[SpanTriple] | None = None
    for cell in data.get("cells", []) if isinstance(data, dict) else []:
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue  # a student's broken cell holds no answer we could read anyway
        for node in ast.walk(tree):
            if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                continue
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if not isinstance(value, str) or "](" not in value:
                continue
            try:
                parsed = parse(value)
            except MarkupError:
                continue
            if parsed.text == wanted:
                found = [(passage[0] + s, passage[0] + e, label) for s, e, label in parsed.spans]
    return found


def _from_documents(docs: Iterable[Document], text: str, where: str) -> list[list[SpanTriple]]:
    out = []
    for doc in docs:
        if doc.text != text:
            raise InputError(where, f"annotates another text than document {doc.id!r}")
        out.append([(e.start, e.end, e.label) for e in doc.entities])
    return out


def _labelstudio_annotators(path: Path, text: str) -> list[tuple[str, list[SpanTriple]]]:
    """One ``(annotator, spans)`` per submitted annotation of the passage's text."""
    from corpuskit.corpus import read_json
    from corpuskit.formats.labelstudio import from_task

    data = read_json(path)
    tasks = data if isinstance(data, list) else [data]
    out: list[tuple[str, list[SpanTriple]]] = []
    for number, task in enumerate(tasks, start=1):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict) or task["data"].get("text") != text:
            continue
        for entry in task.get("annotations") or ():
            if not isinstance(entry, dict):
                continue
            who = entry.get("completed_by")
            if isinstance(who, dict):
                who = who.get("email") or who.get("id")
            name = str(who) if who not in (None, "") else f"task{number}-annotation{entry.get('id', '?')}"
            if entry.get("was_cancelled"):
                out.append((name, []))  # a skipped task: reported as an empty submission
                continue
            one = {"data": task["data"], "annotations": [entry]}
            (doc,) = _from_documents([from_task(one, f"{path}: task {number}")], text, str(path))
            out.append((name, doc))
    if not out:
        raise InputError(str(path), "holds no submitted annotation of this document's text")
    return out


def _is_labelstudio(path: Path) -> bool:
    if path.suffix != ".json":
        return False
    with path.open("rb") as handle:
        return handle.read(64).lstrip().startswith(b"[")


def read_source(path: Path, name: str, doc: Document, passage: Passage) -> list[tuple[str, list[SpanTriple] | None]]:
    """The ``(student, spans)`` pairs one source holds; spans ``None`` when it holds no answer."""
    from corpuskit.formats.brat import read_brat
    from corpuskit.formats.native import read_json_document

    text = doc.text
    if path.is_dir():
        anns = sorted(path.glob("*.ann"))
        if not anns:
            raise InputError(str(path), "is a folder without .ann files (a brat folder has NAME.txt and NAME.ann)")
        return [(ann.stem, _from_documents([read_brat(ann)], text, str(ann))[0]) for ann in anns]
    if path.suffix == ".ipynb":
        return [(name, _from_notebook(path, text, passage))]
    if path.suffix == ".ann":
        return [(name, _from_documents([read_brat(path)], text, str(path))[0])]
    if _is_labelstudio(path):
        return list(_labelstudio_annotators(path, text))
    if path.suffix == ".json":
        return [(name, _from_documents([read_json_document(path)], text, str(path))[0])]
    raise InputError(str(path), "is not a widget save (.json), notebook (.ipynb), Label Studio export or brat folder")


# Pooling --------------------------------------------------------------------------------------


def _student_names(paths: Sequence[Path]) -> list[str]:
    """Each file's stem; but when every file has the same name (``alice/lesson2.json``,
    ``bob/lesson2.json``), the name is the assignment's and the folder names the student."""
    files = [p for p in paths if not p.is_dir()]
    same_name = len(files) > 1 and len({p.stem for p in files}) == 1
    return [p.resolve().parent.name if same_name and not p.is_dir() else p.stem for p in paths]


def pseudonym(name: str, key: bytes) -> str:
    """A stable name for a student that cannot be turned back into the name without the key.

    >>> pseudonym("alice", b"k") == pseudonym("alice", b"k") != pseudonym("bob", b"k")
    True
    """
    digest = hmac.new(key, name.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"student-{digest[:6]}"


def collect(
    sources: Sequence[str | os.PathLike[str]],
    doc: Document,
    passage: Passage,
    *,
    section: str | None = None,
    key: bytes | None = None,
) -> tuple[Pool, dict[str, str]]:
    """Pool the entity spans of ``passage`` from every source; returns the pool (pseudonyms)
    and the ``{pseudonym: student}`` mapping for the instructor.

    ``key`` (default: a fresh random one) makes the pseudonyms; keep it to keep them stable.
    """
    key = key if key is not None else secrets.token_bytes(16)
    paths = [Path(s) for s in sources]
    problems: list[Problem] = []
    by_student: dict[str, Submission] = {}
    seen_names: list[str] = []
    low, high = passage
    for path, name in zip(paths, _student_names(paths), strict=True):
        if not path.exists():
            raise InputError(str(path), "no such file or folder")
        try:
            found = read_source(path, name, doc, passage)
        except (CorpuskitError, OSError, ValueError, UnicodeDecodeError) as err:
            problems.append(Problem("unreadable", "", str(path), str(err)))
            continue
        for student, spans in found:
            where = str(path)
            seen_names.append(student)
            if spans is None:
                problems.append(Problem("off-passage", student, where, "no markup of the passage found"))
                continue
            inside = tuple(sorted(set(t for t in spans if low <= t[0] and t[1] <= high)))
            outside = len(spans) - sum(1 for t in spans if low <= t[0] and t[1] <= high)
            if outside:
                detail = f"{outside} span(s) outside the passage [{low}, {high}) left out"
                if not inside:
                    problems.append(Problem("off-passage", student, where, detail + "; nothing inside it"))
                    continue
                problems.append(Problem("off-passage", student, where, detail))
            if not inside:
                problems.append(Problem("empty", student, where, "no span in the passage; not pooled"))
                continue
            if student in by_student:
                # The detail names no file: file names often name the student, and it is shown.
                problems.append(Problem("duplicate", student, where, "handed in twice; kept the one given last"))
            by_student[student] = Submission(student, where, inside)
    mapping = {pseudonym(name, key): name for name in dict.fromkeys(seen_names)}
    if len(mapping) != len(set(seen_names)):
        why = "two students got the same pseudonym under this key"
        raise CorpuskitError(f"{why}; collect into a new folder (a new key is drawn there)")
    reverse = {name: alias for alias, name in mapping.items()}
    pooled = tuple(
        sorted(
            (dataclasses.replace(s, student=reverse[s.student]) for s in by_student.values()), key=lambda s: s.student
        )
    )
    problems = [dataclasses.replace(p, student=reverse.get(p.student, "")) for p in problems]
    return Pool(doc.id, doc.text, passage, section, pooled, tuple(problems)), mapping


def _instructor_key(out: Path) -> bytes:
    """The key in ``out/instructor/`` (made once), so re-collecting keeps the pseudonyms."""
    key_file = out / INSTRUCTOR_FOLDER / KEY_FILE
    if key_file.is_file():
        return bytes.fromhex(key_file.read_text(encoding="ascii").strip())
    key = secrets.token_bytes(16)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(key_file, key.hex() + "\n")
    return key


def collect_to(
    sources: Sequence[str | os.PathLike[str]],
    doc: Document,
    passage: Passage,
    out: str | os.PathLike[str],
    *,
    section: str | None = None,
) -> Pool:
    """Collect and write ``out/pool.json`` and ``out/instructor/pseudonyms.csv``."""
    folder = Path(out)
    pool, mapping = collect(sources, doc, passage, section=section, key=_instructor_key(folder))
    write_text_atomic(folder / POOL_FILE, json.dumps(pool.to_json(), indent=2, ensure_ascii=False) + "\n")
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["pseudonym", "student"])
    writer.writerows(sorted(mapping.items()))
    write_text_atomic(folder / INSTRUCTOR_FOLDER / MAPPING_FILE, table.getvalue())
    lines = "".join(f"{p.line()}\n" for p in pool.problems)
    write_text_atomic(folder / INSTRUCTOR_FOLDER / PROBLEMS_FILE, lines)
    return pool


def read_pool(folder: str | os.PathLike[str], doc: Document) -> Pool:
    """The pool written by :func:`collect_to`, checked against the document's text."""
    from corpuskit.corpus import read_json

    path = Path(folder) / POOL_FILE
    data = read_json(path)
    if not isinstance(data, dict) or data.get("document") != doc.id:
        raise InputError(str(path), f"is not a sprint pool of document {doc.id!r}")
    try:
        low, high = (int(x) for x in data["passage"])
        submissions = tuple(
            Submission(s["student"], "", tuple((int(a), int(b), str(c)) for a, b, c in s["spans"]))
            for s in data["submissions"]
        )
        problems = tuple(Problem(p["kind"], p["student"], "", p["detail"]) for p in data.get("problems", []))
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(str(path), f"is not a sprint pool as 'sprint collect' writes it ({err!r})") from None
    if doc.text[low:high] != data.get("passage_text"):
        raise InputError(str(path), f"its passage text differs from {doc.id!r} at [{low}, {high})")
    return Pool(doc.id, doc.text, (low, high), data.get("section"), submissions, problems)
