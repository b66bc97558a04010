"""The sprint's figures for a slide: ``corpuskit sprint report DIR`` writes ``report.md``, a
heatmap of the pairwise F1 (``pairwise-f1.png``) and a histogram of the students' F1 against
the class majority (``scores.png``, with the gold beside it when asked for)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from corpuskit.fileio import write_text_atomic
from corpuskit.sprint.collect import Pool
from corpuskit.sprint.measure import ClassAgreement, Reading

REPORT_FILE = "report.md"
HEATMAP_FILE = "pairwise-f1.png"
HISTOGRAM_FILE = "scores.png"
SHOWN_SITES = 10


def reading_text(text: str, reading: Reading) -> str:
    """A reading as the class would say it: ``[the United States](GPE)``, or ``(nothing)``."""
    if not reading:
        return "(nothing)"
    return " ".join(f"[{text[s:e]}]({label})" for s, e, label in reading)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def markdown(pool: Pool, result: ClassAgreement) -> str:
    """The report as Markdown: the figures, the most split spans, the students from lowest."""
    where = pool.section or f"[{pool.passage[0]}, {pool.passage[1]})"
    n = len(result.students)
    lines = [
        f"# Class annotation sprint: {pool.document}, passage {where}",
        "",
        f"{n} students, {result.tokens} tokens, {len(result.majority)} spans marked by a majority.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| Krippendorff's alpha (tokens, nominal) | {result.alpha:.3f} |",
        f"| Fleiss' kappa (tokens) | {result.kappa:.3f} |",
        f"| mean pairwise F1 (strict spans) | {_mean(_off_diagonal(result.pairwise)):.3f} |",
        f"| mean F1 against the class majority | {_mean(result.versus_majority):.3f} |",
    ]
    if result.versus_gold is not None and result.majority_versus_gold is not None:
        lines.append(f"| mean F1 against the gold | {_mean(result.versus_gold):.3f} |")
        lines.append(f"| the majority's F1 against the gold | {result.majority_versus_gold:.3f} |")
    lines += ["", "## Alpha per label", "", "| label | alpha |", "|---|---|"]
    lines += [f"| {label} | {alpha:.3f} |" for label, alpha in result.alpha_by_label]
    lines += ["", "## Where the class splits most", ""]
    disputed = result.disputed
    if not disputed:
        lines.append("Nowhere: every student gave the same reading of every span.")
    for rank, site in enumerate(disputed[:SHOWN_SITES], start=1):
        lines.append(
            f"{rank}. {pool.text[site.start : site.end]!r} at [{site.start}, {site.end}): split {site.split:.2f}"
        )
        lines += [f"   - {count} × {reading_text(pool.text, reading)}" for reading, count in site.readings]
    if len(disputed) > SHOWN_SITES:
        lines.append(f"\n{len(disputed) - SHOWN_SITES} more disputed site(s) not shown.")
    lines += ["", "## Students, lowest agreement with the majority first", ""]
    header = "| student | F1 vs majority |" + (" F1 vs gold |" if result.versus_gold is not None else "")
    lines += [header, "|---|---|" + ("---|" if result.versus_gold is not None else "")]
    order = sorted(range(n), key=lambda i: (result.versus_majority[i], result.students[i]))
    for i in order:
        gold = f" {result.versus_gold[i]:.3f} |" if result.versus_gold is not None else ""
        lines.append(f"| {result.students[i]} | {result.versus_majority[i]:.3f} |{gold}")
    if pool.problems:
        lines += ["", "## Submissions reported at collection", ""]
        lines += [f"- {problem.line()}" for problem in pool.problems]
    lines += ["", f"![pairwise F1]({HEATMAP_FILE})", "", f"![scores]({HISTOGRAM_FILE})", ""]
    return "\n".join(lines)


def _off_diagonal(matrix: Sequence[Sequence[float]]) -> list[float]:
    return [v for i, row in enumerate(matrix) for j, v in enumerate(row) if i != j]


def heatmap(result: ClassAgreement, path: str | os.PathLike[str]) -> None:
    """The pairwise F1 matrix as a heatmap, students in the order of the pool."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(result.students)
    size = max(4.0, 0.22 * n + 2.0)
    fig, ax = plt.subplots(figsize=(size + 1.0, size))
    image = ax.imshow(result.pairwise, vmin=0.0, vmax=1.0, cmap="viridis")
    ax.set_xticks(range(n), result.students, rotation=90, fontsize=6)
    ax.set_yticks(range(n), result.students, fontsize=6)
    ax.set_title("Pairwise F1 (strict spans)")
    fig.colorbar(image, ax=ax, shrink=0.8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def histogram(result: ClassAgreement, path: str | os.PathLike[str]) -> None:
    """The students' F1 against the majority (and against the gold when measured)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    bins = [i / 20 for i in range(21)]
    ax.hist(result.versus_majority, bins=bins, alpha=0.7, label="against the class majority")
    if result.versus_gold is not None:
        ax.hist(result.versus_gold, bins=bins, alpha=0.6, label="against the gold")
        ax.legend(fontsize=8)
    ax.set_xlabel("F1 (strict spans)")
    ax.set_ylabel("students")
    ax.set_title("Student scores")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(pool: Pool, result: ClassAgreement, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the Markdown and both PNGs into ``folder``; returns the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    heatmap(result, out / HEATMAP_FILE)
    histogram(result, out / HISTOGRAM_FILE)
    write_text_atomic(out / REPORT_FILE, markdown(pool, result))
    return [out / REPORT_FILE, out / HEATMAP_FILE, out / HISTOGRAM_FILE]
