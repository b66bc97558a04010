"""Writing files so that a reader never sees half of one: temp file, then rename."""

from __future__ import annotations

import os
import stat
import sys

STDIO = "-"


def write_text_atomic(path: str | os.PathLike[str], content: str) -> None:
    """Write ``content`` as UTF-8 to ``path`` (``"-"`` for stdout) in one step; see ``write_bytes_atomic``."""
    if os.fspath(path) == STDIO:
        sys.stdout.write(content)
        return
    write_bytes_atomic(path, content.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike[str], content: bytes) -> None:
    """Write ``content`` to ``path`` (``"-"`` for stdout) in one step.

    The bytes go to a temporary file in the same folder and are renamed over ``path`` only
    once complete, so an error or a crash midway leaves no partial file behind. A path that
    is not a regular file (``/dev/null``, a pipe) is written in place: renaming over it would
    replace the device or pipe itself.
    """
    target = os.fspath(path)
    if target == STDIO:
        sys.stdout.flush()
        sys.stdout.buffer.write(content)
        return
    try:
        special = not stat.S_ISREG(os.stat(target).st_mode)
    except FileNotFoundError:
        special = False
    if special:
        with open(target, "wb") as handle:
            handle.write(content)
        return
    folder, name = os.path.split(target)
    temp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        # O_EXCL: never follow or reuse a file someone else put at the temporary name.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temp, target)
    except BaseException as err:
        if os.path.lexists(temp):
            os.unlink(temp)
        if isinstance(err, OSError) and err.filename == temp:
            # The temporary name is ours, not the user's: name the file they asked for.
            err.filename = target
        raise
