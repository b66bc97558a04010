"""Expected answers of lesson 3, computed from the gold in the grader's process (never in the kernel).

``PATTERNS`` repeats the lesson's locked gazetteer cell for the article the lesson is written on,
and ``patterns`` its locked cell for any other article (the names of the clusters and the
weekdays); ``TITLE_WORDS`` and ``NOT_NAMES`` repeat its locked stop lists. The
solution-scores-full-marks tests, on both articles, fail if they drift apart.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import corpuskit
from corpuskit.course.key import DEFAULT_DOCUMENT

PATTERNS = [
    {"label": "PERSON", "pattern": "Kim Jong Un"},
    {"label": "PERSON", "pattern": "Donald Trump"},
    {"label": "PERSON", "pattern": "Trump"},
    {"label": "PERSON", "pattern": "Kim"},
    {"label": "PERSON", "pattern": "Mike Pompeo"},
    {"label": "GPE", "pattern": "Hanoi"},
    {"label": "GPE", "pattern": "DPRK"},
    {"label": "GPE", "pattern": "U.S."},
    {"label": "GPE", "pattern": "United States"},
    {"label": "GPE", "pattern": "Singapore"},
    {"label": "GPE", "pattern": "Vietnam"},
    {"label": "ORG", "pattern": "White House"},
    {"label": "DATE", "pattern": "Thursday"},
    {"label": "DATE", "pattern": "Wednesday"},
]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A run of two or more capitalised words (question 6a).
NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b")
TITLE_WORDS = {"President", "Secretary", "State", "Chairman", "Governor", "Senator", "Premier", "Prime"}


def _words(text: str) -> set[str]:
    return set(text.split())


NOT_NAMES = _words(
    """
    The A An In On At It But And After According However Though Despite Following There
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December
    North South United States Republic Peninsula House Hotel
    """
)


def gold_spans(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.label) for e in doc.entities]


def patterns(doc: corpuskit.Document) -> list[dict[str, str]]:
    """The gazetteer the lesson gives on ``doc``: hand-written for its own article, and on any other
    the name of each person, place and organisation cluster (not a group) and the weekdays."""
    if doc.id == DEFAULT_DOCUMENT:
        return PATTERNS
    names = [
        {"label": c.type, "pattern": c.name}
        for c in doc.clusters
        if c.type in ("PERSON", "GPE", "ORG") and not c.members
    ]
    return names + [{"label": "DATE", "pattern": day} for day in WEEKDAYS]


@cache
def _ruler_spans(text: str, gazetteer: tuple[tuple[str, str], ...]) -> tuple[tuple[int, int, str], ...]:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": label, "pattern": name} for label, name in gazetteer])
    return tuple((e.start_char, e.end_char, e.label_) for e in nlp(text).ents)


def ruler_spans(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return list(_ruler_spans(doc.text, tuple((p["label"], p["pattern"]) for p in patterns(doc))))


def _result(doc: corpuskit.Document) -> Any:
    from corpuskit.evaluate import score_spans

    return score_spans(gold_spans(doc), ruler_spans(doc))


def ruler_scores(doc: corpuskit.Document) -> dict[str, float]:
    result = _result(doc)
    return {schema: result.schema(schema).f1 for schema in ("strict", "partial")}


def per_label(doc: corpuskit.Document) -> dict[str, dict[str, float]]:
    strict = _result(doc).schema("strict")
    return {label: {"precision": c.precision, "recall": c.recall, "f1": c.f1} for label, c in strict.by_label.items()}


def missed_texts(doc: corpuskit.Document) -> list[str]:
    gold = gold_spans(doc)
    text = doc.text
    matches = _result(doc).schema("strict").matches
    return sorted({text[gold[m.gold][0] : gold[m.gold][1]] for m in matches if m.outcome == "missed"})


def name_runs(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), "PERSON") for m in NAME_RUN.finditer(doc.text)]


def _trim(text: str, start: int, end: int) -> tuple[int, int, str] | None:
    words = text[start:end].split(" ")
    while words and (words[0] in TITLE_WORDS or words[0] in NOT_NAMES):
        start += len(words[0]) + 1
        words = words[1:]
    if len(words) < 2 or any(word in NOT_NAMES for word in words):
        return None
    return (start, end, "PERSON")


def trimmed(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return [span for span in (_trim(doc.text, s, e) for s, e, _ in name_runs(doc)) if span is not None]
