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
from typing import Any

from corpuskit.course.report import Report


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
