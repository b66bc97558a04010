"""The span-annotation widget for JupyterLab: an anywidget over :class:`AnnotationState`.

The browser side (``static/annotate.js``) only shows the state and reports what the student
did (``{"action": "add", "start": ..., "end": ..., "label": ...}`` and the like) as custom
messages; :meth:`AnnotationWidget.apply` hands each to the model and publishes the result
through the synced traitlets. No decision is taken in JavaScript.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from corpuskit.annotate.model import SPEAKER, STATE_KEY, AnnotationState, Change, Passage, default_keys, passage_of
from corpuskit.model import Document, Entity, Quote, Section

STATIC = Path(__file__).parent / "static"
# Set to 0/off/false/no by an instructor to hide live agreement with gold (e.g. in a test).
FEEDBACK_VARIABLE = "CORPUSKIT_FEEDBACK"

# displaCy's entity colours, so highlights look like what students see in lesson 3.
COLORS: dict[str, str] = {
    "PERSON": "#aa9cfc",
    "NORP": "#c887fb",
    "FAC": "#9cc9cc",
    "ORG": "#7aecec",
    "GPE": "#feca74",
    "LOC": "#ff9561",
    "PRODUCT": "#bfeeb7",
    "EVENT": "#ffeb80",
    "WORK_OF_ART": "#f0d0ff",
    "LAW": "#ff8197",
    "LANGUAGE": "#ff8197",
    "DATE": "#bfe1d9",
    "TIME": "#bfe1d9",
    "PERCENT": "#e4e7d2",
    "MONEY": "#e4e7d2",
    "QUANTITY": "#e4e7d2",
    "ORDINAL": "#e4e7d2",
    "CARDINAL": "#e4e7d2",
    "direct": "#ffeb80",
    "indirect": "#bfe1d9",
    "mixed": "#f0d0ff",
    SPEAKER: "#aa9cfc",
}


def feedback_default() -> bool:
    """Live feedback is on unless ``CORPUSKIT_FEEDBACK`` switches it off."""
    return os.environ.get(FEEDBACK_VARIABLE, "1").strip().lower() not in {"0", "off", "false", "no"}


class AnnotationWidget(anywidget.AnyWidget):
    """Select text with the mouse, press a label key; spans live in :attr:`annotations`."""

    _esm = STATIC / "annotate.js"
    _css = STATIC / "annotate.css"

    # The passage shown and where it starts in the document; marks use document offsets.
    text = traitlets.Unicode("").tag(sync=True)
    offset = traitlets.Int(0).tag(sync=True)
    layer = traitlets.Unicode("entities").tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    shortcuts = traitlets.Dict().tag(sync=True)
    colors = traitlets.Dict().tag(sync=True)
    marks = traitlets.List(traitlets.Dict()).tag(sync=True)
    focused = traitlets.Unicode("").tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
    can_undo = traitlets.Bool(False).tag(sync=True)
    can_redo = traitlets.Bool(False).tag(sync=True)
    # Live agreement: off means gold never reaches the browser.
    feedback = traitlets.Bool(True).tag(sync=True)
    has_gold = traitlets.Bool(False).tag(sync=True)
    agreement = traitlets.Dict().tag(sync=True)
    gold = traitlets.List(traitlets.Dict()).tag(sync=True)
    view = traitlets.Unicode("annotate").tag(sync=True)
    # Counts every change the kernel has applied, so a test can wait for one.
    version = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        state: AnnotationState,
        *,
        keys: Mapping[str, str] | None = None,
        feedback: bool | None = None,
        path: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.state = state
        self.path = None if path is None else Path(path)
        chosen = default_keys(state.choices)
        chosen.update({label: key.lower() for label, key in (keys or {}).items() if label in state.choices})
        super().__init__(
            text=state.passage_text,
            offset=state.passage[0],
            layer=state.layer,
            labels=list(state.choices),
            shortcuts=chosen,
            colors={k: COLORS[k] for k in state.choices},
            feedback=feedback_default() if feedback is None else feedback,
            has_gold=state.gold is not None,
            **kwargs,
        )
        self.on_msg(self._on_msg)
        self.observe(self._on_feedback, names="feedback")
        self._publish()

    # -- the Python API -----------------------------------------------------------------------

    @property
    def annotations(self) -> tuple[Entity, ...] | tuple[Quote, ...]:
        """The student's spans as corpuskit ``Entity`` (or ``Quote``) items, offsets on the real text."""
        return self.state.annotations

    def to_document(self) -> Document:
        return self.state.to_document()

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the annotation as native JSON, atomically; returns the path written."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("save(path): give a file name, e.g. w.save('my_entities.json')")
        self.state.save(target)
        self.path = target
        return target

    def load(self, path: str | os.PathLike[str]) -> None:
        """Restore the spans saved in a native JSON file (undoable)."""
        from corpuskit.formats.native import read_json_document

        self.state.restore(read_json_document(path))
        self._publish(Change(True, f"loaded {os.fspath(path)}"))

    def apply(self, action: Mapping[str, Any]) -> Change:
        """Carry out one action from the browser (or a test) and publish the new state."""
        kind = action.get("action")
        state = self.state
        if kind == "add":
            change = state.add(int(action["start"]), int(action["end"]), str(action["label"]))
        elif kind == "relabel":
            change = state.relabel(str(action["id"]), str(action["label"]))
        elif kind == "delete":
            change = state.delete(str(action["id"]))
        elif kind == "focus":
            change = state.set_focus(action.get("id") or None)
        elif kind == "undo":
            change = state.undo()
        elif kind == "redo":
            change = state.redo()
        elif kind == "clear":
            change = state.clear()
        elif kind == "view" and action.get("view") in ("annotate", "compare"):
            self.view = str(action["view"])
            change = Change(True)
        else:
            change = Change(False, f"unknown action {kind!r}")
        self._publish(change)
        if change.ok and self.path is not None and kind not in ("focus", "view"):
            self.save()
        return change

    # -- plumbing ---------------------------------------------------------------------------

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict):
            self.apply(content)

    def _on_feedback(self, _change: Any) -> None:
        self._publish()

    def _publish(self, change: Change | None = None) -> None:
        state = self.state
        agreement = state.agreement() if self.feedback else None
        yours = dict.fromkeys((m.id for m in state.marks), "")
        gold: list[dict[str, Any]] = []
        if agreement is not None:
            yours.update({m.id: status for m, status in agreement.comparison.yours})
            gold = [{**m.to_dict(state.text), "status": status} for m, status in agreement.comparison.gold]
        with self.hold_sync():
            self.marks = [{**m.to_dict(state.text), "status": yours[m.id]} for m in state.marks]
            self.focused = state.focus or ""
            self.can_undo, self.can_redo = state.can_undo, state.can_redo
            self.agreement = agreement.to_dict() if agreement is not None else {}
            self.gold = gold
            if change is not None:
                self.note = change.note
            self.version += 1


def annotate(
    doc_or_text: Document | str | os.PathLike[str],
    layer: str | None = None,
    labels: Iterable[str] | None = None,
    *,
    passage: str | Passage | Section | None = None,
    keys: Mapping[str, str] | None = None,
    feedback: bool | None = None,
    gold: Document | None = None,
    path: str | os.PathLike[str] | None = None,
) -> AnnotationWidget:
    """A widget to annotate ``layer`` (default ``"entities"``) of a document or a text with the mouse.

    ``passage`` is a section id (``"S4"``), a ``Section`` or ``(start, end)``; ``labels`` a
    subset of the layer's labels; ``keys`` overrides label shortcuts (``{"PERSON": "p"}``).
    Live agreement compares with ``gold`` (default: the document itself) unless ``feedback``
    is False or ``CORPUSKIT_FEEDBACK=0``. With ``path`` the work is saved there after every
    change, and a file already there is loaded first, so re-running the cell keeps the work.
    A saved file (a ``Path``, or the ``Document`` read from it) reopens with its layer, labels,
    passage and spans, against the corpus document of the same id as gold.

    >>> w = annotate(corpuskit.load("hanoi-summit-2019"), passage="S2", labels=["PERSON", "GPE"])  # doctest: +SKIP
    """
    if isinstance(doc_or_text, os.PathLike):
        from corpuskit.formats.native import read_json_document

        path = doc_or_text if path is None else path
        doc_or_text = read_json_document(doc_or_text)
    saved = None
    if isinstance(doc_or_text, Document) and STATE_KEY in doc_or_text.metadata:
        # The student's own file: its set-up is trusted here (it is theirs), never by a grader.
        saved = doc_or_text
        setup = saved.metadata[STATE_KEY]
        layer = layer or setup.get("layer")
        labels = labels if labels is not None else setup.get("labels")
        if passage is None and setup.get("passage"):
            passage = (int(setup["passage"][0]), int(setup["passage"][1]))
        gold = gold if gold is not None else _corpus_gold(saved)
        meta = {k: v for k, v in saved.metadata.items() if k != STATE_KEY}
        doc_or_text = Document(saved.id, saved.text, meta)
    layer = layer or "entities"
    if isinstance(doc_or_text, Document):
        doc: Document | None = doc_or_text
        text = doc_or_text.text
    elif isinstance(doc_or_text, str):
        doc, text = None, doc_or_text
    else:
        raise TypeError(f"annotate() needs a corpuskit Document or a str, not {type(doc_or_text).__name__}")
    window = passage_of(doc, passage) if doc is not None else (None if passage is None else _pair(passage))
    reference = gold if gold is not None else doc
    if reference is not None and not reference.layer(layer):
        reference = None  # no gold for this layer yet: agreement would only say "0 of 0"
    base = None if doc is None else Document(doc.id, doc.text, doc.metadata)
    state = AnnotationState(text, layer, labels, window, gold=reference, doc=base)
    if saved is not None:
        state.restore(saved, undoable=False)
    elif path is not None and Path(path).is_file():
        from corpuskit.formats.native import read_json_document

        state.restore(read_json_document(path), undoable=False)
    return AnnotationWidget(state, keys=keys, feedback=feedback, path=path)


def _corpus_gold(saved: Document) -> Document | None:
    """The corpus document a saved annotation was made on, if it is in the corpus path."""
    from corpuskit.corpus import load
    from corpuskit.errors import CorpuskitError

    try:
        found = load(saved.id)
    except CorpuskitError:
        return None
    return found if found.text == saved.text else None


def _pair(passage: object) -> Passage:
    if isinstance(passage, tuple | list) and len(passage) == 2:
        return (int(passage[0]), int(passage[1]))
    raise ValueError(f"a passage of a plain text is (start, end), not {passage!r}")
