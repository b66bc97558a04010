"""No lesson solution's extractor names a word that only the held-out texts contain.

The held-out texts measure extractors on text they were not built from, so the solutions' rules
may come from the article and from general knowledge of English, never from those texts. A word
in a string literal of the extractor's cells that occurs in a held-out text but nowhere in the
article can only have come from general English or from reading the held-out set; the words of
general English a date or name rule needs (calendar words, numbers, function words) are listed
below, and any other such word fails the test.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import corpuskit
from tests.trivial import HELD_OUT_QUESTIONS

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "grading" / "heldout"


def _listed(text: str) -> set[str]:
    return set(text.split())


# Closed classes of English that any rule for dates, times or names is written from without
# reading a text: they are in the held-out texts because every news text has them.
CALENDAR = _listed(
    """
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    spring summer autumn fall winter
    morning afternoon evening night noon midnight tonight today yesterday tomorrow now
    second seconds minute minutes hour hours day days week weeks month months year years decade decades
    """
)
NUMBERS = _listed(
    """
    one two three four five six seven eight nine ten eleven twelve few several dozen half
    first third fourth fifth sixth seventh eighth ninth tenth final
    """
)
# Determiners, prepositions, conjunctions and adverbs of time: the glue of relative dates
# ("this week", "two days later", "the previous day", "every Monday") and of sentence openings.
FUNCTION_WORDS = _listed(
    "the this that last next later earlier before after ago every each full or and but of in on at"
)
# The common verbs of reporting speech, as attribution studies list them (PARC 3.0's cue verbs, the
# Gender Gap Tracker's quote verbs): a quote finder starts from this list, not from a text.
REPORTING_VERBS = _listed(
    """
    said says told added noted stressed reiterated warned argued insisted claimed announced explained
    denied hinted wrote promised confirmed admitted saying noting adding
    """
)
PLAIN_ENGLISH = CALENDAR | NUMBERS | FUNCTION_WORDS | REPORTING_VERBS


def words(text: str) -> set[str]:
    """Lower-cased words of two letters or more; regex escapes such as ``\\b`` and ``\\d`` are not words."""
    return {w.lower() for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"\\[A-Za-z]", " ", text))}


def extractor_cells(lesson: str, question: str) -> list[tuple[str, str]]:
    """(cell id, source) of the solution's cells that build the question's function: the answer and
    locked cells (the cells with an nbgrader ``grade_id``) after the check cell of the last earlier
    question of another number (so the graded steps 6a and 6b count for question 6), up to the
    function's own cell. Check cells and unlabelled worked examples (plots, renderings) are left out."""
    cells = json.loads((ROOT / "solutions" / f"{lesson}.ipynb").read_text(encoding="utf-8"))["cells"]
    number = re.match(r"q\d+", question)
    assert number is not None
    out: list[tuple[str, str]] = []
    for cell in cells:
        meta = cell["metadata"].get("nbgrader", {})
        grade_id = meta.get("grade_id", "")
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] != "code" or not grade_id:
            continue
        if meta.get("grade"):
            if not grade_id.startswith(number.group()):
                out = []  # an earlier question's check: what came before it builds something else
            continue
        out.append((grade_id, source))
        if grade_id == question:
            return out
    raise AssertionError(f"{lesson}: no cell {question!r} in the solution")


def literal_words(source: str) -> set[str]:
    """The words of a cell's string literals, docstrings left out (they explain, they match nothing)."""
    tree = ast.parse(source)
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return set().union(
        *(
            words(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        )
    )


def held_out_only(lesson: str, question: str) -> dict[str, list[str]]:
    """Per cell, the words of its string literals that occur in a held-out text, not in the article and
    not in the plain-English list."""
    article = words(corpuskit.load("hanoi-summit-2019").text)
    heldout = set().union(
        *(words((d / "text.txt").read_text(encoding="utf-8")) for d in HELDOUT.iterdir() if d.is_dir())
    )
    suspicious = heldout - article - PLAIN_ENGLISH
    found = {cell: sorted(literal_words(source) & suspicious) for cell, source in extractor_cells(lesson, question)}
    return {cell: ws for cell, ws in found.items() if ws}


@pytest.mark.parametrize(
    ("lesson", "question"),
    HELD_OUT_QUESTIONS,
)
def test_no_solution_names_a_word_only_the_held_out_texts_have(lesson: str, question: str) -> None:
    found = held_out_only(lesson, question)
    assert not found, f"{lesson} {question}: words of the held-out texts that the article lacks: {found}"


def test_the_check_finds_a_held_out_word() -> None:
    """The check itself can fail: a held-out-only word in a literal is found, a plain English one is not."""
    article = words(corpuskit.load("hanoi-summit-2019").text)
    heldout = set().union(
        *(words((d / "text.txt").read_text(encoding="utf-8")) for d in HELDOUT.iterdir() if d.is_dir())
    )
    assert {"ferries", "council", "university"} <= heldout - article
    assert literal_words('NOT_NAMES = {"Ferries", "Monday"}\nRE = r"\\bCouncil\\b"') & (
        heldout - article - PLAIN_ENGLISH
    ) == {
        "ferries",
        "council",
    }
