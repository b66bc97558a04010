"""The visible checks: one friendly line when they fail, a tick that says what was checked, and the
same verdict on types and shapes as the grader, question by question of every lesson spec."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from jupyter_client.manager import KernelManager

from corpuskit.course import answers, check
from corpuskit.course.check import CheckFailed, check_spans, check_table, check_type, correct, passed
from corpuskit.course.kernel import Outcome
from corpuskit.course.key import answer_key
from corpuskit.course.questions import grade_value
from corpuskit.course.spec import Question, lesson_ids, load_spec

REPO = Path(__file__).resolve().parents[1]
GRADING = REPO / "grading"


# --- the helpers --------------------------------------------------------------------------------


def test_the_tick_says_the_shape_was_checked_and_only_correct_says_well_done(
    capsys: pytest.CaptureFixture[str],
) -> None:
    passed()
    correct()
    ticks = capsys.readouterr().out.splitlines()
    assert ticks == ["\u2714 right type and size \u2014 the grader checks the values", "\u2714 Well done!"]


@pytest.mark.parametrize(
    ("value", "declared", "hint"),
    [
        (3.0, "int", "`x` should be an int, not a float."),
        (True, "int", "`x` should be an int, not a bool."),
        ("0.5", "float", "`x` should be a number, not a str."),
        ([1, "a"], "list[int]", "Item 1 of `x` should be an int, not a str."),
        ({"a": 1.5}, "dict[str,int]", "`x`['a'] should be an int, not a float."),
        ([(0, 4.0, "PERSON")], "spans", "Item 0 of `x` should be a (start, end, label) triple"),
        ({"a", "b"}, "list[str]", "`x` cannot be sent to the grader as plain data (TypeError"),
        (float("nan"), "float", "`x` cannot be sent to the grader as plain data (ValueError"),
        ([[1, 2]], "table", "`x` should be a pandas DataFrame."),
    ],
)
def test_a_wrong_type_is_refused_with_the_graders_words(value: Any, declared: str, hint: str) -> None:
    with pytest.raises(CheckFailed) as failure:
        check_type(value, declared, "x")
    assert str(failure.value).startswith(hint)


def test_what_the_grader_accepts_passes() -> None:
    check_type(("Hanoi", "Vietnam"), "list[str]", "gpe_texts")  # a tuple reaches the grader as a list
    check_type(1, "float", "f1")  # an int is a number
    check_type([(0, 3, "PERSON"), [4, 9, "GPE"]], "spans", "spans")
    check_type(pd.DataFrame({"f1": [0.5]}, index=["PERSON"]), "table", "per_label")
    check_type((1, 2), list, "sizes")  # Python types follow the same rules
    check_type(7, (int, str), "either")
    check_type(pd.DataFrame(), pd.DataFrame, "frame")


def test_python_types_follow_the_graders_rule() -> None:
    for value, kind in [(True, int), (2.0, int), ({"a": {1}}, dict), ("s", pd.DataFrame)]:
        with pytest.raises(CheckFailed):
            check_type(value, kind, "x")


def test_spans_and_tables() -> None:
    check_spans([(0, 3, "PERSON")], "Kim met Trump.", "spans", ["PERSON"])
    with pytest.raises(CheckFailed, match="Offsets should be ints"):
        check_spans([(True, 3, "PERSON")], "Kim met Trump.")
    people = pd.DataFrame({"name": [3], "total": [4]}, index=["Donald Trump"])
    check_table(people, "people", ["name", "total"], integer_columns=["total"])
    with pytest.raises(CheckFailed, match="'total' of `people` should hold whole numbers"):
        check_table(people.astype(float), "people", integer_columns=["total"])
    with pytest.raises(CheckFailed, match="needs a column 'pronoun'"):
        check_table(people, "people", ["pronoun"])


def test_a_failed_check_renders_as_one_line() -> None:
    rendered = CheckFailed("Count only the paragraphs.")._render_traceback_()
    assert rendered == ["\x1b[1;31m\u2718\x1b[0m Count only the paragraphs."]


def test_install_does_nothing_outside_ipython() -> None:
    assert check.install(object()) is False


# --- in a kernel, as a student sees it ----------------------------------------------------------


@pytest.fixture(scope="module")
def kernel() -> Iterator[Any]:
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    try:
        run(client, "import pandas as pd\nimport numpy as np\nfrom corpuskit.course.check import *")
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client: Any, code: str) -> list[dict[str, Any]]:
    """Execute ``code`` in the kernel and return its outputs (stream, error) as nbformat would store them."""
    outputs: list[dict[str, Any]] = []

    def keep(message: dict[str, Any]) -> None:
        kind, content = message["header"]["msg_type"], message["content"]
        if kind == "stream":
            outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
        elif kind == "error":
            outputs.append({"output_type": "error", **content})

    client.execute_interactive(code, output_hook=keep, timeout=60)
    return outputs


@pytest.mark.slow
def test_a_failing_check_in_a_kernel_shows_the_hint_and_no_frames(kernel: Any) -> None:
    for code, hint in [
        ("check_type(3.0, 'int', 'n_paragraphs')", "`n_paragraphs` should be an int, not a float."),
        ("assert 24 < 10, \"Count only the sections whose kind is 'paragraph'.\"", "Count only the sections"),
        ("assert 24 < 10", "This check did not pass: assert 24 < 10"),
    ]:
        errors = [o for o in run(kernel, code) if o["output_type"] == "error"]
        assert len(errors) == 1 and len(errors[0]["traceback"]) == 1, errors
        line = errors[0]["traceback"][0]
        assert line.startswith("\x1b[1;31m\u2718\x1b[0m ") and hint in line
        assert "corpuskit" not in line and "Traceback" not in line


@pytest.mark.slow
def test_an_error_in_the_students_own_function_keeps_its_traceback(kernel: Any) -> None:
    errors = [o for o in run(kernel, "def f():\n    assert False, 'mine'\nf()") if o["output_type"] == "error"]
    assert len(errors) == 1 and "Traceback" in "".join(errors[0]["traceback"])
    errors = [o for o in run(kernel, "1 / 0") if o["output_type"] == "error"]
    assert errors[0]["ename"] == "ZeroDivisionError" and len(errors[0]["traceback"]) > 1


# --- the checks and the grader agree on every value question ------------------------------------


def _value_questions() -> list[tuple[str, Question]]:
    return [
        (lesson, q) for lesson in lesson_ids(GRADING) for q in load_spec(GRADING, lesson).questions if q.kind == "value"
    ]


def _literal(value: Any) -> str:
    """Python source for a JSON value (``repr`` is valid source for plain data)."""
    return repr(value)


def _wrong_items(declared: str, value: Any) -> list[tuple[str, str, bool]]:
    """``(what, python source, same value)`` variants of one value of a declared type."""
    spec = declared.replace(" ", "")
    if spec == "int":
        return [
            ("an int", _literal(value), True),
            ("a float", _literal(float(value)), False),
            ("a bool", "True", False),
            ("a str", _literal(str(value)), False),
            ("numpy's int64", f"np.int64({value})", False),
            ("None", "None", False),
        ]
    if spec == "float":
        return [
            ("a float", _literal(value), True),
            ("an int", _literal(round(value)), math.isclose(value, round(value))),
            ("numpy's float64", f"np.float64({value!r})", True),
            ("a percentage string", _literal(f"{value * 100:.0f}%"), False),
            ("a bool", "False", False),
            ("NaN", "float('nan')", False),
        ]
    if spec == "str":
        return [("a str", _literal(value), True), ("an int", "1", False), ("None", "None", False)]
    if spec == "bool":
        return [
            ("a bool", _literal(value), True),
            ("an int", _literal(int(value)), False),
            ("a str", _literal(str(value)), False),
            ("numpy's bool", f"np.bool_({value!r})", False),
        ]
    if spec in ("span", "spans"):
        spec = "list[span]" if spec == "spans" else spec
        if spec == "span":
            start, end, label = value
            return [
                ("a tuple", _literal((start, end, label)), True),
                ("float offsets", _literal([float(start), end, label]), False),
                ("a pair", _literal([start, end]), False),
            ]
    if spec.startswith("list[") and spec.endswith("]"):
        inner = spec[5:-1]
        out = [
            ("a list", _literal(value), True),
            ("a tuple", _literal(tuple(value)), True),
            ("a set", f"set({_literal(value)})", False) if value else ("a str", "'abc'", False),
            ("a dict", "{'a': 1}", False),
        ]
        if inner in ("span",) or inner.startswith("list["):
            out.append(("items as tuples", _literal([tuple(v) for v in value]), True))
        if value:
            for what, item, _same in _wrong_items(inner, value[0])[1:]:
                out.append((f"first item {what}", f"[{item}, *{_literal(value[1:])}]", _same))
        return out
    if spec.startswith("dict[str,") and spec.endswith("]"):
        inner = spec[9:-1]
        out = [
            ("a dict", _literal(value), True),
            ("a list of pairs", _literal(sorted(value.items())), False),
            ("a pandas Series", f"pd.Series({_literal(value)}, dtype=object)", False),
        ]
        if value:
            key = next(iter(value))
            for what, item, _same in _wrong_items(inner, value[key])[1:]:
                out.append((f"value of {key!r} {what}", f"{{**{_literal(value)}, {key!r}: {item}}}", _same))
        return out
    raise AssertionError(f"no variants for the type {declared!r}")


def _table_variants(q: Question, expected: dict[str, dict[str, Any]]) -> list[tuple[str, str, bool]]:
    frame = f"pd.DataFrame.from_dict({_literal(expected)}, orient='index')[{list(q.columns)!r}]"
    integers = _integer_columns(q, expected)
    out = [
        ("a DataFrame", frame, True),
        ("a list of rows", _literal(list(expected.items())), False),
        ("a dict of rows", _literal(expected), False),
    ]
    if integers:
        out.append(("whole-number columns as floats", f"{frame}.astype({{c: float for c in {integers!r}}})", False))
    return out


def _integer_columns(q: Question, expected: dict[str, dict[str, Any]]) -> list[str]:
    return [c for c in q.columns if all(type(row[c]) is int for row in expected.values())]


@pytest.mark.slow
def test_every_value_question_gets_the_same_verdict_from_its_check_and_the_grader(kernel: Any) -> None:
    """Wrong-type variants of each answer (and same-value ones: a tuple for a list, an int for a
    float) go into a kernel; there the visible check for the declared type runs, and the grader's
    snippet pulls the answer out for ``grade_value``. The check refuses exactly what the grader
    marks invalid, and what both accept as the same value earns full marks."""
    questions = _value_questions()
    keys = {lesson: answer_key(load_spec(GRADING, lesson), GRADING) for lesson in {lesson for lesson, _ in questions}}
    disagreements: list[str] = []
    verdicts: dict[str, set[bool]] = {}
    for lesson, q in questions:
        expected = keys[lesson].expected[q.id]
        table = q.type.replace(" ", "") == "table"
        variants = _table_variants(q, expected) if table else _wrong_items(q.type, expected)
        for what, source, same_value in variants:
            run(kernel, f"{q.name} = {source}")
            checked = f"check_type({q.name}, {q.type!r}, {q.name!r})"
            if table:
                checked += (
                    f"\ncheck_table({q.name}, {q.name!r}, {list(q.columns)!r}, {_integer_columns(q, expected)!r})"
                )
            check_refuses = any(o["output_type"] == "error" for o in run(kernel, checked))
            token = answers.new_token()
            pulled = answers.parse_outputs(run(kernel, answers.value_snippet(q.name, token, table=table)), token)
            graded = grade_value(q, pulled, expected, Outcome("ok"))
            grader_refuses = graded.status == "invalid" or "should hold whole numbers" in graded.feedback
            verdicts.setdefault(q.id, set()).add(check_refuses)
            where = f"{lesson} {q.id} ({q.type}) as {what}"
            if check_refuses != grader_refuses:
                disagreements.append(f"{where}: check refuses {check_refuses}, grader: {graded.feedback}")
            elif same_value and not check_refuses and graded.status != "correct":
                disagreements.append(f"{where}: both accept it but the grader gives {graded.feedback}")
    assert not disagreements, "\n".join(disagreements)
    # Every question was tried both ways: some variant is accepted and some refused.
    assert all(seen == {True, False} for seen in verdicts.values()), verdicts
    assert len(verdicts) == len(questions) >= 20


@pytest.mark.slow
def test_the_two_cases_seen_in_class(kernel: Any) -> None:
    """``gpe_texts`` as a tuple passes the check and is graded correct; ``people`` with float counts
    is refused by both."""
    spec = {lesson: load_spec(GRADING, lesson) for lesson in ("01-reading",)}["01-reading"]
    key = answer_key(spec, GRADING)
    gpe, people = (next(q for q in spec.questions if q.name == name) for name in ("gpe_texts", "people"))
    run(kernel, f"gpe_texts = tuple({json.dumps(key.expected[gpe.id])})")
    assert not [
        o for o in run(kernel, "check_type(gpe_texts, 'list[str]', 'gpe_texts')") if o["output_type"] == "error"
    ]
    token = answers.new_token()
    pulled = answers.parse_outputs(run(kernel, answers.value_snippet("gpe_texts", token)), token)
    assert grade_value(gpe, pulled, key.expected[gpe.id], Outcome("ok")).status == "correct"

    rows = key.expected[people.id]
    run(kernel, f"people = pd.DataFrame.from_dict({rows!r}, orient='index').astype(float)")
    refused = run(kernel, f"check_table(people, 'people', {list(people.columns)!r}, {list(people.columns)!r})")
    assert any("whole numbers" in "".join(o.get("traceback", [])) for o in refused)
    pulled = answers.parse_outputs(run(kernel, answers.value_snippet("people", token, table=True)), token)
    graded = grade_value(people, pulled, rows, Outcome("ok"))
    assert graded.points == 0 and "should hold whole numbers (ints)" in graded.feedback
