"""A lesson's grading spec: which questions, how each is graded, how many points.

The spec is a JSON file, ``grading/lessons/<lesson-id>.json``, beside an optional Python module
``grading/lessons/<lesson-id>.py`` whose functions compute expected answers from the gold in
the grader's process. Neither ever enters the student's kernel (see docs/course.md).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from corpuskit._contract import LAYERS
from corpuskit.errors import CorpuskitError

GRADING_VARIABLE = "CORPUSKIT_GRADING"
COMPARE_RULES = ("exact", "close", "set", "mapping", "table")
PARTIAL_RULES = ("none", "proportional")
SPAN_SCHEMAS = ("strict", "exact", "partial", "type")


class SpecError(CorpuskitError):
    """A grading spec is missing or malformed; grading cannot start."""


@dataclass(frozen=True, slots=True)
class Heldout:
    """Where a function question's held-out input comes from and how its output is scored."""

    documents: tuple[str, ...]
    layer: str = "entities"
    labels: tuple[str, ...] = ()
    schema: Literal["strict", "exact", "partial", "type"] = "strict"
    full_marks_at: float = 1.0
    overlap: float = 0.3
    """For the ``quotes`` and ``attributions`` layers: the share of a gold content a prediction
    must cover to find it (0.3 and 0.8 in the Gender Gap Tracker evaluation)."""
    within: float = 0.8
    """For the quote layers: the share of a prediction that must lie inside the gold content it
    finds, so that over-long predictions find nothing."""
    zero_marks_at: float = 0.0
    """The F1 that earns nothing: what trivial solutions reach. Points grow in proportion from
    here to ``full_marks_at``."""
    train: str = ""
    """A function of the grading module giving training documents (``[text, spans]`` pairs): the
    student's function is called once on them and what it returns tags each held-out text."""


@dataclass(frozen=True, slots=True)
class Calls:
    """A function question whose inputs the grader makes and whose outputs it checks.

    ``inputs`` and ``reference`` name functions of the lesson's grading module: ``inputs()``
    returns a list of argument lists (plain JSON data), ``reference(*args)`` the expected result
    of one call. The student's function is called on each argument list in the kernel; each
    result is compared here with ``compare``/``tolerance`` (as a value answer of shape ``type``),
    and the mean credit, scaled so that ``full_marks_at`` earns full points, gives the points.
    """

    inputs: str
    reference: str
    type: str = "any"
    compare: str = "exact"
    tolerance: float = 0.0
    full_marks_at: float = 1.0


@dataclass(frozen=True, slots=True)
class Question:
    """One graded question: the cell that answers it, what to pull out, how to score it.

    ``kind`` is ``value`` (a variable the student computes) or ``function`` (a function the
    student writes, called in the kernel on held-out text). ``type`` is the JSON shape the
    answer must have, e.g. ``int``, ``list[str]``, ``dict[str,int]``, ``table``, ``spans``.
    """

    id: str
    title: str
    cell: str
    points: float
    kind: Literal["value", "function"]
    name: str
    type: str
    compare: str = "exact"
    tolerance: float = 0.0
    partial: Literal["none", "proportional"] = "none"
    expected: Any = None
    compute: str | None = None
    columns: tuple[str, ...] = ()
    heldout: Heldout | None = None
    hint: str = ""
    timeout: float | None = None
    calls: Calls | None = None


@dataclass(frozen=True, slots=True)
class Requires:
    """What a lesson needs of the corpus document it is built on, checked by ``corpuskit assign``.

    ``layers`` must be non-empty, ``annotations`` are further annotation files in the document's
    folder (a second annotator's), ``sections`` are section ids the lesson's cells name, and
    ``documents``, when given, are the only documents the lesson is written for (its solutions
    quote their text).
    """

    layers: tuple[str, ...] = ()
    annotations: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LessonSpec:
    """Every graded question of one lesson, in notebook order."""

    lesson: str
    title: str
    notebook: str
    questions: tuple[Question, ...]
    path: Path | None = field(default=None, compare=False)
    hidden_modules: tuple[str, ...] = ()
    """Modules the graded kernel cannot import: the reference implementations of what the lesson
    asks students to write (``corpuskit.extract`` for an extractor question; ``corpuskit.evaluate``
    and the third-party ``nervaluate`` for a span scorer)."""
    uses: tuple[str, ...] = ()
    """corpuskit functions the lesson's cells use on purpose (``corpuskit.evaluate.score_spans``);
    none may lie inside a hidden module."""
    requires: Requires = Requires()

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def module_path(self) -> Path | None:
        """The Python module that computes expected answers, if the lesson has one."""
        if self.path is None:
            return None
        module = self.path.with_suffix(".py")
        return module if module.is_file() else None


def find_grading_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The grading folder (holding ``lessons/`` and ``heldout/``).

    Looked up in order: ``explicit``, ``$CORPUSKIT_GRADING``, ``./grading`` and its parents'
    ``grading/``, then the source tree this package sits in.
    """
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(Path(explicit))
    elif os.environ.get(GRADING_VARIABLE):
        candidates.append(Path(os.environ[GRADING_VARIABLE]))
    else:
        here = Path.cwd().resolve()
        candidates += [folder / "grading" for folder in (here, *here.parents)]
        candidates.append(Path(__file__).resolve().parents[3] / "grading")
    for candidate in candidates:
        if (candidate / "lessons").is_dir():
            return candidate
    tried = ", ".join(str(c) for c in candidates[:3])
    raise SpecError(f"no grading folder with lessons/ found (tried {tried}); pass --grading DIR")


def lesson_ids(grading_dir: Path) -> list[str]:
    return sorted(p.stem for p in (grading_dir / "lessons").glob("*.json"))


def load_spec(grading_dir: Path, lesson: str) -> LessonSpec:
    """Read and check ``lessons/<lesson>.json``."""
    path = grading_dir / "lessons" / f"{lesson}.json"
    if not path.is_file():
        known = ", ".join(lesson_ids(grading_dir)) or "none"
        raise SpecError(f"no grading spec for lesson {lesson!r} in {path.parent} (lessons: {known})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise SpecError(f"{path}:{err.lineno}: invalid JSON: {err.msg}") from None
    return parse_spec(data, path)


def parse_spec(data: Mapping[str, Any], path: Path | None = None) -> LessonSpec:
    where = str(path) if path else "spec"
    try:
        questions = tuple(_question(q) for q in data["questions"])
        hidden = _hidden_modules(data.get("hidden_modules", ()))
        uses = _dotted_names(data.get("uses", ()), "uses")
        requires = _requires(data.get("requires", {}))
        spec = LessonSpec(data["lesson"], data["title"], data["notebook"], questions, path, hidden, uses, requires)
    except (KeyError, TypeError, ValueError) as err:
        raise SpecError(f"{where}: malformed spec ({type(err).__name__}: {err})") from None
    for name in uses:
        if any(is_within(name, module) for module in hidden):
            raise SpecError(f"{where}: {name!r} is listed in uses but lies in a hidden module")
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise SpecError(f"{where}: question ids repeat")
    return spec


def _requires(data: Any) -> Requires:
    if not isinstance(data, Mapping):
        raise ValueError("requires must be an object with layers, annotations, sections or documents")
    unknown = set(data) - {"layers", "annotations", "sections", "documents"}
    if unknown:
        raise ValueError(f"requires: unknown key(s) {', '.join(sorted(unknown))}")
    lists = {}
    for key in ("layers", "annotations", "sections", "documents"):
        value = data.get(key, [])
        if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"requires.{key} must be a list of strings")
        lists[key] = tuple(value)
    bad = [layer for layer in lists["layers"] if layer not in LAYERS]
    if bad:
        raise ValueError(f"requires.layers: unknown layer(s) {', '.join(bad)} (layers: {', '.join(LAYERS)})")
    return Requires(**lists)


_DOTTED = re.compile(r"corpuskit(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def _dotted_names(names: Any, key: str) -> tuple[str, ...]:
    if isinstance(names, str) or not all(isinstance(n, str) and _DOTTED.fullmatch(n) for n in names):
        raise ValueError(f"{key} must be a list of dotted names inside corpuskit, like 'corpuskit.extract'")
    return tuple(names)


_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def _hidden_modules(names: Any) -> tuple[str, ...]:
    """corpuskit modules, or third-party packages that compute what a lesson asks for.

    The standard library is refused: a kernel without it does not start.
    """
    if isinstance(names, str) or not all(
        isinstance(n, str)
        and _MODULE.fullmatch(n)
        and (_DOTTED.fullmatch(n) or (n != "corpuskit" and n.partition(".")[0] not in sys.stdlib_module_names))
        for n in names
    ):
        raise ValueError(
            "hidden_modules must be a list of dotted names of corpuskit modules or third-party packages, "
            "like 'corpuskit.extract' or 'nervaluate'"
        )
    return tuple(names)


def is_within(name: str, module: str) -> bool:
    """Whether the dotted ``name`` is the module ``module`` or lies inside it.

    >>> is_within("corpuskit.extract.timexes", "corpuskit.extract")
    True
    >>> is_within("corpuskit.extractor", "corpuskit.extract")
    False
    """
    return name == module or name.startswith(module + ".")


def _question(data: Mapping[str, Any]) -> Question:
    kind = data["kind"]
    if kind not in ("value", "function"):
        raise ValueError(f"question {data['id']!r}: kind must be value or function")
    compare = data.get("compare", "exact")
    if compare not in COMPARE_RULES:
        raise ValueError(f"question {data['id']!r}: compare must be one of {', '.join(COMPARE_RULES)}")
    partial = data.get("partial", "none")
    if partial not in PARTIAL_RULES:
        raise ValueError(f"question {data['id']!r}: partial must be one of {', '.join(PARTIAL_RULES)}")
    heldout = calls = None
    if kind == "function" and "calls" in data:
        c = data["calls"]
        if c.get("compare", "exact") not in COMPARE_RULES:
            raise ValueError(f"question {data['id']!r}: calls.compare must be one of {', '.join(COMPARE_RULES)}")
        calls = Calls(
            c["inputs"],
            c["reference"],
            c.get("type", "any"),
            c.get("compare", "exact"),
            float(c.get("tolerance", 0.0)),
            float(c.get("full_marks_at", 1.0)),
        )
    elif kind == "function":
        h = data["heldout"]
        if h.get("schema", "strict") not in SPAN_SCHEMAS:
            raise ValueError(f"question {data['id']!r}: heldout.schema must be one of {', '.join(SPAN_SCHEMAS)}")
        docs = h["documents"]
        heldout = Heldout(
            tuple([docs] if isinstance(docs, str) else docs),
            h.get("layer", "entities"),
            tuple(h.get("labels", ())),
            h.get("schema", "strict"),
            float(h.get("full_marks_at", 1.0)),
            float(h.get("overlap", 0.3)),
            float(h.get("within", 0.8)),
            float(h.get("zero_marks_at", 0.0)),
            str(h.get("train", "")),
        )
        if not 0.0 <= heldout.zero_marks_at < heldout.full_marks_at <= 1.0:
            raise ValueError(f"question {data['id']!r}: heldout needs 0 <= zero_marks_at < full_marks_at <= 1")
    elif "expected" not in data and "compute" not in data:
        raise ValueError(f"question {data['id']!r}: a value question needs expected or compute")
    points = float(data["points"])
    if points <= 0:
        raise ValueError(f"question {data['id']!r}: points must be positive")
    return Question(
        id=data["id"],
        title=data.get("title", data["id"]),
        cell=data.get("cell", data["id"]),
        points=points,
        kind=kind,
        name=data["name"],
        type=data.get("type", "spans" if kind == "function" else "any"),
        compare=compare,
        tolerance=float(data.get("tolerance", 0.0)),
        partial=partial,
        expected=data.get("expected"),
        compute=data.get("compute"),
        columns=tuple(data.get("columns", ())),
        heldout=heldout,
        hint=data.get("hint", ""),
        timeout=data.get("timeout"),
        calls=calls,
    )
