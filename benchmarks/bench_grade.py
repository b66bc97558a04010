"""Grading speed: corpuskit vs ``nbgrader autograde`` vs ``otter run`` on lesson 1, in one run.

The same submission (the lesson 1 solution, 9 points) is graded by each tool with lesson 1's six
questions expressed in its own format: corpuskit's spec, nbgrader hidden tests added to our
source notebook's check cells, otter OK-format tests in an autograder zip. All three kernels
run the same Python environment. corpuskit runs in its sandbox (bubblewrap, as
root or a normal user); the peers run unsandboxed, as they do by default.

    python benchmarks/bench_grade.py                 # one submission (median of 3) and a batch of 20
    python benchmarks/bench_grade.py --runs 1 --batch 5

A full run takes about 9 minutes on 2 cores (5 of them otter's twenty runs). The peers are
installed into their own virtual environment on first use (see peers.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import peers

ROOT = peers.ROOT
SOLUTION = ROOT / "solutions" / f"{peers.LESSON}.ipynb"


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def corpuskit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corpuskit", "grade", *args], capture_output=True, text=True, check=True, cwd=ROOT
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of the single-submission case (median)")
    parser.add_argument("--batch", type=int, default=20, help="submissions in the batch case")
    parser.add_argument("--jobs", type=int, default=2, help="corpuskit workers in the batch case")
    args = parser.parse_args()

    from corpuskit.course.sandbox import Limits, probe

    isolation = probe()
    print(f"corpuskit sandbox: {isolation.describe(Limits())}")
    folder = peers.peers_venv()
    work = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        env = peers.environment(work, folder)
        students = [f"s{i:02d}" for i in range(1, args.batch + 1)]
        course = peers.nbgrader_course(work, students)
        generated = peers.nbgrader(course, env, "generate_assignment", "lesson1", "--force")
        assert generated.returncode == 0, generated.stderr[-2000:]
        autograder = peers.otter_autograder(work)
        klass = work / "class"
        klass.mkdir()
        for student in students:
            shutil.copy(SOLUTION, klass / f"{student}.ipynb")

        def ours_one() -> float:
            return float(json.loads(corpuskit(str(SOLUTION), "--json").stdout)["score"])

        def nbgrader_one() -> float:
            done = peers.nbgrader(course, env, "autograde", "lesson1", "--force", "--student", "s01")
            assert done.returncode == 0, done.stderr[-2000:]
            return peers.nbgrader_scores(course, env)["s01"]

        def otter_one() -> float:
            return peers.otter_run(SOLUTION, autograder, work / "otter-out", env)

        single: dict[str, list[float]] = {"corpuskit": [], "nbgrader": [], "otter": []}
        scores: dict[str, object] = {}
        for _ in range(args.runs):
            for name, action in (("corpuskit", ours_one), ("nbgrader", nbgrader_one), ("otter", otter_one)):
                seconds, scores[name] = timed(action)
                single[name].append(seconds)
        print(f"\none submission (median of {args.runs}), score 9 expected:")
        medians = {name: statistics.median(times) for name, times in single.items()}
        for name, seconds in medians.items():
            print(f"  {name:<10} {seconds:7.2f} s   score {scores[name]}")
        for peer in ("nbgrader", "otter"):
            print(
                f"  corpuskit / {peer}: {medians['corpuskit'] / medians[peer]:.2f} of the time "
                f"({medians[peer] / medians['corpuskit']:.1f}x faster)"
            )

        def ours_batch() -> list[float]:
            out = work / "grades"
            corpuskit(str(klass), "--lesson", peers.LESSON, "--jobs", str(args.jobs), "--out", str(out))
            return [json.loads(p.read_text())["score"] for p in sorted((out / "reports").glob("*.json"))]

        def nbgrader_batch() -> list[float]:
            done = peers.nbgrader(course, env, "autograde", "lesson1", "--force")
            assert done.returncode == 0, done.stderr[-2000:]
            return list(peers.nbgrader_scores(course, env).values())

        def otter_batch() -> list[float]:
            return [peers.otter_run(klass / f"{s}.ipynb", autograder, work / "otter-batch" / s, env) for s in students]

        batch: dict[str, float] = {}
        print(f"\na batch of {args.batch} (corpuskit with --jobs {args.jobs}; the peers grade one at a time):")
        for name, action in (("corpuskit", ours_batch), ("nbgrader", nbgrader_batch), ("otter", otter_batch)):
            batch[name], result = timed(action)
            got = result if isinstance(result, list) else []
            print(
                f"  {name:<10} {batch[name]:7.2f} s   {args.batch / batch[name] * 60:6.1f} submissions/min   "
                f"scores {sorted(set(got))}"
            )
        for peer in ("nbgrader", "otter"):
            print(f"  corpuskit throughput / {peer}: {batch[peer] / batch['corpuskit']:.1f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
