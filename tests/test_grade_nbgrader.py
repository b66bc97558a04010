"""Interop: our single-source lesson imports into real nbgrader (0.9.6, in its own virtual
environment, created on first use): ``nbgrader generate_assignment`` releases it and
``nbgrader autograde`` grades the solution at full marks and the exercise at zero."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _peers() -> object:
    spec = importlib.util.spec_from_file_location("bench_peers", ROOT / "benchmarks" / "peers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_peers"] = module
    spec.loader.exec_module(module)
    return module


def test_nbgrader_generates_and_autogrades_our_source_notebook(tmp_path: Path) -> None:
    peers: object = _peers()
    folder = peers.peers_venv()  # type: ignore[attr-defined]
    env = peers.environment(tmp_path, folder)  # type: ignore[attr-defined]
    lesson = peers.LESSON  # type: ignore[attr-defined]
    students = {"sol": ROOT / "solutions" / f"{lesson}.ipynb", "ex": ROOT / "exercises" / f"{lesson}.ipynb"}
    course = peers.nbgrader_course(tmp_path, students, hidden_tests=False)  # type: ignore[attr-defined]

    done = peers.nbgrader(course, env, "generate_assignment", "lesson1", "--force")  # type: ignore[attr-defined]
    assert done.returncode == 0, done.stderr[-3000:]
    released = json.loads((course / "release" / "lesson1" / f"{lesson}.ipynb").read_text())
    ours = json.loads((ROOT / "exercises" / f"{lesson}.ipynb").read_text())

    def answer_cells(nb: dict) -> dict[str, str]:
        return {
            c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
            for c in nb["cells"]
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")
        }

    assert answer_cells(released).keys() == answer_cells(ours).keys()
    for grade_id, source in answer_cells(released).items():
        assert "BEGIN SOLUTION" not in source and "raise NotImplementedError" in source, grade_id
        assert "raise NotImplementedError" in answer_cells(ours)[grade_id]

    done = peers.nbgrader(course, env, "autograde", "lesson1", "--force")  # type: ignore[attr-defined]
    assert done.returncode == 0, done.stderr[-3000:]
    assert peers.nbgrader_scores(course, env) == {"sol": 9.0, "ex": 0.0}  # type: ignore[attr-defined]
