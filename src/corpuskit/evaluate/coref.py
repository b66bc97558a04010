"""Coreference scores: MUC (Vilain et al. 1995) and B-cubed (Bagga & Baldwin 1998).

A clustering is a collection of clusters, each a set of mentions; a mention is anything
hashable (corpuskit uses ``(start, end)`` offsets). Mentions present on one side only
("twinless") are handled as the CoNLL reference scorer does: a key mention the response lacks
counts as a response singleton for MUC and contributes nothing to B-cubed recall.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

from corpuskit.evaluate.counts import f_score, safe_ratio
from corpuskit.model import Document

Clustering = Sequence[Collection[Hashable]]


@dataclass(frozen=True, slots=True)
class CorefScore:
    """Numerators and denominators, so scores over documents are sums, not averages."""

    recall_num: float = 0.0
    recall_den: float = 0.0
    precision_num: float = 0.0
    precision_den: float = 0.0

    def __add__(self, other: CorefScore) -> CorefScore:
        if not isinstance(other, CorefScore):
            return NotImplemented
        return CorefScore(
            self.recall_num + other.recall_num,
            self.recall_den + other.recall_den,
            self.precision_num + other.precision_num,
            self.precision_den + other.precision_den,
        )

    @property
    def recall(self) -> float:
        return safe_ratio(self.recall_num, self.recall_den)

    @property
    def precision(self) -> float:
        return safe_ratio(self.precision_num, self.precision_den)

    @property
    def f1(self) -> float:
        return f_score(self.precision, self.recall)


@dataclass(frozen=True, slots=True)
class CorefResult:
    muc: CorefScore
    b_cubed: CorefScore


def _owner(clusters: Clustering) -> dict[Hashable, int]:
    return {mention: k for k, cluster in enumerate(clusters) for mention in cluster}


def _muc_side(key: Clustering, response: Clustering) -> tuple[float, float]:
    owner = _owner(response)
    num = den = 0
    for cluster in key:
        if not cluster:
            continue
        # Partition of the key cluster by the response; missing mentions are singletons.
        parts = {owner.get(m, ("alone", m)) for m in cluster}
        num += len(cluster) - len(parts)
        den += len(cluster) - 1
    return num, den


def muc(key: Clustering, response: Clustering) -> CorefScore:
    """MUC link-based score: recall over key links, precision over response links.

    >>> round(muc([{"A", "B", "C", "D"}], [{"A", "B"}, {"C", "D"}]).recall, 4)
    0.6667
    """
    r_num, r_den = _muc_side(key, response)
    p_num, p_den = _muc_side(response, key)
    return CorefScore(r_num, r_den, p_num, p_den)


def _b_cubed_side(key: Clustering, response: Clustering) -> tuple[float, float]:
    owner = _owner(response)
    num = 0.0
    den = 0
    for cluster in key:
        overlap: dict[int, int] = {}
        for mention in cluster:
            k = owner.get(mention)
            if k is not None:
                overlap[k] = overlap.get(k, 0) + 1
        num += sum(n * n for n in overlap.values()) / len(cluster) if cluster else 0.0
        den += len(cluster)
    return num, den


def b_cubed(key: Clustering, response: Clustering) -> CorefScore:
    """B-cubed mention-based score: per mention, the share of its cluster the other side agrees on.

    >>> b_cubed([{1, 2}], [{1, 2}]).f1
    1.0
    """
    r_num, r_den = _b_cubed_side(key, response)
    p_num, p_den = _b_cubed_side(response, key)
    return CorefScore(r_num, r_den, p_num, p_den)


def document_clusters(doc: Document) -> list[frozenset[tuple[int, int]]]:
    """A document's coreference chains as sets of ``(start, end)`` mentions."""
    return [frozenset((m.start, m.end) for m in cluster.mentions) for cluster in doc.clusters]


def evaluate_coref(gold_docs: Iterable[Document], pred_docs: Iterable[Document]) -> CorefResult:
    """MUC and B-cubed over documents (numerators and denominators summed)."""
    total_muc = CorefScore()
    total_b3 = CorefScore()
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        key, response = document_clusters(gold), document_clusters(pred)
        total_muc += muc(key, response)
        total_b3 += b_cubed(key, response)
    return CorefResult(total_muc, total_b3)
