"""The answer key: expected values, grader-made calls and held-out documents, on the grader's side only.

Computed in the grader's process from the lesson's grading module and the held-out folder;
nothing here ever enters the student's kernel.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuskit.course.clean import Redactor
from corpuskit.course.score import QUOTE_LAYERS, speaker_names
from corpuskit.course.spec import LessonSpec, Question
from corpuskit.errors import GradingError

# The article the lessons are written on; a course on another corpus document names its id in
# the grading folder ``corpuskit assign --document`` writes, never in the student's notebook.
DEFAULT_DOCUMENT = "hanoi-summit-2019"
COURSE_FILE = "course.json"


def course_document(grading_dir: Path) -> str:
    """The corpus document a grading folder's course is built on: ``course.json``'s ``document``,
    else the article the lessons are written on."""
    path = grading_dir / COURSE_FILE
    if not path.is_file():
        return DEFAULT_DOCUMENT
    try:
        document = json.loads(path.read_text(encoding="utf-8")).get("document")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as err:
        why = f"not a course file ({type(err).__name__})"
        raise GradingError(f"{path}: {why}; rebuild it with corpuskit assign --document") from None
    if not isinstance(document, str) or not document:
        raise GradingError(f"{path}: no document id in 'document'; rebuild it with corpuskit assign --document")
    return document


@dataclass(frozen=True, slots=True)
class Heldout:
    texts: tuple[str, ...]
    gold: tuple[tuple[tuple[int, int, str], ...], ...]
    speakers: tuple[tuple[frozenset[str], ...], ...] = ()  # quote layers: right names per gold quote
    train: Any = None  # the training documents a ``train`` question's function is called with


@dataclass(frozen=True, slots=True)
class Calls:
    """Grader-made argument lists for a function question and the reference result of each."""

    args: tuple[Any, ...]
    expected: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class AnswerKey:
    expected: Mapping[str, Any] = field(default_factory=dict)
    heldout: Mapping[str, Heldout] = field(default_factory=dict)
    calls: Mapping[str, Calls] = field(default_factory=dict)


def answer_key(
    spec: LessonSpec, grading_dir: Path, heldout_root: Path | None = None, document: str = DEFAULT_DOCUMENT
) -> AnswerKey:
    """The key of ``spec`` for the corpus document ``document``: every ``compute`` function and every
    calls' ``inputs`` function of the lesson's grading module takes that document as its one argument."""
    module: Any = None
    if spec.module_path is not None:
        loader = importlib.util.spec_from_file_location(
            f"corpuskit_grading_{spec.lesson.replace('-', '_')}", spec.module_path
        )
        assert loader is not None and loader.loader is not None
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
    expected: dict[str, Any] = {}
    heldout: dict[str, Heldout] = {}
    calls: dict[str, Calls] = {}

    def function(q: Question, name: str) -> Any:
        if module is None or not hasattr(module, name):
            where = spec.module_path or "the lesson's grading module"
            raise GradingError(f"{spec.lesson}: question {q.id}: no function {name!r} in {where}")
        return getattr(module, name)

    doc = None
    if any(q.compute is not None or q.calls is not None or (q.heldout and q.heldout.train) for q in spec.questions):
        from corpuskit.corpus import load

        doc = load(document)
    for q in spec.questions:
        if q.kind == "value":
            if q.compute is not None:
                # Round-trip through JSON so expected values are exactly the kind of data answers are.
                expected[q.id] = json.loads(json.dumps(function(q, q.compute)(doc)))
            else:
                expected[q.id] = q.expected
        elif q.calls is not None:
            args = json.loads(json.dumps(function(q, q.calls.inputs)(doc)))
            reference = function(q, q.calls.reference)
            calls[q.id] = Calls(tuple(args), tuple(json.loads(json.dumps(reference(*a))) for a in args))
        else:
            heldout[q.id] = load_heldout(q, heldout_root or grading_dir / "heldout")
            if q.heldout is not None and q.heldout.train:
                train = json.loads(json.dumps(function(q, q.heldout.train)(doc)))
                heldout[q.id] = dataclasses.replace(heldout[q.id], train=train)
    return AnswerKey(expected, heldout, calls)


def load_heldout(question: Question, root: Path) -> Heldout:
    from corpuskit.corpus import load

    assert question.heldout is not None
    names = question.heldout.documents
    if names == ("*",):
        names = tuple(sorted(p.name for p in root.iterdir() if (p / "text.txt").is_file())) if root.is_dir() else ()
    if not names:
        raise GradingError(f"question {question.id}: no held-out documents in {root}")
    texts, gold, speakers = [], [], []
    for name in names:
        if not (root / name).is_dir():
            raise GradingError(f"question {question.id}: no held-out document {root / name}")
        doc = load(root / name)
        labels = set(question.heldout.labels)
        if question.heldout.layer == "entities":
            spans = [(e.start, e.end, e.label) for e in doc.entities]
        elif question.heldout.layer == "timexes":
            spans = [(t.start, t.end, t.type) for t in doc.timexes]
        elif question.heldout.layer in QUOTE_LAYERS:
            kept = [q for q in doc.quotes if not labels or q.kind in labels]
            spans = [(q.content.start, q.content.end, q.kind) for q in kept]
            speakers.append(tuple(speaker_names(q, doc) for q in kept))
        else:
            raise GradingError(f"question {question.id}: cannot score layer {question.heldout.layer!r} yet")
        texts.append(doc.text)
        gold.append(tuple(s for s in spans if not labels or s[2] in labels))
    return Heldout(tuple(texts), tuple(gold), tuple(speakers))


def sent_texts(key: AnswerKey) -> Redactor:
    """What removes from a report every piece of text the grader sent into the kernel: the
    held-out texts and the strings among grader-made call arguments."""

    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list | tuple):
            return [s for item in value for s in strings(item)]
        return []

    texts = [text for heldout in key.heldout.values() for text in heldout.texts]
    texts += [s for calls in key.calls.values() for s in strings(list(calls.args))]
    return Redactor(texts)


_KEYS: dict[tuple[object, ...], AnswerKey] = {}


def cached_key(spec: LessonSpec, grading_dir: Path, heldout_root: Path) -> AnswerKey:
    """The answer key, computed once per process for a lesson (batch workers grade many submissions),
    on the document the grading folder names."""
    document = course_document(grading_dir)
    stamp = tuple(p.stat().st_mtime_ns for p in (spec.path, spec.module_path) if p is not None and p.exists())
    where = (str(grading_dir.resolve()), str(heldout_root.resolve()))
    cache_key = (spec.lesson, str(spec.path), stamp, *where, document)
    if cache_key not in _KEYS:
        _KEYS[cache_key] = answer_key(spec, grading_dir, heldout_root, document)
    return _KEYS[cache_key]
