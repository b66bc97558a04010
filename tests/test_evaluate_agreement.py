"""Agreement: token labels, Cohen's kappa worked by hand, Hripcsak-Rothschild, pairwise F1."""

from __future__ import annotations

import pytest

from corpuskit.evaluate.agreement import (
    agreement,
    cohen_kappa,
    kappa_from_table,
    token_kappa,
    token_labels,
)
from corpuskit.evaluate.counts import Counts
from corpuskit.model import Document, Entity

TEXT = "Kim met Trump in Hanoi on Wednesday ."


def test_token_labels_follow_spans() -> None:
    # tokens: Kim met Trump in Hanoi on Wednesday .
    labels = token_labels(TEXT, [(0, 3, "PER"), (8, 13, "PER"), (17, 22, "GPE")])
    assert labels == ["PER", "O", "PER", "O", "GPE", "O", "O", "O"]


def test_cohen_kappa_by_hand() -> None:
    # 10 items; A: 6 yes 4 no; B: 5 yes 5 no; agree on 4 yes + 3 no.
    a = ["y"] * 6 + ["n"] * 4
    b = ["y"] * 4 + ["n"] * 2 + ["y"] + ["n"] * 3
    result = cohen_kappa(a, b)
    assert result.observed == pytest.approx(0.7)
    assert result.expected == pytest.approx(0.6 * 0.5 + 0.4 * 0.5)
    assert result.kappa == pytest.approx((0.7 - 0.5) / 0.5)


def test_kappa_tends_to_f1_as_unmarked_tokens_grow() -> None:
    # Hripcsak & Rothschild 2005: with a = 8 agreed, b = c = 2 disagreements, F1 = 16/20.
    f1 = 2 * 8 / (2 * 8 + 2 + 2)
    values = [kappa_from_table(8, 2, 2, d) for d in (10, 100, 10_000, 10**8)]
    assert values == sorted(values)
    assert values[0] < f1 - 0.1
    assert values[-1] == pytest.approx(f1, abs=1e-6)


def test_token_kappa_and_marked_only() -> None:
    a = [(0, 3, "PER"), (8, 13, "PER"), (17, 22, "GPE")]
    b = [(0, 3, "PER"), (8, 13, "ORG")]
    full = token_kappa(TEXT, a, b)
    # 8 tokens: agree on Kim, met, in, on, Wednesday, "." (6); A: PER 2, GPE 1, O 5;
    # B: PER 1, ORG 1, O 6. Expected = (2*1 + 5*6) / 64.
    assert full.observed == pytest.approx(6 / 8)
    assert full.expected == pytest.approx(32 / 64)
    assert full.kappa == pytest.approx((0.75 - 0.5) / 0.5)
    marked = token_kappa(TEXT, a, b, marked_only=True)
    # Only Kim, Trump, Hanoi: agree on Kim; A: PER 2 GPE 1; B: PER 1 ORG 1 O 1.
    assert marked.tokens == 3
    assert marked.observed == pytest.approx(1 / 3)
    assert marked.expected == pytest.approx(2 / 9)


def test_pairwise_agreement_is_symmetric() -> None:
    meta = {"title": "t", "creation_time": "2019-02-27"}
    doc_a = Document(
        "a",
        TEXT,
        meta,
        entities=(
            Entity("1", 0, 3, "Kim", "PERSON"),
            Entity("2", 8, 13, "Trump", "PERSON"),
            Entity("3", 17, 22, "Hanoi", "GPE"),
        ),
    )
    doc_b = Document(
        "b",
        TEXT,
        meta,
        entities=(
            Entity("1", 0, 3, "Kim", "PERSON"),
            Entity("2", 8, 13, "Trump", "ORG"),
        ),
    )
    ab, ba = agreement(doc_a, doc_b), agreement(doc_b, doc_a)
    assert ab.pairwise.strict.total == Counts(correct=1, incorrect=1, missed=1)
    assert ab.f1 == ba.f1 == pytest.approx(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))
    assert ab.pairwise.strict.by_label["PERSON"] == Counts(correct=1, missed=1)
    assert ab.kappa.kappa == pytest.approx(ba.kappa.kappa)


def test_agreement_needs_the_same_text() -> None:
    meta = {"title": "t", "creation_time": "2019-02-27"}
    with pytest.raises(ValueError, match="different texts"):
        agreement(Document("a", "x", meta), Document("b", "y", meta))
