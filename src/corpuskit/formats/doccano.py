"""doccano JSONL for sequence labelling, both ways: one JSON object per line and document,
``{"text": ..., "label": [[start, end, "PERSON"], ...], "doc_id": ..., "metadata": {...}}``.

doccano imports the file as a sequence-labelling dataset (extra keys become each example's
metadata) and exports the same shape; its newer export shape, ``"entities": [{"id",
"label", "start_offset", "end_offset"}]``, is read too.

Carries: ``entities`` (span and label, overlapping ones included). Not carried: entity ids
(reading numbers them ``T1``, ``T2``... in file order), cluster links, metonymy roles and
the other layers; writing a document that has them warns, naming what is left out.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from corpuskit.corpus import from_data, parse_json, read_text, with_empty_layers
from corpuskit.errors import InputError
from corpuskit.fileio import write_text_atomic
from corpuskit.formats.base import select, warn
from corpuskit.model import ENTITY_LABELS, Document

CARRIES = frozenset({"entities"})


def to_record(doc: Document, layers: Iterable[str] | None = None) -> dict[str, Any]:
    """The doccano record of ``doc``."""
    doc = select(doc, "doccano", CARRIES, layers)
    roles = sum(e.role is not None for e in doc.entities)
    if roles:
        warn(f"doccano cannot carry metonymy roles; {roles} left out")
    return {
        "text": doc.text,
        "label": [[e.start, e.end, e.label] for e in doc.entities],
        "doc_id": doc.id,
        "metadata": dict(doc.metadata),
    }


def write_doccano(path: str | os.PathLike[str], docs: Iterable[Document], layers: Iterable[str] | None = None) -> None:
    """Write documents as doccano JSONL, atomically (``"-"`` for stdout)."""
    layer_list = list(layers) if layers is not None else None
    lines = (json.dumps(to_record(doc, layer_list), ensure_ascii=False) + "\n" for doc in docs)
    write_text_atomic(path, "".join(lines))


def read_doccano(path: str | os.PathLike[str], text: str | None = None) -> Iterator[Document]:
    """Documents from a doccano JSONL file; ``text``, when given, must be every record's text."""
    where = str(path)
    source = read_text(Path(path))
    for number, line in enumerate(source.split("\n"), start=1):
        if line.strip():
            yield from_record(parse_json(line, where, number - 1), where, number, text)


def from_record(record: Any, where: str, line: int, text: str | None = None) -> Document:
    """The document one doccano record holds."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise InputError(where, "expected a doccano record with a string 'text'", line)
    body: str = record["text"]
    if text is not None and body != text:
        raise InputError(where, "this record's text differs from the article's; is it an export of another text?", line)
    spans = _spans(record, where, line)
    entities = []
    for number, (start, end, label) in enumerate(spans, start=1):
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(body)):
            bad = f"label {number}: offsets [{start}, {end})"
            raise InputError(where, f"{bad} are not inside the text (length {len(body)})", line)
        if label not in ENTITY_LABELS:
            raise InputError(where, f"label {number}: {label!r} is not an OntoNotes entity label", line)
        span = {"start": start, "end": end, "text": body[start:end]}
        entities.append({"id": f"T{number}", **span, "label": label, "cluster": None})
    doc_id = str(record.get("doc_id") or f"doccano-{record.get('id', line)}")
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {"title": doc_id}
    data = {"id": doc_id, "metadata": metadata, "entities": entities}
    return from_data(with_empty_layers(data), body, f"{where}:{line}")


def _spans(record: dict[str, Any], where: str, line: int) -> list[tuple[Any, Any, Any]]:
    if isinstance(record.get("entities"), list):
        try:
            return [(e["start_offset"], e["end_offset"], e["label"]) for e in record["entities"]]
        except (KeyError, TypeError):
            raise InputError(where, "each of 'entities' needs start_offset, end_offset and label", line) from None
    labels = record.get("label", [])
    if not isinstance(labels, list) or not all(isinstance(item, list) and len(item) == 3 for item in labels):
        raise InputError(where, "'label' must be a list of [start, end, label] triples", line)
    return [(item[0], item[1], item[2]) for item in labels]
