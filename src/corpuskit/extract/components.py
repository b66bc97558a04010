"""The spaCy components of the baseline systems, registered with ``@Language.factory``.

Each component is a thin wrapper: the layer logic lives in ``entities``, ``quotes``,
``events`` and ``timexes`` (plain functions over text and offsets, testable without spaCy);
this module moves data between them and the ``Doc`` (``doc.ents`` and the ``doc._.corpuskit_*``
extension attributes registered by ``pipeline.register``).
"""

from __future__ import annotations

from typing import Any, cast

from spacy.attrs import ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from corpuskit.extract import entities, events, lexicon, quotes, timexes

TEXT_KEY = "corpuskit_text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per ``Doc``: spaCy rebuilds it from every token on each access,
    which made each component's every look at the text a pass over the whole document."""
    text = doc.user_data.get(TEXT_KEY)
    length = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    if not isinstance(text, str) or len(text) != length:  # not cached, or copied from another Doc
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the ``Doc``'s sentences, without surrounding line breaks."""
    text = doc_text(doc)
    spans: list[tuple[int, int]] = []
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def entity_mentions(doc: Doc) -> list[tuple[int, int, str, str | None]]:
    """``(start, end, label, cluster)`` of every entity on the ``Doc``."""
    clusters: dict[tuple[int, int], str] = doc._.corpuskit_mention_clusters or {}
    return [(e.start_char, e.end_char, e.label_, clusters.get((e.start_char, e.end_char))) for e in doc.ents]


@Language.component("corpuskit_lines")
def lines(doc: Doc) -> Doc:
    """A sentence starts after every line break: headlines and captions have no final period."""
    # Setting Token.is_sent_start checks the whole Doc for a parse each time; one array write
    # keeps this linear in the text's length.
    starts = doc.to_array([SENT_START])
    # A token's trailing white space is at most one space: line breaks are tokens of their own.
    orths = doc.to_array([ORTH]).tolist()
    breaks = {orth for orth in set(orths) if "\n" in doc.vocab.strings[orth]}
    after_break = [i + 1 for i, orth in enumerate(orths[:-1]) if orth in breaks]
    if after_break:
        starts[after_break] = 1
        doc.from_array([SENT_START], cast(Any, starts.reshape(-1, 1)))
    return doc


@Language.factory("corpuskit_timexes")
def make_timexes(nlp: Language, name: str) -> TimexComponent:
    return TimexComponent()


class TimexComponent:
    """Time expressions normalised against ``doc._.corpuskit_dct``."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.corpuskit_timexes = timexes.find_timexes(doc_text(doc), doc._.corpuskit_dct, sentence_spans(doc))
        return doc


@Language.factory("corpuskit_entities", default_config={"source": "rules"})
def make_entities(nlp: Language, name: str, source: str) -> EntityTagger:
    return EntityTagger(source)


class EntityTagger:
    """Entities and clusters. ``source="rules"`` reads the EntityRuler's matches and adds names in
    context and dates; ``source="model"`` keeps the statistical NER's entities as they are."""

    def __init__(self, source: str = "rules") -> None:
        self.source = source

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        found_timexes = doc._.corpuskit_timexes or []
        if self.source == "model":
            chosen = [entities.Candidate(e.start_char, e.end_char, e.label_, 1) for e in doc.ents]
            _, people = entities.find_name_candidates(text)
        else:
            ruler = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            chosen, people = entities.recognise(text, ruler, found_timexes)
        spans = []
        for cand in chosen:
            span = doc.char_span(cand.start, cand.end, label=cand.label, alignment_mode="strict")
            if span is not None:
                spans.append(span)
        from spacy.util import filter_spans

        doc.ents = filter_spans(spans)
        kept = [entities.Candidate(e.start_char, e.end_char, e.label_, 1) for e in doc.ents]
        clusters, of_mention = entities.build_clusters(text, kept, people)
        doc._.corpuskit_clusters = clusters
        doc._.corpuskit_mention_clusters = of_mention
        doc._.corpuskit_people = people
        return doc


@Language.factory("corpuskit_quotes", default_config={"use_parse": False})
def make_quotes(nlp: Language, name: str, use_parse: bool) -> QuoteComponent:
    return QuoteComponent(use_parse)


class QuoteComponent:
    """Attributions; with ``use_parse`` the speaker of a cue verb is its parsed subject."""

    def __init__(self, use_parse: bool = False) -> None:
        self.use_parse = use_parse

    def __call__(self, doc: Doc) -> Doc:
        clusters = {c.id: c for c in doc._.corpuskit_clusters or []}
        ctx = quotes.Context(doc_text(doc), entity_mentions(doc), clusters)
        words = [quotes.Word(t.idx, t.idx + len(t.text), t.text, t.i) for t in doc if not t.is_space]
        heads: dict[int, tuple[str, list[int]]] | None = None
        if self.use_parse and doc.has_annotation("DEP"):
            heads = {}
            for token in doc:
                if token.lower_ in lexicon.CUE_FORMS:
                    for child in token.children:
                        if child.dep_ in ("nsubj", "nsubjpass"):
                            subtree = [t.i for t in child.subtree if not t.is_punct]
                            heads[token.i] = (child.dep_, subtree)
        doc._.corpuskit_quotes = quotes.Attributor(ctx, words, heads).run(sentence_spans(doc))
        doc._.corpuskit_clusters = list(ctx.clusters.values())
        return doc


@Language.factory("corpuskit_events")
def make_events(nlp: Language, name: str) -> EventComponent:
    return EventComponent()


class EventComponent:
    """Events from the trigger lexicon, with arguments from the sentence's entities and timexes."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.corpuskit_events = events.extract_events(
            doc_text(doc), sentence_spans(doc), entity_mentions(doc), doc._.corpuskit_timexes or []
        )
        return doc


def describe(doc: Doc) -> dict[str, Any]:
    """How many items each layer found (a quick look in a notebook)."""
    return {
        "entities": len(doc.ents),
        "clusters": len(doc._.corpuskit_clusters or []),
        "quotes": len(doc._.corpuskit_quotes or []),
        "events": len(doc._.corpuskit_events or []),
        "timexes": len(doc._.corpuskit_timexes or []),
    }
