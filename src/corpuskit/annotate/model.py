"""The annotation state behind the notebook widget, in plain Python (no widget, no traitlets).

Everything the widget decides happens here, so it is testable without a browser: turning a
mouse selection into a span snapped to token boundaries, adding, relabelling, deleting and
undoing, linking a quote's content to its speaker mention, converting to and from corpuskit
documents and native JSON, and agreement with gold.

Offsets are document offsets everywhere (0-based, half-open ``[start, end)`` into the whole
text), also when the widget shows only a passage.

>>> state = AnnotationState("Kim Jong Un met Trump.", labels=("PERSON", "GPE"))
>>> state.add(1, 10, "PERSON").note
"snapped 'im Jong U' to token boundaries: 'Kim Jong Un'"
>>> [(e.start, e.end, e.text, e.label) for e in state.annotations]
[(0, 11, 'Kim Jong Un', 'PERSON')]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from corpuskit.errors import InputError
from corpuskit.evaluate import score_spans
from corpuskit.evaluate.counts import Counts
from corpuskit.model import ENTITY_LABELS, QUOTE_KINDS, Document, Entity, Quote, Section, Span
from corpuskit.tokens import tokenize

# The label that marks a quote's speaker mention in the quotes layer.
SPEAKER = "SPEAKER"
LAYER_LABELS: dict[str, tuple[str, ...]] = {"entities": ENTITY_LABELS, "quotes": QUOTE_KINDS}
# Keys the widget keeps for itself: z undo, y redo (Ctrl+Z / Ctrl+Y also work).
RESERVED_KEYS = frozenset("zy")
# The metadata key under which a saved file remembers how the widget was set up.
STATE_KEY = "annotate"

Passage = tuple[int, int]


def tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of the tokens of ``text[start:end]``, in document offsets
    (corpuskit's one tokenizer, ``corpuskit.tokens``, whose rules evaluation and CoNLL share).

    >>> tokens("U.S. President")
    [(0, 4), (5, 14)]
    """
    return tokenize(text, start, end)


@dataclass(frozen=True, slots=True)
class Snap:
    """A selection snapped to token boundaries; ``note`` says what changed ("" if nothing)."""

    start: int
    end: int
    note: str = ""

    @property
    def empty(self) -> bool:
        return self.start >= self.end


def snap(text: str, start: int, end: int, passage: Passage | None = None) -> Snap:
    """Grow a selection to whole tokens and drop the space around it.

    A selection that cuts a word (``'im Jong U'``) grows to the tokens it touches (``'Kim Jong
    Un'``); one holding only spaces is empty. Offsets are clipped to the passage first.

    >>> snap("Kim Jong Un met", 1, 10)
    Snap(start=0, end=11, note="snapped 'im Jong U' to token boundaries: 'Kim Jong Un'")
    """
    low, high = passage if passage is not None else (0, len(text))
    start, end = max(low, min(start, end)), min(high, max(start, end))
    touched = [t for t in tokens(text, low, high) if t[0] < end and start < t[1]]
    if not touched:
        return Snap(start, start, "the selection holds no words: nothing was annotated")
    new_start, new_end = touched[0][0], touched[-1][1]
    if (new_start, new_end) == (start, end):
        return Snap(start, end)
    if start <= new_start and new_end <= end:
        return Snap(new_start, new_end)  # only spaces dropped: nothing worth a note
    before, after = text[start:end], text[new_start:new_end]
    return Snap(new_start, new_end, f"snapped {before!r} to token boundaries: {after!r}")


@dataclass(frozen=True, slots=True)
class Mark:
    """One highlighted span in the widget.

    In the quotes layer a quote's content carries its kind as ``label`` and the id of its
    speaker mention (a mark labelled ``SPEAKER``) as ``link``.
    """

    id: str
    start: int
    end: int
    label: str
    link: str | None = None

    def to_dict(self, text: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "text": text[self.start : self.end],
            "label": self.label,
            "link": self.link,
        }


@dataclass(frozen=True, slots=True)
class Change:
    """What one action did: ``ok`` is False when it was refused; ``note`` is shown to the student."""

    ok: bool
    note: str = ""
    mark: Mark | None = None


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Agreement on one label: counts and pairwise F1 (exact boundaries and label)."""

    label: str
    gold: int
    yours: int
    correct: int

    @property
    def counts(self) -> Counts:
        """The same numbers as evaluation counts, where precision and recall are defined once."""
        return Counts(correct=self.correct, missed=self.gold - self.correct, spurious=self.yours - self.correct)

    @property
    def precision(self) -> float:
        return self.counts.precision

    @property
    def recall(self) -> float:
        return self.counts.recall

    @property
    def f1(self) -> float:
        # Pairwise F1 between two annotators; two empty annotations of a label agree completely.
        return self.counts.f1 if self.gold or self.yours else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "gold": self.gold,
            "yours": self.yours,
            "correct": self.correct,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """Gold and the student's spans of one passage, each with how it matched the other side.

    Statuses: ``match``; ``label`` (same boundaries, other label); ``boundary`` (overlapping,
    other boundaries); ``missed`` (gold only); ``extra`` (student only).
    """

    gold: tuple[tuple[Mark, str], ...]
    yours: tuple[tuple[Mark, str], ...]


@dataclass(frozen=True, slots=True)
class Agreement:
    """Pairwise F1 per label between the student's spans and gold in one passage."""

    by_label: tuple[LabelScore, ...]
    total: LabelScore
    comparison: Comparison = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"by_label": [s.to_dict() for s in self.by_label], "total": self.total.to_dict()}


def layer_marks(doc: Document, layer: str, passage: Passage | None = None) -> tuple[Mark, ...]:
    """The spans of one layer of ``doc`` as marks (the way the widget holds them).

    With ``passage``, only what lies wholly inside it. Quotes give a content mark labelled
    with the quote's kind, linked to a ``SPEAKER`` mark for its source.
    """
    low, high = passage if passage is not None else (0, len(doc.text))
    inside = _inside(low, high)
    if layer == "entities":
        return tuple(Mark(e.id, e.start, e.end, e.label) for e in doc.entities if inside(e.start, e.end))
    if layer != "quotes":
        raise ValueError(_unknown_layer(layer))
    marks: list[Mark] = []
    sources: dict[tuple[int, int], str] = {}
    for quote in doc.quotes:
        content = quote.content
        if not inside(content.start, content.end):
            continue
        link = None
        source = quote.source
        if source is not None and inside(source.start, source.end):
            key = (source.start, source.end)
            if key not in sources:
                sources[key] = f"{quote.id}-source"
                marks.append(Mark(sources[key], source.start, source.end, SPEAKER))
            link = sources[key]
        marks.append(Mark(quote.id, content.start, content.end, quote.kind, link))
    return tuple(sorted(marks, key=_order))


def agreement(gold: Iterable[Mark], yours: Iterable[Mark], labels: Iterable[str] | None = None) -> Agreement:
    """Pairwise F1 per label (exact boundaries and label) and a side-by-side comparison.

    >>> a = agreement([Mark("g", 0, 3, "PERSON")], [Mark("y", 0, 3, "PERSON"), Mark("z", 4, 7, "GPE")])
    >>> round(a.total.f1, 3), [(s.label, s.f1) for s in a.by_label]
    (0.667, [('GPE', 0.0), ('PERSON', 1.0)])
    """
    gold_marks, your_marks = sorted(gold, key=_order), sorted(yours, key=_order)
    result = score_spans([_triple(m) for m in gold_marks], [_triple(m) for m in your_marks])
    gold_status = ["missed"] * len(gold_marks)
    your_status = ["extra"] * len(your_marks)
    for match in result.strict.matches:
        if match.gold is None or match.pred is None:
            continue
        g, y = gold_marks[match.gold], your_marks[match.pred]
        if match.outcome == "correct":
            status = "match"
        elif (g.start, g.end) == (y.start, y.end):
            status = "label"
        else:
            status = "boundary"
        gold_status[match.gold] = your_status[match.pred] = status
    shown = set(labels or ()) | set(result.strict.by_label)
    scores = []
    for label in sorted(shown):
        counts = result.strict.by_label.get(label)
        n_gold = sum(m.label == label for m in gold_marks)
        n_yours = sum(m.label == label for m in your_marks)
        if n_gold or n_yours:
            scores.append(LabelScore(label, n_gold, n_yours, counts.correct if counts else 0))
    total = LabelScore("all", len(gold_marks), len(your_marks), result.strict.total.correct)
    comparison = Comparison(
        tuple(zip(gold_marks, gold_status, strict=True)), tuple(zip(your_marks, your_status, strict=True))
    )
    return Agreement(tuple(scores), total, comparison)


def score(
    saved: Document,
    gold: Document,
    layer: str = "entities",
    passage: Passage | None = None,
    labels: Iterable[str] | None = None,
) -> Agreement:
    """Agreement of a student's saved annotation with gold, for a grader.

    The grader names the layer, passage and labels itself: the setup remembered in the saved
    file's metadata comes from the student's machine and is not trusted for grading.

    >>> gold = corpuskit.load("hanoi-summit-2019")  # doctest: +SKIP
    >>> score(read_json_document("lesson2.json"), gold, passage=(51, 237)).total.f1  # doctest: +SKIP
    """
    if saved.text != gold.text:
        raise InputError(saved.id, "was saved for another text than the gold document")
    offered = set(labels if labels is not None else (*LAYER_LABELS[layer], SPEAKER))
    gold_marks = [m for m in layer_marks(gold, layer, passage) if m.label in offered]
    your_marks = [m for m in layer_marks(saved, layer, passage) if m.label in offered]
    return agreement(gold_marks, your_marks, offered)


def default_keys(labels: Sequence[str]) -> dict[str, str]:
    """One keyboard key per label: the first free letter of the label, else a free digit or letter.

    >>> default_keys(["PERSON", "GPE", "PRODUCT"])
    {'PERSON': 'p', 'GPE': 'g', 'PRODUCT': 'r'}
    """
    taken = set(RESERVED_KEYS)
    keys: dict[str, str] = {}
    spare = "123456789" + "abcdefghijklmnopqrstuvwx"
    for label in labels:
        letters = [c for c in label.lower() if c.isalnum()]
        key = next((c for c in [*letters, *spare] if c not in taken), "")
        if key:
            taken.add(key)
            keys[label] = key
    return keys


class AnnotationState:
    """The student's spans for one layer of one text (or one passage of it), with undo.

    ``labels`` is the label set offered (default: the layer's full set, e.g. the 18 OntoNotes
    labels); ``passage`` limits annotation to ``(start, end)``; ``gold`` is the document whose
    layer live agreement compares against (``None``: no agreement).
    """

    def __init__(
        self,
        text: str,
        layer: str = "entities",
        labels: Iterable[str] | None = None,
        passage: Passage | None = None,
        gold: Document | None = None,
        doc: Document | None = None,
    ) -> None:
        if layer not in LAYER_LABELS:
            raise ValueError(_unknown_layer(layer))
        self.text = text
        self.layer = layer
        self.labels: tuple[str, ...] = tuple(labels) if labels is not None else LAYER_LABELS[layer]
        unknown = [label for label in self.labels if label not in LAYER_LABELS[layer]]
        if unknown or not self.labels:
            allowed = ", ".join(LAYER_LABELS[layer])
            raise ValueError(f"labels {unknown or '()'} are not in the {layer} label set: {allowed}")
        low, high = passage if passage is not None else (0, len(text))
        if not 0 <= low < high <= len(text):
            raise ValueError(f"passage ({low}, {high}) is not inside the text (0, {len(text)})")
        self.passage: Passage = (low, high)
        self.gold = gold
        # The document the saved file is built on: id and metadata (never its gold layers).
        self.doc = doc
        self._marks: tuple[Mark, ...] = ()
        self.focus: str | None = None
        self._undo: list[tuple[tuple[Mark, ...], str | None]] = []
        self._redo: list[tuple[tuple[Mark, ...], str | None]] = []
        self._next_id = 1

    # -- reading -------------------------------------------------------------------------

    @property
    def marks(self) -> tuple[Mark, ...]:
        """The current marks, in text order."""
        return self._marks

    @property
    def choices(self) -> tuple[str, ...]:
        """What a selection can be labelled with: the labels, plus ``SPEAKER`` for quotes."""
        return (*self.labels, SPEAKER) if self.layer == "quotes" else self.labels

    @property
    def passage_text(self) -> str:
        return self.text[self.passage[0] : self.passage[1]]

    @property
    def annotations(self) -> tuple[Entity, ...] | tuple[Quote, ...]:
        """The student's spans as corpuskit items (``Entity`` or ``Quote``), ids in text order."""
        if self.layer == "entities":
            return tuple(
                Entity(f"T{n}", m.start, m.end, self.text[m.start : m.end], m.label)
                for n, m in enumerate(self._marks, start=1)
            )
        by_id = {m.id: m for m in self._marks}
        quotes = []
        contents = [m for m in self._marks if m.label != SPEAKER]
        for n, m in enumerate(contents, start=1):
            source = by_id.get(m.link) if m.link else None
            quotes.append(Quote(f"Q{n}", self._span(m), None, self._span(source) if source else None, None, m.label))  # type: ignore[arg-type]
        return tuple(quotes)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def mark(self, mark_id: str) -> Mark | None:
        return next((m for m in self._marks if m.id == mark_id), None)

    def agreement(self) -> Agreement | None:
        """Agreement with gold on the passage shown, or ``None`` without gold."""
        if self.gold is None:
            return None
        # Only the labels offered count: a student given PERSON and GPE cannot miss a DATE.
        gold = [m for m in layer_marks(self.gold, self.layer, self.passage) if m.label in self.choices]
        return agreement(gold, self._marks, self.choices)

    # -- changing ------------------------------------------------------------------------

    def add(self, start: int, end: int, label: str) -> Change:
        """Label a selection (document offsets), snapped to token boundaries.

        A span overlapping others replaces them; the same span again is relabelled. In the
        quotes layer a ``SPEAKER`` span becomes the source of the focused quote (the one
        just added or clicked).
        """
        if label not in self.choices:
            return Change(False, f"{label!r} is not one of the labels: {', '.join(self.choices)}")
        snapped = snap(self.text, start, end, self.passage)
        if snapped.empty:
            return Change(False, snapped.note)
        same = next((m for m in self._marks if (m.start, m.end) == (snapped.start, snapped.end)), None)
        if same is not None and label != SPEAKER and same.label != SPEAKER:
            if same.label == label:
                self.focus = same.id
                return Change(False, _join(snapped.note, f"{self._quote(same)} is already {label}"), same)
            change = self.relabel(same.id, label)
            return Change(change.ok, _join(snapped.note, change.note), change.mark)
        target = None
        if label == SPEAKER:
            target = self.mark(self.focus) if self.focus else None
            if target is None or target.label == SPEAKER:
                return Change(False, "select the quote's content and label it first, then its speaker")
        if same is not None and same.label == SPEAKER and label == SPEAKER:
            assert target is not None
            self._push()
            self._replace({target.id: replace(target, link=same.id)})
            return Change(True, _join(snapped.note, f"linked {self._quote(same)} as the speaker"), same)
        overlapped = [m for m in self._marks if m.start < snapped.end and snapped.start < m.end]
        if target is not None and target in overlapped:
            return Change(False, "a speaker mention cannot overlap the quote it speaks")
        self._push()
        new = Mark(self._new_id(), snapped.start, snapped.end, label)
        notes = [snapped.note]
        if overlapped:
            notes.append("replaced " + ", ".join(f"{self._quote(m)} ({m.label})" for m in overlapped))
        self._remove({m.id for m in overlapped})
        self._marks = tuple(sorted((*self._marks, new), key=_order))
        if target is not None:
            self._replace({target.id: replace(target, link=new.id)})
            notes.append(f"linked {self._quote(new)} as the speaker")
        else:
            self.focus = new.id
        return Change(True, _join(*notes), new)

    def relabel(self, mark_id: str, label: str) -> Change:
        """Give a span another label (a quote's kind; a speaker mention stays a speaker)."""
        old = self.mark(mark_id)
        if old is None:
            return Change(False, f"no span {mark_id!r}")
        if label not in self.labels or old.label == SPEAKER:
            return Change(False, f"{self._quote(old)} cannot be labelled {label}")
        if old.label == label:
            return Change(False, "", old)
        self._push()
        new = replace(old, label=label)
        self._replace({old.id: new})
        self.focus = old.id
        return Change(True, f"{self._quote(old)}: {old.label} -> {label}", new)

    def delete(self, mark_id: str) -> Change:
        """Remove a span; removing a quote also removes its speaker mention if nothing else uses it."""
        old = self.mark(mark_id)
        if old is None:
            return Change(False, f"no span {mark_id!r}")
        self._push()
        self._remove({old.id})
        if old.link is not None and not any(m.link == old.link for m in self._marks):
            self._remove({old.link})
        self._replace({m.id: replace(m, link=None) for m in self._marks if m.link == old.id})
        return Change(True, f"deleted {self._quote(old)} ({old.label})", old)

    def set_focus(self, mark_id: str | None) -> Change:
        """Make a span the focused one (the quote a speaker selection links to)."""
        if mark_id is not None and self.mark(mark_id) is None:
            return Change(False, f"no span {mark_id!r}")
        self.focus = mark_id
        return Change(True)

    def undo(self) -> Change:
        if not self._undo:
            return Change(False, "nothing to undo")
        self._redo.append((self._marks, self.focus))
        self._marks, self.focus = self._undo.pop()
        return Change(True, "undone")

    def redo(self) -> Change:
        if not self._redo:
            return Change(False, "nothing to redo")
        self._undo.append((self._marks, self.focus))
        self._marks, self.focus = self._redo.pop()
        return Change(True, "redone")

    def clear(self) -> Change:
        """Remove every span (undoable)."""
        if not self._marks:
            return Change(False)
        self._push()
        self._marks, self.focus = (), None
        return Change(True, "cleared")

    # -- documents and files ----------------------------------------------------------------

    def to_document(self) -> Document:
        """The student's annotation as a corpuskit document holding only this layer.

        Its metadata remembers the layer, labels and passage, so loading it restores the widget.
        """
        base_meta = dict(self.doc.metadata) if self.doc is not None else {"title": "annotation"}
        meta = {
            **base_meta,
            STATE_KEY: {"layer": self.layer, "labels": list(self.labels), "passage": list(self.passage)},
        }
        meta.setdefault("annotator", os.environ.get("USER", "student") or "student")
        doc_id = self.doc.id if self.doc is not None else "annotation"
        annotations = self.annotations
        if self.layer == "entities":
            return Document(doc_id, self.text, meta, entities=annotations)  # type: ignore[arg-type]
        return Document(doc_id, self.text, meta, quotes=annotations)  # type: ignore[arg-type]

    def to_json(self) -> str:
        """The native corpuskit JSON of :meth:`to_document`."""
        from corpuskit.formats.native import dumps

        return dumps(self.to_document()) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the native JSON atomically (no half-written file even if the kernel dies)."""
        from corpuskit.fileio import write_text_atomic

        write_text_atomic(path, self.to_json())

    def restore(self, saved: Document, *, undoable: bool = True) -> None:
        """Replace the spans with those of a saved document; the text must match."""
        if saved.text != self.text:
            raise InputError(saved.id, "was saved for another text; it cannot be restored here")
        marks = layer_marks(saved, self.layer, self.passage)
        if undoable:
            self._push()
        # Fresh ids: saved ids (T1, Q1, Q1-source) may clash with ones this state hands out.
        fresh = {m.id: self._new_id() for m in marks}
        self._marks = tuple(replace(m, id=fresh[m.id], link=fresh.get(m.link) if m.link else None) for m in marks)
        self.focus = None

    @classmethod
    def from_document(cls, saved: Document, gold: Document | None = None) -> AnnotationState:
        """The state a saved file describes: its text, layer, labels, passage and spans."""
        setup = saved.metadata.get(STATE_KEY, {})
        layer = setup.get("layer", "quotes" if saved.quotes and not saved.entities else "entities")
        passage = setup.get("passage")
        state = cls(
            saved.text,
            layer,
            setup.get("labels"),
            (int(passage[0]), int(passage[1])) if passage else None,
            gold=gold,
            doc=saved,
        )
        state.restore(saved, undoable=False)
        return state

    # -- internals --------------------------------------------------------------------------

    def _push(self) -> None:
        self._undo.append((self._marks, self.focus))
        self._redo.clear()

    def _new_id(self) -> str:
        mark_id = f"m{self._next_id}"
        self._next_id += 1
        return mark_id

    def _remove(self, ids: set[str]) -> None:
        if ids:
            self._marks = tuple(m for m in self._marks if m.id not in ids)
            if self.focus in ids:
                self.focus = None

    def _replace(self, new: Mapping[str, Mark]) -> None:
        if new:
            self._marks = tuple(new.get(m.id, m) for m in self._marks)

    def _span(self, mark: Mark) -> Span:
        return Span(mark.start, mark.end, self.text[mark.start : mark.end])

    def _quote(self, mark: Mark) -> str:
        words = self.text[mark.start : mark.end]
        return repr(words if len(words) <= 40 else words[:37] + "...")


def passage_of(doc: Document, passage: str | Passage | Section | None) -> Passage | None:
    """A passage given as a section id (``"S2"``), a ``Section`` or ``(start, end)``."""
    if passage is None:
        return None
    if isinstance(passage, Section):
        return (passage.start, passage.end)
    if isinstance(passage, str):
        for section in doc.sections:
            if section.id == passage:
                return (section.start, section.end)
        known = ", ".join(s.id for s in doc.sections) or "none"
        raise ValueError(f"no section {passage!r} in {doc.id!r} (sections: {known})")
    low, high = passage
    return (int(low), int(high))


def _triple(mark: Mark) -> tuple[int, int, str]:
    return (mark.start, mark.end, mark.label)


def _order(mark: Mark) -> tuple[int, int, str]:
    return (mark.start, mark.end, mark.id)


def _inside(low: int, high: int) -> Any:
    return lambda start, end: low <= start and end <= high


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _unknown_layer(layer: str) -> str:
    return f"the widget annotates these layers: {', '.join(LAYER_LABELS)} (not {layer!r})"
