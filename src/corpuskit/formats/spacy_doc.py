"""spaCy: ``to_spacy`` builds a ``Doc``, ``from_spacy`` reads one back; ``DocBin`` files hold many.

The ``Doc`` carries every layer:

- ``doc.ents``: the entities that do not overlap (spaCy allows no overlap there); all
  entities, overlapping ones included, are in the span group ``doc.spans["entities"]``.
- span groups ``sections``, ``mentions`` (coreference mentions), ``quotes`` (the content
  span), ``events`` (the trigger) and ``timexes``, each span labelled with the item's kind,
  form or type. Each group's ``attrs["corpuskit"]`` holds, item by item, what a span cannot
  (ids, cue and source spans, arguments, timex values...), so ``from_spacy`` gives back the
  same document.
- custom attributes ``span._.cluster`` (entities) and ``span._.speaker`` (quote contents);
  spaCy keys them by offsets, so two spans with the same offsets share them.
- ``doc.user_data["corpuskit"]``: the document id and metadata.

Tokens come from ``nlp``'s tokenizer (``spacy.blank("en")`` by default). Where an
annotation starts or ends inside a token, the token is split there, so no span is lost;
``TokenSplitWarning`` reports each one. ``DocBin`` files (``.spacy``) are written with
``store_user_data=True``; ``-o`` takes the file path.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuskit.corpus import from_data, with_empty_layers
from corpuskit.errors import InputError
from corpuskit.fileio import write_bytes_atomic
from corpuskit.formats.base import select, warn
from corpuskit.formats.conll import flat_entities
from corpuskit.model import LAYERS, Document, Span

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc as SpacyDoc

CARRIES = frozenset(LAYERS)
KEY = "corpuskit"
_GROUPS = ("sections", "entities", "mentions", "quotes", "events", "timexes")


class TokenSplitWarning(UserWarning):
    """An annotation boundary fell inside a token of the tokenizer; the token was split."""


def _blank() -> Language:
    import spacy

    return spacy.blank("en")


def _extensions() -> None:
    from spacy.tokens import Span as SpacySpan

    for name in ("cluster", "speaker"):
        if not SpacySpan.has_extension(name):
            SpacySpan.set_extension(name, default=None)


def _spans(doc: Document) -> dict[str, list[tuple[Span, str, dict[str, Any]]]]:
    """Per span group: (span, label, attrs) for every item."""

    def rest(item: Any, drop: tuple[str, ...]) -> dict[str, Any]:
        return {k: v for k, v in item.to_dict().items() if k not in drop}

    span_keys = ("start", "end", "text")
    return {
        "sections": [(s.span, s.kind, rest(s, span_keys)) for s in doc.sections],
        "entities": [(e.span, e.label, rest(e, span_keys)) for e in doc.entities],
        "mentions": [(m.span, m.form, {"cluster": c.id}) for c in doc.clusters for m in c.mentions],
        "quotes": [(q.content, q.kind, rest(q, ("content",))) for q in doc.quotes],
        "events": [(e.trigger, e.type, rest(e, ("trigger",))) for e in doc.events],
        "timexes": [(t.span, t.type, rest(t, span_keys)) for t in doc.timexes],
    }


def to_spacy(doc: Document, nlp: Language | None = None, layers: Iterable[str] | None = None) -> SpacyDoc:
    """A spaCy ``Doc`` of ``doc``: tokens, ``ents``, span groups and custom attributes."""
    from spacy.tokens import Doc as SpacyDoc
    from spacy.tokens import SpanGroup

    doc = select(doc, "spaCy", CARRIES, layers)
    nlp = nlp or _blank()
    _extensions()
    groups = _spans(doc)
    cuts = {edge for items in groups.values() for span, _, _ in items for edge in (span.start, span.end)}
    words: list[str] = []
    spaces: list[bool] = []
    split: list[str] = []
    for token in nlp.make_doc(doc.text):
        start, end = token.idx, token.idx + len(token.text)
        inner = sorted(c for c in cuts if start < c < end)
        if inner:
            split.append(repr(token.text))
        points = [start, *inner, end]
        for left, right in pairwise(points):
            words.append(doc.text[left:right])
            spaces.append(right == end and bool(token.whitespace_))
    if split:
        shown = ", ".join(split[:5]) + (", ..." if len(split) > 5 else "")
        warnings.warn(
            f"{len(split)} token(s) split where an annotation starts or ends inside them: {shown}",
            TokenSplitWarning,
            stacklevel=2,
        )
    out = SpacyDoc(nlp.vocab, words=words, spaces=spaces)
    for name, items in groups.items():
        spans = [_char_span(out, span, label) for span, label, _ in items]
        out.spans[name] = SpanGroup(out, name=name, spans=spans, attrs={KEY: [attrs for _, _, attrs in items]})
    out.spans["mentions"].attrs["clusters"] = [
        {k: v for k, v in c.to_dict().items() if k != "mentions"} for c in doc.clusters
    ]
    kept, overlapping = flat_entities(doc)
    if overlapping:
        count = len(overlapping)
        warn(f"spaCy's doc.ents cannot hold overlapping entities; {count} kept only in doc.spans['entities']")
    out.ents = [_char_span(out, e.span, e.label) for e in kept]
    for entity, span in zip(kept, out.ents, strict=True):
        span._.cluster = entity.cluster
    for quote, span in zip(doc.quotes, out.spans["quotes"], strict=True):
        span._.speaker = quote.speaker
    out.user_data[KEY] = {"id": doc.id, "metadata": dict(doc.metadata)}
    return out


def _char_span(out: SpacyDoc, span: Span, label: str) -> Any:
    made = out.char_span(span.start, span.end, label=label)
    if made is None:  # cannot happen: tokens were split at every boundary
        raise AssertionError(f"span [{span.start}, {span.end}) does not align with the tokens")
    return made


def from_spacy(spacy_doc: SpacyDoc, where: str = "<spaCy Doc>") -> Document:
    """The ``Document`` a spaCy ``Doc`` holds (one made by ``to_spacy``, or any with ``ents``).

    Without corpuskit's span groups, ``doc.ents`` become entities ``T1``, ``T2``...
    """
    text = spacy_doc.text
    info = spacy_doc.user_data.get(KEY, {})
    data: dict[str, Any] = {"id": info.get("id", "spacy-doc"), "metadata": info.get("metadata", {"title": "spaCy Doc"})}

    def items(name: str) -> list[tuple[dict[str, Any], str, dict[str, Any]]]:
        if name not in spacy_doc.spans:
            return []
        group = spacy_doc.spans[name]
        extra = group.attrs.get(KEY) or [{} for _ in group]
        if len(extra) != len(group):
            raise InputError(where, f"span group {name!r} has {len(group)} spans but {len(extra)} corpuskit items")
        return [
            ({"start": s.start_char, "end": s.end_char, "text": text[s.start_char : s.end_char]}, s.label_, x)
            for s, x in zip(group, extra, strict=True)
        ]

    data["sections"] = [
        {"id": x.get("id", f"S{n}"), "kind": x.get("kind", label), **span}
        for n, (span, label, x) in enumerate(items("sections"), start=1)
    ]
    if "entities" in spacy_doc.spans:
        data["entities"] = [
            {"id": f"T{n}", "cluster": None, **x, **span, "label": label}
            for n, (span, label, x) in enumerate(items("entities"), start=1)
        ]
    else:
        data["entities"] = [
            {
                "id": f"T{n}",
                "start": e.start_char,
                "end": e.end_char,
                "text": e.text,
                "label": e.label_,
                "cluster": e._.cluster if e.has_extension("cluster") else None,
            }
            for n, e in enumerate(spacy_doc.ents, start=1)
        ]
    clusters = {
        c["id"]: {**c, "mentions": []}
        for c in (spacy_doc.spans["mentions"].attrs.get("clusters", []) if "mentions" in spacy_doc.spans else [])
    }
    for span, label, x in items("mentions"):
        if x.get("cluster") not in clusters:
            raise InputError(where, f"mention {span['text']!r} names no known cluster ({x.get('cluster')!r})")
        clusters[x["cluster"]]["mentions"].append({**span, "form": label})
    data["clusters"] = list(clusters.values())
    data["quotes"] = [
        {"id": f"Q{n}", "cue": None, "source": None, "speaker": None, "kind": label, **x, "content": span}
        for n, (span, label, x) in enumerate(items("quotes"), start=1)
    ]
    data["events"] = [
        {
            "id": f"E{n}",
            "arguments": [],
            "polarity": "positive",
            "modality": "asserted",
            "tense": "unspecified",
            "realis": "actual",
            "type": label,
            **x,
            "trigger": span,
        }
        for n, (span, label, x) in enumerate(items("events"), start=1)
    ]
    data["timexes"] = [
        {"id": f"X{n}", "value": "XXXX-XX-XX", **x, **span, "type": label}
        for n, (span, label, x) in enumerate(items("timexes"), start=1)
    ]
    return from_data(with_empty_layers(data), text, where)


def write_docbin(
    path: str | os.PathLike[str],
    docs: Iterable[Document],
    nlp: Language | None = None,
    layers: Iterable[str] | None = None,
) -> None:
    """Write documents to a spaCy ``DocBin`` file (``.spacy``), atomically."""
    from spacy.tokens import DocBin

    nlp = nlp or _blank()
    layer_list = list(layers) if layers is not None else None
    binary = DocBin(store_user_data=True)
    for doc in docs:
        binary.add(to_spacy(doc, nlp, layer_list))
    write_bytes_atomic(path, binary.to_bytes())


def read_docbin(path: str | os.PathLike[str], nlp: Language | None = None) -> Iterator[Document]:
    """The documents in a ``DocBin`` file."""
    from spacy.tokens import DocBin

    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(where, "no such file") from None
    try:
        binary = DocBin(store_user_data=True).from_bytes(raw)
    except Exception as err:  # spaCy raises whatever its msgpack/zlib layer raises
        raise InputError(where, f"is not a spaCy DocBin ({type(err).__name__})") from None
    vocab = (nlp or _blank()).vocab
    _extensions()
    for number, spacy_doc in enumerate(binary.get_docs(vocab), start=1):
        yield from_spacy(spacy_doc, f"{where}[doc {number}]")
