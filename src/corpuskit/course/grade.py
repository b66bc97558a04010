"""Grading a submission: run it in a fresh kernel, pull answers out as JSON, score them here.

The student's kernel is untrusted. The grader runs the submission cell by cell with nbclient,
with a time limit per cell and a budget for the whole run (answer snippets and calls included),
in the sandbox (``corpuskit.course.sandbox``), or refuses to without it unless told
``sandbox="off"``. Right after the cell that answers a value question has run, a grader-written
snippet pulls the answer out of the kernel as plain JSON (``corpuskit.course.answers``);
expected answers are computed here, from the gold, and never enter the kernel. Function
questions send only held-out *text* (or grader-made arguments) into the kernel, call the
student's function there, and score the returned spans here by F1.

Held-out text must not come back. Function questions are therefore graded only after the last
student cell has run, and from the moment the first of them starts nothing the kernel says
reaches the report: the feedback of these questions, and every event after that moment, are
the grader's own fixed sentences and the numbers it computed (scores, F1, which call failed,
the name of an exception only when it is one of Python's built-in ones).

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
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from corpuskit.course import answers
from corpuskit.course import warm as warm_kernels
from corpuskit.course.kernel import Kernel, Outcome
from corpuskit.course.key import AnswerKey, cached_key, sent_texts
from corpuskit.course.notebook import (
    code_cells,
    field,
    grade_id,
    lesson_of,
    read_notebook,
    release_copy,
    restore_locked,
)
from corpuskit.course.questions import grade_calls, grade_function, grade_value, result
from corpuskit.course.report import CellEvent, QuestionResult, Report
from corpuskit.course.sandbox import Isolation, KernelFactory, Limits, kernel_factory, lease_uid, probe
from corpuskit.course.spec import LessonSpec, Question, SpecError, find_grading_dir, load_spec
from corpuskit.errors import GradingError

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["GradingError", "Limits", "Outcome", "grade", "sandbox_problem"]

# jsonschema (imported by nbformat) builds URI grammars with lark when rfc3987_syntax is installed:
# a second of start-up per grading process for a format check notebooks never use.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def sandbox_problem() -> str | None:
    """Why the sandbox cannot be used here, or None when it can."""
    isolation = probe()
    return None if isolation.mode != "none" else "; ".join(isolation.missing)


async def _run(
    nb: NotebookNode, spec: LessonSpec, key_source: Future[AnswerKey], limits: Limits, factory: KernelFactory, cwd: Path
) -> tuple[dict[str, QuestionResult], list[CellEvent]]:
    import nbformat

    nb.cells.append(nbformat.v4.new_code_cell(""))  # type: ignore[no-untyped-call]
    scratch = len(nb.cells) - 1
    cells = [i for i in code_cells(nb) if i != scratch]
    # A question is graded after the last cell carrying its grade id (the student's final version).
    answer_cell = {gid: i for i in cells if (gid := grade_id(nb.cells[i])) is not None}
    by_cell: dict[int, list[Question]] = {}
    later: list[Question] = []  # function questions: graded after the last student cell
    for q in spec.questions:
        if q.cell in answer_cell:
            if q.kind == "value":
                by_cell.setdefault(answer_cell[q.cell], []).append(q)
            else:
                later.append(q)
    later.sort(key=lambda q: answer_cell[q.cell])
    cell_outcomes: dict[int, Outcome] = {}
    results: dict[str, QuestionResult] = {}
    events: list[CellEvent] = []
    completed: list[int] = []
    restarts = 0
    deadline = time.monotonic() + limits.total_timeout
    kernel = Kernel(nb, factory, limits, cwd)
    token = answers.new_token()

    def event(index: int, kind: str, message: str) -> None:
        events.append(CellEvent(index, grade_id(nb.cells[index]) if 0 <= index < scratch else None, kind, message))

    async def replace_kernel(index: int, why: str, *, told: bool = True) -> bool:
        """A fresh kernel with the completed cells run again; False when we must stop. Unless
        ``told``, a replacement that works adds no event."""
        nonlocal restarts
        if restarts >= limits.max_restarts:
            event(index, "gave-up", f"{why}; the kernel was already replaced {restarts} time(s), so grading stops here")
            return False
        restarts += 1
        try:
            await kernel.restart()
        except GradingError as err:
            event(index, "gave-up", f"{why}; a fresh kernel did not start ({err}), so grading stops here")
            return False
        for j in completed:
            outcome = await kernel.run(j, min(limits.cell_timeout, max(deadline - time.monotonic(), 0.1)))
            if outcome.kind in ("dead", "timeout"):
                event(j, "gave-up", f"re-running this cell in a fresh kernel failed ({outcome.message})")
                return False
        if told:
            event(
                index,
                "kernel-replaced",
                f"{why}; started a fresh kernel and re-ran the {len(completed)} cell(s) "
                "that had completed, skipping the failed ones",
            )
        return True

    async def settle(index: int, outcome: Outcome) -> bool:
        """Bring the kernel back after a timeout or death; False when grading must stop."""
        if outcome.kind in ("timeout", "broken") and await kernel.responsive():
            return True
        if outcome.kind in ("timeout", "dead", "broken"):
            why = "the kernel died" if outcome.kind == "dead" else "the kernel did not respond after an interrupt"
            return await replace_kernel(index, why)
        if outcome.kind in ("memory-limit", "process-limit"):
            # What the cell holds (memory, or processes not yet reaped) would starve the cells after it.
            return await replace_kernel(index, f"the cell hit the {outcome.kind.split('-')[0]} limit")
        return True

    async def grade_all(questions: list[Question], at: int) -> bool:
        """Grade questions in order, at cell ``at`` (for events); False when grading must stop."""
        for q in questions:
            # The key is computed in a thread while the kernel starts and the first cells run.
            key = await asyncio.wrap_future(key_source)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                event(at, "budget", f"the whole run took longer than {limits.total_timeout:g} s; stopped here")
                return False
            cell_outcome = cell_outcomes.get(answer_cell[q.cell], Outcome("ok"))
            results[q.id], snippet = await _grade_question(q, key, kernel, token, limits, cell_outcome, remaining)
            if q.kind != "value":
                # However a function's snippet failed, the kernel is replaced, silently: whether it
                # answered an interrupt, or died, or raised, would tell the way apart (see _grade_question).
                if not snippet.ok and not await replace_kernel(at, "a function did not complete", told=False):
                    return False
            # The snippet's own words are not passed on: settle() is told only how it ended.
            elif snippet.kind in ("timeout", "dead", "broken") and not await settle(at, Outcome(snippet.kind)):
                return False
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
            if kernel.dropped(index) < 0:
                why = f"the cell sent a message over {limits.message_bytes:,} bytes; it was dropped unread"
                event(index, "output-limit", why)
            elif kernel.dropped(index):
                event(
                    index,
                    "output-limit",
                    f"the cell printed over {limits.cell_output_bytes:,} bytes (or the "
                    f"notebook over {limits.total_output_bytes:,}); "
                    f"{kernel.dropped(index):,} bytes were dropped",
                )
            cell_outcomes[index] = outcome
            if outcome.ok:
                completed.append(index)
            else:
                event(index, outcome.kind, outcome.message)
                alive = await settle(index, outcome)
                if not alive:
                    break
            alive = await grade_all(by_cell.get(index, []), index)
            if not alive:
                break
        if alive:
            # From here on the kernel holds held-out text: nothing it says is repeated (see above).
            await grade_all(later, scratch)
    finally:
        await kernel.close()
    for q in spec.questions:
        if q.id in results:
            continue
        if q.cell not in answer_cell:
            feedback = f"No cell with grade id {q.cell!r} in the notebook (was it deleted, or its metadata changed?)."
            results[q.id] = result(q, 0.0, "not-found", feedback)
        else:
            results[q.id] = result(q, 0.0, "not-reached", "Grading stopped before this question's cell (see events).")
    return results, events


async def _grade_question(
    q: Question, key: AnswerKey, kernel: Kernel, token: str, limits: Limits, cell_outcome: Outcome, budget: float
) -> tuple[QuestionResult, Outcome]:
    """Pull and score one answer; ``budget`` is what is left of the whole run's time. Also says how
    the snippet ended, so a stuck or dead kernel can be brought back."""
    if q.kind == "value":
        code = answers.value_snippet(q.name, token, table=q.type == "table")
        timeout = limits.answer_timeout
    elif q.calls is not None:
        code = answers.apply_snippet(q.name, token, key.calls[q.id].args)
        timeout = q.timeout or limits.call_timeout
    else:
        held = key.heldout[q.id]
        if held.train is not None:
            code = answers.train_snippet(q.name, token, held.train, held.texts)
        else:
            code = answers.call_snippet(q.name, token, held.texts)
        timeout = q.timeout or limits.call_timeout
    timeout = min(timeout, budget)
    outcome, outputs = await kernel.snippet(code, timeout)
    too_large = kernel.dropped(len(kernel.nb.cells) - 1) < 0
    if q.kind != "value" and (not outcome.ok or too_large):
        # How a function's snippet ended is chosen by the function, with held-out text or the grader's
        # arguments at hand (raise, loop, exit, exhaust memory, send too much): whatever the way, it is
        # told as the function failing on every input, as if it had raised each time.
        if q.calls is not None:
            return grade_calls(q, answers.Pulled("ok", []), key.calls[q.id], cell_outcome), outcome
        return grade_function(q, answers.Pulled("ok", []), key.heldout[q.id], cell_outcome), outcome
    if not outcome.ok:
        if outcome.kind == "timeout":
            return result(q, 0.0, "error", f"Your `{q.name}` did not finish within {timeout:g} s."), outcome
        return result(q, 0.0, "error", f"Reading the answer failed: {outcome.message}."), outcome
    if too_large:
        why = f"the answer was sent in a message over {limits.message_bytes:,} bytes, which was dropped"
        return result(q, 0.0, "invalid", f"Reading the answer failed: {why}."), outcome
    pulled = answers.parse_outputs(outputs, token)
    if q.kind == "value":
        return grade_value(q, pulled, key.expected[q.id], cell_outcome), outcome
    if q.calls is not None:
        return grade_calls(q, pulled, key.calls[q.id], cell_outcome), outcome
    return grade_function(q, pulled, key.heldout[q.id], cell_outcome), outcome


@contextmanager
def _run_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="corpuskit-grade-") as folder:
        yield Path(folder)


def check_corpus_path(private: Sequence[Path]) -> None:
    """Refuse ``CORPUSKIT_PATH`` roots that hold or sit inside a private folder: the sandbox mounts them."""
    from corpuskit.corpus import PATH_VARIABLE

    for entry in os.environ.get(PATH_VARIABLE, "").split(os.pathsep):
        if not entry:
            continue
        root = Path(entry).resolve()
        for folder in private:
            if root.is_relative_to(folder) or folder.is_relative_to(root):
                raise GradingError(
                    f"{PATH_VARIABLE} root {root} holds or lies inside {folder}, which the kernel must not see; "
                    "point it at the corpus folder only"
                )


def _isolation(sandbox: str) -> Isolation:
    if sandbox == "off":
        return Isolation("none", ("--sandbox off",))
    isolation = probe()
    if isolation.mode == "none":
        raise GradingError(
            f"the sandbox cannot be used here ({'; '.join(isolation.missing)}); "
            "pass --sandbox off to grade without isolation (only for trusted notebooks)"
        )
    return isolation


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
    questions = tuple(result(q, 0.0, "not-reached", f"Not graded: {why}.") for q in spec.questions)
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
    warm: bool = True,
) -> Report:
    """Grade one submitted notebook. ``sandbox`` is ``auto``, ``on`` or ``off``.

    ``heldout_dir`` is a private held-out set (default: ``heldout/`` in the grading folder);
    ``release_dir`` holds the released notebooks whose locked cells are restored (default:
    ``exercises/`` beside the grading folder); ``hide`` lists more folders the kernel must not
    see (report folders, other submissions): a ``CORPUSKIT_PATH`` root holding one is refused.
    ``warm``: fork the kernel from a warm parent (``corpuskit.course.warm``) rather than start it cold.
    ``sandbox="off"`` grades without isolation; otherwise a machine without the sandbox is an error.
    Raises ``GradingError`` (or ``SpecError``) only when grading itself cannot happen; a broken
    or hostile submission gets a report.
    """
    started = time.monotonic()
    limits = limits or Limits()
    path = Path(submission)
    folder = find_grading_dir(grading_dir)
    nb, refusal, why = read_notebook(path)
    lesson_id = lesson or lesson_of(path, nb, folder)
    try:
        spec = load_spec(folder, lesson_id)
    except SpecError as err:
        raise GradingError(str(err)) from None
    heldout_root = Path(heldout_dir) if heldout_dir is not None else folder / "heldout"
    if heldout_dir is not None and not heldout_root.is_dir():
        raise GradingError(f"{heldout_root}: no such held-out folder")
    keys = ThreadPoolExecutor(max_workers=1)
    key_source = keys.submit(cached_key, spec, folder, heldout_root)
    keys.shutdown(wait=False)
    isolation = _isolation(sandbox)
    private = [folder.resolve(), heldout_root.resolve(), path.resolve().parent, *(Path(h).resolve() for h in hide)]
    check_corpus_path(private)
    if warm:  # the kernel's imports start now in a warm parent, while the notebook is read and restored
        warm_kernels.early(spec, isolation, limits, release_dir, folder)
    warnings = [w for w in (isolation.warning(),) if w]
    described = isolation.describe(limits)
    heldout_name = f"{'private' if heldout_dir is not None else 'public'} set {heldout_root.resolve()}"
    claimed = field(nb, "metadata", "corpuskit").get("lesson")
    if nb is not None and isinstance(claimed, str) and claimed != spec.lesson:
        refusal, why = "wrong-lesson", f"this notebook is lesson {claimed!r}, but it was graded as {spec.lesson!r}"
    if refusal:
        report = _refused(path, spec, refusal, why, warnings, isolation.label, described, time.monotonic() - started)
        return dataclasses.replace(report, heldout=heldout_name if key_source.result().heldout else "")
    releases = Path(release_dir) if release_dir is not None else folder.resolve().parent / "exercises"
    release = release_copy(spec, releases)
    restored: list[tuple[str, str]] = []
    if release is None:
        warnings.append(f"no released copy {releases / spec.notebook}: locked cells were run as submitted")
    else:
        restored = restore_locked(nb, release)
    with _run_dir() as run_dir, contextlib.ExitStack() as stack:
        uid = stack.enter_context(lease_uid()) if isolation.mode == "root" else 0
        factory = kernel_factory(run_dir, isolation, limits, spec.hidden_modules, uid)
        # Kernels forked from a warm parent when a pool runs for this lesson (batch mode), else cold ones.
        factory = stack.enter_context(warm_kernels.claimed(spec, isolation, limits, run_dir, factory))
        results, cell_events = asyncio.run(_run(nb, spec, key_source, limits, factory, run_dir))
    if not key_source.result().heldout:
        heldout_name = ""
    where = {gid: i for i, c in enumerate(nb.cells) if (gid := grade_id(c)) is not None}
    locked_events = [
        CellEvent(where.get(gid, -1), gid, "locked-cell", f"this locked cell was {what}") for gid, what in restored
    ]
    ordered = tuple(results[q.id] for q in spec.questions)
    report = Report(
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
    return report.redacted(sent_texts(key_source.result()))
