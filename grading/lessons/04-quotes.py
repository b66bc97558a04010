"""Expected answers of lesson 4, computed from the gold in the grader's process (never in the kernel)."""

from __future__ import annotations

import re
from collections import Counter

import corpuskit

PASSAGE = re.compile(r'"[^"\n]*"')


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
    doc = doc
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


def marks_scores(doc: corpuskit.Document) -> dict[str, float]:
    from corpuskit.evaluate.layers import match_quotes
    from corpuskit.model import Quote, Span

    doc = doc
    found = passages(doc)
    predicted = [
        Quote(f"P{i}", Span(s, e, doc.text[s:e]), None, None, None, "direct") for i, (s, e) in enumerate(found)
    ]
    scores = {}
    for threshold in (0.3, 0.8):
        matched = len(match_quotes(doc.quotes, predicted, threshold))
        precision, recall = matched / len(found), matched / len(doc.quotes)
        scores[str(threshold)] = 2 * precision * recall / (precision + recall) if matched else 0.0
    return scores
