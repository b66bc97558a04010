"""The annotation widget in a real browser: JupyterLab 4 in Debian's chromium, driven by playwright.

A notebook shows the widget on the lede; the test selects 'Kim Jong Un' with the mouse, presses
the PERSON key, and reads back what the kernel holds. Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import corpuskit
from corpuskit.formats.native import read_json_document
from tests.jupyterlab import ARTIFACTS, Lab, accept_dialogs, browser_page, running_lab, skip_without_chromium

pytestmark = pytest.mark.slow

NOTEBOOK = "annotate.ipynb"
QUOTES_NOTEBOOK = "quotes.ipynb"

skip_without_chromium()

CELLS = [
    'import corpuskit\ndoc = corpuskit.load("hanoi-summit-2019")\n'
    'w = corpuskit.annotate(doc, passage="S2", labels=["PERSON", "NORP", "ORG", "GPE"])\nw',
    'import json\nfrom pathlib import Path\nw.save("student.json")\n'
    'Path("kernel_annotations.json").write_text(json.dumps([e.to_dict() for e in w.annotations]))\n'
    'print("saved", len(w.annotations))',
]
QUOTE_CELLS = [
    'import corpuskit\ndoc = corpuskit.load("hanoi-summit-2019")\nq = corpuskit.annotate(doc, "quotes", passage="S10")\nq',
    "import json\nfrom pathlib import Path\n"
    'Path("kernel_quotes.json").write_text(json.dumps([x.to_dict() for x in q.annotations]))',
]


def _notebook(sources: list[str]) -> dict[str, Any]:
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"cell{n}", "metadata": {}, "outputs": [], "source": src}
        for n, src in enumerate(sources)
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("lab")
    root = base / "work"
    root.mkdir()
    (root / NOTEBOOK).write_text(json.dumps(_notebook(CELLS)))
    (root / QUOTES_NOTEBOOK).write_text(json.dumps(_notebook(QUOTE_CELLS)))
    with running_lab(root, base, {"CORPUSKIT_FEEDBACK": "1"}) as running:
        yield running


def _run_cell(page: Any, index: int, attempts: int = 4) -> None:
    """Run one cell with Shift+Enter until its prompt shows it ran.

    Right after start-up a run request can get lost while JupyterLab is still talking to the
    fresh kernel (the prompt stays ``[ ]:``), so the request is repeated, never more than needed.
    """
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt")
    for attempt in range(attempts):
        accept_dialogs(page)
        prompt.click()
        page.keyboard.press("Shift+Enter")
        deadline = time.monotonic() + 10 * (attempt + 1)
        while time.monotonic() < deadline:
            if prompt.inner_text().strip() not in ("[ ]:", ""):
                return
            accept_dialogs(page)
            time.sleep(0.2)
    raise AssertionError(f"cell {index} never ran")


def _wait_for_file(path: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"the kernel never wrote {path.name}")
        time.sleep(0.2)
    time.sleep(0.2)
    return path.read_text()


def _drag_select(page: Any, words: str) -> None:
    """Press the mouse before the first letter of ``words`` and release it after the last."""
    box = page.evaluate(
        """(words) => {
            for (const chunk of document.querySelectorAll('.ck-annotate .ck-holder .ck-chunk')) {
                const node = chunk.firstChild;
                const at = node ? node.textContent.indexOf(words) : -1;
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at); range.setEnd(node, at + 1);
                const first = range.getBoundingClientRect();
                range.setStart(node, at + words.length - 1); range.setEnd(node, at + words.length);
                const last = range.getBoundingClientRect();
                return {x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 1, y2: last.top + last.height / 2};
            }
            return null;
        }""",
        words,
    )
    assert box is not None, f"{words!r} is not shown in the widget"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


@contextmanager
def _open_notebook(lab: Lab, name: str) -> Iterator[Any]:
    """A chromium page showing one notebook with its kernel idle; on failure, a screenshot."""
    stem = Path(name).stem
    with browser_page(stem) as page:
        # A workspace of its own, reset: no tab of an earlier test is restored beside this one.
        page.goto(f"{lab.url}/lab/workspaces/{stem}/tree/{name}?reset&token={lab.token}")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for()
        yield page


def test_select_kim_jong_un_and_press_person(lab: Lab) -> None:
    gold = corpuskit.load("hanoi-summit-2019")
    lede = next(s for s in gold.sections if s.id == "S2")
    start = gold.text.index("Kim Jong Un", lede.start)

    with _open_notebook(lab, NOTEBOOK) as page:
        _run_cell(page, 0)
        widget = page.locator(".ck-annotate")
        widget.wait_for()
        widget.scroll_into_view_if_needed()

        _drag_select(page, "Kim Jong Un")
        page.keyboard.press("p")
        person = widget.locator("mark.ck-mark[data-label='PERSON']")
        person.wait_for()
        assert person.locator(".ck-chunk").inner_text() == "Kim Jong Un"
        assert person.get_attribute("data-start") == str(start)
        widget.locator(".ck-agreement tr[data-label='PERSON']").wait_for()
        widget.screenshot(path=str(ARTIFACTS / "annotate-kim-jong-un.png"))
        page.screenshot(path=str(ARTIFACTS / "annotate-jupyterlab.png"))

        widget.locator(".ck-compare-toggle").click()
        widget.locator(".ck-compare [data-side='gold'] mark.ck-status-match").first.wait_for()
        widget.screenshot(path=str(ARTIFACTS / "annotate-compare.png"))
        widget.locator(".ck-compare-toggle").click()
        widget.locator(".ck-holder").wait_for()

        _run_cell(page, 1)
        saved = json.loads(_wait_for_file(lab.root / "kernel_annotations.json"))

    assert saved == [
        {"id": "T1", "start": start, "end": start + 11, "text": "Kim Jong Un", "label": "PERSON", "cluster": None}
    ]
    student = read_json_document(lab.root / "student.json")
    assert [(e.start, e.end, e.label) for e in student.entities] == [(start, start + 11, "PERSON")]


def test_select_a_quote_then_its_speaker_draws_the_link(lab: Lab) -> None:
    text = corpuskit.load("hanoi-summit-2019").text
    content = '"We have to walk ... There is a gap,"'
    start = text.index(content)
    speaker = text.index("Trump", start)

    with _open_notebook(lab, QUOTES_NOTEBOOK) as page:
        _run_cell(page, 0)
        widget = page.locator(".ck-annotate")
        widget.wait_for()
        widget.scroll_into_view_if_needed()

        _drag_select(page, content)
        page.keyboard.press("d")
        widget.locator("mark.ck-mark[data-label='direct']").wait_for()
        _drag_select(page, "Trump")
        page.keyboard.press("s")
        widget.locator("mark.ck-mark[data-label='SPEAKER']").wait_for()
        link = widget.locator("svg.ck-links path.ck-link")
        link.wait_for(state="attached")
        assert link.count() == 1
        widget.screenshot(path=str(ARTIFACTS / "annotate-quote-link.png"))

        _run_cell(page, 1)
        saved = json.loads(_wait_for_file(lab.root / "kernel_quotes.json"))

    assert saved == [
        {
            "id": "Q1",
            "content": {"start": start, "end": start + len(content), "text": content},
            "cue": None,
            "source": {"start": speaker, "end": speaker + 5, "text": "Trump"},
            "speaker": None,
            "kind": "direct",
        }
    ]
