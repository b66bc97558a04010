"""The course launcher (``scripts/lab.sh`` -> ``python -m corpuskit.lab``) and its start page."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from corpuskit import lab as launcher
from corpuskit.lab import START_PAGE, free_port, lab_command, lab_url

REPO = Path(__file__).resolve().parents[1]


def _option(command: list[str], name: str) -> str | None:
    return next((arg.split("=", 1)[1] for arg in command if arg.startswith(f"--{name}=")), None)


def test_lab_command_listens_on_this_machine_with_a_token_and_opens_the_start_page(tmp_path: Path) -> None:
    command = lab_command(tmp_path, token="s3cret", port=9999, as_root=False, python="python")
    assert command[:3] == ["python", "-m", "jupyterlab"]
    assert _option(command, "ServerApp.ip") == "127.0.0.1"
    assert _option(command, "ServerApp.port") == "9999"
    assert _option(command, "ServerApp.port_retries") == "0"
    assert _option(command, "IdentityProvider.token") == "s3cret"
    assert _option(command, "ServerApp.root_dir") == str(tmp_path.resolve())
    assert _option(command, "LabApp.default_url") == f"/lab/tree/{START_PAGE}"
    assert "--no-browser" in command and "--allow-root" not in command


def test_allow_root_only_as_root(tmp_path: Path) -> None:
    assert "--allow-root" in lab_command(tmp_path, token="t", as_root=True)
    assert "--allow-root" not in lab_command(tmp_path, token="t", as_root=False)


def test_a_lab_server_address_and_a_browser(tmp_path: Path) -> None:
    command = lab_command(tmp_path, token="t", ip="0.0.0.0", open_browser=True, as_root=False)
    assert _option(command, "ServerApp.ip") == "0.0.0.0"
    assert "--no-browser" not in command


def test_authentication_is_never_switched_off(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="token is required"):
        lab_command(tmp_path, token="")


def test_the_printed_address_logs_in_on_the_start_page() -> None:
    assert lab_url("127.0.0.1", 8888, "abc") == f"http://127.0.0.1:8888/lab/tree/{START_PAGE}?token=abc"


def test_a_busy_port_is_skipped() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert free_port("127.0.0.1", port) > port


def test_main_prints_the_address_then_runs_jupyterlab(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(launcher.os, "execv", lambda path, args: ran.append(args))
    monkeypatch.setenv(launcher.TOKEN_VARIABLE, "given-token")
    assert launcher.main(["--root", str(REPO), "--no-browser", "--port", "18123"]) == 0
    out = capsys.readouterr().out
    port = _option(ran[0], "ServerApp.port")
    assert f"http://127.0.0.1:{port}/lab/tree/{START_PAGE}?token=given-token" in out
    assert _option(ran[0], "IdentityProvider.token") == "given-token"


def test_a_random_token_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens: list[str | None] = []
    monkeypatch.setattr(launcher.os, "execv", lambda path, args: tokens.append(_option(args, "IdentityProvider.token")))
    monkeypatch.delenv(launcher.TOKEN_VARIABLE, raising=False)
    for _ in range(2):
        launcher.main(["--root", str(REPO), "--no-browser"])
    assert all(token and len(token) >= 32 for token in tokens) and tokens[0] != tokens[1]


def test_main_refuses_a_folder_without_the_course(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert launcher.main(["--root", str(tmp_path), "--no-browser"]) == 1
    assert "run this from the course folder" in capsys.readouterr().err


def test_lab_sh_help_runs_the_launcher() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "corpuskit.lab", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "examples:" in out and "--ip" in out


def test_start_page_is_text_only_and_every_link_resolves() -> None:
    page = json.loads((REPO / START_PAGE).read_text())
    assert {cell["cell_type"] for cell in page["cells"]} == {"markdown"}
    text = "\n".join(cell["source"] for cell in page["cells"])
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert "exercises/01-reading.ipynb" in links and "corpus/GUIDELINES.md" in links
    for link in links:
        assert (REPO / unquote(link)).exists(), f"{START_PAGE} links to {link}, which does not exist"
    for words in ("Begin with", "Shift+Enter", "YOUR CODE HERE", "corpuskit grade", "Submitting"):
        assert words in text
