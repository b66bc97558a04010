"""The widget's read-only class mode: a sprint's adjudication view in the notebook.

The passage is shown with each token shaded by how many students marked it and coloured by the
label most of them gave; a click on a disputed site lists the competing readings with their
votes, and accepting one records the decision (:class:`corpuskit.sprint.adjudicate.Adjudication`).
Nobody annotates here: the only actions are selecting a site, accepting a reading, and showing
the majority and the gold beside the readings. As in the annotation widget, the browser side
(``static/classview.js``) only reports clicks; every decision is taken in Python.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from corpuskit.annotate.widget import COLORS, STATIC
from corpuskit.model import Document
from corpuskit.sprint.adjudicate import Adjudication, AdjudicationError
from corpuskit.sprint.collect import Pool
from corpuskit.sprint.measure import gold_spans, measure
from corpuskit.sprint.report import reading_text
from corpuskit.tokens import tokenize


class ClassView(anywidget.AnyWidget):
    """The class's annotations of one passage, for discussion and adjudication."""

    _esm = STATIC / "classview.js"
    _css = STATIC / "classview.css"

    text = traitlets.Unicode("").tag(sync=True)
    offset = traitlets.Int(0).tag(sync=True)
    students = traitlets.Int(0).tag(sync=True)
    colors = traitlets.Dict().tag(sync=True)
    tokens = traitlets.List(traitlets.Dict()).tag(sync=True)
    sites = traitlets.List(traitlets.Dict()).tag(sync=True)
    selected = traitlets.Int(0).tag(sync=True)
    show_gold = traitlets.Bool(False).tag(sync=True)
    gold = traitlets.List(traitlets.Dict()).tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
    version = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        adjudication: Adjudication,
        doc: Document,
        *,
        gold: Document | None = None,
        path: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.adjudication = adjudication
        self.doc = doc
        self.reference = gold
        self.path = None if path is None else Path(path)
        pool = adjudication.pool
        low, high = pool.passage
        labels = sorted({t[2] for s in pool.submissions for t in s.spans})
        super().__init__(
            text=pool.text[low:high],
            offset=low,
            students=len(pool.submissions),
            colors={label: COLORS.get(label, "#dddddd") for label in labels},
            tokens=_token_votes(pool),
            **kwargs,
        )
        self.on_msg(self._on_msg)
        self._publish()

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the adjudicated annotation (native JSON, decisions and votes in its metadata)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("save(path): give a file name, e.g. view.save('adjudicated.json')")
        self.path = target
        return self.adjudication.save(target, self.doc)

    def apply(self, action: Mapping[str, Any]) -> str:
        """Carry out one click from the browser (or a test); returns the note shown."""
        kind = action.get("action")
        note = ""
        try:
            if kind == "select":
                number = int(action["site"])
                self.adjudication.site(number)
                self.selected = number
            elif kind == "accept":
                number, reading = int(action["site"]), int(action["reading"])
                chosen = self.adjudication.accept(number, reading)
                note = f"site {number}: accepted {reading_text(self.doc.text, chosen)}"
                if self.path is not None:
                    note += f"; saved {self.save().name}"
            elif kind == "gold":
                self.show_gold = bool(action.get("show")) and self.reference is not None
            else:
                note = f"unknown action {kind!r}"
        except AdjudicationError as err:
            note = str(err)
        self._publish(note)
        return note

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict):
            self.apply(content)

    def _publish(self, note: str | None = None) -> None:
        adjudication = self.adjudication
        text = adjudication.pool.text
        sites = []
        for number, (site, decision) in enumerate(zip(adjudication.sites, adjudication.decisions, strict=True), 1):
            sites.append(
                {
                    "number": number,
                    "start": site.start,
                    "end": site.end,
                    "split": site.split,
                    "majority": None if site.majority is None else reading_text(text, site.majority),
                    "decided_by": "accepted"
                    if adjudication.accepted[number - 1]
                    else ("majority" if decision is not None else "undecided"),
                    "readings": [
                        {"text": reading_text(text, reading), "votes": count, "chosen": reading == decision}
                        for reading, count in site.readings
                    ],
                }
            )
        gold: list[dict[str, Any]] = []
        if self.show_gold and self.reference is not None:
            gold = [
                {"start": s, "end": e, "label": label, "text": text[s:e]}
                for s, e, label in gold_spans(self.reference, adjudication.pool.passage)
            ]
        with self.hold_sync():
            self.sites = sites
            self.gold = gold
            if note is not None:
                self.note = note
            self.version += 1


def _token_votes(pool: Pool) -> list[dict[str, Any]]:
    """Each token of the passage: how many students marked it, and the label most of them gave."""
    low, high = pool.passage
    out = []
    for start, end in tokenize(pool.text, low, high):
        labels: Counter[str] = Counter(
            next((t[2] for t in sub.spans if t[0] <= start < t[1]), "") for sub in pool.submissions
        )
        labels.pop("", None)
        top = labels.most_common(1)
        out.append(
            {
                "start": start,
                "end": end,
                "count": sum(labels.values()),
                "label": top[0][0] if top else "",
                "labels": dict(labels),
            }
        )
    return out


def class_view(
    pool: Pool,
    doc: Document,
    *,
    gold: Document | None = None,
    path: str | os.PathLike[str] | None = None,
) -> ClassView:
    """The adjudication view of a sprint's pool; with ``path``, each accepted reading saves there.

    ``gold`` (default: none) lets the instructor show the gold beside the readings on demand.

    >>> view = class_view(read_pool("sprint", doc), doc, gold=doc, path="adjudicated.json")  # doctest: +SKIP
    """
    return ClassView(Adjudication(pool, measure(pool)), doc, gold=gold, path=path)
