"""Shared by the browser tests: JupyterLab started as ``scripts/lab.sh`` starts it, and Debian's
chromium driven by playwright (never ``playwright install``: only the registries are reachable).

Each test module calls ``skip_without_chromium()`` at import time; in CI the browser tests run.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
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

from corpuskit.lab import free_port, lab_command

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def skip_without_chromium() -> None:
    """Skip the calling test module where chromium is missing, except in CI, where it must run."""
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip(
            "needs Debian's chromium at /usr/bin/chromium (apt-get install chromium); CI installs it",
            allow_module_level=True,
        )


@dataclass
class Lab:
    url: str
    token: str
    root: Path


def fresh_user(home: Path) -> dict[str, str]:
    """Environment for a JupyterLab user of its own: no settings, workspaces or kernels of the
    machine's user, and no news or update prompt that could cover the page."""
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return {
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),  # no user-level kernel can stand in for this Python
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }


def notebook7_command(root: Path, *, token: str, port: int) -> list[str]:
    """Jupyter Notebook 7 on ``root``, with the options ``scripts/lab.sh`` gives JupyterLab."""
    command = lab_command(root, token=token, port=port, python=sys.executable)
    return [
        "notebook" if arg == "jupyterlab" else arg
        for arg in command
        if not arg.startswith(("--LabApp.", "--LabServerApp."))
    ]


@contextmanager
def running_lab(
    root: Path, base: Path, extra_env: dict[str, str] | None = None, app: str = "jupyterlab"
) -> Iterator[Lab]:
    """JupyterLab on ``root`` (the command ``scripts/lab.sh`` runs, without a browser), until exit;
    ``app="notebook"`` starts Jupyter Notebook 7 instead."""
    env = {**os.environ, **fresh_user(base / "home"), **(extra_env or {})}
    token = secrets.token_hex(16)
    port = free_port("127.0.0.1", 18888)
    if app == "notebook":
        command = notebook7_command(root, token=token, port=port)
    else:
        command = lab_command(root, token=token, port=port, python=sys.executable)
    log_path = base / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"{app} exited early:\n{log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{app} did not start:\n{log_path.read_text()[-3000:]}") from None
                    time.sleep(0.3)
            yield Lab(url, token, root)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


@contextmanager
def browser_page(stem: str) -> Iterator[Any]:
    """A chromium page; on failure ``test-artifacts/<stem>-failure.png`` and its console log are kept."""
    import playwright.sync_api as sync_api  # a test extra: a plain import, never a skip

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        console: list[str] = []
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        try:
            yield page
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"{stem}-failure.png"))
            (ARTIFACTS / f"{stem}-failure-console.txt").write_text("\n".join(console))
            raise
        finally:
            browser.close()


def accept_dialogs(page: Any) -> None:
    """Accept a dialog JupyterLab may raise while the kernel starts ("Select Kernel": Python 3)."""
    accept = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
    if accept.count() and accept.first.is_visible():
        accept.first.click()
