"""Nothing hidden leaks: text sent into the kernel never comes back in a report, and nothing the
kernel says can forge a line of one.

A hostile submission of the tiny lesson raises, prints and warns with each held-out text of a
private set (and raises exceptions whose class is named after them, in other cases, with
control characters and forged score lines). No 30-character piece of any held-out text may then
appear in the JSON, terminal, Markdown, JUnit or GitHub Classroom output.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuskit.course import Limits, Report, classroom, grade
from corpuskit.course.clean import Redactor, exception_name, one_line
from corpuskit.course.report import CellEvent, QuestionResult

FIXTURES = Path(__file__).parent / "fixtures" / "course"
FAST = Limits(cell_timeout=10, probe_timeout=2, call_timeout=20, answer_timeout=10)
HELD_OUT = {
    "ferry-vote": "Councillor Maria Reyes said on Tuesday that the harbour ferry would keep running through "
    "the winter, after a vote that split the town council seven to six.",
    "quarry-ruling": "Judge Thomas Okafor ruled that the quarry owner had broken the planning rules twice, and "
    "ordered the company to restore the hillside before the end of next year.",
}
FORGED = "\n\x1b[2K\r  q1  1 / 1   correct     Correct.\n## A tiny lesson: 8 / 8\n</failure>\x00\x07"

HOSTILE_FUNCTION = """\
import sys, warnings
SEEN = []

def find_people(text):
    SEEN.append(text)
    print(text)
    print(text, file=sys.stderr)
    warnings.warn(text)
    raise type(text, (Exception,), {})(text.upper() + FORGED)
"""
AFTERWARDS = """\
for text in SEEN:
    print(text)
    warnings.warn(text.swapcase())
raise type(FORGED.replace("\\x00", "") + SEEN[0], (Exception,), {})("\\n".join(SEEN) + FORGED)
"""


def entities(text: str) -> list[dict[str, Any]]:
    names = re.finditer(r"(?:Councillor|Judge) ([A-Z]\w+ [A-Z]\w+)", text)
    return [
        {"id": f"T{i}", "start": m.start(1), "end": m.end(1), "text": m.group(1), "label": "PERSON", "cluster": None}
        for i, m in enumerate(names, 1)
    ]


def private_set(root: Path) -> Path:
    for name, text in HELD_OUT.items():
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "text.txt").write_text(text)
        data = {
            "id": name,
            "metadata": {"title": name, "creation_time": "2024-01-09"},
            "sections": [{"id": "S1", "kind": "paragraph", "start": 0, "end": len(text), "text": text}],
            "entities": entities(text),
            "clusters": [],
            "quotes": [],
            "events": [],
            "timexes": [],
        }
        (folder / "annotations.json").write_text(json.dumps(data))
    return root


def hostile_notebook(path: Path) -> Path:
    nb = json.loads((FIXTURES / "tiny-solution.ipynb").read_text())
    cells = nb["cells"]
    q4 = next(c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "q4")
    q4["source"] = f"FORGED = {FORGED!r}\n" + HOSTILE_FUNCTION
    after = copy.deepcopy(cells[-1])
    after["source"] = AFTERWARDS
    after.get("metadata", {}).pop("nbgrader", None)
    after["id"] = "afterwards"
    cells.append(after)
    path.write_text(json.dumps(nb))
    return path


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    return []


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def assert_no_piece(output: str, where: str) -> None:
    flat = fold(output)
    for text in HELD_OUT.values():
        piece_of = fold(text)
        for i in range(len(piece_of) - 29):
            assert piece_of[i : i + 30] not in flat, f"{where} holds {piece_of[i : i + 30]!r}"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("leaks")
    heldout = private_set(root / "heldout")
    submission = hostile_notebook(root / "tiny.ipynb")
    return grade(submission, grading_dir=FIXTURES / "grading", lesson="tiny", limits=FAST, heldout_dir=heldout)


@pytest.mark.slow
def test_held_out_text_never_comes_back(report: Report) -> None:
    assert report.status == "graded"
    assert {q.id: q.status for q in report.questions}["q4"] == "incorrect"
    assert any(e.kind == "error" for e in report.events), "the cell after the function raised"
    encoded = classroom.encode(report)
    outputs = {
        "JSON": " ".join(strings(json.loads(report.to_json()))),
        "terminal": report.summary(),
        "Markdown": report.to_markdown(),
        "JUnit": " ".join(ET.fromstring(report.to_junit().encode()).itertext()),
        "JUnit attributes": " ".join(
            value for element in ET.fromstring(report.to_junit().encode()).iter() for value in element.attrib.values()
        ),
        "Classroom": " ".join(strings(json.loads(base64.b64decode(encoded)))),
    }
    for where, output in outputs.items():
        assert_no_piece(output, where)


@pytest.mark.slow
def test_the_kernel_cannot_forge_report_lines(report: Report) -> None:
    summary = report.summary().splitlines()
    assert len(summary) == 1 + len(report.questions) + len(report.events) + len(report.warnings)
    markdown = report.to_markdown()
    assert [line for line in markdown.splitlines() if line.startswith("#")] == [markdown.splitlines()[0]]
    assert "\x1b" not in report.to_json() and "\x00" not in report.to_junit()
    ET.fromstring(report.to_junit().encode())  # well-formed XML


@pytest.mark.slow
def test_summary_feedback_keeps_points_only(report: Report) -> None:
    summative = report.with_feedback("summary")
    assert [q.points for q in summative.questions] == [q.points for q in report.questions]
    assert all(q.feedback == "" for q in summative.questions) and summative.events == ()
    assert summative.score == report.score


@pytest.mark.parametrize(
    "name",
    ["Officials in Marlow Bay voted", "x" * 5000, "Value\nError", "\x1b[31mValueError", "valueerror", ""],
)
def test_only_python_exception_names_are_repeated(name: str) -> None:
    assert exception_name(name) == "an exception of its own class"
    assert exception_name("ValueError") == "ValueError"


@pytest.mark.parametrize("noise", ["\n", "\r", "\x1b[2J", "\x1b]0;title\x07", "\x00", "\u2028", "\ud800", "\ufeff"])
def test_one_line_drops_what_forges_lines(noise: str) -> None:
    text = one_line(f"a{noise}b" * 1000, 100)
    assert len(text) <= 100 and text.startswith("a")
    assert all(ch.isprintable() for ch in text)
    text.encode("utf-8")


def letters_and_digits(text: str) -> str:
    return "".join(ch.casefold() for ch in text if ch.isalnum())


def test_the_redactor_finds_pieces_in_any_case_and_spacing_reversed_or_spread_out() -> None:
    redact = Redactor(HELD_OUT.values())
    text = HELD_OUT["ferry-vote"]
    for variant in (
        text,
        text.upper(),
        text.replace(" ", "  \n "),
        f"Error: {text[10:70]} (line 3)",
        "|".join(text[10:70]),
        text[70:10:-1],
        " _ ".join(text[::-1]),
    ):
        kept = letters_and_digits(redact(variant))
        for held in HELD_OUT.values():
            for way in (letters_and_digits(held), letters_and_digits(held)[::-1]):
                assert not any(way[i : i + 20] in kept for i in range(len(way) - 19)), variant
    assert redact("Your function scores F1 0.50.") == "Your function scores F1 0.50."


@pytest.mark.slow
def test_the_command_gives_points_only_with_summary_feedback(capsys: pytest.CaptureFixture[str]) -> None:
    from corpuskit.cli import EXIT_OK, main

    code = main(
        [
            "grade",
            str(FIXTURES / "cell-raises.ipynb"),
            "--lesson",
            "tiny",
            "--grading",
            str(FIXTURES / "grading"),
            "--feedback",
            "summary",
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK and data["events"] == []
    assert all(q["feedback"] == "" for q in data["questions"]) and data["score"] < data["max_score"]


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.text(max_size=50))
def test_no_text_forges_a_line_or_breaks_the_xml(feedback: str, message: str, name: str) -> None:
    question = QuestionResult("q1", "Q1", 0.0, 1.0, "incorrect", feedback)
    event = CellEvent(3, name, "error", message)
    report = Report(name + ".ipynb", "tiny", "Tiny", "graded", (question,), (event,), (message,))
    assert len(report.summary().splitlines()) == 4
    markdown = report.to_markdown().splitlines()
    assert [line for line in markdown if line.startswith("#")] == [markdown[0]]
    assert sum(line.startswith("| ") for line in markdown) == 2  # the header and one question
    ET.fromstring(report.to_junit().encode("utf-8"))
    json.loads(report.to_json())
    classroom.encode(report)
