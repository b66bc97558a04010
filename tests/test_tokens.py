"""The one tokenizer: its rules on the article's hard cases, and the three users that share it."""

from __future__ import annotations

from itertools import pairwise

import pytest

from corpuskit import load
from corpuskit.annotate.model import tokens as widget_tokens
from corpuskit.evaluate import tokenize as evaluation_tokenize
from corpuskit.formats.conll import dumps
from corpuskit.model import Document
from corpuskit.tokens import sentences, tokenize


def words(text: str) -> list[str]:
    return [text[s:e] for s, e in tokenize(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Abbreviations with inner periods are one token, wherever they stand.
        ("U.S. President Donald Trump", ["U.S.", "President", "Donald", "Trump"]),
        ("The top U.S. diplomat", ["The", "top", "U.S.", "diplomat"]),
        ("to 2 p.m. local time (0700 GMT).", ["to", "2", "p.m.", "local", "time", "(", "0700", "GMT", ")", "."]),
        # A clitic is its own token, so "Trump" and "Kim" are whole tokens of "Trump's", "Kim's".
        ("Trump's press conference", ["Trump", "'s", "press", "conference"]),
        ("the DPRK's nuclear program", ["the", "DPRK", "'s", "nuclear", "program"]),
        ("Democratic People's Republic", ["Democratic", "People", "'s", "Republic"]),
        ("\"It wasn't appropriate", ['"', "It", "was", "n't", "appropriate"]),
        ("we'll see", ["we", "'ll", "see"]),
        ("Kim’s promise", ["Kim", "’s", "promise"]),
        # Titles keep their period; a sentence-final period stays apart.
        ("Mr. Kim left. Dr. No", ["Mr.", "Kim", "left", ".", "Dr.", "No"]),
        ("the Mr", ["the", "Mr"]),
        # Numbers with separators are whole; a hyphen splits a compound.
        ("3,995 bytes, 2.5 hours, 10:30", ["3,995", "bytes", ",", "2.5", "hours", ",", "10:30"]),
        ("a two-day summit", ["a", "two", "-", "day", "summit"]),
        ("the Trump-Kim talks", ["the", "Trump", "-", "Kim", "talks"]),
        ("$2 billion ... done", ["$", "2", "billion", ".", ".", ".", "done"]),
    ],
)
def test_rules_on_hard_cases(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_tokens_cover_every_non_space_character_once() -> None:
    text = load("hanoi-summit-2019").text
    found = tokenize(text)
    assert all(a[1] <= b[0] for a, b in pairwise(found))
    covered = "".join(text[s:e] for s, e in found)
    assert covered == "".join(text.split())


def test_every_gold_boundary_is_a_token_boundary() -> None:
    doc = load("hanoi-summit-2019")
    found = tokenize(doc.text)
    starts, ends = {s for s, _ in found}, {e for _, e in found}
    spans = [*doc.entities, *doc.timexes, *(m for c in doc.clusters for m in c.mentions)]
    assert spans
    assert [s.text for s in spans if s.start not in starts or s.end not in ends] == []


def test_a_range_is_tokenized_in_document_offsets() -> None:
    text = "Kim met U.S. envoys."
    assert tokenize(text, 8, 19) == [(8, 12), (13, 19)]


def test_evaluation_widget_and_conll_cut_alike() -> None:
    doc = load("hanoi-summit-2019")
    text = doc.text
    assert evaluation_tokenize(text) == widget_tokens(text) == tokenize(text)
    # CoNLL writes one line per token; with no entities there are no extra cuts.
    bare = Document(id=doc.id, text=text, metadata=doc.metadata)
    lines = [line.rsplit(" ", 1)[0] for line in dumps(bare).splitlines()[2:] if line]
    assert lines == words(text)


def test_sentences() -> None:
    assert sentences('The summit ended. "No deal," Trump said. Mr. Kim left.') == [
        (0, 17),
        (18, 40),
        (41, 44),
        (45, 54),
    ]
    assert sentences("Headline\nFirst line") == [(0, 8), (9, 19)]
