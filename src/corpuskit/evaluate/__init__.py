"""Evaluation and agreement: span matching, layer metrics, agreement, uncertainty."""

from corpuskit.evaluate.agreement import (
    Agreement,
    DocumentAgreement,
    KappaResult,
    agreement,
    cohen_kappa,
    compare,
    kappa_from_table,
    token_kappa,
)
from corpuskit.evaluate.bootstrap import BootstrapResult, bootstrap, bootstrap_entities, sentence_counts
from corpuskit.evaluate.coref import CorefResult, CorefScore, b_cubed, evaluate_coref, muc
from corpuskit.evaluate.counts import Accuracy, Counts
from corpuskit.evaluate.errors import confusion_table, error_table
from corpuskit.evaluate.layers import (
    EventResult,
    QuoteResult,
    QuotesResult,
    TimexResult,
    evaluate_entities,
    evaluate_events,
    evaluate_quotes,
    evaluate_timexes,
)
from corpuskit.evaluate.report import format_result, to_data, to_json
from corpuskit.evaluate.run import EVALUATE_LAYERS, evaluate_documents, evaluate_files
from corpuskit.evaluate.spans import SCHEMAS, Match, SchemaResult, SpanResult, evaluate_spans, score_spans
from corpuskit.tokens import sentences, tokenize

__all__ = [
    "EVALUATE_LAYERS",
    "SCHEMAS",
    "Accuracy",
    "Agreement",
    "BootstrapResult",
    "CorefResult",
    "CorefScore",
    "Counts",
    "DocumentAgreement",
    "EventResult",
    "KappaResult",
    "Match",
    "QuoteResult",
    "QuotesResult",
    "SchemaResult",
    "SpanResult",
    "TimexResult",
    "agreement",
    "b_cubed",
    "bootstrap",
    "bootstrap_entities",
    "cohen_kappa",
    "compare",
    "confusion_table",
    "error_table",
    "evaluate_coref",
    "evaluate_documents",
    "evaluate_entities",
    "evaluate_events",
    "evaluate_files",
    "evaluate_quotes",
    "evaluate_spans",
    "evaluate_timexes",
    "format_result",
    "kappa_from_table",
    "muc",
    "score_spans",
    "sentence_counts",
    "sentences",
    "to_data",
    "to_json",
    "token_kappa",
    "tokenize",
]
