"""Rendering two annotations' agreement: three tables, and the list of every disagreement.

The tables are (1) items paired between A and B, with the counts behind each F1; (2) fields
compared on paired items, with the raw agreement beside Cohen's kappa; (3) coreference scores
with their numerators and denominators. Each renders as aligned text or as Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from corpuskit.evaluate.agreement import (
    DocumentAgreement,
    FieldAgreement,
    KappaResult,
    SpanPairing,
    compare,
)
from corpuskit.evaluate.counts import Counts
from corpuskit.model import Document, Span

Row = tuple[str, ...]


NONE = "–"
"""Shown where a figure has nothing to be computed from (no items, no pairs)."""


def _fixed(value: float) -> str:
    """A score with three decimals, as every table here prints them."""
    return f"{value:.3f}"


def _pair_row(layer: str, measure: str, counts: Counts) -> Row:
    return (
        layer,
        measure,
        str(counts.possible),
        str(counts.actual),
        str(counts.correct),
        str(counts.missed),
        str(counts.spurious),
        _fixed(counts.f1) if counts.possible + counts.actual else NONE,
    )


def _span_rows(layer: str, what: str, pairing: SpanPairing) -> list[Row]:
    return [
        _pair_row(layer, f"{what}, same boundaries", pairing.exact),
        _pair_row(layer, f"{what}, overlapping", pairing.relaxed),
    ]


PAIR_HEADER: Row = ("layer", "items paired", "A", "B", "both", "only A", "only B", "F1")


def pair_rows(result: DocumentAgreement) -> list[Row]:
    """Table 1: what each side marked and how much of it pairs."""
    rows = _span_rows("entities", "spans", result.entities.spans)
    rows.append(_pair_row("entities", "spans with the same label", result.entities.labelled))
    rows.append(_pair_row("coreference", "mentions, same boundaries", result.coref.mentions))
    for quotes in result.quotes:
        rows.append(_pair_row("quotes", f"content, > {quotes.threshold:g} of A's covered", quotes.content))
    rows += _span_rows("events", "triggers", result.events.triggers)
    rows.append(_pair_row("events", "arguments (role + span) of paired triggers", result.events.arguments))
    rows += _span_rows("timexes", "spans", result.timexes.spans)
    return rows


FIELD_HEADER: Row = ("layer", "field, on paired items", "pairs", "agreed", "raw agreement", "chance", "kappa")


def _kappa_row(layer: str, name: str, kappa: KappaResult, agreed: int | None = None) -> Row:
    shown = round(kappa.observed * kappa.tokens) if agreed is None else agreed
    if not kappa.tokens:
        return (layer, name, "0", "0", NONE, NONE, NONE)
    return (
        layer,
        name,
        str(kappa.tokens),
        str(shown),
        _fixed(kappa.observed),
        _fixed(kappa.expected),
        _fixed(kappa.kappa),
    )


def _field_row(layer: str, field: FieldAgreement, where: str) -> Row:
    name = f"{field.name} ({where})"
    if not field.chance_corrected:
        raw = _fixed(field.agreed / field.total) if field.total else NONE
        return (layer, name, str(field.total), str(field.agreed), raw, NONE, NONE)
    return _kappa_row(layer, name, field.kappa, field.agreed)


def field_rows(result: DocumentAgreement) -> list[Row]:
    """Table 2: categorical fields on paired items, raw agreement beside kappa."""
    ent = result.entities
    rows = [
        _field_row("entities", ent.label, "overlapping spans"),
        _kappa_row("entities", "token label (every token)", ent.token_kappa),
        _kappa_row("entities", "token label (tokens either marked)", ent.token_kappa_marked),
    ]
    for quotes in result.quotes:
        where = f"quotes paired at {quotes.threshold:g}"
        speaker = quotes.speaker
        rows.append(
            (
                "quotes",
                f"speaker ({where})",
                str(speaker.total),
                str(speaker.correct),
                _fixed(speaker.value) if speaker.total else NONE,
                NONE,
                NONE,
            )
        )
        rows.append(_field_row("quotes", quotes.kind, where))
    events = result.events
    for field in (events.type, *events.attributes):
        rows.append(_field_row("events", field, "overlapping triggers"))
    rows.append(_field_row("timexes", result.timexes.type, "overlapping spans"))
    rows.append(_field_row("timexes", result.timexes.value, "overlapping spans"))
    return rows


COREF_HEADER: Row = ("metric (A as key)", "recall", "precision", "F1")


def coref_rows(result: DocumentAgreement) -> list[Row]:
    """Table 3: each coreference metric with the sums it is made of."""
    rows: list[Row] = []
    for name, score in result.coref.scores:
        rows.append(
            (
                name,
                f"{score.recall_num:g} / {score.recall_den:g} = {_fixed(score.recall)}",
                f"{score.precision_num:g} / {score.precision_den:g} = {_fixed(score.precision)}",
                _fixed(score.f1),
            )
        )
    return rows


def _markdown(header: Row, rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _aligned(header: Row, rows: Sequence[Row]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def format_agreement(result: DocumentAgreement, *, markdown: bool = False) -> str:
    """The three tables, as aligned text or as Markdown."""
    render = _markdown if markdown else _aligned
    coref = result.coref
    parts = [
        render(PAIR_HEADER, pair_rows(result)),
        render(FIELD_HEADER, field_rows(result)),
        f"Coreference: {coref.clusters_a} chains in A, {coref.clusters_b} in B.",
        render(COREF_HEADER, coref_rows(result)),
    ]
    return "\n\n".join(parts) + "\n"


# Disagreements ----------------------------------------------------------------------------


class Disagreement(NamedTuple):
    """One item the two annotations treat differently: where, what, A's and B's version."""

    layer: str
    start: int
    what: str
    a: str
    b: str

    def line(self) -> str:
        return f"{self.layer:<9} @{self.start:<5} {self.what}: A {self.a} | B {self.b}"


def _show(span: Span | None) -> str:
    return "—" if span is None else f"{span.text!r} [{span.start}, {span.end})"


def _span_disagreements(
    layer: str,
    pairing: SpanPairing,
    spans_a: Sequence[Span],
    spans_b: Sequence[Span],
    details_a: Sequence[str],
    details_b: Sequence[str],
) -> list[Disagreement]:
    out = []
    paired_a = {i for i, _ in pairing.pairs}
    paired_b = {j for _, j in pairing.pairs}
    for i, j in pairing.pairs:
        a, b = spans_a[i], spans_b[j]
        if (a.start, a.end) != (b.start, b.end):
            out.append(Disagreement(layer, a.start, "boundaries", _show(a), _show(b)))
        if details_a[i] != details_b[j]:
            out.append(Disagreement(layer, a.start, f"{a.text!r}", details_a[i], details_b[j]))
    out += [
        Disagreement(layer, s.start, "only in A", f"{_show(s)} {details_a[i]}", "—")
        for i, s in enumerate(spans_a)
        if i not in paired_a
    ]
    out += [
        Disagreement(layer, s.start, "only in B", "—", f"{_show(s)} {details_b[j]}")
        for j, s in enumerate(spans_b)
        if j not in paired_b
    ]
    return out


def _event_detail(doc: Document, i: int) -> str:
    e = doc.events[i]
    # Sorted, so that the order an annotator listed the arguments in is no disagreement.
    args = ", ".join(sorted(f"{a.role}={a.text!r}" for a in e.arguments))
    return f"{e.type} {e.polarity}/{e.modality}/{e.tense}/{e.realis} [{args}]"


def _coref_disagreements(doc_a: Document, doc_b: Document) -> list[Disagreement]:
    """Chains of A that B splits or leaves out, and chains of B that join mentions A keeps apart."""
    out = []
    for first, second, side in ((doc_a, doc_b, "A"), (doc_b, doc_a, "B")):
        owner = {(m.start, m.end): c.id for c in second.clusters for m in c.mentions}
        for cluster in first.clusters:
            parts: dict[str, list[str]] = {}
            for m in cluster.mentions:
                parts.setdefault(owner.get((m.start, m.end), "(no chain)"), []).append(m.text)
            if len(parts) > 1 or "(no chain)" in parts:
                split = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(parts.items()))
                start = cluster.mentions[0].start if cluster.mentions else 0
                a, b = (cluster.id, split) if side == "A" else (split, cluster.id)
                out.append(Disagreement("coref", start, f"chain of {side} split by the other", a, b))
    return out


def disagreements(doc_a: Document, doc_b: Document, result: DocumentAgreement | None = None) -> list[Disagreement]:
    """Every disagreement between two annotations of one text, layer by layer, in text order."""
    result = compare(doc_a, doc_b) if result is None else result
    ents_a, ents_b = doc_a.entities, doc_b.entities
    out = _span_disagreements(
        "entities",
        result.entities.spans,
        [e.span for e in ents_a],
        [e.span for e in ents_b],
        [e.label for e in ents_a],
        [e.label for e in ents_b],
    )
    out += _coref_disagreements(doc_a, doc_b)
    quotes = result.quotes[0]
    qa, qb = doc_a.quotes, doc_b.quotes
    # Cluster ids are each annotator's own names, so a speaker is compared by its source span.
    speakers_a = [f"{q.kind}, source {_show(q.source)}, cue {_show(q.cue)}" for q in qa]
    speakers_b = [f"{q.kind}, source {_show(q.source)}, cue {_show(q.cue)}" for q in qb]
    out += _span_disagreements(
        "quotes",
        SpanPairing(quotes.content, quotes.content, quotes.pairs),
        [q.content for q in qa],
        [q.content for q in qb],
        speakers_a,
        speakers_b,
    )
    out += _span_disagreements(
        "events",
        result.events.triggers,
        [e.trigger for e in doc_a.events],
        [e.trigger for e in doc_b.events],
        [_event_detail(doc_a, i) for i in range(len(doc_a.events))],
        [_event_detail(doc_b, i) for i in range(len(doc_b.events))],
    )
    out += _span_disagreements(
        "timexes",
        result.timexes.spans,
        [t.span for t in doc_a.timexes],
        [t.span for t in doc_b.timexes],
        [f"{t.type} {t.value}" for t in doc_a.timexes],
        [f"{t.type} {t.value}" for t in doc_b.timexes],
    )
    order = {"entities": 0, "coref": 1, "quotes": 2, "events": 3, "timexes": 4}
    return sorted(out, key=lambda d: (order[d.layer], d.start))
