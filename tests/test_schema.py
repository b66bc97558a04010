"""The schema file is the single definition: our validator, jsonschema and the dataclasses agree."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuskit import model
from corpuskit.corpus import schema, shipped_corpus
from corpuskit.schema import Schema

SCHEMA_DOC = json.loads((shipped_corpus() / "schema" / "annotations.schema.json").read_text())
REFERENCE = jsonschema.Draft202012Validator(SCHEMA_DOC)

# Schema definition -> the dataclass that holds it.
CLASSES = {
    "section": model.Section,
    "entity": model.Entity,
    "mention": model.Mention,
    "cluster": model.Cluster,
    "quote": model.Quote,
    "argument": model.Argument,
    "event": model.Event,
    "timex": model.Timex,
}


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA_DOC)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_dataclass_fields_match_schema_properties(name: str) -> None:
    fields = {f.name for f in dataclasses.fields(CLASSES[name])}
    assert fields == set(SCHEMA_DOC["$defs"][name]["properties"]), f"model.{CLASSES[name].__name__} and $defs.{name}"


def test_document_layers_match_schema() -> None:
    fields = [f.name for f in dataclasses.fields(model.Document)]
    assert fields == ["id", "text", "metadata", *model.LAYERS]
    assert set(SCHEMA_DOC["properties"]) == set(fields)


@pytest.mark.parametrize(
    ("definition", "constant"),
    [
        ("entityLabel", model.ENTITY_LABELS),
        ("section.properties.kind", model.SECTION_KINDS),
        ("mention.properties.form", model.MENTION_FORMS),
        ("quote.properties.kind", model.QUOTE_KINDS),
        ("event.properties.polarity", model.POLARITIES),
        ("event.properties.modality", model.MODALITIES),
        ("event.properties.tense", model.TENSES),
        ("event.properties.realis", model.REALIS),
        ("timex.properties.type", model.TIMEX_TYPES),
    ],
)
def test_label_sets_match_schema(definition: str, constant: tuple[str, ...]) -> None:
    node = SCHEMA_DOC["$defs"]
    for part in definition.split("."):
        node = node[part]
    assert tuple(node["enum"]) == constant


def test_role_enum_matches_model() -> None:
    assert tuple(SCHEMA_DOC["$defs"]["entity"]["properties"]["role"]["oneOf"][0]["enum"]) == model.METONYMY_ROLES


def test_gold_and_its_round_trip_are_valid(gold: model.Document) -> None:
    data = gold.to_dict()
    REFERENCE.validate(data)
    assert not list(schema().problems(data))


def test_unsupported_keyword_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported keywords"):
        Schema({"type": "object", "unevaluatedProperties": False})


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


JUNK = st.sampled_from([None, -1, 0, 1.5, True, "", "x", "PERSON", "Q0", [], {}, {"start": 0}])


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_our_validator_agrees_with_jsonschema_on_mutations(data: st.DataObject, gold: model.Document) -> None:
    document = gold.to_dict()
    # Keep the mutated document small enough to make many examples cheap.
    for layer in model.LAYERS:
        document[layer] = document[layer][:3]
    paths = [p for p in _paths(document) if p]
    path = data.draw(st.sampled_from(paths))
    mutated = copy.deepcopy(document)
    parent: Any = mutated
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(JUNK)
    ours = list(schema().problems(mutated))
    theirs = list(REFERENCE.iter_errors(mutated))
    assert bool(ours) == bool(theirs), (path, ours, [e.message for e in theirs])
    # The compiled check and the problem-naming walk must agree too.
    assert schema().is_valid(mutated) == (not theirs)
    walked = list(schema()._check(schema().document, mutated, "$"))
    assert bool(walked) == bool(theirs)
