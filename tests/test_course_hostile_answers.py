"""Every submission gets a report: no value a kernel can send makes the grader raise.

The kernel's answer arrives as one line of text after the answer marker. These tests send hostile
lines (integers beyond float range, 5,000-digit integers, JSON nested 100,000 deep, NaN and
Infinity, giant strings, lone surrogates, tables of the wrong shape, values of every wrong type)
through the answer parser and each kind of question, then render the report every way.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuskit.course import answers, classroom
from corpuskit.course.kernel import Outcome
from corpuskit.course.key import Calls, Heldout
from corpuskit.course.questions import grade_calls, grade_function, grade_value
from corpuskit.course.report import QuestionResult, Report
from corpuskit.course.spec import Calls as CallsSpec
from corpuskit.course.spec import Heldout as HeldoutSpec
from corpuskit.course.spec import Question

TOKEN = "0123456789abcdef"
TEXT = 'Ms. Reyes met Tom Ward in Leeds on Monday. "We will appeal," she said.'
HELDOUT = Heldout((TEXT,), (((0, 9, "PERSON"), (14, 22, "PERSON")),), ((frozenset({"reyes"}),),))
QUOTES = Heldout((TEXT,), (((43, 60, "direct"),),), ((frozenset({"she", "ms. reyes"}),),))
CALLS_ARGS = ([[1, 2]], [[3, 4]])

# Raw JSON texts no plain answer may be, as a hostile kernel can print them.
HOSTILE_VALUES = [
    str(10**400),
    "9" * 5000,
    "-" + "9" * 5000,
    "1e400",
    "NaN",
    "Infinity",
    "-Infinity",
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 100_000 + "1" + "}" * 100_000,
    "[" * 65 + "]" * 65,
    json.dumps(2**53 + 1),
]
WRONG_TABLES = [
    {"columns": "abc", "index": [1], "data": [[1]]},
    {"columns": ["a"], "index": 5, "data": [[1]]},
    {"columns": ["a"], "index": ["x"], "data": [1]},
    {"columns": ["a", "b"], "index": ["x"], "data": [[1]]},
    {"columns": ["a"], "index": ["x", "y"], "data": [[1]]},
    {"columns": [["a"]], "index": ["x"], "data": [[1]]},
    {"columns": ["a"], "index": [{"k": 1}], "data": [[1]]},
]


def value_question(compare: str, type_: str = "any", **extra: Any) -> Question:
    return Question(
        "q",
        "Q",
        "q",
        2.0,
        "value",
        "answer",
        type_,
        compare=compare,
        partial="proportional",
        tolerance=0.01,
        **extra,
    )


VALUE_QUESTIONS = [
    (value_question("exact"), 3),
    (value_question("exact", "int"), 3),
    (value_question("close"), 0.5),
    (value_question("close", "float"), 0.5),
    (value_question("set"), ["a", "b"]),
    (value_question("set", "list[str]"), ["a", "b"]),
    (value_question("mapping"), {"a": 1, "b": 2.5}),
    (value_question("mapping", "dict[str,float]"), {"a": 1, "b": 2.5}),
    (value_question("table", "any", columns=("n",)), {"x": {"n": 1}}),
    (value_question("table", "table", columns=("n",)), {"x": {"n": 1}}),
    (value_question("set", "spans"), [[0, 3, "PERSON"]]),
]
FUNCTION = Question(
    "f", "F", "f", 4.0, "function", "find", "spans", partial="proportional", heldout=HeldoutSpec(("*",), "entities")
)
QUOTE_FUNCTION = Question(
    "g", "G", "g", 3.0, "function", "quotes", "spans", partial="proportional", heldout=HeldoutSpec(("*",), "quotes")
)
ATTRIBUTION_FUNCTION = Question(
    "h",
    "H",
    "h",
    3.0,
    "function",
    "attribute",
    "spans",
    partial="proportional",
    heldout=HeldoutSpec(("*",), "attributions"),
)
CALLS_QUESTIONS = [
    (
        Question(
            "c",
            "C",
            "c",
            3.0,
            "function",
            "fn",
            "any",
            partial="proportional",
            columns=("n",),
            calls=CallsSpec("i", "r", type_, compare),
        ),
        Calls(CALLS_ARGS, (expected, expected)),
    )
    for type_, compare, expected in (
        ("any", "exact", 3),
        ("int", "close", 3),
        ("any", "mapping", {"a": 1}),
        ("any", "set", ["a"]),
        ("any", "table", {"x": {"n": 1}}),
    )
]


def printed(record: str) -> list[dict[str, Any]]:
    return [{"output_type": "stream", "name": "stdout", "text": f"{answers.MARKER} {TOKEN} {record}\n"}]


def every_grading(raw: str) -> list[QuestionResult]:
    """``raw`` as the value of every value question, the result of every function and every call."""
    results = []
    for q, expected in VALUE_QUESTIONS:
        pulled = answers.parse_outputs(printed(f'{{"status": "ok", "type": "x", "value": {raw}}}'), TOKEN)
        results.append(grade_value(q, pulled, expected, Outcome("ok")))
    function_record = f'{{"status": "ok", "results": [{{"ok": true, "value": {raw}}}]}}'
    for q, heldout in ((FUNCTION, HELDOUT), (QUOTE_FUNCTION, QUOTES), (ATTRIBUTION_FUNCTION, QUOTES)):
        pulled = answers.parse_outputs(printed(function_record), TOKEN)
        results.append(grade_function(q, pulled, heldout, Outcome("ok")))
        # The same value in place of the whole list of results, and as a spans list.
        pulled = answers.parse_outputs(printed(f'{{"status": "ok", "results": {raw}}}'), TOKEN)
        results.append(grade_function(q, pulled, heldout, Outcome("ok")))
        spans_record = f'{{"status": "ok", "results": [{{"ok": true, "value": [[0, 3, {raw}], {raw}]}}]}}'
        results.append(grade_function(q, answers.parse_outputs(printed(spans_record), TOKEN), heldout, Outcome("ok")))
    for q, calls in CALLS_QUESTIONS:
        calls_record = (
            f'{{"status": "ok", "results": [{{"ok": true, "value": {raw}}}, {{"ok": false, "error": {raw}}}]}}'
        )
        results.append(grade_calls(q, answers.parse_outputs(printed(calls_record), TOKEN), calls, Outcome("ok")))
    return results


def render_everything(results: list[QuestionResult]) -> None:
    """The report, with one good question beside the hostile ones, rendered in every format."""
    good = QuestionResult("good", "Good", 1.0, 1.0, "correct", "Correct.")
    report = Report("s.ipynb", "lesson", "Lesson", "graded", (good, *results))
    assert report.questions[0].status == "correct"
    json.loads(report.to_json())
    ET.fromstring(report.to_junit().encode("utf-8"))
    report.to_markdown().encode("utf-8")
    report.summary().encode("utf-8")
    classroom.encode(report)
    assert math.isfinite(report.score) and 1.0 <= report.score <= report.max_score


def test_hostile_values_are_refused_and_the_rest_is_graded() -> None:
    for raw in HOSTILE_VALUES:
        pulled = answers.parse_outputs(printed(f'{{"status": "ok", "value": {raw}}}'), TOKEN)
        assert pulled.status == "unserialisable", raw[:40]
        results = every_grading(raw)
        assert all(r.status in ("invalid", "error", "incorrect") and r.points == 0 for r in results), raw[:40]
        assert {r.status for r in results[: len(VALUE_QUESTIONS)]} == {"invalid"}
        render_everything(results)


def test_tables_of_the_wrong_shape_are_invalid() -> None:
    for table in WRONG_TABLES:
        assert answers.type_problem(table, "table") is not None
        for q, expected in VALUE_QUESTIONS:
            if q.compare == "table":
                pulled = answers.Pulled("ok", table)
                result = grade_value(q, pulled, expected, Outcome("ok"))
                assert result.points == 0 and result.status in ("invalid", "incorrect"), table
        render_everything(every_grading(json.dumps(table)))


def test_a_giant_string_is_graded_without_being_repeated() -> None:
    raw = json.dumps("\ud800\x1b[2J\n## 9 / 9\n" + "x" * 1_000_000)
    results = every_grading(raw)
    assert all(len(r.feedback) <= 1200 and "\n" not in r.feedback for r in results)
    render_everything(results)


def test_an_answer_over_the_size_limit_is_refused_unread() -> None:
    raw = json.dumps("x" * (answers.MAX_ANSWER_CHARS + 1))
    pulled = answers.parse_outputs(printed(f'{{"status": "ok", "value": {raw}}}'), TOKEN)
    assert pulled.status == "unserialisable" and "characters" in pulled.reason


def worst_case_lines() -> dict[str, str]:
    """Forged answer lines of the size cap, each built to make some check on an answer slow."""
    size = answers.MAX_ANSWER_CHARS - 100

    def record(value: str) -> str:
        return f'{{"status": "ok", "type": "list", "value": {value}}}'

    def repeat(unit: str, head: str = "", tail: str = "") -> str:
        return head + unit * ((size - len(head) - len(tail)) // len(unit)) + tail

    return {
        # A quote then escaped quotes: a per-quote rescan of the rest of the line is quadratic.
        "escaped-quotes": repeat('\\"', '"'),
        "escaped-quotes-in-a-record": record(repeat('\\"', '"', '"')),
        "quotes": repeat('"'),
        "backslash-at-the-end": repeat("a\\", '"'),
        "brackets": record(repeat("[],", "[", "[]]")),
        "nesting-at-the-limit": record(repeat("[" * 60 + "1" + "]" * 60 + ",", "[", "1]")),
        "nesting-over-the-limit": repeat("["),
        "small-integers": record(repeat("1,", "[", "1]")),
        "floats": record(repeat("1.5e300,", "[", "1]")),
        "one-long-integer": record(repeat("1")),
        "one-long-float": record(repeat("1", "0.")),
        "unicode-escapes": record(repeat("\\u00e9", '"', '"')),
        "spans": record(repeat('[1,2,"X"],', "[", '[1,2,"X"]]')),
        "keys": record(repeat('"k":1,', "{", '"k":1}')),
    }


def test_worst_case_answer_lines_of_the_cap_s_size_parse_in_linear_time() -> None:
    import time

    for name, raw in worst_case_lines().items():
        assert len(raw) <= answers.MAX_ANSWER_CHARS, name
        started = time.process_time()
        pulled = answers.parse_outputs(printed(raw), TOKEN)
        if pulled.status == "ok":
            answers.type_problem(pulled.value, "spans")
        elapsed = time.process_time() - started
        # Linear checks take well under a second of CPU here; the quadratic scan took minutes on these
        # lines. CPU time, not wall-clock time, so a loaded machine does not fail the test.
        assert elapsed < 3, f"{name}: {elapsed:.1f} s of CPU"


def test_malformed_records_are_refused() -> None:
    for record in ("", "{", "[]", '{"status": "forged"}', '{"status": 5}', "null", '"ok"', "{" * 100_000):
        assert answers.parse_outputs(printed(record), TOKEN).status == "unserialisable"
    odd = answers.parse_outputs(printed('{"status": "missing", "type": [1], "error": {"x": 1}}'), TOKEN)
    assert (odd.status, odd.type_name, odd.error) == ("missing", "", "")


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=5), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_VALUES)
def test_any_plain_value_gets_a_report(value: Any) -> None:
    results = every_grading(json.dumps(value))
    for r in results:
        assert 0 <= r.points <= r.max_points and math.isfinite(r.points)
        assert r.status in ("correct", "partial", "incorrect", "invalid", "error", "missing")
    render_everything(results)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_after_the_marker_gets_a_report(text: str) -> None:
    pulled = answers.parse_outputs(printed(text), TOKEN)
    assert pulled.status in ("ok", "missing", "unserialisable")
    for q, expected in VALUE_QUESTIONS:
        assert grade_value(q, pulled, expected, Outcome("ok")).points <= q.points


SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 30)).map(lambda t: (t[0], t[0] + t[1], "x")), max_size=8)


def pairs(gold: list[tuple[int, int, str]], pred: list[tuple[int, int, str]], overlap: float, within: float) -> int:
    from corpuskit.course.score import score_quotes

    speakers = [[frozenset[str]() for _ in gold]]
    return score_quotes([gold], speakers, [pred], overlap, within).matched


@settings(max_examples=200, deadline=None)
@given(SPANS, SPANS, st.sampled_from([0.0, 0.3, 0.8]), st.sampled_from([0.0, 0.5, 0.8]))
def test_every_quote_pair_covers_the_gold_and_lies_inside_it(
    gold: list[tuple[int, int, str]], pred: list[tuple[int, int, str]], overlap: float, within: float
) -> None:
    from corpuskit.evaluate.layers import coverage, match_quotes
    from corpuskit.model import Quote, Span

    def quotes(items: list[tuple[int, int, str]]) -> list[Quote]:
        return [Quote(str(i), Span(s, e, ""), None, None, None, "direct") for i, (s, e, _) in enumerate(items)]

    found = match_quotes(quotes(gold), quotes(pred), overlap, within)
    assert len({g for g, _ in found}) == len({p for _, p in found}) == len(found)
    for g, p in found:
        gold_span, pred_span = Span(gold[g][0], gold[g][1], ""), Span(pred[p][0], pred[p][1], "")
        assert coverage(gold_span, pred_span) > overlap
        assert coverage(pred_span, gold_span) >= within
    assert pairs(gold, pred, overlap, within) == len(found)


def test_a_prediction_mostly_outside_the_gold_quote_finds_nothing() -> None:
    gold = [(100, 140, "direct")]
    assert pairs(gold, [(0, 400, "x")], 0.3, 0.8) == 0  # the paragraph around it
    assert pairs(gold, [(98, 141, "x")], 0.3, 0.8) == 1  # the quote with its marks
    assert pairs(gold, [(0, 400, "x")], 0.3, 0.0) == 1  # gold coverage alone, as the GGT measures
