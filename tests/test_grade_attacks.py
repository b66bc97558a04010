"""The attack table: one hostile or broken notebook per row, each with the score it must get and
what the report must say. The notebooks are the tiny lesson's solution (8 points) changed in one
way each, written by tests/fixtures/attacks/make_fixtures.py; every attack is bounded, so a
failing limit cannot take the machine down. The table runs in the sandbox this user gets: as
root, and as a normal user (tests/test_course_sandbox.py runs it again as `nobody`)."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from corpuskit.course import Limits, Report, grade
from corpuskit.course.sandbox import probe

ATTACKS = Path(__file__).parent / "fixtures" / "attacks"
GRADING = Path(__file__).parent / "fixtures" / "course" / "grading"
LIMITS = Limits(
    cell_timeout=4, probe_timeout=2, call_timeout=10, answer_timeout=10, memory_mb=1024, processes=128, disk_mb=256
)
HIDDEN = ("corpuskit.evaluate.spans", "corpuskit.extract")

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def sandbox_required() -> None:
    """Every attack runs in the sandbox; a machine without it fails in CI and skips elsewhere."""
    if probe().mode == "none":
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the sandbox: {probe().missing}")
        pytest.skip(f"needs the sandbox: {probe().missing}")


class HidingSpec:
    """The tiny lesson's spec with reference modules hidden in the kernel."""

    hidden_modules = HIDDEN

    def __init__(self, spec: object) -> None:
        self._spec = spec

    def __getattr__(self, name: str) -> object:
        return getattr(self._spec, name)


def run(name: str, **kwargs: object) -> Report:
    return grade(
        ATTACKS / f"{name}.ipynb",
        grading_dir=GRADING,
        lesson="tiny",
        limits=LIMITS,
        release_dir=ATTACKS / "release",
        **kwargs,
    )  # type: ignore[arg-type]


# attack -> (points per question, report status, event kinds in order, a phrase the report must contain)
TABLE: dict[str, tuple[dict[str, float], str, list[str], str]] = {
    "infinite-loop": ({"q1": 1, "q2": 0, "q3": 2, "q4": 3}, "graded", ["timeout"], "still running after 4 s"),
    "os-exit-midway": ({"q1": 1, "q2": 0, "q3": 2, "q4": 3}, "graded", ["dead", "kernel-replaced"], "kernel died"),
    "segfault-midway": ({"q1": 1, "q2": 0, "q3": 2, "q4": 3}, "graded", ["dead", "kernel-replaced"], "kernel died"),
    "memory-bomb": ({"q1": 1, "q2": 0, "q3": 2, "q4": 3}, "graded", ["memory-limit", "kernel-replaced"], "MemoryError"),
    "fork-bomb": (
        {"q1": 1, "q2": 0, "q3": 2, "q4": 3},
        "graded",
        ["process-limit", "kernel-replaced"],
        "Resource temporarily unavailable",
    ),
    "huge-output": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", ["output-limit"], "bytes were dropped"),
    "huge-print": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", ["output-limit"], "dropped unread"),
    "huge-frames": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", ["output-limit"], "dropped unread"),
    "garbage-frames": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", ["broken"], "could not read"),
    "disk-fill": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", [], "Q2 a list"),
    "import-reference": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", [], "Q2 a list"),
    "eq-always-true": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "graded", [], "could not be read as plain data"),
    "monkeypatch": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "graded", [], "Not right yet"),
    "read-hidden-files": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "graded", [], "F1 0.00"),
    "locked-cell-edited": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", ["locked-cell"], "edited; run as released"),
    "locked-cell-deleted": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", ["locked-cell"], "deleted; put back"),
    "locked-cell-duplicated": ({"q1": 1, "q2": 2, "q3": 2, "q4": 3}, "graded", ["locked-cell"], "carried by 2 cells"),
    "deleted-question-cell": ({"q1": 1, "q2": 2, "q3": 0, "q4": 3}, "graded", [], "No cell with grade id 'q3'"),
    "not-json": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "invalid-notebook", ["invalid-notebook"], "Not graded"),
    "no-cells": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "no-cells", ["no-cells"], "no code cells"),
    "other-kernel": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "wrong-kernel", ["wrong-kernel"], "kernel 'ir'"),
    "wrong-lesson": ({"q1": 0, "q2": 0, "q3": 0, "q4": 0}, "wrong-lesson", ["wrong-lesson"], "lesson '03-entities'"),
}
HIDING = {"import-reference"}  # graded with the reference modules hidden (``HIDDEN``)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_attack(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if name in HIDING:
        grading = importlib.import_module("corpuskit.course.grade")
        real = grading.load_spec
        monkeypatch.setattr(grading, "load_spec", lambda *a, **k: HidingSpec(real(*a, **k)))
    want_points, want_status, want_events, phrase = TABLE[name]
    started = time.monotonic()
    report = run(name)
    assert time.monotonic() - started < 60, "the grader took longer than its limits allow"
    assert {q.id: q.points for q in report.questions} == want_points, report.summary()
    assert report.status == want_status
    assert [e.kind for e in report.events] == want_events, report.summary()
    assert phrase in report.summary() + report.to_json(), report.summary()


def test_attack_table_covers_every_fixture() -> None:
    fixtures = {p.stem for p in ATTACKS.glob("*.ipynb")}
    assert fixtures == set(TABLE) | {"write-report", "slow-call"}


def test_student_cannot_write_or_replace_the_report(tmp_path: Path) -> None:
    from corpuskit.course.batch import grade_class

    out = tmp_path / "corpuskit-attack-reports"
    submissions = tmp_path / "class"
    submissions.mkdir()
    (submissions / "mallory.ipynb").write_bytes((ATTACKS / "write-report.ipynb").read_bytes())
    grade_class(submissions, out, lesson="tiny", grading_dir=GRADING, limits=LIMITS, release_dir=ATTACKS / "release")
    time.sleep(2)  # the student's background writer, had it escaped, would run for 8 s
    data = json.loads((out / "reports" / "mallory.json").read_text())
    assert (data["score"], data["max_score"]) == (6, 8)


def test_report_names_the_sandbox_and_a_private_heldout_set(tmp_path: Path) -> None:
    import shutil

    private = tmp_path / "private-heldout"
    shutil.copytree(GRADING / "heldout", private)
    report = run("locked-cell-edited", heldout_dir=private)
    assert report.heldout == f"private set {private.resolve()}"
    assert report.score == 8
    public = run("deleted-question-cell")
    assert public.heldout.startswith("public set ") and public.heldout.endswith("grading/heldout")
    assert report.sandbox == "on" and report.isolation.startswith(f"bubblewrap ({probe().mode})")
    assert "Held-out texts: private set" in report.to_markdown()


def test_total_timeout_covers_answers_and_calls() -> None:
    # find_people sleeps for a minute on each call, and the spec gives calls 20 s: the run's budget of
    # 8 s must still hold, answer snippets and calls included.
    limits = dataclasses.replace(LIMITS, total_timeout=8)
    started = time.monotonic()
    report = grade(
        ATTACKS / "slow-call.ipynb", grading_dir=GRADING, lesson="tiny", limits=limits, release_dir=ATTACKS / "release"
    )
    assert time.monotonic() - started < 8 + 8, "the budget did not include the call"
    points = {q.id: q.points for q in report.questions}
    assert points == {"q1": 1, "q2": 2, "q3": 2, "q4": 0}, report.summary()
    assert "failed on" in report.questions[3].feedback


def locked_variants() -> dict[str, dict[str, Any]]:
    """Every way found to keep an edited locked cell from being restored, on the tiny lesson."""
    base = json.loads((Path(__file__).parent / "fixtures" / "course" / "tiny-solution.ipynb").read_text())

    def setup_at(nb: dict[str, Any]) -> int:
        return next(
            i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("grade_id") == "setup"
        )

    def edited(nb: dict[str, Any]) -> dict[str, Any]:
        return {**copy.deepcopy(nb["cells"][setup_at(nb)]), "source": "re = None"}

    variants: dict[str, dict[str, Any]] = {}
    for where in ("before", "after", "at-end"):
        nb = copy.deepcopy(base)
        at = {"before": setup_at(nb), "after": setup_at(nb) + 1, "at-end": len(nb["cells"])}[where]
        nb["cells"].insert(at, edited(nb))
        variants[f"duplicate-{where}"] = nb
    nb = copy.deepcopy(base)
    nb["cells"][setup_at(nb)] = {**edited(nb), "cell_type": "markdown"}
    nb["cells"][setup_at(nb)].pop("outputs", None)
    nb["cells"][setup_at(nb)].pop("execution_count", None)
    variants["type-changed"] = nb
    nb = copy.deepcopy(base)
    nb["cells"].append(nb["cells"].pop(setup_at(nb)))
    variants["moved"] = nb
    nb = copy.deepcopy(base)
    nb["cells"][setup_at(nb)] = {**edited(nb), "metadata": {}}
    variants["metadata-stripped"] = nb
    nb = copy.deepcopy(base)
    markdown = {"cell_type": "markdown", "metadata": edited(nb)["metadata"], "source": "setup, as I like it"}
    nb["cells"].insert(0, markdown)
    nb["cells"].insert(setup_at(base) + 2, edited(nb))
    variants["markdown-and-code-copies"] = nb
    return variants


@pytest.mark.parametrize("variant", sorted(locked_variants()))
def test_locked_cells_run_as_released_whatever_the_copies(variant: str) -> None:
    import nbformat

    from corpuskit.course.notebook import grade_id, restore_locked

    nb = nbformat.from_dict(locked_variants()[variant])  # type: ignore[no-untyped-call]
    release = nbformat.read(ATTACKS / "release" / "tiny.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    changes = restore_locked(nb, release)
    assert changes and {gid for gid, _ in changes} == {"setup"}, changes
    locked = {grade_id(c): c for c in release.cells if c.metadata.get("nbgrader", {}).get("locked")}
    for gid, cell in locked.items():
        carrying = [c for c in nb.cells if grade_id(c) == gid]
        assert len(carrying) == 1 and carrying[0].source == cell.source and carrying[0].cell_type == cell.cell_type
    # Each locked cell runs right after the cell that precedes it in the release.
    order = [grade_id(c) for c in nb.cells if grade_id(c) is not None]
    released = [grade_id(c) for c in release.cells if grade_id(c) is not None]
    for gid in locked:
        at = released.index(gid)
        if at > 0:
            assert order[order.index(gid) - 1] == released[at - 1], order
        else:
            assert order.index(gid) == 0, order
    # The edited copy without metadata is the student's own cell: it runs, before the released setup.
    if variant == "metadata-stripped":
        assert any(c.source == "re = None" and grade_id(c) is None for c in nb.cells)


# The kernel swaps every file the grader touched in the sandbox (its five sockets, its connection
# file) for a link to a host listener, then makes the grader reconnect twice: a cell that outlives
# its limit (interrupt, fresh channels) and a frame over the size cap (dropped, fresh channels).
SWAP_SOCKETS = """\
import json, os, time
info = json.load(open('/sandbox/kernel.json'))
swapped = []
for key in ('shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'):
    path = f"{info['ip']}-{info[key]}"
    os.rename(path, path + '.moved')
    os.symlink(f'{LISTENERS}/{key}.sock', path)
    swapped.append(path)
try:
    os.unlink('/sandbox/kernel.json')
    os.symlink(f'{LISTENERS}/shell_port.sock', '/sandbox/kernel.json')
except OSError:
    pass
time.sleep(8)
"""
OVERSIZED = (
    "get_ipython().kernel.iopub_socket.send_multipart([b'kernel.x.stream', b'<IDS|MSG>', b'', b'x' * 24_000_000])"
)


def test_grader_never_follows_links_the_kernel_plants_where_its_sockets_were(tmp_path: Path) -> None:
    import socket
    import threading

    import nbformat

    listeners = tmp_path / "host"
    listeners.mkdir()
    heard: list[str] = []
    servers = []
    for key in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(listeners / f"{key}.sock"))
        server.listen(8)
        server.settimeout(0.2)
        servers.append((key, server))
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            for key, server in servers:
                try:
                    conn, _ = server.accept()
                except OSError:
                    continue
                heard.append(key)
                conn.close()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    nb = nbformat.read(Path(__file__).parent / "fixtures" / "course" / "tiny-solution.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "q2")
    swap = SWAP_SOCKETS.replace("{LISTENERS}", str(listeners))
    nb.cells[at + 1 : at + 1] = [nbformat.v4.new_code_cell(swap), nbformat.v4.new_code_cell(OVERSIZED)]  # type: ignore[no-untyped-call]
    path = tmp_path / "swap.ipynb"
    nbformat.write(nb, path)  # type: ignore[no-untyped-call]
    try:
        report = grade(path, grading_dir=GRADING, lesson="tiny", limits=LIMITS, release_dir=ATTACKS / "release")
        time.sleep(1)
    finally:
        stop.set()
        listener.join()
        for _, server in servers:
            server.close()
    assert heard == [], f"the grader connected to the host listener on {heard}"
    assert [e.kind for e in report.events] == ["timeout", "output-limit"], report.summary()
    # The grader kept talking to the kernel itself through both reconnects.
    assert {q.id: q.points for q in report.questions} == {"q1": 1, "q2": 2, "q3": 2, "q4": 3}, report.summary()


# Forked children, each within the per-process address-space limit, touch their blocks together past
# the limit for all the kernel's processes. q2 is answered only if they all survived.
FORKED_MEMORY = """\
import os, time
children = []
for _ in range({children}):
    pid = os.fork()
    if pid == 0:
        held = False
        try:
            block = bytearray({each} * 2**20)
            for i in range(0, len(block), 4096):
                block[i] = 1
            held = True
            time.sleep(3)
        finally:  # a child that failed must not go on as a copy of the kernel
            os._exit(0 if held else 1)
    children.append(pid)
survived = sum(os.waitpid(pid, 0)[1] == 0 for pid in children)
words = [] if survived < {children} else 'Kim met Trump'.lower().split()
"""


def forked_memory(tmp_path: Path, children: int, each: int) -> Path:
    import nbformat

    nb = nbformat.read(Path(__file__).parent / "fixtures" / "course" / "tiny-solution.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q2")
    cell.source = FORKED_MEMORY.format(children=children, each=each)
    path = tmp_path / f"forked-memory-{children}x{each}.ipynb"
    nbformat.write(nb, path)  # type: ignore[no-untyped-call]
    return path


def test_memory_is_capped_for_the_kernel_s_processes_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = forked_memory(tmp_path, 4, 600)  # 2.4 GiB together
    limits = dataclasses.replace(LIMITS, memory_mb=2048, cell_timeout=40)
    report = grade(path, grading_dir=GRADING, lesson="tiny", limits=limits, release_dir=ATTACKS / "release")
    if probe().cgroups:
        assert "for all the kernel's processes together (cgroup)" in report.isolation
    else:
        assert (
            "processes together as summed by the grader every 0.2 s (no cgroup; 64 KiB for each open-file slot)"
            in report.isolation
        )
    # The children did not all survive (a child killed by the cgroup, or the kernel by the grader's
    # sum), and the rest was graded.
    assert {q.id: q.points for q in report.questions} == {"q1": 1, "q2": 0, "q3": 2, "q4": 3}, report.summary()
    # Without cgroups, the grader's sum stops them.
    grading = importlib.import_module("corpuskit.course.grade")
    with monkeypatch.context() as patched:
        patched.setattr(grading, "probe", lambda: dataclasses.replace(probe(), cgroups=False))
        summed = grade(path, grading_dir=GRADING, lesson="tiny", limits=limits, release_dir=ATTACKS / "release")
    assert "summed by the grader" in summed.isolation
    assert {q.id: q.points for q in summed.questions} == {"q1": 1, "q2": 0, "q3": 2, "q4": 3}, summed.summary()
    assert [e.kind for e in summed.events] == ["memory-limit", "kernel-replaced"], summed.summary()
    print(f"4 x 600 MiB under 2048 MiB, summed: {summed.events[0].message}")  # the overshoot (pytest -s)
    # The control: under a limit they fit in, all four survive.
    roomy = dataclasses.replace(limits, memory_mb=4096)
    control = grade(path, grading_dir=GRADING, lesson="tiny", limits=roomy, release_dir=ATTACKS / "release")
    assert {q.id: q.points for q in control.questions} == {"q1": 1, "q2": 2, "q3": 2, "q4": 3}, control.summary()


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_many_children_each_under_the_limit_are_stopped_together(tmp_path: Path, warm: bool) -> None:
    # Six children of 336 MiB each under a 1024 MiB limit: about twice the limit together.
    path = forked_memory(tmp_path, 6, 336)
    limits = dataclasses.replace(LIMITS, memory_mb=1024, cell_timeout=40)
    report = grade(path, grading_dir=GRADING, lesson="tiny", limits=limits, release_dir=ATTACKS / "release", warm=warm)
    assert {q.id: q.points for q in report.questions} == {"q1": 1, "q2": 0, "q3": 2, "q4": 3}, report.summary()
    if not probe().cgroups:
        assert [e.kind for e in report.events] == ["memory-limit", "kernel-replaced"], report.summary()
        assert "over the 1024 MiB limit" in report.summary()
        print(f"6 x 336 MiB under 1024 MiB, {'warm' if warm else 'cold'}: {report.events[0].message}")  # pytest -s


def with_cell(tmp_path: Path, name: str, source: str, *, last: bool = False) -> Path:
    """The tiny lesson's solution with ``source`` as a cell of its own right after the setup cell (or
    after every other cell)."""
    import nbformat

    nb = nbformat.read(Path(__file__).parent / "fixtures" / "course" / "tiny-solution.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    nb.cells.insert(len(nb.cells) if last else at + 1, nbformat.v4.new_code_cell(source))  # type: ignore[no-untyped-call]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)  # type: ignore[no-untyped-call]
    return path


def every_report(report: Report) -> str:
    return report.to_json() + report.to_markdown() + report.to_junit() + report.summary()


# The kernel inherits the grader's session keyring (and the user keyring linked into it): it tries to
# read every keyring it can name, to find a key by name, and to leave keys behind; then to trace the
# first process of its PID namespace, to hold memory in a memfd, a message queue, a semaphore set, an
# io_uring or pages spliced into a pipe, and to open more files than the limit allows. It raises
# whatever it got.
KEYRING = """
import ctypes, os, resource
nr = {NUMBERS}
libc = ctypes.CDLL(None, use_errno=True)
long = ctypes.c_long
got = {}
buffer = ctypes.create_string_buffer(4096)
for name, ring in (("thread", -1), ("process", -2), ("session", -3), ("user", -4), ("user-session", -5)):
    got[name, "id"] = libc.syscall(nr["keyctl"], long(0), long(ring), long(0))  # KEYCTL_GET_KEYRING_ID
    got[name, "describe"] = libc.syscall(nr["keyctl"], long(6), long(ring), buffer, long(4096))
    got[name, "read"] = libc.syscall(nr["keyctl"], long(11), long(ring), buffer, long(4096))
    got[name, "search"] = libc.syscall(nr["keyctl"], long(10), long(ring), b"user", b"{NAME}", long(0))
    got[name, "add"] = libc.syscall(nr["add_key"], b"user", b"stash", b"held-out", long(8), long(ring))
got["request_key"] = libc.syscall(nr["request_key"], b"user", b"{NAME}", None, long(0))
got["join a new session keyring"] = libc.syscall(nr["keyctl"], long(1), None)
got["trace pid 1"] = libc.ptrace(16, 1, None, None)
got["memfd"] = libc.syscall(nr["memfd_create"], b"hold", long(0))
got["process_vm_readv"] = libc.syscall(nr["process_vm_readv"], long(1), None, long(0), None, long(0), long(0))
# Kernel memory no process's resident size shows: message queues, io_uring rings, socket buffers.
got["msgget"] = libc.syscall(nr["msgget"], long(0), long(0o1600))  # IPC_PRIVATE, IPC_CREAT | 0600
got["mq_open"] = libc.syscall(nr["mq_open"], b"stash", long(0o102), long(0o600), None)  # O_CREAT | O_RDWR
got["io_uring_setup"] = libc.syscall(nr["io_uring_setup"], long(8), ctypes.create_string_buffer(120))
got["kcmp"] = libc.syscall(nr["kcmp"], long(1), long(os.getpid()), long(0), long(0), long(0))
got["inotify_init1"] = libc.syscall(nr["inotify_init1"], long(0))  # a per-user budget, shared as a normal user
# Calls that fail on these arguments anyway must fail with EPERM: a semaphore set, and pages held by a pipe.
def refused(result):
    return -1 if result == -1 and ctypes.get_errno() == 1 else (result, ctypes.get_errno())
r, w = os.pipe()
got["semget"] = refused(libc.syscall(nr["semget"], long(0), long(1), long(0o1600)))
got["vmsplice"] = refused(libc.syscall(nr["vmsplice"], long(w), None, long(0), long(0)))
got["splice"] = refused(libc.syscall(nr["splice"], long(r), None, long(w), None, long(1), long(0)))
got["tee"] = refused(libc.syscall(nr["tee"], long(r), long(w), long(1), long(0)))
got["fanotify_init"] = refused(libc.syscall(nr["fanotify_init"], long(0x200), long(0)))  # FAN_REPORT_FID
got["io_setup"] = refused(libc.syscall(nr["io_setup"], long(1), ctypes.byref(ctypes.c_ulong())))
got["landlock"] = refused(libc.syscall(nr["landlock_create_ruleset"], None, long(0), long(1)))  # the ABI version
for limit in resource.getrlimit(resource.RLIMIT_NOFILE):
    got["open files", limit] = -1 if limit <= 1024 else limit
for keys in ("/proc/keys", "/proc/key-users"):
    try:
        got[keys] = open(keys).read()
    except OSError:
        pass
if set(got.values()) != {-1}:
    raise RuntimeError(f"{got} {buffer.raw[:300]!r}")
"""


@pytest.fixture
def planted_key() -> Any:
    """A key in the grader's session keyring, as a login with pam_keyinit gives one; removed after."""
    import ctypes

    from corpuskit.course.warm_parent import REFUSED

    if os.uname().machine not in REFUSED:
        pytest.skip("no system call numbers for this machine")
    nr = REFUSED[os.uname().machine]
    libc = ctypes.CDLL(None, use_errno=True)
    name, payload = f"corpuskit-test-{os.getpid()}", b"instructor-token-5ab1e"
    key = libc.syscall(nr["add_key"], b"user", name.encode(), payload, ctypes.c_long(len(payload)), ctypes.c_long(-3))
    assert key > 0, os.strerror(ctypes.get_errno())
    yield name, payload.decode(), nr
    libc.syscall(nr["keyctl"], ctypes.c_long(21), ctypes.c_long(key))  # KEYCTL_INVALIDATE


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_the_kernel_cannot_use_the_keyring_trace_or_memfd(tmp_path: Path, planted_key: Any, warm: bool) -> None:
    name, payload, numbers = planted_key
    report = grade(
        with_cell(tmp_path, "keyring", KEYRING.replace("{NAME}", name).replace("{NUMBERS}", repr(numbers))),
        grading_dir=GRADING,
        lesson="tiny",
        limits=LIMITS,
        release_dir=ATTACKS / "release",
        warm=warm,
    )
    assert [e.kind for e in report.events] == [], report.summary()
    assert report.score == 8, report.summary()
    assert payload not in every_report(report) and name not in every_report(report)


# The kernel reads the environment and command line of every process it can see, and raises what is
# not its own environment first (a report keeps only the start of an error message).
ENVIRONMENTS = r"""
import glob, os
own = {f"{k}={v}".encode() for k, v in os.environ.items()}
foreign, commands = set(), []
for path in glob.glob("/proc/*/environ") + glob.glob("/proc/*/task/*/environ") + glob.glob("/proc/*/cmdline"):
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    if path.endswith("environ"):
        foreign |= set(data.split(b"\0")) - own - {b""}
    else:
        commands.append(data)
raise RuntimeError(repr(sorted(foreign)) + repr(commands))
"""


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_the_grader_s_environment_does_not_reach_the_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm: bool
) -> None:
    secret = "ghp_instructor_token_94e1"
    monkeypatch.setenv("GRADER_DEPLOY_TOKEN", secret)
    report = grade(
        with_cell(tmp_path, "environments", ENVIRONMENTS),
        grading_dir=GRADING,
        lesson="tiny",
        limits=LIMITS,
        release_dir=ATTACKS / "release",
        warm=warm,
    )
    assert [e.kind for e in report.events] == ["error"], report.summary()
    assert "RuntimeError" in report.to_json()  # the kernel did raise what it read
    assert secret not in every_report(report) and "GRADER_DEPLOY_TOKEN" not in every_report(report)


# Within one submission: a cell leaves marks in every writable place, in the session keyring and in
# a process of its own, then kills its kernel. The replacement kernel re-runs the cells that had
# completed; the first of them dies if it finds any mark, which would let a kernel choose which
# early cell fails (and the report names that cell).
FIND_MARKS = r"""
import ctypes, glob, os
libc = ctypes.CDLL(None, use_errno=True)
marks = [p for folder in ("/sandbox/work", "/sandbox/tmp", "/tmp", "/dev/shm", "/sandbox") for p in glob.glob(folder + "/mark*")]
keyring = libc.syscall(ctypes.c_long({KEYCTL}), ctypes.c_long(10), ctypes.c_long(-3), b"user", b"mark", ctypes.c_long(0))
if marks or keyring > 0:
    os._exit(3)
"""
LEAVE_MARKS = r"""
import ctypes, os, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
for folder in ("/sandbox/work", "/sandbox/tmp", "/tmp", "/dev/shm", "/sandbox"):
    try:
        open(folder + "/mark", "w").write("held-out")
    except OSError:
        pass
libc.syscall(ctypes.c_long({ADD_KEY}), b"user", b"mark", b"held-out", ctypes.c_long(8), ctypes.c_long(-3))
later = "import time\nfor _ in range(100):\n    time.sleep(0.1)\n    for f in ('/sandbox/work', '/tmp', '/dev/shm'):\n        open(f + '/mark-late', 'w').write('x')\n"
subprocess.Popen([sys.executable, "-c", later], start_new_session=True)
os._exit(0)
"""


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_replacement_kernel_starts_with_nothing_of_the_one_it_replaces(tmp_path: Path, warm: bool) -> None:
    import nbformat

    from corpuskit.course.warm_parent import REFUSED

    numbers = REFUSED.get(os.uname().machine, REFUSED["x86_64"])
    nb = nbformat.read(Path(__file__).parent / "fixtures" / "course" / "tiny-solution.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    cells = [
        FIND_MARKS.replace("{KEYCTL}", str(numbers["keyctl"])),
        LEAVE_MARKS.replace("{ADD_KEY}", str(numbers["add_key"])),
    ]
    nb.cells[at + 1 : at + 1] = [nbformat.v4.new_code_cell(source) for source in cells]  # type: ignore[no-untyped-call]
    path = tmp_path / "marks.ipynb"
    nbformat.write(nb, path)  # type: ignore[no-untyped-call]
    report = grade(path, grading_dir=GRADING, lesson="tiny", limits=LIMITS, release_dir=ATTACKS / "release", warm=warm)
    assert [e.kind for e in report.events] == ["dead", "kernel-replaced"], report.summary()
    assert report.score == 8, report.summary()


# Kernel memory no process's resident size shows: socket pairs with full buffers, about 4 MiB each, which
# only a memory cgroup counts. Every way of making a socket is tried first (from the kernel, a thread, a
# forked child, a new event loop); the cell spoils Q1 if any of them works, and then fills the buffers.
SOCKET_BUFFERS = """
import asyncio, fcntl, os, socket, struct, threading

made = []

def attempt(make):
    try:
        made.append(make())
    except OSError:
        pass

ways = [
    socket.socketpair,
    lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM),
    lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM),
    lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW),
    asyncio.new_event_loop,
    os.openpty,  # pseudo-terminals come from one count for the whole machine
]
# Byte-range locks are kernel memory with no limit too; a whole-file lock (one per open file) is allowed.
lock_file = os.open(os.path.join(os.environ["TMPDIR"], "locks"), os.O_RDWR | os.O_CREAT)
ways += [
    lambda: fcntl.lockf(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0),
    lambda: fcntl.fcntl(lock_file, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 1, 0)),
]
fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
for way in ways:
    attempt(way)
    thread = threading.Thread(target=attempt, args=(way,))
    thread.start()
    thread.join()
child = os.fork()
if child == 0:
    try:
        socket.socketpair()
    except PermissionError:
        os._exit(0)
    os._exit(1)
_, status = os.waitpid(child, 0)
if made or os.waitstatus_to_exitcode(status) != 0:
    answer_int = 0
    pairs = []
    while True:
        a, b = socket.socketpair()
        pairs.append((a, b))
        for end in (a, b):
            end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
            end.setblocking(False)
            try:
                while True:
                    end.send(b"x" * 65536)
            except BlockingIOError:
                pass
"""


# A process above the kernel in its sandbox that the kernel could rewrite through /proc/PID/mem would run
# the kernel's code outside its later limits (the socket filter, the rlimits): the cell spoils Q1 if there
# is one. Then the kernel and a child of its own stop their death signals and the child ignores the rest.
ANCESTORS_AND_DAEMON = """
import ctypes, os, signal, time
writable = []
pid = os.getppid()
while pid > 0:
    try:
        open(f"/proc/{pid}/mem", "r+b").close()
        writable.append(pid)
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    except OSError:  # a warm kernel's /proc is empty
        break
if writable:
    answer_int = 0
libc = ctypes.CDLL(None)
libc.prctl(1, 0, 0, 0, 0)  # PR_SET_PDEATHSIG: none
if os.fork() == 0:
    os.setsid()
    libc.prctl(1, 0, 0, 0, 0)
    libc.prctl(15, b"{NAME}", 0, 0, 0)  # PR_SET_NAME
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, signal.SIG_IGN)
    time.sleep(60)
    os._exit(0)
"""


def _running(name: str) -> list[int]:
    """Processes on this machine called ``name`` that have not ended."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            comm, rest = stat.read_text().split(") ", 1)
        except (OSError, ValueError):
            continue
        if comm.split(" (", 1)[1] == name and rest[0] != "Z":
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_nothing_above_the_kernel_is_its_to_rewrite_and_nothing_of_it_outlives_grading(
    tmp_path: Path, warm: bool
) -> None:
    import secrets

    name = f"cko-{secrets.token_hex(4)}"
    path = with_cell(tmp_path, "outlive", ANCESTORS_AND_DAEMON.replace("{NAME}", name), last=True)
    report = grade(path, grading_dir=GRADING, lesson="tiny", limits=LIMITS, release_dir=ATTACKS / "release", warm=warm)
    assert not report.events, report.summary()
    assert report.score == 8, report.summary()
    deadline = time.monotonic() + 5
    while _running(name) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(name)


# As a normal user the kernel keeps the instructor's supplementary groups, which may open files no one
# else can (the normal user's attack run gives `nobody` the group `shadow`). The cell raises what it read.
GROUP_FILES = """
found = {}
for path in ("/etc/shadow", "/etc/gshadow"):
    try:
        with open(path, "rb") as handle:
            found[path] = len(handle.read())
    except OSError:
        pass
if any(found.values()):
    raise RuntimeError(f"read {found}")
"""


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_files_only_the_instructor_s_groups_may_read_stay_hidden(tmp_path: Path, warm: bool) -> None:
    path = with_cell(tmp_path, "group-files", GROUP_FILES)
    report = grade(path, grading_dir=GRADING, lesson="tiny", limits=LIMITS, release_dir=ATTACKS / "release", warm=warm)
    assert not report.events, report.summary()
    assert report.score == 8, report.summary()


def graded_without_cgroups(path: Path, limits: Limits, warm: bool, monkeypatch: pytest.MonkeyPatch) -> Report:
    """``path`` graded as where no cgroup is writable: the grader's own sum limits memory, as for a normal user."""
    with monkeypatch.context() as patched:
        for module in ("corpuskit.course.grade", "corpuskit.course.sandbox"):
            no_cgroups = dataclasses.replace(probe(), cgroups=False)
            patched.setattr(importlib.import_module(module), "probe", lambda isolation=no_cgroups: isolation)
        return grade(
            path, grading_dir=GRADING, lesson="tiny", limits=limits, release_dir=ATTACKS / "release", warm=warm
        )


# Kernel memory in pipes: twelve children keep 450 pipes each (900 of their 1,024 open files), 24 MiB of
# buffers in all, but each pipe could hold 64 KiB: about 340 MiB that no process's resident size shows.
PIPE_HOARD = """
import os, time
children = []
for _ in range(12):
    pid = os.fork()
    if pid == 0:
        kept = [os.pipe() for _ in range(450)]
        for _, end in kept:
            os.write(end, b"x")
        time.sleep(20)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
"""


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_without_a_cgroup_the_grader_s_sum_counts_a_pipe_buffer_for_each_open_file(
    tmp_path: Path, warm: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = dataclasses.replace(LIMITS, memory_mb=512, cell_timeout=30)
    report = graded_without_cgroups(with_cell(tmp_path, "pipes", PIPE_HOARD), limits, warm, monkeypatch)
    assert "summed by the grader" in report.isolation
    assert [e.kind for e in report.events] == ["memory-limit", "kernel-replaced"], report.summary()
    assert report.score == 8, report.summary()


# Kernel memory in inodes: empty files, which take none of the tmpfs's size, as fast as the kernel can
# make them (each an inode and a name in the kernel's caches), and extended attributes on them.
EMPTY_FILES = """
import os
for n in range(3_000_000):
    with open(os.path.join(os.environ["TMPDIR"], str(n)), "w") as handle:
        if n % 100 == 0:
            os.setxattr(handle.fileno(), "user.x", b"x" * 60_000)
"""


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_without_a_cgroup_the_grader_s_sum_counts_the_sandbox_s_inodes(
    tmp_path: Path, warm: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = dataclasses.replace(LIMITS, memory_mb=512, cell_timeout=60)
    report = graded_without_cgroups(with_cell(tmp_path, "empty-files", EMPTY_FILES), limits, warm, monkeypatch)
    assert [e.kind for e in report.events] == ["memory-limit", "kernel-replaced"], report.summary()
    assert report.score == 8, report.summary()


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_a_kernel_makes_no_sockets_or_byte_range_locks_whose_memory_no_limit_counts(tmp_path: Path, warm: bool) -> None:
    """Once cells run, ``socket``, ``socketpair`` and byte-range locks fail in every thread and child of the
    kernel, so the kernel memory they would hold (counted only by a cgroup, which a normal user lacks) is
    never made."""
    limits = dataclasses.replace(LIMITS, memory_mb=512, cell_timeout=30)
    path = with_cell(tmp_path, "socket-buffers", SOCKET_BUFFERS, last=True)
    report = grade(path, grading_dir=GRADING, lesson="tiny", limits=limits, release_dir=ATTACKS / "release", warm=warm)
    assert not report.events, report.summary()
    assert report.score == 8, report.summary()
