from __future__ import annotations

import dataclasses

import msgspec
import pytest

from corpuskit.model import LAYERS, Document, Entity, Quote, Span


def test_round_trip_through_dict_keeps_every_layer(gold: Document) -> None:
    assert Document.from_dict(gold.to_dict()) == gold


def test_contract_keys_are_in_order(gold: Document) -> None:
    assert list(gold.to_dict()) == ["id", "text", "metadata", *LAYERS]


def test_layer_by_name_and_unknown_layer(gold: Document) -> None:
    assert gold.layer("sections") == gold.sections
    with pytest.raises(KeyError, match="unknown layer 'entity'"):
        gold.layer("entity")


def test_models_are_frozen() -> None:
    span = Span(0, 3, "Kim")
    with pytest.raises(AttributeError):
        span.start = 1  # type: ignore[misc]


def test_models_answer_the_dataclasses_api(gold: Document) -> None:
    entity = gold.entities[0]
    moved = dataclasses.replace(entity, cluster=None)
    assert isinstance(moved, Entity) and moved.cluster is None and moved.id == entity.id
    assert [f.name for f in dataclasses.fields(Entity)] == ["id", "start", "end", "text", "label", "cluster", "role"]
    assert dataclasses.asdict(moved)["label"] == entity.label
    assert dataclasses.replace(gold, events=()).entities == gold.entities


def test_from_dict_checks_types() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"Expected `int` >= 0 - at `\$.start`"):
        Span.from_dict({"start": -1, "end": 3, "text": "Kim"})


def test_span_text_access() -> None:
    doc = Document("d", "Kim met Trump.", {"title": "t"})
    entity = Entity("T1", 8, 13, "Trump", "PERSON")
    assert doc.slice(entity.start, entity.end) == entity.text == entity.span.text


def test_optional_fields_round_trip() -> None:
    quote = Quote("Q1", Span(0, 3, "Kim"), None, None, None, "direct", nested_in="Q0")
    assert Quote.from_dict(quote.to_dict()) == quote
    assert quote.to_dict()["cue"] is None


def test_cluster_lookup(gold: Document) -> None:
    for cluster in gold.clusters:
        assert gold.cluster(cluster.id) is cluster
    with pytest.raises(KeyError, match="no cluster 'nobody'"):
        gold.cluster("nobody")
