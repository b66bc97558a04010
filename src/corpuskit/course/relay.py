"""A relay between a sandboxed kernel's sockets and the grader: what a kernel sends costs the grader a bounded amount.

ZeroMQ's size cap (``MAXMSGSIZE``) holds per frame, not per message, and a multipart message
becomes readable only once its last frame has arrived: before the grader could count a message's
frames, all of them are in its memory (one ``comm_msg`` with a hundred buffers of 15 MiB took the
grader to 1,566 MiB). No check above ZeroMQ's receive comes early enough, so the receiving is done in
another process: each kernel gets a relay, started by the grader, that connects to the kernel's
five sockets as the grader did (through the pinned descriptors, ``sandbox.pin_sockets``), listens
in a folder of the grader's that the kernel cannot see, and passes every message on. The relay's
data segment is capped (``RLIMIT_DATA``): a message larger than that kills it, and the grader takes
a dead relay for a dead kernel, which it stops (``Relay.overflowed`` says why). A message that fits
but is over ``message_bytes`` in all its frames together is replaced by one frame over the grader's
frame cap, which the grader's sockets refuse unread as they do any oversized frame (the cell is told
its message was dropped). The relay queues few messages each way and stops reading from the kernel
while the grader's side is full, so the kernel, not the grader, holds what the grader has not read.

This was chosen over reading the ZeroMQ wire protocol directly (counting bytes as they stream in):
the relay reuses libzmq for the protocol, routing and reconnection, and costs one small process per
kernel (measured in ``docs/course.md``).

Run by the grader as ``python -P relay.py MESSAGE_BYTES`` as the kernel starts: only the standard
library and pyzmq are imported. It reads the endpoints (JSON, one line) from its standard input,
prints ``ready`` once it listens, and exits when its standard input closes.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import resource
import select
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_client.manager import AsyncKernelManager as _Manager
else:
    _Manager = object

# What the relay needs beyond the messages it holds: Python, pyzmq and libzmq's buffers.
OVERHEAD = 64 << 20
# Messages the relay holds at most: one being received, and the grader side's queue.
QUEUE = 2
CHANNELS = ("shell", "iopub", "stdin", "control", "hb")
OVERFLOW, GONE = 3, 4  # the relay's exit status: a message too large for it; the kernel went away


def _data_limit(message_bytes: int) -> int:
    """The relay's data segment cap: its own use now, room for a few messages of the cap, and slack."""
    with open("/proc/self/status") as status:
        used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
    return used + (QUEUE + 2) * message_bytes + OVERHEAD


def _listening(endpoint: str) -> bool:
    """Whether the kernel still listens at an ``ipc://`` endpoint (a kernel that exited does not)."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(endpoint.removeprefix("ipc://"))
        except OSError:
            return False
    return True


def _size(frames: list[Any]) -> int:
    return sum(len(frame) for frame in frames)


def serve(message_bytes: int) -> None:
    import zmq

    line = sys.stdin.buffer.readline()
    if not line:  # the kernel did not start
        return
    endpoints: dict[str, list[str]] = json.loads(line)
    context = zmq.Context(io_threads=1)
    pairs: list[tuple[str, Any, Any]] = []  # channel, kernel side, grader side
    identity = os.urandom(8).hex().encode()
    for channel in CHANNELS:
        kernel_end, grader_end = endpoints[channel]
        if channel == "iopub":
            inner = context.socket(zmq.SUB)
            inner.setsockopt(zmq.SUBSCRIBE, b"")
            outer = context.socket(zmq.XPUB)
            # Full means full: the relay stops reading from the kernel instead of dropping output.
            outer.setsockopt(zmq.XPUB_NODROP, 1)
        else:
            # One identity for every channel: the kernel sends stdin requests to its shell peer's.
            inner = context.socket(zmq.DEALER)
            inner.setsockopt(zmq.IDENTITY, identity)
            outer = context.socket(zmq.ROUTER)
        for sock in (inner, outer):
            sock.setsockopt(zmq.LINGER, 0)
            sock.setsockopt(zmq.RCVHWM, QUEUE)
            sock.setsockopt(zmq.SNDHWM, QUEUE)
        inner.connect(kernel_end)
        outer.bind(grader_end)
        pairs.append((channel, inner, outer))
    # One frame over the grader's cap: its socket refuses it before reading it and reconnects.
    # Zero pages never written: reading them costs no memory.
    oversized = zmq.Frame(memoryview(mmap.mmap(-1, message_bytes + 1)))
    resource.setrlimit(resource.RLIMIT_DATA, (_data_limit(message_bytes),) * 2)
    print("ready", flush=True)

    poller = zmq.Poller()
    poller.register(sys.stdin.fileno(), zmq.POLLIN)
    # The kernel side disconnects when a message could not be held (libzmq's allocation failed
    # under the data cap) or when the kernel is gone; either way the relay's work is over.
    monitors = [inner.get_monitor_socket(zmq.EVENT_DISCONNECTED) for _, inner, _ in pairs]
    for monitor in monitors:
        poller.register(monitor, zmq.POLLIN)
    waiting: dict[str, list[Any]] = {}  # per channel, a kernel message the grader side had no room for yet
    while True:
        for channel, inner, outer in pairs:
            # Read from the kernel only while the grader side can take a message.
            poller.register(inner, 0 if channel in waiting else zmq.POLLIN)
            poller.register(outer, zmq.POLLIN | (zmq.POLLOUT if channel in waiting else 0))
        events = dict(poller.poll())
        if events.get(sys.stdin.fileno()):
            return
        if any(events.get(monitor) for monitor in monitors):
            kernel_ends = [endpoints[channel][0] for channel in CHANNELS]
            os._exit(OVERFLOW if all(_listening(end) for end in kernel_ends) else GONE)
        for channel, inner, outer in pairs:
            if events.get(outer, 0) & zmq.POLLIN:
                frames = outer.recv_multipart(copy=False)
                # An XPUB's input is the grader's subscriptions: the relay subscribed to everything.
                if outer.socket_type == zmq.ROUTER and _size(frames) <= message_bytes:
                    with contextlib.suppress(zmq.Again):  # the kernel is not reading: dropped
                        inner.send_multipart(frames, copy=False, flags=zmq.NOBLOCK)
            if channel not in waiting and events.get(inner, 0) & zmq.POLLIN:
                frames = inner.recv_multipart(copy=False)
                if _size(frames) > message_bytes:
                    route = frames[:1] if outer.socket_type == zmq.ROUTER else []
                    frames = [*route, oversized]
                waiting[channel] = frames
            if channel in waiting:
                try:
                    outer.send_multipart(waiting[channel], copy=False, flags=zmq.NOBLOCK)
                except zmq.Again:
                    continue
                except zmq.ZMQError:  # a peer that is gone: the message has nowhere to go
                    pass
                del waiting[channel]


@dataclass
class Relay:
    """The grader's handle on a relay: where the grader connects, and whether it still runs."""

    process: subprocess.Popen[bytes]
    ip: str = ""

    def attach(self, kernel_ip: str, km: Any, pinned: Sequence[int], timeout: float) -> None:
        """Connect the relay to ``km``'s kernel, whose sockets are the ``pinned`` descriptors (in the
        order of ``km.ports``), reached through this process's ``/proc`` entry for them. It listens
        beside the links ``KERNEL_IP-PORT`` to them, in the grader's own folder, at ``ip``. Raises
        ``RuntimeError`` when it does not get ready within ``timeout`` seconds."""
        ip = f"{kernel_ip}-relayed"
        fds = dict(zip(km.ports, pinned, strict=True))
        ports = {channel: int(getattr(km, f"{channel}_port")) for channel in CHANNELS}
        endpoints = {
            channel: (f"ipc:///proc/{os.getpid()}/fd/{fds[port]}", f"ipc://{ip}-{port}")
            for channel, port in ports.items()
        }
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(json.dumps(endpoints).encode() + b"\n")
            stdin.flush()
        except OSError:
            raise RuntimeError("the message relay did not start") from None
        if not select.select([stdout], [], [], timeout)[0] or stdout.readline() != b"ready\n":
            raise RuntimeError("the message relay did not start")
        self.ip = ip

    def alive(self) -> bool:
        return self.process.poll() is None

    def overflowed(self) -> bool:
        """The relay died on its own: the kernel sent a message larger than the relay may hold."""
        return self.process.poll() not in (None, 0, GONE)

    def stop(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def spawn(message_bytes: int) -> Relay:
    """A relay process, started as the kernel starts (its imports overlap the kernel's start-up);
    it connects once ``Relay.attach`` tells it where."""
    process = subprocess.Popen(
        [sys.executable, "-P", str(Path(__file__).resolve()), str(message_bytes)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        # One malloc arena: each thread's would reserve address space the data cap counts.
        env={**os.environ, "MALLOC_ARENA_MAX": "1"},
    )
    return Relay(process)


class RelayedKernel(_Manager):
    """Mixed into a kernel manager (before ``AsyncKernelManager``): the kernel's messages reach the
    grader through a relay. The manager's ``_launch`` starts the kernel and pins its sockets (``pinned``,
    and ``ip`` the path of the links to them); the relay is started alongside, so its start-up overlaps
    the kernel's, and the grader's client then connects to the relay. A dead relay is a dead kernel."""

    relay: Relay | None = None
    relayed = True  # False: the grader reads the kernel's sockets itself (no sandbox)
    relay_message_bytes = 16 << 20
    relay_timeout = 60.0
    pinned: tuple[int, ...] = ()

    async def _launch(self, kernel_cmd: list[str], **kw: Any) -> None:
        raise NotImplementedError

    async def _launch_process(self, kernel_cmd: list[str], **kw: Any) -> None:
        """jupyter_client's own launch, for a ``_launch`` that starts the kernel as a process."""
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        import asyncio

        self.relay = spawn(self.relay_message_bytes) if self.relayed else None
        try:
            await self._launch(kernel_cmd, **kw)
            if self.relay is not None:
                await asyncio.to_thread(self.relay.attach, self.ip, self, self.pinned, self.relay_timeout)
                self.ip = self.relay.ip
        except BaseException:
            if self.relay is not None:
                self.relay.stop()
            raise

    async def _async_is_alive(self) -> bool:
        # A relay that died (a message over what it may hold) leaves the kernel unreachable: dead.
        if self.relay is not None and not self.relay.alive():
            return False
        alive: bool = await super()._async_is_alive()
        return alive

    is_alive = _async_is_alive

    def stop_relay(self) -> None:
        if self.relay is not None:
            self.relay.stop()


def main() -> None:
    try:
        serve(int(sys.argv[1]))
    except MemoryError:
        os._exit(OVERFLOW)


if __name__ == "__main__":
    main()
