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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import corpuskit

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
NOTEBOOK = "annotate.ipynb"
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


@dataclass
class Lab:
    url: str
    token: str
    root: Path


def _notebook() -> dict[str, Any]:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"cell{n}", "metadata": {}, "outputs": [], "source": src}
             for n, src in enumerate(CELLS)]  # fmt: skip
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
    (root / NOTEBOOK).write_text(json.dumps(_notebook()))
    home = base / "home"
    _settings(home / "settings")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
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


def _run_cell(page: Any, index: int, attempts: int = 4) -> None:
    """Run one cell with Shift+Enter until its prompt shows it ran.

    Right after start-up a run request can get lost while JupyterLab is still talking to the
    fresh kernel (the prompt stays ``[ ]:``), so the request is repeated, never more than needed.
    """
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt")
    for attempt in range(attempts):
        prompt.click()
        page.keyboard.press("Shift+Enter")
        deadline = time.monotonic() + 10 * (attempt + 1)
        while time.monotonic() < deadline:
            if prompt.inner_text().strip() not in ("[ ]:", ""):
                return
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


def test_select_kim_jong_un_and_press_person(lab: Lab) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    text = corpuskit.load("hanoi-summit-2019").text
    lede = next(s for s in corpuskit.load("hanoi-summit-2019").sections if s.id == "S2")
    start = text.index("Kim Jong Un", lede.start)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            console: list[str] = []
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            page.goto(f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for()
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for()

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
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "annotate-failure.png"))
            (ARTIFACTS / "annotate-failure-console.txt").write_text("\n".join(console))
            raise
        finally:
            browser.close()

    assert saved == [
        {"id": "T1", "start": start, "end": start + 11, "text": "Kim Jong Un", "label": "PERSON", "cluster": None}
    ]
    from corpuskit.formats.native import read_json_document

    student = read_json_document(lab.root / "student.json")
    assert [(e.start, e.end, e.label) for e in student.entities] == [(start, start + 11, "PERSON")]
