"""A real Label Studio server for the tests, driven through its REST API as an annotator would.

Label Studio runs from an environment of its own (its pins would move this project's): the one
``scripts/test.sh`` makes in ``.labelstudio-venv/``, or the ``label-studio`` command named by
``LABEL_STUDIO``. ``running(folder)`` starts it on a free local port with its SQLite database in
``folder`` and stops it afterwards. The same code made the exports in
``tests/fixtures/labelstudio/`` (``python -m tests.labelstudio_server FOLDER``).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

VERSION = "1.23.2"
REPO = Path(__file__).resolve().parents[1]
LOCAL_INSTALL = REPO / ".labelstudio-venv" / "bin" / "label-studio"
STARTUP_SECONDS = 240


class ServerError(RuntimeError):
    """Label Studio could not be found, did not start, or refused a request."""


def command() -> Path | None:
    """The ``label-studio`` executable to run, or ``None`` when there is none."""
    named = os.environ.get("LABEL_STUDIO")
    candidate = Path(named) if named else LOCAL_INSTALL
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def region_id() -> str:
    """A region id as Label Studio's web interface makes one for a region the annotator draws."""
    alphabet = string.ascii_letters + string.digits + "_-"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class LabelStudio:
    """A client for one running server: projects, tasks, annotations and exports."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise ServerError(f"{method} {path}: HTTP {err.code}: {err.read()[:500]!r}") from None
        return json.loads(raw) if raw else None

    def create_project(self, title: str, config: str) -> int:
        project = self.request("POST", "/api/projects/", {"title": title, "label_config": config})
        number: int = project["id"]
        return number

    def import_tasks(self, project: int, tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Import tasks (with their predictions); the project's tasks as the server holds them."""
        self.request("POST", f"/api/projects/{project}/import", tasks)
        listed = self.request("GET", f"/api/tasks/?project={project}&page_size=1000&fields=all")
        found: list[dict[str, Any]] = listed["tasks"] if isinstance(listed, dict) else listed
        return sorted(found, key=lambda task: task["id"])

    def predictions(self, task: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.request("GET", f"/api/predictions/?task={task}")
        return found

    def submit(self, task: int, result: list[dict[str, Any]]) -> dict[str, Any]:
        """Submit an annotation, as the Submit button does."""
        body = {"result": result, "was_cancelled": False, "ground_truth": False, "lead_time": 12.5}
        made: dict[str, Any] = self.request("POST", f"/api/tasks/{task}/annotations/", body)
        return made

    def skip(self, task: int) -> dict[str, Any]:
        """Skip a task, as the Skip button does: a cancelled annotation with an empty result."""
        body = {"result": [], "was_cancelled": True, "ground_truth": False, "lead_time": 3.0}
        made: dict[str, Any] = self.request("POST", f"/api/tasks/{task}/annotations/", body)
        return made

    def export(self, project: int, *, all_tasks: bool = False) -> list[dict[str, Any]]:
        """The project's JSON export (by default, as the Export button gives it: annotated tasks only)."""
        flag = "true" if all_tasks else "false"
        exported: list[dict[str, Any]] = self.request(
            "GET", f"/api/projects/{project}/export?exportType=JSON&download_all_tasks={flag}"
        )
        return exported


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running(folder: Path) -> Iterator[LabelStudio]:
    """A fresh server with its data in ``folder``; raises ``ServerError`` when it cannot start."""
    executable = command()
    if executable is None:
        raise ServerError(f"no label-studio command (install label-studio=={VERSION} in .labelstudio-venv/)")
    folder.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(20)
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(folder),
        "DJANGO_DB": "sqlite",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        "COLLECT_ANALYTICS": "false",
    }
    args = [str(executable), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port)]
    args += ["--data-dir", str(folder), "--username", "annotator@example.org", "--password", secrets.token_hex(8)]
    args += ["--user-token", token, "--enable-legacy-api-token"]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(args, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = LabelStudio(f"http://127.0.0.1:{port}", token)
    try:
        _wait(server, process, folder / "server.log")
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def _wait(server: LabelStudio, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-800:]
            raise ServerError(f"label-studio exited with status {process.returncode}: {tail}")
        try:
            server.request("GET", "/api/projects/")
            return
        except (ServerError, OSError):
            time.sleep(1)
    raise ServerError(f"label-studio did not answer within {STARTUP_SECONDS} s (log: {log})")


if __name__ == "__main__":  # pragma: no cover - the fixtures' recipe, run by hand
    from tests.labelstudio_recipes import make_fixtures

    make_fixtures(Path(sys.argv[1]))
