"""The course kit: build exercises and solutions from lessons, check and grade submissions."""

from corpuskit.course.assign import AssignError, build, drift, plan, write
from corpuskit.course.grade import GradingError, grade
from corpuskit.course.report import CellEvent, QuestionResult, Report
from corpuskit.course.sandbox import Limits
from corpuskit.course.spec import LessonSpec, Question, SpecError, find_grading_dir, load_spec

__all__ = [
    "AssignError",
    "CellEvent",
    "GradingError",
    "LessonSpec",
    "Limits",
    "Question",
    "QuestionResult",
    "Report",
    "SpecError",
    "build",
    "drift",
    "find_grading_dir",
    "grade",
    "load_spec",
    "plan",
    "write",
]
