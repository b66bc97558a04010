"""Interchange formats, one module per format, each a ``read_x``/``write_x`` pair.

``native`` (JSON, JSONL), ``brat``, ``conll``, ``spacy_doc`` (spaCy ``Doc`` and ``DocBin``),
``labelstudio``, ``doccano``, ``frames`` (pandas, CSV) and ``markup`` (inline entity markup);
``registry`` maps format names to them for the CLI and ``base`` holds what they share
(``LayerNotCarriedWarning``, ``LayerNotCarriedError``). Nothing is imported here, so the CLI
can list the formats without loading spaCy, pandas or even the data model; see
docs/formats.md for what each format can and cannot carry.
"""
