"""Error tables, confusion table, text and JSON reports, and the evaluate command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpuskit.cli import main
from corpuskit.evaluate import confusion_table, error_table, format_result, score_spans, to_data
from corpuskit.model import Document, Entity

TEXT = "Kim met Trump in Hanoi on Wednesday."
GOLD = [(0, 3, "PERSON"), (8, 13, "PERSON"), (17, 22, "GPE"), (26, 35, "DATE")]
PRED = [(0, 3, "ORG"), (8, 16, "PERSON"), (17, 22, "GPE"), (29, 31, "ORG")]


def test_error_table_names_each_kind() -> None:
    pytest.importorskip("pandas")
    frame = error_table([[*GOLD, (40, 41, "X")]], [PRED], [TEXT + " ....."])
    assert list(frame["kind"]) == ["label", "boundary", "label+boundary", "missed"]
    assert list(frame["pred_text"][:2]) == ["Kim", "Trump in"]


def test_confusion_table_counts_overlapping_pairs() -> None:
    pytest.importorskip("pandas")
    table = confusion_table([GOLD], [[*PRED, (36, 37, "GPE")]])
    assert table.loc["PERSON", "ORG"] == 1 and table.loc["PERSON", "PERSON"] == 1
    assert table.loc["DATE", "ORG"] == 1
    assert table.loc["(none)", "GPE"] == 1
    assert int(table.to_numpy().sum()) == 5


def test_json_carries_counts_and_scores_per_schema() -> None:
    data = to_data(score_spans(GOLD, PRED))
    assert data["strict"]["correct"] == 1 and data["strict"]["incorrect"] == 3
    assert data["partial"]["partial"] == 2 and data["partial"]["precision"] == pytest.approx(3 / 4)
    assert {"correct", "incorrect", "partial", "missed", "spurious", "precision", "recall", "f1"} <= set(data["type"])


def test_text_report_is_aligned() -> None:
    lines = format_result(score_spans(GOLD, PRED)).splitlines()
    assert lines[0].split()[:3] == ["schema", "correct", "incorrect"]
    assert len({len(line) for line in lines[:5]}) == 1


def write(path: Path, entities: list[tuple[int, int, str]]) -> None:
    doc = Document(
        "d",
        TEXT,
        {"title": "t", "creation_time": "2019-02-27"},
        entities=tuple(Entity(str(i), s, e, TEXT[s:e], lab) for i, (s, e, lab) in enumerate(entities)),
    )
    path.write_text(json.dumps(doc.to_dict()), encoding="utf-8")


def test_evaluate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "gold.json", GOLD)
    write(tmp_path / "pred.json", PRED)
    assert main(["evaluate", str(tmp_path / "gold.json"), str(tmp_path / "pred.json"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["strict"]["correct"] == 1
    assert data["exact"]["correct"] == 2
    assert main(["evaluate", str(tmp_path / "gold.json"), str(tmp_path / "pred.json")]) == 0
    assert "strict" in capsys.readouterr().out
