"""Making text that came from a student's kernel safe to put in a report.

Anything the kernel produced (exception names and messages, printed text, type names, file
names in a batch) is untrusted: it can be any length, hold newlines, ANSI escapes and control
characters that forge lines in a terminal or Markdown summary or make JUnit XML invalid, and,
once held-out texts have been sent into the kernel, it can carry those texts back out.
:func:`one_line` bounds and flattens such text; :class:`Redactor` removes every piece of the
held-out texts from it.
"""

from __future__ import annotations

import builtins
import re
import unicodedata
from collections.abc import Iterable

MESSAGE_CHARS = 300
"""How much of one message from the kernel a report keeps."""

# CSI and OSC sequences, then any other escape followed by one character.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
# Control, format, surrogate, private-use and unassigned code points; line and paragraph separators.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_SPACES = re.compile(r"\s+")


def escaped_name(text: object, limit: int, *, backslashes: bool = True) -> str:
    r"""A file name as one printable line in which two different names stay different: a backslash,
    every character that is not printable and every space but the plain one is written as a
    Python escape (``alice\u200b.ipynb``), never dropped. Cut at ``limit`` characters with ``…``.
    Without ``backslashes``, backslashes are left as they are, so a name escaped once stays the same.

    >>> escaped_name("alice\u200b.ipynb\n", 200)
    'alice\\u200b.ipynb\\n'
    """
    value = "".join(
        ch
        if ch == " " or (ch.isprintable() and not ch.isspace() and (ch != "\\" or not backslashes))
        else ascii(ch)[1:-1]
        for ch in str(text)[: limit * 8 + 64]
    )
    return value if len(value) <= limit else value[: max(limit - 1, 0)] + "…"


def one_line(text: object, limit: int = MESSAGE_CHARS) -> str:
    """``text`` as one printable line of at most ``limit`` characters.

    >>> one_line("a\\nb\\x1b[31m c\\x00d")
    'a b cd'
    """
    # Escapes and spaces shrink, so a generous slice of a huge text is enough to fill the line.
    value = _ANSI.sub("", str(text)[: limit * 8 + 64])
    value = "".join(
        " " if ch in "\t\n\r\v\f\x85\u2028\u2029" else ch
        for ch in value
        if ch in "\t\n\r\v\f\x85\u2028\u2029" or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    value = _SPACES.sub(" ", value).strip()
    return value if len(value) <= limit else value[: max(limit - 1, 0)] + "…"


_BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
)


def exception_name(name: object) -> str:
    """An exception's class name if it is one of Python's own, else a neutral phrase.

    A class name is chosen by the student's code (``type(text, (Exception,), {})`` names a class
    after any string), so only the built-in names are repeated.
    """
    text = str(name)
    return text if text in _BUILTIN_EXCEPTIONS else "an exception of its own class"


class Redactor:
    """Cuts every piece of the held-out texts out of a message.

    A message loses each run of ``window`` letters and digits or more that also occurs in one of the
    texts, forwards or backwards, compared without regard to case and to whatever stands between them
    (spaces, punctuation, separators put in on purpose), so no sentence of a held-out text survives as
    it was, reversed or spread out. What the student's code has encoded otherwise no filter can
    recognise: the grader keeps kernel text out of reports once held-out texts have entered the kernel.
    """

    def __init__(self, texts: Iterable[str], window: int = 16) -> None:
        self.window = window
        self.pieces: set[str] = set()
        for text in texts:
            flat = _fold(text)
            for way in (flat, flat[::-1]):
                self.pieces.update(way[i : i + window] for i in range(max(len(way) - window + 1, 0)))

    def __call__(self, message: str) -> str:
        if not self.pieces or len(message) < self.window:
            return message
        # Fold the message as the texts were folded, remembering where each folded character came from.
        flat: list[str] = []
        where: list[int] = []
        for index, ch in enumerate(message):
            if ch.isalnum():
                flat.append(ch.casefold()[:1])
                where.append(index)
        hidden = [False] * len(message)
        text = "".join(flat)
        for i in range(len(text) - self.window + 1):
            if text[i : i + self.window] in self.pieces:
                last = where[i + self.window - 1] + 1
                hidden[where[i] : last] = [True] * (last - where[i])
        if not any(hidden):
            return message
        out: list[str] = []
        for ch, cut in zip(message, hidden, strict=True):
            if not cut:
                out.append(ch)
            elif not out or out[-1] != "[…]":
                out.append("[…]")
        return "".join(out)


def _fold(text: str) -> str:
    return "".join(ch.casefold()[:1] for ch in text if ch.isalnum())
