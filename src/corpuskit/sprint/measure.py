"""How far a class agrees on one passage: chance-corrected agreement over tokens, pairwise F1,
each student against the class majority (and the gold), and the spans where the class splits.

Token measures treat each token of the passage as an item every student labelled (``O`` when
unmarked), the way Krippendorff's alpha and Fleiss' kappa are defined for many coders; the span
measures are the strict F1 of :mod:`corpuskit.evaluate.spans`. The two tell different stories:
tokens reward agreeing on the long stretches of nothing, spans count only what was marked.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence

from corpuskit.errors import CorpuskitError
from corpuskit.evaluate.agreement import OUTSIDE, token_labels
from corpuskit.evaluate.spans import evaluate_spans
from corpuskit.model import Document
from corpuskit.sprint.collect import Pool, SpanTriple
from corpuskit.tokens import tokenize


class TooFewStudents(CorpuskitError, ValueError):
    """Agreement needs at least two students in the pool."""


Reading = tuple[SpanTriple, ...]
"""What one student marked at one site: their spans there, ``()`` for nothing."""


def krippendorff_alpha(units: Sequence[Sequence[str]]) -> float:
    """Krippendorff's alpha for nominal values; each unit lists the values its coders gave
    (units with fewer than two values are not pairable and count for nothing).

    >>> round(krippendorff_alpha([["a", "a"], ["b", "b"], ["a", "b"]]), 3)
    0.444
    """
    pairable = [Counter(unit) for unit in units if len(unit) >= 2]
    n = sum(sum(c.values()) for c in pairable)
    if n < 2:
        return 1.0
    observed = sum(sum(k * (k - 1) for k in c.values()) / (sum(c.values()) - 1) for c in pairable) / n
    totals: Counter[str] = Counter()
    for c in pairable:
        totals.update(c)
    expected = sum(k * (k - 1) for k in totals.values()) / (n * (n - 1))
    if expected >= 1.0:
        return 1.0  # one value everywhere: nothing to disagree on
    return (observed - expected) / (1.0 - expected)


def fleiss_kappa(units: Sequence[Mapping[str, int]]) -> float:
    """Fleiss' kappa; each unit maps a category to how many raters chose it (the same number
    of raters for every unit).

    >>> round(fleiss_kappa([{"a": 2}, {"b": 2}, {"a": 1, "b": 1}]), 3)
    0.333
    """
    if not units:
        return 1.0
    raters = sum(units[0].values())
    if raters < 2 or any(sum(u.values()) != raters for u in units):
        raise ValueError("Fleiss' kappa needs the same number (at least two) of raters for every unit")
    agreement = [(sum(k * k for k in u.values()) - raters) / (raters * (raters - 1)) for u in units]
    mean = sum(agreement) / len(units)
    totals: Counter[str] = Counter()
    for u in units:
        totals.update(u)
    chance = sum((k / (len(units) * raters)) ** 2 for k in totals.values())
    if chance >= 1.0:
        return 1.0
    return (mean - chance) / (1.0 - chance)


def span_f1(a: Sequence[SpanTriple], b: Sequence[SpanTriple]) -> float:
    """Strict F1 (same boundaries and label) between two sets of spans; symmetric."""
    if not a and not b:
        return 1.0
    return evaluate_spans([list(a)], [list(b)]).strict.total.f1


@dataclasses.dataclass(frozen=True, slots=True)
class Site:
    """A stretch of text where students marked something: each reading with its votes, most first."""

    start: int
    end: int
    readings: tuple[tuple[Reading, int], ...]

    @property
    def students(self) -> int:
        return sum(count for _, count in self.readings)

    @property
    def split(self) -> float:
        """The share of the class that does not give the most common reading (0: all agree)."""
        return 1.0 - self.readings[0][1] / self.students

    @property
    def majority(self) -> Reading | None:
        """The reading more than half the class gives, if one does."""
        reading, count = self.readings[0]
        return reading if 2 * count > self.students else None


@dataclasses.dataclass(frozen=True, slots=True)
class ClassAgreement:
    """Everything the sprint report shows about one pool."""

    students: tuple[str, ...]
    tokens: int
    alpha: float
    kappa: float
    alpha_by_label: tuple[tuple[str, float], ...]
    pairwise: tuple[tuple[float, ...], ...]
    majority: tuple[SpanTriple, ...]
    versus_majority: tuple[float, ...]
    versus_gold: tuple[float, ...] | None
    majority_versus_gold: float | None
    sites: tuple[Site, ...]
    """Every site, the most split first."""

    @property
    def disputed(self) -> tuple[Site, ...]:
        return tuple(site for site in self.sites if site.split > 0)


def token_table(pool: Pool) -> list[list[str]]:
    """One row per token of the passage: the label each student gave it, in student order."""
    low, high = pool.passage
    every = tokenize(pool.text)
    inside = [i for i, (s, e) in enumerate(every) if low <= s and e <= high]
    per_student = [token_labels(pool.text, list(sub.spans)) for sub in pool.submissions]
    return [[labels[i] for labels in per_student] for i in inside]


def sites(pool: Pool) -> list[Site]:
    """Readings grouped where spans overlap (across students), ranked by how split the class is."""
    spans = sorted({t for sub in pool.submissions for t in sub.spans})
    groups: list[list[SpanTriple]] = []
    for span in spans:
        if groups and span[0] < max(t[1] for t in groups[-1]):
            groups[-1].append(span)
        else:
            groups.append([span])
    out = []
    for group in groups:
        low, high = group[0][0], max(t[1] for t in group)
        votes: Counter[Reading] = Counter(
            tuple(t for t in sub.spans if low <= t[0] and t[1] <= high) for sub in pool.submissions
        )
        ranked = tuple(sorted(votes.items(), key=lambda item: (-item[1], item[0])))
        out.append(Site(low, high, ranked))
    return sorted(out, key=lambda site: (-site.split, site.start))


def gold_spans(gold: Document, passage: tuple[int, int], labels: Sequence[str] | None = None) -> list[SpanTriple]:
    """The gold entity spans wholly inside the passage (only ``labels``, when given)."""
    low, high = passage
    return [
        (e.start, e.end, e.label)
        for e in gold.entities
        if low <= e.start and e.end <= high and (labels is None or e.label in labels)
    ]


def measure(pool: Pool, gold: Document | None = None) -> ClassAgreement:
    """The class's agreement on the pool; with ``gold``, each student and the majority against it."""
    if len(pool.submissions) < 2:
        raise TooFewStudents(f"agreement needs at least two students; the pool has {len(pool.submissions)}")
    table = token_table(pool)
    labels = sorted({label for row in table for label in row} - {OUTSIDE})
    by_label = tuple(
        (label, krippendorff_alpha([[v if v == label else OUTSIDE for v in row] for row in table])) for label in labels
    )
    spans = [list(sub.spans) for sub in pool.submissions]
    pairwise = tuple(tuple(span_f1(a, b) for b in spans) for a in spans)
    votes = Counter(t for sub in spans for t in sub)
    majority = tuple(sorted(t for t, count in votes.items() if 2 * count > len(spans)))
    versus_gold = majority_gold = None
    if gold is not None:
        if gold.text != pool.text:
            raise ValueError(f"the gold document {gold.id!r} has another text than the pool")
        reference = gold_spans(gold, pool.passage)
        versus_gold = tuple(span_f1(reference, s) for s in spans)
        majority_gold = span_f1(reference, majority)
    return ClassAgreement(
        pool.students,
        len(table),
        krippendorff_alpha(table),
        fleiss_kappa([Counter(row) for row in table]),
        by_label,
        pairwise,
        majority,
        tuple(span_f1(majority, s) for s in spans),
        versus_gold,
        majority_gold,
        tuple(sites(pool)),
    )
