"""Expected answers of lesson 5, computed from the gold in the grader's process (never in the kernel).

``normalise_inputs`` are the grader's own expressions and creation times; ``normalise_reference``
gives the value each must normalise to, from the table in the lesson (values checked by hand).
``WEEKDAY``, ``NUMBER`` and ``UNIT`` repeat the lesson's locked cell of time words; the
solution-scores-full-marks test fails if they drift apart.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import corpuskit

# (expression, dct, tense) -> value. DCTs of several weekdays and months, both tenses.
CASES: dict[tuple[str, str, str], str | None] = {
    ("Wednesday", "2019-02-28", "past"): "2019-02-27",
    ("Monday", "2018-11-02", "past"): "2018-10-29",
    ("monday", "2018-11-02", "future"): "2018-11-05",
    ("Friday", "2018-11-02", "past"): "2018-11-02",
    ("Sunday", "2021-01-18", "future"): "2021-01-24",
    ("Saturday", "2022-11-06", "past"): "2022-11-05",
    ("Tuesday", "2024-02-13", "future"): "2024-02-13",
    ("June", "2019-02-28", "past"): "2018-06",
    ("June", "2019-02-28", "future"): "2019-06",
    ("January", "2018-11-02", "future"): "2019-01",
    ("July", "2020-08-27", "past"): "2020-07",
    ("March", "2017-03-15", "past"): "2017-03",
    ("December", "2023-05-24", "past"): "2022-12",
    ("today", "2024-02-13", "past"): "2024-02-13",
    ("Yesterday", "2017-03-01", "past"): "2017-02-28",
    ("tomorrow", "2020-12-31", "future"): "2021-01-01",
    ("a year ago", "2019-02-28", "past"): "2018",
    ("three years ago", "2024-02-13", "past"): "2021",
    ("two months ago", "2021-01-18", "past"): "2020-11",
    ("10 days ago", "2017-03-05", "past"): "2017-02-23",
    ("two hours", "2019-02-28", "past"): "PT2H",
    ("two-day", "2019-02-28", "past"): "P2D",
    ("two more days", "2019-02-28", "future"): "P2D",
    ("six months", "2023-05-24", "future"): "P6M",
    ("45 minutes", "2022-11-06", "past"): "PT45M",
    ("a week", "2024-02-13", "past"): "P1W",
    ("twelve years", "2020-08-27", "past"): "P12Y",
    ("the future", "2019-02-28", "future"): "FUTURE_REF",
    ("the past", "2019-02-28", "past"): "PAST_REF",
    ("now", "2020-08-27", "present"): "PRESENT_REF",
    ("a long time", "2019-02-28", "past"): None,
}


def normalise_inputs(doc: corpuskit.Document) -> list[list[str]]:
    return [list(case) for case in CASES]


def normalise_reference(expression: str, dct: str, tense: str) -> str | None:
    return CASES[(expression, dct, tense)]


def event_types(doc: corpuskit.Document) -> dict[str, int]:
    return dict(Counter(e.type for e in doc.events))


def met(doc: corpuskit.Document) -> list[str]:
    return sorted(
        {
            a.cluster
            for e in doc.events
            if e.type == "Contact.Meet" and e.realis == "actual"
            for a in e.arguments
            if a.role == "Entity" and a.cluster
        }
    )


def _status(event: Any) -> str:
    if event.realis == "actual":
        return "happened"
    if event.polarity == "negative":
        return "did not happen"
    if event.tense == "past":
        return "cancelled"
    return "hypothetical"


def status_of(doc: corpuskit.Document) -> dict[str, str]:
    return {e.id: _status(e) for e in doc.events}


def anchors(doc: corpuskit.Document) -> dict[str, str]:
    doc = doc
    timex_at = {(t.start, t.end): t for t in doc.timexes}
    out = {}
    for e in doc.events:
        value = None
        for a in e.arguments:
            t = timex_at.get((a.start, a.end))
            if a.role.startswith("Time-") and t is not None and t.type in ("DATE", "TIME"):
                value = t.value
                break
        if value is None and e.tense in ("past", "present"):
            value = doc.creation_time
        if value is None and e.tense == "future":
            value = "FUTURE_REF"
        if value is not None:
            out[e.id] = value
    return out


WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
NUMBER = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+)"
UNIT = r"(?:minute|hour|day|week|month|year)s?"
# Question 6a: clock times and parts of days; question 6b: durations that are not "N units ago".
TIME_PATTERN = (
    rf"\b(?:\d{{1,2}}(?::\d\d)? ?[ap]\.m\.(?: local time)?|\d{{4}} (?:GMT|UTC)\b"
    rf"|{WEEKDAY} (?:morning|afternoon|evening|night)\b)"
)
DURATION_PATTERN = rf"\b{NUMBER}(?:-| more | ){UNIT}\b(?! ago)"


def clock_times(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), "TIME") for m in re.finditer(TIME_PATTERN, doc.text)]


def durations(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), "DURATION") for m in re.finditer(DURATION_PATTERN, doc.text)]
