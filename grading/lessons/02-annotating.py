"""Expected answers of lesson 2, computed from the gold in the grader's process (never in the kernel).

``CLASSMATE`` repeats the lesson's locked cell of the same name, and ``WEEKDAY``, ``MONTH`` and
``NUMBER`` its locked cell of date words; the solution-scores-full-marks test fails if they drift
apart.
"""

from __future__ import annotations

import re

import corpuskit

CLASSMATE = {
    "S7": "[Trump](PERSON)'s press conference was brought forward by [two hours](TIME) to [2 p.m.](TIME) local time "
    "([0700 GMT](TIME)).",
    "S11": "[Trump](PERSON) and [Kim](PERSON) started the [two-day](DATE) summit [Wednesday night](DATE) with a brief "
    "one-on-one chat and a dinner and continued their discussions the following day on concrete ways for peace "
    "and denuclearization of the [Korean Peninsula](LOC).",
    "S14": "[Trump](PERSON) said [U.S. Secretary of State Mike Pompeo](PERSON) felt during the meeting that it was "
    '"not a good thing" to sign off on anything, though they had some options on the negotiating table.',
}

# (key in the lesson, section, mention text); None: the case is not in the article.
HARD_CASES = [
    ("the Democratic People's Republic of Korea (S2)", "S2", "the Democratic People's Republic of Korea"),
    ("DPRK in 'with the DPRK leader' (S18)", "S18", "DPRK"),
    ("the White House in 'according to the White House' (S4)", "S4", "the White House"),
    ("the White House in 'a state dinner at the White House' (not in the article)", None, None),
    ("Pyongyang in 'talks between Pyongyang and Washington' (S12)", "S12", "Pyongyang"),
    ("Wednesday night (S11)", "S11", "Wednesday night"),
    ("two-day in 'the two-day summit' (S11)", "S11", "two-day"),
    ("Southeast Asian in 'the Southeast Asian country' (S24)", "S24", "Southeast Asian"),
]
# Guideline 1.3: FAC when something happens in or at the building.
NOT_IN_ARTICLE = "FAC"


def _section(doc: corpuskit.Document, sid: str) -> corpuskit.Section:
    return next(s for s in doc.sections if s.id == sid)


def _gold_in(doc: corpuskit.Document, *sids: str) -> list[tuple[int, int, str]]:
    spans = []
    for sid in sids:
        s = _section(doc, sid)
        spans += [(e.start, e.end, e.label) for e in doc.entities if s.start <= e.start and e.end <= s.end]
    return spans


def caption_spans(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return _gold_in(doc, "S3")


def s4_spans(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return _gold_in(doc, "S4")


def classmate_f1(doc: corpuskit.Document) -> dict[str, float]:
    from corpuskit.evaluate import score_spans
    from corpuskit.formats.markup import parse_entities

    spans = [
        (e.start, e.end, e.label)
        for sid, markup in CLASSMATE.items()
        for e in parse_entities(markup, doc, start=_section(doc, sid).start)
    ]
    result = score_spans(_gold_in(doc, *CLASSMATE), spans).strict
    return {label: counts.f1 for label, counts in result.by_label.items()}


def hard_cases(doc: corpuskit.Document) -> dict[str, str]:
    answers = {}
    for key, sid, text in HARD_CASES:
        if sid is None or text is None:
            answers[key] = NOT_IN_ARTICLE
            continue
        s = _section(doc, sid)
        start = doc.text.index(text, s.start)
        answers[key] = next(e.label for e in doc.entities if (e.start, e.end) == (start, start + len(text)))
    return answers


def s21_quotes(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    s = _section(doc, "S21")
    return [
        (q.content.start, q.content.end, q.kind)
        for q in doc.quotes
        if s.start <= q.content.start and q.content.end <= s.end
    ]


WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.)"
)
NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|a few)"
# Question 6a: calendar dates, longest alternative first.
CALENDAR = re.compile(
    rf"\b(?:{WEEKDAY}, {MONTH} \d{{1,2}}, \d{{4}}|{MONTH} \d{{1,2}}(?:, \d{{4}})?|{MONTH} \d{{4}}"
    rf"|{WEEKDAY}|{MONTH}|(?:19|20)\d\d)(?![\w-])"
)
# Question 6b: clock times and parts of days.
CLOCK = re.compile(
    rf"\b(?:{WEEKDAY} (?:morning|afternoon|evening|night)|\d{{1,2}}(?::\d\d)? ?(?:a\.m\.|p\.m\.)(?: local time)?"
    rf"|\d{{4}} (?:GMT|UTC)|{NUMBER} (?:hours?|minutes?))(?![\w-])"
)


def calendar_dates(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), "DATE") for m in CALENDAR.finditer(doc.text)]


def clock_times(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), "TIME") for m in CLOCK.finditer(doc.text)]
