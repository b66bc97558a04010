"""Lesson 6's real-agreement questions rest on two things outside the lesson: the gold as it was
before adjudication, rebuilt from the record's corrections table, and the causes in the record's
adjudication table. These tests check both against the files that state them."""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path
from typing import Any

import corpuskit
from corpuskit.evaluate.agreement import compare
from corpuskit.evaluate.agreement_report import format_agreement

ROOT = Path(__file__).resolve().parents[1]
DOC = "hanoi-summit-2019"


def grading_module() -> Any:
    loader = importlib.util.spec_from_file_location(
        "lesson6_grading", ROOT / "grading" / "lessons" / "06-evaluation.py"
    )
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


def before_adjudication_section() -> str:
    datasheet = (ROOT / "corpus" / "DATASHEET.md").read_text(encoding="utf-8")
    return datasheet.split("### Agreement before adjudication", 1)[1].split("### The disagreements", 1)[0]


def test_the_rebuilt_gold_gives_the_datasheets_agreement_before_adjudication() -> None:
    lesson = grading_module()
    gold = corpuskit.load(DOC)
    printed = format_agreement(compare(lesson._before_adjudication(gold), lesson._real_b(gold)), markdown=True)
    section = before_adjudication_section()
    # Entity token rows are left out: the tokenizer changed after the datasheet's table was made,
    # which moves the token count but no span, event or time expression.
    rows = [
        line
        for line in printed.splitlines()
        if line.startswith(("| entities | spans", "| entities | label", "| events", "| timexes"))
    ]
    assert len(rows) == 16
    missing = [row for row in rows if row not in section]
    assert not missing, f"rows the datasheet's table before adjudication does not have: {missing}"


def test_the_rebuilt_gold_has_the_records_twelve_disagreements_with_annotator_b() -> None:
    lesson = grading_module()
    gold = corpuskit.load(DOC)
    found = lesson.real_disagreements(gold)
    assert sum(map(len, found.values())) == 12  # ADJUDICATION.md, section 7: twelve disagreements
    after = compare(gold, lesson._real_b(gold))
    assert after.events.arguments.correct == 118 and after.entities.labelled.correct == 101


def test_every_numbered_row_of_the_adjudication_table_has_one_of_the_three_causes() -> None:
    lesson = grading_module()
    table = lesson._adjudication_table(corpuskit.load(DOC))
    assert sorted(table) == list(range(1, 13))
    causes = [next(c for w, c in lesson.CAUSES.items() if row["cause"].startswith(w)) for row in table.values()]
    # The datasheet's table by cause: six gold errors, four guideline gaps, two genuine ambiguities.
    assert {c: causes.count(c) for c in set(causes)} == {"gold error": 6, "guideline gap": 4, "genuine ambiguity": 2}
    assert set(lesson.CASES.values()) <= set(table)


def test_the_lessons_cases_and_correction_data_are_the_grading_modules() -> None:
    lesson = grading_module()
    notebook = json.loads((ROOT / "notebooks" / "06-evaluation.ipynb").read_text(encoding="utf-8"))
    cells = {cell.get("id"): "".join(cell["source"]) for cell in notebook["cells"]}
    namespace: dict[str, Any] = {}
    exec(cells["cases"], namespace)
    assert namespace["CASES"] == list(lesson.CASES)
    assert namespace["CAUSES"] == list(dict.fromkeys(lesson.CAUSES.values()))
    data = cells["l06-31"].split("BEFORE_ADJUDICATION = ", 1)[1].split("\n}\n", 1)[0] + "\n}"
    before = ast.literal_eval(data)
    assert before["entities"] == lesson.REMOVED_ENTITIES
    assert before["status"] == lesson.EARLIER_STATUS
    assert before["arguments"] == lesson.EARLIER_ARGUMENTS
    assert before["values"] == lesson.EARLIER_VALUES
