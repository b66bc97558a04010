"""The annotation widget in a real browser: JupyterLab 4 in Debian's chromium, driven by playwright.

A notebook shows the widget on the lede; the test selects 'Kim Jong Un' with the mouse, presses
the PERSON key, and reads back what the kernel holds. Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import corpuskit
from corpuskit.formats.native import read_json_document

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
NOTEBOOK = "annotate.ipynb"
QUOTES_NOTEBOOK = "quotes.ipynb"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]  # fmt: skip

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        "needs Debian's chromium at /usr/bin/chromium (apt-get install chromium); CI installs it",
        allow_module_level=True,
    )

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


@dataclass
class Lab:
    url: str
    token: str
    root: Path


def _notebook(sources: list[str]) -> dict[str, Any]:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"cell{n}", "metadata": {}, "outputs": [], "source": src}
             for n, src in enumerate(sources)]  # fmt: skip
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _settings(folder: Path) -> None:
    # No news or update checks: the machine may be offline and a toast could cover the widget.
    plugin = folder / "@jupyterlab" / "apputils-extension"
    plugin.mkdir(parents=True)
    (plugin / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("lab")
    root = base / "work"
    root.mkdir()
    (root / NOTEBOOK).write_text(json.dumps(_notebook(CELLS)))
    (root / QUOTES_NOTEBOOK).write_text(json.dumps(_notebook(QUOTE_CELLS)))
    home = base / "home"
    _settings(home / "settings")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),  # no user-level kernel can stand in for this Python
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
        "CORPUSKIT_FEEDBACK": "1",
    }
    token = secrets.token_hex(16)
    port = _free_port()
    command = [
        sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        "--ServerApp.open_browser=False", f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
        "--LabApp.news_url=", "--LabServerApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    log = (base / "server.log").open("wb")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{(base / 'server.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not start:\n{(base / 'server.log').read_text()[-3000:]}"
                    ) from None
                time.sleep(0.3)
        yield Lab(url, token, root)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


def _accept_dialogs(page: Any) -> None:
    """Accept a dialog JupyterLab may raise while the kernel starts ("Select Kernel": Python 3)."""
    accept = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
    if accept.count() and accept.first.is_visible():
        accept.first.click()


def _run_cell(page: Any, index: int, attempts: int = 4) -> None:
    """Run one cell with Shift+Enter until its prompt shows it ran.

    Right after start-up a run request can get lost while JupyterLab is still talking to the
    fresh kernel (the prompt stays ``[ ]:``), so the request is repeated, never more than needed.
    """
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt")
    for attempt in range(attempts):
        _accept_dialogs(page)
        prompt.click()
        page.keyboard.press("Shift+Enter")
        deadline = time.monotonic() + 10 * (attempt + 1)
        while time.monotonic() < deadline:
            if prompt.inner_text().strip() not in ("[ ]:", ""):
                return
            _accept_dialogs(page)
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
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    stem = Path(name).stem
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        console: list[str] = []
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        try:
            # A workspace of its own, reset: no tab of an earlier test is restored beside this one.
            page.goto(f"{lab.url}/lab/workspaces/{stem}/tree/{name}?reset&token={lab.token}")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for()
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for()
            yield page
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"{stem}-failure.png"))
            (ARTIFACTS / f"{stem}-failure-console.txt").write_text("\n".join(console))
            raise
        finally:
            browser.close()


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
