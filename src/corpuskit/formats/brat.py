"""brat standoff: ``NAME.txt`` + ``NAME.ann``, with an ``annotation.conf`` a brat server reads.

Files: ``write_brat(path, doc)`` takes a folder (files are named after ``doc.id``) or a path
stem (``out/hanoi`` writes ``out/hanoi.txt``, ``out/hanoi.ann``); ``annotation.conf`` goes
in the same folder, and ``NAME.meta.json`` keeps the document id and metadata, which brat
has no place for (brat ignores the file). ``read_brat`` takes the stem, the ``.ann`` or the
``.txt`` path, or a folder holding exactly one ``.ann``.

Lines written (all layers are carried):

- ``T``: one per span. Entities have their OntoNotes label as type; sections are
  ``Headline``/``Lede``/``Caption``/``Paragraph``; coreference mentions ``Mention``; quotes
  ``Quote`` (content), ``Cue`` and ``Source``; event triggers the event type with ``_`` for
  ``.`` (``Contact_Meet``); event arguments ``Argument``; time expressions ``TIMEX3``.
  Discontinuous spans (``0 3;8 13``) are accepted on read as their covering span, with a
  warning.
- ``E``: events, ``E1<TAB>Contact_Meet:T6 Entity:T7 Entity2:T8`` (a repeated role takes a
  number, as brat does; ``-`` in role names is written ``_``).
- ``R``: ``Speaker`` (quote to source), ``HasCue`` (quote to cue), ``NestedIn`` (quote to
  the quote containing it).
- ``A``: ``Role`` (metonymy), ``Form`` (mention), ``Kind`` (quote), ``TimexType``,
  ``Polarity``, ``Modality``, ``Tense``, ``Realis``.
- ``#``: one ``AnnotatorNotes`` per annotation holding a JSON object with what brat has no
  slot for: the corpuskit id, cluster links, a cluster's name/type/wikidata/members (on its
  first mention), a timex's ``value``/``mod``/``anchor``, an event's ``note``. Notes are
  optional on read: an annotation made in brat without one gets its brat id and defaults
  (events: positive, asserted, unspecified, actual; quotes: direct).
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuskit.corpus import from_data, read_json, read_text
from corpuskit.errors import InputError
from corpuskit.fileio import write_text_atomic
from corpuskit.formats.base import LayerNotCarriedWarning, select
from corpuskit.model import (
    ENTITY_LABELS,
    LAYERS,
    MENTION_FORMS,
    METONYMY_ROLES,
    MODALITIES,
    POLARITIES,
    QUOTE_KINDS,
    REALIS,
    SECTION_KINDS,
    TENSES,
    TIMEX_TYPES,
    Document,
)

CARRIES = frozenset(LAYERS)
CONF_FILE = "annotation.conf"
NOTE = "AnnotatorNotes"
_SECTION_TYPES = {kind: kind.capitalize() for kind in SECTION_KINDS}
_EVENT_ATTRIBUTES = {"Polarity": POLARITIES, "Modality": MODALITIES, "Tense": TENSES, "Realis": REALIS}
_EVENT_DEFAULTS = {"polarity": "positive", "modality": "asserted", "tense": "unspecified", "realis": "actual"}

_T = re.compile(r"(T\d+)\t([^\s:]+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)")
_E = re.compile(r"(E\d+)\t([^\s:]+):(T\d+)((?: [^\s:]+:[TE]\d+)*) *")
_R = re.compile(r"(R\d+)\t(\S+) Arg1:(T\d+) Arg2:(T\d+) *")
_A = re.compile(r"([AM]\d+)\t(\S+) ([TE]\d+)(?: (\S+))? *")
_NOTE = re.compile(r"#\d*\t(\S+) ([TERAM]\d+)\t(.*)")


# -- writing ---------------------------------------------------------------------------


def brat_paths(path: str | os.PathLike[str], doc_id: str | None = None) -> tuple[Path, Path, Path, Path]:
    """``(txt, ann, meta, conf)`` for a folder (with ``doc_id``) or a path stem."""
    target = Path(path)
    if target.is_dir() or os.fspath(path).endswith(os.sep):
        if doc_id is None:
            raise InputError(str(target), "is a folder; give the document's path stem or its .ann file")
        target.mkdir(parents=True, exist_ok=True)
        stem = target / doc_id
    else:
        stem = target.with_suffix("") if target.suffix in (".ann", ".txt") else target
    return stem.with_suffix(".txt"), stem.with_suffix(".ann"), Path(f"{stem}.meta.json"), stem.parent / CONF_FILE


def dumps_ann(doc: Document, layers: Iterable[str] | None = None) -> str:
    """The ``.ann`` text of ``doc``."""
    return _Writer(select(doc, "brat", CARRIES, layers)).ann()


def write_brat(path: str | os.PathLike[str], doc: Document, layers: Iterable[str] | None = None) -> list[Path]:
    """Write ``.txt``, ``.ann``, ``.meta.json`` and ``annotation.conf``; return the paths written."""
    doc = select(doc, "brat", CARRIES, layers)
    txt, ann, meta, conf = brat_paths(path, doc.id)
    writer = _Writer(doc)
    contents = {
        txt: doc.text,
        ann: writer.ann(),
        meta: json.dumps({"id": doc.id, "metadata": dict(doc.metadata)}, indent=2, ensure_ascii=False) + "\n",
        conf: annotation_conf(doc),
    }
    for target, content in contents.items():
        write_text_atomic(target, content)
    return list(contents)


def annotation_conf(doc: Document | None = None) -> str:
    """An ``annotation.conf`` for brat: every type, relation and attribute corpuskit writes.

    Event types and roles come from ``doc`` (brat needs each listed); without a document
    the events section is empty.
    """
    entities = [*ENTITY_LABELS, *_SECTION_TYPES.values(), "Mention", "Quote", "Cue", "Source", "Argument", "TIMEX3"]
    roles: dict[str, set[str]] = {}
    for event in doc.events if doc else ():
        slots = roles.setdefault(_event_type(event.type), set())
        slots.update(_role_name(a.role) for a in event.arguments)
    events = [
        f"{name}\t" + ", ".join(f"{role}*:<ENTITY>" for role in sorted(slots)) if slots else name
        for name, slots in sorted(roles.items())
    ]
    attributes = [
        f"Role\tArg:<ENTITY>, Value:{'|'.join(METONYMY_ROLES)}",
        f"Form\tArg:Mention, Value:{'|'.join(MENTION_FORMS)}",
        f"Kind\tArg:Quote, Value:{'|'.join(QUOTE_KINDS)}",
        f"TimexType\tArg:TIMEX3, Value:{'|'.join(TIMEX_TYPES)}",
        *(f"{name}\tArg:<EVENT>, Value:{'|'.join(values)}" for name, values in _EVENT_ATTRIBUTES.items()),
    ]
    relations = [
        "Speaker\tArg1:Quote, Arg2:Source",
        "HasCue\tArg1:Quote, Arg2:Cue",
        "NestedIn\tArg1:Quote, Arg2:Quote",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
    ]
    parts = [
        "[entities]",
        *entities,
        "",
        "[relations]",
        *relations,
        "",
        "[events]",
        *events,
        "",
        "[attributes]",
        *attributes,
    ]
    return "# annotation.conf written by corpuskit for its brat export\n" + "\n".join(parts) + "\n"


def _event_type(name: str) -> str:
    return name.replace(".", "_")


def _role_name(role: str) -> str:
    return role.replace("-", "_")


def _fragment_text(text: str) -> str:
    # brat keeps one annotation per line, so line breaks and tabs inside a span become spaces.
    return text.replace("\n", " ").replace("\t", " ")


@dataclass
class _Writer:
    doc: Document
    spans: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"T": 0, "E": 0, "R": 0, "A": 0})

    def ann(self) -> str:
        doc = self.doc
        for section in doc.sections:
            self._note(self._t(_SECTION_TYPES[section.kind], section.start, section.end), {"id": section.id})
        for entity in doc.entities:
            tid = self._t(entity.label, entity.start, entity.end)
            if entity.role is not None:
                self._a("Role", tid, entity.role)
            self._note(tid, {"id": entity.id, "cluster": entity.cluster})
        for cluster in doc.clusters:
            for number, mention in enumerate(cluster.mentions):
                tid = self._t("Mention", mention.start, mention.end)
                self._a("Form", tid, mention.form)
                info: dict[str, Any] = {"cluster": cluster.id}
                if number == 0:
                    info.update(name=cluster.name, type=cluster.type, wikidata=cluster.wikidata)
                    if cluster.members:
                        info["members"] = list(cluster.members)
                self._note(tid, info)
        quote_tids: dict[str, str] = {}
        for quote in doc.quotes:
            tid = quote_tids[quote.id] = self._t("Quote", quote.content.start, quote.content.end)
            self._a("Kind", tid, quote.kind)
            self._note(tid, {"id": quote.id, "speaker": quote.speaker})
            if quote.cue is not None:
                self._r("HasCue", tid, self._t("Cue", quote.cue.start, quote.cue.end))
            if quote.source is not None:
                self._r("Speaker", tid, self._t("Source", quote.source.start, quote.source.end))
        for quote in doc.quotes:
            if quote.nested_in is not None:
                self._r("NestedIn", quote_tids[quote.id], quote_tids[quote.nested_in])
        for event in doc.events:
            trigger = self._t(_event_type(event.type), event.trigger.start, event.trigger.end)
            seen: dict[str, int] = {}
            args = []
            for argument in event.arguments:
                role = _role_name(argument.role)
                seen[role] = seen.get(role, 0) + 1
                atid = self._t("Argument", argument.start, argument.end)
                self._note(atid, {"cluster": argument.cluster})
                args.append(f" {role}{seen[role] if seen[role] > 1 else ''}:{atid}")
            eid = self._next("E")
            self.lines.append(f"{eid}\t{_event_type(event.type)}:{trigger}{''.join(args)}")
            for name in _EVENT_ATTRIBUTES:
                self._a(name, eid, getattr(event, name.lower()))
            self._note(eid, {"id": event.id, "note": event.note})
        for timex in doc.timexes:
            tid = self._t("TIMEX3", timex.start, timex.end)
            self._a("TimexType", tid, timex.type)
            self._note(tid, {"id": timex.id, "value": timex.value, "mod": timex.mod, "anchor": timex.anchor})
        notes = [
            f"#{n}\t{NOTE} {target}\t{json.dumps({k: v for k, v in info.items() if v is not None}, ensure_ascii=False)}"
            for n, (target, info) in enumerate(self.notes, start=1)
        ]
        return "".join(line + "\n" for line in [*self.spans, *self.lines, *notes])

    def _next(self, kind: str) -> str:
        self.counts[kind] += 1
        return f"{kind}{self.counts[kind]}"

    def _t(self, kind: str, start: int, end: int) -> str:
        tid = self._next("T")
        self.spans.append(f"{tid}\t{kind} {start} {end}\t{_fragment_text(self.doc.text[start:end])}")
        return tid

    def _a(self, name: str, target: str, value: str) -> None:
        self.lines.append(f"{self._next('A')}\t{name} {target} {value}")

    def _r(self, name: str, arg1: str, arg2: str) -> None:
        self.lines.append(f"{self._next('R')}\t{name} Arg1:{arg1} Arg2:{arg2}")

    def _note(self, target: str, info: dict[str, Any]) -> None:
        if any(value is not None for value in info.values()):
            self.notes.append((target, info))


# -- reading ---------------------------------------------------------------------------


@dataclass
class _Span:
    kind: str
    start: int
    end: int
    line: int
    attrs: dict[str, str] = field(default_factory=dict)
    note: dict[str, Any] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)


@dataclass
class _Event:
    kind: str
    trigger: str
    args: list[tuple[str, str]]
    line: int
    attrs: dict[str, str] = field(default_factory=dict)
    note: dict[str, Any] = field(default_factory=dict)


def read_brat(path: str | os.PathLike[str]) -> Document:
    """Read a ``.txt``/``.ann`` pair (and ``.meta.json`` when present) into a ``Document``."""
    target = Path(path)
    if target.is_dir():
        anns = sorted(target.glob("*.ann"))
        if len(anns) != 1:
            raise InputError(str(target), f"holds {len(anns)} .ann files; name the one to read")
        target = anns[0]
    txt, ann, meta, _ = brat_paths(target)
    text = read_text(txt)
    try:
        source = ann.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(ann), "no such file") from None
    except UnicodeDecodeError as err:
        raise InputError(str(ann), f"is not UTF-8 ({err.reason})") from None
    info = read_json(meta) if meta.is_file() else {"id": _doc_id(txt.stem), "metadata": {"title": txt.stem}}
    if not isinstance(info, dict):
        raise InputError(str(meta), "expected an object with 'id' and 'metadata'")
    data = _Reader(str(ann), text).read(source)
    return from_data({"id": info.get("id"), "metadata": info.get("metadata"), **data}, text, str(ann))


def _doc_id(stem: str) -> str:
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")
    return cleaned or "document"


class _Reader:
    def __init__(self, where: str, text: str) -> None:
        self.where = where
        self.text = text
        self.spans: dict[str, _Span] = {}
        self.events: dict[str, _Event] = {}

    def fail(self, line: int, message: str) -> InputError:
        return InputError(self.where, message, line)

    def read(self, source: str) -> dict[str, Any]:
        pending: list[tuple[int, str]] = []
        for number, line in enumerate(source.split("\n"), start=1):
            if not line.strip():
                continue
            if line.startswith("T"):
                self._span_line(number, line)
            elif line[0] in "ERAM#":
                pending.append((number, line))
            elif line[0] in "*N":
                warnings.warn(
                    f"{self.where}:{number}: brat {line[0]} lines (equivalence, normalisation) are not read",
                    LayerNotCarriedWarning,
                    stacklevel=3,
                )
            else:
                raise self.fail(number, f"not a brat annotation line: {line[:40]!r}")
        # Events first: attributes, relations and notes may point at them.
        for number, line in pending:
            if line.startswith("E"):
                self._event_line(number, line)
        for number, line in pending:
            if not line.startswith("E"):
                self._other_line(number, line)
        return self._build()

    def _span_line(self, number: int, line: str) -> None:
        match = _T.fullmatch(line)
        if not match:
            raise self.fail(number, f"malformed T line (want 'T1<TAB>TYPE START END<TAB>TEXT'): {line[:60]!r}")
        tid, kind, offsets, shown = match.groups()
        fragments = [tuple(int(n) for n in part.split(" ")) for part in offsets.split(";")]
        for start, end in fragments:
            if not 0 <= start < end <= len(self.text):
                where = f"{tid}: span [{start}, {end})"
                raise self.fail(number, f"{where} is not inside the text (length {len(self.text)})")
        expected = " ".join(_fragment_text(self.text[s:e]) for s, e in fragments)
        if shown != expected:
            why = f"{tid}: text {shown!r} differs from the .txt at {offsets}: {expected!r}"
            raise self.fail(number, f"{why} (is this the .ann of another text?)")
        if tid in self.spans:
            raise self.fail(number, f"duplicate id {tid}")
        if len(fragments) > 1:
            warnings.warn(
                f"{self.where}:{number}: {tid} is discontinuous ({offsets}); read as its covering span",
                LayerNotCarriedWarning,
                stacklevel=4,
            )
        self.spans[tid] = _Span(kind, min(s for s, _ in fragments), max(e for _, e in fragments), number)

    def _span(self, tid: str, number: int) -> _Span:
        if tid not in self.spans:
            raise self.fail(number, f"refers to {tid}, which is not defined in this file")
        return self.spans[tid]

    def _event_line(self, number: int, line: str) -> None:
        match = _E.fullmatch(line)
        if not match:
            raise self.fail(number, f"malformed E line (want 'E1<TAB>TYPE:T1 ROLE:T2 ...'): {line[:60]!r}")
        eid, kind, trigger, rest = match.groups()
        if eid in self.events:
            raise self.fail(number, f"duplicate id {eid}")
        if self._span(trigger, number).kind != kind:
            theirs = self.spans[trigger].kind
            raise self.fail(number, f"{eid}: type {kind} differs from its trigger {trigger}'s type {theirs}")
        args = []
        for part in rest.split():
            role, target = part.split(":")
            if target.startswith("E"):
                raise self.fail(number, f"{eid}: argument {part} is an event; corpuskit arguments are spans")
            self._span(target, number)
            args.append((re.sub(r"\d+$", "", role).replace("_", "-"), target))
        self.events[eid] = _Event(kind, trigger, args, number)

    def _target(self, ref: str, number: int) -> _Span | _Event:
        if ref in self.events:
            return self.events[ref]
        return self._span(ref, number)

    def _other_line(self, number: int, line: str) -> None:
        if line.startswith("R"):
            match = _R.fullmatch(line)
            if not match:
                raise self.fail(number, f"malformed R line (want 'R1<TAB>TYPE Arg1:T1 Arg2:T2'): {line[:60]!r}")
            _, kind, arg1, arg2 = match.groups()
            quote = self._span(arg1, number)
            self._span(arg2, number)
            if kind not in ("Speaker", "HasCue", "NestedIn") or quote.kind != "Quote":
                known = "corpuskit reads Speaker, HasCue and NestedIn from a Quote"
                raise self.fail(number, f"relation {kind} from a {quote.kind}: {known}")
            quote.relations[kind] = arg2
        elif line.startswith("#"):
            match = _NOTE.fullmatch(line)
            if not match:
                raise self.fail(number, f"malformed note (want '#1<TAB>AnnotatorNotes T1<TAB>TEXT'): {line[:60]!r}")
            _, ref, body = match.groups()
            item = self._target(ref, number)
            try:
                note = json.loads(body)
            except json.JSONDecodeError:
                note = None
            if not isinstance(note, dict):
                raise self.fail(number, f'note on {ref} is not a JSON object such as {{"id": "T1"}}: {body[:40]!r}')
            item.note.update(note)
        else:
            match = _A.fullmatch(line)
            if not match:
                raise self.fail(number, f"malformed attribute line (want 'A1<TAB>NAME T1 VALUE'): {line[:60]!r}")
            _, name, ref, value = match.groups()
            self._target(ref, number).attrs[name] = value if value is not None else "true"

    def _build(self) -> dict[str, Any]:
        used_as_trigger = {event.trigger for event in self.events.values()}
        arguments = {target for event in self.events.values() for _, target in event.args}
        owned = {target for span in self.spans.values() for target in span.relations.values()}
        sections_kinds = {v: k for k, v in _SECTION_TYPES.items()}
        out: dict[str, list[Any]] = {name: [] for name in LAYERS}
        clusters: dict[str, dict[str, Any]] = {}

        def span(s: _Span) -> dict[str, Any]:
            return {"start": s.start, "end": s.end, "text": self.text[s.start : s.end]}

        for tid, item in self.spans.items():
            if item.kind in ENTITY_LABELS:
                entity = {"id": item.note.get("id", tid), **span(item), "label": item.kind}
                entity["cluster"] = item.note.get("cluster")
                if "Role" in item.attrs:
                    entity["role"] = item.attrs["Role"]
                out["entities"].append(entity)
            elif item.kind in sections_kinds:
                kind = sections_kinds[item.kind]
                out["sections"].append({"id": item.note.get("id", tid), "kind": kind, **span(item)})
            elif item.kind == "Mention":
                if "cluster" not in item.note:
                    example = '{"cluster": "trump"}'
                    raise self.fail(item.line, f"{tid}: a Mention needs a note naming its cluster, e.g. {example}")
                record = clusters.setdefault(item.note["cluster"], {"id": item.note["cluster"], "mentions": []})
                for key in ("name", "type", "wikidata", "members"):
                    if key in item.note:
                        record[key] = item.note[key]
                record["mentions"].append({**span(item), "form": item.attrs.get("Form", "name")})
            elif item.kind == "Quote":
                cue, source = item.relations.get("HasCue"), item.relations.get("Speaker")
                quote = {
                    "id": item.note.get("id", tid),
                    "content": span(item),
                    "cue": span(self.spans[cue]) if cue else None,
                    "source": span(self.spans[source]) if source else None,
                    "speaker": item.note.get("speaker"),
                    "kind": item.attrs.get("Kind", "direct"),
                }
                if "NestedIn" in item.relations:
                    parent = self.spans[item.relations["NestedIn"]]
                    quote["nested_in"] = parent.note.get("id", item.relations["NestedIn"])
                out["quotes"].append(quote)
            elif item.kind == "TIMEX3":
                if "value" not in item.note:
                    example = '{"value": "2019-02-28"}'
                    raise self.fail(item.line, f"{tid}: a TIMEX3 needs a note with its value, e.g. {example}")
                timex = {"id": item.note.get("id", tid), **span(item), "type": item.attrs.get("TimexType", "DATE")}
                timex["value"] = item.note["value"]
                for key in ("mod", "anchor"):
                    if key in item.note:
                        timex[key] = item.note[key]
                out["timexes"].append(timex)
            elif (item.kind in ("Cue", "Source") and tid in owned) or (item.kind == "Argument" and tid in arguments):
                continue
            elif tid not in used_as_trigger:
                what = "is not an entity label or a corpuskit type, nor an event trigger"
                raise self.fail(item.line, f"{tid}: type {item.kind!r} {what}")
        for record in clusters.values():
            if "name" not in record:
                record["name"] = record["mentions"][0]["text"]
            record.setdefault("type", "PERSON")
            out["clusters"].append(record)
        for eid, event in self.events.items():
            if "." in event.kind or event.kind.count("_") != 1:
                raise self.fail(event.line, f"{eid}: event type {event.kind!r} is not Type_Subtype, e.g. Contact_Meet")
            args = [
                {"role": role, **span(self.spans[target]), "cluster": self.spans[target].note.get("cluster")}
                for role, target in event.args
            ]
            record = {
                "id": event.note.get("id", eid),
                "trigger": span(self.spans[event.trigger]),
                "type": event.kind.replace("_", "."),
                "arguments": args,
                **{key: event.attrs.get(key.capitalize(), default) for key, default in _EVENT_DEFAULTS.items()},
            }
            if "note" in event.note:
                record["note"] = event.note["note"]
            out["events"].append(record)
        return out
