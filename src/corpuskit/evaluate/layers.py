"""Metrics per annotation layer: entities, quotes, events and time expressions.

Every layer reduces to counts (:class:`~corpuskit.evaluate.counts.Counts`) and accuracies on
matched items (:class:`~corpuskit.evaluate.counts.Accuracy`); nothing here computes a
precision twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from corpuskit.evaluate.counts import Accuracy, Counts
from corpuskit.evaluate.spans import SpanResult, SpanTuple, evaluate_spans
from corpuskit.model import Document, Quote, Span

QUOTE_THRESHOLDS: tuple[float, ...] = (0.3, 0.8)
"""The overlap thresholds of the Gender Gap Tracker quote evaluation (Asr et al. 2021)."""


def _pairs(gold_docs: Iterable[Document], pred_docs: Iterable[Document]) -> list[tuple[Document, Document]]:
    return list(zip(gold_docs, pred_docs, strict=True))


def _set_counts(gold: Iterable[Hashable], pred: Iterable[Hashable]) -> Counts:
    """Multiset agreement: correct = shared items, missed/spurious = the rest."""
    g, p = Counter(gold), Counter(pred)
    hit = sum((g & p).values())
    return Counts(correct=hit, missed=sum(g.values()) - hit, spurious=sum(p.values()) - hit)


# Entities ---------------------------------------------------------------------------------


def entity_spans(doc: Document) -> list[SpanTuple]:
    """The ``(start, end, label)`` spans of a document's entities."""
    return [(e.start, e.end, e.label) for e in doc.entities]


def evaluate_entities(
    gold_docs: Iterable[Document], pred_docs: Iterable[Document], *, labels: Iterable[str] | None = None
) -> SpanResult:
    """The four SemEval schemas on the entity layer."""
    pairs = _pairs(gold_docs, pred_docs)
    return evaluate_spans([entity_spans(g) for g, _ in pairs], [entity_spans(p) for _, p in pairs], labels=labels)


# Quotes -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuoteResult:
    """Quote scores at one overlap threshold.

    ``content``: quotes found (a predicted content span covering more than ``threshold`` of a
    gold one); ``speaker``: accuracy of the speaker on those matched quotes; ``attribution``:
    end to end, a quote counts only when it is found *and* its speaker is right.
    """

    threshold: float
    content: Counts
    speaker: Accuracy
    attribution: Counts


@dataclass(frozen=True, slots=True)
class QuotesResult:
    """Quote scores at each threshold, lowest first."""

    thresholds: tuple[QuoteResult, ...]

    def at(self, threshold: float) -> QuoteResult:
        for result in self.thresholds:
            if result.threshold == threshold:
                return result
        raise KeyError(f"no result at threshold {threshold}")


def coverage(gold: Span, pred: Span) -> float:
    """Share of the gold span's characters the prediction covers (the GGT match score).

    >>> coverage(Span(0, 10, "x" * 10), Span(5, 20, "x" * 15))
    0.5
    """
    shared = min(gold.end, pred.end) - max(gold.start, pred.start)
    length = gold.end - gold.start
    return shared / length if shared > 0 and length > 0 else 0.0


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def speaker_matches(gold: Quote, pred: Quote, gold_doc: Document) -> bool:
    """Whether a predicted quote names the gold speaker.

    Right when the predicted source span overlaps the gold source or any mention of the gold
    speaker's cluster (so "he" for Trump counts), when both name the same cluster id, or when
    neither has a speaker (an unattributed quote left unattributed).
    """
    if gold.speaker is None and gold.source is None:
        return pred.speaker is None and pred.source is None
    if pred.speaker is not None and pred.speaker == gold.speaker:
        return True
    if pred.source is None:
        return False
    targets: list[Span] = [] if gold.source is None else [gold.source]
    if gold.speaker is not None:
        for cluster in gold_doc.clusters:
            if cluster.id == gold.speaker:
                targets += [m.span for m in cluster.mentions]
    return any(_overlaps(pred.source, target) for target in targets)


def match_quotes(
    gold: Sequence[Quote], pred: Sequence[Quote], threshold: float, within: float = 0.0
) -> list[tuple[int, int]]:
    """Pair quotes as the GGT evaluation does: each gold quote in turn takes the unpaired
    prediction covering the largest share of it, if that share exceeds ``threshold``.

    ``within`` > 0 also asks a prediction to lie that much inside the gold content (the share of
    its own characters), so an over-long prediction pairs with nothing; the GGT evaluation uses 0.
    """
    free = list(range(len(pred)))
    pairs: list[tuple[int, int]] = []
    for gi, g in enumerate(gold):
        best, best_score = -1, threshold
        for pi in free:
            if within and coverage(pred[pi].content, g.content) < within:
                continue
            score = coverage(g.content, pred[pi].content)
            if score > best_score:
                best, best_score = pi, score
        if best >= 0:
            free.remove(best)
            pairs.append((gi, best))
    return pairs


def evaluate_quotes(
    gold_docs: Iterable[Document],
    pred_docs: Iterable[Document],
    thresholds: Sequence[float] = QUOTE_THRESHOLDS,
) -> QuotesResult:
    """Quote detection, speaker accuracy and attribution at each threshold."""
    pairs = _pairs(gold_docs, pred_docs)
    results = []
    for threshold in sorted(thresholds):
        content, attribution, speaker = Counts(), Counts(), Accuracy()
        for gold_doc, pred_doc in pairs:
            gold, pred = gold_doc.quotes, pred_doc.quotes
            matched = match_quotes(gold, pred, threshold)
            right = sum(speaker_matches(gold[g], pred[p], gold_doc) for g, p in matched)
            n = len(matched)
            content += Counts(correct=n, missed=len(gold) - n, spurious=len(pred) - n)
            speaker += Accuracy(right, n)
            attribution += Counts(correct=right, missed=len(gold) - right, spurious=len(pred) - right)
        results.append(QuoteResult(threshold, content, speaker, attribution))
    return QuotesResult(tuple(results))


# Events -----------------------------------------------------------------------------------

EVENT_ATTRIBUTES: tuple[str, ...] = ("polarity", "modality", "tense", "realis")


@dataclass(frozen=True, slots=True)
class EventResult:
    """Event scores in the ACE tradition (Ji & Grishman 2008; Li et al. 2013).

    A trigger is identified when its offsets match a gold trigger, classified when its type
    matches too. An argument is identified when its offsets and its event's type match a gold
    argument, classified when its role matches too. Attribute accuracies are measured on the
    identified triggers.
    """

    trigger_identification: Counts
    trigger_classification: Counts
    argument_identification: Counts
    argument_classification: Counts
    polarity: Accuracy
    modality: Accuracy
    tense: Accuracy
    realis: Accuracy

    def attribute(self, name: str) -> Accuracy:
        if name not in EVENT_ATTRIBUTES:
            raise KeyError(f"unknown attribute {name!r}")
        value: Accuracy = getattr(self, name)
        return value


def evaluate_events(gold_docs: Iterable[Document], pred_docs: Iterable[Document]) -> EventResult:
    """Trigger and argument identification and classification; attribute accuracy."""
    ti = tc = ai = ac = Counts()
    attrs = {name: Accuracy() for name in EVENT_ATTRIBUTES}
    for gold_doc, pred_doc in _pairs(gold_docs, pred_docs):
        gold, pred = gold_doc.events, pred_doc.events
        ti += _set_counts(
            [(e.trigger.start, e.trigger.end) for e in gold], [(e.trigger.start, e.trigger.end) for e in pred]
        )
        tc += _set_counts(
            [(e.trigger.start, e.trigger.end, e.type) for e in gold],
            [(e.trigger.start, e.trigger.end, e.type) for e in pred],
        )
        ai += _set_counts(
            [(e.type, a.start, a.end) for e in gold for a in e.arguments],
            [(e.type, a.start, a.end) for e in pred for a in e.arguments],
        )
        ac += _set_counts(
            [(e.type, a.start, a.end, a.role) for e in gold for a in e.arguments],
            [(e.type, a.start, a.end, a.role) for e in pred for a in e.arguments],
        )
        by_trigger: dict[tuple[int, int], list[int]] = {}
        for gi, e in enumerate(gold):
            by_trigger.setdefault((e.trigger.start, e.trigger.end), []).append(gi)
        for p in pred:
            slot = by_trigger.get((p.trigger.start, p.trigger.end))
            if slot:
                g = gold[slot.pop(0)]
                for name in EVENT_ATTRIBUTES:
                    attrs[name] += Accuracy(int(getattr(g, name) == getattr(p, name)), 1)
    return EventResult(ti, tc, ai, ac, **attrs)


# Time expressions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimexResult:
    """TIMEX3 scores as in TempEval-3 (UzZaman et al. 2013).

    ``extent``: the four schemas over ``(start, end, type)`` (strict extent is the ``exact``
    schema, relaxed extent the ``partial`` one). ``value`` and ``type`` are accuracies on
    relaxed-matched pairs; ``value_counts`` scores end to end, a timex counting only when
    found and normalised right.
    """

    extent: SpanResult
    type: Accuracy
    value: Accuracy
    value_counts: Counts


def evaluate_timexes(gold_docs: Iterable[Document], pred_docs: Iterable[Document]) -> TimexResult:
    """Extent, type and normalised value of time expressions."""
    pairs = _pairs(gold_docs, pred_docs)
    extent = evaluate_spans(
        [[(t.start, t.end, t.type) for t in g.timexes] for g, _ in pairs],
        [[(t.start, t.end, t.type) for t in p.timexes] for _, p in pairs],
    )
    type_acc = value_acc = Accuracy()
    for match in extent.partial.matches:
        if match.gold is None or match.pred is None:
            continue
        gold_doc, pred_doc = pairs[match.doc]
        g, p = gold_doc.timexes[match.gold], pred_doc.timexes[match.pred]
        type_acc += Accuracy(int(g.type == p.type), 1)
        value_acc += Accuracy(int(g.value == p.value), 1)
    n_gold = sum(len(g.timexes) for g, _ in pairs)
    n_pred = sum(len(p.timexes) for _, p in pairs)
    hit = value_acc.correct
    value_counts = Counts(correct=hit, missed=n_gold - hit, spurious=n_pred - hit)
    return TimexResult(extent, type_acc, value_acc, value_counts)
