"""A small deterministic tokenizer and sentence splitter for agreement and resampling.

Kept here, not taken from spaCy, so scores never depend on a model version. A token is a run
of word characters joined by inner hyphens or apostrophes ("Kim's", "two-day"), or any single
other non-space character ("U.S." is three tokens). A sentence ends after
``.``, ``!`` or ``?`` (and any closing quotes or brackets) followed by white space and an
upper-case letter, digit or opening quote; a line break always ends a sentence.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[A-Z0-9\"“'‘(])|\n+")


def tokenize(text: str) -> list[tuple[int, int]]:
    """Token offsets ``(start, end)``.

    >>> tokenize("Kim's train left.")
    [(0, 5), (6, 11), (12, 16), (16, 17)]
    """
    return [m.span() for m in _TOKEN.finditer(text)]


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets ``(start, end)``, surrounding white space left out.

    >>> sentences('He left. "No deal," he said.\\nEnd')
    [(0, 8), (9, 28), (29, 32)]
    """
    out: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group().rstrip())
        _add(out, text, start, end)
        start = match.end()
    _add(out, text, start, len(text))
    return out


def _add(out: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append((start, end))
