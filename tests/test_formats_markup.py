from __future__ import annotations

import re
import warnings

import pytest
from hypothesis import HealthCheck, given, settings

from corpuskit.formats.base import LayerNotCarriedWarning
from corpuskit.formats.markup import MarkupError, parse, parse_entities, to_markup
from corpuskit.model import Document
from tests.strategies import documents

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def test_the_issue_example(gold: Document) -> None:
    entities = parse_entities("[Kim Jong Un](PERSON) and [U.S.](GPE) President [Donald Trump](PERSON)", gold)
    assert [(e.text, e.label) for e in entities] == [
        ("Kim Jong Un", "PERSON"),
        ("U.S.", "GPE"),
        ("Donald Trump", "PERSON"),
    ]
    for entity in entities:
        assert gold.text[entity.start : entity.end] == entity.text
    assert {(e.start, e.end, e.label) for e in entities} <= {(e.start, e.end, e.label) for e in gold.entities}


def test_nesting_and_escapes() -> None:
    passage = parse(r"[[Kim](PERSON)'s \[sic\] country](GPE)")
    assert passage.text == "Kim's [sic] country"
    assert passage.spans == ((0, 19, "GPE"), (0, 3, "PERSON"))


def test_gold_markup_round_trips(gold: Document) -> None:
    markup = to_markup(gold)
    back = parse_entities(markup, gold, 0)
    assert [(e.start, e.end, e.label) for e in back] == sorted((e.start, e.end, e.label) for e in gold.entities)


@SETTINGS
@given(documents())
def test_generated_documents_round_trip_nested_entities(doc: Document) -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always", LayerNotCarriedWarning)
        markup = to_markup(doc)
    crossing = sum("cross others" in str(w.message) for w in record)
    back = {(e.start, e.end, e.label) for e in parse_entities(markup, doc.text, 0)}
    ours = {(e.start, e.end, e.label) for e in doc.entities}
    assert back <= ours
    assert back == ours or crossing


ERRORS = {
    "text differs": ("[Kim Jong Un](PERSON) met [Donald Trump](PERSON)", "markup has 'met Donald Trump'"),
    "unknown label": ("[Kim](PERSN)", "'PERSN' is not an OntoNotes label"),
    "unclosed": ("[Kim Jong Un", "column 1: '[' is never closed"),
    "no label": ("[Kim] Jong", "column 5: ']' must be followed by (LABEL)"),
    "stray bracket": ("Kim] Jong", "']' closes no '['"),
    "ambiguous": ("[Trump](PERSON)", "occurs"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_clear_errors(gold: Document, case: str) -> None:
    markup, message = ERRORS[case]
    with pytest.raises(MarkupError, match=re.escape(message)):
        parse_entities(markup, gold)


def test_start_pins_the_passage(gold: Document) -> None:
    with pytest.raises(MarkupError, match="offset 5"):
        parse_entities("[Kim](PERSON)", gold, start=5)
