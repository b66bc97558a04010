"""Baseline extractors: rule pipelines on a blank spaCy English model, and a statistical system.

>>> from corpuskit.extract import extract
>>> doc = extract('"It will take time," Pompeo said on Thursday.', dct="2019-02-28")
>>> doc.quotes[0].kind, doc.timexes[0].value
('direct', '2019-02-28')
"""

from corpuskit.extract.pipeline import SYSTEMS, annotate, build_pipeline, extract, to_data
from corpuskit.extract.statistical import ModelNotInstalledError, available_model
from corpuskit.extract.timexes import find_timexes, normalise

__all__ = [
    "SYSTEMS",
    "ModelNotInstalledError",
    "annotate",
    "available_model",
    "build_pipeline",
    "extract",
    "find_timexes",
    "normalise",
    "to_data",
]
