"""Layer metrics: quotes (GGT thresholds), events, timexes, entities, coreference."""

from __future__ import annotations

import pytest

from corpuskit.evaluate.coref import b_cubed, evaluate_coref, muc
from corpuskit.evaluate.counts import Accuracy, Counts
from corpuskit.evaluate.layers import (
    coverage,
    evaluate_entities,
    evaluate_events,
    evaluate_quotes,
    evaluate_timexes,
)
from corpuskit.model import Argument, Cluster, Document, Entity, Event, Mention, Quote, Span, Timex

TEXT = (
    'Trump said "the talks were very productive" on Thursday. '
    "He added that Kim wanted sanctions lifted. Pompeo was silent."
)


def span(start: int, end: int) -> Span:
    return Span(start, end, TEXT[start:end])


def doc(**layers: object) -> Document:
    return Document("d", TEXT, {"title": "t", "creation_time": "2019-02-28"}, **layers)  # type: ignore[arg-type]


TRUMP = Cluster("trump", "Donald Trump", "PERSON", (Mention(0, 5, "Trump", "name"), Mention(57, 59, "He", "pronoun")))

# Gold: q1 direct quote "the talks were very productive" (12..42, 30 chars) by Trump via
# "Trump"; q2 indirect "Kim wanted sanctions lifted" (71..98, 27 chars) by Trump via "He".
Q1 = Quote("q1", span(12, 42), span(6, 10), span(0, 5), "trump", "direct")
Q2 = Quote("q2", span(71, 98), span(60, 65), span(57, 59), "trump", "indirect")
GOLD_QUOTES = doc(clusters=(TRUMP,), quotes=(Q1, Q2))


def test_coverage_is_measured_on_the_gold_span() -> None:
    assert coverage(span(12, 42), span(12, 27)) == 0.5
    assert coverage(span(12, 27), span(12, 42)) == 1.0
    assert coverage(span(0, 5), span(5, 9)) == 0.0


def test_quotes_at_the_two_ggt_thresholds() -> None:
    # p1 covers 15 of q1's 30 characters (0.5): a match at 0.3, not at 0.8; its source "He"
    # is another mention of Trump, so the speaker is right.
    # p2 covers all of q2 but names Pompeo (110..116) as the source: found, speaker wrong.
    # p3 is spurious.
    pred = doc(
        quotes=(
            Quote("p1", span(12, 27), None, span(57, 59), None, "direct"),
            Quote("p2", span(71, 98), None, span(100, 106), None, "indirect"),
            Quote("p3", span(100, 112), None, None, None, "direct"),
        )
    )
    result = evaluate_quotes([GOLD_QUOTES], [pred])
    low, high = result.at(0.3), result.at(0.8)
    assert low.content == Counts(correct=2, missed=0, spurious=1)
    assert low.speaker == Accuracy(1, 2)
    assert low.attribution == Counts(correct=1, missed=1, spurious=2)
    assert low.attribution.precision == pytest.approx(1 / 3)
    assert high.content == Counts(correct=1, missed=1, spurious=2)
    assert high.speaker == Accuracy(0, 1)
    assert high.attribution == Counts(correct=0, missed=2, spurious=3)


def test_quote_threshold_is_strictly_exceeded_as_in_ggt() -> None:
    # Exactly 0.3 of a 30-character quote (9 characters) does not match at 0.3.
    pred = doc(quotes=(Quote("p", span(12, 21), None, span(0, 5), "trump", "direct"),))
    assert evaluate_quotes([doc(quotes=(Q1,))], [pred]).at(0.3).content == Counts(missed=1, spurious=1)


def test_speaker_by_cluster_id() -> None:
    pred = doc(quotes=(Quote("p", span(12, 42), None, None, "trump", "direct"),))
    assert evaluate_quotes([GOLD_QUOTES], [pred]).at(0.8).speaker == Accuracy(1, 1)


def event(
    eid: str,
    start: int,
    end: int,
    etype: str,
    args: tuple[Argument, ...],
    polarity: str = "positive",
    tense: str = "past",
) -> Event:
    return Event(eid, span(start, end), etype, args, polarity, "asserted", tense, "actual")  # type: ignore[arg-type]


def arg(role: str, start: int, end: int) -> Argument:
    return Argument(role, start, end, TEXT[start:end])


def test_event_identification_classification_and_attributes() -> None:
    gold = doc(
        events=(
            event("e1", 6, 10, "Contact.Meet", (arg("Entity", 0, 5), arg("Time", 46, 54))),
            event("e2", 60, 65, "Contact.Broadcast", (arg("Entity", 57, 59),)),
        )
    )
    pred = doc(
        events=(
            # trigger and type right; one argument right, one with the wrong role, one spurious
            event(
                "x1",
                6,
                10,
                "Contact.Meet",
                (arg("Entity", 0, 5), arg("Place", 46, 54), arg("Entity", 71, 74)),
                tense="present",
            ),
            # trigger right, type wrong: its argument's event type is wrong too
            event("x2", 60, 65, "Contact.Meet", (arg("Entity", 57, 59),), polarity="negative"),
            # spurious trigger
            event("x3", 81, 90, "Justice.Sanction", ()),
        )
    )
    result = evaluate_events([gold], [pred])
    assert result.trigger_identification == Counts(correct=2, missed=0, spurious=1)
    assert result.trigger_classification == Counts(correct=1, missed=1, spurious=2)
    # gold args: (Meet,0,5) (Meet,46,54) (Broadcast,57,59); pred: (Meet,0,5) (Meet,46,54)
    # (Meet,71,74) (Meet,57,59): two identified, one classified.
    assert result.argument_identification == Counts(correct=2, missed=1, spurious=2)
    assert result.argument_classification == Counts(correct=1, missed=2, spurious=3)
    assert result.polarity == Accuracy(1, 2)
    assert result.tense == Accuracy(1, 2)
    assert result.modality == Accuracy(2, 2)


def test_timex_extent_value_and_type() -> None:
    gold = doc(
        timexes=(
            Timex("t1", 46, 54, "Thursday", "DATE", "2019-02-28"),
            Timex("t2", 0, 5, "Trump", "DATE", "2019"),
        )
    )
    pred = doc(
        timexes=(
            Timex("u1", 43, 54, "on Thursday", "DATE", "2019-02-28"),  # relaxed match, value right
            Timex("u2", 0, 5, "Trump", "TIME", "2019-02"),  # strict extent, wrong type and value
        )
    )
    result = evaluate_timexes([gold], [pred])
    assert result.extent.exact.total == Counts(correct=1, incorrect=1)
    assert result.extent.partial.total == Counts(correct=1, partial=1)
    assert result.extent.strict.total == Counts(incorrect=2)
    assert result.value == Accuracy(1, 2)
    assert result.type == Accuracy(1, 2)
    assert result.value_counts == Counts(correct=1, missed=1, spurious=1)


def test_entities_layer_uses_labels() -> None:
    gold = doc(entities=(Entity("a", 0, 5, "Trump", "PERSON"), Entity("b", 71, 74, "Kim", "PERSON")))
    pred = doc(entities=(Entity("x", 0, 5, "Trump", "ORG"), Entity("y", 71, 74, "Kim", "PERSON")))
    result = evaluate_entities([gold], [pred])
    assert result.strict.total == Counts(correct=1, incorrect=1)
    assert result.exact.total == Counts(correct=2)
    assert result.strict.by_label["PERSON"] == Counts(correct=1, missed=1)


# Coreference: textbook examples.


def test_muc_vilain_example() -> None:
    # Vilain et al. (1995): key {A B C D}, response {A B} {C D}: one link missing.
    score = muc([{"A", "B", "C", "D"}], [{"A", "B"}, {"C", "D"}])
    assert score.recall == pytest.approx(2 / 3)
    assert score.precision == 1.0


def test_muc_counts_missing_mentions_as_singletons() -> None:
    score = muc([{"A", "B", "C"}], [{"A", "B"}])
    assert (score.recall, score.precision) == (pytest.approx(1 / 2), 1.0)


KEY = [{1, 2, 3, 4, 5}, {6, 7}, {8, 9, 10, 11, 12}]


def test_bagga_baldwin_example_b_cubed_tells_the_responses_apart() -> None:
    # Bagga & Baldwin (1998): merging the two-mention chain into a five-mention one costs
    # less than merging the two five-mention chains; MUC cannot tell them apart.
    response_1 = [{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11, 12}]
    response_2 = [{1, 2, 3, 4, 5, 8, 9, 10, 11, 12}, {6, 7}]
    b1, b2 = b_cubed(KEY, response_1), b_cubed(KEY, response_2)
    assert b1.precision == pytest.approx((5 + 2 * 2 / 7 + 5 * 5 / 7) / 12)  # 16/21
    assert b2.precision == pytest.approx((5 * 5 / 10 + 5 * 5 / 10 + 2) / 12)  # 7/12
    assert b1.recall == b2.recall == 1.0
    m1, m2 = muc(KEY, response_1), muc(KEY, response_2)
    assert m1.precision == m2.precision == pytest.approx(9 / 10)
    assert m1.recall == m2.recall == 1.0


def test_b_cubed_twinless_mentions() -> None:
    # Key mention 3 is missing from the response: the key cluster contributes
    # |k ∩ r|^2 / |k| = 4/3 over its 3 mentions; every response mention is right.
    score = b_cubed([{1, 2, 3}], [{1, 2}])
    assert score.recall == pytest.approx((4 / 3) / 3)
    assert score.precision == 1.0


def test_evaluate_coref_sums_over_documents() -> None:
    gold = doc(clusters=(TRUMP,))
    split = doc(
        clusters=(
            Cluster("a", "Trump", "PERSON", (Mention(0, 5, "Trump", "name"),)),
            Cluster("b", "He", "PERSON", (Mention(57, 59, "He", "pronoun"),)),
        )
    )
    result = evaluate_coref([gold, gold], [gold, split])
    assert result.muc.recall == pytest.approx(1 / 2)
    assert result.muc.precision == 1.0
    assert result.b_cubed.recall == pytest.approx((2 + 1) / 4)
