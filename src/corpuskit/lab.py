"""Open the course in JupyterLab: ``python -m corpuskit.lab`` (what ``scripts/lab.sh`` runs).

JupyterLab serves the course folder and opens on its start page, ``START-HERE.ipynb`` (a notebook
of text only: JupyterLab shows a notebook rendered, where it would open a Markdown file as source). It listens
on 127.0.0.1 unless told otherwise (``--ip 0.0.0.0`` for a lab server), always with a token:
the one in ``CORPUSKIT_LAB_TOKEN`` or a fresh random one. ``--allow-root`` is added only when
running as root (containers, lab images), because Jupyter refuses root without it.

>>> lab_command(Path("course"), token="t", port=8888, as_root=False)[4:6]
['--ServerApp.ip=127.0.0.1', '--ServerApp.port=8888']
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

START_PAGE = "START-HERE.ipynb"
TOKEN_VARIABLE = "CORPUSKIT_LAB_TOKEN"
DEFAULT_PORT = 8888


def start_path(page: str = START_PAGE) -> str:
    """The JupyterLab URL path that shows ``page`` rendered, e.g. ``/lab/tree/START-HERE.ipynb``."""
    return f"/lab/tree/{quote(page)}"


def lab_url(host: str, port: int, token: str, page: str = START_PAGE) -> str:
    """The address to open: the start page, logged in with the token."""
    return f"http://{host}:{port}{start_path(page)}?token={token}"


def lab_command(
    root: Path,
    *,
    token: str,
    ip: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    as_root: bool | None = None,
    python: str = sys.executable,
) -> list[str]:
    """The command line that starts JupyterLab on the course folder ``root``.

    Refuses an empty token: a course server never runs without authentication.
    """
    if not token:
        raise ValueError("a token is required; JupyterLab is never started without authentication")
    if as_root is None:
        as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    command = [
        python,
        "-m",
        "jupyterlab",
        "--no-browser" if not open_browser else "--ServerApp.open_browser=True",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        # The printed address must be the one in use: fail instead of moving to another port.
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root.resolve()}",
        f"--IdentityProvider.token={token}",
        f"--LabApp.default_url={start_path()}",
        # No news or update checks: lab machines are often offline, and a toast covers the notebook.
        "--LabApp.news_url=None",
        "--LabServerApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if as_root:
        command.insert(3, "--allow-root")
    return command


def free_port(ip: str, preferred: int = DEFAULT_PORT, tries: int = 50) -> int:
    """``preferred`` if nothing listens there, else the next free port above it."""
    for port in range(preferred, preferred + tries):
        with socket.socket() as sock:
            try:
                sock.bind((ip, port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in {preferred}-{preferred + tries - 1} on {ip}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/lab.sh",
        description=f"Open the course in JupyterLab, on {START_PAGE}.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  bash scripts/lab.sh                      # this machine only, opens a browser\n"
        "  bash scripts/lab.sh --ip 0.0.0.0 --port 9000 --no-browser   # a lab server\n"
        f"  {TOKEN_VARIABLE}=s3cret bash scripts/lab.sh   # a fixed token instead of a random one",
    )
    parser.add_argument("--root", default=".", help="the course folder (default: here)")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}, or the next free one)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser; just print the address")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = Path(args.root)
    if not (root / START_PAGE).is_file():
        print(f"corpuskit: error: {root / START_PAGE}: not found; run this from the course folder", file=sys.stderr)
        return 1
    token = os.environ.get(TOKEN_VARIABLE) or secrets.token_hex(24)
    port = free_port(args.ip, args.port)
    command = lab_command(root, token=token, ip=args.ip, port=port, open_browser=not args.no_browser)
    host = socket.gethostname() if args.ip in ("0.0.0.0", "::") else args.ip
    print(f"Opening the course in JupyterLab; stop it with Ctrl+C.\n\n    {lab_url(host, port, token)}\n", flush=True)
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return


if __name__ == "__main__":
    sys.exit(main())
