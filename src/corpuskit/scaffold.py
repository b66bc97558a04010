"""Start a new corpus document from a plain text file: ``corpuskit new DOC_ID --text FILE``.

The new folder holds the text (checked as the loader checks it) and an annotations file with
the metadata and the sections layer filled in (first line the headline, each further line a
paragraph) and the other layers empty, ready for annotation in any tool corpuskit converts from.
A ``brat/`` folder beside them is ready for a brat server: the text, its sections as brat spans,
and an ``annotation.conf`` offering every entity label, the event types of the guidelines and
coreference as ``Coref`` links, as ``corpuskit load ID --format brat`` writes it.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

from corpuskit.corpus import ANNOTATIONS_FILE, TEXT_FILE, from_data, read_text, shipped_corpus
from corpuskit.errors import InputError
from corpuskit.fileio import write_text_atomic
from corpuskit.formats.brat import write_brat

DOC_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def sections(text: str) -> list[dict[str, object]]:
    """One section per non-blank line: the first is the headline, the rest paragraphs."""
    out: list[dict[str, object]] = []
    start = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            begin = start + line.index(stripped)
            kind = "headline" if not out else "paragraph"
            end = begin + len(stripped)
            out.append({"id": f"S{len(out) + 1}", "kind": kind, "start": begin, "end": end, "text": stripped})
        start += len(line) + 1
    return out


def check_date(value: str) -> None:
    """Refuse a creation time that is not a calendar date written ``YYYY-MM-DD``."""
    if not DATE.match(value):
        raise InputError(value, "the creation time must be a date, YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError as err:
        raise InputError(value, f"is not a calendar date ({err})") from None


BRAT_FOLDER = "brat"


def new_document(
    doc_id: str,
    text_file: str | os.PathLike[str],
    parent: str | os.PathLike[str] = ".",
    *,
    title: str | None = None,
    creation_time: str | None = None,
) -> Path:
    """Create ``parent/doc_id/`` with ``text.txt``, ``annotations.json`` and ``brat/``; return the folder.

    Refuses an invalid id or date, a text the loader would refuse, and an existing folder
    (nothing is overwritten).
    """
    if not DOC_ID.match(doc_id):
        raise InputError(doc_id, "a document id uses lower-case letters, digits, '.', '_' and '-' only")
    if creation_time is not None:
        check_date(creation_time)
    if (shipped_corpus() / doc_id).is_dir():
        raise InputError(doc_id, "is the id of a document shipped with corpuskit; loading by id would find yours first")
    text = read_text(Path(text_file))
    folder = Path(parent) / doc_id
    if folder.exists():
        raise InputError(str(folder), "already exists; choose another id or folder (nothing was changed)")
    layers = sections(text)
    metadata: dict[str, object] = {"title": title or str(layers[0]["text"])}
    if creation_time:
        metadata["creation_time"] = creation_time
    metadata["source"] = f"Created with 'corpuskit new' from {Path(text_file).name}"
    data = {
        "id": doc_id,
        "metadata": metadata,
        "sections": layers,
        "entities": [],
        "clusters": [],
        "quotes": [],
        "events": [],
        "timexes": [],
    }
    doc = from_data(data, text, str(folder / ANNOTATIONS_FILE))
    folder.mkdir(parents=True)
    write_text_atomic(folder / TEXT_FILE, text)
    write_text_atomic(folder / ANNOTATIONS_FILE, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (folder / BRAT_FOLDER).mkdir()  # a folder: the brat files are named after the document
    write_brat(folder / BRAT_FOLDER, doc)
    return folder
