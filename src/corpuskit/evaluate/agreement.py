"""Agreement between two annotations: pairwise F1 and token-level Cohen's kappa.

Why F1 is the better number for spans (Hripcsak & Rothschild 2005): kappa needs the count of
items both annotators left unmarked, and for spans that count is undefined (every substring of
the text is a candidate). Tokenising fixes it at "unmarked tokens", but that number mostly
reflects how long the text is. As it grows, kappa tends to the positive specific agreement
2a / (2a + b + c), which is exactly the pairwise F1 of one annotator scored against the other;
:func:`kappa_from_table` lets a student watch that happen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from corpuskit.evaluate.coref import Clustering, CorefScore, b_cubed, ceafe, document_clusters, muc
from corpuskit.evaluate.counts import Accuracy, Counts
from corpuskit.evaluate.layers import EVENT_ATTRIBUTES, QUOTE_THRESHOLDS, match_quotes, speaker_matches
from corpuskit.evaluate.spans import SpanResult, SpanTuple, evaluate_spans
from corpuskit.model import Document, Event
from corpuskit.tokens import tokenize

OUTSIDE = "O"


@dataclass(frozen=True, slots=True)
class KappaResult:
    """Cohen's kappa over ``tokens`` items: observed and chance agreement, and kappa."""

    tokens: int
    observed: float
    expected: float

    @property
    def kappa(self) -> float:
        if self.expected >= 1.0:
            return 1.0 if self.observed >= 1.0 else 0.0
        return (self.observed - self.expected) / (1.0 - self.expected)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement on one layer: pairwise scores (A as reference) and token kappas."""

    layer: str
    pairwise: SpanResult
    kappa: KappaResult
    kappa_marked_only: KappaResult

    @property
    def f1(self) -> float:
        """Strict pairwise F1, symmetric in the two annotators."""
        return self.pairwise.strict.f1


def token_labels(text: str, spans: Sequence[SpanTuple]) -> list[str]:
    """One label per token of :func:`tokenize`: the label of the first span (by start)
    containing the token's first character, else ``"O"``."""
    ordered = sorted(spans)
    labels = []
    for start, _ in tokenize(text):
        label = OUTSIDE
        for s, e, lab in ordered:
            if s > start:
                break
            if start < e:
                label = lab
                break
        labels.append(label)
    return labels


def cohen_kappa(labels_a: Sequence[str], labels_b: Sequence[str]) -> KappaResult:
    """Cohen's kappa of two label sequences of equal length.

    >>> round(cohen_kappa("AABB", "ABBB").kappa, 3)
    0.5
    """
    if len(labels_a) != len(labels_b):
        raise ValueError(f"{len(labels_a)} labels against {len(labels_b)}")
    n = len(labels_a)
    if n == 0:
        return KappaResult(0, 1.0, 1.0)
    agree = sum(a == b for a, b in zip(labels_a, labels_b, strict=True))
    count_a, count_b = Counter(labels_a), Counter(labels_b)
    expected = sum(count_a[label] * count_b[label] for label in count_a) / (n * n)
    return KappaResult(n, agree / n, expected)


def token_kappa(
    text: str, spans_a: Sequence[SpanTuple], spans_b: Sequence[SpanTuple], *, marked_only: bool = False
) -> KappaResult:
    """Token-level kappa; ``marked_only`` keeps only tokens at least one annotator marked."""
    a, b = token_labels(text, spans_a), token_labels(text, spans_b)
    if marked_only:
        kept = [(x, y) for x, y in zip(a, b, strict=True) if x != OUTSIDE or y != OUTSIDE]
        a, b = [x for x, _ in kept], [y for _, y in kept]
    return cohen_kappa(a, b)


def kappa_from_table(both: int, only_a: int, only_b: int, neither: int) -> float:
    """Kappa of a 2x2 marked/unmarked table.

    As ``neither`` grows, this tends to ``2*both / (2*both + only_a + only_b)``, the F1.

    >>> round(kappa_from_table(8, 2, 2, 10**9), 6)
    0.8
    """
    n = both + only_a + only_b + neither
    observed = (both + neither) / n
    expected = ((both + only_a) * (both + only_b) + (neither + only_a) * (neither + only_b)) / (n * n)
    return KappaResult(n, observed, expected).kappa


def _layer_spans(doc: Document, layer: str) -> list[SpanTuple]:
    if layer == "entities":
        return [(e.start, e.end, e.label) for e in doc.entities]
    if layer == "timexes":
        return [(t.start, t.end, t.type) for t in doc.timexes]
    if layer == "quotes":
        return [(q.content.start, q.content.end, q.kind) for q in doc.quotes]
    if layer == "events":
        return [(e.trigger.start, e.trigger.end, e.type) for e in doc.events]
    if layer == "mentions":
        return [(m.start, m.end, m.form) for c in doc.clusters for m in c.mentions]
    raise KeyError(f"no span layer {layer!r}; use entities, timexes, quotes, events or mentions")


def agreement(doc_a: Document, doc_b: Document, layer: str = "entities") -> Agreement:
    """Pairwise scores and token kappas between two annotations of the same text."""
    if doc_a.text != doc_b.text:
        raise ValueError(f"documents {doc_a.id!r} and {doc_b.id!r} annotate different texts")
    spans_a, spans_b = _layer_spans(doc_a, layer), _layer_spans(doc_b, layer)
    return Agreement(
        layer,
        evaluate_spans([spans_a], [spans_b]),
        token_kappa(doc_a.text, spans_a, spans_b),
        token_kappa(doc_a.text, spans_a, spans_b, marked_only=True),
    )


# Agreement on every layer of two annotations ----------------------------------------------
#
# One annotation is not gold against the other, so every count is named by side: "both"
# (paired), "only A", "only B". Span F1 is 2·both / (A + B), the same whichever side is the
# reference. Categorical fields are compared on paired items only, with Cohen's kappa beside
# the raw agreement: a field where one value dominates (most events are positive) can agree
# 95 % of the time and still have a low kappa, and that gap is the point of chance correction.


@dataclass(frozen=True, slots=True)
class FieldAgreement:
    """One categorical field compared on paired items: the ``(A, B)`` value of each pair."""

    name: str
    pairs: tuple[tuple[str, str], ...]
    chance_corrected: bool = True
    """False where kappa means nothing (a normalised value is nearly unique to its item)."""

    @property
    def total(self) -> int:
        return len(self.pairs)

    @property
    def agreed(self) -> int:
        return sum(a == b for a, b in self.pairs)

    @property
    def kappa(self) -> KappaResult:
        """Cohen's kappa over the pairs; ``observed`` is the raw agreement."""
        return cohen_kappa([a for a, _ in self.pairs], [b for _, b in self.pairs])


def _field(name: str, pairs: Sequence[tuple[str, str]]) -> FieldAgreement:
    return FieldAgreement(name, tuple(pairs))


def pair_counts(n_a: int, n_b: int, both: int) -> Counts:
    """Counts of a pairing with A as reference: both = correct, only A = missed, only B = spurious."""
    return Counts(correct=both, missed=n_a - both, spurious=n_b - both)


@dataclass(frozen=True, slots=True)
class SpanPairing:
    """Spans of A and B paired one to one, twice: same boundaries, and any overlap.

    ``exact`` and ``relaxed`` count the pairs; ``pairs`` lists the relaxed ones as
    ``(index in A, index in B)`` (the same-boundary pairs are taken first).
    """

    exact: Counts
    relaxed: Counts
    pairs: tuple[tuple[int, int], ...]


def pair_spans(spans_a: Sequence[tuple[int, int]], spans_b: Sequence[tuple[int, int]]) -> SpanPairing:
    """The largest same-boundary pairing, then the largest overlap pairing of what is left.

    >>> p = pair_spans([(0, 5), (10, 20)], [(0, 5), (12, 20), (30, 31)])
    >>> p.exact.correct, p.relaxed.correct, p.relaxed.spurious
    (1, 2, 1)
    """
    result = evaluate_spans([[(s, e, "") for s, e in spans_a]], [[(s, e, "") for s, e in spans_b]])
    pairs = tuple(
        (m.gold, m.pred)
        for m in result.partial.matches
        if m.gold is not None and m.pred is not None and m.outcome in ("correct", "partial")
    )
    n_a, n_b = len(spans_a), len(spans_b)
    return SpanPairing(pair_counts(n_a, n_b, result.exact.total.correct), pair_counts(n_a, n_b, len(pairs)), pairs)


@dataclass(frozen=True, slots=True)
class EntityAgreement:
    """Entity spans: exact and overlapping pairs, span+label pairs, and the label on pairs."""

    spans: SpanPairing
    labelled: Counts
    label: FieldAgreement
    token_kappa: KappaResult
    token_kappa_marked: KappaResult


def entity_agreement(doc_a: Document, doc_b: Document) -> EntityAgreement:
    a, b = _layer_spans(doc_a, "entities"), _layer_spans(doc_b, "entities")
    spans = pair_spans([s[:2] for s in a], [s[:2] for s in b])
    labelled = evaluate_spans([a], [b]).strict.total
    return EntityAgreement(
        spans,
        pair_counts(len(a), len(b), labelled.correct),
        _field("label", [(a[i][2], b[j][2]) for i, j in spans.pairs]),
        token_kappa(doc_a.text, a, b),
        token_kappa(doc_a.text, a, b, marked_only=True),
    )


# The coreference metrics reported, in order; each takes (key, response) clusterings of
# (start, end) mentions. A further metric (CEAFe) joins by adding its function here.
CorefMetric = Callable[[Clustering, Clustering], CorefScore]
COREF_METRICS: tuple[tuple[str, CorefMetric], ...] = (("MUC", muc), ("B3", b_cubed), ("CEAFe", ceafe))


@dataclass(frozen=True, slots=True)
class CorefAgreement:
    """Mention detection (exact spans) and each coreference metric with A as key."""

    mentions: Counts
    clusters_a: int
    clusters_b: int
    scores: tuple[tuple[str, CorefScore], ...]


def coref_agreement(doc_a: Document, doc_b: Document) -> CorefAgreement:
    key, response = document_clusters(doc_a), document_clusters(doc_b)
    mentions_a = {m for cluster in key for m in cluster}
    mentions_b = {m for cluster in response for m in cluster}
    both = len(mentions_a & mentions_b)
    return CorefAgreement(
        pair_counts(len(mentions_a), len(mentions_b), both),
        len(key),
        len(response),
        tuple((name, metric(key, response)) for name, metric in COREF_METRICS),
    )


@dataclass(frozen=True, slots=True)
class QuoteAgreement:
    """Quotes paired at one coverage threshold (of A's content), with speaker and kind on pairs."""

    threshold: float
    content: Counts
    speaker: Accuracy
    kind: FieldAgreement
    pairs: tuple[tuple[int, int], ...]


def quote_agreement(doc_a: Document, doc_b: Document) -> tuple[QuoteAgreement, ...]:
    a, b = doc_a.quotes, doc_b.quotes
    out = []
    for threshold in QUOTE_THRESHOLDS:
        pairs = match_quotes(a, b, threshold)
        right = sum(speaker_matches(a[i], b[j], doc_a) for i, j in pairs)
        out.append(
            QuoteAgreement(
                threshold,
                pair_counts(len(a), len(b), len(pairs)),
                Accuracy(right, len(pairs)),
                _field("kind", [(a[i].kind, b[j].kind) for i, j in pairs]),
                tuple(pairs),
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class EventAgreement:
    """Event triggers paired by span; type, factuality attributes and arguments on the pairs."""

    triggers: SpanPairing
    type: FieldAgreement
    attributes: tuple[FieldAgreement, ...]
    arguments: Counts


def _argument_keys(event: Event) -> list[tuple[str, int, int]]:
    return [(arg.role, arg.start, arg.end) for arg in event.arguments]


def event_agreement(doc_a: Document, doc_b: Document) -> EventAgreement:
    a, b = doc_a.events, doc_b.events
    triggers = pair_spans([(e.trigger.start, e.trigger.end) for e in a], [(e.trigger.start, e.trigger.end) for e in b])
    pairs = [(a[i], b[j]) for i, j in triggers.pairs]
    arguments = Counts()
    for x, y in pairs:
        shared = Counter(_argument_keys(x)) & Counter(_argument_keys(y))
        arguments += pair_counts(len(x.arguments), len(y.arguments), sum(shared.values()))
    return EventAgreement(
        triggers,
        _field("type", [(x.type, y.type) for x, y in pairs]),
        tuple(_field(name, [(getattr(x, name), getattr(y, name)) for x, y in pairs]) for name in EVENT_ATTRIBUTES),
        arguments,
    )


@dataclass(frozen=True, slots=True)
class TimexAgreement:
    """Time expressions paired by span; type and normalised value on the pairs."""

    spans: SpanPairing
    type: FieldAgreement
    value: FieldAgreement


def timex_agreement(doc_a: Document, doc_b: Document) -> TimexAgreement:
    a, b = doc_a.timexes, doc_b.timexes
    spans = pair_spans([(t.start, t.end) for t in a], [(t.start, t.end) for t in b])
    return TimexAgreement(
        spans,
        _field("type", [(a[i].type, b[j].type) for i, j in spans.pairs]),
        FieldAgreement("value", tuple((a[i].value, b[j].value) for i, j in spans.pairs), chance_corrected=False),
    )


@dataclass(frozen=True, slots=True)
class DocumentAgreement:
    """Agreement between two annotations of one text, layer by layer."""

    document: str
    entities: EntityAgreement
    coref: CorefAgreement
    quotes: tuple[QuoteAgreement, ...]
    events: EventAgreement
    timexes: TimexAgreement


def compare(doc_a: Document, doc_b: Document) -> DocumentAgreement:
    """Agreement on every layer between two annotations of the same text."""
    if doc_a.text != doc_b.text:
        raise ValueError(f"documents {doc_a.id!r} and {doc_b.id!r} annotate different texts")
    return DocumentAgreement(
        doc_a.id,
        entity_agreement(doc_a, doc_b),
        coref_agreement(doc_a, doc_b),
        quote_agreement(doc_a, doc_b),
        event_agreement(doc_a, doc_b),
        timex_agreement(doc_a, doc_b),
    )
