"""The baseline pipelines and ``extract``: text in, a predicted ``Document`` out.

``build_pipeline("rules")`` is ``spacy.blank("en")`` with a sentencizer and the corpuskit
components; it needs no model download. ``build_pipeline("statistical")`` starts from an
installed English pipeline (``corpuskit.extract.statistical``) and adds the same components,
taking entities from the model's NER and quote speakers from its dependency parse.

Components (registered with ``@Language.factory``) and what they leave on the ``Doc``:

=====================  =====================================================================
``corpuskit_lines``    a sentence starts after every line break (headline, caption, paragraphs)
``corpuskit_timexes``  ``doc._.corpuskit_timexes``: ``TimexMatch`` list (needs ``doc._.corpuskit_dct``)
``corpuskit_entities`` ``doc.ents``; ``doc._.corpuskit_clusters`` and ``doc._.corpuskit_people``
``corpuskit_quotes``   ``doc._.corpuskit_quotes``: ``QuoteItem`` list; adds speaker mentions to clusters
``corpuskit_events``   ``doc._.corpuskit_events``: ``EventItem`` list
=====================  =====================================================================

>>> doc = extract('"We will talk," Kim said on Monday.', dct="2019-02-28")
>>> doc.quotes[0].content.text, doc.timexes[0].value
('"We will talk,"', '2019-02-25')
"""

from __future__ import annotations

import re
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

from corpuskit.errors import CorpuskitError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from corpuskit.model import Document

SYSTEMS = ("rules", "statistical")
EXTENSIONS: dict[str, Any] = {
    "corpuskit_dct": None,
    "corpuskit_timexes": None,
    "corpuskit_clusters": None,
    "corpuskit_mention_clusters": None,
    "corpuskit_people": None,
    "corpuskit_quotes": None,
    "corpuskit_events": None,
}


def register() -> None:
    """Register the extension attributes and the component factories (idempotent)."""
    from spacy.tokens import Doc

    for name, default in EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    # Importing the component module runs its @Language.factory decorators.
    import_module("corpuskit.extract.components")


@cache
def build_pipeline(system: str = "rules") -> Language:
    """The spaCy pipeline of a baseline system (cached: building it takes a moment)."""
    if system not in SYSTEMS:
        raise CorpuskitError(f"unknown system {system!r}; systems are: {', '.join(SYSTEMS)}")
    register()
    from corpuskit.extract import entities

    if system == "rules":
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("corpuskit_lines")
        nlp.add_pipe("corpuskit_timexes")
        ruler: Any = nlp.add_pipe("entity_ruler")
        ruler.add_patterns(entities.entity_patterns())
        nlp.add_pipe("corpuskit_entities")
        nlp.add_pipe("corpuskit_quotes")
    else:
        from corpuskit.extract.statistical import load_model

        nlp = load_model()
        nlp.add_pipe("corpuskit_lines", before="parser")
        nlp.add_pipe("corpuskit_timexes")
        nlp.add_pipe("corpuskit_entities", config={"source": "model"})
        nlp.add_pipe("corpuskit_quotes", config={"use_parse": True})
    nlp.add_pipe("corpuskit_events")
    return nlp


def annotate(text: str, dct: str | None = None, system: str = "rules") -> Doc:
    """Run a baseline system over ``text`` and return the spaCy ``Doc`` with all its layers."""
    nlp = build_pipeline(system)
    doc = nlp.make_doc(text)
    doc._.corpuskit_dct = dct
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def sections(text: str) -> list[dict[str, Any]]:
    """One section per non-empty line: the first is the headline, the second the lede, a
    line holding a photo credit ("[Photo ...]", "(AP Photo ...)") a caption, the rest paragraphs."""
    out: list[dict[str, Any]] = []
    for m in re.finditer(r"[^\n]+", text):
        stripped = m.group().strip()
        if not stripped:
            continue
        start = m.start() + len(m.group()) - len(m.group().lstrip())
        end = start + len(stripped)
        if not out:
            kind = "headline"
        elif re.search(r"[\[(](?:AP |Reuters |AFP )?Photo\b|\bPhoto(?:graph)?: ", stripped):
            kind = "caption"
        elif not any(s["kind"] == "lede" for s in out):
            kind = "lede"
        else:
            kind = "paragraph"
        out.append({"id": f"S{len(out) + 1}", "kind": kind, "start": start, "end": end, "text": stripped})
    return out


def to_data(doc: Doc, doc_id: str = "prediction", title: str | None = None) -> dict[str, Any]:
    """The contract object (see docs/architecture.md) of an annotated ``Doc``."""
    from corpuskit.extract.events import event_dicts
    from corpuskit.extract.quotes import quote_dicts
    from corpuskit.extract.timexes import timex_dicts

    text = doc.text
    mention_clusters: dict[tuple[int, int], str] = doc._.corpuskit_mention_clusters or {}
    entities = [
        {
            "id": f"T{i}",
            "start": ent.start_char,
            "end": ent.end_char,
            "text": ent.text,
            "label": ent.label_,
            "cluster": mention_clusters.get((ent.start_char, ent.end_char)),
        }
        for i, ent in enumerate(doc.ents, 1)
    ]
    clusters = []
    for c in doc._.corpuskit_clusters or []:
        mentions = [{"start": s, "end": e, "text": text[s:e], "form": f} for s, e, f in sorted(c.mentions)]
        if mentions:
            clusters.append({"id": c.id, "name": c.name, "type": c.type, "wikidata": None, "mentions": mentions})
    clusters.sort(key=lambda c: (c["mentions"][0]["start"], c["id"]))
    metadata: dict[str, Any] = {"title": title or _title(text) or doc_id}
    if doc._.corpuskit_dct:
        metadata["creation_time"] = str(doc._.corpuskit_dct)[:10]
    metadata["annotator"] = "corpuskit baseline extractor"
    return {
        "id": doc_id,
        "metadata": metadata,
        "sections": sections(text),
        "entities": entities,
        "clusters": clusters,
        "quotes": quote_dicts(doc._.corpuskit_quotes or [], text),
        "events": event_dicts(doc._.corpuskit_events or [], text),
        "timexes": timex_dicts(doc._.corpuskit_timexes or []),
    }


def _title(text: str) -> str:
    return text.strip().split("\n", 1)[0].strip()[:200]


def extract(
    text: str, dct: str | None = None, system: str = "rules", doc_id: str = "prediction", title: str | None = None
) -> Document:
    """Predict every layer of ``text`` with a baseline system; the result is validated.

    ``dct`` (``YYYY-MM-DD``) anchors relative time expressions; ``system`` is ``"rules"``
    (no model needed) or ``"statistical"`` (needs an installed English pipeline).
    """
    from corpuskit.corpus import from_data

    data = to_data(annotate(text, dct, system), doc_id, title)
    return from_data(data, text, f"<{system} prediction for {doc_id}>")
