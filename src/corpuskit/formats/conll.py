"""CoNLL-2003 and CoNLL-2002 named entities. Written in IOB2 with OntoNotes labels: one
``TOKEN TAG`` line per token (corpuskit's tokens, ``corpuskit.tokens``), blank lines between
sentences, a ``-DOCSTART- O`` line and a blank line before each document.

Carries the ``entities`` layer only, as labels on tokens: no ids (reading numbers them
``T1``, ``T2``...), no cluster links, no metonymy roles, and no overlapping or nested
entities. Writing a document that has any of these warns (``LayerNotCarriedWarning``), naming
each thing left out and how many. Tokens are split at every entity boundary, so each entity
covers whole tokens.

Read as the shared tasks published them and taggers write them: IOB1, IOB2, BILOU or BIOES
tags, any number of columns (token first, tag last), the four CoNLL labels or OntoNotes ones,
and many ``-DOCSTART-`` documents in one file (``read_conll_documents``). Reading needs the
document text to give back offsets (``text=``); without it the text is rebuilt from the tokens
(one space between tokens, a line break between sentences).
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
from corpuskit.tokens import tokenize

CARRIES = frozenset({"entities"})
DOCSTART = "-DOCSTART-"
_SENTENCE_END = {".", "!", "?"}

Token = tuple[int, int, str]  # start, end, IOB2 tag
TAG_KINDS = ("B", "I", "L", "U", "E", "S")
# CoNLL-2002 and CoNLL-2003 have four labels; OntoNotes splits LOC into GPE (countries, cities,
# most CoNLL locations) and LOC (mountains, rivers), and MISC mostly tags nationalities (NORP).
CONLL_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE", "MISC": "NORP"}


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
    for token_start, token_end in tokenize(doc.text):
        points = sorted({token_start, token_end} | {c for c in cuts if token_start < c < token_end})
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


def read_conll_documents(path: str | os.PathLike[str], text: str | None = None) -> list[Document]:
    """Every document of a CoNLL file, one per ``-DOCSTART-`` (the original CoNLL-2003 files
    hold many); ids are the file name and a number. ``text`` is for a one-document file."""
    where = str(path)
    source = read_text(Path(path))
    parts = split_documents(source)
    stem = _doc_id(Path(path).stem)
    if len(parts) == 1:
        return [parse(source, where, text, stem, Path(path).stem)]
    if text is not None:
        raise InputError(where, f"holds {len(parts)} documents; --text is for a file of one document", parts[1][0])
    tags = (fields[-1] for fields in map(str.split, source.split("\n")) if len(fields) >= 2 and fields[0] != DOCSTART)
    conll_labelled = uses_conll_labels(tags)
    counts: dict[str, int] = {}
    docs = [
        parse(part, where, None, f"{stem}-{n}", f"{Path(path).stem} {n}", first, conll_labelled, counts)
        for n, (first, part) in enumerate(parts, start=1)
    ]
    warn_mapped(where, counts)
    return docs


def warn_mapped(where: str, counts: dict[str, int]) -> None:
    """One warning naming how many entities of each CoNLL label were read as OntoNotes labels."""
    if counts:
        shown = ", ".join(f"{k} as {CONLL_LABELS[k]} ({n})" for k, n in sorted(counts.items()))
        warn(f"{where}: CoNLL labels read as OntoNotes labels: {shown}")


def uses_conll_labels(tags: Iterable[str]) -> bool:
    """Whether tags are in the CoNLL label set: LOC and ORG are labels of both sets, so a file
    is CoNLL-labelled when it uses PER or MISC and nothing but the four CoNLL labels."""
    labels = {tag.partition("-")[2] for tag in tags if tag != "O"}
    return labels <= set(CONLL_LABELS) and bool(labels & {"PER", "MISC"})


def split_documents(source: str) -> list[tuple[int, str]]:
    """``(first line number, text)`` of each document: a ``-DOCSTART-`` line opens one."""
    parts: list[tuple[int, list[str]]] = [(1, [])]
    seen = False  # the current document has a line already
    for number, line in enumerate(source.split("\n"), start=1):
        if seen and line.split()[:1] == [DOCSTART]:
            parts.append((number, []))
            seen = False
        parts[-1][1].append(line)
        seen = seen or bool(line.strip())
    return [(first, "\n".join(lines)) for first, lines in parts]


def parse(
    source: str,
    where: str,
    text: str | None,
    doc_id: str,
    title: str,
    first_line: int = 1,
    conll_labelled: bool | None = None,
    mapped: dict[str, int] | None = None,
) -> Document:
    """A document from CoNLL text (``where`` names it in errors, ``first_line`` numbers its lines).

    Tags are read in any of the schemes CoNLL files use: IOB1 (the original CoNLL-2003, where
    ``I-`` opens an entity and ``B-`` only separates two adjacent ones of one type), IOB2
    (``B-`` opens every entity) and BILOU/BIOES (``L-``/``E-`` closes, ``U-``/``S-`` is a
    one-token entity). CoNLL-2002 and CoNLL-2003 labels (PER, ORG, LOC, MISC) are read as
    OntoNotes labels (``CONLL_LABELS``), with a warning naming what was mapped;
    ``conll_labelled`` says whether they are (by default, from this document's tags). Given a
    ``mapped`` dict, the counts of mapped labels are added to it instead of warned about.
    """
    rows: list[tuple[int, str, str] | None] = []  # None marks a sentence break
    docs = 0
    for number, line in enumerate(source.split("\n"), start=first_line):
        fields = line.split()
        if not fields:
            rows.append(None)
            continue
        if fields[0] == DOCSTART:
            docs += 1
            if docs > 1:
                raise InputError(where, "holds a second -DOCSTART-; read it with read_conll_documents", number)
            continue
        if len(fields) < 2:
            raise InputError(where, f"want 'TOKEN TAG', got {line[:40]!r}", number)
        rows.append((number, fields[0], fields[-1]))
    if text is None:
        text = _rebuild(rows)
    bilou = any(row is not None and row[2][:2] in ("L-", "U-", "E-", "S-") for row in rows)
    if conll_labelled is None:
        conll_labelled = uses_conll_labels(row[2] for row in rows if row is not None)
    entities: list[dict[str, Any]] = []
    counts: dict[str, int] = {} if mapped is None else mapped
    position = 0
    previous = "O"
    open_entity: dict[str, Any] | None = None
    for row in rows:
        if row is None:
            previous = "O"
            open_entity = None
            continue
        number, token, tag = row
        start = _find(text, token, position)
        if start is None:
            found = text[position : position + len(token) + 10].lstrip()[: len(token) + 10]
            raise InputError(where, f"token {token!r} does not follow in the text (next there: {found!r})", number)
        position = start + len(token)
        kind, _, given = tag.partition("-")
        label = CONLL_LABELS[given] if conll_labelled and given in CONLL_LABELS else given
        if tag != "O" and (kind not in TAG_KINDS or label not in ENTITY_LABELS):
            raise InputError(
                where,
                f"tag {tag!r} is not O or B-, I-, L-, U-, E-, S- with an OntoNotes or CoNLL label",
                number,
            )
        continues = open_entity is not None and open_entity["label"] == label
        if kind in ("I", "L", "E") and not continues and bilou:
            raise InputError(where, f"{tag} follows {previous}; in BILOU an entity starts with B- or U-", number)
        if kind in ("I", "L", "E") and continues and open_entity is not None:
            open_entity["end"] = position
        elif tag != "O":
            # B-, U-, S-, and in IOB1 an I- after O or another type: a new entity.
            open_entity = {"start": start, "end": position, "label": label}
            entities.append(open_entity)
            if label != given:
                counts[given] = counts.get(given, 0) + 1
        if tag == "O" or kind in ("L", "E", "U", "S"):
            open_entity = None
        previous = tag
    if mapped is None:
        warn_mapped(where, counts)
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
