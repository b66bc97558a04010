"""Grading a submission: run it in a fresh kernel, pull answers out as JSON, score them here.

The student's kernel is untrusted (DESIGN section 4). The grader runs the submission cell by
cell with nbclient, with a time limit per cell and a budget for the whole run. Right after the
cell that answers a question has run, a grader-written snippet pulls the answer out of the
kernel as plain JSON (``corpuskit.course.answers``); expected answers are computed here, from
the gold, and never enter the kernel. Function questions send only held-out *text* into the
kernel, call the student's function there, and score the returned spans here by F1.

Failures cost only what they break:

- a cell that raises: recorded; the run goes on.
- a cell that runs past its limit: the kernel is interrupted; if it does not answer a probe
  within a few seconds (a loop that swallows ``KeyboardInterrupt``) it is replaced as below.
- a dead kernel (crash, ``os._exit``, out of memory): a fresh kernel is started and the cells
  that had completed before are run again (not graded again), skipping every cell that
  failed, then grading continues with the next cell. After ``max_restarts`` replacements the
  remaining questions are marked not reached. Credit already earned is always kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib.util
import inspect
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuskit.course import answers
from corpuskit.course.report import CellEvent, QuestionResult, Report
from corpuskit.course.sandbox import Isolation, KernelFactory, Limits, kernel_factory, lease_uid, probe
from corpuskit.course.score import QUOTE_LAYERS, earned, score_quotes, score_value, speaker_names
from corpuskit.course.spec import LessonSpec, Question, SpecError, find_grading_dir, lesson_ids, load_spec
from corpuskit.errors import CorpuskitError
from corpuskit.fileio import write_text_atomic

if TYPE_CHECKING:
    from nbformat import NotebookNode


# jsonschema (imported by nbformat) builds URI grammars with lark when rfc3987_syntax is installed:
# a second of start-up per grading process for a format check notebooks never use.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


class GradingError(CorpuskitError):
    """Grading itself failed (no spec, no held-out data, no kernel): not the student's fault."""


def sandbox_problem() -> str | None:
    """Why the full sandbox cannot be used here, or None when it can."""
    isolation = probe()
    if isolation.mode == "bwrap":
        return None
    return "; ".join(isolation.missing) or isolation.mode


# --- running cells -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # ok / error / timeout / dead / memory-limit / process-limit
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def _error_kind(ename: str, evalue: str) -> str:
    """Errors that mean a resource limit was hit get their own kind, so the report can say so."""
    if ename == "MemoryError":
        return "memory-limit"
    if ename == "BlockingIOError" or (ename == "RuntimeError" and "can't start new thread" in evalue):
        return "process-limit"
    return "error"


def _capped_client_class() -> type[Any]:
    """An nbclient client that keeps a bounded amount of each cell's output and counts the rest."""
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        cell_cap = 1_000_000
        total_cap = 10_000_000
        scratch_cap = 2 * answers.MAX_ANSWER_CHARS

        def reset(self, index: int) -> None:
            self.kept = getattr(self, "kept", {})
            self.dropped = getattr(self, "dropped", {})
            self.kept_total = getattr(self, "kept_total", 0)
            self.kept[index] = 0
            self.dropped[index] = 0

        def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int) -> Any:
            size = len(json.dumps(msg.get("content", {}), default=str))
            scratch = cell_index == len(self.nb.cells) - 1
            left = self.total_cap - self.kept_total + self.kept[cell_index]
            room = self.scratch_cap if scratch else min(self.cell_cap, left)
            if self.kept[cell_index] + size > room:
                self.dropped[cell_index] += size
                return None
            self.kept[cell_index] += size
            if not scratch:
                self.kept_total += size
            return super().output(outs, msg, display_id, cell_index)

    return CappedClient


class _Kernel:
    """One nbclient client whose kernel can be replaced; the last cell is the grader's scratch cell."""

    def __init__(self, nb: NotebookNode, factory: KernelFactory, limits: Limits, cwd: Path) -> None:
        self.nb = nb
        self.factory = factory
        self.limits = limits
        self.timeout = limits.cell_timeout
        self.client = _capped_client_class()(
            nb,
            km=factory(),
            kernel_name="python3",
            allow_errors=True,
            interrupt_on_timeout=False,
            startup_timeout=int(limits.startup_timeout),
            shutdown_kernel="immediate",
            record_timing=False,
            iopub_timeout=10,
            resources={"metadata": {"path": str(cwd)}},
        )
        self.client.cell_cap = limits.cell_output_bytes
        self.client.total_cap = limits.total_output_bytes
        # nbclient counts whole seconds.
        self.client.timeout_func = lambda cell: max(1, math.ceil(self.timeout))

    async def start(self) -> None:
        try:
            await self.client.async_start_new_kernel()
            await self.client.async_start_new_kernel_client()
        except Exception as err:
            raise GradingError(f"the kernel did not start: {type(err).__name__}: {err}") from None

    async def close(self) -> None:
        if self.client.km is None:
            return
        try:
            await self.client._async_cleanup_kernel()
        except Exception:  # a kernel that is already gone is fine
            self.client.km = None
            self.client.kc = None

    async def restart(self) -> None:
        await self.close()
        self.client.km = self.factory()
        await self.start()

    def dropped(self, index: int) -> int:
        """Bytes of output the cell printed beyond what was kept, in its last run."""
        return int(getattr(self.client, "dropped", {}).get(index, 0))

    async def run(self, index: int, timeout: float) -> Outcome:
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        self.timeout = max(timeout, 0.1)
        cell = self.nb.cells[index]
        self.client.reset(index)
        try:
            await self.client.async_execute_cell(cell, index, store_history=index != len(self.nb.cells) - 1)
        except CellTimeoutError:
            return Outcome("timeout", f"still running after {timeout:g} s; stopped")
        except DeadKernelError:
            return Outcome("dead", "the kernel died (a crash, os._exit, or out of memory)")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                ename, evalue = str(output.get("ename", "Error")), str(output.get("evalue", ""))
                return Outcome(_error_kind(ename, evalue), f"{ename}: {evalue[:300]}")
        return Outcome("ok")

    async def snippet(self, code: str, timeout: float) -> tuple[Outcome, list[Any]]:
        scratch = len(self.nb.cells) - 1
        self.nb.cells[scratch].source = code
        outcome = await self.run(scratch, timeout)
        return outcome, list(self.nb.cells[scratch].get("outputs", []))

    async def responsive(self) -> bool:
        """Interrupt a busy kernel and check it answers again, on fresh channels.

        The timed-out cell leaves a cancelled receive on the old channels that would swallow
        the next messages, so the client is replaced (the kernel stays).
        """
        km = self.client.km
        assert km is not None
        try:
            interrupted = km.interrupt_kernel()
            if inspect.isawaitable(interrupted):
                await interrupted
            if self.client.kc is not None:
                self.client.kc.stop_channels()
            kc = km.client()
            kc.start_channels()
            self.client.kc = kc
            # A kernel still stuck in the student's loop cannot answer kernel_info on its shell channel.
            ready = kc.wait_for_ready(timeout=self.limits.probe_timeout)
            if inspect.isawaitable(ready):
                await ready
        except Exception:
            return False
        outcome, _ = await self.snippet("pass", self.limits.probe_timeout)
        return outcome.ok


# --- expected answers and held-out input (grader side only) --------------------------------


@dataclass(frozen=True, slots=True)
class _Heldout:
    texts: tuple[str, ...]
    gold: tuple[tuple[tuple[int, int, str], ...], ...]
    speakers: tuple[tuple[frozenset[str], ...], ...] = ()  # quote layers: right names per gold quote


@dataclass(frozen=True, slots=True)
class _Calls:
    """Grader-made argument lists for a function question and the reference result of each."""

    args: tuple[Any, ...]
    expected: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _Key:
    expected: Mapping[str, Any] = field(default_factory=dict)
    heldout: Mapping[str, _Heldout] = field(default_factory=dict)
    calls: Mapping[str, _Calls] = field(default_factory=dict)


def _answer_key(spec: LessonSpec, grading_dir: Path, heldout_root: Path | None = None) -> _Key:
    module: Any = None
    if spec.module_path is not None:
        loader = importlib.util.spec_from_file_location(
            f"corpuskit_grading_{spec.lesson.replace('-', '_')}", spec.module_path
        )
        assert loader is not None and loader.loader is not None
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
    expected: dict[str, Any] = {}
    heldout: dict[str, _Heldout] = {}
    calls: dict[str, _Calls] = {}

    def function(q: Question, name: str) -> Any:
        if module is None or not hasattr(module, name):
            where = spec.module_path or "the lesson's grading module"
            raise GradingError(f"{spec.lesson}: question {q.id}: no function {name!r} in {where}")
        return getattr(module, name)

    for q in spec.questions:
        if q.kind == "value":
            if q.compute is not None:
                # Round-trip through JSON so expected values are exactly the kind of data answers are.
                expected[q.id] = json.loads(json.dumps(function(q, q.compute)()))
            else:
                expected[q.id] = q.expected
        elif q.calls is not None:
            args = json.loads(json.dumps(function(q, q.calls.inputs)()))
            reference = function(q, q.calls.reference)
            calls[q.id] = _Calls(tuple(args), tuple(json.loads(json.dumps(reference(*a))) for a in args))
        else:
            heldout[q.id] = _load_heldout(q, heldout_root or grading_dir / "heldout")
    return _Key(expected, heldout, calls)


def _load_heldout(question: Question, root: Path) -> _Heldout:
    from corpuskit.corpus import load

    assert question.heldout is not None
    names = question.heldout.documents
    if names == ("*",):
        names = tuple(sorted(p.name for p in root.iterdir() if (p / "text.txt").is_file())) if root.is_dir() else ()
    if not names:
        raise GradingError(f"question {question.id}: no held-out documents in {root}")
    texts, gold, speakers = [], [], []
    for name in names:
        if not (root / name).is_dir():
            raise GradingError(f"question {question.id}: no held-out document {root / name}")
        doc = load(root / name)
        labels = set(question.heldout.labels)
        if question.heldout.layer == "entities":
            spans = [(e.start, e.end, e.label) for e in doc.entities]
        elif question.heldout.layer == "timexes":
            spans = [(t.start, t.end, t.type) for t in doc.timexes]
        elif question.heldout.layer in QUOTE_LAYERS:
            kept = [q for q in doc.quotes if not labels or q.kind in labels]
            spans = [(q.content.start, q.content.end, q.kind) for q in kept]
            speakers.append(tuple(speaker_names(q, doc) for q in kept))
        else:
            raise GradingError(f"question {question.id}: cannot score layer {question.heldout.layer!r} yet")
        texts.append(doc.text)
        gold.append(tuple(s for s in spans if not labels or s[2] in labels))
    return _Heldout(tuple(texts), tuple(gold), tuple(speakers))


# --- grading one question ------------------------------------------------------------------


def _result(q: Question, points: float, status: str, feedback: str) -> QuestionResult:
    return QuestionResult(q.id, q.title, points, q.points, status, feedback)


def _why_not(pulled: answers.Pulled, q: Question, cell_outcome: Outcome) -> QuestionResult:
    stopped = f" Its cell stopped with {cell_outcome.message}." if not cell_outcome.ok else ""
    if pulled.status == "missing":
        what = "function" if q.kind == "function" else "variable"
        feedback = f"No answer: the {what} `{q.name}` is not defined after its cell ran.{stopped}"
        return _result(q, 0.0, "missing", feedback)
    if pulled.status == "unserialisable":
        return _result(
            q,
            0.0,
            "invalid",
            f"`{q.name}` could not be read as plain data ({pulled.error}); "
            f"use plain Python values (int, str, list, dict).",
        )
    return _result(q, 0.0, "error", f"The answer to this question could not be read from the kernel.{stopped}")


def grade_value(q: Question, pulled: answers.Pulled, expected: Any, cell_outcome: Outcome) -> QuestionResult:
    if pulled.status != "ok":
        return _why_not(pulled, q, cell_outcome)
    problem = answers.type_problem(pulled.value, q.type, f"`{q.name}`")
    if problem:
        return _result(q, 0.0, "invalid", problem[0].upper() + problem[1:] + ".")
    fraction, detail = score_value(q, pulled.value, expected)
    points = earned(q, fraction)
    if points >= q.points:
        return _result(q, points, "correct", "Correct.")
    hint = f" Hint: {q.hint}" if q.hint else ""
    detail = f" {detail[0].upper()}{detail[1:]}." if detail else ""
    status = "partial" if points > 0 else "incorrect"
    return _result(q, points, status, f"Not right yet.{detail}{hint}")


def grade_function(q: Question, pulled: answers.Pulled, heldout: _Heldout, cell_outcome: Outcome) -> QuestionResult:
    from corpuskit.evaluate import evaluate_spans

    assert q.heldout is not None
    if pulled.status != "ok":
        return _why_not(pulled, q, cell_outcome)
    results = pulled.value if isinstance(pulled.value, list) else []
    predictions: list[list[tuple[int, int, str]]] = []
    notes: list[str] = []
    for k in range(len(heldout.texts)):
        item: dict[str, Any] = {"ok": False, "error": "no result"}
        if k < len(results) and isinstance(results[k], dict):
            item = results[k]
        problem = answers.type_problem(item.get("value"), "spans", "what it returned") if item.get("ok") else None
        if not item.get("ok"):
            notes.append(f"on held-out text {k + 1} it raised {item.get('error', '')}")
            predictions.append([])
        elif problem:
            notes.append(f"on held-out text {k + 1}, {problem}")
            predictions.append([])
        else:
            predictions.append([(int(s), int(e), str(label)) for s, e, label in item["value"]])
    if q.heldout.layer in QUOTE_LAYERS:
        return _grade_quotes(q, heldout, predictions, notes)
    labels = q.heldout.labels or None
    result = evaluate_spans([list(g) for g in heldout.gold], predictions, labels=labels).schema(q.heldout.schema)
    f1 = result.f1
    fraction = min(1.0, f1 / q.heldout.full_marks_at) if q.heldout.full_marks_at > 0 else float(f1 > 0)
    points = earned(q, fraction)
    n = len(heldout.texts)
    measured = (
        f"On {n} held-out text{'s' if n != 1 else ''} your `{q.name}` scores F1 {f1:.2f} "
        f"(precision {result.precision:.2f}, recall {result.recall:.2f}, {q.heldout.schema} match); "
        f"full marks from F1 {q.heldout.full_marks_at:.2f}."
    )
    return _measured_result(q, points, measured, notes)


def _measured_result(q: Question, points: float, measured: str, notes: list[str]) -> QuestionResult:
    """A held-out score's result: the measurement, the first problems met, and the status."""
    if notes:
        measured += " Problems: " + "; ".join(notes[:3]) + "."
    status = "correct" if points >= q.points else "partial" if points > 0 else "incorrect"
    return _result(q, points, status, measured)


def grade_calls(q: Question, pulled: answers.Pulled, calls: _Calls, cell_outcome: Outcome) -> QuestionResult:
    """Each result of the student's function against the reference's, as a value answer."""
    assert q.calls is not None
    if pulled.status != "ok":
        return _why_not(pulled, q, cell_outcome)
    rule = dataclasses.replace(q, compare=q.calls.compare, tolerance=q.calls.tolerance)
    results = pulled.value if isinstance(pulled.value, list) else []
    fractions: list[float] = []
    notes: list[str] = []
    for k, want in enumerate(calls.expected):
        item = results[k] if k < len(results) and isinstance(results[k], dict) else {"ok": False, "error": "no result"}
        problem = answers.type_problem(item.get("value"), q.calls.type, "the result") if item.get("ok") else None
        if not item.get("ok"):
            notes.append(f"call {k + 1} raised {item.get('error', '')}")
            fractions.append(0.0)
        elif problem:
            notes.append(f"on call {k + 1}, {problem}")
            fractions.append(0.0)
        else:
            fractions.append(score_value(rule, item["value"], want)[0])
    n = len(calls.expected)
    mean = sum(fractions) / n if n else 0.0
    full = q.calls.full_marks_at
    points = earned(q, min(1.0, mean / full) if full > 0 else float(mean > 0))
    right = sum(f >= 1.0 - 1e-9 for f in fractions)
    feedback = (
        f"The grader called your `{q.name}` on {n} input{'s' if n != 1 else ''} of its own: {right} "
        f"result{'s' if right != 1 else ''} fully right, mean credit {mean:.2f}."
    )
    if notes:
        feedback += " Problems: " + "; ".join(notes[:3]) + "."
    if points < q.points and q.hint:
        feedback += f" Hint: {q.hint}"
    status = "correct" if points >= q.points else "partial" if points > 0 else "incorrect"
    return _result(q, points, status, feedback)


def _grade_quotes(
    q: Question, heldout: _Heldout, predictions: list[list[tuple[int, int, str]]], notes: list[str]
) -> QuestionResult:
    """Quote contents matched at the spec's overlap; for ``attributions``, speakers must be right too."""
    assert q.heldout is not None
    found = score_quotes(heldout.gold, heldout.speakers, predictions, q.heldout.overlap)
    counts = found.attribution if q.heldout.layer == "attributions" else found.content
    f1 = counts.f1
    fraction = min(1.0, f1 / q.heldout.full_marks_at) if q.heldout.full_marks_at > 0 else float(f1 > 0)
    points = earned(q, fraction)
    n = len(heldout.texts)
    what = "quotes with the right speaker" if q.heldout.layer == "attributions" else "quote contents"
    # Speakers are reported only where the question asks for them.
    speakers = (
        f"; speaker right on {found.speakers_right} of the {found.matched} quotes found"
        if q.heldout.layer == "attributions"
        else ""
    )
    measured = (
        f"On {n} held-out text{'s' if n != 1 else ''} your `{q.name}` finds {what} with F1 {f1:.2f} "
        f"(precision {counts.precision:.2f}, recall {counts.recall:.2f}, a match covers more than "
        f"{q.heldout.overlap:.0%} of a quote){speakers}; full marks from F1 {q.heldout.full_marks_at:.2f}."
    )
    return _measured_result(q, points, measured, notes)


# --- the run -------------------------------------------------------------------------------


def _code_cells(nb: NotebookNode) -> list[int]:
    return [i for i, cell in enumerate(nb.cells) if cell.get("cell_type") == "code"]


def _grade_id(cell: Mapping[str, Any]) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    value = meta.get("grade_id") if isinstance(meta, Mapping) else None
    return str(value) if value is not None else None


async def _run(
    nb: NotebookNode, spec: LessonSpec, key_source: Future[_Key], limits: Limits, factory: KernelFactory, cwd: Path
) -> tuple[dict[str, QuestionResult], list[CellEvent]]:
    import nbformat

    nb.cells.append(nbformat.v4.new_code_cell(""))  # type: ignore[no-untyped-call]
    scratch = len(nb.cells) - 1
    cells = [i for i in _code_cells(nb) if i != scratch]
    # A question is graded after the last cell carrying its grade id (the student's final version).
    answer_cell = {gid: i for i in cells if (gid := _grade_id(nb.cells[i])) is not None}
    by_cell: dict[int, list[Question]] = {}
    for q in spec.questions:
        if q.cell in answer_cell:
            by_cell.setdefault(answer_cell[q.cell], []).append(q)
    results: dict[str, QuestionResult] = {}
    events: list[CellEvent] = []
    completed: list[int] = []
    restarts = 0
    deadline = time.monotonic() + limits.total_timeout
    kernel = _Kernel(nb, factory, limits, cwd)
    token = answers.new_token()

    def event(index: int, kind: str, message: str) -> None:
        events.append(CellEvent(index, _grade_id(nb.cells[index]) if 0 <= index < scratch else None, kind, message))

    async def replace_kernel(index: int, why: str) -> bool:
        """A fresh kernel with the completed cells run again; False when we must stop."""
        nonlocal restarts
        if restarts >= limits.max_restarts:
            event(index, "gave-up", f"{why}; the kernel was already replaced {restarts} time(s), so grading stops here")
            return False
        restarts += 1
        await kernel.restart()
        for j in completed:
            outcome = await kernel.run(j, min(limits.cell_timeout, max(deadline - time.monotonic(), 0.1)))
            if outcome.kind in ("dead", "timeout"):
                event(j, "gave-up", f"re-running this cell in a fresh kernel failed ({outcome.message})")
                return False
        event(
            index,
            "kernel-replaced",
            f"{why}; started a fresh kernel and re-ran the {len(completed)} cell(s) "
            "that had completed, skipping the failed ones",
        )
        return True

    async def settle(index: int, outcome: Outcome) -> bool:
        """Bring the kernel back after a timeout or death; False when grading must stop."""
        if outcome.kind == "timeout" and await kernel.responsive():
            return True
        if outcome.kind in ("timeout", "dead"):
            why = "the kernel died" if outcome.kind == "dead" else "the kernel did not respond after an interrupt"
            return await replace_kernel(index, why)
        if outcome.kind in ("memory-limit", "process-limit"):
            # What the cell holds (memory, or processes not yet reaped) would starve the cells after it.
            return await replace_kernel(index, f"the cell hit the {outcome.kind.split('-')[0]} limit")
        return True

    await kernel.start()
    try:
        alive = True
        for index in cells:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                event(index, "budget", f"the whole run took longer than {limits.total_timeout:g} s; stopped here")
                break
            outcome = await kernel.run(index, min(limits.cell_timeout, remaining))
            if kernel.dropped(index):
                event(
                    index,
                    "output-limit",
                    f"the cell printed over {limits.cell_output_bytes:,} bytes (or the "
                    f"notebook over {limits.total_output_bytes:,}); "
                    f"{kernel.dropped(index):,} bytes were dropped",
                )
            if outcome.ok:
                completed.append(index)
            else:
                event(index, outcome.kind, outcome.message)
                alive = await settle(index, outcome)
                if not alive:
                    break
            for q in by_cell.get(index, []):
                # The key is computed in a thread while the kernel starts and the first cells run.
                key = await asyncio.wrap_future(key_source)
                results[q.id] = await _grade_question(q, key, kernel, token, limits, outcome)
                if results[q.id].status == "error" and "did not finish" in results[q.id].feedback:
                    alive = await settle(index, Outcome("timeout"))
                    if not alive:
                        break
            if not alive:
                break
    finally:
        await kernel.close()
    for q in spec.questions:
        if q.id in results:
            continue
        if q.cell not in answer_cell:
            feedback = f"No cell with grade id {q.cell!r} in the notebook (was it deleted, or its metadata changed?)."
            results[q.id] = _result(q, 0.0, "not-found", feedback)
        else:
            results[q.id] = _result(q, 0.0, "not-reached", "Grading stopped before this question's cell (see events).")
    return results, events


async def _grade_question(
    q: Question, key: _Key, kernel: _Kernel, token: str, limits: Limits, cell_outcome: Outcome
) -> QuestionResult:
    if q.kind == "value":
        code = answers.value_snippet(q.name, token, table=q.type == "table")
        timeout = limits.answer_timeout
    elif q.calls is not None:
        code = apply_snippet(q.name, token, key.calls[q.id].args)
        timeout = q.timeout or limits.call_timeout
    else:
        code = answers.call_snippet(q.name, token, key.heldout[q.id].texts)
        timeout = q.timeout or limits.call_timeout
    outcome, outputs = await kernel.snippet(code, timeout)
    if not outcome.ok:
        message = (
            f"Your `{q.name}` did not finish within {timeout:g} s."
            if outcome.kind == "timeout"
            else f"Reading the answer failed: {outcome.message}."
        )
        return _result(q, 0.0, "error", message)
    pulled = answers.parse_outputs(outputs, token)
    if q.kind == "value":
        return grade_value(q, pulled, key.expected[q.id], cell_outcome)
    if q.calls is not None:
        return grade_calls(q, pulled, key.calls[q.id], cell_outcome)
    return grade_function(q, pulled, key.heldout[q.id], cell_outcome)


# Kernel code for a ``calls`` question: ``name(*args)`` for each grader-made argument list. Lists
# of plain values arrive as tuples, so spans are ``(start, end, label)`` tuples as everywhere in
# corpuskit. Only the arguments enter the kernel; the reference results stay here.
_APPLY_BODY = """\
    def _tuples(_x):
        if isinstance(_x, list):
            _items = [_tuples(_i) for _i in _x]
            _flat = _items and all(not isinstance(_i, (list, tuple, dict)) for _i in _items)
            return tuple(_items) if _flat else _items
        return _x
    _fn = _ns.get({name})
    if not callable(_fn):
        _out = {{"status": "missing"}}
    else:
        _results = []
        for _args in _json.loads({args}):
            try:
                _value = _fn(*[_tuples(_a) for _a in _args])
                _results.append({{"ok": True, "value": _json.loads(_json.dumps(_value, allow_nan=False))}})
            except Exception as _err:  # noqa
                _results.append({{"ok": False, "error": type(_err).__name__ + ": " + str(_err)[:300]}})
        _out = {{"status": "ok", "results": _results}}"""


def apply_snippet(name: str, token: str, args: Sequence[Any]) -> str:
    """Kernel code that calls ``name(*a)`` for each argument list and prints the results as JSON."""
    payload = json.dumps(list(args))
    body = _APPLY_BODY.format(name=json.dumps(name), args=json.dumps(payload))
    return answers._SNIPPET.format(token=token, body=body)


# --- entry point ---------------------------------------------------------------------------


def lesson_of(path: Path, nb: Mapping[str, Any] | None, grading_dir: Path) -> str:
    """The lesson a submission belongs to: its metadata, else the longest lesson id its name starts with."""
    if nb is not None:
        meta = nb.get("metadata", {}).get("corpuskit", {})
        lesson = meta.get("lesson") if isinstance(meta, Mapping) else None
        if isinstance(lesson, str) and lesson in lesson_ids(grading_dir):
            return lesson
    matches = [lesson for lesson in lesson_ids(grading_dir) if path.stem.startswith(lesson)]
    if not matches:
        raise GradingError(
            f"{path}: cannot tell which lesson this is; pass --lesson (lessons: "
            f"{', '.join(lesson_ids(grading_dir)) or 'none'})"
        )
    return max(matches, key=len)


@contextmanager
def _run_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="corpuskit-grade-") as folder:
        yield Path(folder)


def hidden_folders(grading_dir: Path, *extra: Path) -> list[Path]:
    """What the kernel must not see where only a blacklist is possible (the ``unshare`` sandbox).

    The ``bwrap`` sandbox needs no list: its kernel sees only what it is given.
    """
    import corpuskit

    roots = {grading_dir.resolve().parent, Path(corpuskit.__file__).resolve().parents[2]}
    candidates = [grading_dir.resolve(), *(p.resolve() for p in extra)]
    candidates += [root / name for root in roots for name in ("solutions", "notebooks", "tests", "grading", ".git")]
    return [folder for folder in dict.fromkeys(candidates) if folder.is_dir()]


_KEYS: dict[tuple[object, ...], _Key] = {}


def _cached_key(spec: LessonSpec, grading_dir: Path, heldout_root: Path) -> _Key:
    """The answer key, computed once per process for a lesson (batch workers grade many submissions)."""
    stamp = tuple(p.stat().st_mtime_ns for p in (spec.path, spec.module_path) if p is not None and p.exists())
    cache_key = (spec.lesson, str(spec.path), stamp, str(grading_dir.resolve()), str(heldout_root.resolve()))
    if cache_key not in _KEYS:
        _KEYS[cache_key] = _answer_key(spec, grading_dir, heldout_root)
    return _KEYS[cache_key]


# What a submission can be refused for before any code runs: graded 0 with a report saying why.
def _read_notebook(path: Path) -> tuple[Any, str, str]:
    """The notebook, or None with the report status and the reason."""
    import nbformat

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise GradingError(f"{path}: no such file") from None
    except OSError as err:
        raise GradingError(f"{path}: {err.strerror}") from None
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)  # type: ignore[no-untyped-call]
        nbformat.validate(nb)
    except Exception as err:
        first = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
        return None, "invalid-notebook", f"{type(err).__name__}: {first}"
    if not isinstance(nb.get("cells"), list) or not any(c.get("cell_type") == "code" for c in nb.cells):
        return None, "no-cells", "the notebook has no code cells"
    kernelspec = nb.get("metadata", {}).get("kernelspec") or {}
    name = str(kernelspec.get("name", "python3")) if isinstance(kernelspec, Mapping) else "?"
    language = str(kernelspec.get("language", "")).lower() if isinstance(kernelspec, Mapping) else "?"
    if (language and language != "python") or (not language and not name.startswith("python")):
        why = f"the notebook is for the kernel {name!r} ({language or 'no language'}), not Python 3"
        return None, "wrong-kernel", why
    return nb, "", ""


def _release_copy(spec: LessonSpec, release_dir: Path) -> Any:
    import nbformat

    path = release_dir / spec.notebook
    if not path.is_file():
        return None
    return nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def restore_locked(nb: NotebookNode, release: NotebookNode) -> list[tuple[str, str]]:
    """Put locked cells back as released (as nbgrader does): ``(grade_id, what happened)`` for each change.

    An edited locked cell gets its released source; a deleted one is inserted after the cell that
    precedes it in the release. Cells are matched by grade id.
    """
    import copy

    def locked(cell: Mapping[str, Any]) -> bool:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        return bool(isinstance(meta, Mapping) and meta.get("locked") and not meta.get("solution"))

    changes: list[tuple[str, str]] = []
    previous: str | None = None
    for cell in release.cells:
        gid = _grade_id(cell)
        if gid is None:
            continue
        where = {g: i for i, c in enumerate(nb.cells) if (g := _grade_id(c)) is not None}
        if locked(cell):
            fresh = copy.deepcopy(cell)
            fresh["outputs"] = [] if fresh.get("cell_type") == "code" else fresh.get("outputs", [])
            if gid not in where:
                at = where[previous] + 1 if previous in where else 0
                nb.cells.insert(at, fresh)
                changes.append((gid, "deleted; put back as released"))
            elif _source(nb.cells[where[gid]]) != _source(cell) or nb.cells[where[gid]].get("cell_type") != cell.get(
                "cell_type"
            ):
                nb.cells[where[gid]] = fresh
                changes.append((gid, "edited; run as released instead"))
        previous = gid
    return changes


def _refused(
    path: Path,
    spec: LessonSpec,
    status: str,
    why: str,
    warnings: Sequence[str],
    label: str,
    isolation: str,
    seconds: float,
) -> Report:
    questions = tuple(_result(q, 0.0, "not-reached", f"Not graded: {why}.") for q in spec.questions)
    return Report(
        str(path),
        spec.lesson,
        spec.title,
        status,
        questions,
        (CellEvent(-1, None, status, why),),
        tuple(warnings),
        label,
        seconds,
        isolation,
    )


def grade(
    submission: str | os.PathLike[str],
    *,
    lesson: str | None = None,
    grading_dir: str | os.PathLike[str] | None = None,
    limits: Limits | None = None,
    sandbox: str = "auto",
    heldout_dir: str | os.PathLike[str] | None = None,
    release_dir: str | os.PathLike[str] | None = None,
    hide: Sequence[str | os.PathLike[str]] = (),
) -> Report:
    """Grade one submitted notebook. ``sandbox`` is ``auto``, ``on`` or ``off``.

    ``heldout_dir`` is a private held-out set (default: ``heldout/`` in the grading folder);
    ``release_dir`` holds the released notebooks whose locked cells are restored (default:
    ``exercises/`` beside the grading folder); ``hide`` lists more folders the kernel must not
    see where the sandbox works by hiding (report folders, other submissions).
    Raises ``GradingError`` (or ``SpecError``) only when grading itself cannot happen; a broken
    or hostile submission gets a report.
    """
    started = time.monotonic()
    limits = limits or Limits()
    path = Path(submission)
    folder = find_grading_dir(grading_dir)
    nb, refusal, why = _read_notebook(path)
    lesson_id = lesson or lesson_of(path, nb, folder)
    try:
        spec = load_spec(folder, lesson_id)
    except SpecError as err:
        raise GradingError(str(err)) from None
    heldout_root = Path(heldout_dir) if heldout_dir is not None else folder / "heldout"
    if heldout_dir is not None and not heldout_root.is_dir():
        raise GradingError(f"{heldout_root}: no such held-out folder")
    keys = ThreadPoolExecutor(max_workers=1)
    key_source = keys.submit(_cached_key, spec, folder, heldout_root)
    keys.shutdown(wait=False)
    isolation = probe() if sandbox != "off" else Isolation("none", ("switched off",))
    if sandbox == "on" and isolation.mode != "bwrap":
        raise GradingError(f"the sandbox was asked for but cannot be used: {'; '.join(isolation.missing)}")
    warnings: list[str] = []
    if sandbox == "auto" and isolation.warning():
        warnings.append(str(isolation.warning()))
    described = isolation.describe(limits)
    heldout_name = f"{'private' if heldout_dir is not None else 'public'} set {heldout_root.resolve()}"
    claimed = nb.get("metadata", {}).get("corpuskit", {}).get("lesson") if nb is not None else None
    if nb is not None and isinstance(claimed, str) and claimed != spec.lesson:
        refusal, why = "wrong-lesson", f"this notebook is lesson {claimed!r}, but it was graded as {spec.lesson!r}"
    if refusal:
        report = _refused(path, spec, refusal, why, warnings, isolation.label, described, time.monotonic() - started)
        return dataclasses.replace(report, heldout=heldout_name if key_source.result().heldout else "")
    releases = Path(release_dir) if release_dir is not None else folder.resolve().parent / "exercises"
    release = _release_copy(spec, releases)
    restored: list[tuple[str, str]] = []
    if release is None:
        warnings.append(f"no released copy {releases / spec.notebook}: locked cells were run as submitted")
    else:
        restored = restore_locked(nb, release)
    with _run_dir() as run_dir, contextlib.ExitStack() as stack:
        cwd = run_dir / "work"
        cwd.mkdir()
        write_text_atomic(cwd / path.name, json.dumps(nb, ensure_ascii=False))
        uid = stack.enter_context(lease_uid()) if isolation.mode == "bwrap" else 0
        hidden = hidden_folders(folder, heldout_root, path.resolve().parent, *map(Path, hide))
        factory = kernel_factory(run_dir, cwd, isolation, limits, hidden, uid)
        results, cell_events = asyncio.run(_run(nb, spec, key_source, limits, factory, cwd))
    if not key_source.result().heldout:
        heldout_name = ""
    where = {gid: i for i, c in enumerate(nb.cells) if (gid := _grade_id(c)) is not None}
    locked_events = [
        CellEvent(where.get(gid, -1), gid, "locked-cell", f"this locked cell was {what}") for gid, what in restored
    ]
    ordered = tuple(results[q.id] for q in spec.questions)
    return Report(
        str(path),
        spec.lesson,
        spec.title,
        "graded",
        ordered,
        (*locked_events, *cell_events),
        tuple(warnings),
        isolation.label,
        time.monotonic() - started,
        described,
        heldout_name,
    )
