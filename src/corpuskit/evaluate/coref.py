"""Coreference scores as papers report them: MUC (Vilain et al. 1995), B-cubed (Bagga &
Baldwin 1998), entity-based CEAF (CEAFe, Luo 2005) and the CoNLL-2012 score, their F1s' mean.

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
    ceafe: CorefScore = CorefScore()

    @property
    def conll(self) -> float:
        """The CoNLL-2012 shared task's score: the mean of the MUC, B-cubed and CEAFe F1."""
        return (self.muc.f1 + self.b_cubed.f1 + self.ceafe.f1) / 3


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


def _dice(key: Collection[Hashable], response: Collection[Hashable]) -> float:
    """CEAFe's similarity of two clusters: ``2|K∩R| / (|K| + |R|)``."""
    return 2 * len(set(key) & set(response)) / (len(key) + len(response))


def ceafe(key: Clustering, response: Clustering) -> CorefScore:
    """Entity-based CEAF: key and response clusters aligned one to one so that the summed
    similarity ``2|K∩R| / (|K| + |R|)`` is greatest; recall divides that sum by the number of
    key clusters, precision by the number of response clusters.

    >>> score = ceafe([{1, 2, 3}, {4, 5}], [{1, 2}, {3, 4, 5}])
    >>> round(score.recall, 4), round(score.precision, 4)
    (0.8, 0.8)
    """
    key = [c for c in key if c]
    response = [c for c in response if c]
    owner = _owner(response)
    # Clusters that share no mention score 0 together, so the best alignment is the best
    # alignment within each group of clusters linked by shared mentions.
    links: dict[int, set[int]] = {}
    for k, cluster in enumerate(key):
        links[k] = {owner[m] for m in cluster if m in owner}
    total = 0.0
    seen_keys: set[int] = set()
    for k in range(len(key)):
        if k in seen_keys or not links[k]:
            continue
        keys, responses = _component(k, links, seen_keys)
        weights = [[_dice(key[a], response[b]) for b in responses] for a in keys]
        total += _best_assignment(weights)
    return CorefScore(total, len(key), total, len(response))


def _component(start: int, links: dict[int, set[int]], seen_keys: set[int]) -> tuple[list[int], list[int]]:
    """The key and response clusters linked to key cluster ``start`` through shared mentions."""
    back: dict[int, list[int]] = {}
    for k, rs in links.items():
        for r in rs:
            back.setdefault(r, []).append(k)
    keys, responses = [start], set(links[start])
    seen_keys.add(start)
    stack = list(links[start])
    while stack:
        for k in back[stack.pop()]:
            if k not in seen_keys:
                seen_keys.add(k)
                keys.append(k)
                new = links[k] - responses
                responses |= new
                stack.extend(new)
    return keys, sorted(responses)


def _best_assignment(weights: list[list[float]]) -> float:
    """The greatest sum of ``weights[i][j]`` over a one-to-one assignment of rows to columns
    (the Hungarian method with potentials, O(n²m); a rectangular matrix is padded with zeros)."""
    n = max(len(weights), len(weights[0]) if weights else 0)
    cost = [[-(weights[i][j] if i < len(weights) and j < len(weights[i]) else 0.0) for j in range(n)] for i in range(n)]
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (n + 1)
    match = [0] * (n + 1)  # match[j]: the row (1-based) assigned to column j
    for i in range(1, n + 1):
        match[0] = i
        j0 = 0
        least = [inf] * (n + 1)
        used = [False] * (n + 1)
        way = [0] * (n + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = match[j0], inf, 0
            for j in range(1, n + 1):
                if not used[j]:
                    reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if reduced < least[j]:
                        least[j], way[j] = reduced, j0
                    if least[j] < delta:
                        delta, j1 = least[j], j
            for j in range(n + 1):
                if used[j]:
                    u[match[j]] += delta
                    v[j] -= delta
                else:
                    least[j] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    return sum(-cost[match[j] - 1][j - 1] for j in range(1, n + 1) if match[j])


def document_clusters(doc: Document) -> list[frozenset[tuple[int, int]]]:
    """A document's coreference chains as sets of ``(start, end)`` mentions."""
    return [frozenset((m.start, m.end) for m in cluster.mentions) for cluster in doc.clusters]


def evaluate_coref(gold_docs: Iterable[Document], pred_docs: Iterable[Document]) -> CorefResult:
    """MUC, B-cubed and CEAFe over documents (numerators and denominators summed)."""
    total_muc = CorefScore()
    total_b3 = CorefScore()
    total_ceafe = CorefScore()
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        key, response = document_clusters(gold), document_clusters(pred)
        total_muc += muc(key, response)
        total_b3 += b_cubed(key, response)
        total_ceafe += ceafe(key, response)
    return CorefResult(total_muc, total_b3, total_ceafe)
