"""corpuskit: an annotated teaching corpus and Jupyter course kit for information extraction.

>>> import corpuskit
>>> doc = corpuskit.load("hanoi-summit-2019")
>>> doc.sections[0].text
'Kim, Trump end second summit without deal in Hanoi'

Names are re-exported lazily (PEP 562), so ``corpuskit load --format json`` never imports
the data model it does not use.
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing stays unimported on the `corpuskit load` path
if TYPE_CHECKING:
    from typing import Any

    from corpuskit.annotate import annotate
    from corpuskit.corpus import document_ids, documents, load, load_file
    from corpuskit.errors import CorpuskitError, DocumentNotFoundError, InputError, ValidationError
    from corpuskit.model import Argument, Cluster, Document, Entity, Event, Mention, Quote, Section, Span, Timex

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "load": "corpuskit.corpus",
    "load_file": "corpuskit.corpus",
    "documents": "corpuskit.corpus",
    "document_ids": "corpuskit.corpus",
    "CorpuskitError": "corpuskit.errors",
    "DocumentNotFoundError": "corpuskit.errors",
    "InputError": "corpuskit.errors",
    "ValidationError": "corpuskit.errors",
    "Document": "corpuskit.model",
    "Span": "corpuskit.model",
    "Section": "corpuskit.model",
    "Entity": "corpuskit.model",
    "Mention": "corpuskit.model",
    "Cluster": "corpuskit.model",
    "Quote": "corpuskit.model",
    "Argument": "corpuskit.model",
    "Event": "corpuskit.model",
    "Timex": "corpuskit.model",
    "annotate": "corpuskit.annotate",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'corpuskit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
