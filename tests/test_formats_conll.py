from __future__ import annotations

import dataclasses
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from seqeval.metrics import f1_score
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2

from corpuskit.corpus import from_data
from corpuskit.errors import InputError
from corpuskit.formats.base import LayerNotCarriedError, LayerNotCarriedWarning
from corpuskit.formats.conll import (
    dumps,
    flat_entities,
    parse,
    read_conll,
    read_conll_documents,
    tokens,
    write_conll,
)
from corpuskit.model import Document
from tests.conftest import SMALL_TEXT
from tests.strategies import documents

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def expected(doc: Document) -> list[tuple[int, int, str]]:
    kept, _ = flat_entities(doc)
    return sorted((e.start, e.end, e.label) for e in kept)


def got(doc: Document) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.label) for e in doc.entities]


@pytest.fixture
def tiny(small_data: dict[str, Any]) -> Document:
    return from_data(small_data, SMALL_TEXT, "<tiny>")


def test_tiny_is_iob2_with_docstart(tiny: Document) -> None:
    out = dumps(tiny, layers=["entities"])
    assert out == "-DOCSTART- O\n\nKim B-PERSON\nmet O\nTrump B-PERSON\nin O\nHanoi B-GPE\n. O\n\n"


def test_gold_round_trips_through_the_text(gold: Document, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerNotCarriedWarning)
        write_conll(tmp_path / "gold.conll", gold)
    back = read_conll(tmp_path / "gold.conll", text=gold.text)
    assert got(back) == expected(gold)
    assert [e.id for e in back.entities] == [f"T{n}" for n in range(1, len(back.entities) + 1)]


@SETTINGS
@given(documents())
def test_generated_documents_round_trip(doc: Document) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerNotCarriedWarning)
        out = dumps(doc)
    assert got(parse(out, "<mem>", doc.text, doc.id, "t")) == expected(doc)


def test_without_the_text_tokens_are_joined(tiny: Document) -> None:
    back = parse(dumps(tiny, ["entities"]), "<mem>", None, "tiny", "Tiny")
    assert back.text == "Kim met Trump in Hanoi ."
    assert [e.text for e in back.entities] == ["Kim", "Trump", "Hanoi"]


def test_what_conll_cannot_carry_is_named(tiny: Document) -> None:
    nested = dataclasses.replace(
        tiny, entities=(*tiny.entities, dataclasses.replace(tiny.entities[0], id="T9", end=7, text="Kim met"))
    )
    with pytest.warns(LayerNotCarriedWarning) as record:
        dumps(nested)
    messages = " | ".join(str(w.message) for w in record)
    assert "sections (1), clusters (2), events (1), cluster links (3)" in messages
    assert "overlapping or nested entities; 1 left out (T1)" in messages
    with pytest.raises(LayerNotCarriedError, match="CoNLL cannot carry quotes; it carries: entities"):
        dumps(tiny, layers=["entities", "quotes"])


# -- conformance: seqeval reads the tags as the same entities -----------------------------


def test_seqeval_reads_our_tags_as_our_entities(gold: Document, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerNotCarriedWarning)
        write_conll(tmp_path / "gold.conll", gold)
    blocks = tmp_path.joinpath("gold.conll").read_text().split("\n\n")[1:]
    sentences = [[line.split(" ")[1] for line in block.splitlines()] for block in blocks if block.strip()]
    assert f1_score(sentences, sentences, mode="strict", scheme=IOB2) == (1.0 if gold.entities else 0.0)
    flat = [(s, e) for sentence in tokens(gold, flat_entities(gold)[0]) for s, e, _ in sentence]
    tags = [tag for sentence in sentences for tag in sentence]
    theirs = [(flat[first][0], flat[last][1], label) for label, first, last in get_entities(tags)]
    assert theirs == expected(gold)


BAD = {
    "unknown label": ("Kim B-PERSN\n", 1, "'B-PERSN' is not O or B-, I-, L-, U-, E-, S- with an OntoNotes"),
    "BILOU I after O": ("Kim O\nmet I-PERSON\nTrump U-PERSON\n", 2, "I-PERSON follows O; in BILOU"),
    "BILOU L after another label": ("Kim B-PERSON\nmet L-GPE\n", 2, "L-GPE follows B-PERSON"),
    "unknown kind": ("Kim X-PERSON\n", 1, "'X-PERSON' is not O or B-, I-"),
    "truncated line": ("Kim B-PERSON\nmet\n", 2, "want 'TOKEN TAG'"),
    "wrong text": ("Kim B-PERSON\nmeets O\n", 2, "token 'meets' does not follow in the text"),
    "two documents": ("-DOCSTART- O\n\nKim O\n\n-DOCSTART- O\n", 5, "second -DOCSTART-; read it with"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_conll_names_file_and_line(tmp_path: Path, case: str) -> None:
    source, line, message = BAD[case]
    path = tmp_path / "bad.conll"
    path.write_text(source)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        read_conll(path, text=SMALL_TEXT)
    assert info.value.path == str(path) and info.value.line == line


# The opening lines of the original files, in their own layouts.
CONLL2003_ENG = """-DOCSTART- -X- -X- O

EU NNP B-NP I-ORG
rejects VBZ B-VP O
German JJ B-NP I-MISC
call NN I-NP O
to TO B-VP O
boycott VB I-VP O
British JJ B-NP I-MISC
lamb NN I-NP O
. . O O

Peter NNP B-NP I-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP I-LOC
1996-08-22 CD I-NP O
"""
CONLL2002_ESP = """Melbourne B-LOC
( O
Australia B-LOC
) O
, O
25 O
may O
( O
EFE B-ORG
) O
. O
"""
CONLL2002_NED = """-DOCSTART- -DOCSTART- O
De Art O
tekst N O
van Prep O
het Art O
arrest N O
van Prep O
het Art O
Europees Adj B-MISC
Hof N I-MISC
"""


def read_snippet(tmp_path: Path, source: str) -> list[Document]:
    path = tmp_path / "snippet.conll"
    path.write_text(source)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = read_conll_documents(path)
    assert all("CoNLL labels read as OntoNotes labels" in str(w.message) for w in caught)
    return docs


def entities_of(doc: Document) -> list[tuple[str, str]]:
    return [(e.text, e.label) for e in doc.entities]


def test_original_conll2003_iob1_four_columns_and_documents(tmp_path: Path) -> None:
    first, second = read_snippet(tmp_path, CONLL2003_ENG)
    assert entities_of(first) == [
        ("EU", "ORG"),
        ("German", "NORP"),
        ("British", "NORP"),
        ("Peter Blackburn", "PERSON"),
    ]
    assert first.text == "EU rejects German call to boycott British lamb .\nPeter Blackburn"
    assert (first.id, second.id) == ("snippet-1", "snippet-2")
    assert entities_of(second) == [("BRUSSELS", "GPE")]


def test_iob1_b_separates_adjacent_entities_of_one_type(tmp_path: Path) -> None:
    (doc,) = read_snippet(tmp_path, "Kim I-PER\nJong I-PER\nTrump B-PER\nmet O\n")
    assert entities_of(doc) == [("Kim Jong", "PERSON"), ("Trump", "PERSON")]


def test_conll2002_spanish_two_columns_iob2(tmp_path: Path) -> None:
    (doc,) = read_snippet(tmp_path, CONLL2002_ESP + "Juan B-PER\n")
    assert entities_of(doc) == [("Melbourne", "GPE"), ("Australia", "GPE"), ("EFE", "ORG"), ("Juan", "PERSON")]


def test_loc_and_org_alone_are_read_as_ontonotes_labels(tmp_path: Path) -> None:
    (doc,) = read_snippet(tmp_path, CONLL2002_ESP)
    assert entities_of(doc) == [("Melbourne", "LOC"), ("Australia", "LOC"), ("EFE", "ORG")]


def test_conll2002_dutch_three_columns(tmp_path: Path) -> None:
    (doc,) = read_snippet(tmp_path, CONLL2002_NED)
    assert entities_of(doc) == [("Europees Hof", "NORP")]


@pytest.mark.parametrize("scheme", ["BILOU", "BIOES"])
def test_bilou_and_bioes(tmp_path: Path, scheme: str) -> None:
    last, unit = ("L", "U") if scheme == "BILOU" else ("E", "S")
    source = f"Kim B-PERSON\nJong I-PERSON\nUn {last}-PERSON\nmet O\nTrump {unit}-PERSON\nin O\nHanoi {unit}-GPE\n"
    (doc,) = read_snippet(tmp_path, source)
    assert entities_of(doc) == [("Kim Jong Un", "PERSON"), ("Trump", "PERSON"), ("Hanoi", "GPE")]


@pytest.mark.parametrize(
    ("source", "mapped"),
    [
        # One document, read with read_conll.
        (CONLL2003_ENG.split("\n\n-DOCSTART-")[0], "MISC as NORP (2), PER as PERSON (1)"),
        # Two documents: still one warning for the file.
        (CONLL2003_ENG, "LOC as GPE (1), MISC as NORP (2), PER as PERSON (1)"),
    ],
)
def test_mapped_labels_are_named_in_one_warning_per_file(tmp_path: Path, source: str, mapped: str) -> None:
    path = tmp_path / "eng.conll"
    path.write_text(source)
    with pytest.warns(LayerNotCarriedWarning, match=re.escape(mapped) + "$") as caught:
        read_conll_documents(path)
    assert len(caught) == 1


def test_several_documents_refuse_one_text(tmp_path: Path) -> None:
    path = tmp_path / "eng.conll"
    path.write_text(CONLL2003_ENG)
    with pytest.raises(InputError, match="holds 2 documents"):
        read_conll_documents(path, text="EU rejects")
