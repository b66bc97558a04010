"""The attack table as measured: grade each hostile notebook and print its score, events and the
grader's own peak memory, in the sandbox this user gets (root or a normal user).

    python benchmarks/grade_attacks.py                  # every fixture in tests/fixtures/attacks/
    python benchmarks/grade_attacks.py --host-cost      # plus a 300 MB print and 8 x 200 MB frames

Each notebook is graded in a process of its own, so the peak resident memory printed is that
grading's alone. The figures in docs/course.md come from this script.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ATTACKS = ROOT / "tests" / "fixtures" / "attacks"
GRADING = ROOT / "tests" / "fixtures" / "course" / "grading"
HIDDEN = ("corpuskit.evaluate.spans", "corpuskit.extract")

# Run in a fresh process: grade one notebook, print the report's JSON and the peak memory.
ONE = """
import json, resource, sys
from pathlib import Path
from corpuskit.course import Limits, grade
import corpuskit.course.grade as _
grading = sys.modules["corpuskit.course.grade"]
if sys.argv[3] == "hide":
    real = grading.load_spec
    class Hiding:
        hidden_modules = {hidden!r}
        def __init__(self, spec): self._spec = spec
        def __getattr__(self, name): return getattr(self._spec, name)
    grading.load_spec = lambda *a, **k: Hiding(real(*a, **k))
limits = Limits(cell_timeout=float(sys.argv[4]), probe_timeout=2, call_timeout=10, answer_timeout=10,
                memory_mb=int(sys.argv[5]), processes=128, disk_mb=256, total_timeout=float(sys.argv[6]))
report = grade(sys.argv[1], grading_dir=sys.argv[2], lesson="tiny", limits=limits,
               release_dir={release!r})
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({{"report": report.to_dict(), "peak_mib": peak}}))
""".format(hidden=HIDDEN, release=str(ATTACKS / "release"))


def measure(notebook: Path, *, hide: bool = False, cell_timeout: float = 4, memory_mb: int = 1024) -> dict:
    started = time.monotonic()
    argv = [sys.executable, "-c", ONE, str(notebook), str(GRADING), "hide" if hide else "-"]
    argv += [str(cell_timeout), str(memory_mb), "60" if notebook.stem == "slow-call" else "1200"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    data = json.loads(done.stdout.strip().splitlines()[-1])
    report = data["report"]
    return {
        "score": f"{report['score']:g} / {report['max_score']:g}",
        "status": report["status"],
        "events": [e["kind"] for e in report["events"]],
        "peak_mib": data["peak_mib"],
        "seconds": round(time.monotonic() - started, 1),
        "sandbox": report["isolation"].split(":")[0],
    }


def host_cost_notebooks(folder: Path) -> list[Path]:
    """The brief's sizes: one 300 MB print, eight 200 MB frames on the iopub socket."""
    base = json.loads((ATTACKS / "huge-print.ipynb").read_text())
    made = []
    for name, source in {
        "print-300MB": "print('x' * 300_000_000, flush=True)\nwords = 'Kim met Trump'.lower().split()",
        "frames-8x200MB": (
            "kernel = get_ipython().kernel\nfor _ in range(8):\n"
            "    kernel.iopub_socket.send_multipart([b'k', b'<IDS|MSG>', b'', b'x' * 200_000_000])\n"
            "    import time; time.sleep(1)\nwords = 'Kim met Trump'.lower().split()"
        ),
    }.items():
        nb = json.loads(json.dumps(base))
        for cell in nb["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "q2":
                cell["source"] = source
        path = folder / f"{name}.ipynb"
        path.write_text(json.dumps(nb))
        made.append(path)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host-cost", action="store_true", help="also the 300 MB print and 8 x 200 MB frames")
    parser.add_argument("names", nargs="*", help="fixture names (default: all)")
    args = parser.parse_args()
    names = args.names or sorted(p.stem for p in ATTACKS.glob("*.ipynb"))
    print(f"{'attack':<24} {'score':>7}  {'status':<17} {'peak MiB':>8} {'s':>5}  events")
    for name in names:
        row = measure(ATTACKS / f"{name}.ipynb", hide=name == "import-reference")
        if "error" in row:
            print(f"{name:<24} error: {row['error']}")
            continue
        print(
            f"{name:<24} {row['score']:>7}  {row['status']:<17} {row['peak_mib']:>8} {row['seconds']:>5}  "
            f"{', '.join(row['events']) or '-'}   [{row['sandbox']}]"
        )
    if args.host_cost:
        with tempfile.TemporaryDirectory() as folder:
            for path in host_cost_notebooks(Path(folder)):
                row = measure(path, cell_timeout=60, memory_mb=4096)
                print(f"{path.stem:<24} {row.get('score', '?'):>7}  peak MiB {row.get('peak_mib')}  {row}")


if __name__ == "__main__":
    main()
