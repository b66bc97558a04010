"""Messages that are not plain output cannot grow the grader: comm (widget) messages, display
updates, clear-output loops, metadata-heavy displays and a huge execute result each send a few
hundred MB, and the grader's own peak memory stays within a fixed bound of an ordinary run's,
while the submission still gets its report.

Each variant is the tiny lesson's solution with its q2 cell replaced, graded in a subprocess that
reports its own peak resident memory (``RUSAGE_SELF``: the kernel's memory is not counted).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.test_grade_attacks import sandbox_required  # noqa: F401 - every test here needs the sandbox

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
SOLUTION = HERE / "fixtures" / "course" / "tiny-solution.ipynb"
GRADING = HERE / "fixtures" / "course" / "grading"
RELEASE = HERE / "fixtures" / "attacks" / "release"
ANSWER = "words = 'Kim met Trump'.lower().split()"
MB = 1024 * 1024
# How much more than an ordinary run the grader may hold at its peak: what its sockets may queue
# (``Limits.queued_messages``, 16 messages of these floods' 10 MiB) and the message in hand. Kept
# messages would add the 400 MB each flood sends (the comm flood took the grader from about
# 130 MB to over 560 MB when nbclient kept widget state).
ALLOWANCE_MB = 200

FLOODS = {
    "comm-open": (
        "from comm import create_comm\n"
        "for _ in range(40):\n"
        "    c = create_comm(target_name='jupyter.widget', data={'state': {'_model_module': 'x',\n"
        "        '_model_name': 'X', 'blob': 'A' * (10 * 2**20)}}, metadata={})\n"
        "    c.close()\n"
    ),
    "comm-msg": (
        "from comm import create_comm\n"
        "c = create_comm(target_name='jupyter.widget', data={'state': {'_model_module': 'x', '_model_name': 'X'}})\n"
        "for _ in range(40):\n"
        "    c.send({'method': 'update', 'state': {'blob': 'B' * (10 * 2**20)}, 'buffer_paths': []},\n"
        "           buffers=[b'b' * 2**20])\n"
    ),
    "many-small-comms": (
        "from comm import create_comm\n"
        "for _ in range(4000):\n"
        "    create_comm(target_name='jupyter.widget', data={'state': {'_model_module': 'x', '_model_name': 'X',\n"
        "        'blob': 'C' * 50_000}})\n"
    ),
    "update-display": (
        "from IPython.display import display, update_display\n"
        "display({'text/plain': 'start'}, raw=True, display_id='d')\n"
        "for _ in range(40):\n"
        "    update_display({'text/plain': 'D' * (10 * 2**20)}, raw=True, display_id='d')\n"
    ),
    "clear-output-loop": (
        "from IPython.display import clear_output\n"
        "for _ in range(40):\n"
        "    clear_output(wait=True)\n"
        "    print('E' * (10 * 2**20), flush=True)\n"
    ),
    "display-metadata": (
        "from IPython.display import display\n"
        "for _ in range(40):\n"
        "    display({'text/plain': 'x'}, raw=True, metadata={'m': 'F' * (10 * 2**20)})\n"
    ),
    # Frames just under the cap whose JSON unfolds into millions of objects once parsed.
    "comm-of-many-objects": (
        "k = get_ipython().kernel\n"
        "big = [{}] * 3_900_000\n"
        "for _ in range(6):\n"
        "    k.session.send(k.iopub_socket, 'comm_msg', content={'comm_id': 'x', 'data': {'d': big}},\n"
        "                   parent=k.get_parent())\n"
    ),
    # Frames on channels the grader never reads, which its sockets would queue.
    "stdin-and-control": (
        "k = get_ipython().kernel\n"
        "ident = k._parent_ident['shell']\n"
        "blob = 'x' * 15_000_000\n"
        "control = getattr(k, 'control_socket', None) or k.control_stream.socket\n"
        "for _ in range(40):\n"
        "    k.session.send(k.stdin_socket, 'input_request', content={'prompt': blob, 'password': False},\n"
        "                   parent=k.get_parent(), ident=ident)\n"
        "    k.session.send(control, 'debug_event', content={'body': blob}, parent=k.get_parent(), ident=ident)\n"
    ),
    "huge-execute-result": (
        "class Big:\n"
        "    def _repr_html_(self):\n"
        "        return 'G' * (6 * 2**20)\n"
        "    def __repr__(self):\n"
        "        return 'g' * (6 * 2**20)\n"
        "Big()"
    ),
}

GRADER = """\
import json, resource, sys
from corpuskit.course import Limits, grade
limits = Limits(cell_timeout=60, probe_timeout=2, memory_mb=2048, processes=64)
report = grade(sys.argv[1], grading_dir=sys.argv[2], lesson="tiny", limits=limits, release_dir=sys.argv[3])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"peak": peak, "points": {q.id: q.points for q in report.questions},
                  "events": [e.kind for e in report.events], "status": report.status}))
"""


def graded(tmp_path: Path, source: str, grader: str = GRADER, *args: str) -> dict[str, Any]:
    """The report of a grading in a subprocess running ``grader`` on the solution with ``source`` in
    q2's cell (``args`` passed on to ``grader``), as the JSON it prints last."""
    nb = json.loads(SOLUTION.read_text())
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "q2")
    cell["source"] = f"{source}\n{ANSWER}" if not source.endswith("Big()") else f"{ANSWER}\n{source}"
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", grader, str(path), str(GRADING), str(RELEASE), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def ordinary(tmp_path_factory: pytest.TempPathFactory) -> int:
    """The grader's peak on the unchanged solution."""
    run = graded(tmp_path_factory.mktemp("ordinary"), "pass")
    assert run["points"] == {"q1": 1, "q2": 2, "q3": 2, "q4": 3}
    return int(run["peak"])


@pytest.mark.parametrize("flood", sorted(FLOODS))
def test_floods_of_non_output_messages_keep_the_grader_small(flood: str, ordinary: int, tmp_path: Path) -> None:
    run = graded(tmp_path, FLOODS[flood])
    print(f"{flood}: grader peak {run['peak'] / MB:.0f} MiB (ordinary run {ordinary / MB:.0f} MiB)")
    assert run["peak"] < ordinary + ALLOWANCE_MB * MB, f"{flood}: {run['peak'] / MB:.0f} MiB"
    assert run["status"] == "graded"
    # The flood cost nothing but its own cell's output: every answer, q2's included, is graded.
    assert run["points"] == {"q1": 1, "q2": 2, "q3": 2, "q4": 3}, run
