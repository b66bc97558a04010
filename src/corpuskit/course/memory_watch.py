"""The memory of all a kernel's processes together, summed by the grader where no cgroup caps it.

Without cgroups (a normal user, or cgroup v2 without delegation) each kernel process has only its
own address-space limit, so a kernel that forks could hold that limit many times over. The grader
sees the kernel's processes from the host: every ``INTERVAL`` seconds a thread walks the process
tree under the sandbox's first process and sums what each process holds resident (anonymous and
shared-memory pages), and kills the whole tree when the sum passes the limit. The grader then reports
the cell as one that hit the memory limit. What the processes touch between two looks is the
overshoot (at most 125 MiB in the attack tests; more where several processes allocate at once as
fast as they can).

Kernel memory shows in no process's counters. Each region of a process's address space is some, so
the sum adds ``MAPPING_BYTES`` for each line of every process's ``/proc/PID/maps`` (read last, and only
until the sum passes the limit: tens of milliseconds for a process with tens of thousands). Pipe
buffers are what a kernel could fill most of, and a pipe needs an open file to live, so the sum adds
``PIPE_BYTES`` for every slot of each process's table of open files (``FDSize`` in
``/proc/PID/status``, which any process may read, where the list of its files may be hidden). New
sockets, whose buffers would hold far more, are refused in the kernel (``warm_parent.start_kernel``).
Files in the sandbox's tmpfs folders hold their data within the folder's size, but each file, empty or
not, and each extended attribute also costs kernel memory that no size counts (a kernel can make
hundreds of thousands of empty files a second): the sum adds ``INODE_BYTES`` for each inode a folder's
file system reports used (``statvfs``, through ``/proc/PID/root``; a tmpfs counts extended attributes
there too).

Not counted: pages of files mapped from the host (the page cache's, reclaimable); files in the
sandbox's tmpfs and ``/dev/shm`` that no process maps, which ``--disk`` and the ``/dev/shm`` size bound
instead; and the kernel's own small objects behind each open file (at most 1,024 per process).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path

INTERVAL = 0.2  # seconds between two sums
KiB = 1024
# What each open-file slot is counted as: a new pipe's buffer (16 pages). Past the per-user budget of
# pipe pages (``/proc/sys/fs/pipe-user-pages-soft``, 64 MiB by default) a new pipe gets 2 pages and may
# not grow, so this errs high; pipes enlarged to more (``F_SETPIPE_SZ``) fit within that budget. An
# ordinary kernel process has 64 to 256 slots (4 to 16 MiB).
PIPE_BYTES = 64 * KiB
# What each region of a process's address space is counted as: its record, its place in the tree of
# regions and, for a file, the open file, which no resident size shows (a process may hold
# vm.max_map_count of them, 65,530 by default: about 14 MiB of kernel memory for anonymous regions).
MAPPING_BYTES = 512
# What each used inode of a sandbox tmpfs is counted as: an inode and its name in the kernel's caches
# (under 1 KiB for an empty file), or 1 KiB of extended attributes (tmpfs counts them in units of 1 KiB
# of inodes).
INODE_BYTES = 1 * KiB


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        with contextlib.suppress(OSError, ValueError):
            found += [int(p) for p in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return found


def started(pid: int) -> str:
    """When ``pid`` started, in clock ticks since boot ("" once it is gone): a pid is reused after its
    process ends, and the start time tells the new process from the old."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def parent_of(pid: int) -> int:
    """The parent of ``pid`` (``pid`` itself when that cannot be read)."""
    try:
        # "pid (comm) state ppid ...": the command may hold spaces and parentheses.
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return pid


def _parents() -> dict[int, list[int]]:
    """Every process's children, by each one's parent (for kernels built without /proc/PID/task/TID/children)."""
    by_parent: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        by_parent.setdefault(parent_of(int(entry)), []).append(int(entry))
    return by_parent


def tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    by_parent = None if Path(f"/proc/{root}/task/{root}/children").exists() else _parents()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += by_parent.get(pid, []) if by_parent is not None else _children(pid)
    return found


def _fields(path: str) -> dict[str, str]:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return {}
    return {name: value.strip() for name, _, value in (line.partition(":") for line in lines)}


def _live_thread(pid: int) -> tuple[str, dict[str, str]]:
    """The ``/proc`` folder of a thread of the process that still has its memory, and that thread's
    status fields. The process's own folder, unless its first thread has exited while others run: that
    thread is then a zombie whose files show no memory and no open files, and the others hold them."""
    folders = [f"/proc/{pid}"]
    with contextlib.suppress(OSError):
        folders += [f"/proc/{pid}/task/{tid}" for tid in os.listdir(f"/proc/{pid}/task")]
    for folder in folders:
        fields = _fields(f"{folder}/status")
        if "RssAnon" in fields:
            return folder, fields
    return folders[0], {}


def _kib(fields: dict[str, str], *names: str) -> int:
    return sum(int(fields[name].split()[0]) * KiB for name in names if name in fields)


def held(pid: int) -> int:
    """Bytes the process holds: anonymous and shared-memory pages resident, and its page tables, which
    a process that maps many small regions can make as large as the pages themselves (0 once it is gone).

    From the counters in ``/proc/PID/status``, which cost nothing to read (``smaps_rollup``'s
    proportional share walks every page table: tens of milliseconds for a large kernel). A page
    shared by processes after a fork counts in each, so the sum errs on the high side.
    """
    return _kib(_live_thread(pid)[1], "RssAnon", "RssShmem", "VmPTE")


def held_proportionally(pid: int) -> int:
    """Bytes the process holds, a page shared with other processes counted in proportion (its share of
    anonymous and shared-memory pages, ``smaps_rollup``'s ``Pss_Anon`` and ``Pss_Shmem``, and its page
    tables; 0 once it is gone). Exact where ``held`` counts a page once per process after a fork, but it
    walks the page tables, so it is read only when ``held``'s sum is over the limit."""
    folder, status = _live_thread(pid)
    parts = _fields(f"{folder}/smaps_rollup")
    if "Pss_Anon" not in parts:  # gone, or a kernel before 5.9, which does not split the share
        return held(pid)
    return _kib(parts, "Pss_Anon", "Pss_Shmem") + _kib(status, "VmPTE")


def mappings(pid: int) -> int:
    """The regions of the process's address space (0 once it is gone)."""
    count = 0
    with contextlib.suppress(OSError), open(f"{_live_thread(pid)[0]}/maps", "rb") as listing:
        while chunk := listing.read(1 << 16):
            count += chunk.count(b"\n")
    return count


def open_file_slots(pid: int) -> int:
    """The size of the process's table of open files (0 once it is gone): at most 1,024 in a kernel."""
    try:
        return int(_live_thread(pid)[1].get("FDSize", "0"))
    except ValueError:
        return 0


def inodes(pids: list[int], folders: tuple[str, ...], host: set[int]) -> int:
    """Inodes in use on the file systems at ``folders`` as the processes see them, each file system once;
    those whose id is in ``host`` (the grader's own, seen through a process outside the sandbox) are left out."""
    used: dict[int, int] = {}
    for pid in pids:
        for folder in folders:
            with contextlib.suppress(OSError):
                info = os.statvfs(f"/proc/{pid}/root{folder}")
                if info.f_fsid not in host:
                    used[info.f_fsid] = info.f_files - info.f_ffree
    return sum(used.values())


class MemoryWatch:
    """A thread summing the memory of ``root``'s process tree; kills the tree past ``limit`` bytes.

    ``folders`` are the sandbox's tmpfs folders, as paths inside it, whose inodes count too."""

    def __init__(self, root: int, limit: int, folders: tuple[str, ...] = ()) -> None:
        self.root, self.limit, self.folders = root, limit, folders
        self.host = {os.statvfs(folder).f_fsid for folder in folders if os.path.exists(folder)}
        self.root_started = started(root)
        self.exceeded = 0  # the sum that passed the limit, in bytes (0: never)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"memory-watch-{root}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL):
            # Once the kernel's first process is gone its pid may name another process: never sum or kill that.
            if not self.root_started or started(self.root) != self.root_started:
                return
            pids = tree(self.root)
            unseen = PIPE_BYTES * sum(open_file_slots(pid) for pid in pids)
            unseen += INODE_BYTES * inodes(pids, self.folders, self.host)
            resident = sum(held(pid) for pid in pids)
            # Mappings cost most to count: only until the sum passes the limit.
            counted = 0
            while counted < len(pids) and unseen + resident <= self.limit:
                unseen += MAPPING_BYTES * mappings(pids[counted])
                counted += 1
            total = unseen + resident
            # Pages shared after a fork count in every process of the cheap sum: a pool of workers that
            # touches little would look like many copies of its parent. Past the limit, share them out
            # (and count every process's mappings, as the sum may now fall below it).
            if total > self.limit:
                unseen += MAPPING_BYTES * sum(mappings(pid) for pid in pids[counted:])
                total = unseen + sum(held_proportionally(pid) for pid in pids)
            if total > self.limit:
                self.exceeded = total
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                return

    def stop(self) -> None:
        self._stop.set()
