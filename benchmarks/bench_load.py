"""Cold start of `corpuskit load hanoi-summit-2019 --format json` against `python -c pass`.

Both run as fresh interpreters, interleaved, in the same run; the medians are compared, since
absolute times on a shared machine are noise. Target: at most 4x. For reference it also times
`python -c "import msgspec"`, the import the command avoids (see docs/architecture.md).

    python benchmarks/bench_load.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASELINE = [sys.executable, "-c", "pass"]
MSGSPEC = [sys.executable, "-c", "import msgspec"]
# The console script users run, beside this interpreter; `python -m corpuskit` otherwise.
SCRIPT = Path(sys.executable).parent / "corpuskit"
ENTRY = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "corpuskit"]
COMMAND = [*ENTRY, "load", "hanoi-summit-2019", "--format", "json", "-o", os.devnull]
TARGET = 4.0


# Python caches compiled bytecode unless told not to; a user's installation does, so the
# benchmark does too (a development shell that sets PYTHONDONTWRITEBYTECODE would otherwise
# time the compiler on every run).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    timed(COMMAND)  # warm the file cache and write the bytecode, as a user's second run finds them
    base, load, msgspec = [], [], []
    for _ in range(args.runs):
        base.append(timed(BASELINE))
        load.append(timed(COMMAND))
        msgspec.append(timed(MSGSPEC))
    base_ms, load_ms = statistics.median(base) * 1000, statistics.median(load) * 1000
    msgspec_ms = statistics.median(msgspec) * 1000
    ratio = load_ms / base_ms
    print(f"python -c pass                 median {base_ms:7.1f} ms  ({args.runs} runs)")
    print(f"corpuskit load --format json   median {load_ms:7.1f} ms  ({args.runs} runs)")
    share = msgspec_ms / base_ms
    print(f"python -c 'import msgspec'     median {msgspec_ms:7.1f} ms  ({share:.2f}x; load does not import it)")
    print(f"ratio {ratio:.2f}x  (target <= {TARGET:.0f}x: {'met' if ratio <= TARGET else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
