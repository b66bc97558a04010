"""Event triggers, types, arguments and factuality cues."""

from __future__ import annotations

import pytest

from corpuskit.extract.events import TRIGGERS, event_dicts, extract_events, factuality, find_triggers


def events_of(text: str, mentions: list[tuple[int, int, str, str | None]] | None = None) -> list[tuple[str, ...]]:
    found = extract_events(text, [(0, len(text))], mentions or [], [])
    return [(text[e.trigger[0] : e.trigger[1]], e.type, e.polarity, e.modality, e.tense, e.realis) for e in found]


def test_compound_triggers_are_kept_whole() -> None:
    text = "Trump's press conference followed the signing ceremony and a working lunch."
    assert [(text[s:e], t) for s, e, t in find_triggers(text)] == [
        ("press conference", "Contact.Meet"),
        ("signing ceremony", "Agreement.Sign"),
        ("working lunch", "Contact.Meet"),
    ]


def test_without_a_deal_is_negative_asserted_and_did_not_happen() -> None:
    assert events_of("The leaders ended their summit without a deal.") == [
        ("ended", "Aspect.End", "positive", "asserted", "past", "actual"),
        ("summit", "Contact.Meet", "positive", "asserted", "past", "actual"),
        ("deal", "Agreement.Reach", "negative", "asserted", "past", "other"),
    ]


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        ("No agreement was reached.", "agreement", ("negative", "asserted", "past", "other")),
        ("They failed to reach an agreement.", "agreement", ("negative", "asserted", "past", "other")),
        ("It was something they could not agree to.", "agree", ("negative", "asserted", "past", "other")),
        ("They planned a possible joint statement.", "joint statement", ("positive", "other", "past", "other")),
        ("His next summit might not be soon.", "summit", ("positive", "other", "future", "other")),
        ("Talks would continue.", "continue", ("positive", "other", "future", "other")),
        (
            "He trusted the promise not to conduct any nuclear and rocket tests.",
            "tests",
            ("negative", "other", "future", "other"),
        ),
        ("The two sides met in June.", "met", ("positive", "asserted", "past", "actual")),
    ],
)
def test_factuality_cues(text: str, trigger: str, expected: tuple[str, str, str, str]) -> None:
    offset = text.index(trigger)
    event_type = TRIGGERS[trigger]
    assert factuality(text, offset, trigger, event_type) == expected


def test_events_before_a_cancellation_did_not_happen() -> None:
    found = events_of("They were to attend a working lunch, but the events were cancelled.")
    assert ("working lunch", "Contact.Meet", "positive", "other", "past", "other") in found
    assert ("cancelled", "Schedule.Cancel", "positive", "asserted", "past", "actual") in found


def test_word_senses_that_are_not_events() -> None:
    assert events_of("He ended up becoming a friend.") == []
    assert events_of("The left wing protested nothing.") == []
    assert [t[0] for t in events_of("Trump left Hanoi.")] == ["left"]


def test_arguments_come_from_the_sentence() -> None:
    text = "Kim and Trump met in Hanoi."
    mentions: list[tuple[int, int, str, str | None]] = [
        (0, 3, "PERSON", "kim"),
        (8, 13, "PERSON", "trump"),
        (21, 26, "GPE", "hanoi"),
    ]
    (event,) = extract_events(text, [(0, len(text))], mentions, [])
    assert event.arguments == [("Entity", 0, 3, "kim"), ("Entity", 8, 13, "trump"), ("Place", 21, 26, "hanoi")]
    (data,) = event_dicts([event], text)
    assert data["trigger"] == {"start": 14, "end": 17, "text": "met"}
    assert [a["role"] for a in data["arguments"]] == ["Entity", "Entity", "Place"]
