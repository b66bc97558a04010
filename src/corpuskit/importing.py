"""Bring annotations made in another tool back into corpus documents: ``corpuskit import``.

The layers the tool's format carries (Label Studio: entities and time expressions; brat: all)
replace the document's own; its metadata, sections and other layers stay. Nothing the export
cannot carry is lost:

- a field the format has no place for (Label Studio: an entity's cluster link and metonymy
  role, a timex's ``mod`` and ``anchor``) is kept from the document's own item at the same
  span (a role only while the label is unchanged);
- an import that would empty a layer the document has is refused unless the layer is named
  in ``layers``, and an export holding no annotation at all for a document (a skipped task)
  leaves it unchanged.

An export of several documents is matched to them by text: ``import_corpus`` takes a folder of
document folders (a corpus path) and imports each one the export holds. Everything is read and
validated before anything is written, and each file is written atomically, so a bad export
changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpuskit import corpus
from corpuskit.errors import InputError
from corpuskit.fileio import write_text_atomic
from corpuskit.formats import registry
from corpuskit.model import LAYERS, Document

# Fields of a carried layer that a format has no place for, per format: import keeps them.
FIELDS_LEFT_OUT: dict[str, dict[str, tuple[str, ...]]] = {
    "labelstudio": {"entities": ("cluster", "role"), "timexes": ("mod", "anchor")},
    "doccano": {"entities": ("cluster", "role")},
    "conll": {"entities": ("cluster", "role")},
}
_FIELD_NAMES = {"cluster": "cluster links", "role": "metonymy roles", "mod": "timex mods", "anchor": "timex anchors"}


@dataclasses.dataclass(frozen=True, slots=True)
class Imported:
    """What an import did to one document.

    ``changes`` holds each replaced layer's item counts, ``kept`` the fields kept from the
    document because the export cannot carry them (``("cluster links", 75)``), and
    ``unchanged`` says why nothing was written (``None`` when the file was rewritten).
    """

    document: Document
    path: Path
    changes: tuple[tuple[str, int, int], ...]  # (layer, items before, items after)
    kept: tuple[tuple[str, int], ...] = ()
    unchanged: str | None = None


def import_annotations(
    name: str | os.PathLike[str],
    source: str | os.PathLike[str],
    fmt: str | None = None,
    layers: Sequence[str] | None = None,
) -> Imported:
    """Replace the layers ``source`` carries in document ``name`` (an id or a folder).

    ``fmt`` defaults to what the file name suggests; ``layers`` narrows what is replaced and
    allows emptying a layer. Refuses an export that holds no annotation for the document.
    """
    target = corpus.annotations_path(name)
    current = corpus.load(name)
    fmt, chosen = _format_and_layers(source, fmt, layers)
    matching = [doc for doc in registry.read(fmt, source, current.text) if doc.text == current.text]
    if len(matching) != 1:
        found = "no document" if not matching else f"{len(matching)} documents"
        raise InputError(os.fspath(source), f"{found} with the text of {current.id!r}; is this the right export?")
    done = _merge(current, matching[0], target, fmt, chosen, explicit=layers is not None, source=source)
    if done.unchanged:
        raise InputError(os.fspath(source), f"{done.unchanged}; nothing was imported")
    _write([done])
    return done


def import_corpus(
    folder: str | os.PathLike[str],
    source: str | os.PathLike[str],
    fmt: str | None = None,
    layers: Sequence[str] | None = None,
) -> list[Imported]:
    """Import an export of several documents into the document folders inside ``folder``.

    Each document of the export goes to the folder whose text it has; a folder the export does
    not hold (or holds no annotation for) is reported unchanged. All or nothing: any refusal
    writes no file.
    """
    folders = sorted(p for p in Path(folder).iterdir() if (p / corpus.TEXT_FILE).is_file())
    if not folders:
        raise InputError(os.fspath(folder), f"holds no document folders (folders with {corpus.TEXT_FILE})")
    fmt, chosen = _format_and_layers(source, fmt, layers)
    exported = registry.read(fmt, source, None)
    by_text: dict[str, list[Document]] = {}
    for doc in exported:
        by_text.setdefault(doc.text, []).append(doc)
    results: list[Imported] = []
    matched: set[str] = set()
    for path in folders:
        current = corpus.load(path)
        found = by_text.get(current.text, [])
        if len(found) > 1:
            ids = ", ".join(doc.id for doc in found)
            raise InputError(os.fspath(source), f"{len(found)} documents ({ids}) have the text of {current.id!r}")
        target = corpus.annotations_path(path)
        if not found:
            results.append(Imported(current, target, (), unchanged="the export does not hold its text"))
            continue
        matched.add(current.text)
        results.append(_merge(current, found[0], target, fmt, chosen, explicit=layers is not None, source=source))
    strays = [doc.id for doc in exported if doc.text not in matched]
    if strays:
        where = f"{len(strays)} document(s) of the export ({', '.join(strays)})"
        raise InputError(os.fspath(source), f"{where} match no document in {os.fspath(folder)} by text")
    _write(results)
    return results


def _format_and_layers(
    source: str | os.PathLike[str], fmt: str | None, layers: Sequence[str] | None
) -> tuple[str, list[str]]:
    fmt = fmt or registry.guess(source)
    if fmt is None:
        raise InputError(os.fspath(source), "cannot tell the format from the name; give --from FORMAT")
    carried = registry.FORMATS[fmt].carries.split(",")
    chosen = list(layers or carried)
    for layer in chosen:
        if layer not in LAYERS:
            raise InputError(os.fspath(source), f"unknown layer {layer!r}; layers are: {', '.join(LAYERS)}")
        if layer not in carried:
            raise InputError(os.fspath(source), f"{fmt} does not carry {layer}; it carries {', '.join(carried)}")
    return fmt, chosen


def _merge(
    current: Document,
    imported: Document,
    target: Path,
    fmt: str,
    chosen: list[str],
    *,
    explicit: bool,
    source: str | os.PathLike[str],
) -> Imported:
    """``current`` with the chosen layers of ``imported``, checked; refuses to empty a layer unasked."""
    before = current.to_dict(include_text=False)
    new = imported.to_dict(include_text=False)
    carried = registry.FORMATS[fmt].carries.split(",")
    if not explicit and not any(new[layer] for layer in carried):
        why = f"the export holds no annotation for {current.id!r} (was its task skipped?)"
        return Imported(current, target, (), unchanged=why)
    emptied = [layer for layer in chosen if before[layer] and not new[layer]]
    if emptied and not explicit:
        counts = ", ".join(f"{layer} {len(before[layer])} -> 0" for layer in emptied)
        hint = "name them in --layers to empty them anyway, or give --layers without them to keep them"
        raise InputError(os.fspath(source), f"would empty layers of {current.id!r} ({counts}); {hint}")
    kept: Counter[str] = Counter()
    data = dict(before)
    for layer in chosen:
        fields = FIELDS_LEFT_OUT.get(fmt, {}).get(layer, ())
        data[layer] = _keep_fields(before[layer], new[layer], fields, kept) if fields else new[layer]
    checked = corpus.validated(data, current.text, f"{source} imported into {target}")
    merged = Document.from_dict(checked)
    changes = tuple((layer, len(before[layer]), len(data[layer])) for layer in chosen)
    return Imported(merged, target, changes, tuple((_FIELD_NAMES[f], n) for f, n in kept.items()))


def _keep_fields(
    old: list[dict[str, Any]], new: list[dict[str, Any]], fields: tuple[str, ...], kept: Counter[str]
) -> list[dict[str, Any]]:
    """``new`` with ``fields`` filled in from the ``old`` item of the same span (same id first)."""
    by_id = {item["id"]: item for item in old}
    by_span: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for item in old:
        by_span.setdefault((item["start"], item["end"]), []).append(item)
    out = []
    for item in new:
        span = (item["start"], item["end"])
        same = by_id.get(item["id"])
        if same is None or (same["start"], same["end"]) != span:
            candidates = by_span.get(span, [])
            same = next((c for c in candidates if c.get("label") == item.get("label")), None) or next(
                iter(candidates), None
            )
        item = dict(item)
        if same is not None:
            for name in fields:
                if item.get(name) is not None or same.get(name) is None:
                    continue
                if name == "role" and same.get("label") != item.get("label"):
                    continue  # a metonymy role belongs to the label it was given with
                item[name] = same[name]
                kept[name] += 1
        out.append(item)
    return out


def _write(results: list[Imported]) -> None:
    for done in results:
        if done.unchanged is None:
            data = done.document.to_dict(include_text=False)
            write_text_atomic(done.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
