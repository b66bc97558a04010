"""Grade reports: frozen results and their JSON, JUnit XML and Markdown renderings."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from corpuskit.course.clean import escaped_name, one_line

FEEDBACK_CHARS = 1200
"""How long one question's feedback or one event's message may be in a report."""

FEEDBACK_LEVELS = ("full", "summary")
"""``full``: feedback and events; ``summary``: points per question only (summative grading)."""

# A question's status, from best to worst.
STATUSES = (
    "correct",
    "partial",
    "incorrect",
    "invalid",
    "missing",
    "error",
    "not-found",
    "not-reached",
)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question's outcome: points out of ``max_points`` and feedback a student can act on."""

    id: str
    title: str
    points: float
    max_points: float
    status: str
    feedback: str

    def __post_init__(self) -> None:
        # Feedback quotes what the kernel said; no newline or control character may reach a report.
        for name in ("id", "title", "status"):
            object.__setattr__(self, name, one_line(getattr(self, name), 200))
        object.__setattr__(self, "feedback", one_line(self.feedback, FEEDBACK_CHARS))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "points": self.points,
            "max_points": self.max_points,
            "status": self.status,
            "feedback": self.feedback,
        }


@dataclass(frozen=True, slots=True)
class CellEvent:
    """Something that happened while running the submission: an error, a timeout, a dead kernel."""

    cell: int
    grade_id: str | None
    kind: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", one_line(self.kind, 40))
        object.__setattr__(self, "message", one_line(self.message, FEEDBACK_CHARS))
        if self.grade_id is not None:
            object.__setattr__(self, "grade_id", one_line(self.grade_id, 200))

    def to_dict(self) -> dict[str, Any]:
        return {"cell": self.cell, "grade_id": self.grade_id, "kind": self.kind, "message": self.message}

    def __str__(self) -> str:
        where = f"cell {self.cell}" + (f" ({self.grade_id})" if self.grade_id else "") if self.cell >= 0 else "grader"
        return f"{where}: {self.kind}: {self.message}"


@dataclass(frozen=True, slots=True)
class Report:
    """The grade of one submission."""

    submission: str
    lesson: str
    title: str
    status: str
    questions: tuple[QuestionResult, ...]
    events: tuple[CellEvent, ...] = ()
    warnings: tuple[str, ...] = ()
    sandbox: str = "off"
    seconds: float = 0.0  # whole seconds: see __post_init__
    isolation: str = ""  # what the sandbox did, in words
    heldout: str = ""  # which held-out set graded the extractor questions

    def __post_init__(self) -> None:
        # A submission's file name is the student's choice too.
        # Escaped, not cleaned: names differing only in invisible characters must stay different.
        # (Batch mode escapes backslashes too, once, so names differing only there differ when shown.)
        object.__setattr__(self, "submission", escaped_name(self.submission, FEEDBACK_CHARS, backslashes=False))
        for name in ("lesson", "title", "status", "sandbox", "isolation", "heldout"):
            object.__setattr__(self, name, one_line(getattr(self, name), FEEDBACK_CHARS))
        object.__setattr__(self, "warnings", tuple(one_line(w, FEEDBACK_CHARS) for w in self.warnings))
        # The run time depends on what the student's functions did with the held-out texts: told to the
        # millisecond it is a channel out of them, so every report carries whole seconds.
        object.__setattr__(self, "seconds", round(self.seconds) if math.isfinite(self.seconds) else 0)

    def redacted(self, redact: Callable[[str], str]) -> Report:
        """The report with ``redact`` applied to every text that can quote the kernel."""
        questions = tuple(dataclasses.replace(q, feedback=redact(q.feedback)) for q in self.questions)
        events = tuple(dataclasses.replace(e, message=redact(e.message)) for e in self.events)
        return dataclasses.replace(self, questions=questions, events=events)

    def with_feedback(self, level: str) -> Report:
        """The report at a feedback level: ``full`` as it is, ``summary`` with points per question only."""
        if level not in FEEDBACK_LEVELS:
            raise ValueError(f"feedback must be one of {', '.join(FEEDBACK_LEVELS)}, not {level!r}")
        if level == "full":
            return self
        questions = tuple(dataclasses.replace(q, feedback="") for q in self.questions)
        return dataclasses.replace(self, questions=questions, events=())

    @property
    def score(self) -> float:
        return round(sum(q.points for q in self.questions), 2)

    @property
    def max_score(self) -> float:
        return round(sum(q.max_points for q in self.questions), 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "lesson": self.lesson,
            "title": self.title,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "questions": [q.to_dict() for q in self.questions],
            "events": [e.to_dict() for e in self.events],
            "warnings": list(self.warnings),
            "sandbox": self.sandbox,
            "isolation": self.isolation,
            "heldout": self.heldout,
            "seconds": self.seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """The report ``to_dict`` gave (for merging reports written by other workers or shards)."""
        questions = tuple(QuestionResult(**q) for q in data["questions"])
        events = tuple(CellEvent(**e) for e in data.get("events", []))
        return cls(
            data["submission"],
            data["lesson"],
            data["title"],
            data["status"],
            questions,
            events,
            tuple(data.get("warnings", [])),
            data.get("sandbox", "off"),
            float(data.get("seconds", 0.0)),
            data.get("isolation", ""),
            data.get("heldout", ""),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_junit(self) -> str:
        """JUnit XML: one test case per question, failed unless it earned full marks."""
        failures = sum(1 for q in self.questions if q.points < q.max_points)
        lines = [
            '<?xml version="1.0" encoding="utf-8"?>',
            f"<testsuites tests={_q(len(self.questions))} failures={_q(failures)} time={_q(self.seconds)}>",
            f"  <testsuite name={quoteattr(self.lesson)} tests={_q(len(self.questions))} failures={_q(failures)}"
            f' errors="0" time={_q(self.seconds)}>',
            f'    <properties><property name="score" value={_q(self.score)}/>'
            f'<property name="max_score" value={_q(self.max_score)}/></properties>',
        ]
        for q in self.questions:
            name = quoteattr(f"{q.id} ({q.points:g}/{q.max_points:g})")
            lines.append(f"    <testcase classname={quoteattr(self.lesson)} name={name}>")
            if q.points < q.max_points:
                message = quoteattr(f"{q.status}: {q.points:g} of {q.max_points:g} points")
                kind = quoteattr(q.status)
                lines.append(f"      <failure message={message} type={kind}>{escape(q.feedback)}</failure>")
            lines.append("    </testcase>")
        if self.events:
            system_out = "\n".join(str(e) for e in self.events)
            lines.append(f"    <system-out>{escape(system_out)}</system-out>")
        lines += ["  </testsuite>", "</testsuites>", ""]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A Markdown summary, e.g. for ``$GITHUB_STEP_SUMMARY``."""
        lines = [
            f"## {self.title}: {self.score:g} / {self.max_score:g}",
            "",
            f"Submission `{_code(self.submission)}`, lesson `{_code(self.lesson)}`, status `{_code(self.status)}`.",
            "",
            "| question | points | status | feedback |",
            "|---|---:|---|---|",
        ]
        for q in self.questions:
            lines.append(
                f"| {_cell(q.title)} | {q.points:g} / {q.max_points:g} | {_cell(q.status)} | {_cell(q.feedback)} |"
            )
        if self.events:
            lines += ["", "What happened while running the notebook:", ""]
            lines += [f"- {e}" for e in self.events]
        if self.warnings:
            lines += ["", *[f"> **Warning:** {w}" for w in self.warnings]]
        lines += ["", f"Sandbox: {self.isolation or self.sandbox}."]
        if self.heldout:
            lines.append(f"Held-out texts: {self.heldout}.")
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """Plain text for a terminal."""
        lines = [f"{self.title} ({self.lesson}): {self.score:g} / {self.max_score:g}"]
        width = max((len(q.id) for q in self.questions), default=0)
        for q in self.questions:
            lines.append(f"  {q.id:<{width}}  {q.points:>5g} / {q.max_points:<3g} {q.status:<11} {q.feedback}")
        lines += [f"  ! {e}" for e in self.events]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"


def _q(value: object) -> str:
    return quoteattr(str(value))


def _cell(text: str) -> str:
    """Text for one cell of a Markdown table (already one line)."""
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _code(text: str) -> str:
    """Text for inside a Markdown code span."""
    return text.replace("`", "'")
