"""Function questions that train first (``heldout.train``): the grader calls the student's
function once on training documents from the lesson's grading module, then tags each held-out
text with what it returned (a spaCy pipeline, or a function of a text) and scores the spans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corpuskit.course import answers, grade
from corpuskit.course.grade import Limits, Outcome
from corpuskit.course.key import Heldout, answer_key
from corpuskit.course.questions import grade_function
from corpuskit.course.spec import parse_spec

SPEC: dict[str, Any] = {
    "lesson": "trains",
    "title": "Trains",
    "notebook": "trains.ipynb",
    "questions": [
        {
            "id": "q1",
            "kind": "function",
            "name": "train_ner",
            "points": 2,
            "partial": "proportional",
            "heldout": {"documents": "*", "labels": ["PERSON"], "train": "training_documents"},
        }
    ],
}
MODULE = """
def training_documents(doc):
    return [["Ana Lind met Bo Berg.", [[0, 8, "PERSON"], [13, 20, "PERSON"]]]]
"""
TRAIN = [["Ana Lind met Bo Berg.", [[0, 8, "PERSON"], [13, 20, "PERSON"]]]]
HELDOUT = Heldout(("Bo Berg left.", "Nobody came."), (((0, 7, "PERSON"),), ()), train=TRAIN)

# Learns every name it was shown and finds it again: right on the held-out texts above.
MEMORISES = """
def train_ner(docs):
    names = {text[s:e]: label for text, spans in docs for s, e, label in spans}
    return lambda text: [(text.find(n), text.find(n) + len(n), l) for n, l in names.items() if n in text]
"""
# Ignores the documents it is given.
IGNORES = "def train_ner(docs):\n    return lambda text: []\n"
RAISES = "def train_ner(docs):\n    raise ValueError('no')\n"
# Returns what a spaCy pipeline returns: an object whose ``ents`` are spans with offsets and labels.
PIPELINE = """
class Span:
    def __init__(self, s, e, label):
        self.start_char, self.end_char, self.label_ = s, e, label

class Doc:
    def __init__(self, text):
        self.ents = [Span(0, 7, "PERSON")] if text.startswith("Bo Berg") else []

def train_ner(docs):
    assert docs == [["Ana Lind met Bo Berg.", [[0, 8, "PERSON"], [13, 20, "PERSON"]]]]
    return Doc
"""


def run_in_process(student: str) -> answers.Pulled:
    namespace: dict[str, Any] = {}
    exec(student, namespace)
    printed: list[str] = []
    namespace["print"] = lambda text, flush=False: printed.append(text)
    exec(answers.train_snippet("train_ner", "tok", TRAIN, HELDOUT.texts), namespace)
    return answers.parse_outputs([{"output_type": "stream", "name": "stdout", "text": printed[0]}], "tok")


def question() -> Any:
    return parse_spec(SPEC).questions[0]


def test_spec_reads_the_training_function() -> None:
    assert question().heldout.train == "training_documents"
    plain = json.loads(json.dumps(SPEC))
    del plain["questions"][0]["heldout"]["train"]
    assert parse_spec(plain).questions[0].heldout.train == ""


@pytest.mark.parametrize(("student", "points"), [(MEMORISES, 2.0), (PIPELINE, 2.0), (IGNORES, 0.0)])
def test_what_training_returns_tags_the_held_out_texts(student: str, points: float) -> None:
    assert grade_function(question(), run_in_process(student), HELDOUT, Outcome("ok")).points == points


def test_training_that_raises_fails_every_text_and_names_nothing_of_the_exception() -> None:
    # Held-out texts are in the kernel when the trainer runs, so the feedback counts the failures and
    # names neither the exception nor its message.
    result = grade_function(question(), run_in_process(RAISES), HELDOUT, Outcome("ok"))
    assert result.points == 0
    assert "On 2 held-out texts" in result.feedback and "failed on 2 of the 2" in result.feedback
    assert "ValueError" not in result.feedback and "no'" not in result.feedback


def _grading(tmp_path: Path) -> Path:
    lessons = tmp_path / "grading" / "lessons"
    lessons.mkdir(parents=True)
    (lessons / "trains.json").write_text(json.dumps(SPEC))
    (lessons / "trains.py").write_text(MODULE)
    doc = tmp_path / "grading" / "heldout" / "bo"
    doc.mkdir(parents=True)
    (doc / "text.txt").write_text("Bo Berg left.")
    entity = {"id": "T1", "start": 0, "end": 7, "text": "Bo Berg", "label": "PERSON"}
    (doc / "annotations.json").write_text(json.dumps({"id": "bo", "metadata": {"title": "bo"}, "entities": [entity]}))
    return tmp_path / "grading"


def test_the_key_holds_the_training_documents_from_the_grading_module(tmp_path: Path) -> None:
    spec = parse_spec(SPEC, _grading(tmp_path) / "lessons" / "trains.json")
    assert answer_key(spec, tmp_path / "grading").heldout["q1"].train == TRAIN


@pytest.mark.slow
def test_grading_a_notebook_with_a_training_question(tmp_path: Path) -> None:
    import nbformat

    grading = _grading(tmp_path)
    for name, student, expected in (("memorises", MEMORISES, 2.0), ("ignores", IGNORES, 0.0)):
        nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
        cell = nbformat.v4.new_code_cell(student)  # type: ignore[no-untyped-call]
        cell.metadata["nbgrader"] = {
            "grade": False,
            "grade_id": "q1",
            "locked": False,
            "schema_version": 3,
            "solution": True,
        }
        nb.cells.append(cell)
        nb.metadata["corpuskit"] = {"lesson": "trains", "variant": "solutions"}
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps(dict(nb)))
        report = grade(path, grading_dir=grading, limits=Limits(cell_timeout=30, call_timeout=30), sandbox="off")
        assert report.score == expected, report.summary()
