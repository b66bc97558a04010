"""Kernels forked from a warm parent: a lesson's imports paid once per worker, not once per student.

A class is graded by ``jobs`` workers. With ``pool``, each worker gets a warm parent
(``corpuskit.course.warm_parent``): a process started in the sandbox, exactly as a kernel would be
(the same file system, hidden modules and limits), that imports the modules the lesson's setup cell
imports and ipykernel's machinery, and then forks one child per submission. The child makes its own
sandbox inside the parent's before any student code runs (new namespaces, a fresh sized
``/sandbox`` and ``/dev/shm``, limits, a clean environment, no capabilities, no new user
namespaces); see ``warm_parent`` for the steps and ``docs/course.md`` for the guarantees beside the
cold path's.

A grading process takes a parent with ``claimed``, which holds the parent's lock for one
submission, so a parent serves one kernel at a time. A parent that has died, that does not fork
within the start-up time, or that was built for another lesson, other hidden modules or other
limits is not used: the submission is graded with a kernel started cold, with the same report.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import contextlib
import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuskit.course import warm_parent
from corpuskit.course.memory_watch import parent_of, started
from corpuskit.course.sandbox import (
    INSIDE,
    SHM_MB,
    Isolation,
    KernelFactory,
    Limits,
    SandboxedKernel,
    hidden_paths,
    launch_environment,
    make_cgroups,
    pin_sockets,
    python_paths,
    sandbox_argv,
    sandbox_python,
    watch_memory,
    write_stub,
)
from corpuskit.course.warm_parent import SYSCALLS

if TYPE_CHECKING:
    from jupyter_client.manager import AsyncKernelManager

    from corpuskit.course.spec import LessonSpec

# ipykernel's machinery: what every kernel imports before the first cell.
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.iostream",
    "ipykernel.heartbeat",
    "ipykernel.control",
    "ipykernel.debugger",
    "ipykernel.subshell_manager",
    "IPython.core.interactiveshell",
    "IPython.core.history",
    "psutil",
    "tornado.ioloop",
)


def setup_imports(spec: LessonSpec, release_dir: Path) -> list[str]:
    """The modules the lesson's setup cell imports, read from the released notebook (never a submission).

    ``from spacy import displacy`` lists ``spacy`` and ``spacy.displacy`` (the parent skips a name
    that is not a module). A lesson without a released copy or a setup cell imports nothing early.
    """
    import nbformat

    path = release_dir / spec.notebook
    if not path.is_file():
        return []
    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    code = [c for c in nb.cells if c.cell_type == "code"]
    setup = [c for c in code if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup"] or code[:1]
    names: list[str] = []
    for cell in setup:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")]
    return list(dict.fromkeys(names))


class Forked:
    """The forked kernel as ``subprocess.Popen`` looks to jupyter_client: polled and signalled by a pidfd."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except OSError:  # gone already
            self._fd, self.returncode = None, -signal.SIGKILL

    def poll(self) -> int | None:
        if self.returncode is None and self._fd is not None and select.select([self._fd], [], [], 0)[0]:
            # Not our child: its exit status goes to its parent in the sandbox; "killed" is what we know.
            self.returncode = -signal.SIGKILL
            os.close(self._fd)
            self._fd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None and self._fd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ParentError(RuntimeError):
    """The warm parent cannot serve: dead, silent, or its child failed before the kernel started."""


@dataclass
class Parent:
    """One warm parent: the sandboxed process, the grader's end of its socket, its lock file."""

    process: subprocess.Popen[bytes]
    channel: socket.socket
    lock: Path
    key: tuple[Any, ...]
    forks: int = 0
    broken: bool = False
    pidfd: int | None = None
    single_use: bool = False  # started by ``early`` for one submission; closed after it
    resources: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def alive(self) -> bool:
        # By a pidfd: the grading processes are forked from the one that started the parent, and
        # Popen.poll() there takes "not my child" for an exit.
        if self.pidfd is None:
            self.pidfd = os.pidfd_open(self.process.pid)
        return not select.select([self.pidfd], [], [], 0)[0]

    def usable(self) -> bool:
        return not self.broken and self.alive()

    def _receive(self, timeout: float) -> tuple[bytes, int]:
        """The next message and the pid of the process that sent it, in this process's PID namespace."""
        self.channel.settimeout(max(timeout, 0.01))
        try:
            data, ancillary, _, _ = self.channel.recvmsg(1024, socket.CMSG_SPACE(12))
        except (TimeoutError, OSError) as err:
            raise ParentError(f"the warm parent did not answer ({type(err).__name__})") from None
        if not data:
            raise ParentError("the warm parent closed its socket")
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                return data, int.from_bytes(payload[:4], sys.byteorder, signed=True)
        raise ParentError("a message without its sender's credentials")

    def ready(self, timeout: float) -> None:
        """Wait until the parent has imported its modules. The first grading process to use it reads
        its "ready" and leaves a mark for the next ones (they hold the lock one at a time)."""
        mark = self.lock.with_name("ready")
        if mark.exists():
            return
        data, _ = self._receive(timeout)
        if data != b"ready":
            raise ParentError(f"the warm parent said {data[:100]!r} instead of ready")
        mark.touch()

    def fork(self, request: dict[str, Any], timeout: float) -> int:
        """Fork a kernel for ``request``; the kernel's pid as this process sees it."""
        if not self.alive():
            raise ParentError("the warm parent has exited")
        self.channel.sendall(json.dumps(request).encode())
        deadline = time.monotonic() + timeout
        while True:
            data, pid = self._receive(deadline - time.monotonic())
            if data == b"kernel":
                self.forks += 1
                return pid
            if data.startswith(b"failed"):
                raise ParentError(data.decode(errors="replace"))

    def close(self) -> None:
        self.channel.close()
        if self.alive():
            self.process.kill()
        self.process.wait()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        self.resources.close()


@dataclass
class Pool:
    parents: list[Parent] = field(default_factory=list)


_POOL = Pool()


def _key(spec: LessonSpec, isolation: Isolation, limits: Limits) -> tuple[Any, ...]:
    return (spec.lesson, tuple(spec.hidden_modules), isolation.mode, limits)


def start_parent(
    spec: LessonSpec, isolation: Isolation, limits: Limits, imports: Sequence[str], run_dir: Path, uid: int
) -> Parent:
    """A warm parent in the sandbox, started on ``imports``; it is ready when ``Parent.ready`` returns."""
    hidden = hidden_paths(spec.hidden_modules)
    write_stub(run_dir, spec.hidden_modules)
    prefix = sandbox_argv(run_dir, isolation.mode, limits, uid, python_paths(), hidden, nested_userns=True)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    program = [sandbox_python(), "-P", str(Path(warm_parent.__file__).resolve()), str(theirs.fileno())]
    process = subprocess.Popen(
        [*prefix, *program, *KERNEL_MODULES, *imports],
        pass_fds=[theirs.fileno()],
        env=launch_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    theirs.close()
    lock = run_dir / "parent.lock"
    lock.touch()
    return Parent(process, ours, lock, _key(spec, isolation, limits), pidfd=os.pidfd_open(process.pid))


@contextlib.contextmanager
def for_class(
    lesson: str | None, grading_dir: str | None, sandbox: str, limits: Limits, release_dir: str | None, jobs: int
) -> Iterator[list[Parent]]:
    """The pool a batch grades with: one warm parent per worker when the lesson is known and the
    sandbox is on; no pool otherwise (each submission's lesson is found from its file, or no sandbox)."""
    from corpuskit.course.sandbox import probe
    from corpuskit.course.spec import find_grading_dir, load_spec

    isolation = probe()
    unsupported = isolation.mode == "none" or os.uname().machine not in SYSCALLS
    if jobs < 1 or lesson is None or sandbox == "off" or unsupported:
        yield []
        return
    try:
        grading = find_grading_dir(grading_dir)
        spec = load_spec(grading, lesson)
    except Exception:  # each submission's report says what is wrong
        yield []
        return
    releases = Path(release_dir) if release_dir is not None else grading.resolve().parent / "exercises"
    with pool(spec, isolation, limits, releases, jobs) as parents:
        yield parents


@contextlib.contextmanager
def pool(
    spec: LessonSpec, isolation: Isolation, limits: Limits, release_dir: Path, jobs: int
) -> Iterator[list[Parent]]:
    """``jobs`` warm parents for the lesson, for ``claimed`` to hand out while the block runs.

    In root mode each parent runs as a uid leased for it; the parents start at once, in parallel.
    A parent that does not get ready is left out (its worker grades cold).
    """
    from corpuskit.course.sandbox import lease_uid

    imports = setup_imports(spec, release_dir)
    with contextlib.ExitStack() as stack:
        parents: list[Parent] = []
        for _ in range(max(1, jobs)):
            run_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="corpuskit-warm-")))
            uid = stack.enter_context(lease_uid()) if isolation.mode == "root" else 0
            with contextlib.suppress(OSError):
                parents.append(start_parent(spec, isolation, limits, imports, run_dir, uid))
        _POOL.parents.extend(parents)
        try:
            yield parents
        finally:
            for parent in parents:
                _POOL.parents.remove(parent)
                parent.close()


@contextlib.contextmanager
def claimed(
    spec: LessonSpec, isolation: Isolation, limits: Limits, run_dir: Path, cold: KernelFactory
) -> Iterator[KernelFactory]:
    """A factory forking kernels from a free warm parent built for this lesson and limits, held for
    the block; ``cold`` when there is none (no pool, another lesson, every parent busy or dead)."""
    key = _key(spec, isolation, limits)
    for parent in list(_POOL.parents):
        if parent.key != key or not parent.usable():
            continue
        handle = open(parent.lock, "w")  # noqa: SIM115 - a description of our own, so flock excludes other workers
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        try:
            parent.ready(limits.startup_timeout)
        except ParentError:
            parent.broken = True
            handle.close()
            continue
        try:
            yield warm_factory(parent, isolation, limits, run_dir, cold)
        finally:
            handle.close()
            if parent.single_use:
                _POOL.parents.remove(parent)
                parent.close()
        return
    yield cold


def early(
    spec: LessonSpec, isolation: Isolation, limits: Limits, release_dir: str | os.PathLike[str] | None, grading: Path
) -> None:
    """Start a warm parent for one submission, unless a pool already serves this lesson.

    Its imports run in a process of their own while the grader reads the notebook, restores its
    locked cells and computes the key, so the kernel is forked ready-made. One left unused (the
    notebook was refused before a kernel started) is closed when the next one starts.
    """
    key = _key(spec, isolation, limits)
    if isolation.mode == "none" or os.uname().machine not in SYSCALLS:
        return
    if any(p.key == key and p.usable() and not p.single_use for p in _POOL.parents):
        return
    for stale in [p for p in _POOL.parents if p.single_use]:
        _POOL.parents.remove(stale)
        stale.close()
    from corpuskit.course.sandbox import lease_uid

    releases = Path(release_dir) if release_dir is not None else grading.resolve().parent / "exercises"
    resources = contextlib.ExitStack()
    try:
        run_dir = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="corpuskit-warm-")))
        uid = resources.enter_context(lease_uid()) if isolation.mode == "root" else 0
        parent = start_parent(spec, isolation, limits, setup_imports(spec, releases), run_dir, uid)
    except (OSError, RuntimeError):
        resources.close()
        return
    parent.single_use, parent.resources = True, resources
    atexit.register(_close_unused, parent)
    _POOL.parents.append(parent)


def _close_unused(parent: Parent) -> None:
    """At exit, the parent of a submission refused before its kernel started, and its folder."""
    if parent in _POOL.parents:
        _POOL.parents.remove(parent)
        parent.close()


def warm_factory(
    parent: Parent, isolation: Isolation, limits: Limits, run_dir: Path, cold: KernelFactory
) -> KernelFactory:
    """Kernel managers whose kernels are forked by ``parent``. As for cold kernels, the grader opens
    the kernel's sockets once, before any student code, without following links (``pin_sockets``),
    and where the cold path gives a kernel cgroups the forked kernel is put in cgroups of its own
    before it runs any cell. Once the parent has failed, ``cold`` ones."""
    from jupyter_client.manager import AsyncKernelManager

    class ForkedKernelManager(SandboxedKernel, AsyncKernelManager):
        relay_message_bytes, relay_timeout = limits.message_bytes, limits.startup_timeout

        async def _launch(self, kernel_cmd: list[str], **kw: Any) -> None:
            connection = json.loads(Path(self.connection_file).read_text(encoding="utf-8"))
            request = {
                "connection": connection,
                "inside": str(INSIDE),
                "cwd": str(INSIDE / "work"),
                "disk_mb": limits.disk_mb,
                "shm_mb": SHM_MB,
                "memory_mb": limits.memory_mb,
                "file_mb": limits.file_mb,
                "processes": limits.processes,
            }
            try:
                pid = await asyncio.to_thread(parent.fork, request, limits.startup_timeout)
            except ParentError as err:
                parent.broken = True  # no later kernel is forked by it
                raise RuntimeError(f"the warm parent did not fork a kernel: {err}") from None
            provisioner: Any = self.provisioner
            provisioner.process = Forked(pid)
            provisioner.pid, provisioner.pgid = pid, None
            self._reconcile_connection_info(provisioner.connection_info)
            name = Path(self.inside_ip).name
            if isolation.cgroups:
                # The kernel is idle until the grader's first request: joining now precedes any cell.
                self.cgroups = tuple(make_cgroups(f"{run_dir.name}-{name}", limits))
                for group in self.cgroups:
                    (group / "cgroup.procs").write_text(str(pid))
            # Summed from the first process of the kernel's PID namespace, where orphans go.
            self.first_process = (parent_of(pid), started(parent_of(pid)))
            self.memory_watch = watch_memory(parent_of(pid), isolation, limits)
            pins = run_dir / f"{name}-pins"
            self.pinned = tuple(
                await asyncio.to_thread(pin_sockets, pid, name, self.ports, pins, limits.startup_timeout)
            )
            self.ip = str(pins / name)

        def cleanup_ipc_files(self) -> None:
            # Only the grader's own links are removed (the kernel's files go with its tmpfs).
            self.release()

    counter = iter(range(1_000_000))

    def make() -> AsyncKernelManager:
        if not parent.usable():
            return cold()
        n = next(counter)
        ip = str(INSIDE / f"k{n}")
        km: AsyncKernelManager = ForkedKernelManager.made(run_dir, n, ip, limits)
        return km

    return make
