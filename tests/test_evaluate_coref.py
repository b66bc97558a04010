"""Coreference metrics against scorch, the CoNLL-2012 scorer's Python port, on generated clusterings."""

from __future__ import annotations

from statistics import mean
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scorch import scores

from corpuskit.evaluate.coref import CorefResult, b_cubed, ceafe, evaluate_coref, muc
from corpuskit.model import Cluster, Document, Mention

Clusters = list[set[int]]


def partition(labels: dict[int, int]) -> Clusters:
    groups: dict[int, set[int]] = {}
    for mention, label in labels.items():
        groups.setdefault(label, set()).add(mention)
    return list(groups.values())


@st.composite
def clusterings(draw: st.DrawFn) -> tuple[Clusters, Clusters]:
    """A key and a response over partly shared mentions (twinless mentions on both sides)."""
    mentions = draw(st.lists(st.integers(0, 40), min_size=1, max_size=25, unique=True))
    key = {m: draw(st.integers(0, 6)) for m in mentions if draw(st.booleans()) or m % 3}
    response = {m: draw(st.integers(0, 6)) for m in mentions if draw(st.booleans()) or m % 2}
    return partition(key), partition(response)


def harmonic_mean(values: tuple[float, float]) -> float:
    """scorch calls statistics.harmonic_mean, which raises on (0, 0) since Python 3.10; the
    reference scorer's F1 is 0 there."""
    r, p = values
    return 0.0 if r + p == 0 else 2 * r * p / (r + p)


def same(ours: tuple[float, float, float], theirs: tuple[float, float, float]) -> bool:
    return all(a == pytest.approx(b, rel=1e-12, abs=1e-12) for a, b in zip(ours, theirs, strict=True))


@given(clusterings())
@settings(max_examples=300, deadline=None)
def test_muc_b_cubed_ceafe_and_conll_equal_scorch(pair: tuple[Clusters, Clusters]) -> None:
    key, response = pair
    with mock.patch.object(scores, "harmonic_mean", harmonic_mean):
        compare(key, response)


def compare(key: Clusters, response: Clusters) -> None:
    for ours, theirs in ((muc, scores.muc), (b_cubed, scores.b_cubed), (ceafe, scores.ceaf_e)):
        score = ours(key, response)
        assert same((score.recall, score.precision, score.f1), theirs(key, response)), ours.__name__
    result = CorefResult(muc(key, response), b_cubed(key, response), ceafe(key, response))
    assert result.conll == pytest.approx(scores.conll2012(key, response), rel=1e-12, abs=1e-12)


def test_ceafe_aligns_each_key_cluster_with_one_response_cluster() -> None:
    # Luo (2005): the key {1..5} {6 7} {8..12}, the response that merges the last two chains.
    key = [{1, 2, 3, 4, 5}, {6, 7}, {8, 9, 10, 11, 12}]
    response = [{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11, 12}]
    score = ceafe(key, response)
    # {1..5} with itself (1.0); {8..12} with the merged chain (2*5/12) beats {6 7} (2*2/9).
    assert score.recall_num == pytest.approx(1 + 10 / 12)
    assert (score.recall_den, score.precision_den) == (3, 2)


def test_ceafe_of_nothing_is_zero() -> None:
    assert ceafe([], [{1, 2}]).f1 == 0.0 and ceafe([{1}], []).f1 == 0.0


def test_documents_sum_counts_and_conll_is_the_mean_of_the_f1s() -> None:
    text = "Trump met Kim. He left."
    trump = Cluster(
        "trump", "Donald Trump", "PERSON", (Mention(0, 5, "Trump", "name"), Mention(15, 17, "He", "pronoun"))
    )
    kim = Cluster("kim", "Kim Jong Un", "PERSON", (Mention(10, 13, "Kim", "name"),))
    wrong = Cluster("kim", "Kim Jong Un", "PERSON", (Mention(10, 13, "Kim", "name"), Mention(15, 17, "He", "pronoun")))
    gold = Document(id="d", text=text, metadata={"title": "t"}, clusters=(trump, kim))
    alone = Cluster("trump", "Donald Trump", "PERSON", (Mention(0, 5, "Trump", "name"),))
    pred = Document(id="d", text=text, metadata={"title": "t"}, clusters=(alone, wrong))
    result = evaluate_coref([gold, gold], [gold, pred])
    assert result.ceafe.recall_den == 4 and result.ceafe.precision_den == 4
    assert result.conll == pytest.approx(mean([result.muc.f1, result.b_cubed.f1, result.ceafe.f1]))
