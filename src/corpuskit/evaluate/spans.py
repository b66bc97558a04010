"""Span matching under the four SemEval-2013 Task 9.1 schemas (as nervaluate names them).

A span is ``(start, end, label)`` with 0-based, half-open ``[start, end)`` offsets, the
corpuskit convention everywhere. Two spans *overlap* when they share at least one offset.

Each schema pairs gold and predicted spans one-to-one and gives each pair an outcome:

========  ==========================  =========================  ===================
schema    correct                     incorrect                  partial
========  ==========================  =========================  ===================
strict    same boundaries, same label  any other overlap          --
exact     same boundaries             overlap, other boundaries  --
partial   same boundaries             --                         overlap, other bounds
type      overlap, same label         overlap, other label       --
========  ==========================  =========================  ===================

Unpaired gold spans are *missed*, unpaired predictions *spurious*. The pairing is not greedy:
each schema first takes the largest possible set of correct pairs, then, among the spans left,
the largest possible set of overlapping pairs (a left-to-right sweep that pairs the span ending
first with the overlapping partner ending first, which is provably maximum for intervals).
Order of the input lists never changes a count.

Per label, a schema sees only the spans of that label (gold and predicted), as nervaluate and
seqeval do: predicting LOC for a gold PER costs a missed PER and a spurious LOC there, while
the overall (micro) counts record one incorrect. Macro scores average the per-label scores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from corpuskit.evaluate.counts import Counts, safe_ratio

SCHEMAS: tuple[str, ...] = ("strict", "exact", "partial", "type")

SpanTuple = tuple[int, int, str]
"""``(start, end, label)``, end exclusive."""

_Pairs = list[tuple[int, int]]
_LABEL = itemgetter(2)


class Match(NamedTuple):
    """One outcome, for error analysis: which document, which gold and predicted span.

    ``gold``/``pred`` index the input lists of that document; ``None`` for the side that is
    absent (a missed span has no prediction, a spurious one no gold).
    """

    doc: int
    gold: int | None
    pred: int | None
    outcome: str


@dataclass(frozen=True, slots=True)
class SchemaResult:
    """The counts of one schema: overall (micro), per label, and every match."""

    schema: str
    total: Counts
    by_label: Mapping[str, Counts] = field(default_factory=dict, hash=False)
    _log: _MatchLog | None = field(default=None, repr=False, compare=False, hash=False)

    @property
    def matches(self) -> tuple[Match, ...]:
        """Every outcome with its document and span indices, document by document."""
        return () if self._log is None else self._log.matches(self.schema)

    @property
    def precision(self) -> float:
        return self.total.precision

    @property
    def recall(self) -> float:
        return self.total.recall

    @property
    def f1(self) -> float:
        return self.total.f1

    @property
    def macro_precision(self) -> float:
        """Unweighted mean over labels of the per-label precision."""
        return safe_ratio(sum(c.precision for c in self.by_label.values()), len(self.by_label))

    @property
    def macro_recall(self) -> float:
        return safe_ratio(sum(c.recall for c in self.by_label.values()), len(self.by_label))

    @property
    def macro_f1(self) -> float:
        """Mean of per-label F1 (as seqeval and scikit-learn average), not F1 of the means."""
        return safe_ratio(sum(c.f1 for c in self.by_label.values()), len(self.by_label))

    def matches_of(self, outcome: str) -> tuple[Match, ...]:
        """The matches with one outcome, e.g. ``result.strict.matches_of("missed")``."""
        return tuple(m for m in self.matches if m.outcome == outcome)


@dataclass(frozen=True, slots=True)
class SpanResult:
    """All four schemas over one set of documents."""

    strict: SchemaResult
    exact: SchemaResult
    partial: SchemaResult
    type: SchemaResult
    documents: int = 0

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.strict.by_label)

    def schema(self, name: str) -> SchemaResult:
        if name not in SCHEMAS:
            raise KeyError(f"unknown schema {name!r}; schemas are: {', '.join(SCHEMAS)}")
        result: SchemaResult = getattr(self, name)
        return result

    def schemas(self) -> tuple[SchemaResult, ...]:
        return (self.strict, self.exact, self.partial, self.type)


def overlap_pairs(gold: Sequence[tuple[int, int, int]], pred: Sequence[tuple[int, int, int]]) -> _Pairs:
    """A maximum one-to-one pairing of overlapping intervals ``(start, end, index)``.

    Sweeps intervals by end; the unpaired interval that ends first is paired with the
    overlapping unpaired interval of the other side that ends first. An exchange argument shows
    some maximum matching contains that pair, so the sweep is maximum. Returns
    ``(gold_index, pred_index)`` pairs.

    >>> overlap_pairs([(0, 10, 0), (10, 20, 1)], [(8, 18, 0), (18, 30, 1)])
    [(0, 0), (1, 1)]
    """
    if not gold or not pred:
        return []
    if len(gold) == 1 or len(pred) == 1:
        # One interval on a side: the sweep pairs it with its overlapping partner ending first.
        (start, end, idx), others, flip = (gold[0], pred, False) if len(gold) == 1 else (pred[0], gold, True)
        hits = [(o_end, o_start, o_idx) for o_start, o_end, o_idx in others if o_start < end and start < o_end]
        if not hits:
            return []
        other = min(hits)[2]
        return [(other, idx)] if flip else [(idx, other)]
    sides = (sorted((e, s, i) for s, e, i in gold), sorted((e, s, i) for s, e, i in pred))
    items = sorted([(e, 0, s, i) for e, s, i in sides[0]] + [(e, 1, s, i) for e, s, i in sides[1]])
    taken: tuple[set[int], set[int]] = (set(), set())
    pairs: _Pairs = []
    for end, side, start, idx in items:
        mine = taken[side]
        if idx in mine:
            continue
        other_side = 1 - side
        theirs = taken[other_side]
        for o_end, o_start, o_idx in sides[other_side]:
            if o_start < end and start < o_end and o_idx not in theirs:
                mine.add(idx)
                theirs.add(o_idx)
                pairs.append((idx, o_idx) if side == 0 else (o_idx, idx))
                break
    return pairs


def _identical_pairs(
    gold: Sequence[tuple[int, int, str]],
    pred: Sequence[tuple[int, int, str]],
    gold_ids: Iterable[int],
    pred_ids: Iterable[int],
    key_len: int,
) -> tuple[_Pairs, list[int], list[int]]:
    """Pair spans with equal ``(start, end, label)[:key_len]``; return pairs and leftovers.

    Equal spans pair in input order (the first gold copy with the first predicted copy).
    """
    bucket: dict[tuple[object, ...], list[int]] = {}
    for gi in gold_ids:
        key = gold[gi][:key_len]
        slot = bucket.get(key)
        if slot is None:
            bucket[key] = [gi]
        else:
            slot.append(gi)
    pairs: _Pairs = []
    pred_left: list[int] = []
    for pi in pred_ids:
        slot = bucket.get(pred[pi][:key_len])
        if slot:
            pairs.append((slot.pop(0), pi))
        else:
            pred_left.append(pi)
    gold_left = sorted(gi for slot in bucket.values() for gi in slot)
    return pairs, gold_left, pred_left


def _same_spans(gold: Sequence[SpanTuple], pred: Sequence[SpanTuple]) -> tuple[_Pairs, list[int], list[int]]:
    """:func:`_identical_pairs` on whole spans, with a fast path for duplicate-free gold."""
    index = {span: gi for gi, span in enumerate(gold)}
    if len(index) != len(gold):
        return _identical_pairs(gold, pred, range(len(gold)), range(len(pred)), 3)
    pairs: _Pairs = []
    pred_left: list[int] = []
    pop = index.pop
    for pi, span in enumerate(pred):
        gi = pop(span, -1)
        if gi < 0:
            pred_left.append(pi)
        else:
            pairs.append((gi, pi))
    return pairs, sorted(index.values()), pred_left


def _intervals(spans: Sequence[SpanTuple], ids: Iterable[int]) -> list[tuple[int, int, int]]:
    return [(spans[i][0], spans[i][1], i) for i in ids]


class _Doc(NamedTuple):
    """The pairings of one document, per schema (indices into the filtered lists)."""

    strict_correct: _Pairs
    strict_incorrect: _Pairs
    exact_correct: _Pairs
    exact_incorrect: _Pairs
    type_correct: _Pairs
    type_incorrect: _Pairs
    label_incorrect: _Pairs  # overlap pairs inside one label, for the per-label counts


def _forced_pairing(
    gold: Sequence[SpanTuple],
    pred: Sequence[SpanTuple],
    same: _Pairs,
    gold_left: list[int],
    pred_left: list[int],
) -> _Doc | None:
    """The pairings when there is nothing to choose, else None (the common case, made fast).

    Nothing to choose: each leftover span overlaps at most one leftover of the other side, and
    none overlaps an identical pair's span (so no better pairing runs through one).
    """
    edges = [
        (g, p)
        for g_start, g_end, g in _intervals(gold, gold_left)
        for p_start, p_end, p in _intervals(pred, pred_left)
        if g_start < p_end and p_start < g_end
    ]
    if len({g for g, _ in edges}) != len(edges) or len({p for _, p in edges}) != len(edges):
        return None
    if same:
        paired = [gold[g] for g, _ in same]
        for span in [gold[i] for i in gold_left] + [pred[i] for i in pred_left]:
            start, end, _ = span
            if any(start < other[1] and other[0] < end for other in paired):
                return None
    bounds = [(g, p) for g, p in edges if gold[g][:2] == pred[p][:2]]
    within = [(g, p) for g, p in edges if gold[g][2] == pred[p][2]]
    across = [(g, p) for g, p in edges if gold[g][2] != pred[p][2]]
    if bounds:
        exact_correct = same + bounds
        exact_incorrect = [(g, p) for g, p in edges if gold[g][:2] != pred[p][:2]]
    else:
        exact_correct, exact_incorrect = same, edges
    return _Doc(same, edges, exact_correct, exact_incorrect, same + within, across, within)


def _pair_document(gold: Sequence[SpanTuple], pred: Sequence[SpanTuple]) -> _Doc:
    ng, np_ = len(gold), len(pred)
    same, gold_left, pred_left = _same_spans(gold, pred)
    if not gold_left or not pred_left:
        # Nothing left to pair: every schema agrees, and the identical pairs already cover one
        # whole side, so no overlap pairing can have more correct pairs for the type schema.
        return _Doc(same, [], same, [], same, [], [])

    fast = _forced_pairing(gold, pred, same, gold_left, pred_left)
    if fast is not None:
        return fast
    # strict: identical first, then the largest overlap pairing of the rest.
    strict_incorrect = overlap_pairs(_intervals(gold, gold_left), _intervals(pred, pred_left))
    # exact and partial: identical, then same boundaries with another label, then overlaps.
    bounds, exact_gold, exact_pred = _identical_pairs(gold, pred, gold_left, pred_left, 2)
    if bounds:
        exact_incorrect = overlap_pairs(_intervals(gold, exact_gold), _intervals(pred, exact_pred))
    else:
        exact_incorrect = strict_incorrect

    # per label: the strict/exact/partial pairing seen through one label at a time.
    gold_by: dict[str, list[int]] = {}
    pred_by: dict[str, list[int]] = {}
    for gi in gold_left:
        gold_by.setdefault(gold[gi][2], []).append(gi)
    for pi in pred_left:
        pred_by.setdefault(pred[pi][2], []).append(pi)
    contested = gold_by.keys() & pred_by.keys()
    label_incorrect: _Pairs = []
    type_correct: _Pairs = list(same)
    resweep = False
    for label in contested:
        in_label = overlap_pairs(_intervals(gold, gold_by[label]), _intervals(pred, pred_by[label]))
        label_incorrect += in_label
        # type: the largest same-label overlap pairing. Identical pairs plus the pairing of the
        # rest is that largest pairing unless a leftover span overlaps an identical one of the
        # same label (only then can an augmenting path run through an identical pair).
        paired = [gold[g] for g, _ in same if gold[g][2] == label]
        loose = [gold[i] for i in gold_by[label]] + [pred[i] for i in pred_by[label]]
        if paired and any(a[0] < b[1] and b[0] < a[1] for a in loose for b in paired):
            resweep = True
            type_correct = [p for p in type_correct if gold[p[0]][2] != label]
            type_correct += overlap_pairs(
                [(s, e, i) for i, (s, e, lab) in enumerate(gold) if lab == label],
                [(s, e, i) for i, (s, e, lab) in enumerate(pred) if lab == label],
            )
        else:
            type_correct += in_label
    # type, then: the largest overlap pairing (other labels) of what is still unpaired.
    # Without a re-sweep the unpaired spans are among the strict leftovers, which overlap
    # nothing when the strict pairing found no overlaps.
    if len(type_correct) in (ng, np_) or (not strict_incorrect and not resweep):
        type_incorrect: _Pairs = []
    else:
        used_g = {g for g, _ in type_correct}
        used_p = {p for _, p in type_correct}
        type_incorrect = overlap_pairs(
            [(s, e, i) for i, (s, e, _) in enumerate(gold) if i not in used_g],
            [(s, e, i) for i, (s, e, _) in enumerate(pred) if i not in used_p],
        )
    exact_correct = same + bounds if bounds else same
    return _Doc(
        same,
        strict_incorrect,
        exact_correct,
        exact_incorrect,
        type_correct,
        type_incorrect,
        label_incorrect,
    )


class _MatchLog:
    """The inputs of an evaluation, kept so matches are listed only when someone asks.

    Recording every match while counting would double the cost of a large evaluation, and the
    pairing is deterministic, so the matches are recomputed on first use and cached.
    """

    def __init__(
        self, docs: list[tuple[Sequence[SpanTuple], Sequence[SpanTuple], Sequence[int], Sequence[int]]]
    ) -> None:
        self._docs = docs
        self._cache: dict[str, tuple[Match, ...]] = {}

    def matches(self, schema: str) -> tuple[Match, ...]:
        if schema not in self._cache:
            found: dict[str, list[Match]] = {name: [] for name in SCHEMAS}
            for doc_index, (gold, pred, gmap, pmap) in enumerate(self._docs):
                doc = _pair_document(gold, pred)
                sizes = (doc_index, len(gold), len(pred), gmap, pmap)
                found["strict"] += _matches(*sizes, doc.strict_correct, doc.strict_incorrect, "incorrect")
                found["exact"] += _matches(*sizes, doc.exact_correct, doc.exact_incorrect, "incorrect")
                found["partial"] += _matches(*sizes, doc.exact_correct, doc.exact_incorrect, "partial")
                found["type"] += _matches(*sizes, doc.type_correct, doc.type_incorrect, "incorrect")
            self._cache = {name: tuple(found[name]) for name in SCHEMAS}
        return self._cache[schema]


def _matches(
    doc_index: int,
    ng: int,
    np_: int,
    gmap: Sequence[int],
    pmap: Sequence[int],
    correct: _Pairs,
    other: _Pairs,
    other_outcome: str,
) -> list[Match]:
    out = [Match(doc_index, gmap[g], pmap[p], "correct") for g, p in correct]
    out += [Match(doc_index, gmap[g], pmap[p], other_outcome) for g, p in other]
    used_g = {g for g, _ in correct} | {g for g, _ in other}
    used_p = {p for _, p in correct} | {p for _, p in other}
    out += [Match(doc_index, gmap[g], None, "missed") for g in range(ng) if g not in used_g]
    out += [Match(doc_index, None, pmap[p], "spurious") for p in range(np_) if p not in used_p]
    out.sort(key=lambda m: (m.gold if m.gold is not None else -1, m.pred or 0))
    return out


def evaluate_spans(
    gold_docs: Iterable[Sequence[SpanTuple]],
    pred_docs: Iterable[Sequence[SpanTuple]],
    *,
    labels: Iterable[str] | None = None,
) -> SpanResult:
    """Score predicted spans against gold, document by document, under all four schemas.

    ``gold_docs[k]`` and ``pred_docs[k]`` are the ``(start, end, label)`` spans of document
    ``k``. ``labels`` keeps only spans with those labels (others are ignored on both sides).
    Totals are sums over documents, so N copies of a set score exactly as one copy.

    >>> r = evaluate_spans([[(0, 5, "PER")]], [[(0, 3, "PER")]])
    >>> r.strict.total.incorrect, r.partial.total.partial, r.type.total.correct
    (1, 1, 1)
    """
    keep = None if labels is None else frozenset(labels)
    gold_list = list(gold_docs)
    pred_list = list(pred_docs)
    if len(gold_list) != len(pred_list):
        raise ValueError(f"gold has {len(gold_list)} documents but the prediction has {len(pred_list)}")
    g_n = p_n = sc = si = ec = ei = tc = ti = 0
    # Per label: gold, predicted, identical pairs, in-label overlap pairs, type-correct pairs.
    # Labels are gathered in lists and counted once at the end: a Counter update per
    # document costs more than the pairing of a typical document.
    l_gold: list[str] = []
    l_pred: list[str] = []
    l_same: list[str] = []
    l_overlap: list[str] = []
    l_type: list[str] = []
    log: list[tuple[Sequence[SpanTuple], Sequence[SpanTuple], Sequence[int], Sequence[int]]] = []
    for gold_in, pred_in in zip(gold_list, pred_list, strict=True):
        if keep is None:
            gold, pred = gold_in, pred_in
            gmap: Sequence[int] = range(len(gold))
            pmap: Sequence[int] = range(len(pred))
        else:
            gmap = [i for i, span in enumerate(gold_in) if span[2] in keep]
            pmap = [i for i, span in enumerate(pred_in) if span[2] in keep]
            gold = [gold_in[i] for i in gmap]
            pred = [pred_in[i] for i in pmap]
        log.append((gold, pred, gmap, pmap))
        doc = _pair_document(gold, pred)
        g_n += len(gold)
        p_n += len(pred)
        l_gold += map(_LABEL, gold)
        l_pred += map(_LABEL, pred)
        same = doc.strict_correct
        sc += len(same)
        ec += len(doc.exact_correct)
        tc += len(doc.type_correct)
        l_same += [gold[g][2] for g, _ in same]
        if doc.exact_correct is same and not doc.strict_incorrect and not doc.type_incorrect:
            l_type += [gold[g][2] for g, _ in doc.type_correct]
            continue
        si += len(doc.strict_incorrect)
        ei += len(doc.exact_incorrect)
        ti += len(doc.type_incorrect)
        l_overlap += [gold[g][2] for g, _ in doc.label_incorrect]
        l_type += [gold[g][2] for g, _ in doc.type_correct]
    n_gold, n_pred, n_same = Counter(l_gold), Counter(l_pred), Counter(l_same)
    n_overlap, n_type = Counter(l_overlap), Counter(l_type)

    def total(correct: int, other: int, partial: bool = False) -> Counts:
        missed, spurious = g_n - correct - other, p_n - correct - other
        if partial:
            return Counts(correct, 0, other, missed, spurious)
        return Counts(correct, other, 0, missed, spurious)

    ordered = sorted(n_gold.keys() | n_pred.keys())
    boundary: dict[str, Counts] = {}
    partial_by: dict[str, Counts] = {}
    type_by: dict[str, Counts] = {}
    for lab in ordered:
        g, p, c, i, t = n_gold[lab], n_pred[lab], n_same[lab], n_overlap[lab], n_type[lab]
        boundary[lab] = Counts(c, i, 0, g - c - i, p - c - i)
        partial_by[lab] = Counts(c, 0, i, g - c - i, p - c - i)
        type_by[lab] = Counts(t, 0, 0, g - t, p - t)
    matches = _MatchLog(log)
    return SpanResult(
        SchemaResult("strict", total(sc, si), boundary, matches),
        SchemaResult("exact", total(ec, ei), boundary, matches),
        SchemaResult("partial", total(ec, ei, partial=True), partial_by, matches),
        SchemaResult("type", total(tc, ti), type_by, matches),
        documents=len(gold_list),
    )


def score_spans(
    gold: Sequence[SpanTuple], pred: Sequence[SpanTuple], *, labels: Iterable[str] | None = None
) -> SpanResult:
    """:func:`evaluate_spans` for a single document."""
    return evaluate_spans([gold], [pred], labels=labels)
