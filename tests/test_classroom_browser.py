"""The classroom in a real browser: JupyterLab started as ``scripts/lab.sh`` starts it, on a copy of
the course, driven in Debian's chromium by playwright.

A student lands on the start page, follows its link to lesson 1, runs the notebook, answers
question 1 wrongly and reads the check's hint, answers it rightly and sees the check pass, saves,
and the autograder gives the point. Screenshots land in ``test-artifacts/classroom-*.png``.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpuskit.lab import START_PAGE
from tests.jupyterlab import ARTIFACTS, Lab, accept_dialogs, browser_page, running_lab, skip_without_chromium

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
LESSON = "exercises/01-reading.ipynb"
# What a student's copy of the course holds (the grading folder stays with the instructor).
COURSE = [START_PAGE, "exercises", "corpus/GUIDELINES.md", "corpus/DATASHEET.md", "corpus/hanoi-summit-2019"]

# Question 1 of lesson 1: the answer cell, the check cell below it, a common mistake and its fix.
ANSWER_CELL, CHECK_CELL = "q1-paragraphs", "q1-paragraphs-check"
WRONG = "n_paragraphs = len(doc.sections)\nprint(n_paragraphs)"
RIGHT = 'n_paragraphs = sum(1 for s in doc.sections if s.kind == "paragraph")\nprint(n_paragraphs)'
HINT = "Count only the sections whose kind is 'paragraph'"
SUCCESS = "\u2714 Well done!"

skip_without_chromium()


def _copy_course(root: Path) -> None:
    for item in COURSE:
        source, target = REPO / item, root / item
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("classroom")
    root = base / "course"
    _copy_course(root)
    with running_lab(root, base) as running:
        yield running


def _notebook(page: Any) -> Any:
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")


def _cell(page: Any, index: int) -> Any:
    return _notebook(page).locator(".jp-Cell").nth(index)


def _cell_index(path: Path, grade_id: str) -> int:
    cells = json.loads(path.read_text())["cells"]
    return next(n for n, cell in enumerate(cells) if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def _wait_idle(page: Any) -> None:
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()


def _run_cell(page: Any, index: int, attempts: int = 4) -> None:
    """Run one cell with Shift+Enter and wait until its prompt shows a new execution count.

    Right after start-up a run request can get lost while JupyterLab is still talking to the
    fresh kernel, so the request is repeated, never more than needed.
    """
    prompt = _cell(page, index).locator(".jp-InputPrompt")
    before = prompt.text_content().strip()
    for attempt in range(attempts):
        accept_dialogs(page)
        prompt.click()
        page.keyboard.press("Shift+Enter")
        deadline = time.monotonic() + 15 * (attempt + 1)
        while time.monotonic() < deadline:
            now = prompt.text_content().strip()
            if re.fullmatch(r"\[\d+\]:", now) and now != before:
                return
            accept_dialogs(page)
            time.sleep(0.2)
    raise AssertionError(f"cell {index} never ran")


def _prompt(page: Any, index: int) -> str:
    return str(_cell(page, index).locator(".jp-InputPrompt").text_content()).strip()


def _state(page: Any, upto: int) -> str:
    """Each code cell's prompt and the start of its output, for a failure message."""
    lines = []
    for index in range(upto + 1):
        cell = _cell(page, index)
        if "jp-CodeCell" in (cell.get_attribute("class") or ""):
            output = str(cell.locator(".jp-OutputArea").text_content()).strip().replace("\n", " ")
            lines.append(f"  cell {index} {_prompt(page, index)} {output[:160]}")
    return "\n".join(lines)


def _run_all(page: Any, until: int, attempts: int = 3) -> None:
    """*Run > Run All Cells* from the menu, until the run has reached cell ``until``.

    Right after start-up a run request can get lost while JupyterLab is still talking to the
    fresh kernel; then the kernel sits idle short of ``until`` and the request is repeated.
    """
    idle = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status='idle']")
    for attempt in range(attempts):
        accept_dialogs(page)
        page.locator(".lm-MenuBar-item", has_text="Run").click()
        page.locator(".lm-Menu-item", has_text=re.compile(r"^Run All Cells")).first.click()
        deadline = time.monotonic() + 30 * (attempt + 1)
        idle_since: float | None = None
        while time.monotonic() < deadline:
            if re.fullmatch(r"\[\d+\]:", _prompt(page, until)):
                return
            accept_dialogs(page)
            if idle.count():
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 5:
                    break
            else:
                idle_since = None
            time.sleep(0.2)
    raise AssertionError(f"Run All Cells never reached cell {until}:\n{_state(page, until)}")


def _type_into(page: Any, index: int, source: str) -> None:
    """Replace a cell's code with ``source``, as a student typing into it would."""
    editor = _cell(page, index).locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    # insert_text types the characters as one input, so the editor's bracket closing does not add to them.
    page.keyboard.insert_text(source)
    assert [line.text_content() for line in editor.locator(".cm-line").all()] == source.split("\n")


def _output(page: Any, index: int) -> str:
    text: str = _cell(page, index).locator(".jp-OutputArea").text_content()
    return text


def _wait_for_output(page: Any, index: int, needle: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while needle not in (text := _output(page, index)):
        if time.monotonic() > deadline:
            raise AssertionError(f"cell {index} never showed {needle!r}; the notebook:\n{_state(page, index)}")
        time.sleep(0.2)
    return text


def test_a_student_lands_on_the_start_page_answers_a_question_and_is_graded(lab: Lab) -> None:
    lesson = lab.root / LESSON
    answer, check = _cell_index(lesson, ANSWER_CELL), _cell_index(lesson, CHECK_CELL)
    with browser_page("classroom") as page:
        # The bare server address lands on the start page, which says where to begin.
        page.goto(f"{lab.url}/?token={lab.token}")
        page.wait_for_url(re.compile(re.escape(f"/lab/tree/{START_PAGE}")))
        start = _notebook(page)
        start.get_by_role("heading", name="Start here").wait_for()
        link = start.get_by_role("link", name="Lesson 1: Reading the article")
        link.wait_for()
        page.screenshot(path=str(ARTIFACTS / "classroom-start-here.png"))

        # Its link opens lesson 1; run every cell: they run up to the first unanswered question.
        link.click()
        page.locator(".lm-TabBar-tab.lm-mod-current", has_text="01-reading.ipynb").wait_for()
        _cell(page, 0).wait_for()
        _wait_idle(page)
        _run_all(page, until=answer)
        _wait_for_output(page, answer, "NotImplementedError")
        assert "Kim, Trump end second summit" in _output(page, 1), "the setup cell did not load the article"
        _wait_idle(page)

        # A common mistake (counting every section): the visible check answers with its hint.
        _type_into(page, answer, WRONG)
        _run_cell(page, answer)
        assert _wait_for_output(page, answer, "24").strip().endswith("24")
        _run_cell(page, check)
        feedback = _wait_for_output(page, check, HINT)
        assert "AssertionError" in feedback and SUCCESS not in feedback
        _cell(page, check).scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "classroom-hint.png"))

        # The right answer: the check passes.
        _type_into(page, answer, RIGHT)
        _run_cell(page, answer)
        _run_cell(page, check)
        feedback = _wait_for_output(page, check, SUCCESS)
        assert HINT not in feedback
        _cell(page, check).scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "classroom-well-done.png"))

        # Saved, the notebook earns the point from the autograder (which never trusts the visible check).
        page.keyboard.press("ControlOrMeta+s")
        deadline = time.monotonic() + 30
        while 's.kind == \\"paragraph\\"' not in lesson.read_text():
            assert time.monotonic() < deadline, "the notebook was never saved"
            time.sleep(0.2)

    from corpuskit.course import grade

    report = json.loads(grade(lesson, grading_dir=REPO / "grading").to_json())
    q1 = next(q for q in report["questions"] if q["id"] == "q1-paragraphs")
    assert (q1["status"], q1["points"]) == ("correct", q1["max_points"])
