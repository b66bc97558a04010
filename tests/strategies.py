"""Hypothesis strategies for valid ``Document`` objects over random text.

Spans nest and overlap, touch the text edges, cover punctuation and quotation marks (quotes
within quotes included); ids, roles and notes use the awkward characters the schema allows.
Every generated document passes ``corpuskit.corpus.from_data``.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from corpuskit.corpus import from_data
from corpuskit.model import (
    ENTITY_LABELS,
    MENTION_FORMS,
    MODALITIES,
    POLARITIES,
    QUOTE_KINDS,
    REALIS,
    SECTION_KINDS,
    TENSES,
    TIMEX_TYPES,
    Document,
)

WORDS = ["Kim", "Trump", "met", "in", "Hanoi", "U.S.", "Jong-un's", "said", "summit", "Pompeo", "déjà", "2019"]
PUNCT = [",", ".", "!", "?", '"', "'", "(", ")", "-", ":", ";", "“", "”", "—"]
SEPARATORS = [" ", " ", " ", "", "\n"]
EVENT_TYPES = ["Contact.Meet", "Life.Die", "Conflict.Attack", "Transaction.Transfer-Money", "Statement.Say"]
ROLES = ["Entity", "Place", "Time-Within", "Agent", "Attacker"]
IDS = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,6}\Z")


@st.composite
def texts(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(WORDS + PUNCT), min_size=1, max_size=25))
    out = pieces[0]
    for piece in pieces[1:]:
        out += draw(st.sampled_from(SEPARATORS)) + piece
    return out


@st.composite
def spans(draw: st.DrawFn, text: str) -> dict[str, Any]:
    """A span ``{start, end, text}`` that starts and ends on a non-space character."""
    solid = [i for i, ch in enumerate(text) if not ch.isspace()]
    start = draw(st.sampled_from(solid))
    end = draw(st.sampled_from([i + 1 for i in solid if i >= start]))
    return {"start": start, "end": end, "text": text[start:end]}


def _ids(draw: st.DrawFn, count: int, prefix: str) -> list[str]:
    if draw(st.booleans()):
        return [f"{prefix}{n}" for n in range(1, count + 1)]
    return draw(st.lists(IDS, min_size=count, max_size=count, unique=True))


@st.composite
def document_data(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    text = draw(texts())
    span = spans(text)
    opt_span = st.none() | span
    data: dict[str, Any] = {
        "id": draw(st.from_regex(r"\A[a-z0-9][a-z0-9._-]{0,10}\Z")),
        "metadata": {"title": draw(st.text(min_size=1, max_size=10)), "creation_time": "2019-02-28"},
    }
    n = draw(st.integers(0, 3))
    data["sections"] = [
        {"id": i, "kind": draw(st.sampled_from(SECTION_KINDS)), **draw(span)} for i in _ids(draw, n, "S")
    ]
    cluster_ids = _ids(draw, draw(st.integers(0, 3)), "C")
    cluster_ref = st.none() | st.sampled_from(cluster_ids) if cluster_ids else st.none()
    data["clusters"] = []
    for index, cid in enumerate(cluster_ids):
        cluster: dict[str, Any] = {
            "id": cid,
            "name": draw(st.text(min_size=1, max_size=12)),
            "type": draw(st.sampled_from(ENTITY_LABELS)),
            "wikidata": draw(st.none() | st.from_regex(r"\AQ[1-9][0-9]{0,5}\Z")),
            "mentions": [
                {**draw(span), "form": draw(st.sampled_from(MENTION_FORMS))} for _ in range(draw(st.integers(1, 3)))
            ],
        }
        members = draw(st.lists(st.sampled_from(cluster_ids), max_size=2, unique=True)) if index else []
        if members:
            cluster["members"] = members
        data["clusters"].append(cluster)
    data["entities"] = []
    for eid in _ids(draw, draw(st.integers(0, 6)), "T"):
        entity = {"id": eid, **draw(span), "label": draw(st.sampled_from(ENTITY_LABELS)), "cluster": draw(cluster_ref)}
        role = draw(st.none() | st.sampled_from(["PER", "ORG", "LOC", "GPE"]))
        if role:
            entity["role"] = role
        data["entities"].append(entity)
    data["quotes"] = []
    for index, qid in enumerate(_ids(draw, draw(st.integers(0, 3)), "Q")):
        quote = {
            "id": qid,
            "content": draw(span),
            "cue": draw(opt_span),
            "source": draw(opt_span),
            "speaker": draw(cluster_ref),
            "kind": draw(st.sampled_from(QUOTE_KINDS)),
        }
        if index and draw(st.booleans()):
            quote["nested_in"] = data["quotes"][draw(st.integers(0, index - 1))]["id"]
        data["quotes"].append(quote)
    data["events"] = []
    for vid in _ids(draw, draw(st.integers(0, 3)), "E"):
        event: dict[str, Any] = {
            "id": vid,
            "trigger": draw(span),
            "type": draw(st.sampled_from(EVENT_TYPES)),
            "arguments": [
                {"role": draw(st.sampled_from(ROLES)), **draw(span), "cluster": draw(cluster_ref)}
                for _ in range(draw(st.integers(0, 3)))
            ],
            "polarity": draw(st.sampled_from(POLARITIES)),
            "modality": draw(st.sampled_from(MODALITIES)),
            "tense": draw(st.sampled_from(TENSES)),
            "realis": draw(st.sampled_from(REALIS)),
        }
        if draw(st.booleans()):
            event["note"] = draw(st.text(max_size=15))
        data["events"].append(event)
    data["timexes"] = []
    for index, tid in enumerate(_ids(draw, draw(st.integers(0, 3)), "X")):
        timex: dict[str, Any] = {
            "id": tid,
            **draw(span),
            "type": draw(st.sampled_from(TIMEX_TYPES)),
            "value": draw(st.sampled_from(["2019-02-27", "2019-02-27TNI", "P2D", "PAST_REF", "2018-06"])),
        }
        if draw(st.booleans()):
            timex["mod"] = draw(st.sampled_from(["APPROX", "START"]))
        anchors = [e["id"] for e in data["events"]] + [t["id"] for t in data["timexes"][:index]]
        if anchors and draw(st.booleans()):
            timex["anchor"] = draw(st.sampled_from(anchors))
        data["timexes"].append(timex)
    return data, text


@st.composite
def documents(draw: st.DrawFn) -> Document:
    """A valid document; ``from_data`` proves it."""
    data, text = draw(document_data())
    return from_data(data, text, "<generated>")


def restricted(doc: Document, layers: tuple[str, ...]) -> Document:
    """``doc`` holding only ``layers`` (references into dropped layers cleared): what a
    format carrying those layers must give back."""
    from corpuskit.formats.base import restrict

    return restrict(doc, layers)
