"""The corpus travels inside the wheel: a non-editable install loads it from any folder."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_install_loads_the_corpus_from_another_folder(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = wheels.glob("corpuskit-*.whl")
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _copy_installed("msgspec", env_dir)  # the one runtime dependency, without a package index
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-index", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [env_dir / "bin" / "corpuskit", "load", "hanoi-summit-2019", "--format", "json"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout)
    assert data["id"] == "hanoi-summit-2019" and len(data["text"]) == 3995
    installed = subprocess.run(
        [python, "-c", "import corpuskit.corpus as c; print(c.shipped_corpus())"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert "site-packages" in installed


def _copy_installed(name: str, env_dir: Path) -> None:
    """Put an installed distribution (its files and its metadata) into another environment, so
    ``pip install --no-index`` finds the dependency satisfied."""
    dist = importlib.metadata.distribution(name)
    (site,) = env_dir.glob("lib/python*/site-packages")
    for file in dist.files or ():
        source = Path(str(dist.locate_file(file)))
        if source.is_file() and ".." not in file.parts:
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
