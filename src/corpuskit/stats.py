"""Counts per layer and per label, for summaries, docs and the tests that pin the gold."""

from __future__ import annotations

from collections import Counter

from corpuskit.model import LAYERS, Document

# The attribute that labels each layer's items.
_LABEL_OF = {
    "sections": "kind",
    "entities": "label",
    "clusters": "type",
    "quotes": "kind",
    "events": "type",
    "timexes": "type",
}


def label_counts(doc: Document) -> dict[str, Counter[str]]:
    """For each layer, how many items carry each label (sections by kind, quotes by kind).

    >>> from corpuskit.model import Document, Entity
    >>> doc = Document("d", "Kim", entities=(Entity("T1", 0, 3, "Kim", "PERSON"),))
    >>> label_counts(doc)["entities"]
    Counter({'PERSON': 1})
    """
    return {layer: Counter(getattr(item, _LABEL_OF[layer]) for item in doc.layer(layer)) for layer in LAYERS}


def mention_count(doc: Document) -> int:
    """Mentions over all coreference clusters."""
    return sum(len(cluster.mentions) for cluster in doc.clusters)


def format_summary(doc: Document) -> str:
    """A readable summary: title, metadata, sections, counts per layer and label."""
    lines = [doc.title, "=" * len(doc.title)]
    lines.append(f"id:            {doc.id}")
    if doc.creation_time:
        lines.append(f"creation time: {doc.creation_time}")
    lines.append(f"text:          {len(doc.text):,} characters, {doc.text.count(chr(10)) + 1} lines")
    counts = label_counts(doc)
    lines.append("")
    lines.append(f"{'layer':<10} {'items':>5}  by label")
    for layer in LAYERS:
        items = len(doc.layer(layer))
        labels = ", ".join(f"{label} {n}" for label, n in sorted(counts[layer].items(), key=lambda kv: (-kv[1], kv[0])))
        extra = f" ({mention_count(doc)} mentions)" if layer == "clusters" and items else ""
        lines.append(f"{layer:<10} {items:>5}  {labels or '-'}{extra}")
    return "\n".join(lines)
