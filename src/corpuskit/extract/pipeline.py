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

Extraction is linear in the text's length; ``extract`` takes a text longer than spaCy's
``max_length`` in pieces cut between sections or paragraphs (``pieces``, ``extract_data``).

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
STATISTICAL_PIECE = 100_000  # characters
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
    """Run a baseline system over ``text`` and return the spaCy ``Doc`` with all its layers.

    A text longer than the pipeline's ``max_length`` is refused; ``extract`` takes it in pieces.
    """
    nlp = build_pipeline(system)
    if len(text) > nlp.max_length:
        raise CorpuskitError(
            f"the text has {len(text):,} characters, more than one spaCy Doc takes ({nlp.max_length:,}); "
            "corpuskit.extract.extract processes it in pieces"
        )
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
    from corpuskit.extract.components import doc_text
    from corpuskit.extract.events import event_dicts
    from corpuskit.extract.quotes import quote_dicts
    from corpuskit.extract.timexes import timex_dicts

    text = doc_text(doc)
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


def pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive pieces of ``text``, each at most ``limit`` characters,
    cut after a blank line (between sections) where one falls in the second half of a piece,
    else after a line break (between paragraphs), else after white space.

    >>> pieces("Head\\n\\nOne.\\nTwo.", 8)
    [(0, 6), (6, 11), (11, 15)]
    """
    out: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        for sep in ("\n\n", "\n", " "):
            cut = text.rfind(sep, start + limit // 2, end)
            if cut >= 0:
                end = cut + len(sep)
                break
        out.append((start, end))
        start = end
    out.append((start, len(text)))
    return out


def extract_data(
    text: str, dct: str | None = None, system: str = "rules", doc_id: str = "prediction", title: str | None = None
) -> dict[str, Any]:
    """The contract object a baseline system predicts for ``text``, of any length.

    A text longer than spaCy's ``max_length`` (for the statistical system, longer than
    ``STATISTICAL_PIECE``) is annotated in pieces (``pieces``); the pieces'
    items are moved to the whole text's offsets and numbered anew, and clusters of the same id
    (the same name) are merged, so a person named in two pieces is one discourse entity.
    """
    nlp = build_pipeline(system)
    # spaCy's parser and NER take about 1 GB of memory per 100,000 characters: the statistical
    # system reads long texts in pieces of that size, the rules system in the largest Doc spaCy takes.
    limit = nlp.max_length if system == "rules" else min(nlp.max_length, STATISTICAL_PIECE)
    if len(text) <= limit:
        return to_data(annotate(text, dct, system), doc_id, title)
    parts = [(start, to_data(annotate(text[start:end], dct, system), doc_id)) for start, end in pieces(text, limit)]
    # An empty Doc gives the metadata and the empty layers the pieces' items are added to.
    data = to_data(annotate("", dct, system), doc_id, title or _title(text) or doc_id)
    data["sections"] = sections(text)
    clusters: dict[str, dict[str, Any]] = {}
    for start, part in parts:
        shifted = _shift(part, start, text)
        quote_ids = {q["id"]: f"Q{len(data['quotes']) + n}" for n, q in enumerate(shifted["quotes"], 1)}
        for key, prefix in (("entities", "T"), ("quotes", "Q"), ("events", "E"), ("timexes", "X")):
            for item in shifted[key]:
                item["id"] = f"{prefix}{len(data[key]) + 1}"
                if key == "quotes" and "nested_in" in item:
                    item["nested_in"] = quote_ids[item["nested_in"]]
                data[key].append(item)
        for cluster in shifted["clusters"]:
            if cluster["id"] in clusters:
                clusters[cluster["id"]]["mentions"] += cluster["mentions"]
            else:
                clusters[cluster["id"]] = cluster
    data["clusters"] = sorted(clusters.values(), key=lambda c: (c["mentions"][0]["start"], c["id"]))
    return data


def _shift(data: dict[str, Any], offset: int, text: str) -> dict[str, Any]:
    """``data`` with every span moved ``offset`` characters on in ``text``."""

    def move(span: dict[str, Any] | None) -> dict[str, Any] | None:
        if span is None:
            return None
        start, end = span["start"] + offset, span["end"] + offset
        return {**span, "start": start, "end": end, "text": text[start:end]}

    return {
        "entities": [move(e) for e in data["entities"]],
        "clusters": [{**c, "mentions": [move(m) for m in c["mentions"]]} for c in data["clusters"]],
        "quotes": [
            {**q, "content": move(q["content"]), "cue": move(q["cue"]), "source": move(q["source"])}
            for q in data["quotes"]
        ],
        "events": [
            {**e, "trigger": move(e["trigger"]), "arguments": [move(a) for a in e["arguments"]]} for e in data["events"]
        ],
        "timexes": [move(t) for t in data["timexes"]],
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

    data = extract_data(text, dct, system, doc_id, title)
    return from_data(data, text, f"<{system} prediction for {doc_id}>")
