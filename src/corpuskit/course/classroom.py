"""Reports in the format of GitHub Classroom's autograding reporter: points per test.

``classroom-resources/autograding-grading-reporter`` reads, for each runner id in its
``runners`` input, an environment variable ``<RUNNER>_RESULTS`` holding base64-encoded JSON:
``{"version": 1, "status": "pass"|"fail"|"error", "max_score": N, "tests": [{"name", "status",
"score", "message", ...}]}``. It adds up the ``score`` of every test and the ``max_score`` of
every runner and shows ``Points X/Y`` to GitHub Classroom. A grading step hands the encoded
JSON on as a step output (``result=...`` appended to ``$GITHUB_OUTPUT``).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from corpuskit.course.clean import one_line
from corpuskit.course.report import Report
from corpuskit.errors import CorpuskitError

MAX_NOTEBOOK_BYTES = 20_000_000
"""A submitted notebook larger than this is not collected."""


class CollectError(CorpuskitError):
    """A student's repository holds no notebook that can be collected; the message echoes none of it."""


def results(report: Report) -> dict[str, Any]:
    """The reporter's JSON for one graded notebook: one test per question."""
    tests = [
        {
            "name": q.title,
            "status": "pass" if q.points >= q.max_points else "fail",
            "score": q.points,
            "max_score": q.max_points,
            "message": q.feedback,
            "test_code": f"{report.lesson}:{q.id}",
            "filename": report.submission,
            "line_no": 0,
            "execution_time": "",
        }
        for q in report.questions
    ]
    passed = all(t["status"] == "pass" for t in tests)
    status = "error" if report.status != "graded" else "pass" if passed else "fail"
    return {"version": 1, "status": status, "max_score": report.max_score, "tests": tests}


def encode(report: Report) -> str:
    """``results(report)`` as the base64 text the reporter decodes."""
    return base64.b64encode(json.dumps(results(report)).encode("utf-8")).decode("ascii")


def append_output(path: str | os.PathLike[str], report: Report, name: str = "result") -> None:
    """Append ``name=<base64>`` to a GitHub Actions output file (``$GITHUB_OUTPUT``), or print it for ``-``."""
    line = f"{name}={encode(report)}\n"
    if os.fspath(path) == "-":
        print(line, end="")
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line)


def points(encoded: str) -> tuple[float, float]:
    """What the reporter shows, ``(total, max)``, computed as it does from one runner's encoded results."""
    data = json.loads(base64.b64decode(encoded).decode("utf-8"))
    if not data.get("max_score"):
        return 0.0, 0.0
    return float(sum(t["score"] for t in data["tests"])), float(data["max_score"])


def public(repository: str) -> str:
    """A repository address without the credentials an ``https://user:token@host/...`` address carries.

    >>> public("https://x-access-token:ghs_abc@github.com/course/alice.git")
    'https://github.com/course/alice.git'
    """
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1", repository)


def _git(*args: str, cwd: Path | None = None, data: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
    # A clean environment: no user or system git configuration, no prompts for credentials.
    base = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd or Path.cwd()), "GIT_TERMINAL_PROMPT": "0"}
    base |= {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, **(env or {})}
    run = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, env=base, check=False)
    if run.returncode != 0:
        said = run.stderr.decode("utf-8", "replace")
        for arg in args:
            said = said.replace(arg, public(arg))
        raise CollectError(f"git {args[0]} failed: {one_line(said, 200)}")
    return run.stdout


def collect(repository: str, notebook: str, dest: str | os.PathLike[str], *, ref: str = "HEAD") -> Path:
    """Copy the notebook ``notebook`` (a path in the repository) at ``ref`` to ``dest``.

    The repository is cloned bare and only that one blob is read: a symbolic link, a folder or a
    submodule at that path is refused, as is a file over :data:`MAX_NOTEBOOK_BYTES`.
    """
    with tempfile.TemporaryDirectory(prefix="corpuskit-collect-") as folder:
        bare = Path(folder) / "repo.git"
        _git("clone", "--bare", "--quiet", "--no-local", "--depth", "1", "--", repository, str(bare))
        listing = _git("ls-tree", "-z", "--full-tree", ref, "--", notebook, cwd=bare).split(b"\0")[0]
        if not listing:
            raise CollectError(f"{public(repository)}: no {notebook} at {ref}")
        mode, kind, blob = listing.split(b"\t", 1)[0].split(b" ")
        if (mode, kind) != (b"100644", b"blob"):
            raise CollectError(f"{public(repository)}: {notebook} is not a regular file (a link, folder or submodule)")
        size = int(_git("cat-file", "-s", blob.decode("ascii"), cwd=bare))
        if size > MAX_NOTEBOOK_BYTES:
            raise CollectError(f"{public(repository)}: {notebook} is {size:,} bytes, over {MAX_NOTEBOOK_BYTES:,}")
        target = Path(dest)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_git("cat-file", "blob", blob.decode("ascii"), cwd=bare))
    return target


def post_feedback(repository: str, report: Report, *, branch: str = "feedback", name: str | None = None) -> None:
    """Commit the report as Markdown, ``<lesson>.md``, to ``branch`` of the student's repository.

    The branch holds only reports; nothing of the grading folder goes with them, and the
    report has already lost every piece of the texts sent into the kernel.
    """
    who = {"GIT_AUTHOR_NAME": "corpuskit grader", "GIT_AUTHOR_EMAIL": "grader@localhost"}
    who |= {"GIT_COMMITTER_NAME": who["GIT_AUTHOR_NAME"], "GIT_COMMITTER_EMAIL": who["GIT_AUTHOR_EMAIL"]}
    with tempfile.TemporaryDirectory(prefix="corpuskit-feedback-") as folder:
        bare = Path(folder) / "repo.git"
        _git("init", "--bare", "--quiet", str(bare))
        parent: list[str] = []
        heads = _git("ls-remote", "--heads", "--", repository, branch, cwd=bare)
        if heads.strip():
            _git("fetch", "--quiet", "--depth", "1", "--", repository, f"refs/heads/{branch}", cwd=bare)
            parent = ["-p", "FETCH_HEAD"]
            tree_listing = _git("ls-tree", "-z", "FETCH_HEAD", cwd=bare).split(b"\0")
        else:
            tree_listing = []
        filename = f"{name or report.lesson}.md"
        blob = _git("hash-object", "-w", "--stdin", cwd=bare, data=report.to_markdown().encode("utf-8")).strip()
        entries = [e for e in tree_listing if e and not e.endswith(b"\t" + filename.encode())]
        entries.append(b"100644 blob " + blob + b"\t" + filename.encode())
        tree = _git("mktree", "-z", cwd=bare, data=b"\0".join(entries) + b"\0").strip().decode("ascii")
        message = f"Grade of {report.lesson}: {report.score:g} / {report.max_score:g}"
        commit = _git("commit-tree", tree, *parent, "-m", message, cwd=bare, env=who).strip().decode("ascii")
        _git("push", "--quiet", "--", repository, f"{commit}:refs/heads/{branch}", cwd=bare)
