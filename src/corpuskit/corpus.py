"""Find corpus documents, read them safely, validate them and build ``Document`` objects.

A document is a folder holding ``text.txt`` and ``annotations.json``. Folders are looked up
in the corpus path: the folders named in the ``CORPUSKIT_PATH`` environment variable
(``os.pathsep``-separated, searched first, so an instructor's documents can sit beside the
shipped one), then the corpus shipped with the package.

Two ways in, one definition (``corpuskit.model``): ``read_validated`` checks plain JSON data
with the structural check generated from the model and returns its canonical object, which is
all ``corpuskit load --format json`` needs, so that command pays for importing neither the model
nor ``msgspec``; ``decode_document`` turns JSON bytes straight into a ``Document`` with
``msgspec``, for reading many documents. Both then run ``corpuskit.validate``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from corpuskit._contract import FIELDS, LAYERS, OPEN
from corpuskit._contract import check as check_structure
from corpuskit.canonical import canonical
from corpuskit.errors import DocumentNotFoundError, InputError, Problem, ValidationError
from corpuskit.validate import problems

TYPE_CHECKING = False  # typing stays unimported on the `corpuskit load` path
if TYPE_CHECKING:
    from typing import Any

    from corpuskit.model import Document

TEXT_FILE = "text.txt"
ANNOTATIONS_FILE = "annotations.json"
PATH_VARIABLE = "CORPUSKIT_PATH"
# Far above any news article; refusing early keeps a stray multi-GB file from eating memory.
MAX_BYTES = 50 * 1024 * 1024


def shipped_corpus() -> Path:
    """The corpus folder inside the installed package, or the repository's in a source tree."""
    packaged = Path(__file__).parent / "corpus"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "corpus"


def corpus_roots() -> list[Path]:
    """The folders searched for documents, first match wins."""
    extra = [Path(p) for p in os.environ.get(PATH_VARIABLE, "").split(os.pathsep) if p]
    return [*extra, shipped_corpus()]


def document_folders() -> list[Path]:
    """The folder of every document in the corpus path, sorted by id (the folder name).

    An id found in two roots keeps the first, so ``CORPUSKIT_PATH`` can override.
    """
    found: dict[str, Path] = {}
    for root in corpus_roots():
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if (folder / TEXT_FILE).is_file():
                found.setdefault(folder.name, folder)
    return [found[name] for name in sorted(found)]


def document_ids() -> list[str]:
    """The ids of the documents in the corpus path, e.g. ``['hanoi-summit-2019']``."""
    return [folder.name for folder in document_folders()]


def locate(name: str | os.PathLike[str]) -> Path:
    """The folder of a document given by id or by folder path."""
    path = Path(name)
    if path.is_dir():
        if not (path / TEXT_FILE).is_file():
            holds = f"a document folder holds {TEXT_FILE} and {ANNOTATIONS_FILE}"
            raise InputError(str(path), f"no {TEXT_FILE} in this folder: {holds}")
        return path
    for folder in document_folders():
        if folder.name == os.fspath(name):
            return folder
    known = ", ".join(document_ids()) or "none"
    raise DocumentNotFoundError(f"no document or folder {os.fspath(name)!r} (documents: {known}; see 'corpuskit list')")


def annotations_path(name: str | os.PathLike[str], annotations: str = ANNOTATIONS_FILE) -> Path:
    """The annotation file meant by a document id, a folder, or the file itself."""
    path = Path(name)
    if path.is_file() and path.suffix == ".json":
        return path
    return locate(name) / annotations


def read_text(path: Path) -> str:
    """The text of a document file, refusing what would make offsets drift or lie.

    Offsets are ``str`` indices into exactly this text, so a byte-order mark or CRLF line
    ends (which some tools count as one character and some as two) are errors, not silently
    normalised.
    """
    raw = _read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        why = "offsets count from the first character of the text"
        raise InputError(str(path), f"starts with a UTF-8 byte-order mark; remove it ({why})")
    text = _decode(raw, path)
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        fix = "convert them to LF (e.g. dos2unix) so offsets cannot drift"
        raise InputError(str(path), f"has CR or CRLF line ends; {fix}", line)
    return text


def read_json(path: Path) -> Any:
    """A JSON file, with a one-line error naming file, line and column when it is not JSON."""
    raw = read_bytes_checked(path)
    return parse_json(_decode(raw, path), str(path))


def parse_json(source: str, where: str, line_offset: int = 0) -> Any:
    """Parse one JSON text; ``where`` and ``line_offset`` place errors in the file."""
    try:
        return json.loads(source)
    except json.JSONDecodeError as err:
        raise InputError(where, f"invalid JSON: {err.msg} (column {err.colno})", err.lineno + line_offset) from None


def _at(where: str, line: int | None) -> str:
    return where if line is None else f"{where}:{line}"


def read_bytes_checked(path: Path) -> bytes:
    """The bytes of a JSON file, refused when too big, empty or starting with a byte-order mark."""
    raw = _read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError(str(path), "starts with a UTF-8 byte-order mark; JSON files must not")
    return raw


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(str(path), f"is {size:,} bytes; the limit is {MAX_BYTES:,}")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a folder, not a file") from None
    except PermissionError:
        raise InputError(str(path), "cannot be read (permission denied)") from None
    if not raw.strip():
        raise InputError(str(path), "is empty")
    return raw


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise InputError(str(path), f"is not UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})", line) from None


def check(data: Any, text: str) -> list[Problem]:
    """Every problem of an annotations object against its text (empty when valid).

    A structural problem is reported alone: the checks of meaning assume the structure.
    """
    try:
        check_structure(data)
    except ValueError:
        found = structure_problem(data)
        if found is not None:
            return [found]
    return problems(_view("Document", data), text)


def _view(kind: str, data: Any) -> Any:
    """Structurally valid JSON data seen through attributes, as ``validate`` reads a model
    object: every field of model class ``kind`` there, absent ones at their defaults."""
    from types import SimpleNamespace

    view = SimpleNamespace()
    fields = view.__dict__
    for key, child, _, default in FIELDS[kind]:
        value = data.get(key, default)
        if child and child not in OPEN and value is not None:
            value = [_view(child, item) for item in value] if isinstance(value, list) else _view(child, value)
        fields[key] = value
    return view


def structure_problem(data: Any) -> Problem | None:
    """The first structural problem of ``data``, in ``msgspec``'s words, named by its path.

    Only called once the fast check has failed, so valid input never imports ``msgspec``.
    """
    import msgspec

    from corpuskit.model import Document, Metadata

    try:
        msgspec.convert(data, Document)
    except msgspec.ValidationError as err:
        return _problem(str(err))
    try:
        msgspec.convert(data.get("metadata", {}), Metadata)
    except msgspec.ValidationError as err:
        return _problem(str(err), in_metadata=True)
    # Both checks come from one definition and a test holds them to the same verdicts, so
    # this is not reached; msgspec, the model's own decoder, has the last word if it is.
    return None


def _problem(message: str, in_metadata: bool = False) -> Problem:
    """A ``Problem`` from a msgspec message such as "Expected `int` >= 0 - at `$.entities[0].start`"."""
    text, found, where = message.rpartition(" - at `")
    if not found:
        text, where = message, "$"
    where = where.rstrip("`")
    if in_metadata:
        where = "$.metadata" + where[1:]
    return Problem(where, text[:1].lower() + text[1:])


def validated(data: Any, text: str, where: str) -> dict[str, Any]:
    """The canonical contract object (``id``, ``text``, ``metadata``, layers in order) of valid data.

    Raises ``ValidationError`` with every problem when ``data`` does not fit ``text``.
    """
    found = check(data, text)
    if found:
        raise ValidationError(where, found)
    return canonical("Document", {**data, "text": text})


def with_empty_layers(data: Any) -> Any:
    """A copy of a document object with absent layers as empty lists.

    Predictions and exchange files may carry only the layers they hold.
    """
    if not isinstance(data, dict):
        return data
    defaults: dict[str, Any] = {layer: [] for layer in LAYERS}
    defaults["metadata"] = {"title": str(data.get("id", "untitled"))}
    return {**defaults, **data}


def decode_document(raw: bytes, where: str, text: str | None = None, line: int | None = None) -> Document:
    """A checked ``Document`` from the JSON bytes of one document, in ``msgspec``'s compiled pass.

    ``text`` (the text file's content) stands in for the object's own ``text`` key; ``line``
    is the line of a JSONL file the bytes come from.
    """
    import msgspec

    from corpuskit.model import Metadata, document_decoder

    try:
        doc = document_decoder().decode(raw)
    except msgspec.ValidationError as err:
        raise ValidationError(_at(where, line), [_problem(str(err))]) from None
    except msgspec.DecodeError as err:
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise InputError(where, f"is not UTF-8 ({bad.reason})", line) from None
        parse_json(source, where, (line or 1) - 1)  # names the line and column
        raise InputError(where, f"invalid JSON: {err}", line) from None
    where = _at(where, line)
    if doc.metadata:
        try:
            msgspec.convert(doc.metadata, Metadata)
        except msgspec.ValidationError as err:
            raise ValidationError(where, [_problem(str(err), in_metadata=True)]) from None
    body = doc.text if text is None else text
    if not body:
        raise InputError(where, "has no text: a document object needs its 'text'")
    found = problems(doc, body)
    if found:
        raise ValidationError(where, found)
    return doc if text is None else msgspec.structs.replace(doc, text=text)


def read_validated(
    name: str | os.PathLike[str], annotations: str = ANNOTATIONS_FILE, text_path: Path | None = None
) -> dict[str, Any]:
    """The validated contract object of a document (plain JSON data, no dataclasses).

    ``name`` is a document id, a folder, or an annotations file; the text is ``text.txt``
    beside the annotations unless ``text_path`` says otherwise.
    """
    path = annotations_path(name, annotations)
    text = read_text(text_path or path.parent / TEXT_FILE)
    return validated(read_json(path), text, str(path))


def load(name: str | os.PathLike[str], annotations: str = ANNOTATIONS_FILE) -> Document:
    """Load and validate a document by id (``"hanoi-summit-2019"``), folder or annotations file.

    ``annotations`` picks another annotation file in the folder, e.g. ``"annotator_b.json"``.

    >>> load("hanoi-summit-2019").metadata["creation_time"]
    '2019-02-28'
    """
    from corpuskit.model import Document

    return Document.from_dict(read_validated(name, annotations))


def load_file(annotations: Path, text_path: Path | None = None) -> Document:
    """Load one annotations file against its text (by default ``text.txt`` beside it)."""
    from corpuskit.model import Document

    return Document.from_dict(read_validated(annotations, text_path=text_path))


def from_data(data: Any, text: str, where: str) -> Document:
    """Validate an annotations object against ``text`` and build the ``Document``."""
    from corpuskit.model import Document

    return Document.from_dict(validated(data, text, where))


def documents() -> Iterator[Document]:
    """Every document in the corpus path, loaded one at a time as you iterate."""
    for folder in document_folders():
        yield load(folder)
