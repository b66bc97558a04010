"""Annotate in the notebook: ``corpuskit.annotate(doc, passage="S2")`` shows a span-annotation widget.

The pure-Python state (:mod:`corpuskit.annotate.model`) loads eagerly; the widget, and with it
anywidget and traitlets, loads only when first used.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from corpuskit.annotate.model import (
    SPEAKER,
    Agreement,
    AnnotationState,
    Change,
    Comparison,
    LabelScore,
    Mark,
    Snap,
    agreement,
    layer_marks,
    score,
    snap,
    tokens,
)

if TYPE_CHECKING:
    from corpuskit.annotate.widget import AnnotationWidget, annotate

_LAZY = {"annotate": "corpuskit.annotate.widget", "AnnotationWidget": "corpuskit.annotate.widget"}

__all__ = [
    "SPEAKER",
    "Agreement",
    "AnnotationState",
    "AnnotationWidget",
    "Change",
    "Comparison",
    "LabelScore",
    "Mark",
    "Snap",
    "agreement",
    "annotate",
    "layer_marks",
    "score",
    "snap",
    "tokens",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'corpuskit.annotate' has no attribute {name!r}")


class _CallableModule(ModuleType):
    # Importing this package sets ``corpuskit.annotate`` to the package itself, hiding the
    # function of the same name; calling the package keeps ``corpuskit.annotate(doc)`` working.
    def __call__(self, *args: Any, **kwargs: Any) -> AnnotationWidget:
        function = import_module("corpuskit.annotate.widget").annotate
        widget: AnnotationWidget = function(*args, **kwargs)
        return widget


sys.modules[__name__].__class__ = _CallableModule
