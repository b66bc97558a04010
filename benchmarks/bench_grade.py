"""Grading speed: corpuskit vs ``nbgrader autograde`` vs ``otter run`` on lesson 1, in one run.

The same submission (the lesson 1 solution, 9 points) is graded by each tool with lesson 1's six
questions expressed in its own format: corpuskit's spec, nbgrader hidden tests added to our
source notebook's check cells, otter OK-format tests in an autograder zip. All three kernels
run the same Python environment. corpuskit runs in its sandbox (bubblewrap, as
root or a normal user); the peers run unsandboxed, as they do by default.

    python benchmarks/bench_grade.py                 # one submission (median of 3) and a batch of 20
    python benchmarks/bench_grade.py --runs 1 --batch 5
    python benchmarks/bench_grade.py --peers nbgrader  # leave otter out (5 of the 9 minutes)

The batch is graded twice by corpuskit: as ``corpuskit grade`` does by default, with kernels forked
from a warm parent per worker, and with ``--cold`` (every kernel started from scratch). While it
runs, the proportional set size (PSS: shared pages divided among the processes sharing them) of
the whole ``corpuskit grade`` process tree is sampled; its peak divided by the workers is the
memory per worker. The load average is printed beside each figure: on a shared machine the
times move with it.

A full run takes about 9 minutes on 2 cores (5 of them otter's twenty runs). The peers are
installed into their own virtual environment on first use (see peers.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def _tree(root: int) -> list[int]:
    """``root`` and every process below it, by each process's parent in /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def corpuskit_sampled(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``corpuskit grade`` and sample its process tree's PSS; returns the run and the peak in MiB."""
    process = subprocess.Popen(
        [sys.executable, "-m", "corpuskit", "grade", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], sum(_pss_kib(pid) for pid in _tree(process.pid)))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    sampler.join()
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, process.args, out, err)
    return subprocess.CompletedProcess(process.args, 0, out, err), peak[0] / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of the single-submission case (median)")
    parser.add_argument("--batch", type=int, default=20, help="submissions in the batch case")
    parser.add_argument("--jobs", type=int, default=2, help="corpuskit workers in the batch case")
    parser.add_argument("--peers", default="nbgrader,otter", help="peers to run, comma-separated (nbgrader always)")
    args = parser.parse_args()
    peer_names = ["nbgrader", *(["otter"] if "otter" in args.peers.split(",") else [])]

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

        single: dict[str, list[float]] = {name: [] for name in ("corpuskit", *peer_names)}
        scores: dict[str, object] = {}
        one = {"corpuskit": ours_one, "nbgrader": nbgrader_one, "otter": otter_one}
        print(f"\none submission (median of {args.runs}), score 9 expected; {load()} at the start")
        for _ in range(args.runs):
            for name in single:
                seconds, scores[name] = timed(one[name])
                single[name].append(seconds)
        medians = {name: statistics.median(times) for name, times in single.items()}
        for name, seconds in medians.items():
            print(f"  {name:<10} {seconds:7.2f} s   score {scores[name]}")
        print(f"  ({load()} at the end)")
        for peer in peer_names:
            print(
                f"  corpuskit / {peer}: {medians['corpuskit'] / medians[peer]:.2f} of the time "
                f"({medians[peer] / medians['corpuskit']:.1f}x faster)"
            )

        memory: dict[str, float] = {}

        def ours_batch(*flags: str) -> Callable[[], list[float]]:
            def run() -> list[float]:
                out = work / ("grades" + "".join(flags))
                argv = [str(klass), "--lesson", peers.LESSON, "--jobs", str(args.jobs), "--out", str(out), *flags]
                _, memory["corpuskit" + "".join(f" {f}" for f in flags)] = corpuskit_sampled(*argv)
                return [json.loads(p.read_text())["score"] for p in sorted((out / "reports").glob("*.json"))]

            return run

        def nbgrader_batch() -> list[float]:
            done = peers.nbgrader(course, env, "autograde", "lesson1", "--force")
            assert done.returncode == 0, done.stderr[-2000:]
            return list(peers.nbgrader_scores(course, env).values())

        def otter_batch() -> list[float]:
            return [peers.otter_run(klass / f"{s}.ipynb", autograder, work / "otter-batch" / s, env) for s in students]

        batch: dict[str, float] = {}
        print(f"\na batch of {args.batch} (corpuskit with --jobs {args.jobs}; the peers grade one at a time):")
        runs: dict[str, Callable[[], list[float]]] = {
            "corpuskit": ours_batch(),
            "corpuskit --cold": ours_batch("--cold"),
            "nbgrader": nbgrader_batch,
            "otter": otter_batch,
        }
        for name, action in runs.items():
            if name == "otter" and "otter" not in peer_names:
                continue
            before = load()
            batch[name], result = timed(action)
            got = result if isinstance(result, list) else []
            print(
                f"  {name:<17} {batch[name]:7.2f} s   {args.batch / batch[name] * 60:6.1f} submissions/min   "
                f"scores {sorted(set(got))}   ({before} before, {load()} after)"
            )
        for ours in ("corpuskit", "corpuskit --cold"):
            for peer in peer_names:
                print(f"  {ours} throughput / {peer}: {batch[peer] / batch[ours]:.1f}x")
        for ours, peak in memory.items():
            print(
                f"  {ours}: peak memory {peak:.0f} MiB (PSS of the whole process tree), "
                f"{peak / args.jobs:.0f} MiB per worker"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
