"""corpuskit's own JSON: one contract object per file (``.json``) or per line (``.jsonl``).

The object is the one ``corpuskit.model`` defines and ``corpus/schema`` describes: ``id``,
``text``, ``metadata`` and the layers. On reading, absent layers count as empty, so a system's
prediction may carry only the layers it produces. Reading decodes the bytes straight into the
model with ``msgspec``; writing prints the canonical object, so the same document always gives
the same bytes.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from corpuskit.corpus import decode_document, read_bytes_checked
from corpuskit.errors import InputError
from corpuskit.fileio import STDIO, write_text_atomic
from corpuskit.model import Document


def dumps(doc: Document, *, indent: int | None = 2) -> str:
    """The canonical contract object of ``doc`` as JSON text."""
    return json.dumps(doc.to_dict(), indent=indent, ensure_ascii=False)


def read_json_document(path: str | os.PathLike[str]) -> Document:
    """Read one document from a ``.json`` file holding its contract object (with ``text``)."""
    where = str(path)
    raw = sys.stdin.buffer.read() if where == STDIO else read_bytes_checked(Path(path))
    return _document(raw, "<stdin>" if where == STDIO else where, None)


def write_json_document(path: str | os.PathLike[str], doc: Document) -> None:
    """Write one document as its contract object, atomically (``"-"`` for stdout)."""
    write_text_atomic(path, dumps(doc) + "\n")


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[Document]:
    """Documents from a JSONL file, one contract object per line, read lazily."""
    where = str(path)
    handle = sys.stdin.buffer if where == STDIO else open(path, "rb")  # noqa: SIM115
    try:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield _document(line, where, number)
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def write_jsonl(path: str | os.PathLike[str], docs: Iterable[Document]) -> None:
    """Write documents one per line, atomically (``"-"`` for stdout)."""
    write_text_atomic(path, "".join(dumps(doc, indent=None) + "\n" for doc in docs))


def read_documents(path: str | os.PathLike[str]) -> Iterator[Document]:
    """The documents in a ``.json`` (one) or ``.jsonl`` (many) file."""
    if str(path).endswith(".jsonl"):
        yield from read_jsonl(path)
    else:
        yield read_json_document(path)


def _document(raw: bytes, where: str, line: int | None) -> Document:
    if raw.lstrip()[:1] == b"[":
        raise InputError(where, "expected a document object with a string 'text' key", line)
    return decode_document(raw, where, line=line)
