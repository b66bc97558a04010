"""Every time a report carries is whole seconds: the run time of a student's functions on the
held-out texts is a channel out of them, and whole seconds narrow it."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from corpuskit.course.gradescope import results
from corpuskit.course.report import CellEvent, QuestionResult, Report

TIME_KEYS = ("seconds", "time", "execution_time")


def _report(seconds: float) -> Report:
    questions = (
        QuestionResult("q1", "Q1", 1.0, 1.0, "correct", "Correct."),
        QuestionResult("q2", "Q2", 0.5, 2.0, "partial", "Not right yet."),
    )
    events = (CellEvent(3, "q2", "error", "NameError"),)
    return Report("alice.ipynb", "tiny", "A tiny lesson", "graded", questions, events, seconds=seconds)


def _times(data: Any) -> list[Any]:
    """Every value under a time key, at any depth of JSON data."""
    if isinstance(data, dict):
        here = [value for key, value in data.items() if key in TIME_KEYS]
        return here + [t for value in data.values() for t in _times(value)]
    if isinstance(data, list):
        return [t for value in data for t in _times(value)]
    return []


@pytest.mark.parametrize("seconds", [0.0, 0.49, 0.5, 2.5, 12.4, 12.6, 1199.999, math.nan, math.inf])
def test_every_time_in_every_rendering_is_whole_seconds(seconds: float) -> None:
    report = _report(seconds)
    rendered = [json.loads(report.to_json()), results(report), report.from_dict(report.to_dict()).to_dict()]
    times = [t for data in rendered for t in _times(data)]
    assert len(times) == 3
    assert all(type(t) is int and t >= 0 for t in times), times
    junit = ET.fromstring(report.to_junit())
    attributes = [element.get("time") for element in junit.iter() if element.get("time") is not None]
    assert len(attributes) == 2 and all(str(a).isdigit() for a in attributes), attributes
    if math.isfinite(seconds):
        assert abs(times[0] - seconds) <= 0.5


def test_the_markdown_and_terminal_summaries_carry_no_time() -> None:
    report = _report(12.4)
    for text in (report.to_markdown(), report.summary()):
        assert "12" not in text and "second" not in text
