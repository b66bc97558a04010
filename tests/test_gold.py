"""The shipped gold annotation of hanoi-summit-2019: integrity, coverage and the decisions
that corpus/GUIDELINES.md argues (so a later edit that changes one of them fails loudly)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

import corpuskit
from corpuskit.evaluate.agreement import compare
from corpuskit.evaluate.agreement_report import format_agreement
from tests.pinning import moved

DOC_ID = "hanoi-summit-2019"

# Pinned counts. When an annotation is added or removed on purpose, update this table and
# the table in corpus/DATASHEET.md in the same commit.
EXPECTED_COUNTS: dict[str, int] = {
    "entities": 101,
    "clusters": 16,
    "mentions": 124,
    "quotes": 26,
    "events": 69,
    "timexes": 17,
    "entity:PERSON": 43,
    "entity:GPE": 24,
    "entity:DATE": 10,
    "entity:CARDINAL": 7,
    "entity:ORDINAL": 4,
    "entity:TIME": 4,
    "entity:NORP": 3,
    "entity:ORG": 3,
    "entity:FAC": 2,
    "entity:LOC": 1,
    "mention:name": 86,
    "mention:nominal": 18,
    "mention:pronoun": 20,
    "quote:mixed": 15,
    "quote:indirect": 9,
    "quote:direct": 2,
    "quote-speaker:donald-trump": 17,
    "quote-speaker:mike-pompeo": 4,
    "quote-speaker:white-house": 3,
    "quote-speaker:kim-jong-un": 2,
    "event:Contact.Meet": 28,
    "event:Agreement.Reach": 10,
    "event:Policy.Denuclearize": 5,
    "event:Agreement.Sign": 4,
    "event:Aspect.Continue": 4,
    "event:Aspect.End": 3,
    "event:Movement.Transport": 3,
    "event:Aspect.Begin": 2,
    "event:Aspect.Suspend": 1,
    "event:Contact.Statement": 1,
    "event:Movement.Stay": 1,
    "event:Negotiation.Demand": 1,
    "event:Negotiation.Promise": 1,
    "event:Sanction.Impose": 1,
    "event:Sanction.Lift": 1,
    "event:Schedule.Cancel": 1,
    "event:Schedule.Reschedule": 1,
    "event:Weapon.Test": 1,
    "event-status:positive/asserted/actual": 37,
    "event-status:positive/other/other": 24,
    "event-status:negative/asserted/other": 7,
    "event-status:negative/other/other": 1,
    "timex:DATE": 10,
    "timex:DURATION": 4,
    "timex:TIME": 3,
}


@pytest.fixture(scope="module")
def doc() -> corpuskit.Document:
    return corpuskit.load(DOC_ID)


def _counts(doc: corpuskit.Document) -> Counter[str]:
    c: Counter[str] = Counter()
    for layer in ("entities", "clusters", "quotes", "events", "timexes"):
        c[layer] = len(getattr(doc, layer))
    c["mentions"] = sum(len(cl.mentions) for cl in doc.clusters)
    c.update(f"entity:{e.label}" for e in doc.entities)
    c.update(f"mention:{m.form}" for cl in doc.clusters for m in cl.mentions)
    c.update(f"quote:{q.kind}" for q in doc.quotes)
    c.update(f"quote-speaker:{q.speaker}" for q in doc.quotes)
    c.update(f"event:{e.type}" for e in doc.events)
    c.update(f"event-status:{e.polarity}/{e.modality}/{e.realis}" for e in doc.events)
    c.update(f"timex:{t.type}" for t in doc.timexes)
    return c


def test_counts_per_layer_and_label_are_pinned(doc: corpuskit.Document) -> None:
    got = _counts(doc)
    changed = moved(EXPECTED_COUNTS, got)
    assert not changed, f"gold counts moved (expected -> got): {changed}"


def test_every_span_matches_the_text(doc: corpuskit.Document) -> None:
    spans = [(f"entity {e.id}", e.span) for e in doc.entities]
    spans += [(f"cluster {c.id}", m.span) for c in doc.clusters for m in c.mentions]
    for q in doc.quotes:
        spans += [
            (f"quote {q.id} {k}", s) for k, s in (("content", q.content), ("cue", q.cue), ("source", q.source)) if s
        ]
    for e in doc.events:
        spans.append((f"event {e.id} trigger", e.trigger))
        spans += [(f"event {e.id} {a.role}", a.span) for a in e.arguments]
    spans += [(f"timex {t.id}", t.span) for t in doc.timexes]
    bad = [name for name, s in spans if doc.text[s.start : s.end] != s.text or s.text != s.text.strip()]
    assert not bad, f"spans not matching the text (or padded with spaces): {bad}"


def test_ids_are_unique(doc: corpuskit.Document) -> None:
    ids = Counter(
        item.id for layer in ("entities", "clusters", "quotes", "events", "timexes") for item in getattr(doc, layer)
    )
    assert not [i for i, n in ids.items() if n > 1]


def test_no_duplicate_spans_within_a_layer(doc: corpuskit.Document) -> None:
    layers = {
        "entities": [(e.start, e.end, e.label) for e in doc.entities],
        "quotes": [(q.content.start, q.content.end) for q in doc.quotes],
        "events": [(e.trigger.start, e.trigger.end, e.type) for e in doc.events],
        "timexes": [(t.start, t.end) for t in doc.timexes],
    }
    for cl in doc.clusters:
        layers[f"cluster {cl.id}"] = [(m.start, m.end) for m in cl.mentions]
    dups = {name: [k for k, n in Counter(keys).items() if n > 1] for name, keys in layers.items()}
    assert not {k: v for k, v in dups.items() if v}, dups


def test_entity_clusters_resolve_and_list_the_entity(doc: corpuskit.Document) -> None:
    for e in doc.entities:
        if e.cluster is None:
            continue
        cluster = doc.cluster(e.cluster)
        spans = {(m.start, m.end) for m in cluster.mentions if m.form == "name"}
        assert (e.start, e.end) in spans, f"entity {e.id} {e.text!r} is not a name mention of {e.cluster}"


def test_group_members_resolve(doc: corpuskit.Document) -> None:
    ids = {c.id for c in doc.clusters}
    for c in doc.clusters:
        assert set(c.members) <= ids, c.id
    assert set(doc.cluster("kim-and-trump").members) == {"kim-jong-un", "donald-trump"}
    assert set(doc.cluster("dprk-and-united-states").members) == {"dprk", "united-states"}


def test_every_quote_has_a_speaker_cluster(doc: corpuskit.Document) -> None:
    ids = {c.id for c in doc.clusters}
    missing = [q.id for q in doc.quotes if q.speaker not in ids]
    assert not missing, f"quotes without a speaker cluster: {missing}"


def test_nesting_resolves_and_is_inside_the_outer_content(doc: corpuskit.Document) -> None:
    by_id = {q.id: q for q in doc.quotes}
    nested = [q for q in doc.quotes if q.nested_in]
    assert {(q.speaker, by_id[q.nested_in].speaker) for q in nested} == {
        ("mike-pompeo", "donald-trump"),  # Trump said Pompeo felt ...
        ("kim-jong-un", "donald-trump"),  # Kim demanded ..., according to Trump; Kim's promise
    }
    for q in nested:
        outer = by_id[q.nested_in]
        assert outer.content.start <= q.content.start and q.content.end <= outer.content.end, q.id


def test_event_argument_clusters_resolve(doc: corpuskit.Document) -> None:
    mentions = {(c.id, m.start, m.end) for c in doc.clusters for m in c.mentions}
    for e in doc.events:
        for a in e.arguments:
            if a.cluster is not None:
                assert (a.cluster, a.start, a.end) in mentions, (
                    f"{e.id} {a.role} {a.text!r} is not a mention of {a.cluster}"
                )


def test_all_nineteen_quoted_passages_are_covered(doc: corpuskit.Document) -> None:
    passages = [(m.start(), m.end(), m.group()) for m in re.finditer(r'"[^"]*"', doc.text)]
    assert len(passages) == 19
    uncovered = [
        text
        for start, end, text in passages
        if not any(q.content.start <= start and end <= q.content.end for q in doc.quotes)
    ]
    assert not uncovered, f"quoted passages in no quote's content: {uncovered}"


def test_direct_quotes_keep_their_quotation_marks(doc: corpuskit.Document) -> None:
    for q in doc.quotes:
        if q.kind == "direct":
            assert q.content.text.startswith('"') and q.content.text.endswith('"'), q.id
        if q.kind == "mixed":
            assert '"' in q.content.text, q.id


def _event(doc: corpuskit.Document, trigger: str, near: str):
    pos = doc.text.index(near)
    found = [e for e in doc.events if e.trigger.text == trigger and pos <= e.trigger.start < pos + len(near)]
    assert len(found) == 1, (trigger, near, found)
    return found[0]


def test_what_did_not_happen(doc: corpuskit.Document) -> None:
    status = lambda e: (e.polarity, e.modality, e.tense, e.realis)  # noqa: E731
    # negated and asserted: the writer (or the White House) says it did not happen
    assert status(_event(doc, "deal", "without a deal")) == ("negative", "asserted", "past", "other")
    assert status(_event(doc, "agreement", '"No agreement was reached"')) == ("negative", "asserted", "past", "other")
    assert status(_event(doc, "agreement", "failed to reach an agreement")) == ("negative", "asserted", "past", "other")
    # scheduled, then cancelled: not negated in the text, but never took place
    assert status(_event(doc, "working lunch", "a working lunch")) == ("positive", "other", "past", "other")
    assert status(_event(doc, "signing ceremony", "a signing ceremony")) == ("positive", "other", "past", "other")
    # the cancellation itself did happen
    assert status(_event(doc, "cancelled", "were cancelled")) == ("positive", "asserted", "past", "actual")
    # the future
    assert status(_event(doc, "meet", "would meet again")) == ("positive", "other", "future", "other")
    assert status(_event(doc, "summit", "his next summit")) == ("positive", "other", "future", "other")
    assert _event(doc, "tests", "rocket tests").polarity == "negative"
    # the purpose of a scheduled stay is as planned as the stay
    assert status(_event(doc, "stay", "scheduled to stay")) == ("positive", "other", "future", "other")
    assert status(_event(doc, "visit", "goodwill visit")) == ("positive", "other", "future", "other")
    # planned at the summit, never done: the tense is when it would have happened
    assert status(_event(doc, "sign", "paper today to sign")) == ("positive", "other", "past", "other")
    # what continues is under way; only its continuation is to come
    assert status(_event(doc, "talks", "talks between")) == ("positive", "asserted", "present", "actual")
    assert status(_event(doc, "continue", "would continue though")) == ("positive", "other", "future", "other")


def test_only_positive_asserted_past_or_present_events_are_actual(doc: corpuskit.Document) -> None:
    bad = [
        e.id
        for e in doc.events
        if e.realis == "actual"
        and ((e.polarity, e.modality) != ("positive", "asserted") or e.tense not in ("past", "present"))
    ]
    assert not bad, f"events marked actual that are negated, not asserted or not past/present: {bad}"


def test_time_roles_are_filled_by_time_expressions(doc: corpuskit.Document) -> None:
    timex_spans = {(t.start, t.end) for t in doc.timexes}
    not_timex = [
        (e.id, a.role, a.text)
        for e in doc.events
        for a in e.arguments
        if a.role.startswith("Time-") and (a.start, a.end) not in timex_spans
    ]
    assert not not_timex, f"time-role arguments that are not time expressions: {not_timex}"
    # the new time of a rescheduled event locates that event, not the rescheduling
    assert [a.role for a in _event(doc, "brought forward", "brought forward").arguments] == ["Event"]
    conference = _event(doc, "press conference", "Trump's press conference")
    assert ("Time-Within", "2 p.m. local time") in [(a.role, a.text) for a in conference.arguments]
    # the discussions began the night before: only their continuation falls within the next day
    assert [a.role for a in _event(doc, "discussions", "their discussions").arguments] == ["Entity"]


def _arguments(event) -> list[tuple[str, str]]:
    return sorted((a.role, a.text) for a in event.arguments)


def test_adjudicated_arguments(doc: corpuskit.Document) -> None:
    # the event's own possessor names its participants
    assert _arguments(_event(doc, "summit", "their second summit without")) == [
        ("Entity", "their"),
        ("Place", "the Vietnamese capital"),
    ]
    # the controller of a non-finite event is its agent, not the owner of its object
    assert _arguments(_event(doc, "denuclearizing", "denuclearizing")) == [("Agent", "Kim")]
    # an Event argument is the operated-on event's whole noun phrase, annotated as a trigger or not
    assert ("Event", "work on that") in _arguments(_event(doc, "continue", "continue to work"))
    assert _arguments(_event(doc, "start", "the start of")) == [
        ("Entity", "their countries"),
        ("Event", "new relations between their countries"),
    ]
    assert ("Event", "relations with Kim") in _arguments(_event(doc, "maintain", "maintain"))
    # a place given through the occasion locates the event, as a time does
    assert ("Place", "Singapore") in _arguments(_event(doc, "agreed", "agreed at"))
    assert ("Place", "Hanoi") in _arguments(_event(doc, "agreement", '"No agreement was reached"'))
    # a practice is not an event; it fills the Event argument of the pause in it
    assert not [e.id for e in doc.events if "diplomacy" in e.trigger.text]
    assert ("Event", "the summit diplomacy") in _arguments(_event(doc, "hiatus", "hiatus"))


def test_timex_values(doc: corpuskit.Document) -> None:
    value = {t.text: (t.type, t.value) for t in doc.timexes}
    assert value["Wednesday night"] == ("TIME", "2019-02-27TNI")
    assert value["June"] == ("DATE", "2018-06")
    assert value["0700 GMT"] == ("TIME", "2019-02-28T07:00Z")
    assert value["Thursday"] == ("DATE", "2019-02-28")
    assert value["two hours"] == ("DURATION", "PT2H")
    assert value["two-day"] == ("DURATION", "P2D")
    assert value["the days and weeks ahead"] == ("DATE", "FUTURE_REF")
    # the unit of a vague duration is the spacing of such events in the text (months here)
    assert value["a long time"] == ("DURATION", "PXM")
    # 2 p.m. in Hanoi (UTC+7) and 0700 GMT are the same instant
    local = datetime.fromisoformat(value["2 p.m. local time"][1])
    gmt = datetime.fromisoformat(value["0700 GMT"][1].replace("Z", "+00:00"))
    assert local == gmt


def test_creation_time_is_a_thursday(doc: corpuskit.Document) -> None:
    assert doc.creation_time == "2019-02-28"
    assert datetime.fromisoformat("2019-02-28").strftime("%A") == "Thursday"
    assert datetime.fromisoformat("2019-02-27").strftime("%A") == "Wednesday"


def test_hard_entity_decisions(doc: corpuskit.Document) -> None:
    label = {(e.text, e.start): (e.label, e.role) for e in doc.entities}
    by_text = {}
    for (text, _start), lab in sorted(label.items(), key=lambda kv: kv[0][1]):
        by_text.setdefault(text, []).append(lab)
    assert by_text["the Democratic People's Republic of Korea"] == [("GPE", None)]
    assert set(by_text["the White House"]) == {("ORG", None)}
    assert set(by_text["Pyongyang"]) == {("GPE", "ORG")}
    assert by_text["Washington"] == [("GPE", "ORG")]
    assert "Secretary of State" not in by_text
    # vague, with no calendar reference: a time expression but not an entity
    assert "the days and weeks ahead" not in by_text and "the future" not in by_text
    assert "Kim Jong Un" in by_text and not any(t.startswith("Top leader") for t in by_text)


def test_the_second_annotation_is_labelled_independent_and_the_constructed_one_constructed() -> None:
    second = corpuskit.load(DOC_ID, annotations="annotator_b.json")
    constructed = corpuskit.load(DOC_ID, annotations="constructed_b.json")
    assert second.metadata["annotator"] == "annotator B" and second.metadata["constructed"] is False
    assert "without access to the gold" in second.metadata["notes"]
    assert constructed.metadata["constructed"] is True


def test_datasheet_shows_the_agreement_agree_prints_after_adjudication(doc: corpuskit.Document) -> None:
    table = format_agreement(compare(doc, corpuskit.load(DOC_ID, annotations="annotator_b.json")), markdown=True)
    datasheet = (Path(__file__).parents[1] / "corpus" / "DATASHEET.md").read_text(encoding="utf-8")
    after = datasheet.split("### Agreement after adjudication", 1)[1]
    assert table.strip() in after, "the datasheet's table after adjudication is not what `corpuskit agree` prints"


def test_constructed_annotation_figures_in_the_datasheet(doc: corpuskit.Document) -> None:
    result = compare(doc, corpuskit.load(DOC_ID, annotations="constructed_b.json"))
    ents, strict_quotes = result.entities, result.quotes[1]
    assert (ents.labelled.correct, ents.labelled.possible, ents.labelled.actual) == (93, 101, 99)
    assert ents.spans.exact.correct == 96
    assert (strict_quotes.threshold, strict_quotes.content.correct, strict_quotes.content.actual) == (0.8, 23, 24)
    assert (strict_quotes.speaker.correct, strict_quotes.speaker.total) == (23, 23)
