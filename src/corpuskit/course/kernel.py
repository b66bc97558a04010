"""The student's kernel as the grader drives it: cells run one by one, output kept within caps.

``Kernel`` wraps one nbclient client whose kernel can be replaced; its last cell is the
grader's scratch cell, where answer snippets run. ``Outcome`` says how a cell ended.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuskit.course import answers
from corpuskit.course.sandbox import KernelFactory, Limits
from corpuskit.errors import GradingError

if TYPE_CHECKING:
    from nbformat import NotebookNode


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # ok / error / timeout / dead / memory-limit / process-limit
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def _error_kind(ename: str, evalue: str) -> str:
    """Errors that mean a resource limit was hit get their own kind, so the report can say so."""
    if ename == "MemoryError":
        return "memory-limit"
    if ename == "BlockingIOError" or (ename == "RuntimeError" and "can't start new thread" in evalue):
        return "process-limit"
    return "error"


def _message_bytes(msg: dict[str, Any]) -> int:
    """About what one kernel message weighs: the characters of its content's strings and keys plus
    a few bytes per other value, and its binary buffers (counted without copying anything)."""
    size = 0
    stack: list[Any] = [msg.get("content"), *(msg.get("buffers") or ())]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes | bytearray):
            size += len(item)
        elif isinstance(item, memoryview):
            size += item.nbytes
        elif isinstance(item, dict):
            size += 2 * len(item)
            stack += item.keys()
            stack += item.values()
        elif isinstance(item, list | tuple):
            size += 1 + len(item)
            stack += item
        else:
            size += 8
    return size


def _capped_client_class() -> type[Any]:
    """An nbclient client that keeps a bounded amount of each cell's messages and counts the rest.

    Every message the kernel sends on iopub for a cell counts against the cell's and the
    notebook's budget, whatever its type: output, ``update_display_data``, ``clear_output`` and
    comm (widget) messages alike. Comm messages are counted and then dropped: the grader needs no
    widget state, and nbclient would otherwise keep all of it (and let an Output widget capture
    output past the caps).
    """
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        cell_cap = 1_000_000
        total_cap = 10_000_000
        scratch_cap = 2 * answers.MAX_ANSWER_CHARS

        def reset(self, index: int) -> None:
            self.kept = getattr(self, "kept", {})
            self.dropped = getattr(self, "dropped", {})
            self.kept_total = getattr(self, "kept_total", 0)
            self.kept[index] = 0
            self.dropped[index] = 0

        def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
            msg_type = str(msg.get("msg_type", ""))
            if msg_type in ("status", "execute_input"):  # the cell's progress, not its output
                return super().process_message(msg, cell, cell_index)
            size = _message_bytes(msg)
            scratch = cell_index == len(self.nb.cells) - 1
            left = self.total_cap - self.kept_total + self.kept[cell_index]
            room = self.scratch_cap if scratch else min(self.cell_cap, left)
            if self.kept[cell_index] + size > room:
                self.dropped[cell_index] += size
                return None
            self.kept[cell_index] += size
            if not scratch:
                self.kept_total += size
            if msg_type.startswith("comm"):
                return None
            return super().process_message(msg, cell, cell_index)

    return CappedClient


# Frames on the channels the grader needs no large message from are capped far lower than iopub's:
# an execute_reply weighs under 1 KB, 6 KB with a pandas KeyError's traceback, about 300 KB with a
# RecursionError's (measured with ipykernel 6), and the grader never reads stdin or control
# replies; their queues would otherwise hold 16 frames of the full cap each.
SMALL_CHANNELS = {"shell": 4 << 20, "stdin": 64 << 10, "control": 64 << 10}
SMALL_QUEUE = 4


def _capped_kernel_client_class() -> type[Any]:
    """A kernel client whose shell, stdin and control sockets take small frames and queue few, and
    whose iopub channel drops comm messages' content unparsed."""
    from jupyter_client.asynchronous.client import AsyncKernelClient

    class CappedKernelClient(AsyncKernelClient):
        def _create_connected_socket(self, channel: str, identity: bytes | None = None) -> Any:
            import zmq

            if channel not in SMALL_CHANNELS:
                return super()._create_connected_socket(channel, identity)
            # ZeroMQ reads these when a connection is made, so they must be set before the socket
            # connects (a disconnect and a connect again can lose the connection): the context
            # gives them to the socket it makes for this channel, and then forgets them.
            defaults = dict(self.context.sockopts)
            self.context.setsockopt(zmq.MAXMSGSIZE, SMALL_CHANNELS[channel])
            self.context.setsockopt(zmq.RCVHWM, SMALL_QUEUE)
            try:
                return super()._create_connected_socket(channel, identity)
            finally:
                self.context.sockopts = defaults

        def start_channels(self, *args: Any, **kwargs: Any) -> None:
            super().start_channels(*args, **kwargs)
            _peek_comms(self.iopub_channel)

    return CappedKernelClient


def _peek_comms(channel: Any) -> None:
    """Make ``channel`` read each message's header first and keep a comm message's content as the
    bytes it came in: a widget message's JSON can unfold into millions of objects, and the grader
    only counts and drops it."""

    async def receive(**kwargs: Any) -> dict[str, Any]:
        frames = await channel.socket.recv_multipart(**kwargs)
        _, message = channel.session.feed_identities(frames)
        msg: dict[str, Any] = channel.session.deserialize(message, content=False)
        if channel.session.auth is not None:
            channel.session._add_digest(message[0])  # as deserialize() does when it unpacks the content
        if not str(msg.get("msg_type", "")).startswith("comm"):
            msg["content"] = channel.session.unpack(msg["content"])
        return msg

    channel._recv = receive


def _watch(kc: Any) -> list[tuple[Any, Any]]:
    """Monitors for the disconnection ZeroMQ makes when the kernel sends a frame over the cap.

    Each pair holds the monitor socket (kept so it stays open) and a blocking view of it to poll.
    """
    import zmq

    pairs: list[tuple[Any, Any]] = []
    for channel in (kc.iopub_channel, kc.shell_channel):
        monitor = channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        pairs.append((monitor, zmq.Socket.shadow(monitor.underlying)))
    return pairs


def _disconnected(pairs: list[tuple[Any, Any]]) -> bool:
    import zmq

    seen = False
    for _, view in pairs:
        while view.poll(0):
            view.recv_multipart(zmq.NOBLOCK)
            seen = True
    return seen


class Kernel:
    """One nbclient client whose kernel can be replaced; the last cell is the grader's scratch cell."""

    def __init__(self, nb: NotebookNode, factory: KernelFactory, limits: Limits, cwd: Path) -> None:
        self.nb = nb
        self.factory = factory
        self.limits = limits
        self.timeout = limits.cell_timeout
        self.client = _capped_client_class()(
            nb,
            km=self._with_capped_client(factory()),
            kernel_name="python3",
            allow_errors=True,
            interrupt_on_timeout=False,
            startup_timeout=int(limits.startup_timeout),
            shutdown_kernel="immediate",
            record_timing=False,
            store_widget_state=False,
            iopub_timeout=10,
            resources={"metadata": {"path": str(cwd)}},
        )
        self.client.cell_cap = limits.cell_output_bytes
        self.client.total_cap = limits.total_output_bytes
        self.monitors: list[tuple[Any, Any]] = []
        self.lost: set[int] = set()  # cells whose messages were dropped for being over the cap
        # nbclient counts whole seconds.
        self.client.timeout_func = lambda cell: max(1, math.ceil(self.timeout))

    @staticmethod
    def _with_capped_client(km: Any) -> Any:
        km.client_factory = _capped_kernel_client_class()
        return km

    async def start(self) -> None:
        try:
            await self.client.async_start_new_kernel()
            await self.client.async_start_new_kernel_client()
        except Exception as err:
            raise GradingError(f"the kernel did not start: {type(err).__name__}: {err}") from None
        self.monitors = _watch(self.client.kc)

    def _unwatch(self) -> None:
        for monitor, _ in self.monitors:
            monitor.close(linger=0)
        self.monitors = []

    async def _fresh_channels(self) -> None:
        """New sockets to the same kernel: after an interrupt, or after ZeroMQ dropped an oversized frame."""
        km = self.client.km
        assert km is not None
        self._unwatch()
        if self.client.kc is not None:
            self.client.kc.stop_channels()
        kc = km.client()
        kc.start_channels()
        self.client.kc = kc
        self.monitors = _watch(kc)
        # A kernel still stuck in the student's loop cannot answer kernel_info on its shell channel.
        ready = kc.wait_for_ready(timeout=self.limits.probe_timeout)
        if inspect.isawaitable(ready):
            await ready

    async def close(self) -> None:
        self._unwatch()
        if self.client.km is None:
            return
        try:
            await self.client._async_cleanup_kernel()
        except Exception:  # a kernel that is already gone is fine
            self.client.km = None
            self.client.kc = None

    async def restart(self) -> None:
        await self.close()
        self.client.km = self._with_capped_client(self.factory())
        await self.start()

    def dropped(self, index: int) -> int:
        """Bytes of output the cell printed beyond what was kept, in its last run (-1: unknown, a
        message over the size cap was dropped unread)."""
        if index in self.lost:
            return -1
        return int(getattr(self.client, "dropped", {}).get(index, 0))

    async def run(self, index: int, timeout: float) -> Outcome:
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        self.timeout = max(timeout, 0.1)
        cell = self.nb.cells[index]
        self.client.reset(index)
        self.lost.discard(index)
        try:
            await self.client.async_execute_cell(cell, index, store_history=index != len(self.nb.cells) - 1)
        except CellTimeoutError:
            return Outcome("timeout", f"still running after {timeout:g} s; stopped")
        except DeadKernelError:
            kind, message = self.client.km.ending()  # every manager is a ``sandbox.SandboxedKernel``
            return Outcome(kind, message)
        except Exception as err:  # a garbage or forged message; the kernel's word is never trusted
            return Outcome("broken", f"the kernel sent messages the grader could not read ({type(err).__name__})")
        if _disconnected(self.monitors):
            self.lost.add(index)
            try:
                await self._fresh_channels()
            except Exception:
                return Outcome("broken", "the kernel stopped answering after an oversized message")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                ename, evalue = str(output.get("ename", "Error")), str(output.get("evalue", ""))
                return Outcome(_error_kind(ename, evalue), f"{ename}: {evalue[:300]}")
        return Outcome("ok")

    async def snippet(self, code: str, timeout: float) -> tuple[Outcome, list[Any]]:
        scratch = len(self.nb.cells) - 1
        self.nb.cells[scratch].source = code
        outcome = await self.run(scratch, timeout)
        return outcome, list(self.nb.cells[scratch].get("outputs", []))

    async def responsive(self) -> bool:
        """Interrupt a busy kernel and check it answers again, on fresh channels.

        The timed-out cell leaves a cancelled receive on the old channels that would swallow
        the next messages, so the client is replaced (the kernel stays).
        """
        km = self.client.km
        assert km is not None
        try:
            interrupted = km.interrupt_kernel()
            if inspect.isawaitable(interrupted):
                await interrupted
            await self._fresh_channels()
        except Exception:
            return False
        outcome, _ = await self.snippet("pass", self.limits.probe_timeout)
        return outcome.ok
