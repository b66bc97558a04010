"""Expected answers of lesson 1, computed from the gold in the grader's process (never in the kernel)."""

from __future__ import annotations

from functools import cache
from typing import Any

import corpuskit


@cache
def _nlp() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _people(doc: corpuskit.Document) -> list[corpuskit.Cluster]:
    return [c for c in doc.clusters if c.type == "PERSON" and not c.members]


def n_paragraphs(doc: corpuskit.Document) -> int:
    return sum(1 for s in doc.sections if s.kind == "paragraph")


def sentences_per_section(doc: corpuskit.Document) -> dict[str, int]:
    return {s.id: len(list(_nlp()(s.text).sents)) for s in doc.sections}


def n_words(doc: corpuskit.Document) -> int:
    return sum(1 for t in _nlp()(doc.text) if not t.is_punct and not t.is_space)


def mentions_per_person(doc: corpuskit.Document) -> dict[str, int]:
    return {c.name: len(c.mentions) for c in _people(doc)}


def people(doc: corpuskit.Document) -> dict[str, dict[str, int]]:
    """Rows by person name (the table rule compares these columns row by row)."""
    rows = {}
    for c in _people(doc):
        forms = [m.form for m in c.mentions]
        rows[c.name] = {
            "name": forms.count("name"),
            "nominal": forms.count("nominal"),
            "pronoun": forms.count("pronoun"),
            "total": len(forms),
        }
    return rows


def gpe_texts(doc: corpuskit.Document) -> list[str]:
    return sorted({e.text for e in doc.entities if e.label == "GPE"})
