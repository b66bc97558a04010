"""Label Studio: a labelling config, tasks to import (with pre-annotations), and exports back.

``labelling_config()`` is the XML to paste into a project's *Labeling Interface*: a
``Labels`` control ``label`` with the 18 OntoNotes labels for entities, a ``Labels`` control
``timex`` with the TIMEX3 types, and a per-region ``TextArea`` ``timex_value`` for the
normalised value. ``write_tasks(path, docs)`` writes a JSON list of tasks, one per document,
``data.text`` holding the text, ``data.doc_id`` the id and ``data.metadata`` the metadata; the
annotations go under ``predictions`` (pre-annotations to correct) or, with
``as_annotations=True``, under ``annotations`` (then with task and annotation ids: the shape of
a Label Studio export, which label-studio-converter reads). ``read_labelstudio(path)`` reads a
Label Studio JSON export (or our own tasks) back, one document per task, from the task's latest
submitted annotation: a skipped or cancelled one is never read, and without a submitted one the
task's pre-annotations are read when the file holds them (a real export lists them by id only).
Region ids naming a corpuskit item (``entities:T5``) are kept; regions drawn in Label Studio get
the first free id. Entities and timexes come back in text order.

Carries: ``entities`` (span and label; region ids keep the corpuskit ids) and ``timexes``
(span, type, value). Not carried: cluster links, metonymy roles, timex ``mod``/``anchor``,
and the other layers; writing a document that has them warns, naming what is left out.
Errors name the file and the task and result (JSON exports have no useful line numbers).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from corpuskit.corpus import from_data, read_json, with_empty_layers
from corpuskit.errors import InputError
from corpuskit.fileio import write_text_atomic
from corpuskit.formats.base import new_id, select, warn
from corpuskit.model import ENTITY_LABELS, TIMEX_TYPES, Document

CARRIES = frozenset({"entities", "timexes"})
ENTITY_CONTROL, TIMEX_CONTROL, VALUE_CONTROL, TEXT = "label", "timex", "timex_value", "text"


def labelling_config() -> str:
    """The Label Studio labelling config (XML) matching the tasks corpuskit writes."""
    entity_labels = "\n".join(f"    <Label value={quoteattr(label)}/>" for label in ENTITY_LABELS)
    timex_labels = "\n".join(f"    <Label value={quoteattr(kind)}/>" for kind in TIMEX_TYPES)
    return (
        "<View>\n"
        f'  <Labels name="{ENTITY_CONTROL}" toName="{TEXT}">\n{entity_labels}\n  </Labels>\n'
        f'  <Labels name="{TIMEX_CONTROL}" toName="{TEXT}">\n{timex_labels}\n  </Labels>\n'
        f'  <Text name="{TEXT}" value="$text"/>\n'
        f'  <TextArea name="{VALUE_CONTROL}" toName="{TEXT}" perRegion="true" editable="true" '
        'maxSubmissions="1" placeholder="TIMEX3 value, e.g. 2019-02-28"/>\n'
        "</View>\n"
    )


def to_task(doc: Document, layers: Iterable[str] | None = None, *, as_annotations: bool = False) -> dict[str, Any]:
    """One Label Studio task for ``doc``, its annotations as pre-annotations or annotations."""
    doc = select(doc, "Label Studio", CARRIES, layers)
    lost = sum(e.role is not None for e in doc.entities)
    if lost:
        warn(f"Label Studio tasks cannot carry metonymy roles; {lost} left out")
    lost = sum(t.mod is not None or t.anchor is not None for t in doc.timexes)
    if lost:
        warn(f"Label Studio tasks cannot carry timex mod/anchor; left out on {lost} timexes")
    result: list[dict[str, Any]] = []

    def region(rid: str, control: str, kind: str, start: int, end: int, **value: Any) -> dict[str, Any]:
        span = {"start": start, "end": end, "text": doc.text[start:end]}
        return {"id": rid, "from_name": control, "to_name": TEXT, "type": kind, "value": {**span, **value}}

    for entity in doc.entities:
        result.append(
            region(f"entities:{entity.id}", ENTITY_CONTROL, "labels", entity.start, entity.end, labels=[entity.label])
        )
    for timex in doc.timexes:
        rid = f"timexes:{timex.id}"
        result.append(region(rid, TIMEX_CONTROL, "labels", timex.start, timex.end, labels=[timex.type]))
        result.append(region(rid, VALUE_CONTROL, "textarea", timex.start, timex.end, text=[timex.value]))
    key = "annotations" if as_annotations else "predictions"
    entry: dict[str, Any] = {"result": result}
    if not as_annotations:
        entry["model_version"] = "corpuskit"
    data = {TEXT: doc.text, "doc_id": doc.id, "title": doc.title, "metadata": dict(doc.metadata)}
    return {"data": data, key: [entry]}


def write_tasks(
    path: str | os.PathLike[str],
    docs: Iterable[Document],
    layers: Iterable[str] | None = None,
    *,
    as_annotations: bool = False,
) -> None:
    """Write a Label Studio import file (a JSON list of tasks), atomically."""
    layer_list = list(layers) if layers is not None else None
    tasks = [to_task(doc, layer_list, as_annotations=as_annotations) for doc in docs]
    if as_annotations:
        # The shape of a Label Studio export, which label-studio-converter reads, has ids.
        for number, task in enumerate(tasks, start=1):
            task["id"] = number
            task["annotations"][0]["id"] = number
    write_text_atomic(path, json.dumps(tasks, indent=2, ensure_ascii=False) + "\n")


def read_labelstudio(path: str | os.PathLike[str], text: str | None = None) -> Iterator[Document]:
    """Documents from a Label Studio export, one per task.

    ``text``, when given, keeps only the tasks whose text it is (an export of a project holding
    several documents), and refuses an export where there is none.
    """
    where = str(path)
    data = read_json(Path(path))
    tasks = data if isinstance(data, list) else [data]
    if not tasks:
        why = "Label Studio exports only annotated tasks unless asked for all of them"
        raise InputError(where, f"holds no tasks ({why}); nothing to read")
    found = 0
    for number, task in enumerate(tasks, start=1):
        here = f"{where}: task {number}"
        if text is not None and _task_text(task, here) != text:
            continue
        found += 1
        yield from_task(task, here)
    if text is not None and not found:
        why = "was it exported from another project?"
        raise InputError(where, f"none of its {len(tasks)} task(s) is for the article's text ({why})")


def _task_text(task: Any, where: str) -> str:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise InputError(where, "is not a Label Studio task (an object with 'data')")
    body = task["data"].get(TEXT)
    if not isinstance(body, str):
        raise InputError(where, f"has no string data.{TEXT}")
    return body


class AnnotationChoice(UserWarning):
    """Which of a task's annotations was read, when there was a choice (printed by the CLI)."""


def choose_annotation(task: dict[str, Any], where: str) -> list[Any]:
    """The ``result`` list to read from a task: its latest submitted annotation.

    A skipped or cancelled annotation (``was_cancelled``) is never taken; without a submitted
    annotation, the task's pre-annotations are read when the file holds them (our own tasks
    file), and otherwise nothing (a Label Studio export lists predictions by id only).
    """
    entries = [*(task.get("annotations") or ()), *(task.get("completions") or ())]
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("result"), list):
            raise InputError(where, f"annotation {index} has no 'result' list")
    submitted = [e for e in entries if not e.get("was_cancelled")]
    cancelled = len(entries) - len(submitted)
    skipped = f"{cancelled} skipped or cancelled annotation(s) left out" if cancelled else ""
    if submitted:
        chosen = max(submitted, key=lambda e: (str(e.get("updated_at") or e.get("created_at") or ""), _number(e)))
        if len(entries) > 1:
            when = chosen.get("updated_at") or chosen.get("created_at") or "no date"
            others = len(submitted) - 1
            left = ", ".join(part for part in (f"{others} earlier one(s)" if others else "", skipped) if part)
            name = f"annotation {chosen.get('id', '?')}"
            warnings.warn(
                f"{where}: read {name} (the latest submitted, {when}); {left}", AnnotationChoice, stacklevel=3
            )
        result: list[Any] = chosen["result"]
        return result
    predictions = [
        p for p in task.get("predictions") or () if isinstance(p, dict) and isinstance(p.get("result"), list)
    ]
    if predictions:
        if cancelled:
            warnings.warn(
                f"{where}: no submitted annotation ({skipped}); read its pre-annotations",
                AnnotationChoice,
                stacklevel=3,
            )
        latest: list[Any] = predictions[-1]["result"]
        return latest
    if entries or task.get("predictions"):
        why = skipped or "pre-annotations are listed by id only in an export"
        warnings.warn(f"{where}: no submitted annotation ({why}); read as unannotated", AnnotationChoice, stacklevel=3)
    return []


def _number(entry: dict[str, Any]) -> int:
    number = entry.get("id")
    return number if isinstance(number, int) else 0


def from_task(task: Any, where: str) -> Document:
    """The document one task holds, from its latest submitted annotation; entities in text order."""
    body = _task_text(task, where)
    result = choose_annotation(task, where)
    # Region ids that name a corpuskit item ("entities:T5") are kept; the others (regions drawn
    # in Label Studio) get the first free number, so kept pre-annotations never collide.
    taken = {layer: set() for layer in ("entities", "timexes")}  # type: dict[str, set[str]]
    for item in result:
        rid = str(item.get("id", "")) if isinstance(item, dict) else ""
        layer, _, item_id = rid.partition(":")
        if layer in taken and item_id:
            taken[layer].add(item_id)
    entities: list[dict[str, Any]] = []
    timexes: dict[str, dict[str, Any]] = {}
    values: dict[str, str] = {}
    for index, item in enumerate(result, start=1):
        here = f"{where}, result {index}"
        if not isinstance(item, dict) or item.get("type") == "relation":
            continue
        value = item.get("value")
        if not isinstance(value, dict) or not {"start", "end"} <= set(value):
            raise InputError(here, "region has no value.start/value.end")
        start, end = value["start"], value["end"]
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(body)):
            raise InputError(here, f"offsets [{start}, {end}) are not inside the text (length {len(body)})")
        if "text" in value and isinstance(value["text"], str) and value["text"] != body[start:end]:
            shown = f"region text {value['text']!r} differs from the task text at [{start}, {end})"
            raise InputError(here, f"{shown}: {body[start:end]!r}")
        rid = str(item.get("id", f"r{index}"))
        span = {"start": start, "end": end, "text": body[start:end]}
        control = item.get("from_name")
        if control == VALUE_CONTROL:
            texts = value.get("text")
            values[rid] = str(texts[0]) if isinstance(texts, list) and texts else ""
            continue
        labels = value.get("labels") or []
        if not labels:
            raise InputError(here, "region has no labels")
        if control == ENTITY_CONTROL:
            if labels[0] not in ENTITY_LABELS:
                raise InputError(here, f"label {labels[0]!r} is not an OntoNotes entity label")
            eid = _item_id(rid, "entities", taken["entities"])
            entities.append({"id": eid, **span, "label": labels[0], "cluster": None})
        elif control == TIMEX_CONTROL:
            if labels[0] not in TIMEX_TYPES:
                raise InputError(here, f"timex type {labels[0]!r} is not one of {', '.join(TIMEX_TYPES)}")
            timexes[rid] = {"id": _item_id(rid, "timexes", taken["timexes"]), **span, "type": labels[0]}
        else:
            raise InputError(here, f"control {control!r} is not in corpuskit's labelling config")
    for rid, timex in timexes.items():
        timex["value"] = values.get(rid) or "XXXX-XX-XX"
    doc_id = str(task["data"].get("doc_id") or f"labelstudio-{task.get('id', 'task')}")
    metadata = task["data"].get("metadata")
    if not isinstance(metadata, dict):
        metadata = {"title": str(task["data"].get("title") or doc_id)}
    data = {
        "id": doc_id,
        "metadata": metadata,
        "entities": sorted(entities, key=_text_order),
        "timexes": sorted(timexes.values(), key=_text_order),
    }
    return from_data(with_empty_layers(data), body, where)


def _text_order(item: dict[str, Any]) -> tuple[int, int]:
    return item["start"], item["end"]


def _item_id(region_id: str, layer: str, taken: set[str]) -> str:
    prefix = f"{layer}:"
    if region_id.startswith(prefix) and len(region_id) > len(prefix):
        return region_id[len(prefix) :]
    return new_id("T" if layer == "entities" else "X", taken)
