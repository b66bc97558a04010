"""Scoring files from the command line: any format corpuskit reads, and the inputs it refuses."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from corpuskit.cli import EXIT_INVALID, EXIT_OK, main
from corpuskit.formats import registry
from corpuskit.formats.native import write_json_document, write_jsonl
from corpuskit.model import Document


def test_gold_against_itself_in_brat_and_conll_scores_perfectly(
    gold: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_json_document(tmp_path / "gold.json", gold)
    (tmp_path / "brat").mkdir()
    registry.write("brat", str(tmp_path / "brat" / "hanoi"), [gold])
    registry.write("conll", str(tmp_path / "pred.conll"), [gold], ["entities"])
    capsys.readouterr()
    for pred in (tmp_path / "brat" / "hanoi.ann", tmp_path / "pred.conll"):
        assert main(["evaluate", str(tmp_path / "gold.json"), str(pred), "--json"]) == EXIT_OK
        strict = json.loads(capsys.readouterr().out)["strict"]
        assert strict["f1"] == 1.0 and strict["correct"] == len(gold.entities), pred


def test_a_prediction_without_the_layer_is_scored_with_a_warning(
    gold: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_json_document(tmp_path / "gold.json", gold)
    write_json_document(tmp_path / "pred.json", dataclasses.replace(gold, events=()))
    assert main(["evaluate", str(tmp_path / "gold.json"), str(tmp_path / "pred.json"), "--layer", "events"]) == 0
    err = capsys.readouterr().err
    assert err == "corpuskit: warning: the predictions have no events: every gold item counts as missed\n"


def test_a_missing_prediction_is_one_line_not_a_traceback(
    gold: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = dataclasses.replace(gold, id="another-article")
    write_json_document(tmp_path / "gold.json", gold)
    write_jsonl(tmp_path / "gold.jsonl", [gold, other])
    write_jsonl(tmp_path / "pred.jsonl", [other, dataclasses.replace(gold, id="third")])
    assert main(["evaluate", str(tmp_path / "gold.jsonl"), str(tmp_path / "pred.jsonl")]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no prediction for document 'hanoi-summit-2019'" in err
    # One document against one: paired whatever their ids, but only on the same text.
    write_json_document(tmp_path / "pred.json", Document("renamed", "Another article altogether.", {"title": "x"}))
    assert main(["evaluate", str(tmp_path / "gold.json"), str(tmp_path / "pred.json")]) == EXIT_INVALID
    assert "is for a different text than the gold" in capsys.readouterr().err


def test_an_unknown_file_kind_is_refused(gold: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_json_document(tmp_path / "gold.json", gold)
    (tmp_path / "pred.txt").write_text("Kim met Trump.")
    assert main(["evaluate", str(tmp_path / "gold.json"), str(tmp_path / "pred.txt")]) == EXIT_INVALID
    assert "cannot tell the format from the name" in capsys.readouterr().err


def test_documents_are_taken_by_id_or_folder(
    gold: Document, gold_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_json_document(tmp_path / "pred.json", dataclasses.replace(gold, entities=gold.entities[:-1]))
    capsys.readouterr()
    for reference in ("hanoi-summit-2019", str(gold_folder)):
        assert main(["evaluate", reference, str(tmp_path / "pred.json"), "--json"]) == EXIT_OK
        strict = json.loads(capsys.readouterr().out)["strict"]
        assert (strict["correct"], strict["missed"]) == (len(gold.entities) - 1, 1), reference
    assert main(["evaluate", "hanoi-summit-2019", "hanoi-summit-2019", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["strict"]["f1"] == 1.0
    assert main(["evaluate", "no-such-document", str(tmp_path / "pred.json")]) == EXIT_INVALID
    assert "cannot tell the format from the name" in capsys.readouterr().err
