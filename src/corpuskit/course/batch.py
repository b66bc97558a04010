"""Grading a class: a folder of submissions, parallel workers, shards, a summary, merged shards.

``grade_class`` writes one JSON report per submission to ``OUT/reports/`` and a summary of the
reports in ``OUT/``: ``summary.csv`` (points per question), ``summary.md`` (a Markdown table) and
``histogram.png`` (scores). Shards (``--shard K/N``) take every N-th submission in sorted order,
starting at the K-th, so N shards partition a class exactly; ``merge`` joins their report
folders and writes the summary an unsharded run would have written.

Workers are processes, each grading one submission at a time in its own sandboxed kernel; a
worker keeps the lesson's answer key between submissions. A submission that cannot be graded
at all (no lesson, an unexpected error) gets a report with status ``not-graded``: one bad file
never stops the class.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuskit.course.report import CellEvent, Report
from corpuskit.course.sandbox import Limits
from corpuskit.errors import CorpuskitError
from corpuskit.fileio import write_text_atomic

REPORTS = "reports"
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
    """Every notebook under ``folder``, in a stable order (checkpoints skipped)."""
    if not folder.is_dir():
        raise BatchError(f"{folder}: no such folder of submissions")
    found = [p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file()]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def shard(items: Sequence[Path], k: int, n: int) -> list[Path]:
    """The K-th of N interleaved shards (every N-th item from the K-th): N shards partition the items."""
    return [item for i, item in enumerate(items) if i % n == k - 1]


def report_name(submission: Path, folder: Path) -> str:
    """A file name for a submission's report, unique within the class: ``alice/01.ipynb`` -> ``alice__01.json``."""
    return submission.relative_to(folder).with_suffix("").as_posix().replace("/", "__") + ".json"


def _grade_one(path: str, options: Options) -> dict[str, Any]:
    from corpuskit.course.grade import grade

    try:
        report = grade(
            path,
            lesson=options.lesson,
            grading_dir=options.grading_dir,
            limits=options.limits,
            sandbox=options.sandbox,
            heldout_dir=options.heldout_dir,
            release_dir=options.release_dir,
            hide=options.hide,
        )
    except Exception as err:  # one submission never stops the class
        why = f"{type(err).__name__}: {err}" if not isinstance(err, CorpuskitError) else str(err)
        report = Report(
            path,
            options.lesson or "?",
            options.lesson or "?",
            "not-graded",
            (),
            (CellEvent(-1, None, "not-graded", why),),
        )
    return report.to_dict()


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
) -> list[Report]:
    """Grade this shard of the submissions in ``submissions`` with ``jobs`` workers; write reports and a summary.

    The kernel never sees the submissions folder or ``out`` (other students' work, the reports).
    """
    folder, target = Path(submissions), Path(out)
    todo = shard(find_submissions(folder), *shard_of)
    (target / REPORTS).mkdir(parents=True, exist_ok=True)
    options = Options(
        lesson,
        None if grading_dir is None else str(grading_dir),
        limits or Limits(),
        sandbox,
        None if heldout_dir is None else str(heldout_dir),
        None if release_dir is None else str(release_dir),
        (str(folder.resolve()), str(target.resolve())),
    )
    reports: dict[Path, Report] = {}

    def done(path: Path, data: dict[str, Any]) -> None:
        report = Report.from_dict({**data, "submission": path.relative_to(folder).as_posix()})
        write_text_atomic(target / REPORTS / report_name(path, folder), report.to_json())
        reports[path] = report
        if progress is not None:
            progress(len(reports), len(todo), report)

    if jobs <= 1 or len(todo) <= 1:
        for path in todo:
            done(path, _grade_one(str(path), options))
    else:
        # fork: workers start at once and inherit the imports; each grade() runs its own event loop.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context) as pool:
            futures = {pool.submit(_grade_one, str(path), options): path for path in todo}
            for future in as_completed(futures):
                done(futures[future], future.result())
    ordered = [reports[path] for path in todo]
    write_summary(target, read_reports([target]))
    return ordered


def read_reports(folders: Iterable[Path]) -> list[Report]:
    """The reports in each folder's ``reports/``, sorted by submission; a submission twice is an error."""
    seen: dict[str, Report] = {}
    for folder in folders:
        if not (folder / REPORTS).is_dir():
            raise BatchError(f"{folder}: no {REPORTS}/ folder (is it the --out of a grading run?)")
        for path in sorted((folder / REPORTS).glob("*.json")):
            try:
                report = Report.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError) as err:
                raise BatchError(f"{path}: not a corpuskit report ({type(err).__name__}: {err})") from None
            if report.submission in seen and seen[report.submission] != report:
                raise BatchError(f"{path}: {report.submission} was graded twice with different results")
            seen[report.submission] = report
    return [seen[name] for name in sorted(seen)]


def merge(folders: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str]) -> list[Report]:
    """Join the report folders of several shards into ``out`` and write the class summary."""
    reports = read_reports([Path(f) for f in folders])
    target = Path(out)
    (target / REPORTS).mkdir(parents=True, exist_ok=True)
    for report in reports:
        name = report.submission.removesuffix(".ipynb").replace("/", "__") + ".json"
        write_text_atomic(target / REPORTS / name, report.to_json())
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
        lines.append(f"| {r.submission} | {r.status} | {r.score:g} / {r.max_score:g} | " + " | ".join(cells) + " |")
    if reports:
        means = []
        for i in ids:
            got = [q.points for r in reports for q in r.questions if q.id == i]
            means.append(f"{sum(got) / len(got):.2f}" if got else "")
        lines.append("| **mean** | | | " + " | ".join(means) + " |")
    return "\n".join(lines) + "\n"


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
