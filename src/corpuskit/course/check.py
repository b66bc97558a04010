"""Visible checks for students: quick, specific hints in the notebook, never a grade.

Each helper raises :class:`CheckFailed` (an ``AssertionError``) with a hint a student can act on,
in the style of the spaCy course (``assert cond, "hint"``). In a notebook a failed check shows as
one line, ``✘ hint``, with no traceback: the exception renders itself, and importing this module
in a kernel teaches IPython to show a plain ``assert`` written in a cell the same way.

The checks look at types, shapes and consistency, never at the expected answer, which stays with
the grader. :func:`check_type` with a declared type (``"list[str]"``, ``"table"``, ...) applies the
grader's own rule to the answer as the grader receives it, so the two accept and refuse the same
values. A check cell ends with :func:`passed` (the shape was checked, the grader checks the values)
or, only where the check really knows the answer is right, :func:`correct`.

>>> from corpuskit.course.check import check_type
>>> check_type((1, 2), "list[int]", "sizes")
>>> check_type(3.0, "int", "n_sections")
Traceback (most recent call last):
  ...
corpuskit.course.check.CheckFailed: `n_sections` should be an int, not a float.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import sys
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from corpuskit.course import answers

PASSED = "right type and size \u2014 the grader checks the values"
CORRECT = "Well done!"

# What a Python type asks for in the grader's terms (``answers.type_problem``): a tuple passes for a
# list there, because an answer reaches the grader as JSON, where both are arrays.
_DECLARED = {bool: "bool", int: "int", float: "float", str: "str", list: "list[any]", dict: "dict[str,any]"}


class CheckFailed(AssertionError):
    """A visible check that did not pass; in a notebook it shows as ``✘ hint``, without a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [failure_line(str(self))]


def failure_line(hint: str) -> str:
    """The one line a failed check shows: a red cross and the hint."""
    return f"\x1b[1;31m\u2718\x1b[0m {hint}"


def check_defined(namespace: Mapping[str, Any], *names: str) -> None:
    """Every name is defined (pass ``globals()``)."""
    for name in names:
        _require(name in namespace, f"`{name}` is not defined yet: run the cell where you define it.")


def check_type(value: Any, expected: str | type | tuple[type, ...], name: str) -> None:
    """``value`` has the expected type, by the grader's rule.

    ``expected`` is a declared answer type as in the grading spec (``"int"``, ``"dict[str,float]"``,
    ``"spans"``, ``"table"``) or a Python type: ``int`` refuses ``True`` and ``3.0``, ``float``
    accepts ints, ``list`` accepts tuples. Other classes (``pd.DataFrame``) are checked with
    ``isinstance``.
    """
    declared = (
        [expected] if isinstance(expected, str) else list(expected if isinstance(expected, tuple) else [expected])
    )
    problems = [_problem(value, kind, name) for kind in declared]
    if all(problems):
        first = next(p for p in problems if p)
        _require(False, first if len(declared) == 1 else f"`{name}` has the wrong type: {first}")


def _problem(value: Any, expected: str | type, name: str) -> str | None:
    if isinstance(expected, type) and expected not in _DECLARED:
        return None if isinstance(value, expected) else f"`{name}` should be a {expected.__name__}."
    declared = expected if isinstance(expected, str) else _DECLARED[expected]
    pulled = as_graded(value, table=declared.replace(" ", "") == "table")
    if pulled.status != "ok":
        return (
            f"`{name}` cannot be sent to the grader as plain data ({pulled.reason or pulled.error}): "
            "use plain Python values (int, float, str, list, dict)."
        )
    problem = answers.type_problem(pulled.value, declared, f"`{name}`")
    return None if problem is None else problem[0].upper() + problem[1:] + "."


def as_graded(value: Any, *, table: bool = False) -> answers.Pulled:
    """``value`` as the grader receives it: its own snippet runs here on ``value`` and its printed
    JSON is parsed as the grader parses it (tuples arrive as lists, a DataFrame as a split table)."""
    token = answers.new_token()
    namespace: dict[str, Any] = {"answer": value}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(answers.value_snippet("answer", token, table=table), namespace)  # the grader's own code
    return answers.parse_outputs([{"output_type": "stream", "name": "stdout", "text": printed.getvalue()}], token)


def check_between(value: float, low: float, high: float, name: str, why: str = "") -> None:
    """``low <= value <= high``: a plausibility range, not the answer."""
    hint = f" {why}" if why else ""
    _require(low <= value <= high, f"`{name}` is {value}, which cannot be right: expect {low} to {high}.{hint}")


def check_spans(spans: Iterable[Any], text: str, name: str = "the spans", labels: Iterable[str] | None = None) -> None:
    """A list of ``(start, end, label)`` triples with valid offsets into ``text``."""
    allowed = None if labels is None else set(labels)
    items = list(spans)
    for item in items:
        _require(
            isinstance(item, (tuple, list)) and len(item) == 3,
            f"Each item of {name} should be a (start, end, label) tuple; found {item!r}.",
        )
        start, end, label = item
        _require(type(start) is int and type(end) is int, f"Offsets should be ints; found {item!r}.")
        _require(
            0 <= start < end <= len(text),
            f"{item!r} is not a span of the text: offsets count characters, start < end <= len(text).",
        )
        known = sorted(allowed or ())
        _require(allowed is None or label in allowed, f"Unknown label {label!r} in {item!r}; use one of {known}.")
    _require(len(set(map(tuple, items))) == len(items), f"{name} lists the same span twice.")


def check_same_keys(mapping: Mapping[str, Any], keys: Iterable[str], name: str) -> None:
    """``mapping`` has exactly these keys (order does not matter)."""
    want, got = set(keys), set(mapping)
    missing, extra = sorted(want - got), sorted(got - want)
    _require(not missing, f"`{name}` is missing the key(s) {missing}.")
    _require(not extra, f"`{name}` has key(s) it should not have: {extra}.")


def check_table(table: Any, name: str, columns: Iterable[str] = (), integer_columns: Iterable[str] = ()) -> None:
    """A pandas DataFrame with these columns, whole numbers in ``integer_columns`` (as the grader wants)."""
    check_type(table, "table", name)
    for column in columns:
        _require(column in table.columns, f"`{name}` needs a column {column!r}.")
    for column in integer_columns:
        _require(column in table.columns, f"`{name}` needs a column {column!r}.")
        _require(
            str(table[column].dtype).lower().startswith(("int", "uint")),
            f"The column {column!r} of `{name}` should hold whole numbers (ints), not {table[column].dtype}: "
            f"count with ints, or convert with .astype(int).",
        )


def passed(message: str = PASSED) -> None:
    """End a check cell whose checks looked at the answer's shape: the grader checks its values."""
    print(f"\u2714 {message}")


def correct(message: str = CORRECT) -> None:
    """End a check cell that really knows the answer is right (it can be worked out in the notebook)."""
    print(f"\u2714 {message}")


def _require(condition: bool, hint: str) -> None:
    if not condition:
        raise CheckFailed(hint)


def _show_hint(
    shell: Any, etype: type[BaseException], value: BaseException, tb: TracebackType | None, tb_offset: Any = None
) -> None:
    """IPython's handler for ``AssertionError``: a check's hint as one line, other assertions as usual.

    A failed ``assert`` written at the top level of a cell (a check cell) shows its hint; one raised
    deeper, in the student's own functions, keeps its traceback, which tells them where it was.
    """
    innermost = tb
    while innermost is not None and innermost.tb_next is not None:
        innermost = innermost.tb_next
    frame = innermost.tb_frame if innermost is not None else None
    in_cell = frame is not None and frame.f_code.co_name == "<module>" and frame.f_globals is shell.user_ns
    if isinstance(value, CheckFailed) or in_cell:
        hint = str(value)
        if not hint and frame is not None and innermost is not None:
            source = linecache.getline(frame.f_code.co_filename, innermost.tb_lineno).strip()
            hint = f"This check did not pass: {source}"
        lines = [failure_line(hint or "This check did not pass.")]
    else:
        lines = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    # IPython ignores what a custom handler returns: the handler shows the error itself.
    shell._showtraceback(etype, value, lines)


def install(shell: Any = None) -> bool:
    """Show failed checks as one line in this IPython kernel (done on import); False outside IPython."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((AssertionError,), _show_hint)
    return True


install()
