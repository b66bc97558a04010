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
  the quote containing it). brat ends the relations it draws with a tab; that reads.
- ``*``: coreference, brat's ``Coref`` equivalence: one line per cluster joining its mentions
  with the entities and event arguments that refer to it. Links drawn in brat (also from a
  quote's ``Source``) put a span in a cluster; a chain without a note is a new cluster typed by
  an entity in it, and refused when it has none (a type is never guessed).
- ``A``: ``Role`` (metonymy), ``Form`` (mention), ``Kind`` (quote), ``TimexType``,
  ``Polarity``, ``Modality``, ``Tense``, ``Realis``.
- ``#``: one ``AnnotatorNotes`` per annotation holding a JSON object with what brat has no
  slot for: the corpuskit id, a cluster's id/name/type/wikidata/members (on its first
  mention), a quote's speaker, a timex's ``value``/``mod``/``anchor``, an event's ``note``.
  Notes are optional on read: an annotation made in brat without one gets its brat id and
  defaults (events: positive, asserted, unspecified, actual; quotes: direct); a plain-text note
  is a timex's value or an event's note.

An event argument may point at an event (an ``Event`` role drawn in brat): it stands for that
event's trigger span. ``annotation.conf`` limits what each role may point at.
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
# brat itself ends the relations it draws with a tab (``create_arc``) and an event without
# arguments with a space when it saves the file, so trailing blanks are part of every line shape.
_E = re.compile(r"(E\d+)\t([^\s:]+):(T\d+)((?: [^\s:]+:[TE]\d+)*)[ \t]*")
_R = re.compile(r"(R\d+)\t(\S+) Arg1:(T\d+) Arg2:(T\d+)[ \t]*")
_A = re.compile(r"([AM]\d+)\t(\S+) ([TE]\d+)(?: (\S+))?[ \t]*")
_EQUIV = re.compile(r"\*\t(\S+)((?: T\d+)+)[ \t]*")
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


# The event types a fresh annotation.conf offers: ACE 2005's, then the extensions the guidelines
# define in the same Type.Subtype shape. A document's own types are added to these.
ACE_EVENT_TYPES = (
    "Business.Declare-Bankruptcy",
    "Business.End-Org",
    "Business.Merge-Org",
    "Business.Start-Org",
    "Conflict.Attack",
    "Conflict.Demonstrate",
    "Contact.Meet",
    "Contact.Phone-Write",
    "Justice.Acquit",
    "Justice.Appeal",
    "Justice.Arrest-Jail",
    "Justice.Charge-Indict",
    "Justice.Convict",
    "Justice.Execute",
    "Justice.Extradite",
    "Justice.Fine",
    "Justice.Pardon",
    "Justice.Release-Parole",
    "Justice.Sentence",
    "Justice.Sue",
    "Justice.Trial-Hearing",
    "Life.Be-Born",
    "Life.Die",
    "Life.Divorce",
    "Life.Injure",
    "Life.Marry",
    "Movement.Transport",
    "Personnel.Elect",
    "Personnel.End-Position",
    "Personnel.Nominate",
    "Personnel.Start-Position",
    "Transaction.Transfer-Money",
    "Transaction.Transfer-Ownership",
)
EXTENSION_EVENT_TYPES = (
    "Agreement.Reach",
    "Agreement.Sign",
    "Aspect.Begin",
    "Aspect.Continue",
    "Aspect.End",
    "Aspect.Suspend",
    "Contact.Statement",
    "Movement.Stay",
    "Negotiation.Demand",
    "Negotiation.Promise",
    "Policy.Denuclearize",
    "Sanction.Impose",
    "Sanction.Lift",
    "Schedule.Cancel",
    "Schedule.Reschedule",
    "Weapon.Test",
)
# ACE 2005's argument roles (time roles included), and ``Event``: the event an aspectual or
# scheduling event operates on, which may point at another event in brat.
EVENT_ROLES = (
    "Adjudicator",
    "Agent",
    "Artifact",
    "Attacker",
    "Beneficiary",
    "Buyer",
    "Crime",
    "Defendant",
    "Destination",
    "Entity",
    "Giver",
    "Instrument",
    "Money",
    "Org",
    "Origin",
    "Person",
    "Place",
    "Plaintiff",
    "Position",
    "Price",
    "Prosecutor",
    "Recipient",
    "Seller",
    "Sentence",
    "Target",
    "Vehicle",
    "Victim",
    "Time-After",
    "Time-At-Beginning",
    "Time-At-End",
    "Time-Before",
    "Time-Ending",
    "Time-Holds",
    "Time-Starting",
    "Time-Within",
    "Event",
)
COREF = "Coref"
# What an event argument may point at in brat: a span that can be a participant, never a
# section, a quote or its parts.
_ARGUMENT_TARGETS = ("Argument", "Mention", *ENTITY_LABELS, "TIMEX3")
_COREF_MEMBERS = ("Mention", "Argument", "Source", *ENTITY_LABELS)


def annotation_conf(doc: Document | None = None) -> str:
    """An ``annotation.conf`` for brat: every type, relation, role and attribute corpuskit reads.

    Event types are ACE 2005's and the guidelines' extensions, plus any other type ``doc``
    uses; every event offers every role, each limited to the spans an argument can be (an
    ``Event`` role may also point at an event). Coreference is brat's equivalence ``Coref``
    between mentions, entities and arguments.
    """
    entities = [*ENTITY_LABELS, *_SECTION_TYPES.values(), "Mention", "Quote", "Cue", "Source", "Argument", "TIMEX3"]
    events_of_doc = doc.events if doc else ()
    kinds = {*ACE_EVENT_TYPES, *EXTENSION_EVENT_TYPES, *(event.type for event in events_of_doc)}
    roles = list(EVENT_ROLES)
    for event in events_of_doc:
        roles += [a.role for a in event.arguments if a.role not in roles]
    # brat macros (expanded in the order defined) keep the file short: every event type takes
    # every role, each limited to the spans an argument can be.
    slots = ", ".join(f"{_role_name(r)}*:<ARG>|<EVENT>" if r == "Event" else f"{_role_name(r)}*:<ARG>" for r in roles)
    events = [f"<ROLES>={slots}", f"<ARG>={'|'.join(_ARGUMENT_TARGETS)}"]
    events += [f"{_event_type(kind)}\t<ROLES>" for kind in sorted(kinds)]
    attributes = [
        f"Role\tArg:<ENTITY>, Value:{'|'.join(METONYMY_ROLES)}",
        f"Form\tArg:Mention, Value:{'|'.join(MENTION_FORMS)}",
        f"Kind\tArg:Quote, Value:{'|'.join(QUOTE_KINDS)}",
        f"TimexType\tArg:TIMEX3, Value:{'|'.join(TIMEX_TYPES)}",
        *(f"{name}\tArg:<EVENT>, Value:{'|'.join(values)}" for name, values in _EVENT_ATTRIBUTES.items()),
    ]
    members = "|".join(_COREF_MEMBERS)
    relations = [
        "Speaker\tArg1:Quote, Arg2:Source",
        "HasCue\tArg1:Quote, Arg2:Cue",
        "NestedIn\tArg1:Quote, Arg2:Quote",
        f"{COREF}\tArg1:{members}, Arg2:{members}, <REL-TYPE>:symmetric-transitive",
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
    coref: dict[str, list[str]] = field(default_factory=dict)  # cluster id -> the spans that refer to it

    def ann(self) -> str:
        doc = self.doc
        for section in doc.sections:
            self._note(self._t(_SECTION_TYPES[section.kind], section.start, section.end), {"id": section.id})
        for entity in doc.entities:
            tid = self._t(entity.label, entity.start, entity.end)
            if entity.role is not None:
                self._a("Role", tid, entity.role)
            self._note(tid, {"id": entity.id})
            self._refers(tid, entity.cluster)
        for cluster in doc.clusters:
            mentions = [self._t("Mention", m.start, m.end) for m in cluster.mentions]
            for tid, mention in zip(mentions, cluster.mentions, strict=True):
                self._a("Form", tid, mention.form)
            # The first mention's note holds what brat has no slot for; the chain itself is
            # brat's Coref equivalence, so links drawn in brat count.
            info: dict[str, Any] = {"cluster": cluster.id, "name": cluster.name, "type": cluster.type}
            info.update(wikidata=cluster.wikidata, members=list(cluster.members) or None)
            self._note(mentions[0], info)
            self.coref[cluster.id] = [*mentions, *self.coref.get(cluster.id, [])]
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
                self._refers(atid, argument.cluster)
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
        chains = [f"*\t{COREF} {' '.join(tids)}" for tids in self.coref.values() if len(tids) > 1]
        notes = [
            f"#{n}\t{NOTE} {target}\t{json.dumps({k: v for k, v in info.items() if v is not None}, ensure_ascii=False)}"
            for n, (target, info) in enumerate(self.notes, start=1)
        ]
        return "".join(line + "\n" for line in [*self.spans, *self.lines, *chains, *notes])

    def _refers(self, tid: str, cluster: str | None) -> None:
        if cluster is not None:
            self.coref.setdefault(cluster, []).append(tid)

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
        self.chains: list[tuple[int, list[str]]] = []  # Coref equivalences: (line, span ids)
        self.cluster_records: dict[str, dict[str, Any]] = {}

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
            elif line[0] == "*":
                self._equiv_line(number, line)
            elif line[0] == "N":
                warnings.warn(
                    f"{self.where}:{number}: brat N lines (normalisation) are not read",
                    LayerNotCarriedWarning,
                    stacklevel=3,
                )
            else:
                raise self.fail(number, f"not a brat annotation line: {line[:40]!r}")
        for number, ids in self.chains:
            for tid in ids:
                self._span(tid, number)
        # Events first: attributes, relations and notes may point at them.
        for number, line in pending:
            if line.startswith("E"):
                self._event_line(number, line)
        for number, line in pending:
            if not line.startswith("E"):
                self._other_line(number, line)
        return self._build()

    def _equiv_line(self, number: int, line: str) -> None:
        match = _EQUIV.fullmatch(line)
        if not match:
            raise self.fail(number, f"malformed equivalence (want '*<TAB>{COREF} T1 T2 ...'): {line[:60]!r}")
        kind, ids = match.groups()
        if kind != COREF:
            warnings.warn(
                f"{self.where}:{number}: brat equivalence {kind!r} is not read (corpuskit reads {COREF})",
                LayerNotCarriedWarning,
                stacklevel=4,
            )
            return
        self.chains.append((number, ids.split()))

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
        self.events[eid] = _Event(
            kind,
            trigger,
            [(re.sub(r"\d+$", "", role), target) for role, target in (part.split(":") for part in rest.split())],
            number,
        )

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
                # A note typed in brat: the value of a time expression, the note of an event.
                if isinstance(item, _Event):
                    note = {"note": body}
                elif item.kind == "TIMEX3":
                    note = {"value": body.strip()}
                else:
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
        arguments = self._check_arguments()
        owned = {target for span in self.spans.values() for target in span.relations.values()}
        sections_kinds = {v: k for k, v in _SECTION_TYPES.items()}
        out: dict[str, list[Any]] = {name: [] for name in LAYERS}
        chain_of = self._clusters()

        def span(s: _Span) -> dict[str, Any]:
            return {"start": s.start, "end": s.end, "text": self.text[s.start : s.end]}

        for tid, item in self.spans.items():
            if item.kind in ENTITY_LABELS:
                entity = {"id": item.note.get("id", tid), **span(item), "label": item.kind}
                entity["cluster"] = chain_of.get(tid, item.note.get("cluster"))
                if "Role" in item.attrs:
                    entity["role"] = item.attrs["Role"]
                out["entities"].append(entity)
            elif item.kind in sections_kinds:
                kind = sections_kinds[item.kind]
                out["sections"].append({"id": item.note.get("id", tid), "kind": kind, **span(item)})
            elif item.kind == "Quote":
                cue, source = item.relations.get("HasCue"), item.relations.get("Speaker")
                quote = {
                    "id": item.note.get("id", tid),
                    "content": span(item),
                    "cue": span(self.spans[cue]) if cue else None,
                    "source": span(self.spans[source]) if source else None,
                    # A speaker drawn in brat is the chain its source belongs to.
                    "speaker": item.note.get("speaker", chain_of.get(source or "")),
                    "kind": item.attrs.get("Kind", "direct"),
                }
                if "NestedIn" in item.relations:
                    parent = self.spans[item.relations["NestedIn"]]
                    quote["nested_in"] = parent.note.get("id", item.relations["NestedIn"])
                out["quotes"].append(quote)
            elif item.kind == "TIMEX3":
                if "value" not in item.note:
                    example = "2019-02-28"
                    raise self.fail(item.line, f"{tid}: a TIMEX3 needs a note with its value, e.g. {example}")
                timex = {"id": item.note.get("id", tid), **span(item), "type": item.attrs.get("TimexType", "DATE")}
                timex["value"] = item.note["value"]
                for key in ("mod", "anchor"):
                    if key in item.note:
                        timex[key] = item.note[key]
                out["timexes"].append(timex)
            elif item.kind in ("Mention", "Cue", "Source", "Argument"):
                part_of = {"Cue": owned, "Source": owned, "Argument": arguments | chain_of.keys()}.get(item.kind)
                if part_of is not None and tid not in part_of and tid not in used_as_trigger:
                    raise self.fail(item.line, f"{tid}: this {item.kind} belongs to nothing (draw its link in brat)")
            elif tid not in used_as_trigger:
                what = "is not an entity label or a corpuskit type, nor an event trigger"
                raise self.fail(item.line, f"{tid}: type {item.kind!r} {what}")
        out["clusters"] = list(self.cluster_records.values())
        for eid, event in self.events.items():
            if "." in event.kind or event.kind.count("_") != 1:
                raise self.fail(event.line, f"{eid}: event type {event.kind!r} is not Type_Subtype, e.g. Contact_Meet")
            args = []
            for role, target in event.args:
                # An argument drawn to an event stands for that event's trigger.
                item = self.spans[self.events[target].trigger if target in self.events else target]
                args.append({"role": role.replace("_", "-"), **span(item), "cluster": chain_of.get(target)})
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

    def _check_arguments(self) -> set[str]:
        """The span ids event arguments point at; refuses a target no argument can be."""
        targets: set[str] = set()
        for eid, event in self.events.items():
            for role, target in event.args:
                if target in self.events:
                    continue
                kind = self._span(target, event.line).kind
                if kind not in _ARGUMENT_TARGETS and target not in {e.trigger for e in self.events.values()}:
                    allowed = "an Argument, Mention, entity or TIMEX3 span, or an event"
                    raise self.fail(event.line, f"{eid}: argument {role}:{target} is a {kind}; it must be {allowed}")
                targets.add(target)
        return targets

    def _clusters(self) -> dict[str, str]:
        """Build ``self.cluster_records`` from Mention spans, Coref chains and notes; map span id -> cluster id.

        A chain's id, name, type, Wikidata id and members come from the note on one of its
        mentions; without one, the chain is a new cluster named after its first mention, its
        type the label of an entity in the chain (or at a mention's span), and refused when it
        has none: a type is never guessed.
        """
        parent: dict[str, str] = {}

        def root(tid: str) -> str:
            while parent.get(tid, tid) != tid:
                tid = parent[tid]
            return tid

        def join(a: str, b: str) -> None:
            parent[root(b)] = root(a)

        named: dict[str, str] = {}  # cluster id from a note -> a span holding it
        for tid, item in self.spans.items():
            cid = item.note.get("cluster") if item.kind in ("Mention", "Argument") else None
            if item.kind == "Mention" or cid is not None:
                parent.setdefault(tid, tid)
            if cid is not None:
                if cid in named:
                    join(named[cid], tid)
                named.setdefault(cid, tid)
        for _, ids in self.chains:
            for tid in ids:
                parent.setdefault(tid, tid)
            for tid in ids[1:]:
                join(ids[0], tid)
        groups: dict[str, list[str]] = {}
        for tid in self.spans:  # file order, so mentions keep their order
            if tid in parent:
                groups.setdefault(root(tid), []).append(tid)
        entity_at = {(s.start, s.end): s.kind for s in self.spans.values() if s.kind in ENTITY_LABELS}
        chain_of: dict[str, str] = {}
        order = {tid: number for number, tid in enumerate(self.spans)}

        # Clusters in the order of their first Mention (entities that refer to them come earlier).
        def first_mention(ids: list[str]) -> tuple[bool, int]:
            return min((self.spans[t].kind != "Mention", order[t]) for t in ids)

        for members in sorted(groups.values(), key=first_mention):
            spans = [self.spans[tid] for tid in members]
            mentions = [tid for tid, s in zip(members, spans, strict=True) if s.kind == "Mention"]
            if not mentions:  # a chain drawn between entities: their spans are the mentions
                mentions = [tid for tid, s in zip(members, spans, strict=True) if s.kind in ENTITY_LABELS]
            if not mentions:
                line = self.spans[members[0]].line
                raise self.fail(line, f"{members[0]}: a coreference chain needs a Mention or an entity")
            notes = [s.note for s in spans if "cluster" in s.note]
            ids = sorted({str(n["cluster"]) for n in notes})
            if len(ids) > 1:
                line = self.spans[members[0]].line
                raise self.fail(line, f"Coref links join the clusters {', '.join(ids)}; keep each chain to one cluster")
            cid = ids[0] if ids else f"cluster-{mentions[0]}"
            record: dict[str, Any] = {"id": cid}
            for note in notes:
                for key in ("name", "type", "wikidata", "members"):
                    if key in note:
                        record.setdefault(key, note[key])
            first = self.spans[mentions[0]]
            record.setdefault("name", self.text[first.start : first.end])
            if "type" not in record:
                labels = [s.kind for s in spans if s.kind in ENTITY_LABELS]
                labels += [entity_at[(s.start, s.end)] for s in spans if (s.start, s.end) in entity_at]
                if not labels:
                    where = f"{mentions[0]}: the cluster of {record['name']!r} has no type"
                    fix = 'link one of its mentions to an entity (Coref), or note {"type": "ORG"} on it'
                    raise self.fail(first.line, f"{where}; {fix}")
                record["type"] = labels[0]
            record["mentions"] = [
                {
                    "start": m.start,
                    "end": m.end,
                    "text": self.text[m.start : m.end],
                    "form": m.attrs.get("Form", "name"),
                }
                for m in (self.spans[tid] for tid in mentions)
            ]
            self.cluster_records[cid] = record
            chain_of.update(dict.fromkeys(members, cid))
        return chain_of
