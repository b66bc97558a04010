"""`corpuskit extract` (the rules system, JSON out) on texts of 25k to 1M characters: linear.

Each input is the shipped article and the held-out texts, joined by blank lines and repeated
up to the size, cut at the size (deterministic, built in a temporary folder). Every command
runs as a fresh process, as a user runs it, and the median of ``--runs`` is kept. Printed per
size: the wall-clock time and the CPU time (user + system) of the whole command, the ratio of
CPU times to the previous size (target: at most 2.2x per doubling, other steps scaled to their
size ratio) and, as a floor, the CPU time of the same text through spaCy's own blank English
tokenizer and sentencizer in a fresh process. The ratios use CPU time because on a shared
machine the wall clock also counts the other processes' turns. The largest input
is over spaCy's ``max_length`` (1,000,000), so it is annotated in pieces. Target: 1 MiB in
at most 60 s.

    python benchmarks/bench_extract.py [--runs 1] [--sizes 25000,50000,...]
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    ROOT / "corpus" / "hanoi-summit-2019" / "text.txt",
    *sorted((ROOT / "grading" / "heldout").glob("*/text.txt")),
]
SIZES = [25_000, 50_000, 100_000, 200_000, 400_000, 800_000, 1_048_576]
SCRIPT = Path(sys.executable).parent / "corpuskit"
ENTRY = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "corpuskit"]
DOUBLING_TARGET = 2.2
LARGEST_TARGET_S = 60.0
# The floor: tokenizing and splitting sentences with spaCy alone, in max_length pieces.
FLOOR = """
import sys, spacy
nlp = spacy.blank("en"); nlp.add_pipe("sentencizer")
text = open(sys.argv[1], encoding="utf-8").read()
for start in range(0, len(text), nlp.max_length):
    sum(1 for _ in nlp(text[start : start + nlp.max_length]).sents)
"""


def build_input(size: int) -> str:
    """The shipped texts, joined by blank lines, repeated and cut to ``size`` characters."""
    texts = [path.read_text(encoding="utf-8") for path in SOURCES]
    whole = "\n\n".join(texts)
    repeats = size // (len(whole) + 2) + 1
    return "\n\n".join([whole] * repeats)[:size]


def timed(command: list[str]) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_run(command: list[str], runs: int) -> tuple[float, float]:
    """The median wall-clock and the median CPU seconds of ``runs`` runs."""
    found = [timed(command) for _ in range(runs)]
    return statistics.median(w for w, _ in found), statistics.median(c for _, c in found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="runs per size; the median is kept (default: 1)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated sizes in characters")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[tuple[int, float, float, float]] = []  # size, extract wall, extract CPU, floor CPU
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"input-{size}.txt"
            path.write_text(build_input(size), encoding="utf-8")
            command = [*ENTRY, "extract", str(path), "--dct", "2019-02-28", "--format", "json", "-o", f"{path}.json"]
            wall, cpu = median_run(command, args.runs)
            _, floor = median_run([sys.executable, "-c", FLOOR, str(path)], args.runs)
            rows.append((size, wall, cpu, floor))
    header = [("characters", 10), ("wall", 8), ("CPU", 8), ("x previous", 10), ("size x", 6), ("floor CPU", 9)]
    print("  ".join(f"{name:>{width}}" for name, width in [*header, ("x floor", 7)]))
    met = True
    for k, (size, wall, cpu, floor) in enumerate(rows):
        step = f"{'':>10}  {'':>6}"
        if k:
            ratio, grown = cpu / rows[k - 1][2], size / rows[k - 1][0]
            # A step other than a doubling is held to the same growth rate: 2.2x per 2x.
            met &= ratio <= DOUBLING_TARGET ** math.log2(grown)
            step = f"{ratio:9.2f}x  {grown:5.2f}x"
        print(f"{size:>10,}  {wall:7.2f}s  {cpu:7.2f}s  {step}  {floor:8.2f}s  {cpu / floor:6.1f}x")
    largest_size, largest = rows[-1][0], rows[-1][1]
    print(
        f"each step's CPU time within {DOUBLING_TARGET}x per doubling: {'met' if met else 'NOT met'}; "
        f"{largest_size:,} characters in {largest:.1f}s wall-clock (target <= {LARGEST_TARGET_S:.0f}s: "
        f"{'met' if largest <= LARGEST_TARGET_S else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
