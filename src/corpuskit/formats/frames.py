"""pandas: one DataFrame per layer, and CSV files (one per frame) both ways.

``to_frames(doc)`` gives a dict of DataFrames: ``sections``, ``entities``, ``clusters``,
``mentions`` (one row per coreference mention, ``cluster`` column), ``quotes`` (content,
cue and source flattened to ``content_start``... columns), ``events``, ``arguments`` (one row
per event argument, ``event`` column) and ``timexes``. Offsets are the document's.
``from_frames(frames, text, ...)`` builds the document back; every layer is carried.

CSV: ``write_csv(stem, doc)`` writes ``STEM.LAYER.csv`` for each frame plus ``STEM.txt``
(the text) and ``STEM.meta.json`` (id and metadata); ``-o`` takes the stem (or a folder,
then the stem is the document id). ``read_csv(stem)`` reads them back; errors name the CSV
file and its line.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuskit.corpus import from_data, read_json, read_text
from corpuskit.errors import InputError
from corpuskit.fileio import write_text_atomic
from corpuskit.formats.base import select
from corpuskit.model import LAYERS, Document

if TYPE_CHECKING:
    import pandas as pd

CARRIES = frozenset(LAYERS)
FRAMES = ("sections", "entities", "clusters", "mentions", "quotes", "events", "arguments", "timexes")
_SPAN_PARTS = ("content", "cue", "source")
COLUMNS: dict[str, tuple[str, ...]] = {
    "sections": ("id", "kind", "start", "end", "text"),
    "entities": ("id", "start", "end", "text", "label", "cluster", "role"),
    "clusters": ("id", "name", "type", "wikidata", "members"),
    "mentions": ("cluster", "start", "end", "text", "form"),
    "quotes": (
        "id",
        *(f"{p}_{k}" for p in _SPAN_PARTS for k in ("start", "end", "text")),
        "speaker",
        "kind",
        "nested_in",
    ),
    "events": (
        "id",
        "trigger_start",
        "trigger_end",
        "trigger_text",
        "type",
        "polarity",
        "modality",
        "tense",
        "realis",
        "note",
    ),
    "arguments": ("event", "role", "start", "end", "text", "cluster"),
    "timexes": ("id", "start", "end", "text", "type", "value", "mod", "anchor"),
}
_INTS = {"start", "end", *(f"{p}_{k}" for p in (*_SPAN_PARTS, "trigger") for k in ("start", "end"))}


def rows(doc: Document) -> dict[str, list[dict[str, Any]]]:
    """The rows of each frame as plain dicts (what ``to_frames`` puts in DataFrames)."""

    def flat(prefix: str, span: Any) -> dict[str, Any]:
        return {f"{prefix}_{k}": (None if span is None else getattr(span, k)) for k in ("start", "end", "text")}

    return {
        "sections": [s.to_dict() for s in doc.sections],
        "entities": [{"role": None, **e.to_dict()} for e in doc.entities],
        "clusters": [
            {"id": c.id, "name": c.name, "type": c.type, "wikidata": c.wikidata, "members": " ".join(c.members) or None}
            for c in doc.clusters
        ],
        "mentions": [{"cluster": c.id, **m.to_dict()} for c in doc.clusters for m in c.mentions],
        "quotes": [
            {
                "id": q.id,
                **flat("content", q.content),
                **flat("cue", q.cue),
                **flat("source", q.source),
                "speaker": q.speaker,
                "kind": q.kind,
                "nested_in": q.nested_in,
            }
            for q in doc.quotes
        ],
        "events": [
            {
                "id": e.id,
                **flat("trigger", e.trigger),
                "type": e.type,
                "polarity": e.polarity,
                "modality": e.modality,
                "tense": e.tense,
                "realis": e.realis,
                "note": e.note,
            }
            for e in doc.events
        ],
        "arguments": [{"event": e.id, **a.to_dict()} for e in doc.events for a in e.arguments],
        "timexes": [{"mod": None, "anchor": None, **t.to_dict()} for t in doc.timexes],
    }


def to_frames(doc: Document, layers: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """One DataFrame per layer (plus ``mentions`` and ``arguments``), columns as ``COLUMNS``."""
    import pandas as pd

    doc = select(doc, "pandas", CARRIES, layers)
    return {name: pd.DataFrame(items, columns=list(COLUMNS[name])) for name, items in rows(doc).items()}


def from_frames(
    frames: dict[str, pd.DataFrame],
    text: str,
    doc_id: str,
    metadata: dict[str, Any] | None = None,
    where: str = "<frames>",
) -> Document:
    """The document the frames describe; missing frames are empty layers."""
    records = {name: [_clean(r) for r in frame.to_dict("records")] for name, frame in frames.items()}
    return from_rows(records, text, doc_id, metadata, where)


def from_rows(
    records: dict[str, list[dict[str, Any]]],
    text: str,
    doc_id: str,
    metadata: dict[str, Any] | None = None,
    where: str = "<frames>",
) -> Document:
    """The document from ``rows``-shaped records."""

    def get(name: str) -> list[dict[str, Any]]:
        return records.get(name, [])

    def span(row: dict[str, Any], prefix: str) -> dict[str, Any] | None:
        if row.get(f"{prefix}_start") is None:
            return None
        return {"start": row[f"{prefix}_start"], "end": row[f"{prefix}_end"], "text": row[f"{prefix}_text"]}

    def drop_none(row: dict[str, Any], *keys: str) -> dict[str, Any]:
        return {k: v for k, v in row.items() if not (k in keys and v is None)}

    mentions: dict[str, list[dict[str, Any]]] = {}
    for row in get("mentions"):
        mentions.setdefault(row["cluster"], []).append({k: row[k] for k in ("start", "end", "text", "form")})
    arguments: dict[str, list[dict[str, Any]]] = {}
    for row in get("arguments"):
        arguments.setdefault(row["event"], []).append({k: row[k] for k in ("role", "start", "end", "text", "cluster")})
    clusters = []
    for row in get("clusters"):
        cluster = {**drop_none(row, "members"), "mentions": mentions.get(row["id"], [])}
        if row.get("members"):
            cluster["members"] = str(row["members"]).split()
        clusters.append(cluster)
    data = {
        "id": doc_id,
        "metadata": metadata or {"title": doc_id},
        "sections": get("sections"),
        "entities": [drop_none(r, "role") for r in get("entities")],
        "clusters": clusters,
        "quotes": [
            {
                "id": r["id"],
                "content": span(r, "content"),
                "cue": span(r, "cue"),
                "source": span(r, "source"),
                **drop_none({k: r.get(k) for k in ("speaker", "kind", "nested_in")}, "nested_in"),
            }
            for r in get("quotes")
        ],
        "events": [
            {
                **drop_none({k: r.get(k) for k in COLUMNS["events"] if not k.startswith("trigger")}, "note"),
                "trigger": span(r, "trigger"),
                "arguments": arguments.get(r["id"], []),
            }
            for r in get("events")
        ],
        "timexes": [drop_none(r, "mod", "anchor") for r in get("timexes")],
    }
    return from_data(data, text, where)


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """pandas' NaN/None and numpy ints as plain JSON values."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out[key] = None
        elif key in _INTS:
            out[key] = int(value)
        else:
            out[key] = value.item() if hasattr(value, "item") else value
    return out


# -- CSV ---------------------------------------------------------------------------------


def csv_stem(path: str | os.PathLike[str], doc_id: str | None = None) -> Path:
    target = Path(path)
    if os.fspath(path).endswith(os.sep):
        target.mkdir(parents=True, exist_ok=True)
    if target.is_dir():
        if doc_id is None:
            raise InputError(str(target), "is a folder; give the path stem of the CSV files")
        return target / doc_id
    return target


def write_csv(path: str | os.PathLike[str], doc: Document, layers: Iterable[str] | None = None) -> list[Path]:
    """Write ``STEM.LAYER.csv`` per frame, ``STEM.txt`` and ``STEM.meta.json``; return the paths."""
    import csv
    import io

    doc = select(doc, "CSV", CARRIES, layers)
    stem = csv_stem(path, doc.id)
    contents: dict[Path, str] = {}
    for name, items in rows(doc).items():
        buffer = io.StringIO()
        # Strings are always quoted: a bare "\r" in a note would otherwise end the row.
        writer = csv.DictWriter(
            buffer, fieldnames=list(COLUMNS[name]), lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC
        )
        writer.writeheader()
        writer.writerows(items)
        contents[Path(f"{stem}.{name}.csv")] = buffer.getvalue()
    contents[Path(f"{stem}.txt")] = doc.text
    contents[Path(f"{stem}.meta.json")] = json.dumps({"id": doc.id, "metadata": dict(doc.metadata)}, indent=2) + "\n"
    for target, content in contents.items():
        write_text_atomic(target, content)
    return list(contents)


def read_csv(path: str | os.PathLike[str]) -> Document:
    """Read the files ``write_csv`` wrote for one stem."""
    import csv

    stem = Path(path)
    text = read_text(Path(f"{stem}.txt"))
    meta_path = Path(f"{stem}.meta.json")
    info: dict[str, Any] = {"id": stem.name, "metadata": {"title": stem.name}}
    if meta_path.is_file():
        info = read_json(meta_path)
    records: dict[str, list[dict[str, Any]]] = {}
    for name in FRAMES:
        file = Path(f"{stem}.{name}.csv")
        if not file.is_file():
            continue
        with file.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS[name] if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(str(file), f"lacks column(s) {', '.join(missing)}", 1)
            records[name] = []
            for row in reader:
                records[name].append(_csv_row(row, str(file), reader.line_num))
    where = f"{stem}.*.csv"
    return from_rows(records, text, str(info.get("id")), info.get("metadata"), where)


def _csv_row(row: dict[str, Any], where: str, line: int) -> dict[str, Any]:
    if None in row or any(value is None for value in row.values()):
        raise InputError(where, "has a different number of fields than the header", line)
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value == "":
            out[key] = None
        elif key in _INTS:
            try:
                out[key] = int(value)
            except ValueError:
                raise InputError(where, f"{key} {value!r} is not an integer offset", line) from None
        else:
            out[key] = value
    return out
