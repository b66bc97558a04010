"""Starting the student's kernel in a sandbox, and saying what isolation this machine allows.

The kernel is untrusted (see docs/course.md). Three levels, the best the machine allows:

- ``bwrap`` (root, Debian's ``bubblewrap``, ``setpriv``, ``prlimit``): the kernel gets a root
  file system of its own that holds only the Python environment, the corpuskit package and
  corpus (read-only) and its run folder (the working copy of the submission and the kernel's
  sockets); new PID, network, IPC and UTS namespaces; a private ``/tmp``; a clean environment
  (no CI secrets); and it runs as a separate unprivileged user with no capabilities and
  ``no_new_privs``. Memory (address space), processes and file size are capped with rlimits.
- ``unshare`` (root without bubblewrap): new mount and network namespaces, the hidden folders
  covered by empty read-only tmpfs, capabilities dropped; memory and file size capped. The
  kernel stays uid 0, for which the kernel does not enforce ``RLIMIT_NPROC``, so a fork bomb
  is only stopped by the time limit.
- ``none`` (not root, not Linux): rlimits only, where ``prlimit`` exists. The report and a
  warning say so.

Why a separate user and not a cgroup for the process limit: ``RLIMIT_NPROC`` is enforced by
the kernel for every non-root real uid, needs no writable cgroup file system (v1 on some hosts,
v2 on others, often read-only in containers) and nothing to clean up. Each kernel gets a uid of
its own (leased with a lock file), so concurrent kernels never share a count, and the PID
namespace kills every process the student started when the kernel goes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import shutil
import site
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from jupyter_client.manager import AsyncKernelManager

Mode = Literal["bwrap", "unshare", "none"]
UID_BASE, UID_COUNT = 61000, 1000
MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Time limits (seconds), resource limits for the kernel, and caps on what the grader accepts."""

    cell_timeout: float = 120.0
    total_timeout: float = 1200.0
    answer_timeout: float = 30.0
    call_timeout: float = 120.0
    startup_timeout: float = 60.0
    probe_timeout: float = 5.0
    max_restarts: int = 2
    memory_mb: int = 4096  # address space of the kernel process (RLIMIT_AS)
    processes: int = 256  # processes and threads of the kernel's user (RLIMIT_NPROC)
    file_mb: int = 512  # largest file the kernel may write (RLIMIT_FSIZE)
    cell_output_bytes: int = 1_000_000  # output kept per cell; the rest is dropped and reported
    total_output_bytes: int = 10_000_000  # output kept for the whole notebook


@dataclass(frozen=True, slots=True)
class Isolation:
    """What the machine allows: the sandbox mode and, when it is not the best, why."""

    mode: Mode
    missing: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return {"bwrap": "on", "unshare": "partial", "none": "off"}[self.mode]

    def describe(self, limits: Limits) -> str:
        rlimits = f"address space {limits.memory_mb} MiB, files {limits.file_mb} MiB"
        if self.mode == "bwrap":
            return (
                f"bubblewrap: own root file system (Python environment, corpuskit and the corpus read-only, the "
                f"working copy), no network, own PID namespace, unprivileged uid, no capabilities; "
                f"{rlimits}, {limits.processes} processes"
            )
        if self.mode == "unshare":
            return (
                f"unshare: no network, grading folders hidden, no capabilities; {rlimits}; "
                "no process limit (the kernel runs as root)"
            )
        return f"none: the kernel runs as the grader's user with network and file access; {rlimits}"

    def warning(self) -> str | None:
        if self.mode == "bwrap":
            return None
        why = "; ".join(self.missing)
        if self.mode == "unshare":
            return f"partial sandbox ({why}): no process limit; the kernel can read files outside the hidden folders"
        return f"ran without the sandbox ({why}): the kernel had network access and could read files"


def _run_ok(argv: Sequence[str]) -> str | None:
    try:
        done = subprocess.run(list(argv), capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return str(err)
    return None if done.returncode == 0 else done.stderr.decode(errors="replace").strip()[:200] or "failed"


@cache
def probe() -> Isolation:
    """The best isolation this machine allows, found by dry runs (once per process)."""
    if not sys.platform.startswith("linux"):
        return Isolation("none", ("the sandbox needs Linux namespaces",))
    if os.geteuid() != 0:
        return Isolation("none", ("the sandbox needs root; run the grader as root in a container",))
    missing = tuple(f"{tool} is not installed" for tool in ("setpriv", "prlimit") if shutil.which(tool) is None)
    if missing:
        return Isolation("none", missing)
    problem = "bwrap is not installed (apt-get install bubblewrap)" if shutil.which("bwrap") is None else None
    if problem is None:
        failed = _run_ok([*_bwrap_base(), "--", *_drop_to(UID_BASE + UID_COUNT - 1), "true"])
        problem = f"bubblewrap failed: {failed}" if failed else None
    if problem is None:
        return Isolation("bwrap")
    failed = _run_ok(["unshare", "-m", "-n", "--propagation", "private", "true"])
    if failed:
        return Isolation("none", (problem, f"unshare failed: {failed}"))
    return Isolation("unshare", (problem,))


def _bwrap_base() -> list[str]:
    return [
        "bwrap",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
        "--ro-bind",
        "/etc",
        "/etc",
        *[
            arg
            for link in ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
            if os.path.islink(f"/{link}")
            for arg in ("--symlink", os.readlink(f"/{link}"), f"/{link}")
        ],
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
    ]


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


def _prlimit(limits: Limits, mode: Mode) -> list[str]:
    if shutil.which("prlimit") is None:
        return []
    argv = ["prlimit", f"--as={limits.memory_mb * MiB}", f"--fsize={limits.file_mb * MiB}", "--core=0"]
    if mode == "bwrap":
        argv.append(f"--nproc={limits.processes}")
    return [*argv, "--"]


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


def _bwrap_argv(run_dir: Path, work: Path, uid: int, readable: Sequence[Path]) -> list[str]:
    argv = _bwrap_base()
    made: set[Path] = set()
    for folder in [*readable, run_dir]:
        for parent in reversed(folder.parents):
            if parent != Path("/") and parent not in made and not parent.is_relative_to("/usr"):
                made.add(parent)
                argv += ["--perms", "0755", "--dir", str(parent)]
        argv += ["--bind" if folder == run_dir else "--ro-bind", str(folder), str(folder)]
    env = {
        "HOME": str(work),
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "JPY_PARENT_PID": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # ipykernel watches its parent pid; in a PID namespace the parent is pid 1, which it takes for an
    # exited parent, so JPY_PARENT_PID=1 switches the watch off (bwrap's --die-with-parent does that job).
    if os.environ.get("CORPUSKIT_PATH"):
        env["CORPUSKIT_PATH"] = os.environ["CORPUSKIT_PATH"]
    argv += ["--clearenv", *[a for k, v in env.items() for a in ("--setenv", k, v)], "--chdir", str(work)]
    return [*argv, "--", *_drop_to(uid)]


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


KernelFactory = Callable[[], "AsyncKernelManager"]


def kernel_factory(
    run_dir: Path, work: Path, isolation: Isolation, limits: Limits, hidden: Sequence[Path] = (), uid: int = UID_BASE
) -> KernelFactory:
    """A function making kernel managers whose kernels start sandboxed as ``isolation`` says.

    Kernels talk over unix sockets in ``run_dir`` (``transport="ipc"``): TCP on localhost goes
    with the network namespace. Interrupts go as messages on the control channel, because the
    kernel runs in a session of its own where the grader's signals to the launcher do not reach.
    """
    from jupyter_client.manager import AsyncKernelManager

    prlimit = _prlimit(limits, isolation.mode)
    if isolation.mode == "bwrap":
        os.chown(run_dir, uid, uid)
        os.chown(work, uid, uid)
        prefix = [*prlimit, *_bwrap_argv(run_dir, work, uid, python_paths())]
    elif isolation.mode == "unshare":
        # Quoted for the shell: a folder name holding a quote must not end the argument early.
        mounts = "".join(
            f"mount -t tmpfs -o ro none {shlex.quote(str(folder))} && " for folder in hidden if folder.is_dir()
        )
        script = f'{mounts}exec "$@"'
        prefix = [
            "unshare",
            "-m",
            "-n",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sandbox",
            *prlimit,
            "setpriv",
            "--bounding-set=-all",
            "--inh-caps=-all",
            "--no-new-privs",
        ]
    else:
        prefix = prlimit

    class SandboxedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            super().format_kernel_cmd(extra_arguments)  # fills in the connection file
            if isolation.mode == "bwrap":
                os.chown(self.connection_file, uid, uid)
            return [*prefix, sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file]

    counter = iter(range(1_000_000))

    def make() -> AsyncKernelManager:
        n = next(counter)
        km = SandboxedKernelManager(
            kernel_name="python3",
            transport="ipc",
            ip=str(run_dir / f"kernel-{n}"),
            connection_file=str(run_dir / f"kernel-{n}.json"),
        )
        if isolation.mode == "bwrap" and km.kernel_spec is not None:
            km.kernel_spec.interrupt_mode = "message"
        return km

    return make
