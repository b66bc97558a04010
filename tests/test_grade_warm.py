"""Kernels forked from a warm parent: the attack table holds unchanged, and nothing one submission
does reaches the next one the same parent forks (processes left behind, files in every writable
place, module state and environment of the imported modules, memory).

Each test runs a pool of one parent, so every kernel is forked by the same parent, one after the
other, and checks that the parent did fork them (not a cold start)."""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpuskit.course import Report, grade, load_spec
from corpuskit.course import warm as warm_kernels
from corpuskit.course.sandbox import Limits, probe
from corpuskit.course.warm_parent import seccomp_program

sys.path.insert(0, str(Path(__file__).parent))
import test_grade_attacks as attacks  # the attack table, run here with the warm parent on

COURSE = Path(__file__).parent / "fixtures" / "course"
SOLUTION = json.loads((COURSE / "tiny-solution.ipynb").read_text())
FULL_MARKS = {"q1": 1, "q2": 2, "q3": 2, "q4": 3}
NO_KERNEL = {"not-json", "no-cells", "other-kernel", "wrong-lesson"}  # refused before a kernel starts

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def sandbox_required() -> None:
    if probe().mode == "none" or os.uname().machine not in warm_kernels.SYSCALLS:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the sandbox and the warm parent: {probe().missing}")
        pytest.skip(f"needs the sandbox: {probe().missing}")


@pytest.fixture
def parent() -> Iterator[warm_kernels.Parent]:
    spec = load_spec(attacks.GRADING, "tiny")
    with warm_kernels.pool(spec, probe(), attacks.LIMITS, attacks.ATTACKS / "release", 1) as parents:
        assert len(parents) == 1
        yield parents[0]


@pytest.mark.parametrize("name", sorted(attacks.TABLE))
def test_attack_table_with_the_warm_parent(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    spec: Any = load_spec(attacks.GRADING, "tiny")
    if name in attacks.HIDING:  # the parent is built with the modules hidden, as test_attack grades
        spec = attacks.HidingSpec(spec)
    with warm_kernels.pool(spec, probe(), attacks.LIMITS, attacks.ATTACKS / "release", 1) as parents:
        attacks.test_attack(name, monkeypatch)
        (forker,) = parents
        assert (forker.forks == 0) == (name in NO_KERNEL), "the kernel was not forked by the warm parent"
        assert forker.alive(), "a child took its parent down"


def _notebook(tmp_path: Path, name: str, *extra: str, before_answers: bool = False) -> Path:
    nb = copy.deepcopy(SOLUTION)
    cells = [
        {
            "cell_type": "code",
            "id": f"extra-{n}",
            "metadata": {},
            "source": source,
            "outputs": [],
            "execution_count": None,
        }
        for n, source in enumerate(extra)
    ]
    at = 2 if before_answers else len(nb["cells"])  # right after the setup cell, or at the end
    nb["cells"][at:at] = cells
    path = tmp_path / f"{name}.ipynb"
    path.write_text(json.dumps(nb))
    return path


def _grade(path: Path) -> Report:
    return grade(
        path, grading_dir=attacks.GRADING, lesson="tiny", limits=attacks.LIMITS, release_dir=attacks.ATTACKS / "release"
    )


# Every writable place a kernel has, and the environment it must not be able to change.
PLACES = ("/sandbox/work", "/sandbox/tmp", "/tmp", "/dev/shm", os.path.dirname(os.__file__), sys.prefix, "/")

POISON = f"""
import json, os, re, subprocess, sys
for folder in {PLACES!r}:
    try:
        with open(os.path.join(folder, "poison.py"), "w") as handle:
            handle.write("raise SystemExit('poisoned')")
    except OSError:
        pass
with open("/dev/shm/filler", "wb") as handle:  # the shared memory tmpfs, full
    try:
        handle.write(b"x" * (80 << 20))
    except OSError:
        pass
os.environ["CORPUSKIT_POISON"] = "1"
os.environ["PYTHONSTARTUP"] = "/sandbox/work/poison.py"
re.finditer = lambda *args, **kwargs: iter(())
json.dumps = lambda *args, **kwargs: '"poisoned"'
sys.modules["re"].sub = None
# A process left behind in a session of its own: for 20 s it copies whatever the next kernel
# writes, wipes the next kernel's files and signals every process it can see.
script = '''
import glob, os, shutil, signal, time
memory = bytearray(300 << 20)
for _ in range(400):
    for path in glob.glob("/sandbox/**", recursive=True) + glob.glob("/proc/*/root/sandbox/**", recursive=True):
        if "secret" in path:
            shutil.copy(path, "/dev/shm/loot")
        elif path.endswith(".json") or "/k" in path:
            try:
                os.remove(path)
            except OSError:
                pass
    for pid in range(2, 400):
        if pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    time.sleep(0.05)
'''
subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
subprocess.Popen(["sh", "-c", "(sleep 20 &) ; sleep 20"], start_new_session=True)
"""

PROBE = f"""
import glob, json, os, re, shutil
found = [p for folder in {PLACES!r} for p in glob.glob(os.path.join(folder, "poison*"))]
found += glob.glob("/sandbox/**/loot", recursive=True) + glob.glob("/dev/shm/*")
assert not found, found
assert "CORPUSKIT_POISON" not in os.environ and "PYTHONSTARTUP" not in os.environ, dict(os.environ)
assert json.dumps([1]) == "[1]" and re.sub("a", "b", "a") == "b"
assert [m.start() for m in re.finditer("a", "banana")] == [1, 3, 5]
assert shutil.disk_usage("/dev/shm").used < (1 << 20), shutil.disk_usage("/dev/shm")
assert shutil.disk_usage("/sandbox").used < (4 << 20), shutil.disk_usage("/sandbox")
assert os.listdir("/proc") == [], os.listdir("/proc")
"""

SECRET = """
with open("/sandbox/work/secret.txt", "w") as handle:
    handle.write("the answers of a careful student")
import time
time.sleep(1.5)  # long enough for a process left behind to find the file, had it survived
"""


def test_nothing_reaches_the_next_submission(tmp_path: Path, parent: warm_kernels.Parent) -> None:
    hostile = _grade(_notebook(tmp_path, "hostile", POISON))
    assert hostile.status == "graded"
    secretive = _grade(_notebook(tmp_path, "secretive", SECRET, before_answers=True))
    assert {q.id: q.points for q in secretive.questions} == FULL_MARKS, secretive.summary()
    assert [e.kind for e in secretive.events] == [], secretive.summary()
    probe_report = _grade(_notebook(tmp_path, "probe", PROBE, before_answers=True))
    assert {q.id: q.points for q in probe_report.questions} == FULL_MARKS, probe_report.summary()
    assert [e.kind for e in probe_report.events] == [], probe_report.summary()
    # The hostile kernel may be replaced once (its process left behind kills what it sees).
    assert parent.forks >= 3 and parent.alive()


def test_a_poisoned_kernel_is_replaced_by_a_clean_fork(tmp_path: Path, parent: warm_kernels.Parent) -> None:
    # The poison breaks the kernel's own messages (json.dumps); its replacement is forked from the
    # parent, whose modules the poison never touched, so the answers after it are read and right.
    poisoned = _grade(_notebook(tmp_path, "poisoned", POISON, before_answers=True))
    assert "kernel-replaced" in [e.kind for e in poisoned.events], poisoned.summary()
    assert {q.id: q.points for q in poisoned.questions} == FULL_MARKS, poisoned.summary()
    clean = _grade(_notebook(tmp_path, "clean", PROBE))
    assert {q.id: q.points for q in clean.questions} == FULL_MARKS, clean.summary()
    assert [e.kind for e in clean.events] == [], clean.summary()
    assert parent.forks == 3 and parent.alive()


ESCAPES = """
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
tried = {name: libc.unshare(flags) for name, flags in (("user", 0x10000000), ("mount", 0x20000), ("net", 0x40000000))}
tried["tmpfs"] = libc.mount(b"none", b"/sandbox/work", b"tmpfs", 0, None)
tried["setuid"] = libc.setuid(0)
tried["trace the namespace's first process"] = libc.ptrace(16, 1, None, None)  # PTRACE_ATTACH
try:
    socket.create_connection(("1.1.1.1", 53), timeout=1).close()
    tried["network"] = 0
except OSError:
    tried["network"] = -1
assert set(tried.values()) == {-1} and os.getuid() != 0, tried
"""


def test_the_child_cannot_make_namespaces_mount_trace_or_reach_the_network(
    tmp_path: Path, parent: warm_kernels.Parent
) -> None:
    report = _grade(_notebook(tmp_path, "escapes", ESCAPES, before_answers=True))
    assert [e.kind for e in report.events] == [], report.summary()
    assert {q.id: q.points for q in report.questions} == FULL_MARKS
    assert parent.forks == 1


def test_a_dead_parent_means_a_cold_kernel(tmp_path: Path, parent: warm_kernels.Parent) -> None:
    parent.process.kill()
    parent.process.wait()
    report = _grade(_notebook(tmp_path, "after"))
    assert {q.id: q.points for q in report.questions} == FULL_MARKS, report.summary()
    assert parent.forks == 0


def test_other_limits_or_lessons_do_not_share_the_parent(tmp_path: Path, parent: warm_kernels.Parent) -> None:
    report = grade(
        _notebook(tmp_path, "other-limits"),
        grading_dir=attacks.GRADING,
        lesson="tiny",
        limits=Limits(cell_timeout=5),
        release_dir=attacks.ATTACKS / "release",
    )
    assert report.score == 8 and parent.forks == 0


def test_the_setup_cell_imports_are_read_from_the_release() -> None:
    spec = load_spec(Path(__file__).parents[1] / "grading", "01-reading")
    imports = warm_kernels.setup_imports(spec, Path(__file__).parents[1] / "exercises")
    assert {"corpuskit", "pandas", "spacy", "spacy.displacy", "corpuskit.course.check"} <= set(imports)
    assert warm_kernels.setup_imports(spec, Path(__file__).parent) == []  # no released copy: none


def test_the_seccomp_filter_is_well_formed() -> None:
    import struct

    from corpuskit.course.warm_parent import REFUSED

    for machine in warm_kernels.SYSCALLS:
        program = seccomp_program(machine)
        assert len(program) % 8 == 0 and len(program) // 8 == 14 + len(REFUSED[machine])
        instructions = list(struct.iter_unpack("HBBI", program))
        refused = {k for code, _, _, k in instructions if code == 0x15} - set(warm_kernels.SYSCALLS[machine])
        assert refused == set(REFUSED[machine].values())
        # Every jump lands inside the program, and it ends by returning.
        jumps = [(at, jt, jf) for at, (code, jt, jf, _) in enumerate(instructions) if code & 0x07 == 0x05]
        assert jumps and all(at + 1 + max(jt, jf) < len(instructions) for at, jt, jf in jumps)
        assert instructions[-1][0] == 0x06


def test_the_kernel_has_the_sandbox_environment_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corpuskit.course.sandbox import sandbox_argv

    monkeypatch.setenv("CI_DEPLOY_TOKEN", "must not reach the kernel")
    argv = sandbox_argv(tmp_path, probe().mode, attacks.LIMITS, 61999, [], [])
    expected = {argv[i + 1]: argv[i + 2] for i, arg in enumerate(argv) if arg == "--setenv"}
    check = f"""
import os
expected = {expected!r}
assert {{k: os.environ.get(k) for k in expected}} == expected, dict(os.environ)
assert "CI_DEPLOY_TOKEN" not in os.environ, dict(os.environ)
"""
    with warm_kernels.pool(
        load_spec(attacks.GRADING, "tiny"), probe(), attacks.LIMITS, attacks.ATTACKS / "release", 1
    ) as (forker,):
        report = _grade(_notebook(tmp_path, "environment", check, before_answers=True))
        assert forker.forks == 1
    assert [e.kind for e in report.events] == [], report.summary()
    assert report.score == 8
