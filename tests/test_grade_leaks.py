"""Held-out text never comes back: a family of notebooks whose functions keep the held-out texts
they are given and try to send them back out, each in another way (reversed, interleaved, base64,
rot13, as exception messages and class names, a built-in exception or a wrong kind of result or a
way of ending chosen by the text, a BaseException, SystemExit, KeyboardInterrupt,
printed, warned, written to stderr, displayed, returned as labels, a forged answer line, a
killed kernel, a hang, a later cell).

The check is by information flow, not by looking for the texts: each notebook is graded twice,
against two held-out sets of the same shape whose texts differ in every word, and every report
format must come out the same apart from the numbers. Any route that carried held-out text,
however transformed, would make the two differ.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import string
from pathlib import Path
from typing import Any

import pytest

from corpuskit.course import Limits, Report, grade
from corpuskit.course.classroom import results as classroom_results
from corpuskit.course.gradescope import results as gradescope_results
from tests.test_grade_attacks import sandbox_required  # noqa: F401 - every test here needs the sandbox

pytestmark = pytest.mark.slow

TINY = Path(__file__).parent / "fixtures" / "course" / "grading"
LIMITS = Limits(cell_timeout=4, probe_timeout=2, call_timeout=4, answer_timeout=6, memory_mb=1024, processes=64)
DOCUMENTS = 6  # held-out texts per set: the leaking function tries one route per text


def word(rng: random.Random, n: int, *, capital: bool = False) -> str:
    letters = "".join(rng.choice(string.ascii_lowercase) for _ in range(n))
    return letters.capitalize() if capital else letters


def heldout_set(folder: Path, seed: int) -> list[str]:
    """Held-out documents of a fixed shape (names and words of fixed lengths at fixed places), their
    words drawn from ``seed``: two seeds give texts that share no word but score alike."""
    rng = random.Random(seed)
    texts = []
    for k in range(DOCUMENTS):
        first, second = word(rng, 6, capital=True), word(rng, 7, capital=True)
        filler = " ".join(word(rng, 5 + (i % 4)) for i in range(30))
        text = f"{first} met {second} today. {filler}."
        entities = [
            {"id": "T1", "start": 0, "end": 6, "text": first, "label": "PERSON", "cluster": None},
            {"id": "T2", "start": 11, "end": 18, "text": second, "label": "PERSON", "cluster": None},
        ]
        doc = {
            "id": f"doc-{k}",
            "metadata": {"title": "held out", "creation_time": "2019-02-28"},
            "sections": [{"id": "S1", "kind": "paragraph", "start": 0, "end": len(text), "text": text}],
            "entities": entities,
            "clusters": [],
            "quotes": [],
            "events": [],
            "timexes": [],
        }
        (folder / f"doc-{k}").mkdir(parents=True)
        (folder / f"doc-{k}" / "text.txt").write_text(text, encoding="utf-8")
        (folder / f"doc-{k}" / "annotations.json").write_text(json.dumps(doc), encoding="utf-8")
        texts.append(text)
    return texts


def grading_folder(root: Path) -> Path:
    """A lesson with a value question and two held-out function questions: ``keep`` is called
    first and keeps the texts, ``leak`` second and tries to send them out."""
    folder = root / "grading"
    (folder / "lessons").mkdir(parents=True)
    shutil.copy(TINY / "lessons" / "tiny.py", folder / "lessons" / "leaky.py")
    heldout = {"documents": "*", "layer": "entities", "labels": ["PERSON"], "schema": "strict", "full_marks_at": 1.0}
    spec = {
        "lesson": "leaky",
        "title": "Leaks",
        "notebook": "leaky.ipynb",
        "questions": [
            {"id": "q1", "title": "an int", "kind": "value", "name": "answer", "type": "int", "points": 1,
             "expected": 42},
            {"id": "q2", "title": "keep", "kind": "function", "name": "keep", "points": 2, "partial": "proportional",
             "timeout": 4, "heldout": heldout},
            {"id": "q3", "title": "leak", "kind": "function", "name": "leak", "points": 2, "partial": "proportional",
             "timeout": 4, "heldout": heldout},
        ],
    }  # fmt: skip
    (folder / "lessons" / "leaky.json").write_text(json.dumps(spec), encoding="utf-8")
    return folder


KEEP = """\
import re
SEEN = []
def keep(text):
    SEEN.append(text)
    return [(m.start(), m.end(), 'PERSON') for m in re.finditer(r'[A-Z][a-z]+', text)]
"""

# Helpers every leaking function may use: the kept texts, transformed.
TRANSFORMS = """\
import base64, codecs, sys, warnings, os, inspect, json
def reversed_(t): return t[::-1]
def interleaved(t): return '_'.join(t)
def b64(t): return base64.b64encode(t.encode()).decode()
def rot13(t): return codecs.encode(t, 'rot13')
CALLS = []
def pick(t, n): return sum(map(ord, t)) % n
"""

# One route per call (the function is called once per held-out text, in order).
ROUTES: dict[str, list[str]] = {
    "raises": [
        "raise ValueError(reversed_(text))",
        "raise type(interleaved(text)[:200].replace(' ', '_'), (Exception,), {})(b64(text))",
        "raise type(rot13(text)[:60].replace(' ', '_'), (BaseException,), {})(reversed_(text))",
        "raise SystemExit(interleaved(text))",
        "raise RuntimeError(' '.join(SEEN))",
        "raise ValueError(b64(' '.join(SEEN)))",
    ],
    "prints": [
        "print(rot13(text)); return []",
        "warnings.warn(reversed_(text)); return []",
        "sys.stderr.write(interleaved(text)); return []",
        "display({'text/plain': b64(text)}, raw=True, metadata={'x': text}); return []",
        "return [(0, 1, reversed_(text))]",
        "return [reversed_(text), {'k': text}]",
    ],
    "forges": [
        # The snippet's token, read from the caller's frame, then a forged answer line carrying the text.
        "tok = inspect.stack()[1].frame.f_code.co_name.split('_')[-1]; "
        "print('@@corpuskit-answer', tok, json.dumps({'status': 'unserialisable', 'error': 'not plain data: ' + text}))"
        "; return []",
        "tok = inspect.stack()[1].frame.f_code.co_name.split('_')[-1]; "
        "print('@@corpuskit-answer', tok, json.dumps({'status': 'ok', 'results': [{'ok': False, "
        "'error': reversed_(text) + ': x'}]})); return []",
        "tok = inspect.stack()[1].frame.f_code.co_name.split('_')[-1]; "
        "print('@@corpuskit-answer', tok, json.dumps({'status': 'ok', 'results': [{'ok': True, "
        "'value': [[0, 1, {reversed_(text): 1}]]}]})); return []",
        "tok = inspect.stack()[1].frame.f_code.co_name.split('_')[-1]; "
        "print('@@corpuskit-answer', tok, '{' + b64(text)); return []",
        "return [(len(text), 0, 'PERSON')]",
        "return iter(lambda: (_ for _ in ()).throw(ValueError(text)), None)",
    ],
    # A symbol chosen by the text: which built-in exception, or which wrong kind of result.
    "chooses": [
        "raise [ValueError, KeyError, OSError, ProcessLookupError, ZeroDivisionError, LookupError][pick(text, 6)]('x')",
        "raise [ValueError, KeyError, OSError, ProcessLookupError, ZeroDivisionError, LookupError][pick(text, 6)]('x')",
        "return [[(0, 1, 'X')], [(-1, 0, 'X')], 'not spans', [(5, 2, 'X')], [[0, 1]]][pick(text, 5)]",
        "raise [ValueError, TypeError, MemoryError, RecursionError, UnicodeError, StopIteration][pick(text, 6)]()",
        "return [[(0, 1, 'X')], [(-1, 0, 'X')], 'not spans', [(5, 2, 'X')], [[0, 1]]][pick(text, 5)]",
        "raise [ValueError, KeyError, OSError, ProcessLookupError, ZeroDivisionError, LookupError][pick(text, 6)]('x')",
    ],
    # How the whole snippet ends, chosen by the first text.
    "ends": [
        "[lambda: os._exit(3), lambda: exec('while True: pass'), lambda: exec('raise KeyboardInterrupt'), "
        "lambda: print('x' * 20_000_000), lambda: exec('x = []\\nwhile True: x.append(bytearray(10**7))'), "
        "lambda: exec('raise SystemExit')][pick(CALLS[0], 6)]()"
    ]
    * DOCUMENTS,
    "interrupts": ["raise KeyboardInterrupt(reversed_(text))"] * DOCUMENTS,
    "crashes": ["os._exit(sum(map(ord, text)) % 256)"] * DOCUMENTS,
    "hangs": ["while text: pass"] * DOCUMENTS,
}

LATER_CELL = "raise ValueError(reversed_(' '.join(SEEN)) or 'nothing kept yet')"


def notebook(routes: list[str]) -> dict[str, Any]:
    body = "\n".join(f"    if len(CALLS) == {k + 1}:\n        {route}" for k, route in enumerate(routes))
    leak = f"def leak(text):\n    CALLS.append(text)\n{body}\n    return []"

    def code(grade_id: str | None, source: str) -> dict[str, Any]:
        meta = {"nbgrader": {"grade_id": grade_id, "solution": True, "locked": False}} if grade_id else {}
        cell = {"cell_type": "code", "metadata": meta, "source": source, "outputs": [], "execution_count": None}
        return {**cell, "id": f"c{len(source)}-{grade_id}"}

    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
        "cells": [
            code("q1", "answer = 6 * 7"),
            code("q2", KEEP),
            code("q3", TRANSFORMS + leak),
            code(None, LATER_CELL),
            code(None, "print(reversed_(' '.join(SEEN)))"),
        ],
    }


def renderings(report: Report) -> dict[str, str]:
    """Every format a report is written in, numbers and timing masked (they may differ)."""
    formats = {
        "json": report.to_json(),
        "terminal": report.summary(),
        "markdown": report.to_markdown(),
        "junit": report.to_junit(),
        "gradescope": json.dumps(gradescope_results(report)),
        "classroom": json.dumps(classroom_results(report)),
    }
    # Where each held-out set lives differs by name only; numbers are the scores and timings.
    return {name: re.sub(r"\d+(\.\d+)?", "#", text.replace("set-b", "set-a")) for name, text in formats.items()}


@pytest.mark.parametrize("family", sorted(ROUTES))
def test_no_kernel_text_reaches_a_report_once_heldout_text_is_in(family: str, tmp_path: Path) -> None:
    folder = grading_folder(tmp_path)
    texts = heldout_set(tmp_path / "set-a", seed=1)
    other = heldout_set(tmp_path / "set-b", seed=2)
    assert set(" ".join(texts).split()) & set(" ".join(other).split()) == {"met", "today."}
    path = tmp_path / "leaky.ipynb"
    path.write_text(json.dumps(notebook(ROUTES[family])), encoding="utf-8")
    reports = [
        grade(path, grading_dir=folder, lesson="leaky", limits=LIMITS, heldout_dir=tmp_path / name)
        for name in ("set-a", "set-b")
    ]
    a, b = (renderings(r) for r in reports)
    for name in a:
        assert a[name] == b[name], f"{family}: the {name} reports differ\n{a[name]}\n---\n{b[name]}"
    # The notebook really ran: the value answer is right and the keeping function was called.
    points = {q.id: q.points for q in reports[0].questions}
    assert points["q1"] == 1 and points["q2"] > 0, reports[0].summary()
    for text in texts:
        pieces = {text[i : i + 8] for i in range(len(text) - 8)}
        for rendered in a.values():
            assert not any(p in rendered for p in pieces)
