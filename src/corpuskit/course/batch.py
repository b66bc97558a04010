"""Grading a class: a folder of submissions, parallel workers, shards, a summary, merged shards.

``grade_class`` writes one JSON report per submission to ``OUT/reports/`` and a summary of the
reports in ``OUT/``: ``summary.csv`` (points per question), ``summary.md`` (a Markdown table) and
``histogram.png`` (scores). Shards (``--shard K/N``) take every N-th submission in sorted order,
starting at the K-th, so N shards partition a class exactly; ``merge`` joins their report
folders and writes the summary an unsharded run would have written.

Each submission is graded in a process of its own, forked from this one (up to ``jobs`` at a
time), with its own sandboxed kernel; the lesson's answer key is computed once, before the
first fork. A submission that cannot be graded at all (no lesson, a symbolic link, an
unexpected error, a grading process killed for memory) gets a report with status
``not-graded``: one bad file never stops the class. Without a lesson given, a submission whose
file name starts with a lesson id is graded as that lesson, so one whose metadata names another
is refused ``wrong-lesson`` rather than listed, with full marks, among the wrong lesson's rows.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any
from urllib.parse import quote

from corpuskit.course.clean import escaped_name
from corpuskit.course.report import FEEDBACK_CHARS, CellEvent, Report
from corpuskit.course.sandbox import Limits
from corpuskit.course.warm import for_class as warm_pool
from corpuskit.errors import CorpuskitError
from corpuskit.fileio import write_text_atomic

REPORTS = "reports"
# The report files a run or a merge wrote, so a later merge leaves out what earlier runs left behind.
MANIFEST = "reports.json"
# A report name longer than this is cut and told apart by a hash of the whole submission path
# (file systems allow 255 bytes; the names kept whole are shorter than every cut one).
REPORT_NAME_BYTES = 200
Progress = Callable[[int, int, Report], None]


class BatchError(CorpuskitError):
    """The class cannot be graded: no submissions folder, a bad shard, reports that do not merge."""


@dataclass(frozen=True, slots=True)
class Options:
    """Everything ``grade`` needs besides the submission, shared by every worker."""

    lesson: str | None = None
    grading_dir: str | None = None
    limits: Limits = field(default_factory=Limits)
    sandbox: str = "auto"
    heldout_dir: str | None = None
    release_dir: str | None = None
    hide: tuple[str, ...] = ()
    warm: bool = True


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` as ``(2, 4)``; K counts from 1."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise BatchError(f"--shard must look like K/N, e.g. 1/4, not {text!r}") from None
    if not 1 <= k <= n:
        raise BatchError(f"--shard {text}: K must be between 1 and N")
    return k, n


def find_submissions(folder: Path) -> list[Path]:
    """Every notebook under ``folder``, in a stable order (checkpoints skipped).

    Symbolic links, folders, FIFOs and devices named ``*.ipynb`` are listed too, so that each gets a
    report refusing it rather than being skipped unseen.
    """
    if not folder.is_dir():
        raise BatchError(f"{folder}: no such folder of submissions")
    found = [p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.relative_to(folder).parts]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def shard(items: Sequence[Path], k: int, n: int) -> list[Path]:
    """The K-th of N interleaved shards (every N-th item from the K-th): N shards partition the items."""
    return [item for i, item in enumerate(items) if i % n == k - 1]


def report_name(submission: str) -> str:
    """The file name of a submission's report, one to one: ``alice/01.ipynb`` -> ``alice%2F01.json``.

    Percent-encoding keeps names apart that a readable join would merge (``alice/01``, ``alice__01``).
    A name over ``REPORT_NAME_BYTES`` keeps its first ``REPORT_NAME_BYTES`` characters and adds a
    hash of the whole path, so it stays under the file system's limit and apart from every other.
    """
    import hashlib

    encoded = quote(submission.removesuffix(".ipynb"), safe="-._~")
    if len(encoded) <= REPORT_NAME_BYTES:
        return encoded + ".json"
    cut = encoded[:REPORT_NAME_BYTES]
    cut = cut[: cut.rfind("%")] if "%" in cut[-2:] else cut  # never half an escape
    return f"{cut}~{hashlib.sha256(submission.encode('utf-8', 'surrogateescape')).hexdigest()[:32]}.json"


def _not_graded(path: str, options: Options, why: str) -> dict[str, Any]:
    lesson = options.lesson or "?"
    return Report(path, lesson, lesson, "not-graded", (), (CellEvent(-1, None, "not-graded", why),)).to_dict()


def _lesson_named(path: Path, grading_dir: str | None) -> str | None:
    """The longest lesson id the file name starts with, or None."""
    from corpuskit.course.spec import find_grading_dir, lesson_ids

    named = [lesson for lesson in lesson_ids(find_grading_dir(grading_dir)) if path.stem.startswith(lesson)]
    return max(named, key=len) if named else None


def _grade_one(path: str, options: Options, folder: Path) -> dict[str, Any]:
    from corpuskit.course.grade import grade
    from corpuskit.course.notebook import read_submission

    if not Path(path).is_symlink() and not Path(path).is_file():
        # Checked before anything opens it: opening a FIFO would wait for a writer.
        why = "not a regular file (a folder, a FIFO or a device named *.ipynb); nothing was read"
        return _not_graded(path, options, why)
    try:
        read_submission(Path(path), folder)
        report = grade(
            path,
            # The name decides where it names a lesson: grade() refuses metadata naming another.
            lesson=options.lesson or _lesson_named(Path(path), options.grading_dir),
            grading_dir=options.grading_dir,
            limits=options.limits,
            sandbox=options.sandbox,
            heldout_dir=options.heldout_dir,
            release_dir=options.release_dir,
            hide=options.hide,
            warm=options.warm,
        )
    except Exception as err:  # one submission never stops the class
        return _not_graded(path, options, str(err) if isinstance(err, CorpuskitError) else type(err).__name__)
    return report.to_dict()


def _worker(path: str, options: Options, folder: Path, out: Connection) -> None:
    out.send(_grade_one(path, options, folder))
    out.close()


def _died(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else str(-exitcode)
        hint = " (killed: out of memory?)" if exitcode == -signal.SIGKILL else ""
        return f"the grading process died on signal {name}{hint}"
    return f"the grading process exited with status {exitcode} before its report"


def _run_workers(todo: Sequence[Path], options: Options, folder: Path, jobs: int, done: Callable[..., None]) -> None:
    """Grade each submission in a forked process, ``jobs`` at a time; a process that dies costs its row only."""
    context = multiprocessing.get_context("fork")
    pending = list(todo)
    running: dict[Connection, tuple[Any, Path]] = {}
    while pending or running:
        while pending and len(running) < max(1, jobs):
            path = pending.pop(0)
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(str(path), options, folder, writer))
            process.start()
            writer.close()
            running[reader] = (process, path)
        for ready in wait(list(running)):
            assert isinstance(ready, Connection)
            process, path = running.pop(ready)
            try:
                data = ready.recv()
            except (EOFError, OSError):  # the process died before sending its report
                data = None
            ready.close()
            process.join()
            done(path, data if data is not None else _not_graded(str(path), options, _died(process.exitcode)))


def _warm_key(options: Options) -> None:
    """Compute the lesson's answer key here, so every forked grading process inherits it."""
    from corpuskit.course.key import cached_key
    from corpuskit.course.spec import find_grading_dir, load_spec

    if options.lesson is None:
        return
    try:
        grading = find_grading_dir(options.grading_dir)
        spec = load_spec(grading, options.lesson)
        heldout = Path(options.heldout_dir) if options.heldout_dir else grading / "heldout"
        cached_key(spec, grading, heldout)
    except Exception:  # each submission's report says what went wrong
        return


def grade_class(
    submissions: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    jobs: int = 1,
    shard_of: tuple[int, int] = (1, 1),
    progress: Progress | None = None,
    lesson: str | None = None,
    grading_dir: str | os.PathLike[str] | None = None,
    limits: Limits | None = None,
    sandbox: str = "auto",
    heldout_dir: str | os.PathLike[str] | None = None,
    release_dir: str | os.PathLike[str] | None = None,
    warm: bool = True,
) -> list[Report]:
    """Grade this shard of the submissions in ``submissions`` with ``jobs`` workers; write reports and a summary.

    The kernel never sees the submissions folder or ``out`` (other students' work, the reports).
    """
    from corpuskit.course.grade import check_corpus_path

    folder, target = Path(submissions), Path(out)
    everything = find_submissions(folder)
    if not everything:
        raise BatchError(f"{folder}: no notebooks (*.ipynb) to grade")
    try:
        check_corpus_path([folder.resolve(), target.resolve()])
    except CorpuskitError as err:
        raise BatchError(str(err)) from None
    todo = shard(everything, *shard_of)
    (target / REPORTS).mkdir(parents=True, exist_ok=True)
    options = Options(
        lesson,
        None if grading_dir is None else str(grading_dir),
        limits or Limits(),
        sandbox,
        None if heldout_dir is None else str(heldout_dir),
        None if release_dir is None else str(release_dir),
        (str(folder.resolve()), str(target.resolve())),
        warm,
    )
    reports: dict[Path, Report] = {}
    written: list[str] = []
    write_manifest(target, written)

    def done(path: Path, data: dict[str, Any]) -> None:
        name = path.relative_to(folder).as_posix()
        report = Report.from_dict({**data, "submission": escaped_name(name, FEEDBACK_CHARS)})
        # Named after the path itself: the report's submission is cut to one line of bounded length.
        written.append(report_name(name))
        write_text_atomic(target / REPORTS / written[-1], report.to_json())
        reports[path] = report
        if progress is not None:
            progress(len(reports), len(todo), report)

    # With ``warm``, each worker's kernels are forked from a warm parent of its own (corpuskit.course.warm),
    # which imports the lesson's modules while the answer key is computed here.
    o = options
    with warm_pool(o.lesson, o.grading_dir, o.sandbox, o.limits, o.release_dir, jobs if warm else 0):
        _warm_key(options)
        # fork: each process starts at once with the imports and the answer key; each grade() runs its own loop.
        _run_workers(todo, options, folder, jobs, done)
    ordered = [reports[path] for path in todo]
    write_manifest(target, written)
    # This run's reports only: whatever an earlier run left in OUT/reports/ stays out of the summary.
    write_summary(target, sorted(ordered, key=lambda r: r.submission))
    return ordered


def write_manifest(out: Path, names: Iterable[str]) -> None:
    write_text_atomic(out / MANIFEST, json.dumps({"reports": sorted(names)}, indent=1) + "\n")


def _listed(folder: Path) -> list[Path]:
    """The report files the folder's last run wrote (every one in ``reports/`` when it kept no list)."""
    if not (folder / MANIFEST).is_file():
        return sorted((folder / REPORTS).glob("*.json"))
    try:
        names = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["reports"]
        if not all(isinstance(n, str) and n == Path(n).name for n in names):
            raise TypeError("a name that is not a plain file name")
    except (ValueError, KeyError, TypeError) as err:
        raise BatchError(f"{folder / MANIFEST}: not a list of reports ({type(err).__name__}: {err})") from None
    return [folder / REPORTS / name for name in sorted(names)]


def read_reports(folders: Iterable[Path]) -> list[Report]:
    """The reports each folder's last run wrote, sorted by submission; a submission twice is an error."""
    return [report for _, report in _read_named(folders)]


def _read_named(folders: Iterable[Path]) -> list[tuple[str, Report]]:
    """:func:`read_reports` with each report's file name. Reports are told apart by file name, which
    :func:`report_name` makes from the whole submission path, one to one: the ``submission`` in a
    report is shown escaped and cut, so two long names may read alike there."""
    seen: dict[str, Report] = {}
    for folder in folders:
        if not (folder / REPORTS).is_dir():
            raise BatchError(f"{folder}: no {REPORTS}/ folder (is it the --out of a grading run?)")
        for path in _listed(folder):
            try:
                report = Report.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except FileNotFoundError:
                raise BatchError(f"{path}: listed in {folder / MANIFEST} but missing") from None
            except (ValueError, KeyError, TypeError) as err:
                raise BatchError(f"{path}: not a corpuskit report ({type(err).__name__}: {err})") from None
            if path.name in seen and seen[path.name] != report:
                raise BatchError(f"{path}: {report.submission} was graded twice with different results")
            seen[path.name] = report
    return sorted(seen.items(), key=lambda item: (item[1].submission, item[0]))


def merge(folders: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str]) -> list[Report]:
    """Join the report folders of several shards into ``out`` and write the class summary."""
    named = _read_named([Path(f) for f in folders])
    target = Path(out)
    (target / REPORTS).mkdir(parents=True, exist_ok=True)
    for name, report in named:
        write_text_atomic(target / REPORTS / name, report.to_json())
    write_manifest(target, [name for name, _ in named])
    reports = [report for _, report in named]
    write_summary(target, reports)
    return reports


def question_ids(reports: Iterable[Report]) -> list[str]:
    return list(dict.fromkeys(q.id for r in reports for q in r.questions))


def summary_csv(reports: Sequence[Report]) -> str:
    """One row per submission: lesson, status, score, max score, then points per question."""
    ids = question_ids(reports)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "lesson", "status", "score", "max_score", *ids])
    for r in reports:
        points = {q.id: q.points for q in r.questions}
        writer.writerow(
            [
                r.submission,
                r.lesson,
                r.status,
                f"{r.score:g}",
                f"{r.max_score:g}",
                *(f"{points[i]:g}" if i in points else "" for i in ids),
            ]
        )
    return buffer.getvalue()


def summary_markdown(reports: Sequence[Report]) -> str:
    """A Markdown table of the class, with the mean per question."""
    ids = question_ids(reports)
    lines = [f"## Class summary: {len(reports)} submission{'s' if len(reports) != 1 else ''}", ""]
    if reports:
        mean = sum(r.score for r in reports) / len(reports)
        lines += [f"Mean score {mean:.2f} of {max(r.max_score for r in reports):g}.", ""]
    lines += ["| submission | status | score | " + " | ".join(ids) + " |", "|---|---|---:|" + "---:|" * len(ids)]
    for r in reports:
        points = {q.id: q.points for q in r.questions}
        cells = [f"{points[i]:g}" if i in points else "" for i in ids]
        lines.append(
            f"| {markdown_cell(r.submission)} | {r.status} | {r.score:g} / {r.max_score:g} | "
            + " | ".join(cells)
            + " |"
        )
    if reports:
        means = []
        for i in ids:
            got = [q.points for r in reports for q in r.questions if q.id == i]
            means.append(f"{sum(got) / len(got):.2f}" if got else "")
        lines.append("| **mean** | | | " + " | ".join(means) + " |")
    return "\n".join(lines) + "\n"


def markdown_cell(text: str) -> str:
    """Text as one Markdown table cell: no character of a file name can end the cell or the row."""
    import re

    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~])", r"\\\1", text)


def histogram_png(reports: Sequence[Report], path: Path) -> bool:
    """A histogram of the scores as a PNG; False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    scores = [r.score for r in reports]
    top = max((r.max_score for r in reports), default=1.0) or 1.0
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    ax.hist(scores, bins=min(20, max(1, int(top) + 1)), range=(0, top), color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"score (of {top:g})")
    ax.set_ylabel("submissions")
    ax.set_title(f"{len(scores)} submissions")
    fig.tight_layout()
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fig.savefig(temp, format="png", metadata={"Software": None})
    plt.close(fig)
    os.replace(temp, path)
    return True


def write_summary(out: Path, reports: Sequence[Report]) -> None:
    write_text_atomic(out / "summary.csv", summary_csv(reports))
    write_text_atomic(out / "summary.md", summary_markdown(reports))
    histogram_png(reports, out / "histogram.png")
