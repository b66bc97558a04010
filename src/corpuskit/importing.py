"""Bring annotations made in another tool back into a corpus document: ``corpuskit import``.

The layers the tool's format carries (Label Studio: entities and time expressions; brat: all)
replace the document's own; its metadata, sections and other layers stay. The result is
validated before anything is written, and written atomically, so a bad export changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from corpuskit import corpus
from corpuskit.errors import InputError
from corpuskit.fileio import write_text_atomic
from corpuskit.formats import registry
from corpuskit.model import LAYERS, Document


@dataclasses.dataclass(frozen=True, slots=True)
class Imported:
    """What an import did: the document as written, and each replaced layer's item counts."""

    document: Document
    path: Path
    changes: tuple[tuple[str, int, int], ...]  # (layer, items before, items after)


def import_annotations(
    name: str | os.PathLike[str],
    source: str | os.PathLike[str],
    fmt: str | None = None,
    layers: list[str] | None = None,
) -> Imported:
    """Replace the layers ``source`` carries in document ``name`` (an id or a folder).

    ``fmt`` defaults to what the file name suggests; ``layers`` narrows what is replaced.
    """
    target = corpus.annotations_path(name)
    current = corpus.load(name)
    fmt = fmt or registry.guess(source)
    if fmt is None:
        raise InputError(os.fspath(source), "cannot tell the format from the name; give --from FORMAT")
    carried = registry.FORMATS[fmt].carries.split(",")
    chosen = layers or carried
    for layer in chosen:
        if layer not in LAYERS:
            raise InputError(os.fspath(source), f"unknown layer {layer!r}; layers are: {', '.join(LAYERS)}")
        if layer not in carried:
            raise InputError(os.fspath(source), f"{fmt} does not carry {layer}; it carries {', '.join(carried)}")
    matching = [doc for doc in registry.read(fmt, source, current.text) if doc.text == current.text]
    if len(matching) != 1:
        found = "no document" if not matching else f"{len(matching)} documents"
        raise InputError(os.fspath(source), f"{found} with the text of {current.id!r}; is this the right export?")
    imported = matching[0]
    merged = dataclasses.replace(current, **{layer: getattr(imported, layer) for layer in chosen})
    data = merged.to_dict(include_text=False)
    corpus.validated(data, current.text, f"{source} imported into {target}")
    write_text_atomic(target, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    changes = tuple((layer, len(current.layer(layer)), len(merged.layer(layer))) for layer in chosen)
    return Imported(merged, target, changes)
