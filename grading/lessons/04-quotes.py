"""Expected answers of lesson 4, computed from the gold in the grader's process (never in the kernel)."""

from __future__ import annotations

import re
from collections import Counter

import corpuskit

PASSAGE = re.compile(r'"[^"\n]*"')
SENTENCE = re.compile(r'\S[^\n]*?(?:[.!?]"?(?= )|$)', re.M)
CUE_WORD = re.compile(r"\b(?:said|says|told|added|according to)\b")


def passages(doc: corpuskit.Document) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in PASSAGE.finditer(doc.text)]


def _kind_by_rule(content: str) -> str:
    found = PASSAGE.findall(content)
    if not found:
        return "indirect"
    if len(found) == 1 and content.startswith('"') and content.endswith('"'):
        return "direct"
    return "mixed"


def rule_kinds(doc: corpuskit.Document) -> dict[str, str]:
    return {q.id: _kind_by_rule(q.content.text) for q in doc.quotes}


def resolved(doc: corpuskit.Document) -> dict[str, str]:
    mention_at = {(m.start, m.end): (m.form, c.name) for c in doc.clusters for m in c.mentions}
    out = {}
    for q in doc.quotes:
        assert q.source is not None
        form, name = mention_at.get((q.source.start, q.source.end), (None, None))
        if form in ("nominal", "pronoun"):
            out[q.source.text] = name
    return out


def voices(doc: corpuskit.Document) -> dict[str, int]:
    return dict(Counter(q.speaker for q in doc.quotes if q.nested_in is None))


def _f1(doc: corpuskit.Document, spans: list[tuple[int, int]], threshold: float, within: float = 0.0) -> float:
    from corpuskit.evaluate.layers import match_quotes
    from corpuskit.model import Quote, Span

    predicted = [
        Quote(f"P{i}", Span(s, e, doc.text[s:e]), None, None, None, "direct") for i, (s, e) in enumerate(spans)
    ]
    matched = len(match_quotes(doc.quotes, predicted, threshold, within=within))
    precision, recall = matched / max(len(spans), 1), matched / len(doc.quotes)
    return 2 * precision * recall / (precision + recall) if matched else 0.0


def marks_scores(doc: corpuskit.Document) -> dict[str, float]:
    return {str(threshold): _f1(doc, passages(doc), threshold) for threshold in (0.3, 0.8)}


def cue_after(doc: corpuskit.Document) -> list[str]:
    return [q.id for q in doc.quotes if q.cue.start >= q.content.end]


def cue_scores(doc: corpuskit.Document) -> dict[str, float]:
    sentences = [(m.start(), m.end()) for m in SENTENCE.finditer(doc.text)]
    with_cue = [(s, e) for s, e in sentences if CUE_WORD.search(doc.text[s:e])]
    return {"ggt": _f1(doc, with_cue, 0.3), "inside": _f1(doc, with_cue, 0.3, within=0.8)}
