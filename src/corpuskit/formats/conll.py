"""CoNLL-2003 named entities in IOB2: one ``TOKEN TAG`` line per token, blank lines between
sentences, a ``-DOCSTART- O`` line and a blank line before each document.

Carries the ``entities`` layer only, as labels on tokens: no ids (reading numbers them
``T1``, ``T2``...), no cluster links, no metonymy roles, and no overlapping or nested
entities. Writing a document that has any of these warns (``LayerNotCarriedWarning``), naming
each thing left out and how many. Tokens are split at every entity boundary, so each entity
covers whole tokens.

Reading needs the document text to give back offsets (``text=``); without it the text is
rebuilt from the tokens (one space between tokens, a line break between sentences).
Lines with more than two columns (the original four-column CoNLL-2003) are read as token
first, tag last.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

from corpuskit.corpus import from_data, read_text, with_empty_layers
from corpuskit.errors import InputError
from corpuskit.fileio import write_text_atomic
from corpuskit.formats.base import select, warn
from corpuskit.model import ENTITY_LABELS, Document, Entity

CARRIES = frozenset({"entities"})
DOCSTART = "-DOCSTART-"
# Abbreviations like "U.S." and clitics like "'s" stay whole, as in CoNLL-2003.
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|['’]s\b|n['’]t\b|\w+(?:-\w+)*|\S")
_SENTENCE_END = {".", "!", "?"}

Token = tuple[int, int, str]  # start, end, IOB2 tag


def flat_entities(doc: Document) -> tuple[list[Entity], list[Entity]]:
    """``(kept, left_out)``: a set of non-overlapping entities (longest first at each start)."""
    kept: list[Entity] = []
    left: list[Entity] = []
    end = -1
    for entity in sorted(doc.entities, key=lambda e: (e.start, -e.end)):
        (kept if entity.start >= end else left).append(entity)
        if entity.start >= end:
            end = entity.end
    return kept, left


def tokens(doc: Document, entities: Iterable[Entity]) -> list[list[Token]]:
    """Sentences of ``(start, end, tag)`` tokens; entity boundaries are token boundaries.

    A sentence ends at a line break or after ``.``/``!``/``?`` followed by a space, never
    inside an entity.
    """
    entities = list(entities)
    cuts = {e.start for e in entities} | {e.end for e in entities}
    begins = {e.start: e.label for e in entities}
    label_at = {i: e.label for e in entities for i in range(e.start, e.end)}
    inside = {i for e in entities for i in range(e.start + 1, e.end)}
    sentences: list[list[Token]] = [[]]
    for match in _TOKEN.finditer(doc.text):
        points = sorted({match.start(), match.end()} | {c for c in cuts if match.start() < c < match.end()})
        for left, right in pairwise(points):
            if sentences[-1] and left not in inside:
                before, end, _ = sentences[-1][-1]
                gap = doc.text[end:left]
                if "\n" in gap or (gap and doc.text[before:end] in _SENTENCE_END):
                    sentences.append([])
            tag = f"B-{begins[left]}" if left in begins else f"I-{label_at[left]}" if left in label_at else "O"
            sentences[-1].append((left, right, tag))
    return [s for s in sentences if s]


def dumps(doc: Document, layers: Iterable[str] | None = None) -> str:
    """The CoNLL text of ``doc``."""
    doc = select(doc, "CoNLL", CARRIES, layers)
    kept, left = flat_entities(doc)
    if left:
        ids = ", ".join(e.id for e in left[:5]) + (", ..." if len(left) > 5 else "")
        warn(f"CoNLL cannot carry overlapping or nested entities; {len(left)} left out ({ids})")
    roles = sum(e.role is not None for e in kept)
    if roles:
        warn(f"CoNLL cannot carry metonymy roles; {roles} left out")
    lines = [f"{DOCSTART} O", ""]
    for sentence in tokens(doc, kept):
        lines.extend(f"{doc.text[s:e]} {tag}" for s, e, tag in sentence)
        lines.append("")
    return "\n".join(lines) + "\n"


def write_conll(path: str | os.PathLike[str], doc: Document, layers: Iterable[str] | None = None) -> None:
    """Write ``doc``'s entities as CoNLL-2003 IOB2, atomically (``"-"`` for stdout)."""
    write_text_atomic(path, dumps(doc, layers))


def read_conll(
    path: str | os.PathLike[str], text: str | None = None, doc_id: str | None = None, title: str | None = None
) -> Document:
    """Read one document's entities; ``text`` (the document text) gives exact offsets."""
    where = str(path)
    source = read_text(Path(path))
    return parse(source, where, text, doc_id or _doc_id(Path(path).stem), title or Path(path).stem)


def parse(source: str, where: str, text: str | None, doc_id: str, title: str) -> Document:
    """A document from CoNLL text (``where`` names it in errors)."""
    rows: list[tuple[int, str, str] | None] = []  # None marks a sentence break
    docs = 0
    for number, line in enumerate(source.split("\n"), start=1):
        fields = line.split()
        if not fields:
            rows.append(None)
            continue
        if fields[0] == DOCSTART:
            docs += 1
            if docs > 1:
                raise InputError(where, "holds a second -DOCSTART-; split the file, one document each", number)
            continue
        if len(fields) < 2:
            raise InputError(where, f"want 'TOKEN TAG', got {line[:40]!r}", number)
        rows.append((number, fields[0], fields[-1]))
    if text is None:
        text = _rebuild(rows)
    entities: list[dict[str, Any]] = []
    position = 0
    previous = "O"
    open_entity: dict[str, Any] | None = None
    for row in rows:
        if row is None:
            previous = "O"
            continue
        number, token, tag = row
        start = _find(text, token, position)
        if start is None:
            found = text[position : position + len(token) + 10].lstrip()[: len(token) + 10]
            raise InputError(where, f"token {token!r} does not follow in the text (next there: {found!r})", number)
        position = start + len(token)
        kind, _, label = tag.partition("-")
        if tag != "O" and (kind not in ("B", "I") or label not in ENTITY_LABELS):
            raise InputError(where, f"tag {tag!r} is not O, B-LABEL or I-LABEL with an OntoNotes label", number)
        if kind == "I" and previous[2:] != label:
            raise InputError(where, f"{tag} follows {previous}; IOB2 starts every entity with B-", number)
        if kind == "I" and open_entity is not None:
            open_entity["end"] = position
        elif kind == "B":
            open_entity = {"start": start, "end": position, "label": label}
            entities.append(open_entity)
        previous = tag
    data = {
        "id": doc_id,
        "metadata": {"title": title},
        "entities": [
            {
                "id": f"T{n}",
                "start": e["start"],
                "end": e["end"],
                "text": text[e["start"] : e["end"]],
                "label": e["label"],
                "cluster": None,
            }
            for n, e in enumerate(entities, start=1)
        ],
    }
    return from_data(with_empty_layers(data), text, where)


def _find(text: str, token: str, position: int) -> int | None:
    start = position
    while start < len(text) and text[start].isspace():
        start += 1
    return start if text.startswith(token, start) else None


def _rebuild(rows: list[tuple[int, str, str] | None]) -> str:
    sentences: list[list[str]] = [[]]
    for row in rows:
        if row is None:
            if sentences[-1]:
                sentences.append([])
        else:
            sentences[-1].append(row[1])
    return "\n".join(" ".join(s) for s in sentences if s)


def _doc_id(stem: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._") or "document"
