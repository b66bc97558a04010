"""The second, fictional article in tests/fixtures/corpus: it loads, every layer is present and
its annotations keep the invariants of corpus/GUIDELINES.md (so the course can be tried on a
document other than the shipped one)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import corpuskit
from corpuskit.corpus import check, read_text

FOLDER = Path(__file__).parent / "fixtures" / "corpus" / "rotterdam-port-strike-2025"
LAYERS = ("sections", "entities", "clusters", "quotes", "events", "timexes")


@pytest.fixture(scope="module")
def doc() -> corpuskit.Document:
    return corpuskit.load(FOLDER)


def test_the_file_has_no_problem_against_its_text() -> None:
    data = json.loads((FOLDER / "annotations.json").read_text(encoding="utf-8"))
    assert check(data, read_text(FOLDER / "text.txt")) == []


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_is_annotated(doc: corpuskit.Document, layer: str) -> None:
    assert len(getattr(doc, layer)) >= 5


def test_ids_follow_text_order(doc: corpuskit.Document) -> None:
    layers = {
        "T": [(e.id, e.start) for e in doc.entities],
        "Q": [(q.id, q.content.start) for q in doc.quotes],
        "E": [(e.id, e.trigger.start) for e in doc.events],
        "X": [(t.id, t.start) for t in doc.timexes],
    }
    for prefix, items in layers.items():
        assert [i for i, _ in items] == [f"{prefix}{n}" for n in range(1, len(items) + 1)]
        assert [s for _, s in items] == sorted(s for _, s in items)


def test_entities_with_a_cluster_are_its_name_mentions(doc: corpuskit.Document) -> None:
    names = {(c.id, m.start, m.end) for c in doc.clusters for m in c.mentions if m.form == "name"}
    linked = [e for e in doc.entities if e.cluster]
    assert linked
    assert all((e.cluster, e.start, e.end) in names for e in linked)


def test_every_quoted_passage_lies_inside_a_quote(doc: corpuskit.Document) -> None:
    passages = [m.span() for m in re.finditer(r'"[^"]*"', doc.text)]
    assert len(passages) >= 5
    for start, end in passages:
        assert any(q.content.start <= start and end <= q.content.end for q in doc.quotes), doc.text[start:end]


def test_time_roles_are_timexes_and_actual_events_happened(doc: corpuskit.Document) -> None:
    timexes = {(t.start, t.end) for t in doc.timexes}
    for event in doc.events:
        for arg in event.arguments:
            if arg.role.startswith("Time-"):
                assert (arg.start, arg.end) in timexes, (event.id, arg.text)
        if event.realis == "actual":
            assert (event.polarity, event.modality) == ("positive", "asserted"), event.id
            assert event.tense in ("past", "present"), event.id
