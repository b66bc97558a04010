"""nbgrader and otter-grader set up on lesson 1, for the grading benchmark and the nbgrader interop test.

The peers live in a virtual environment of their own (``$PEERS_VENV``, default ``/work/venv-peers``
if it exists, else ``~/.cache/corpuskit/venv-peers``), created on first use with
``nbgrader==0.9.6`` and ``otter-grader==7.0.0``, so their pins never touch the project's
environment. Their kernels run the project's Python (the same spaCy, pandas and corpuskit as
corpuskit's kernels), with the peer packages appended to ``sys.path`` so otter's in-kernel
checker imports.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PEERS = ("nbgrader==0.9.6", "otter-grader==7.0.0")
LESSON = "01-reading"


def peers_venv() -> Path:
    """The peer environment, created and filled when missing."""
    cache = Path.home() / ".cache" / "corpuskit" / "venv-peers"
    default = Path("/work/venv-peers") if Path("/work/venv-peers").is_dir() else cache
    folder = Path(os.environ.get("PEERS_VENV", default))
    python = folder / "bin" / "python"
    if not (folder / "bin" / "nbgrader").exists() or not (folder / "bin" / "otter").exists():
        if not python.exists():
            venv.create(folder, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEERS], check=True)
    return folder


def environment(workdir: Path, folder: Path) -> dict[str, str]:
    """Environment for running a peer: its bin on PATH (nbgrader shells out to alembic), our kernel spec."""
    site = next((folder / "lib").glob("python3*/site-packages"))
    kernels = workdir / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True, exist_ok=True)
    launch = (
        f"import sys; sys.path.append({str(site)!r}); from ipykernel.kernelapp import launch_new_instance; "
        "launch_new_instance()"
    )
    spec = {
        "argv": [sys.executable, "-c", launch, "-f", "{connection_file}"],
        "display_name": "Python 3",
        "language": "python",
    }
    (kernels / "kernel.json").write_text(json.dumps(spec))
    path = f"{folder / 'bin'}:{os.environ.get('PATH', '')}"
    env = {**os.environ, "PATH": path, "JUPYTER_PATH": str(workdir / "jupyter")}
    env.pop("PYTHONPATH", None)
    return env


def expected_answers() -> dict[str, Any]:
    """Lesson 1's expected answers, from its grading module (the same values corpuskit compares with)."""
    import importlib.util

    path = ROOT / "grading" / "lessons" / f"{LESSON}.py"
    loader = importlib.util.spec_from_file_location("lesson_answers", path)
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    spec = json.loads((ROOT / "grading" / "lessons" / f"{LESSON}.json").read_text())
    import corpuskit

    doc = corpuskit.load("hanoi-summit-2019")  # compute functions take the document they grade on
    return {q["id"]: (q["name"], json.loads(json.dumps(getattr(module, q["compute"])(doc)))) for q in spec["questions"]}


def _comparable(name: str) -> str:
    """Kernel code giving a variable as plain data comparable with the expected JSON (tables as rows)."""
    if name == "people":
        return (
            "{str(i): {c: int(people.loc[i, c]) for c in ['name', 'nominal', 'pronoun', 'total']} "
            "for i in people.index}"
        )
    if name == "gpe_texts":
        return "sorted(set(gpe_texts))"
    return name


def _check(name: str, expected: Any) -> str:
    want = json.dumps(json.dumps(expected))
    return f"import json as _j\nassert _j.loads(_j.dumps({_comparable(name)})) == _j.loads({want})"


def nbgrader_course(workdir: Path, students: list[str] | dict[str, Path], hidden_tests: bool = True) -> Path:
    """An nbgrader course folder with lesson 1 as assignment ``lesson1``, released, and submitted by ``students``.

    ``students`` maps each student to the notebook they submit (a list: all submit the solution).
    With ``hidden_tests`` each check cell also compares the answer with the expected value (what
    corpuskit's grader checks); without, the source notebook is taken as it is.
    """
    course = workdir / "nbgrader-course"
    if course.exists():
        shutil.rmtree(course)
    source = json.loads((ROOT / "notebooks" / f"{LESSON}.ipynb").read_text())
    if hidden_tests:
        answers = expected_answers()
        for cell in source["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            qid = str(meta.get("grade_id", "")).removesuffix("-check")
            if meta.get("grade") and qid in answers:
                name, value = answers[qid]
                text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                cell["source"] = f"{text}\n### BEGIN HIDDEN TESTS\n{_check(name, value)}\n### END HIDDEN TESTS"
    (course / "source" / "lesson1").mkdir(parents=True)
    (course / "source" / "lesson1" / f"{LESSON}.ipynb").write_text(json.dumps(source))
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'corpuskit'\nc.Execute.timeout = 120\n"
    )
    solution = ROOT / "solutions" / f"{LESSON}.ipynb"
    submissions = students if isinstance(students, dict) else dict.fromkeys(students, solution)
    for student, notebook in submissions.items():
        folder = course / "submitted" / student / "lesson1"
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / f"{LESSON}.ipynb")
    return course


def nbgrader(course: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["nbgrader", *args], cwd=course, env=env, capture_output=True, text=True, check=False)


def nbgrader_scores(course: Path, env: dict[str, str]) -> dict[str, float]:
    """Total score per student from nbgrader's database."""
    code = (
        "from nbgrader.api import Gradebook\nimport json\n"
        "with Gradebook('sqlite:///gradebook.db') as gb:\n"
        "    scores = {s.id: gb.find_submission('lesson1', s.id).score for s in gb.students}\n"
        "print(json.dumps(scores))"
    )
    python = Path(env["PATH"].split(":")[0]) / "python"
    done = subprocess.run([str(python), "-c", code], cwd=course, env=env, capture_output=True, text=True, check=True)
    return {k: float(v) for k, v in json.loads(done.stdout).items()}


def otter_autograder(workdir: Path) -> Path:
    """An otter autograder zip with lesson 1's questions as OK-format tests (hidden, scored)."""
    zip_path = workdir / "autograder.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("otter_config.json", json.dumps({"lang": "python"}))
        for qid, (name, value) in expected_answers().items():
            points = {
                q["id"]: q["points"]
                for q in json.loads((ROOT / "grading" / "lessons" / f"{LESSON}.json").read_text())["questions"]
            }[qid]
            code = (
                f">>> import json as _j\n>>> _j.loads(_j.dumps({_comparable(name)})) == "
                f"_j.loads({json.dumps(json.dumps(value))})\nTrue"
            )
            case = {"code": code, "hidden": True, "locked": False}
            suite = {"cases": [case], "scored": True, "setup": "", "teardown": "", "type": "doctest"}
            test = {"name": qid, "points": points, "suites": [suite]}
            archive.writestr(f"tests/{qid}.py", f"OK_FORMAT = True\n\ntest = {test!r}\n")
    return zip_path


def otter_run(submission: Path, autograder: Path, out: Path, env: dict[str, str]) -> float:
    """Run ``otter run`` on one submission; its total score."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["otter", "run", "-a", str(autograder), "-o", str(out), "--no-logo", str(submission)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    results = json.loads((out / "results.json").read_text())
    return float(sum(t.get("score", 0) for t in results["tests"]))
