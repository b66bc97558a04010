"""The one error family corpuskit raises; the CLI turns each into one line on stderr."""

from __future__ import annotations

# Set without importing typing, which would cost `corpuskit load` a tenth of its start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


class CorpuskitError(Exception):
    """Base class of every error corpuskit raises on purpose."""


class DocumentNotFoundError(CorpuskitError, LookupError):
    """No document with this id in the corpus path, and no such folder or file."""


class InputError(CorpuskitError, ValueError):
    """A file cannot be read as what it claims to be (encoding, line ends, JSON syntax, size).

    ``path`` and ``line`` say where; ``str(err)`` is one line naming both.
    """

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")


class Problem:
    """One thing wrong with an annotation file: where (a JSON path such as
    ``entities[3].text``) and what."""

    __slots__ = ("message", "where")

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and (self.where, self.message) == (other.where, other.message)

    def __hash__(self) -> int:
        return hash((self.where, self.message))

    def __repr__(self) -> str:
        return f"Problem({self.where!r}, {self.message!r})"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ValidationError(CorpuskitError, ValueError):
    """An annotation file breaks the schema or disagrees with its text.

    Carries every problem found; ``str(err)`` is one line: the file, the first problem and
    how many more there are.
    """

    def __init__(self, path: str, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        super().__init__(f"{path}: {self.problems[0]}{tail}")


class GradingError(CorpuskitError):
    """Grading itself failed (no spec, no held-out data, no kernel): not the student's fault."""
