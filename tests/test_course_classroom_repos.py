"""GitHub Classroom without exposure, with bare git repositories standing in for GitHub.

Student repositories hold only the exercise and a workflow of their own. The instructor's side
holds the grading folder and the token; it collects each student's notebook (one blob, never a
checkout), grades it, and commits the student's own report to a ``feedback`` branch. A student
who edits the workflow, or commits a link to the grading folder, gains nothing and sees nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from corpuskit.course import Limits, grade
from corpuskit.course.classroom import CollectError, collect, post_feedback, public

FIXTURES = Path(__file__).parent / "fixtures" / "course"
FAST = Limits(cell_timeout=10, probe_timeout=2, call_timeout=20, answer_timeout=10)
TOKEN = "ghs_" + "instructorsecret0123456789"
WORKFLOW_HEAD = """\
name: Visible checks
on: [push]
jobs:
  checks:
    runs-on: ubuntu-latest
    steps:
"""
STUDENT_WORKFLOW = (
    WORKFLOW_HEAD
    + """\
      - uses: actions/checkout@v4
      - run: pip install corpuskit && jupyter nbconvert --execute --to notebook tiny.ipynb
"""
)
EDITED_WORKFLOW = (
    WORKFLOW_HEAD
    + """\
      - run: echo "${{ secrets.GRADING_TOKEN }}" && cat .grading/heldout/*/text.txt
      - run: echo 'result=eyJ2ZXJzaW9uIjogMSwgIm1heF9zY29yZSI6IDgsICJ0ZXN0cyI6IFtdfQ==' >> "$GITHUB_OUTPUT"
"""
)


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env |= {"GIT_AUTHOR_NAME": "s", "GIT_AUTHOR_EMAIL": "s@x", "GIT_COMMITTER_NAME": "s", "GIT_COMMITTER_EMAIL": "s@x"}
    run = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=True)
    return run.stdout


def student_repository(root: Path, name: str) -> tuple[Path, Path]:
    """A bare repository made from the template, and a clone the student works in."""
    bare = root / f"{name}.git"
    git("init", "--bare", "--quiet", "-b", "main", str(bare), cwd=root)
    work = root / name
    git("clone", "--quiet", str(bare), str(work), cwd=root)
    shutil.copyfile(FIXTURES / "tiny-solution.ipynb", work / "tiny.ipynb")
    (work / ".github" / "workflows").mkdir(parents=True)
    (work / ".github" / "workflows" / "classroom.yml").write_text(STUDENT_WORKFLOW)
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", "the exercise", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    return bare, work


def every_object(bare: Path) -> str:
    """Every object of every branch of a repository, as text."""
    run = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"], cwd=bare, capture_output=True, check=True
    )
    return run.stdout.decode("utf-8", "replace")


@pytest.mark.slow
def test_grading_from_the_instructors_side_exposes_nothing(tmp_path: Path) -> None:
    instructor = tmp_path / "instructor"
    shutil.copytree(FIXTURES / "grading", instructor / "grading")
    secrets = [(instructor / "grading" / "heldout" / "tiny-a" / "text.txt").read_text(), TOKEN]
    secrets.append((instructor / "grading" / "lessons" / "tiny.py").read_text().splitlines()[0])
    alice, _ = student_repository(tmp_path, "alice")
    mallory, work = student_repository(tmp_path, "mallory")
    # Mallory edits the workflow to print the token and forge a score, and swaps her notebook for
    # a link to the instructor's held-out text.
    (work / ".github" / "workflows" / "classroom.yml").write_text(EDITED_WORKFLOW)
    (work / "tiny.ipynb").unlink()
    (work / "tiny.ipynb").symlink_to(instructor / "grading" / "heldout" / "tiny-a" / "text.txt")
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", "try", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)

    # The instructor's run: the token lives only in this process's environment.
    os.environ["GRADING_TOKEN"] = TOKEN
    try:
        scores, refused = {}, {}
        for name, repository in {"alice": str(alice), "mallory": str(mallory)}.items():
            try:
                notebook = collect(repository, "tiny.ipynb", instructor / "submissions" / name / "tiny.ipynb")
            except CollectError as err:
                refused[name] = str(err)
                continue
            report = grade(notebook, grading_dir=instructor / "grading", lesson="tiny", limits=FAST)
            scores[name] = report.score
            post_feedback(repository, report)
    finally:
        del os.environ["GRADING_TOKEN"]

    assert scores == {"alice": 8.0}
    assert list(refused) == ["mallory"] and "not a regular file" in refused["mallory"]
    assert len(refused["mallory"].splitlines()) == 1 and "Alice met Bob" not in refused["mallory"]
    feedback = git("show", "feedback:tiny.md", cwd=alice)
    assert feedback.startswith("## A tiny lesson for testing the grader: 8 / 8")
    assert git("ls-tree", "--name-only", "feedback", cwd=alice).split() == ["tiny.md"]
    assert "feedback" not in git("branch", "--list", cwd=mallory)
    for bare in (alice, mallory):
        stored = every_object(bare)
        for secret in secrets:
            assert secret not in stored, f"{bare.name} holds {secret[:20]!r}"


def test_collect_refuses_what_is_not_one_regular_notebook(tmp_path: Path) -> None:
    bare, work = student_repository(tmp_path, "bob")
    (work / "folder.ipynb").mkdir()
    (work / "folder.ipynb" / "x").write_text("x")
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", "a folder", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    with pytest.raises(CollectError, match="not a regular file"):
        collect(str(bare), "folder.ipynb", tmp_path / "out" / "f.ipynb")
    with pytest.raises(CollectError, match=r"no missing\.ipynb"):
        collect(str(bare), "missing.ipynb", tmp_path / "out" / "m.ipynb")
    with pytest.raises(CollectError) as err:
        collect(f"https://x-access-token:{TOKEN}@localhost:1/nobody.git", "tiny.ipynb", tmp_path / "out" / "n.ipynb")
    assert TOKEN not in str(err.value)
    assert (
        collect(str(bare), "tiny.ipynb", tmp_path / "out" / "t.ipynb").read_bytes()
        == (FIXTURES / "tiny-solution.ipynb").read_bytes()
    )
    assert public("https://user:pw@example.org/a.git") == "https://example.org/a.git"
