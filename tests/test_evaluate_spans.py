"""Span matching: the SemEval-2013 scenarios worked by hand, per label, macro, matches."""

from __future__ import annotations

import pytest

from corpuskit.evaluate.counts import Counts
from corpuskit.evaluate.spans import Match, evaluate_spans, overlap_pairs, score_spans

# The scenario table from the SemEval-2013 Task 9.1 definition (Segura-Bedmar et al.),
# one row each, laid out on a made-up offset line:
#   III missed:    gold brand "TIKOSYN"        pred -
#   II  spurious:  gold -                      pred brand "healthy"
#   V   boundary:  gold drug "warfarin"        pred drug "of warfarin"
#   IV  type:      gold drug "propranolol"     pred brand "propranolol"
#   I   correct:   gold drug "phenytoin"       pred drug "phenytoin"
#   VI  both:      gold group "contraceptives" pred drug "oral contraceptives"
GOLD = [(0, 7, "brand"), (20, 28, "drug"), (40, 51, "drug"), (60, 68, "drug"), (80, 94, "group")]
PRED = [(10, 17, "brand"), (17, 28, "drug"), (40, 51, "brand"), (60, 68, "drug"), (75, 94, "drug")]


def test_semeval_scenarios_strict() -> None:
    strict = score_spans(GOLD, PRED).strict
    assert strict.total == Counts(correct=1, incorrect=3, partial=0, missed=1, spurious=1)
    assert strict.precision == pytest.approx(1 / 5) and strict.recall == pytest.approx(1 / 5)


def test_semeval_scenarios_exact() -> None:
    exact = score_spans(GOLD, PRED).exact
    assert exact.total == Counts(correct=2, incorrect=2, partial=0, missed=1, spurious=1)
    assert exact.f1 == pytest.approx(0.4)


def test_semeval_scenarios_partial() -> None:
    partial = score_spans(GOLD, PRED).partial
    assert partial.total == Counts(correct=2, incorrect=0, partial=2, missed=1, spurious=1)
    assert partial.precision == pytest.approx(3 / 5)


def test_semeval_scenarios_type() -> None:
    typed = score_spans(GOLD, PRED).type
    assert typed.total == Counts(correct=2, incorrect=2, partial=0, missed=1, spurious=1)


def test_per_label_sees_only_that_label() -> None:
    result = score_spans(GOLD, PRED)
    # drug: gold warfarin, propranolol, phenytoin; pred "of warfarin", phenytoin,
    # "oral contraceptives" (which overlaps no gold drug).
    assert result.strict.by_label["drug"] == Counts(1, 1, 0, 1, 1)
    assert result.partial.by_label["drug"] == Counts(1, 0, 1, 1, 1)
    assert result.type.by_label["drug"] == Counts(2, 0, 0, 1, 1)
    # brand: gold TIKOSYN; pred healthy and propranolol, neither overlaps TIKOSYN.
    assert result.strict.by_label["brand"] == Counts(0, 0, 0, 1, 2)
    assert result.strict.by_label["group"] == Counts(0, 0, 0, 1, 0)
    assert result.labels == ("brand", "drug", "group")


def test_macro_is_the_mean_of_per_label_scores() -> None:
    strict = score_spans(GOLD, PRED).strict
    # per-label precision: brand 0/2, drug 1/3, group 0/0 -> 0; recall 0, 1/3, 0.
    assert strict.macro_precision == pytest.approx((0 + 1 / 3 + 0) / 3)
    assert strict.macro_recall == pytest.approx((0 + 1 / 3 + 0) / 3)
    assert strict.macro_f1 == pytest.approx((0 + 1 / 3 + 0) / 3)


def test_n_copies_of_a_document_score_the_same_as_one() -> None:
    one = evaluate_spans([GOLD], [PRED])
    five = evaluate_spans([GOLD] * 5, [PRED] * 5)
    for a, b in zip(one.schemas(), five.schemas(), strict=True):
        assert b.total == Counts(
            *(5 * getattr(a.total, f) for f in ("correct", "incorrect", "partial", "missed", "spurious"))
        )
        assert (a.precision, a.recall, a.f1) == pytest.approx((b.precision, b.recall, b.f1))
        assert a.macro_f1 == pytest.approx(b.macro_f1)


def test_single_partial_document_and_its_copy_have_precision_one_half() -> None:
    one = evaluate_spans([[(0, 9, "A")]], [[(0, 5, "A")]])
    two = evaluate_spans([[(0, 9, "A")]] * 2, [[(0, 5, "A")]] * 2)
    assert one.partial.precision == two.partial.precision == 0.5


def test_exact_match_is_never_traded_for_an_overlap() -> None:
    # A greedy matcher taking predictions in order pairs (0, 6) with gold (0, 10) first and
    # then loses the exact match; the exact pair must win.
    gold = [(0, 10, "A")]
    pred = [(0, 6, "A"), (0, 10, "A")]
    result = score_spans(gold, pred)
    assert result.strict.total == Counts(correct=1, spurious=1)
    assert result.partial.total == Counts(correct=1, spurious=1)


def test_pairing_is_maximum_not_greedy() -> None:
    # Prediction (8, 18) is closer to gold (10, 20) but pairing it there leaves gold (0, 10)
    # and prediction (18, 30) unpaired.
    gold = [(0, 10, "A"), (10, 20, "A")]
    pred = [(8, 18, "A"), (18, 30, "A")]
    result = score_spans(gold, pred)
    assert result.type.total == Counts(correct=2)
    assert result.partial.total == Counts(partial=2)


def test_type_schema_prefers_a_same_label_overlap() -> None:
    gold = [(3, 26, "A")]
    pred = [(2, 6, "C"), (19, 28, "A")]
    assert score_spans(gold, pred).type.total == Counts(correct=1, spurious=1)


def test_input_order_does_not_change_counts() -> None:
    a = score_spans(GOLD, PRED)
    b = score_spans(GOLD[::-1], PRED[::-1])
    for x, y in zip(a.schemas(), b.schemas(), strict=True):
        assert x.total == y.total and x.by_label == y.by_label


def test_touching_spans_do_not_overlap() -> None:
    # Half-open offsets: [0, 5) and [5, 9) share no character.
    result = score_spans([(0, 5, "A")], [(5, 9, "A")])
    assert result.partial.total == Counts(missed=1, spurious=1)


def test_label_filter_ignores_other_labels_on_both_sides() -> None:
    result = evaluate_spans([GOLD], [PRED], labels=["drug"])
    assert result.labels == ("drug",)
    assert result.strict.total == Counts(correct=1, incorrect=1, missed=1, spurious=1)


def test_matches_name_document_and_input_positions() -> None:
    gold = [[(0, 5, "A")], [(0, 5, "A"), (10, 12, "B")]]
    pred = [[(0, 5, "B")], [(20, 22, "A"), (0, 5, "A")]]
    result = evaluate_spans(gold, pred)
    assert set(result.strict.matches) == {
        Match(0, 0, 0, "incorrect"),
        Match(1, 0, 1, "correct"),
        Match(1, 1, None, "missed"),
        Match(1, None, 0, "spurious"),
    }
    assert Match(0, 0, 0, "correct") in result.exact.matches
    assert result.strict.matches_of("missed") == (Match(1, 1, None, "missed"),)


def test_matches_keep_original_indices_under_a_label_filter() -> None:
    result = evaluate_spans([[(0, 3, "X"), (5, 9, "A")]], [[(5, 9, "A")]], labels=["A"])
    assert result.strict.matches == (Match(0, 1, 0, "correct"),)


def test_documents_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 documents"):
        evaluate_spans([[], []], [[]])


def test_overlap_pairs_is_maximum_on_nested_spans() -> None:
    # gold (5, 10) is identical to pred (5, 10), yet pairing those two leaves two spans
    # unpaired; the maximum pairing has two pairs.
    pairs = overlap_pairs([(5, 10, 0), (9, 15, 1)], [(0, 6, 0), (5, 10, 1)])
    assert sorted(pairs) == [(0, 0), (1, 1)]


def test_duplicate_spans_pair_one_to_one() -> None:
    result = score_spans([(0, 4, "A"), (0, 4, "A")], [(0, 4, "A")])
    assert result.strict.total == Counts(correct=1, missed=1)


# Property: the pairing is the best possible, checked by trying every pairing of tiny inputs.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from corpuskit.evaluate.spans import SpanTuple  # noqa: E402

tiny_spans = st.lists(
    st.tuples(st.integers(0, 12), st.integers(1, 6), st.sampled_from("AB")).map(lambda t: (t[0], t[0] + t[1], t[2])),
    max_size=4,
)


def best(gold: list[SpanTuple], pred: list[SpanTuple], kind: str) -> tuple[int, int]:
    """Lexicographically largest (correct, other) over every one-to-one overlap pairing."""

    def outcome(g: SpanTuple, p: SpanTuple) -> str | None:
        if not (g[0] < p[1] and p[0] < g[1]):
            return None
        if kind == "strict":
            return "correct" if g == p else "other"
        if kind == "exact":
            return "correct" if g[:2] == p[:2] else "other"
        return "correct" if g[2] == p[2] else "other"  # type

    def search(i: int, used: frozenset[int]) -> tuple[int, int]:
        if i == len(gold):
            return (0, 0)
        options = [search(i + 1, used)]
        for j, p in enumerate(pred):
            result = outcome(gold[i], p) if j not in used else None
            if result is not None:
                c, o = search(i + 1, used | {j})
                options.append((c + 1, o) if result == "correct" else (c, o + 1))
        return max(options)

    return search(0, frozenset())


@settings(max_examples=400, deadline=None)
@given(tiny_spans, tiny_spans)
def test_pairing_is_optimal_against_exhaustive_search(gold: list[SpanTuple], pred: list[SpanTuple]) -> None:
    result = score_spans(gold, pred)
    for schema, kind in (("strict", "strict"), ("exact", "exact"), ("partial", "exact")):
        counts = result.schema(schema).total
        assert (counts.correct, counts.incorrect + counts.partial) == best(gold, pred, kind)
    # type: as many correct pairs as possible, and never more overlap pairs than possible.
    typed = result.type.total
    top = best(gold, pred, "type")
    assert typed.correct == top[0] and typed.incorrect <= top[1]
    for label in "AB":
        g = [s for s in gold if s[2] == label]
        p = [s for s in pred if s[2] == label]
        if g or p:
            c = result.strict.by_label[label]
            assert (c.correct, c.incorrect) == best(g, p, "strict"), label
            assert result.type.by_label[label].correct == best(g, p, "type")[0], label
