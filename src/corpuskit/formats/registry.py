"""Format names mapped to their reader and writer functions.

Each entry holds the adapter functions themselves; an adapter imports its format's module
only when called, so the CLI lists the choices from ``FORMATS`` without importing spaCy or
pandas. Every reader returns a list of documents and every writer takes one, so
``corpuskit convert`` works for any pair.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from corpuskit._contract import LAYERS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from corpuskit.model import Document


Reader = Callable[[Path, "str | None"], "list[Document]"]
Writer = Callable[[str, "list[Document]", "Sequence[str] | None"], None]


class Format:
    """A format's name, its reader and writer, the layers it carries and its files.

    A plain class, not a dataclass: ``dataclasses`` would cost ``corpuskit load`` start-up.
    """

    __slots__ = ("carries", "files", "many", "name", "reader", "writer")

    def __init__(self, name: str, reader: Reader, writer: Writer, carries: str, files: str, many: bool) -> None:
        self.name, self.reader, self.writer = name, reader, writer
        self.carries, self.files = carries, files
        self.many = many  # holds several documents in one output


_SUFFIXES = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ann": "brat",
    ".conll": "conll",
    ".iob": "conll",
    ".spacy": "spacy",
    ".csv": "csv",
}


def names() -> list[str]:
    return list(FORMATS)


def guess(path: str | os.PathLike[str]) -> str | None:
    """The format a path's name suggests (``None`` when it does not say)."""
    target = Path(path)
    if target.is_dir() and any(target.glob("*.ann")):
        return "brat"
    if Path(f"{target}.ann").is_file():
        return "brat"
    if Path(f"{target}.entities.csv").is_file():
        return "csv"
    return _SUFFIXES.get(target.suffix)


def read(name: str, path: str | os.PathLike[str], text: str | None = None) -> list[Document]:
    """Every document in ``path`` read as format ``name``; ``text`` is the article's text
    (needed by CoNLL for exact offsets, checked by Label Studio and doccano)."""
    return FORMATS[name].reader(Path(path), text)


def write(name: str, path: str, docs: Sequence[Document], layers: Iterable[str] | None = None) -> None:
    """Write ``docs`` to ``path`` as format ``name`` (``layers=None``: all it can hold, with warnings)."""
    from corpuskit.errors import InputError

    spec = FORMATS[name]
    if len(docs) > 1 and not spec.many:
        raise InputError(path, f"{name} holds one document per output and there are {len(docs)}")
    if path == "-" and name in ("brat", "csv", "spacy"):
        raise InputError(path, f"{name} writes {spec.files}; give -o PATH, not stdout")
    spec.writer(path, list(docs), list(layers) if layers is not None else None)


# -- adapters: one signature for every format --------------------------------------------


def _read_native(path: Path, text: str | None) -> list[Document]:
    from corpuskit.formats.native import read_documents

    return list(read_documents(path))


def _selected(docs: list[Document], fmt: str, layers: Sequence[str] | None) -> list[Document]:
    from corpuskit.formats.base import select

    return [select(doc, fmt, LAYERS, layers) for doc in docs]


def _write_json(path: str, docs: list[Document], layers: Sequence[str] | None) -> None:
    from corpuskit.formats.native import write_json_document

    write_json_document(path, _selected(docs, "json", layers)[0])


def _write_jsonl(path: str, docs: list[Document], layers: Sequence[str] | None) -> None:
    from corpuskit.formats.native import write_jsonl

    write_jsonl(path, _selected(docs, "jsonl", layers))


def _read_brat(path: Path, text: str | None) -> list[Document]:
    from corpuskit.formats.brat import read_brat

    if path.is_dir() and len(list(path.glob("*.ann"))) > 1:
        return [read_brat(ann) for ann in sorted(path.glob("*.ann"))]
    return [read_brat(path)]


def _write_brat(path: str, docs: list[Document], layers: Sequence[str] | None) -> None:
    from corpuskit.formats.brat import write_brat

    if len(docs) > 1:
        os.makedirs(path, exist_ok=True)
    for doc in docs:
        write_brat(path, doc, layers)


def _read_conll(path: Path, text: str | None) -> list[Document]:
    from corpuskit.formats.conll import read_conll_documents

    return read_conll_documents(path, text)


def _write_conll(path: str, docs: list[Document], layers: Sequence[str] | None) -> None:
    from corpuskit.formats.conll import write_conll

    write_conll(path, docs[0], layers)


def _read_spacy(path: Path, text: str | None) -> list[Document]:
    from corpuskit.formats.spacy_doc import read_docbin

    return list(read_docbin(path))


def _write_spacy(path: str, docs: list[Document], layers: Sequence[str] | None) -> None:
    from corpuskit.formats.spacy_doc import write_docbin

    write_docbin(path, docs, layers=layers)


def _read_labelstudio(path: Path, text: str | None) -> list[Document]:
    from corpuskit.formats.labelstudio import read_labelstudio

    return list(read_labelstudio(path, text))


def _write_labelstudio(path: str, docs: list[Document], layers: Sequence[str] | None) -> None:
    from corpuskit.formats.labelstudio import write_tasks

    write_tasks(path, docs, layers)


def _read_doccano(path: Path, text: str | None) -> list[Document]:
    from corpuskit.formats.doccano import read_doccano

    return list(read_doccano(path, text))


def _write_doccano(path: str, docs: list[Document], layers: Sequence[str] | None) -> None:
    from corpuskit.formats.doccano import write_doccano

    write_doccano(path, docs, layers)


def _read_csv(path: Path, text: str | None) -> list[Document]:
    from corpuskit.formats.frames import read_csv

    stem = path.with_suffix("").with_suffix("") if path.suffix == ".csv" else path
    return [read_csv(stem)]


def _write_csv(path: str, docs: list[Document], layers: Sequence[str] | None) -> None:
    from corpuskit.formats.frames import write_csv

    write_csv(path, docs[0], layers)


ALL = ",".join(LAYERS)
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "json",
            _read_native,
            _write_json,
            ALL,
            "one .json file",
            False,
        ),
        Format(
            "jsonl",
            _read_native,
            _write_jsonl,
            ALL,
            "one .jsonl file, a document per line",
            True,
        ),
        Format(
            "brat",
            _read_brat,
            _write_brat,
            ALL,
            "STEM.txt, STEM.ann, STEM.meta.json, annotation.conf (-o STEM or FOLDER)",
            True,
        ),
        Format(
            "conll",
            _read_conll,
            _write_conll,
            "entities",
            "one CoNLL-2003 IOB2 file",
            False,
        ),
        Format(
            "spacy",
            _read_spacy,
            _write_spacy,
            ALL,
            "one DocBin .spacy file",
            True,
        ),
        Format(
            "labelstudio",
            _read_labelstudio,
            _write_labelstudio,
            "entities,timexes",
            "one JSON task list",
            True,
        ),
        Format(
            "doccano",
            _read_doccano,
            _write_doccano,
            "entities",
            "one JSONL file",
            True,
        ),
        Format(
            "csv",
            _read_csv,
            _write_csv,
            ALL,
            "STEM.LAYER.csv per layer, STEM.txt, STEM.meta.json (-o STEM or FOLDER)",
            False,
        ),
    )
}
