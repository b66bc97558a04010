"""The classroom in a real browser: JupyterLab started as ``scripts/lab.sh`` starts it, and Jupyter
Notebook 7 on the same options, each on a copy of the course, driven in Debian's chromium by playwright.

In JupyterLab a student lands on the start page and follows its link to lesson 1; in Notebook 7 they
open lesson 1 from its address. Then, in both, they run the notebook, answer question 1 wrongly and
read the check's hint (one friendly line, no traceback), answer it rightly and see the tick that says
what was checked, save, and the autograder gives the point. Screenshots land in
``test-artifacts/classroom-*.png`` and ``test-artifacts/notebook7-*.png``.
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

from corpuskit.course.check import PASSED
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
# The tick of a check that looked at the answer's shape, and the cross of a failed one.
SUCCESS, FAILURE = f"\u2714 {PASSED}", "\u2718"

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


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("notebook7")
    root = base / "course"
    _copy_course(root)
    with running_lab(root, base, app="notebook") as running:
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


def _answer_check_save(page: Any, lesson: Path, stem: str) -> None:
    """Run lesson 1, answer question 1 wrongly then rightly, read the checks, save."""
    answer, check = _cell_index(lesson, ANSWER_CELL), _cell_index(lesson, CHECK_CELL)
    _cell(page, 0).wait_for()
    _wait_idle(page)
    # Run every cell: they run up to the first unanswered question.
    _run_all(page, until=answer)
    _wait_for_output(page, answer, "NotImplementedError")
    assert "Kim, Trump end second summit" in _output(page, 1), "the setup cell did not load the article"
    _wait_idle(page)

    # A common mistake (counting every section): the visible check answers with its hint, in one
    # friendly line, without a traceback or corpuskit's frames.
    _type_into(page, answer, WRONG)
    _run_cell(page, answer)
    assert _wait_for_output(page, answer, "24").strip().endswith("24")
    _run_cell(page, check)
    feedback = _wait_for_output(page, check, HINT).strip()
    assert feedback.startswith(FAILURE) and len(feedback.splitlines()) == 1, feedback
    for noise in ("Traceback", "AssertionError", "CheckFailed", "corpuskit", "check.py", SUCCESS):
        assert noise not in feedback, f"{noise!r} in the failed check's output: {feedback}"
    _cell(page, check).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{stem}-hint.png"))

    # The right answer: the check passes, and its tick says what it checked.
    _type_into(page, answer, RIGHT)
    _run_cell(page, answer)
    _run_cell(page, check)
    feedback = _wait_for_output(page, check, SUCCESS)
    assert HINT not in feedback and "Well done" not in feedback
    _cell(page, check).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{stem}-tick.png"))

    # Saved, the notebook earns the point from the autograder (which never trusts the visible check).
    page.keyboard.press("ControlOrMeta+s")
    deadline = time.monotonic() + 30
    while 's.kind == \\"paragraph\\"' not in lesson.read_text():
        assert time.monotonic() < deadline, "the notebook was never saved"
        time.sleep(0.2)


def _assert_graded_full(lesson: Path) -> None:
    """The saved notebook earns question 1's point (graded outside playwright's event loop)."""
    from corpuskit.course import grade

    report = json.loads(grade(lesson, grading_dir=REPO / "grading").to_json())
    q1 = next(q for q in report["questions"] if q["id"] == "q1-paragraphs")
    assert (q1["status"], q1["points"]) == ("correct", q1["max_points"])


def test_a_student_lands_on_the_start_page_answers_a_question_and_is_graded(lab: Lab) -> None:
    with browser_page("classroom") as page:
        # The bare server address lands on the start page, which says where to begin.
        page.goto(f"{lab.url}/?token={lab.token}")
        page.wait_for_url(re.compile(re.escape(f"/lab/tree/{START_PAGE}")))
        start = _notebook(page)
        start.get_by_role("heading", name="Start here").wait_for()
        link = start.get_by_role("link", name="Lesson 1: Reading the article")
        link.wait_for()
        page.screenshot(path=str(ARTIFACTS / "classroom-start-here.png"))

        # Its link opens lesson 1.
        link.click()
        page.locator(".lm-TabBar-tab.lm-mod-current", has_text="01-reading.ipynb").wait_for()
        _answer_check_save(page, lab.root / LESSON, "classroom")
    _assert_graded_full(lab.root / LESSON)


def test_in_notebook_7_a_student_answers_a_question_and_is_graded(notebook7: Lab) -> None:
    with browser_page("notebook7") as page:
        page.goto(f"{notebook7.url}/notebooks/{LESSON}?token={notebook7.token}")
        page.locator("#jp-title, .jp-NotebookPanel").first.wait_for()
        assert "/lab" not in page.url, "Notebook 7 was redirected to JupyterLab"
        _answer_check_save(page, notebook7.root / LESSON, "notebook7")
    _assert_graded_full(notebook7.root / LESSON)
