"""The data model: frozen typed classes for one annotated document, and the one definition of
the JSON format.

One offset convention everywhere: 0-based, half-open ``[start, end)`` Python ``str`` indices
into ``Document.text``, and every span's ``text`` equals ``document.text[start:end]``
(``corpuskit.validate`` refuses a file where it does not).

The field types say everything a schema can: ``Literal`` for label sets, ``Annotated`` with
``msgspec.Meta`` for patterns, lengths and bounds. ``msgspec`` decodes JSON straight into these
classes and checks them in one compiled pass (``corpuskit.corpus.decode_document``); ``corpuskit.schema``
generates ``corpus/schema/annotations.schema.json`` and the start-up path's checker from them.
Unknown keys are refused in the same pass. JSON keys follow the field order unless a class
gives its ``json_order``; ``json_omit_empty`` names the optional keys left out when empty.

The classes are ``msgspec.Struct``s (decoding into them is faster than into dataclasses);
they also answer ``dataclasses.replace``, ``fields`` and ``asdict``, so code
written against dataclasses keeps working.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, get_args

import msgspec

from corpuskit import canonical
from corpuskit._contract import LAYERS as LAYERS
from corpuskit.validate import ITEM_ID_PATTERN

Offset = Annotated[int, msgspec.Meta(ge=0)]
SpanText = Annotated[str, msgspec.Meta(min_length=1)]
DocId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=100)]
# The grammar of item ids is in the schema, and corpuskit.validate checks it one layer at a time
# (one regular expression per layer instead of one call per item, the costliest part of decoding).
ItemId = Annotated[str, msgspec.Meta(max_length=100, extra_json_schema={"pattern": ITEM_ID_PATTERN})]
DateString = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", extra_json_schema={"format": "date"})]
WikidataId = Annotated[str, msgspec.Meta(pattern=r"^Q[1-9][0-9]*$")]
RoleName = Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Za-z-]*$")]
EventType = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Z][A-Za-z-]*\.[A-Z][A-Za-z-]*$",
        description="ACE 2005 Type.Subtype, or a documented extension in the same shape.",
    ),
]
TimexValue = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        description="TIMEX3 value normalised against the creation time, e.g. 2019-02-27TNI, P2D, PAST_REF.",
    ),
]

_EntityLabel = Literal[
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
]
if TYPE_CHECKING:
    # Code that builds entities from strings (a tagger's output, a form) type-checks as
    # before; msgspec, which reads the annotations at run time, sees the label set.
    EntityLabel = str
else:
    EntityLabel = _EntityLabel
SectionKind = Literal["headline", "lede", "caption", "paragraph"]
MentionForm = Literal["name", "nominal", "pronoun"]
MetonymyRole = Literal["PER", "ORG", "LOC", "GPE"]
QuoteKind = Literal["direct", "indirect", "mixed"]
Polarity = Literal["positive", "negative"]
Modality = Literal["asserted", "other"]
Tense = Literal["past", "present", "future", "unspecified"]
Realis = Literal["actual", "generic", "other"]
TimexType = Literal["DATE", "TIME", "DURATION", "SET"]

# The 18 OntoNotes 5 named-entity labels, and the other label sets, as tuples.
ENTITY_LABELS: tuple[str, ...] = get_args(_EntityLabel)
SECTION_KINDS: tuple[str, ...] = get_args(SectionKind)
MENTION_FORMS: tuple[str, ...] = get_args(MentionForm)
METONYMY_ROLES: tuple[str, ...] = get_args(MetonymyRole)
QUOTE_KINDS: tuple[str, ...] = get_args(QuoteKind)
POLARITIES: tuple[str, ...] = get_args(Polarity)
MODALITIES: tuple[str, ...] = get_args(Modality)
TENSES: tuple[str, ...] = get_args(Tense)
REALIS: tuple[str, ...] = get_args(Realis)
TIMEX_TYPES: tuple[str, ...] = get_args(TimexType)


class _Item(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """What every model class shares: frozen, unknown keys refused, its canonical JSON object
    and the way back. (No reference cycles are possible, so the garbage collector skips them.)"""

    # Optional keys that the JSON leaves out when they are empty.
    json_omit_empty: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON object: keys in field order, empty optional keys left out."""
        return canonical.canonical(type(self).__name__, msgspec.to_builtins(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Any:
        """Build from a JSON object, checking types and bounds (``msgspec.ValidationError``)."""
        return msgspec.convert(data, cls)


class Span(_Item, frozen=True):
    """A stretch of the document text, ``text == document.text[start:end]``."""

    start: Offset
    end: Offset
    text: SpanText


class Section(_Item, frozen=True):
    """A headline, lede, photo caption or body paragraph."""

    id: ItemId
    kind: SectionKind
    start: Offset
    end: Offset
    text: SpanText

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)


class Entity(_Item, frozen=True):
    """A named-entity mention with an OntoNotes label.

    ``cluster`` names the discourse entity it refers to; ``role`` is the ACE-style role of a
    metonymic mention ("Pyongyang" meaning the government: label GPE, role ORG).
    """

    json_omit_empty: ClassVar[frozenset[str]] = frozenset({"role"})

    id: ItemId
    start: Offset
    end: Offset
    text: SpanText
    label: EntityLabel
    cluster: ItemId | None = None
    role: MetonymyRole | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)


class Mention(_Item, frozen=True):
    """One mention of a discourse entity: a name, a nominal or a pronoun."""

    start: Offset
    end: Offset
    text: SpanText
    form: MentionForm

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)


class Cluster(_Item, frozen=True):
    """A discourse entity (a coreference chain) and all its mentions, in text order.

    ``members`` lists the member clusters of a group entity ("the two leaders").
    """

    # JSON key order: the short keys before the long list of mentions, as files are written.
    json_order: ClassVar[tuple[str, ...]] = ("id", "name", "type", "wikidata", "members", "mentions")
    json_omit_empty: ClassVar[frozenset[str]] = frozenset({"members"})

    id: ItemId
    name: Annotated[str, msgspec.Meta(min_length=1, description="Canonical name, e.g. 'Donald Trump'.")]
    type: EntityLabel
    mentions: Annotated[tuple[Mention, ...], msgspec.Meta(min_length=1)]
    wikidata: WikidataId | None = None
    members: tuple[ItemId, ...] = ()


class Quote(_Item, frozen=True):
    """An attribution (PARC 3.0 style): what was said, the cue, who said it."""

    json_omit_empty: ClassVar[frozenset[str]] = frozenset({"nested_in"})

    id: ItemId
    content: Span
    cue: Span | None
    source: Span | None
    speaker: ItemId | None
    kind: QuoteKind
    nested_in: ItemId | None = None


class Argument(_Item, frozen=True):
    """An event argument: a role filled by a span, pointing at a cluster where relevant."""

    role: RoleName
    start: Offset
    end: Offset
    text: SpanText
    cluster: ItemId | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)


class Event(_Item, frozen=True):
    """An event mention: trigger, ACE-style type, arguments and factuality attributes."""

    json_omit_empty: ClassVar[frozenset[str]] = frozenset({"note"})

    id: ItemId
    trigger: Span
    type: EventType
    arguments: tuple[Argument, ...]
    polarity: Polarity
    modality: Modality
    tense: Tense
    realis: Realis
    note: str | None = None


class Timex(_Item, frozen=True):
    """A TIMEX3 time expression, its value normalised against the creation time."""

    json_omit_empty: ClassVar[frozenset[str]] = frozenset({"mod", "anchor"})

    id: ItemId
    start: Offset
    end: Offset
    text: SpanText
    type: TimexType
    value: TimexValue
    mod: str | None = None
    anchor: ItemId | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)


class Metadata(msgspec.Struct, kw_only=True):
    """The keys of ``Document.metadata`` that have a meaning; any other key is kept as is.

    Only a definition for checking and for the schema: ``Document.metadata`` stays a mapping,
    so tools may keep their own keys there.
    """

    title: Annotated[str, msgspec.Meta(min_length=1)] | msgspec.UnsetType = msgspec.UNSET
    creation_time: (
        Annotated[
            DateString,
            msgspec.Meta(
                description="Document creation time (DCT), the anchor for TIMEX3 normalisation; "
                "every corpus document has one."
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    language: str | msgspec.UnsetType = msgspec.UNSET
    source: str | msgspec.UnsetType = msgspec.UNSET
    notes: str | msgspec.UnsetType = msgspec.UNSET
    annotator: str | msgspec.UnsetType = msgspec.UNSET
    constructed: (
        Annotated[
            bool,
            msgspec.Meta(
                description="True for an annotation built on purpose (e.g. annotator_b.json for the "
                "agreement lesson), not an independent expert annotation."
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET


LayerItem = Section | Entity | Cluster | Quote | Event | Timex


class Document(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """One annotated document: its text, metadata and every annotation layer.

    ``text`` may be left out of an annotation file (``text.txt`` beside it holds it); absent
    layers are empty, so a prediction may carry only the layers it scores.

    >>> doc = Document("d", "Kim met Trump.", {"title": "t", "creation_time": "2019-02-28"})
    >>> doc.slice(0, 3)
    'Kim'
    """

    id: DocId
    text: str = ""
    metadata: Mapping[str, Any] = msgspec.field(default_factory=dict)
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
        """The canonical contract object: ``id``, ``text``, ``metadata``, then every layer."""
        out = canonical.canonical("Document", msgspec.to_builtins(self))
        if not include_text:
            del out["text"]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], text: str | None = None) -> Document:
        """Build a document from its contract object; ``text`` overrides ``data["text"]``.

        Types and bounds are checked (``msgspec.ValidationError``); what a schema cannot say
        (spans against the text, ids, references) is ``corpuskit.validate``'s job.
        """
        doc = msgspec.convert(data, cls)
        return doc if text is None else msgspec.structs.replace(doc, text=text)


def _answer_the_dataclasses_api(*classes: type[msgspec.Struct]) -> None:
    """Give each class the field table ``dataclasses.replace``/``fields``/``asdict`` read, taken
    from a dataclass twin built by ``dataclasses.make_dataclass``."""
    for cls in classes:
        fields = [(name, Any) for name in cls.__struct_fields__]
        twin = dataclasses.make_dataclass(cls.__name__, fields, init=False, repr=False, eq=False, match_args=False)
        setattr(cls, "__dataclass_fields__", twin.__dataclass_fields__)  # type: ignore[attr-defined]  # noqa: B010


_answer_the_dataclasses_api(Span, Section, Entity, Mention, Cluster, Quote, Argument, Event, Timex, Document)


@cache
def document_decoder() -> msgspec.json.Decoder[Document]:
    """The compiled decoder that turns JSON bytes into a checked ``Document``."""
    return msgspec.json.Decoder(Document)
