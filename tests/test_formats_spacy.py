from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import Any

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from spacy.tokens import DocBin

from corpuskit.corpus import from_data
from corpuskit.errors import InputError
from corpuskit.formats.base import LayerNotCarriedWarning
from corpuskit.formats.conll import flat_entities
from corpuskit.formats.spacy_doc import TokenSplitWarning, from_spacy, read_docbin, to_spacy, write_docbin
from corpuskit.model import Document
from tests.conftest import SMALL_TEXT
from tests.strategies import documents

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
NLP = spacy.blank("en")


@pytest.fixture
def tiny(small_data: dict[str, Any]) -> Document:
    return from_data(small_data, SMALL_TEXT, "<tiny>")


def test_gold_round_trips_and_has_every_group(gold: Document) -> None:
    spacy_doc = to_spacy(gold, NLP)
    assert set(spacy_doc.spans) == {"sections", "entities", "mentions", "quotes", "events", "timexes"}
    assert from_spacy(spacy_doc) == gold


@SETTINGS
@given(documents())
def test_generated_documents_round_trip(doc: Document) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert from_spacy(to_spacy(doc, NLP)) == doc


def test_custom_attributes_for_cluster_and_speaker(tiny: Document) -> None:
    spacy_doc = to_spacy(tiny, NLP)
    assert [(e.text, e.label_, e._.cluster) for e in spacy_doc.ents] == [
        ("Kim", "PERSON", "kim"),
        ("Trump", "PERSON", "trump"),
        ("Hanoi", "GPE", None),
    ]


def test_token_split_is_reported_not_dropped(tiny: Document) -> None:
    doc = dataclasses.replace(tiny, entities=(dataclasses.replace(tiny.entities[1], end=11, text="Tru"),))
    with pytest.warns(TokenSplitWarning, match="1 token\\(s\\) split .*'Trump'"):
        spacy_doc = to_spacy(doc, NLP, layers=["entities"])
    assert [(e.start_char, e.end_char) for e in spacy_doc.ents] == [(8, 11)]


def test_overlapping_entities_stay_in_the_span_group(tiny: Document) -> None:
    doc = dataclasses.replace(
        tiny, entities=(*tiny.entities, dataclasses.replace(tiny.entities[0], id="T9", end=7, text="Kim met"))
    )
    with pytest.warns(LayerNotCarriedWarning, match="1 kept only in doc.spans"):
        spacy_doc = to_spacy(doc, NLP)
    assert len(spacy_doc.ents) == 3 and len(spacy_doc.spans["entities"]) == 4
    assert from_spacy(spacy_doc) == doc


def test_plain_spacy_doc_with_ents_reads(tiny: Document) -> None:
    spacy_doc = NLP("Kim met Trump in Hanoi.")
    spacy_doc.ents = [spacy_doc.char_span(0, 3, label="PERSON")]
    doc = from_spacy(spacy_doc)
    assert [(e.id, e.text, e.label) for e in doc.entities] == [("T1", "Kim", "PERSON")]


# -- conformance: spaCy itself reads our DocBin -------------------------------------------


def test_spacy_reads_the_docbin_with_our_offsets(gold: Document, tiny: Document, tmp_path: Path) -> None:
    path = tmp_path / "corpus.spacy"
    write_docbin(path, [gold, tiny])
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    assert [d.text for d in docs] == [gold.text, tiny.text]
    for ours, theirs in zip([gold, tiny], docs, strict=True):
        assert [(e.start_char, e.end_char, e.label_) for e in theirs.ents] == [
            (e.start, e.end, e.label) for e in flat_entities(ours)[0]
        ]
        assert [(s.start_char, s.end_char) for s in theirs.spans["timexes"]] == [(t.start, t.end) for t in ours.timexes]
        assert [(s.start_char, s.end_char) for s in theirs.spans["quotes"]] == [
            (q.content.start, q.content.end) for q in ours.quotes
        ]
    assert list(read_docbin(path)) == [gold, tiny]


def test_not_a_docbin_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.spacy"
    path.write_bytes(b"not a docbin")
    with pytest.raises(InputError, match="is not a spaCy DocBin"):
        list(read_docbin(path))
