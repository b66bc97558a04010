"""The data model: frozen dataclasses for one annotated document.

One offset convention everywhere: 0-based, half-open ``[start, end)`` Python ``str``
indices into ``Document.text``, and every span's ``text`` equals ``document.text[start:end]``
(``corpuskit.corpus`` refuses a file where it does not). The JSON shape of each class is
defined by ``corpus/schema/annotations.schema.json``; ``to_dict``/``from_dict`` follow it
key for key, and a test proves the two agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# The 18 OntoNotes 5 named-entity labels.
ENTITY_LABELS: tuple[str, ...] = (
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
    "PERCENT",
    "MONEY",
    "QUANTITY",
    "ORDINAL",
    "CARDINAL",
)
SECTION_KINDS = ("headline", "lede", "caption", "paragraph")
MENTION_FORMS = ("name", "nominal", "pronoun")
METONYMY_ROLES = ("PER", "ORG", "LOC", "GPE")
QUOTE_KINDS = ("direct", "indirect", "mixed")
POLARITIES = ("positive", "negative")
MODALITIES = ("asserted", "other")
TENSES = ("past", "present", "future", "unspecified")
REALIS = ("actual", "generic", "other")
TIMEX_TYPES = ("DATE", "TIME", "DURATION", "SET")

# Layer names in contract order (DESIGN section 3).
LAYERS: tuple[str, ...] = ("sections", "entities", "clusters", "quotes", "events", "timexes")


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the document text, ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Span:
        return cls(data["start"], data["end"], data["text"])


def _span_dict(span: Span | None) -> dict[str, Any] | None:
    return None if span is None else span.to_dict()


def _span_or_none(data: Mapping[str, Any] | None) -> Span | None:
    return None if data is None else Span.from_dict(data)


@dataclass(frozen=True, slots=True)
class Section:
    """A headline, lede, photo caption or body paragraph."""

    id: str
    kind: Literal["headline", "lede", "caption", "paragraph"]
    start: int
    end: int
    text: str

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, **self.span.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Section:
        return cls(data["id"], data["kind"], data["start"], data["end"], data["text"])


@dataclass(frozen=True, slots=True)
class Entity:
    """A named-entity mention with an OntoNotes label.

    ``cluster`` names the discourse entity it refers to; ``role`` is the ACE-style role of a
    metonymic mention ("Pyongyang" meaning the government: label GPE, role ORG).
    """

    id: str
    start: int
    end: int
    text: str
    label: str
    cluster: str | None = None
    role: str | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, **self.span.to_dict(), "label": self.label}
        out["cluster"] = self.cluster
        if self.role is not None:
            out["role"] = self.role
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Entity:
        return cls(
            data["id"],
            data["start"],
            data["end"],
            data["text"],
            data["label"],
            data.get("cluster"),
            data.get("role"),
        )


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of a discourse entity: a name, a nominal or a pronoun."""

    start: int
    end: int
    text: str
    form: Literal["name", "nominal", "pronoun"]

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)

    def to_dict(self) -> dict[str, Any]:
        return {**self.span.to_dict(), "form": self.form}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Mention:
        return cls(data["start"], data["end"], data["text"], data["form"])


@dataclass(frozen=True, slots=True)
class Cluster:
    """A discourse entity (a coreference chain) and all its mentions, in text order.

    ``members`` lists the member clusters of a group entity ("the two leaders").
    """

    id: str
    name: str
    type: str
    mentions: tuple[Mention, ...]
    wikidata: str | None = None
    members: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "type": self.type}
        out["wikidata"] = self.wikidata
        if self.members:
            out["members"] = list(self.members)
        out["mentions"] = [m.to_dict() for m in self.mentions]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Cluster:
        return cls(
            data["id"],
            data["name"],
            data["type"],
            tuple(Mention.from_dict(m) for m in data["mentions"]),
            data.get("wikidata"),
            tuple(data.get("members", ())),
        )


@dataclass(frozen=True, slots=True)
class Quote:
    """An attribution (PARC 3.0 style): what was said, the cue, who said it."""

    id: str
    content: Span
    cue: Span | None
    source: Span | None
    speaker: str | None
    kind: Literal["direct", "indirect", "mixed"]
    nested_in: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "content": self.content.to_dict(),
            "cue": _span_dict(self.cue),
            "source": _span_dict(self.source),
            "speaker": self.speaker,
            "kind": self.kind,
        }
        if self.nested_in is not None:
            out["nested_in"] = self.nested_in
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Quote:
        return cls(
            data["id"],
            Span.from_dict(data["content"]),
            _span_or_none(data["cue"]),
            _span_or_none(data["source"]),
            data["speaker"],
            data["kind"],
            data.get("nested_in"),
        )


@dataclass(frozen=True, slots=True)
class Argument:
    """An event argument: a role filled by a span, pointing at a cluster where relevant."""

    role: str
    start: int
    end: int
    text: str
    cluster: str | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, **self.span.to_dict(), "cluster": self.cluster}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Argument:
        return cls(data["role"], data["start"], data["end"], data["text"], data.get("cluster"))


@dataclass(frozen=True, slots=True)
class Event:
    """An event mention: trigger, ACE-style type, arguments and factuality attributes."""

    id: str
    trigger: Span
    type: str
    arguments: tuple[Argument, ...]
    polarity: Literal["positive", "negative"]
    modality: Literal["asserted", "other"]
    tense: Literal["past", "present", "future", "unspecified"]
    realis: Literal["actual", "generic", "other"]
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "trigger": self.trigger.to_dict(),
            "type": self.type,
            "arguments": [a.to_dict() for a in self.arguments],
            "polarity": self.polarity,
            "modality": self.modality,
            "tense": self.tense,
            "realis": self.realis,
        }
        if self.note is not None:
            out["note"] = self.note
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        return cls(
            data["id"],
            Span.from_dict(data["trigger"]),
            data["type"],
            tuple(Argument.from_dict(a) for a in data["arguments"]),
            data["polarity"],
            data["modality"],
            data["tense"],
            data["realis"],
            data.get("note"),
        )


@dataclass(frozen=True, slots=True)
class Timex:
    """A TIMEX3 time expression, its value normalised against the creation time."""

    id: str
    start: int
    end: int
    text: str
    type: Literal["DATE", "TIME", "DURATION", "SET"]
    value: str
    mod: str | None = None
    anchor: str | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, **self.span.to_dict(), "type": self.type}
        out["value"] = self.value
        if self.mod is not None:
            out["mod"] = self.mod
        if self.anchor is not None:
            out["anchor"] = self.anchor
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Timex:
        return cls(
            data["id"],
            data["start"],
            data["end"],
            data["text"],
            data["type"],
            data["value"],
            data.get("mod"),
            data.get("anchor"),
        )


LayerItem = Section | Entity | Cluster | Quote | Event | Timex

_LAYER_CLASSES: dict[str, Any] = {
    "sections": Section,
    "entities": Entity,
    "clusters": Cluster,
    "quotes": Quote,
    "events": Event,
    "timexes": Timex,
}


@dataclass(frozen=True, slots=True)
class Document:
    """One annotated document: its text, metadata and every annotation layer.

    >>> doc = Document("d", "Kim met Trump.", {"title": "t", "creation_time": "2019-02-28"})
    >>> doc.slice(0, 3)
    'Kim'
    """

    id: str
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict, hash=False)
    sections: tuple[Section, ...] = ()
    entities: tuple[Entity, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    quotes: tuple[Quote, ...] = ()
    events: tuple[Event, ...] = ()
    timexes: tuple[Timex, ...] = ()

    @property
    def title(self) -> str:
        return str(self.metadata.get("title", self.id))

    @property
    def creation_time(self) -> str | None:
        value = self.metadata.get("creation_time")
        return None if value is None else str(value)

    def layer(self, name: str) -> tuple[Any, ...]:
        """The items of one layer by its contract name, e.g. ``doc.layer("entities")``."""
        if name not in LAYERS:
            raise KeyError(f"unknown layer {name!r}; layers are: {', '.join(LAYERS)}")
        items: tuple[Any, ...] = getattr(self, name)
        return items

    def slice(self, start: int, end: int) -> str:
        """The document text in ``[start, end)``."""
        return self.text[start:end]

    def cluster(self, cluster_id: str) -> Cluster:
        """The cluster with this id (``KeyError`` if there is none)."""
        for cluster in self.clusters:
            if cluster.id == cluster_id:
                return cluster
        raise KeyError(f"no cluster {cluster_id!r} in document {self.id!r}")

    def to_dict(self, *, include_text: bool = True) -> dict[str, Any]:
        """The contract object of DESIGN section 3 (``id``, ``text``, ``metadata``, layers)."""
        out: dict[str, Any] = {"id": self.id}
        if include_text:
            out["text"] = self.text
        out["metadata"] = dict(self.metadata)
        for name in LAYERS:
            out[name] = [item.to_dict() for item in getattr(self, name)]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], text: str | None = None) -> Document:
        """Build a document from its contract object; ``text`` overrides ``data["text"]``.

        No validation happens here: ``corpuskit.corpus`` validates before it calls this.
        Missing layers are empty, so a prediction may carry only the layers it scores.
        """
        body = text if text is not None else data["text"]
        layers = {name: tuple(_LAYER_CLASSES[name].from_dict(item) for item in data.get(name, ())) for name in LAYERS}
        return cls(data["id"], body, dict(data.get("metadata", {})), **layers)
