"""Execution time of every solution notebook against its floor: a kernel start plus its imports.

For each ``solutions/*.ipynb`` the benchmark builds a second notebook holding only the
top-level import lines of that notebook (in order, each once), then executes both with nbclient
in fresh kernels, interleaved, and compares the medians. Both times include starting and
stopping the kernel, so the ratio says how much the lesson's own work adds to what any notebook
with the same imports costs. A lesson that trains a model tags the cells that do the training (and
load what it needs) ``training``; its floor also runs those cells, since no notebook that trains the
same models can skip them. Target: at most 2x.

    python benchmarks/bench_notebooks.py [--runs 3] [LESSON ...]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
TARGET = 2.0
IMPORT = re.compile(r"^(?:import \S|from \S+ import )")


def import_lines(nb: nbformat.NotebookNode) -> list[str]:
    """The notebook's top-level import statements, each once, in order (continuations kept)."""
    lines: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source.splitlines()
        k = 0
        while k < len(source):
            line = source[k]
            if IMPORT.match(line):
                statement = [line]
                while statement[-1].rstrip().endswith(("(", ",", "\\")) and k + 1 < len(source):
                    k += 1
                    statement.append(source[k])
                text = "\n".join(statement)
                if text not in lines:
                    lines.append(text)
            k += 1
    return lines


def floor_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    floor = nbformat.v4.new_notebook()
    floor.metadata = nb.metadata
    floor.cells = [nbformat.v4.new_code_cell("\n".join(import_lines(nb)))]
    floor.cells += [nbformat.v4.new_code_cell(c.source) for c in nb.cells if "training" in c.metadata.get("tags", [])]
    return floor


def execute(nb: nbformat.NotebookNode) -> float:
    """Seconds to start a kernel, run every cell and shut the kernel down."""
    copy = nbformat.from_dict(nb)
    started = time.perf_counter()
    NotebookClient(copy, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson ids (default: every solution notebook)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each notebook (median; default 3)")
    args = parser.parse_args(argv)
    paths = sorted(SOLUTIONS.glob("*.ipynb"))
    if args.lessons:
        paths = [p for p in paths if p.stem in args.lessons or any(p.stem.startswith(x) for x in args.lessons)]
    header = f"{'lesson':<22} {'notebook s':>10} {'floor s':>8} {'ratio':>6}"
    print(f"{header}  (median of {args.runs}; target <= {TARGET:g}x)")
    worst = 0.0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        floor = floor_notebook(nb)
        full_times, floor_times = [], []
        for _ in range(args.runs):
            floor_times.append(execute(floor))
            full_times.append(execute(nb))
        full, base = statistics.median(full_times), statistics.median(floor_times)
        ratio = full / base
        worst = max(worst, ratio)
        flag = "" if ratio <= TARGET else "  over target"
        print(f"{path.stem:<22} {full:>10.2f} {base:>8.2f} {ratio:>6.2f}{flag}", flush=True)
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
