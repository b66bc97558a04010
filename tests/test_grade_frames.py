"""A kernel cannot make the grader hold more than a fixed amount by splitting a message into frames.

ZeroMQ caps each frame, and a multipart message is readable only once all its frames have
arrived. Each attack sends one message of many frames (each under the frame cap, together far over
any sane size) on one of the kernel's sockets: a ``comm_msg`` with a hundred 15 MiB buffers (the
same buffer, so the kernel pays nothing), a ``display_data`` with as many, and messages of
thousands of 60 KiB frames on shell, stdin, control and heartbeat, sent over the kernel's own
sockets to the grader's connection. The grader's peak resident memory plus the peak of each
message relay it started (``corpuskit.course.relay``) stays within the bound the flood tests use,
and the report exists: the attacking cell's question is lost, the rest graded. Cold and warm.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import test_grade_flood as flood
from tests.test_grade_attacks import sandbox_required  # noqa: F401 - every test here needs the sandbox
from tests.test_grade_flood import ALLOWANCE_MB, MB

pytestmark = pytest.mark.slow

# The kernel's own sockets, and the identity of the peer it answers on shell (the grader's side).
PRELUDE = (
    "import time\n"
    "import zmq\n"
    "from ipykernel.kernelapp import IPKernelApp\n"
    "k = get_ipython().kernel\n"
    "peer = k._parent_ident['shell']\n"
    "big = memoryview(b'f' * (15 * 2**20))\n"
    "small = memoryview(b's' * (60 * 2**10))\n"
    "def flood(sock, route):\n"
    "    sock.copy_threshold = 0\n"
    "    sock.setsockopt(zmq.ROUTER_MANDATORY, 1)  # an unknown peer is an error, not a silent drop\n"
    "    sock.send_multipart([*route, b'<IDS|MSG>', *([small] * 10_000)], copy=False)\n"
    # The cell waits while the message is on its way, so the grader is still running it when the
    # message's cost is settled (on other channels than shell, the cell's end would not wait).
    "    time.sleep(3)\n"
)

ATTACKS = {
    "comm-msg-frames": (
        "from comm import create_comm\n"
        "c = create_comm(target_name='jupyter.widget', data={})\n"
        "c.send({'method': 'custom'}, buffers=[big] * 100)\n"
    ),
    "display-data-frames": (
        "k.session.send(k.iopub_socket, 'display_data', content={'data': {'text/plain': 'x'}, 'metadata': {}},\n"
        "               parent=k.get_parent(), buffers=[big] * 100)\n"
    ),
    "shell-frames": "flood(getattr(k, 'shell_socket', None) or k.shell_stream.socket, peer)\n",
    "stdin-frames": "flood(k.stdin_socket, peer)\n",
    "control-frames": "flood(getattr(k, 'control_socket', None) or k.control_stream.socket, peer)\n",
    # The heartbeat echoes what it gets; the kernel can also send on it, to its peer's identity.
    "heartbeat-frames": "flood(IPKernelApp.instance().heartbeat.socket, peer[:1])\n",
}

GRADER = """\
import json, os, resource, sys, threading, time
from corpuskit.course import Limits, grade

relays = {}  # pid -> peak resident memory (VmHWM), sampled while it runs

def sample():
    while True:
        # This grader's relays only (its children, by whichever of its threads started them).
        children = []
        for task in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{task}/children") as f:
                    children += f.read().split()
            except OSError:
                continue
        for pid in children:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if not any(arg.endswith(b"/relay.py") for arg in f.read().split(b"\\0")):
                        continue
                with open(f"/proc/{pid}/status") as f:
                    hwm = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))
            except (OSError, ValueError, StopIteration):
                continue
            relays[pid] = max(relays.get(pid, 0), hwm)
        time.sleep(0.005)

threading.Thread(target=sample, daemon=True).start()
limits = Limits(cell_timeout=60, probe_timeout=2, memory_mb=2048, processes=64)
report = grade(sys.argv[1], grading_dir=sys.argv[2], lesson="tiny", limits=limits, release_dir=sys.argv[3],
               warm=sys.argv[4] == "warm")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"peak": peak, "relays": sum(relays.values()), "each": sorted(relays.values()),
                  "points": {q.id: q.points for q in report.questions},
                  "events": [[e.kind, e.message] for e in report.events], "status": report.status}))
"""


def graded(tmp_path: Path, source: str, mode: str) -> dict[str, Any]:
    return flood.graded(tmp_path, source, GRADER, mode)


@pytest.fixture(scope="module", params=["cold", "warm"])
def mode_and_ordinary(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    """The grader's and its relays' peak on the unchanged solution."""
    mode = str(request.param)
    run = graded(tmp_path_factory.mktemp(f"ordinary-{mode}"), "pass", mode)
    assert run["points"] == {"q1": 1, "q2": 2, "q3": 2, "q4": 3}
    assert run["each"], "the grader read the kernel without a relay"
    return mode, int(run["peak"]) + int(run["relays"])


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_message_of_many_frames_costs_the_grader_a_bounded_amount(
    attack: str, mode_and_ordinary: tuple[str, int], tmp_path: Path
) -> None:
    mode, ordinary = mode_and_ordinary
    run = graded(tmp_path, PRELUDE + ATTACKS[attack], mode)
    held = run["peak"] + run["relays"]
    print(f"{attack} ({mode}): grader {run['peak'] / MB:.0f} MiB + relays {[r // MB for r in run['each']]} MiB")
    assert held < ordinary + ALLOWANCE_MB * MB, f"{attack}: {held / MB:.0f} MiB ({run})"
    assert run["status"] == "graded"
    # The attacking cell never finished: its answer is lost, every other one is graded.
    assert run["points"] == {"q1": 1, "q2": 0, "q3": 2, "q4": 3}, run
    told = [message for kind, message in run["events"] if kind == "dead"]
    assert told and "more than the grader reads" in told[0], run["events"]
