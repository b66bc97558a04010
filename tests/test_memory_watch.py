"""The grader's memory sum (``corpuskit.course.memory_watch``) kills the tree it watches past the limit,
and never a process that took the pid of the one it watched."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from corpuskit.course.memory_watch import (
    INTERVAL,
    MAPPING_BYTES,
    PIPE_BYTES,
    MemoryWatch,
    held,
    mappings,
    open_file_slots,
    tree,
)

HOLD = "import time; b = bytearray(64 << 20); b[::4096] = b'x' * len(b[::4096]); time.sleep(60)"


def _wait(process: subprocess.Popen[bytes], seconds: float) -> int | None:
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return None


def _gone(pid: int) -> bool:
    """Whether ``pid`` ended (reaped, or a zombie its new parent has not reaped yet), within 5 s."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_a_tree_over_the_limit_is_killed_whole() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {HOLD!r}]); {HOLD}"]
    )
    time.sleep(1.5)  # both hold their 64 MiB
    pids = tree(parent.pid)
    assert len(pids) == 2
    watch = MemoryWatch(parent.pid, 100 << 20)  # under the two together, over either
    assert _wait(parent, 10 * INTERVAL + 5) is not None
    assert watch.exceeded > 100 << 20
    assert _gone(pids[1])


def test_a_process_under_the_limit_is_left_alone() -> None:
    process = subprocess.Popen([sys.executable, "-c", HOLD])
    try:
        time.sleep(1.0)
        watch = MemoryWatch(process.pid, 1 << 30)
        assert _wait(process, 5 * INTERVAL) is None and not watch.exceeded
        watch.stop()
    finally:
        process.kill()
        process.wait()


def test_a_pid_taken_by_another_process_is_never_summed_or_killed() -> None:
    process = subprocess.Popen([sys.executable, "-c", HOLD])
    try:
        time.sleep(1.0)
        watch = MemoryWatch(process.pid, 1)  # any memory is over this limit
        watch.root_started = "0"  # as if the pid now named a process started after the watched one
        assert _wait(process, 5 * INTERVAL) is None and not watch.exceeded
    finally:
        process.kill()
        process.wait()


def test_pages_shared_after_a_fork_count_once() -> None:
    """Three children that touch nothing of the 64 MiB their parent holds: the cheap sum counts it four
    times (over the limit), the proportional sum once (under it), so nothing is killed."""
    code = HOLD.replace(
        "time.sleep(60)", "import os\nfor _ in range(3):\n    os.fork() or time.sleep(60)\ntime.sleep(60)"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    try:
        time.sleep(1.5)
        pids = tree(process.pid)
        assert len(pids) == 4
        assert sum(held(pid) for pid in pids) > 4 * (60 << 20)
        watch = MemoryWatch(process.pid, 150 << 20)
        assert _wait(process, 5 * INTERVAL) is None and not watch.exceeded
        watch.stop()
    finally:
        for pid in tree(process.pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        process.wait()


# Pipes whose buffers no process's resident size shows: 400 pipes, the write ends closed (the data stays),
# and a FIFO opened at both ends.
PIPES = """
import os, tempfile, time
kept = []
for _ in range(400):
    r, w = os.pipe()
    os.write(w, b"x" * 4096)
    os.close(w)
    kept.append(r)
fifo = os.path.join(tempfile.mkdtemp(), "fifo")
os.mkfifo(fifo)
kept.append(os.open(fifo, os.O_RDWR))
time.sleep(60)
"""


def test_open_files_count_at_a_pipe_buffer_each() -> None:
    process = subprocess.Popen([sys.executable, "-c", PIPES])
    try:
        time.sleep(1.0)
        assert open_file_slots(process.pid) >= 401
        # Under the limit by its resident memory alone, over it with a pipe buffer for each open file.
        watch = MemoryWatch(process.pid, held(process.pid) + 200 * PIPE_BYTES)
        assert _wait(process, 10 * INTERVAL + 5) is not None
        assert watch.exceeded > 401 * PIPE_BYTES
    finally:
        process.kill()
        process.wait()


# The first thread exits (the thread alone) while another holds 64 MiB and 200 open files.
ZOMBIE_LEADER = """
import ctypes, os, threading, time
def hold():
    b = bytearray(64 << 20)
    b[::4096] = b"x" * len(b[::4096])
    kept = [os.open("/dev/null", os.O_RDONLY) for _ in range(200)]
    time.sleep(60)
threading.Thread(target=hold).start()
time.sleep(0.5)
ctypes.CDLL(None).syscall(60 if os.uname().machine == "x86_64" else 93, 0)  # exit(2): this thread only
"""


def test_a_process_whose_first_thread_exited_still_counts() -> None:
    process = subprocess.Popen([sys.executable, "-c", ZOMBIE_LEADER])
    try:
        time.sleep(1.5)
        assert Path(f"/proc/{process.pid}/status").read_text().count("RssAnon") == 0  # what hid it
        assert held(process.pid) >= 64 << 20
        assert open_file_slots(process.pid) >= 200
    finally:
        process.kill()
        process.wait()


# 20,000 pages of address space 2 MiB apart, each read once: the reads map the shared zero page (no
# resident memory) but each needs a page-table page of its own, 80 MiB in all.
PAGE_TABLES = """
import ctypes, time
libc = ctypes.CDLL(None)
libc.mmap.restype = ctypes.c_void_p
step, count = 2 << 20, 20_000
base = libc.mmap(None, ctypes.c_size_t(step * count), 0, 0x22 | 0x4000, -1, 0)  # PROT_NONE, NORESERVE
for i in range(count):
    libc.mprotect(ctypes.c_void_p(base + i * step), ctypes.c_size_t(4096), 1)  # PROT_READ
    ctypes.string_at(base + i * step, 1)
print("ready", flush=True)
time.sleep(60)
"""


def test_page_tables_count() -> None:
    process = subprocess.Popen([sys.executable, "-c", PAGE_TABLES], stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None and process.stdout.readline() == b"ready\n"
        status = Path(f"/proc/{process.pid}/status").read_text()
        resident = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("RssAnon"))
        assert resident < 40 << 10  # KiB: the pages themselves hold little
        assert held(process.pid) >= 70 << 20
    finally:
        process.kill()
        process.wait()


# 60,000 regions of address space, every other page of one mapping made readable: no page touched, no
# resident memory, but a record of kernel memory for each region.
REGIONS = """
import ctypes, time
libc = ctypes.CDLL(None)
libc.mmap.restype = ctypes.c_void_p
count = 60_000
base = libc.mmap(None, ctypes.c_size_t(8192 * count), 0, 0x22 | 0x4000, -1, 0)  # PROT_NONE, NORESERVE
for i in range(count):
    libc.mprotect(ctypes.c_void_p(base + i * 8192), ctypes.c_size_t(4096), 1)  # PROT_READ
print("ready", flush=True)
time.sleep(60)
"""


def test_regions_of_address_space_count() -> None:
    process = subprocess.Popen([sys.executable, "-c", REGIONS], stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None and process.stdout.readline() == b"ready\n"
        assert mappings(process.pid) >= 60_000
        watch = MemoryWatch(process.pid, held(process.pid) + 16 * 1024 * 1024)  # under 60,000 regions' cost
        assert _wait(process, 10 * INTERVAL + 5) is not None
        assert watch.exceeded >= 60_000 * MAPPING_BYTES
    finally:
        process.kill()
        process.wait()
