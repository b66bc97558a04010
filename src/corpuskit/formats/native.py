"""corpuskit's own JSON: one contract object per file (``.json``) or per line (``.jsonl``).

The object is the one DESIGN section 3 defines and ``corpus/schema`` checks: ``id``, ``text``,
``metadata`` and the layers. On reading, absent layers count as empty, so a system's
prediction may carry only the layers it produces.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from corpuskit.corpus import from_data, parse_json, read_json, with_empty_layers
from corpuskit.errors import InputError
from corpuskit.fileio import STDIO, write_text_atomic
from corpuskit.model import Document


def dumps(doc: Document, *, indent: int | None = 2) -> str:
    """The contract object of ``doc`` as JSON text."""
    return json.dumps(doc.to_dict(), indent=indent, ensure_ascii=False)


def read_json_document(path: str | os.PathLike[str]) -> Document:
    """Read one document from a ``.json`` file holding its contract object (with ``text``)."""
    data = _stdin_json() if str(path) == STDIO else read_json(Path(path))
    return _document(data, str(path))


def write_json_document(path: str | os.PathLike[str], doc: Document) -> None:
    """Write one document as its contract object, atomically (``"-"`` for stdout)."""
    write_text_atomic(path, dumps(doc) + "\n")


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[Document]:
    """Documents from a JSONL file, one contract object per line, read lazily."""
    where = str(path)
    handle = sys.stdin if where == STDIO else open(path, encoding="utf-8")  # noqa: SIM115
    try:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                data = parse_json(line, where, line_offset=number - 1)
                yield _document(data, f"{where}:{number}")
    except UnicodeDecodeError as err:
        raise InputError(where, f"is not UTF-8 ({err.reason})") from None
    finally:
        if handle is not sys.stdin:
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


def _document(data: object, where: str) -> Document:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise InputError(where, "expected a document object with a string 'text' key")
    return from_data(with_empty_layers(data), data["text"], where)


def _stdin_json() -> object:
    return parse_json(sys.stdin.read(), "<stdin>")
