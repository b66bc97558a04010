"""The sandbox's kernel command lines, checked where they can run (root with unshare)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from corpuskit.course.sandbox import Isolation, Limits, kernel_factory


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare")
def test_partial_mode_hides_folders_whose_names_need_quoting(tmp_path: Path) -> None:
    hidden = tmp_path / "grading 'private'"
    hidden.mkdir()
    (hidden / "answers.json").write_text("{}")
    make = kernel_factory(tmp_path, tmp_path, Isolation("unshare"), Limits(), hidden=[hidden])
    command = make().format_kernel_cmd()
    # Run the sandbox's own prefix (up to the kernel) on `ls` instead of a kernel.
    prefix = command[: command.index("--no-new-privs") + 1]
    listing = subprocess.run([*prefix, "ls", "-A", str(hidden)], capture_output=True, text=True, check=True)
    assert listing.stdout == ""
    assert [p.name for p in hidden.iterdir()] == ["answers.json"]
