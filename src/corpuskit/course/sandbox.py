"""Starting the student's kernel in a sandbox, and saying what isolation this machine allows.

The kernel is untrusted. It runs in bubblewrap with a root file system of its own that holds
only ``/usr``, ``/etc``, the Python environment, the corpuskit package and the corpus
(read-only), and two writable places: ``/sandbox``, a tmpfs of ``disk_mb`` holding its working
folder, its ``/tmp`` and its sockets, and ``/dev/shm``, one of 64 MiB; new PID, network, IPC,
UTS and user namespaces; a clean environment; no capabilities; no way to make further user
namespaces (which would let it mount an unsized tmpfs); the kernels' seccomp filter
(``warm_parent.seccomp_program``: no keyring, tracing or memfd calls) and, from before the first
cell runs, no new sockets (``warm_parent.start_kernel``); the modules a lesson hides
covered by a stub that raises ``ImportError``. Address space, file size and processes are capped
with rlimits set inside the sandbox; as root, where the cgroup v1 memory and pids controllers are
writable, each kernel also gets cgroups that cap the memory and processes of all its processes
together (``make_cgroups``). Those cgroups carry the name of the grader that made them, so that a
grader killed before it could remove them leaves nothing the next one does not find and remove
(``sweep_cgroups``); where there are no such cgroups, the grader sums the kernel's memory itself
(``watch_memory``).

Two ways in, both with the same guarantees:

- ``user`` (a normal user, unprivileged user namespaces): ``bwrap --unshare-user
  --disable-userns --as-pid-1``. The kernel runs as the instructor's uid, as the first process of
  its PID namespace (bwrap's own would be the kernel's to rewrite).
- ``root``: bwrap builds the same file system, then ``setpriv`` drops to a leased uid of its own
  and a second, unprivileged bwrap gives the kernel a user namespace with further ones disabled.

Why the process limit holds for kernels of one uid: since Linux 5.14 ``RLIMIT_NPROC`` counts
processes per user namespace (and checks each ancestor namespace against the limit its creator
had). Every kernel has a user namespace of its own and sets ``--nproc`` inside it, so each kernel
gets its own count however many kernels one instructor runs (its processes also count toward the
instructor's own count while it runs, as toward every ancestor namespace's).

The kernel makes its sockets in ``/sandbox`` (so nothing it writes lands on the host's disk),
where it may also replace them later, e.g. by a symbolic link to a host socket, which a root
grader reconnecting by path would follow. So the grader opens each socket file once, as soon as
the kernel has made it and before any student code runs, as an ``O_PATH | O_NOFOLLOW``
descriptor through ``/proc/PID/root/sandbox`` (PID being the sandbox's first process), refuses
anything that is not a socket, and connects, then and on every reconnect, through
``/proc/self/fd/N``: the descriptor names that socket itself, whatever the path holds later. The
grader's side of those sockets is a relay process (``corpuskit.course.relay``), which connects the same
way, through ``/proc/GRADER/fd/N``, so no message of the kernel's costs the grader more than a cap. ``none`` runs
the kernel unisolated and is used only when the instructor asks for it (``--sandbox off``).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import importlib.util
import os
import re
import shlex
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from corpuskit.course.memory_watch import INTERVAL, PIPE_BYTES, MemoryWatch, started
from corpuskit.course.relay import RelayedKernel

if TYPE_CHECKING:
    from jupyter_client.manager import AsyncKernelManager

Mode = Literal["root", "user", "none"]
UID_BASE, UID_COUNT = 61000, 1000
MiB = 1024 * 1024
INSIDE = Path("/sandbox")  # the kernel's writable folder, a sized tmpfs
SHM_MB = 64  # /dev/shm, the only other writable place
# The smallest --memory in which every shipped lesson's kernel runs its solution, cold and warm, with
# a cgroup or the grader's sum (lesson 7 needs more than 512; the kernel alone starts in 256).
SMALLEST_MEMORY_MB = 768
STUB = "hidden-module.py"
HIDDEN_STUB = "raise ImportError('{name} is not available while grading: write your own')\n"


@dataclass(frozen=True, slots=True)
class Limits:
    """Time limits (seconds), resource limits for the kernel, and caps on what the grader accepts."""

    cell_timeout: float = 120.0
    total_timeout: float = 1200.0  # the whole run: cells, answer snippets and calls
    answer_timeout: float = 30.0
    call_timeout: float = 120.0
    startup_timeout: float = 60.0
    probe_timeout: float = 5.0
    max_restarts: int = 2
    memory_mb: int = 4096  # address space of each kernel process (RLIMIT_AS)
    processes: int = 256  # processes and threads of the kernel (RLIMIT_NPROC in its user namespace)
    file_mb: int = 512  # largest file the kernel may write (RLIMIT_FSIZE)
    disk_mb: int = 512  # the kernel's writable space: working folder and /tmp together (a sized tmpfs)
    cell_output_bytes: int = 1_000_000  # output kept per cell; the rest is dropped and reported
    total_output_bytes: int = 10_000_000  # output kept for the whole notebook
    message_bytes: int = 16 * MiB  # largest message (all its frames) the grader accepts; larger ones are dropped
    queued_messages: int = 16  # messages the grader's sockets queue before the kernel must wait


@dataclass(frozen=True, slots=True)
class Isolation:
    """What the machine allows: the sandbox mode and, when there is none, why."""

    mode: Mode
    missing: tuple[str, ...] = ()
    cgroups: bool = False  # each kernel gets cgroups capping its memory and processes together

    @property
    def label(self) -> str:
        return "off" if self.mode == "none" else "on"

    def describe(self, limits: Limits) -> str:
        if self.cgroups:
            rlimits = (
                f"memory {limits.memory_mb} MiB for all the kernel's processes together (cgroup), "
                f"files {limits.file_mb} MiB"
            )
        else:
            rlimits = (
                f"address space {limits.memory_mb} MiB per process, and {limits.memory_mb} MiB for all the "
                f"kernel's processes together as summed by the grader every {INTERVAL:g} s (no cgroup; "
                f"{PIPE_BYTES // 1024} KiB for each open-file slot), files {limits.file_mb} MiB"
            )
        if self.mode == "none":
            return f"none: NOT ISOLATED, the kernel ran as the grader's user with network and file access; {rlimits}"
        who = "a leased unprivileged uid" if self.mode == "root" else "the instructor's uid"
        return (
            f"bubblewrap ({self.mode}): own root file system (Python environment, corpuskit and the corpus "
            f"read-only, {limits.disk_mb} MiB writable), no network, own PID and user namespaces, {who}, "
            f"no capabilities, no new sockets once cells run; {rlimits}, {limits.processes} processes"
        )

    def warning(self) -> str | None:
        if self.mode != "none":
            return None
        why = "; ".join(self.missing)
        return f"the run was not isolated ({why}): the kernel had network access and could read files"


def _run_ok(argv: Sequence[str]) -> str | None:
    try:
        done = subprocess.run(list(argv), capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return str(err)
    return None if done.returncode == 0 else done.stderr.decode(errors="replace").strip()[:200] or "failed"


@cache
def probe() -> Isolation:
    """The sandbox this machine allows, found by a dry run (once per process); ``none`` says why not."""
    if not sys.platform.startswith("linux"):
        return Isolation("none", ("the sandbox needs Linux namespaces",))
    mode: Mode = "root" if os.geteuid() == 0 else "user"
    release = tuple(int(part) for part in os.uname().release.split(".")[:2] if part.isdigit())
    if release < (5, 14):
        # Older kernels count RLIMIT_NPROC per uid only: every kernel of one user would share a count.
        return Isolation("none", (f"Linux 5.14 or later is needed (this is {os.uname().release})",))
    tools = ("bwrap", "prlimit", "setpriv") if mode == "root" else ("bwrap", "prlimit")
    missing = tuple(
        f"{tool} is not installed (Debian: bubblewrap, util-linux)" for tool in tools if not shutil.which(tool)
    )
    if missing:
        return Isolation("none", missing)
    with tempfile.TemporaryDirectory(prefix="corpuskit-probe-") as folder:
        argv = sandbox_argv(Path(folder), mode, Limits(), UID_BASE + UID_COUNT - 1, readable=[], hidden=[])
        failed = _run_ok([*argv, "true"])
    if failed:
        hint = "" if mode == "root" else " (are unprivileged user namespaces allowed?)"
        return Isolation("none", (f"bubblewrap failed{hint}: {failed}",))
    cgroups = mode == "root" and all(_own_cgroup(c) for c in CGROUP_CONTROLLERS)
    if cgroups:
        sweep_cgroups()  # what graders killed before they could clean up left behind
    return Isolation(mode, cgroups=cgroups)


def _not_for_others(folder: str) -> list[str]:
    """bwrap arguments covering what in ``folder`` other users may not read: files by ``/dev/null``,
    folders by an empty read-only tmpfs. As a normal user the kernel keeps the instructor's
    supplementary groups (a user namespace cannot drop them), and a group may open what no one else can
    (``/etc/shadow`` to the group ``shadow``)."""
    import stat

    covers: list[str] = []
    for root, folders, files in os.walk(folder):
        for name in list(folders):
            path = os.path.join(root, name)
            mode = os.lstat(path).st_mode
            if not stat.S_ISLNK(mode) and mode & (stat.S_IROTH | stat.S_IXOTH) != stat.S_IROTH | stat.S_IXOTH:
                covers += ["--tmpfs", path, "--remount-ro", path]
                folders.remove(name)
        for name in files:
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):
                mode = os.lstat(path).st_mode
                if stat.S_ISREG(mode) and not mode & stat.S_IROTH:
                    covers += ["--ro-bind", "/dev/null", path]
    return covers


def _layout(disk_mb: int, *, tmp_link: bool = True, groups_kept: bool = False) -> list[str]:
    """The kernel's file system apart from the Python environment: system folders and a sized tmpfs.

    ``/tmp`` links to the tmpfs, unless a folder the kernel must read lives under the host's
    ``/tmp`` (a course environment built there): then ``/tmp`` is a read-only folder holding that
    bind, and ``TMPDIR`` still points into the tmpfs. ``groups_kept``: the kernel keeps the
    instructor's supplementary groups, so what in ``/etc`` only they may read is covered.
    """
    links = [
        arg
        for link in ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
        if os.path.islink(f"/{link}")
        for arg in ("--symlink", os.readlink(f"/{link}"), f"/{link}")
    ]
    return [
        *("--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", *links),
        *(_not_for_others("/etc") if groups_kept else ()),
        *("--proc", "/proc", "--dev", "/dev"),
        # No pseudo-terminals: the kernel needs none, and the machine's count is shared by every
        # sandbox and container on it, root's included (one kernel could take them all).
        *("--ro-bind", "/dev/null", "/dev/pts/ptmx"),
        # The keys the kernel's session keyring holds (the grader's) would be listed there by name.
        *(
            a
            for keys in ("/proc/keys", "/proc/key-users")
            if os.path.exists(keys)
            for a in ("--ro-bind", "/dev/null", keys)
        ),
        # POSIX shared memory (multiprocessing's semaphores) gets a small tmpfs of its own; the rest
        # of /dev is read-only, so it cannot hold files either.
        *("--perms", "1777", "--size", str(SHM_MB * MiB), "--tmpfs", "/dev/shm", "--remount-ro", "/dev"),
        *("--perms", "1777", "--size", str(disk_mb * MiB), "--tmpfs", str(INSIDE)),
        *("--perms", "1777", "--dir", str(INSIDE / "work"), "--perms", "1777", "--dir", str(INSIDE / "tmp")),
        *(("--symlink", str(INSIDE / "tmp"), "/tmp") if tmp_link else ()),
    ]


def _prlimit(limits: Limits, *, nproc: bool = True) -> list[str]:
    from corpuskit.course.warm_parent import OPEN_FILES

    # Unsandboxed, the process limit would count every process of the instructor's uid: left out.
    count = [f"--nproc={limits.processes}"] if nproc else []
    sizes = [f"--as={limits.memory_mb * MiB}", f"--fsize={limits.file_mb * MiB}", f"--nofile={OPEN_FILES}"]
    return ["prlimit", *sizes, *count, "--core=0", "--"]


def _drop_to(uid: int) -> list[str]:
    return [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--no-new-privs",
        "--bounding-set=-all",
        "--inh-caps=-all",
    ]


# The inner sandbox of the root mode: a user namespace of its own (the process count is kept per
# namespace) with further ones disabled; the file system is the outer sandbox's, as it is (a new
# /proc cannot be mounted under the outer one, whose sensitive parts bwrap covers).
_INNER = [
    "bwrap",
    *("--unshare-user", "--disable-userns", "--die-with-parent"),
    *("--bind", "/", "/", "--dev-bind", "/dev", "/dev"),
]


def sandbox_argv(
    run_dir: Path,
    mode: Mode,
    limits: Limits,
    uid: int,
    readable: Sequence[Path],
    hidden: Sequence[Path],
    *,
    nested_userns: bool = False,
) -> list[str]:
    """The command that runs a program in the sandbox (append the program's argv).

    ``readable``: folders bound read-only at their own paths; ``hidden``: files and folders inside
    them covered by the stub in ``run_dir`` (made by ``write_stubs``). ``nested_userns`` lets the
    program make user namespaces: only for the warm parent (``corpuskit.course.warm``), whose
    children make their own sandbox and refuse further user namespaces themselves.
    """
    no_userns = () if nested_userns else ("--disable-userns",)
    # As a normal user bwrap's own first process in the sandbox would run as the kernel's uid, with the
    # kernel's filter only, where the kernel could rewrite it (``/proc/1/mem``) into a process without
    # the kernel's later limits: the program is the first process itself. (As root it is root's.)
    first = ("--as-pid-1",) if mode == "user" and not nested_userns else ()
    argv = [
        "bwrap",
        *("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"),
        *(("--unshare-user", *no_userns, *first) if mode == "user" else ()),
        *("--die-with-parent", "--new-session", "--hostname", "sandbox"),
        *_layout(
            limits.disk_mb,
            tmp_link=not any(f.is_relative_to("/tmp") for f in readable),
            groups_kept=mode == "user",
        ),
    ]
    made: set[Path] = set()
    for folder in readable:
        for parent in reversed(folder.parents):
            if parent != Path("/") and parent not in made and not parent.is_relative_to("/usr"):
                made.add(parent)
                argv += ["--perms", "0755", "--dir", str(parent)]
        argv += ["--ro-bind", str(folder), str(folder)]
    stub = str(run_dir / STUB)
    for path in hidden:
        if not path.is_dir():
            argv += ["--ro-bind", stub, str(path)]
            continue
        argv += ["--perms", "0555", "--tmpfs", str(path)]
        if path.name != "__pycache__":
            argv += ["--ro-bind", stub, str(path / "__init__.py")]
        argv += ["--remount-ro", str(path)]
    env = {
        "HOME": str(INSIDE / "work"),
        "PATH": f"{Path(sandbox_python()).parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TMPDIR": str(INSIDE / "tmp"),
        "MPLBACKEND": "Agg",
        "JPY_PARENT_PID": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # The C library reserves 64 MiB of address space for each thread's malloc arena; the kernel's
        # dozen threads would take most of a small --memory limit before any student code.
        "MALLOC_ARENA_MAX": "2",
    }
    # ipykernel watches its parent pid; in a PID namespace the parent is pid 1, which it takes for an
    # exited parent, so JPY_PARENT_PID=1 switches the watch off (bwrap's --die-with-parent does that job).
    # The corpus roots as bound (absolute and resolved): a relative root would be looked up from the
    # kernel's own working folder.
    roots = os.environ.get("CORPUSKIT_PATH", "").split(os.pathsep)
    if any(roots):
        env["CORPUSKIT_PATH"] = os.pathsep.join(str(Path(root).resolve()) for root in roots if root)
    argv += ["--clearenv", *[a for k, v in env.items() for a in ("--setenv", k, v)], "--chdir", str(INSIDE / "work")]
    # The root itself is a tmpfs bwrap made (owned by the kernel's uid as a normal user): read-only.
    argv += ["--remount-ro", "/"]
    inner_bwrap = [a for a in _INNER if a != "--disable-userns" or not nested_userns]
    # The kernels' seccomp filter, on the bwrap that starts the program (the warm parent's children
    # install it themselves: the parent must make their user namespaces).
    seccomp = [] if nested_userns else _seccomp_args(run_dir)
    if mode == "root":
        return [*seccomp[:4], *argv, "--", *_drop_to(uid), *inner_bwrap, *seccomp[4:], "--", *_prlimit(limits)]
    return [*seccomp[:4], *argv, *seccomp[4:], "--", *_prlimit(limits)]


def launch_environment() -> dict[str, str]:
    """The environment bubblewrap itself is started with: only what finding it needs. Its first
    process inside the sandbox keeps the environment it was started with (``--clearenv`` clears the
    program's), and a kernel running as the same user can read it there."""
    return {"PATH": os.environ.get("PATH", os.defpath)}


SECCOMP_FD = 9


def _seccomp_args(run_dir: Path) -> list[str]:
    """``sh -c ... sh`` opening the filter (written to ``run_dir``) on ``SECCOMP_FD`` for the bwrap it
    starts, then ``--seccomp SECCOMP_FD`` for that bwrap: bubblewrap reads the filter, closes the
    descriptor and installs the filter just before it starts the program. Nothing on a machine the
    filter is not written for."""
    from corpuskit.course.warm_parent import SYSCALLS, seccomp_program

    if os.uname().machine not in SYSCALLS:
        return []
    path = run_dir / "seccomp.bpf"
    path.write_bytes(seccomp_program(os.uname().machine))
    opened = f'exec "$@" {SECCOMP_FD}<{shlex.quote(str(path))}'
    return ["sh", "-c", opened, "sh", "--seccomp", str(SECCOMP_FD)]


def hidden_paths(modules: Sequence[str]) -> list[Path]:
    """The files that make up each hidden module: a package's folder, a module's file, and the
    compiled copies of a module beside it (its ``__pycache__`` folder, hidden as a whole).

    A corpuskit module that does not exist is an error: a typo would leave the reference
    implementation visible. A third-party package that is not installed (an optional statistical
    model) has nothing to hide and is skipped.
    """
    from corpuskit.errors import GradingError

    paths: list[Path] = []
    for name in modules:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if (spec is None or spec.origin is None) and name.partition(".")[0] != "corpuskit":
            continue
        if spec is None or spec.origin is None:
            raise GradingError(f"hidden module {name!r}: no such module")
        origin = Path(spec.origin).resolve()
        if spec.submodule_search_locations:
            paths.append(origin.parent)
            continue
        paths.append(origin)
        cache_dir = origin.parent / "__pycache__"
        with contextlib.suppress(OSError):  # made now so a compiled copy written later is hidden too
            cache_dir.mkdir(exist_ok=True)
        if cache_dir.is_dir():
            paths.append(cache_dir)
    # What lies inside a hidden folder is hidden with it (and could not be mounted over).
    unique = list(dict.fromkeys(paths))
    return [p for p in unique if not any(q != p and q.is_dir() and p.is_relative_to(q) for q in unique)]


def write_stub(run_dir: Path, modules: Sequence[str]) -> None:
    """The file every hidden module is covered with: an ``ImportError`` naming the hidden modules."""
    (run_dir / STUB).write_text(HIDDEN_STUB.format(name=", ".join(modules)), encoding="utf-8")
    (run_dir / STUB).chmod(0o644)


def sandbox_python() -> str:
    """The interpreter's path as the sandbox sees it. Only resolved folders are bound
    (``python_paths``), so a virtual environment reached through a symbolic link to a folder would not
    exist inside; the file name itself stays as it is, since a virtual environment's interpreter is a
    link that Python must not follow to find its environment."""
    executable = Path(sys.executable)
    return str(executable.parent.resolve() / executable.name)


def python_paths() -> list[Path]:
    """Folders the kernel needs to run Python with corpuskit: the environment, the package, the corpus."""
    import corpuskit
    from corpuskit.corpus import corpus_roots

    folders = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.executable).resolve().parent}
    folders |= {Path(p) for p in site.getsitepackages()}
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        folders.add(Path(site.getusersitepackages()))
    folders.add(Path(corpuskit.__file__).resolve().parent)
    folders |= {root.resolve() for root in corpus_roots() if root.is_dir()}
    resolved = sorted({f.resolve() for f in folders if f.exists()})
    # Drop folders inside others; /usr is bound anyway.
    kept = [f for f in resolved if not any(f != g and f.is_relative_to(g) for g in resolved)]
    return [f for f in kept if not f.is_relative_to("/usr")]


@contextlib.contextmanager
def lease_uid() -> Iterator[int]:
    """A uid no other kernel on this machine is using now (lock files in a root-only folder)."""
    folder = Path("/run" if os.access("/run", os.W_OK) else tempfile.gettempdir()) / "corpuskit-uids"
    folder.mkdir(mode=0o700, exist_ok=True)
    start = os.getpid() % UID_COUNT
    for k in range(UID_COUNT):
        uid = UID_BASE + (start + k) % UID_COUNT
        handle = open(folder / f"{uid}.lock", "w")  # noqa: SIM115 - held for the lease's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        try:
            yield uid
        finally:
            handle.close()
        return
    raise RuntimeError("no free sandbox uid")


def _sandbox_pid(outer: int, timeout: float) -> int | None:
    """The first process inside the sandbox: the only child of the bwrap the grader started."""
    deadline = time.monotonic() + timeout
    listed = Path(f"/proc/{outer}/task/{outer}/children")
    while time.monotonic() < deadline and Path(f"/proc/{outer}").exists():
        if listed.exists():  # kernels built with CONFIG_PROC_CHILDREN
            try:
                children = [int(pid) for pid in listed.read_text().split()]
            except OSError:  # bwrap is gone already
                return None
        else:  # elsewhere, by each process's parent
            children = [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat") if _parent(stat) == outer]
        if children:
            return children[0]
        time.sleep(0.005)
    return None


def _parent(stat: Path) -> int:
    try:
        # "pid (comm) state ppid ...": the command may hold spaces and parentheses, so split after the last ")".
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def pin_sockets(sandbox: int, name: str, ports: Sequence[int], pins: Path, timeout: float) -> list[int]:
    """Open each of the kernel's sockets ``/sandbox/NAME-PORT`` as it appears, without following links.

    ``sandbox`` is the pid of the sandbox's first process. The descriptors are returned (keep them
    open as long as the kernel runs) and ``pins/NAME-PORT`` is made a link to ``/proc/self/fd/N``
    for each, so the kernel client can connect by ``pins/NAME``. Raises ``RuntimeError`` when a
    socket does not appear in time or is not a socket.
    """
    import stat

    flags = os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC

    def open_socket(port: int) -> int:
        # The sandbox's root is looked up afresh each time: bwrap switches to it after starting.
        root = os.open(f"/proc/{sandbox}/root", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            inside = os.open(INSIDE.name, flags | os.O_DIRECTORY, dir_fd=root)
            try:
                return os.open(f"{name}-{port}", flags, dir_fd=inside)
            finally:
                os.close(inside)
        finally:
            os.close(root)

    fds: list[int] = []
    deadline = time.monotonic() + timeout
    try:
        for port in ports:
            while True:
                try:
                    fds.append(open_socket(port))
                    break
                except FileNotFoundError:
                    if time.monotonic() > deadline or not os.path.exists(f"/proc/{sandbox}"):
                        raise RuntimeError(f"the kernel made no socket {name}-{port}") from None
                    time.sleep(0.01)
            if not stat.S_ISSOCK(os.fstat(fds[-1]).st_mode):
                raise RuntimeError(f"the kernel's {name}-{port} is not a socket")
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    pins.mkdir(mode=0o700)
    for port, fd in zip(ports, fds, strict=True):
        (pins / f"{name}-{port}").symlink_to(f"/proc/self/fd/{fd}")
    return fds


CGROUPS = Path("/sys/fs/cgroup")
CGROUP_CONTROLLERS = ("memory", "pids")


def _own_cgroup(controller: str) -> Path | None:
    """The folder of this process's cgroup for a controller of the cgroup v1 hierarchy, if writable.

    cgroup v2 is not used: a process may not make child groups with controllers in the group it
    sits in (only a delegated, empty subtree allows that), so there only the rlimits hold.
    """
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            folder = CGROUPS / controller / path.lstrip("/")
            return folder if (folder / "cgroup.procs").is_file() and os.access(folder, os.W_OK) else None
    return None


# A kernel's cgroups are named for the grader that made them: its PID namespace, pid and start time
# (so a reused pid is not taken for it), then the kernel's own name. A grader killed with SIGKILL
# cannot remove its cgroups; the next one to start finds them by this name and removes them.
CGROUP_PREFIX = "corpuskit-grader"
_GRADER_GROUP = re.compile(rf"{CGROUP_PREFIX}-(\d+)-(\d+)-(\d+)-")


def _started(pid: int) -> str | None:
    """When a process started (clock ticks after boot, field 22 of ``/proc/PID/stat``); None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # the command name in parentheses may hold spaces
    return fields[19] if len(fields) > 19 else None


def _pid_namespace() -> str:
    return str(os.stat("/proc/self/ns/pid").st_ino)


def grader_cgroup_name(name: str, pid: int | None = None) -> str:
    """The name of a cgroup that the grader process ``pid`` (this one by default) makes for ``name``."""
    pid = os.getpid() if pid is None else pid
    return f"{CGROUP_PREFIX}-{_pid_namespace()}-{pid}-{_started(pid)}-{name}"


def sweep_cgroups() -> list[Path]:
    """Remove the kernel cgroups whose grader is gone, killing what is left in them; return them.

    A grader's cgroups are kept while it runs, and so are those of graders in another PID namespace,
    whose processes this one cannot see.
    """
    namespace, stale = _pid_namespace(), []
    for controller in CGROUP_CONTROLLERS:
        parent = _own_cgroup(controller)
        if parent is None:
            continue
        try:
            folders = sorted(parent.iterdir())
        except OSError:
            continue
        for folder in folders:
            made_by = _GRADER_GROUP.match(folder.name)
            if made_by is None or made_by[1] != namespace or not folder.is_dir():
                continue
            if _started(int(made_by[2])) != made_by[3]:
                stale.append(folder)
    remove_cgroups(stale)
    return stale


def make_cgroups(name: str, limits: Limits) -> list[Path]:
    """One kernel's memory and pids cgroups (v1): its processes together get ``memory_mb`` and
    ``processes``; the tmpfs pages it writes are charged to it too."""
    made: list[Path] = []
    try:
        for controller in CGROUP_CONTROLLERS:
            parent = _own_cgroup(controller)
            if parent is None:
                raise RuntimeError(f"no writable {controller} cgroup")
            folder = parent / grader_cgroup_name(name)
            folder.mkdir()
            made.append(folder)
            if controller == "memory":
                (folder / "memory.limit_in_bytes").write_text(str(limits.memory_mb * MiB))
                swap = folder / "memory.memsw.limit_in_bytes"
                if swap.exists():  # swap accounting is on: swapped pages count too
                    swap.write_text(str(limits.memory_mb * MiB))
            else:
                (folder / "pids.max").write_text(str(limits.processes))
    except BaseException:
        remove_cgroups(made)
        raise
    return made


def oom_killed(folders: Sequence[Path]) -> bool:
    """Whether the kernel's memory cgroup killed one of its processes: its memory together passed the
    limit, whatever held it (socket buffers and other kernel memory count there too)."""
    for folder in folders:
        with contextlib.suppress(OSError, ValueError):
            for line in (folder / "memory.oom_control").read_text().splitlines():
                if line.startswith("oom_kill ") and int(line.split()[1]) > 0:
                    return True
    return False


def remove_cgroups(folders: Sequence[Path]) -> None:
    """Kill what is left in a kernel's cgroups and remove them."""
    for folder in folders:
        for _ in range(50):
            try:
                pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
            except OSError:
                break
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            try:
                folder.rmdir()
                break
            except OSError:
                time.sleep(0.02)


def release_kernel(cgroups: Sequence[Path], pinned: Sequence[int], ip: str, inside_ip: str) -> None:
    """What the grader holds for a sandboxed kernel, given back: its cgroups, the descriptors of its
    pinned sockets and the folder of links to them (``ip`` when it is not the kernel's own path)."""
    remove_cgroups(cgroups)
    for fd in pinned:
        os.close(fd)
    if ip != inside_ip:
        shutil.rmtree(Path(ip).parent, ignore_errors=True)


def cap_sockets(context: Any, limits: Limits) -> None:
    """Every socket made from ``context`` from now on drops frames over the cap and queues few messages.

    ZeroMQ refuses an oversized frame before allocating it and disconnects the sender; the
    kernel wrapper notices the disconnection and reconnects (``kernel.Kernel``).
    """
    import zmq

    context.setsockopt(zmq.MAXMSGSIZE, limits.message_bytes)
    context.setsockopt(zmq.RCVHWM, limits.queued_messages)


def watch_memory(root: int, isolation: Isolation, limits: Limits) -> MemoryWatch | None:
    """Where no cgroup caps a sandboxed kernel's processes together, the grader sums their memory
    (``corpuskit.course.memory_watch``) from ``root``, the sandbox's outermost process."""
    if isolation.mode == "none" or isolation.cgroups:
        return None
    return MemoryWatch(root, limits.memory_mb * MiB, folders=(str(INSIDE), "/dev/shm"))


class SandboxedKernel(RelayedKernel):
    """Mixed into a kernel manager (before ``AsyncKernelManager``) for a kernel the grader starts,
    sandboxed or not: what the grader holds for it (the relay, pinned sockets, cgroups, the memory sum),
    given back in one place, its client's socket caps, and why the kernel ended when it died."""

    inside_ip = ""  # where the kernel makes its sockets, as the sandbox sees it
    cgroups: tuple[Path, ...] = ()
    memory_watch: MemoryWatch | None = None
    limits = Limits()
    first_process: tuple[int, str] = (0, "")  # the sandbox PID namespace's first process, and its start

    def release(self) -> None:
        # Killing the first process of the kernel's PID namespace ends every process in it, including
        # one that stopped its death signal from reaching it when the sandbox's outer process died.
        pid, start = self.first_process
        if pid and started(pid) == start:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self.stop_relay()
        release_kernel(self.cgroups, self.pinned, self.ip, self.inside_ip)
        self.cgroups, self.pinned = (), ()
        if self.memory_watch is not None:
            self.memory_watch.stop()

    def client(self, **kwargs: Any) -> Any:
        kc = super().client(**kwargs)
        cap_sockets(kc.context, self.limits)
        return kc

    @classmethod
    def made(cls, run_dir: Path, n: int, ip: str, limits: Limits, *, by_message: bool = True) -> Any:
        """The ``n``-th manager of a run: its kernel's sockets at ``ip``, its connection file in ``run_dir``,
        specs from ipykernel alone and capped sockets; ``by_message``: interrupts go on the control
        channel (a sandboxed kernel runs in a session of its own)."""
        km: Any = cls(
            kernel_name="python3",
            kernel_spec_manager=native_kernel_specs(),
            transport="ipc",
            ip=ip,
            connection_file=str(run_dir / f"kernel-{n}.json"),
        )
        km.inside_ip, km.limits = ip, limits
        cap_sockets(km.context, limits)
        if by_message and km.kernel_spec is not None:
            km.kernel_spec.interrupt_mode = "message"
        return km

    def ending(self) -> tuple[str, str]:
        """Why the kernel died, as an event's kind and message: the grader's memory sum, the memory
        cgroup, or a message too large for the relay stopped it, or it died by itself."""
        limit = self.limits.memory_mb
        if self.memory_watch is not None and self.memory_watch.exceeded:
            held = f"{self.memory_watch.exceeded // 2**20} MiB, over the {limit} MiB limit"
            return "memory-limit", f"MemoryError: the kernel's processes together held {held}"
        if oom_killed(self.cgroups):
            return "memory-limit", f"MemoryError: the kernel's processes together passed the {limit} MiB limit"
        if self.relay is not None and self.relay.overflowed():
            return "dead", "the kernel sent more than the grader reads; the kernel was stopped"
        return "dead", "the kernel died (a crash, os._exit, or out of memory)"


KernelFactory = Callable[[], "AsyncKernelManager"]


def native_kernel_specs() -> Any:
    """Kernel specs from ipykernel alone, for the grader's kernel managers: the instructor's own kernel
    folders have no say in how a submission runs, and looking for them makes IPython leave a folder in
    ``/tmp`` for every run when the home folder is not writable."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager(kernel_dirs=[])


def kernel_factory(
    run_dir: Path, isolation: Isolation, limits: Limits, hidden_modules: Sequence[str] = (), uid: int = UID_BASE
) -> KernelFactory:
    """A function making kernel managers whose kernels start sandboxed as ``isolation`` says.

    Kernels talk over unix sockets (``transport="ipc"``): TCP on localhost goes with the network
    namespace. Interrupts go as messages on the control channel, because the kernel runs in a
    session of its own where the grader's signals to the launcher do not reach.
    """
    from jupyter_client.manager import AsyncKernelManager

    sandboxed = isolation.mode != "none"
    # A sandboxed kernel starts through the warm parent's launcher, which refuses new sockets before
    # the first cell runs (``warm_parent.start_kernel``).
    from corpuskit.course import warm_parent

    launcher = str(Path(warm_parent.__file__).resolve())
    if sandboxed:
        hidden = hidden_paths(hidden_modules)
        write_stub(run_dir, hidden_modules)
        prefix = sandbox_argv(run_dir, isolation.mode, limits, uid, python_paths(), hidden)
    else:
        prefix = _prlimit(limits, nproc=False) if shutil.which("prlimit") else []

    class SandboxedKernelManager(SandboxedKernel, AsyncKernelManager):
        relay_message_bytes, relay_timeout = limits.message_bytes, limits.startup_timeout
        relayed = sandboxed

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            super().format_kernel_cmd(extra_arguments)  # fills in the connection file
            if not sandboxed:
                return [*prefix, sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file]
            if isolation.mode == "root":
                os.chown(self.connection_file, uid, uid)
            inside = str(INSIDE / "kernel.json")
            bind = ["--ro-bind", self.connection_file, inside]
            cut = prefix.index("--")
            cmd = [*prefix[:cut], *bind, *prefix[cut:], sandbox_python(), "-P", launcher, "--kernel", inside]
            if not isolation.cgroups:
                return cmd
            # The launcher joins the kernel's cgroups before it becomes bwrap: every process after it is in.
            self.cgroups = tuple(make_cgroups(f"{run_dir.name}-{Path(self.inside_ip).name}", limits))
            join = " && ".join(f"echo $$ > {shlex.quote(str(group / 'cgroup.procs'))}" for group in self.cgroups)
            return ["sh", "-c", f'{join} && exec "$@"', "sh", *cmd]

        async def _launch(self, kernel_cmd: list[str], **kw: Any) -> None:
            # What the kernel writes to its own stdout and stderr (not the notebook's) would land in
            # the grader's terminal or CI log, unbounded: it goes nowhere.
            kw.update(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if sandboxed:
                kw["env"] = launch_environment()
            await self._launch_process(kernel_cmd, **kw)
            if not sandboxed:
                return
            # The kernel makes its sockets in the sandbox's tmpfs; the grader reaches them from outside.
            assert self.provisioner is not None
            outer = int(getattr(self.provisioner, "pid", 0) or 0)
            pid = await asyncio.to_thread(_sandbox_pid, outer, limits.startup_timeout)
            if pid is None:
                raise RuntimeError("the sandbox did not start")
            self.first_process = (pid, started(pid))
            self.memory_watch = watch_memory(outer, isolation, limits)
            name = Path(self.inside_ip).name
            pins = run_dir / f"{name}-pins"
            ports = self.ports
            self.pinned = tuple(await asyncio.to_thread(pin_sockets, pid, name, ports, pins, limits.startup_timeout))
            self.ip = str(pins / name)

        def cleanup_ipc_files(self) -> None:
            # Only the grader's own links are removed (the sandbox's files go with its tmpfs).
            if not sandboxed:
                super().cleanup_ipc_files()
                return
            self.release()

    counter = iter(range(1_000_000))

    def make() -> AsyncKernelManager:
        n = next(counter)
        ip = str(INSIDE / f"k{n}") if sandboxed else str(run_dir / f"kernel-{n}")
        km: AsyncKernelManager = SandboxedKernelManager.made(run_dir, n, ip, limits, by_message=sandboxed)
        return km

    return make
