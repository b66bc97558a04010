"""Inline markup a student can type in a notebook cell: ``[Kim Jong Un](PERSON) met [Donald
Trump](PERSON)``, parsed to entities with offsets into the article.

Brackets nest (``[[Kim](PERSON)'s country](GPE)``); ``\\[``, ``\\]`` and ``\\\\`` stand
for the characters themselves. The passage without its markup must occur in the article,
once, or at the ``start`` offset given; otherwise the error shows where the two part ways.
Only entities are carried (label only; ids are numbered ``T1``, ``T2``... in text order).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from corpuskit.errors import CorpuskitError
from corpuskit.formats.base import select, warn
from corpuskit.model import ENTITY_LABELS, Document, Entity

CARRIES = frozenset({"entities"})
_LABEL = re.compile(r"\]\(([A-Z_]+)\)")


class MarkupError(CorpuskitError, ValueError):
    """The markup is malformed or its text does not match the article."""

    def __init__(self, message: str, column: int | None = None) -> None:
        self.column = column
        super().__init__(message if column is None else f"column {column + 1}: {message}")


@dataclasses.dataclass(frozen=True, slots=True)
class Passage:
    """A parsed passage: its plain text and the entities as offsets into that text."""

    text: str
    spans: tuple[tuple[int, int, str], ...]


def parse(markup: str) -> Passage:
    """The plain text and the labelled spans of ``markup`` (offsets into the plain text)."""
    plain: list[str] = []
    opened: list[tuple[int, int]] = []  # (offset in plain text, column in markup)
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(markup):
        ch = markup[i]
        if ch == "\\" and i + 1 < len(markup) and markup[i + 1] in "[]\\":
            plain.append(markup[i + 1])
            i += 2
        elif ch == "[":
            opened.append((len(plain), i))
            i += 1
        elif ch == "]":
            match = _LABEL.match(markup, i)
            if not opened:
                raise MarkupError("']' closes no '['; write \\] for a literal bracket", i)
            if not match:
                raise MarkupError("']' must be followed by (LABEL), e.g. [Kim](PERSON)", i)
            label = match.group(1)
            if label not in ENTITY_LABELS:
                raise MarkupError(f"{label!r} is not an OntoNotes label ({', '.join(ENTITY_LABELS)})", i + 2)
            start, column = opened.pop()
            if start == len(plain):
                raise MarkupError("empty brackets: nothing to label", column)
            spans.append((start, len(plain), label))
            i = match.end()
        else:
            plain.append(ch)
            i += 1
    if opened:
        raise MarkupError("'[' is never closed with ](LABEL)", opened[-1][1])
    return Passage("".join(plain), tuple(sorted(spans, key=lambda s: (s[0], -s[1]))))


def locate(passage: str, article: str, start: int | None = None) -> int:
    """Where ``passage`` sits in ``article``: at ``start``, or its only occurrence."""
    if start is not None:
        if article.startswith(passage, start):
            return start
        raise MarkupError(_mismatch(passage, article, start))
    found = [m.start() for m in re.finditer(re.escape(passage), article)] if passage else []
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise MarkupError(f"the passage occurs {len(found)} times in the article (at {found[:5]}); pass start=")
    best = max(range(len(article)), key=lambda at: _common(passage, article, at), default=0)
    raise MarkupError(_mismatch(passage, article, best))


def _common(passage: str, article: str, at: int) -> int:
    n = 0
    while n < len(passage) and at + n < len(article) and passage[n] == article[at + n]:
        n += 1
    return n


def _mismatch(passage: str, article: str, at: int) -> str:
    n = _common(passage, article, at)
    ours, theirs = passage[n : n + 20], article[at + n : at + n + 20]
    return (
        f"the text does not match the article from character {n} of the passage: "
        f"markup has {ours!r}, article (offset {at + n}) has {theirs!r}"
    )


def parse_entities(markup: str, article: str | Document, start: int | None = None, first_id: int = 1) -> list[Entity]:
    """Entities with article offsets for ``markup``, e.g. ``[Kim Jong Un](PERSON) met ...``."""
    text = article.text if isinstance(article, Document) else article
    passage = parse(markup)
    offset = locate(passage.text, text, start)
    return [
        Entity(f"T{n}", offset + s, offset + e, text[offset + s : offset + e], label)
        for n, (s, e, label) in enumerate(passage.spans, start=first_id)
    ]


def to_markup(
    doc: Document, start: int = 0, end: int | None = None, layers: Iterable[str] | None = ("entities",)
) -> str:
    """``doc.text[start:end]`` with the entities inside it written inline.

    Nested entities nest; entities that cross each other cannot be written and are left out
    with a warning; entities that reach outside the passage are not part of it.
    """
    doc = select(doc, "inline markup", CARRIES, layers)
    end = len(doc.text) if end is None else end
    inside = sorted((e for e in doc.entities if start <= e.start and e.end <= end), key=lambda e: (e.start, -e.end))
    kept: list[Entity] = []
    stack: list[Entity] = []
    for entity in inside:
        while stack and stack[-1].end <= entity.start:
            stack.pop()
        if stack and entity.end > stack[-1].end:
            continue
        kept.append(entity)
        stack.append(entity)
    left = len(inside) - len(kept)
    if left:
        warn(f"inline markup cannot carry entities that cross others; {left} left out")
    opens: dict[int, int] = {}
    for entity in kept:
        opens[entity.start] = opens.get(entity.start, 0) + 1
    out: list[str] = []
    for i in range(start, end + 1):
        out.extend(f"]({label})" for label in _closing(kept, i))
        out.append("[" * opens.get(i, 0))
        if i < end:
            ch = doc.text[i]
            out.append("\\" + ch if ch in "[]\\" else ch)
    return "".join(out)


def _closing(kept: list[Entity], at: int) -> list[str]:
    # At one offset the innermost (latest-starting) entity closes first.
    ending = [e for e in kept if e.end == at]
    return [e.label for e in sorted(ending, key=lambda e: -e.start)]
