"""The adjudication view in a real browser: JupyterLab 4 in Debian's chromium, driven by playwright.

The 30 synthetic students' widget saves are collected into a sprint folder; a notebook shows the
class view on it. The test clicks the most disputed site, accepts the reading with the article,
and reads the adjudicated file the kernel saved. Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpuskit.sprint.collect import collect_to
from tests.jupyterlab import ARTIFACTS, Lab, running_lab, skip_without_chromium
from tests.test_annotate_browser import _notebook, _open_notebook, _run_cell, _wait_for_file
from tests.test_sprint import DOC, LONG_NAME, S2, synthetic_class, write_sources

pytestmark = pytest.mark.slow

NOTEBOOK = "adjudicate.ipynb"

skip_without_chromium()

CELLS = [
    "import corpuskit\n"
    "from corpuskit.annotate.classview import class_view\n"
    "from corpuskit.sprint.collect import read_pool\n"
    'doc = corpuskit.load("hanoi-summit-2019")\n'
    'view = class_view(read_pool("sprint", doc), doc, gold=doc, path="adjudicated.json")\n'
    "view",
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("sprint-lab")
    root = base / "work"
    root.mkdir()
    sources = write_sources(base / "submissions", synthetic_class())
    collect_to(sources["widget"], DOC, S2, root / "sprint", section="S2")
    (root / NOTEBOOK).write_text(json.dumps(_notebook(CELLS)))
    with running_lab(root, base) as running:
        yield running


def test_click_a_disputed_span_accept_a_reading_and_save(lab: Lab) -> None:
    with _open_notebook(lab, NOTEBOOK) as page:
        _run_cell(page, 0)
        view = page.locator(".ck-classview")
        view.wait_for()
        view.scroll_into_view_if_needed()
        site = view.locator(".ck-cv-site.ck-cv-disputed[data-site='1']")
        assert site.inner_text().startswith("the Democratic People")
        site.click()
        readings = view.locator(".ck-cv-reading")
        readings.first.wait_for()
        texts = [readings.nth(i).inner_text() for i in range(readings.count())]
        assert texts[0].startswith("15 ×") and "[the Democratic People's Republic of Korea](GPE)" in texts[0]
        view.locator(".ck-cv-gold-toggle").click()
        view.locator(".ck-cv-gold").wait_for()
        assert "[the Democratic People's Republic of Korea](GPE)" in view.locator(".ck-cv-gold").inner_text()
        view.screenshot(path=str(ARTIFACTS / "sprint-adjudication.png"))
        readings.first.locator(".ck-cv-accept").click()
        view.locator(".ck-cv-reading.ck-cv-chosen[data-reading='1']").wait_for()
        view.screenshot(path=str(ARTIFACTS / "sprint-adjudication-accepted.png"))
        saved = json.loads(_wait_for_file(lab.root / "adjudicated.json"))

    first = saved["metadata"]["adjudication"]["sites"][0]
    assert first["decided_by"] == "accepted" and first["decision"] == [list(LONG_NAME)]
    assert [v["votes"] for v in first["votes"]] == [15, 14, 1]
    assert Path(ARTIFACTS / "sprint-adjudication.png").is_file()
