"""Every check the grader makes in its own process on what a kernel printed takes time linear in
its length: no deadline interrupts the grader's own work, so a check that is quadratic on some
input (the nesting scan once was, on escaped quotes) would let one answer line hold it for hours.

Hypothesis builds adversarial lines (a head, a unit repeated, a tail, from the characters JSON
and escapes are made of) and each check is timed on the line and on the line with ten times the
repeats: the time may grow at most twentyfold (plus a few milliseconds for timer noise).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuskit.course import answers
from corpuskit.course.clean import one_line
from corpuskit.course.kernel import _message_bytes

pytestmark = pytest.mark.slow

TOKEN = "0123456789abcdef"
PIECES = st.text(alphabet='[]{}",:\\u0123456789eE.-+ aZ\x1b\n\t\u2028', min_size=1, max_size=12)
SMALL = 20_000  # characters of the smaller line
NOISE = 0.005  # seconds


def record(head: str, unit: str, tail: str, size: int) -> str:
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


def seconds(check: Callable[[str], Any], line: str) -> float:
    """The CPU time the check takes (on a loaded machine, wall-clock time mostly measures the others)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        check(line)
        best = min(best, time.process_time() - started)
    return best


def assert_linear(check: Callable[[str], Any], head: str, unit: str, tail: str) -> None:
    small = seconds(check, record(head, unit, tail, SMALL))
    large = seconds(check, record(head, unit, tail, 10 * SMALL))
    assert large <= 20 * small + NOISE, f"{head!r} + {unit!r} * n + {tail!r}: {small:.4f} s, then {large:.4f} s"


def parse(line: str) -> None:
    """The whole path of an answer line: the marker, the nesting scan, the parse, the plain-data and type checks."""
    pulled = answers.parse_outputs([{"output_type": "stream", "name": "stdout", "text": line}], TOKEN)
    if pulled.status == "ok":
        answers.type_problem(pulled.value, "list[spans]")
        answers.type_problem(pulled.value, "dict[str,list[str]]")


def as_answer(line: str) -> str:
    return f"{answers.MARKER} {TOKEN} {line}"


LINEAR = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@LINEAR
@given(PIECES, PIECES, PIECES)
def test_reading_an_answer_line_is_linear(head: str, unit: str, tail: str) -> None:
    assert_linear(lambda line: parse(as_answer(line)), head, unit, tail)


@LINEAR
@given(PIECES, PIECES, PIECES)
def test_reading_an_answer_record_is_linear(head: str, unit: str, tail: str) -> None:
    # Inside a well-formed record, so the parse gets past the record's own checks.
    assert_linear(lambda line: parse(as_answer('{"status": "ok", "value": ' + line + "}")), head, unit, tail)


@LINEAR
@given(PIECES, PIECES, PIECES)
def test_the_nesting_scan_is_linear(head: str, unit: str, tail: str) -> None:
    assert_linear(lambda line: answers._depth_over(line, answers.MAX_DEPTH), head, unit, tail)


@LINEAR
@given(PIECES, PIECES, PIECES)
def test_flattening_kernel_text_for_a_report_is_linear(head: str, unit: str, tail: str) -> None:
    assert_linear(lambda line: one_line(line, 10 * SMALL), head, unit, tail)


@LINEAR
@given(PIECES, PIECES, PIECES)
def test_weighing_a_kernel_message_is_linear(head: str, unit: str, tail: str) -> None:
    # A message's content as the client decoded it: the line, and the line split into a list.
    assert_linear(lambda line: _message_bytes({"content": {"data": line, "parts": list(line)}}), head, unit, tail)
