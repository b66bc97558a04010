"""Lesson 3's model `find_people` applies each of its rules, on invented English sentences.

The solution notebook's cells that build the function (the locked stop lists, Q6a, Q6b and Q6c) are
run in one namespace, as the notebook runs them, and the function is called on sentences written for
this test: one or two per rule the solution states.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import corpuskit

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "03-entities.ipynb"
CELLS = ("stop-lists", "q6a-runs", "q6b-trimmed", "q6-people")

Spans = list[tuple[int, int, str]]


@pytest.fixture(scope="module")
def find_people() -> Callable[[str], Spans]:
    cells = json.loads(SOLUTION.read_text(encoding="utf-8"))["cells"]
    namespace: dict[str, Any] = {"doc": corpuskit.load("hanoi-summit-2019"), "re": re}
    for grade_id in CELLS:
        (cell,) = [c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id]
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        exec(compile(source, f"{SOLUTION.name}:{grade_id}", "exec"), namespace)
    function: Callable[[str], Spans] = namespace["find_people"]
    return function


CASES = [
    # a full name, a name after a title, and its family name alone later
    ("Governor Alan Reyes met Kim Jong Un in Hanoi. Reyes smiled.", ["Alan Reyes", "Kim Jong Un", "Reyes"]),
    # what stands before the last title word goes with the title
    ("Arizona Governor Luis Moreno called the deal fair.", ["Luis Moreno"]),
    # a title and a single name
    ("President Trump left early.", ["Trump"]),
    ("Pope Francis spoke on Sunday.", ["Francis"]),
    # an honorific with a full stop
    ("Mr. Reyes declined to comment.", ["Reyes"]),
    # an office without a name is not a person
    ("The bill passed, Deputy Speaker said.", []),
    # a sentence opener is not part of the name
    ("Speaking Alan Reyes said no.", ["Alan Reyes"]),
    # organisation and place words
    ("Shares of Harbor Steel rose after Kester Economics raised its forecast.", []),
    # prepositions of place, and nouns that introduce an organisation
    ("Flights resumed in Phnom Penh.", []),
    ("Payments startup Kora Pay raised money.", []),
    # the title of a work in quotation marks; a name that takes "the"
    ('Her show "Small Talk" won. The Red Cross helped.', []),
    # hyphens, initials, apostrophes, accents
    ("Moon Jae-in met reporters. Moon smiled.", ["Moon Jae-in", "Moon"]),
    ("Jean-Luc Martin, a spokesman, said flights would resume.", ["Jean-Luc Martin"]),
    ("George W. Bush spoke in Dallas. Bush smiled.", ["George W. Bush", "Bush"]),
    ("Sarah O'Connor said profits rose.", ["Sarah O'Connor"]),
    ('"It was terrible," said Ana García. García stayed.', ["Ana García", "García"]),
    # a family name inside the name of a building is not the person
    ("The George W. Bush Presidential Center opened.", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "people"), CASES)
def test_find_people_applies_its_rules(find_people: Callable[[str], Spans], text: str, people: list[str]) -> None:
    spans = find_people(text)
    assert all(label == "PERSON" for _, _, label in spans)
    assert spans == sorted(spans)
    assert [text[start:end] for start, end, _ in spans] == people
