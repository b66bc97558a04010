"""Grading a class: workers, shards that partition the class, merged shards equal to one run,
summary files, and the GitHub Classroom reporter's format (decoded as the reporter does)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from corpuskit.cli import EXIT_OK, main
from corpuskit.course import batch, classroom
from corpuskit.course.batch import BatchError, find_submissions, parse_shard, shard

COURSE = Path(__file__).parent / "fixtures" / "course"
GRADING = COURSE / "grading"
CLASS = {  # submission -> score on the tiny lesson
    "alice.ipynb": ("tiny-solution", 8),
    "bob.ipynb": ("partial-answers", 4.5),
    "carol/tiny.ipynb": ("cell-raises", 7),
    "dave.ipynb": ("not-json", 0),
    "erin.ipynb": ("eq-always-true", 0),
}
FLAGS = ["--grading", str(GRADING), "--lesson", "tiny", "--timeout", "3"]


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    for name, (fixture, _) in CLASS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(COURSE / f"{fixture}.ipynb", folder / name)
    (folder / ".ipynb_checkpoints").mkdir()
    shutil.copy(COURSE / "tiny-solution.ipynb", folder / ".ipynb_checkpoints" / "alice-checkpoint.ipynb")
    return folder


@pytest.fixture(scope="module")
def whole(klass: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("whole")
    assert main(["grade", str(klass), "--jobs", "2", "--out", str(out), *FLAGS]) == EXIT_OK
    return out


def test_shards_partition_the_class_exactly() -> None:
    items = [Path(f"s{i:02d}.ipynb") for i in range(23)]
    for n in (1, 2, 3, 7, 30):
        parts = [shard(items, k, n) for k in range(1, n + 1)]
        assert sorted(p for part in parts for p in part) == items
        assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1/2/3"):
        with pytest.raises(BatchError):
            parse_shard(bad)


def test_submissions_are_found_in_a_stable_order(klass: Path) -> None:
    assert [p.relative_to(klass).as_posix() for p in find_submissions(klass)] == sorted(CLASS)


@pytest.mark.slow
def test_batch_writes_a_report_per_submission_and_a_summary(whole: Path) -> None:
    reports = {p.name: json.loads(p.read_text()) for p in (whole / "reports").glob("*.json")}
    assert set(reports) == {"alice.json", "bob.json", "carol__tiny.json", "dave.json", "erin.json"}
    assert reports["carol__tiny.json"]["submission"] == "carol/tiny.ipynb"
    rows = list(csv.DictReader((whole / "summary.csv").open()))
    assert [r["submission"] for r in rows] == sorted(CLASS)
    assert {r["submission"]: float(r["score"]) for r in rows} == {k: v[1] for k, v in CLASS.items()}
    assert rows[0].keys() >= {"lesson", "status", "max_score", "q1", "q2", "q3", "q4"}
    assert {r["submission"]: r["status"] for r in rows}["dave.ipynb"] == "invalid-notebook"
    markdown = (whole / "summary.md").read_text()
    assert markdown.startswith("## Class summary: 5 submissions") and "| alice.ipynb | graded | 8 / 8 |" in markdown
    assert (whole / "histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_merged_shards_equal_one_run(klass: Path, whole: Path, tmp_path: Path) -> None:
    shards = [tmp_path / f"shard-{k}" for k in (1, 2)]
    for k, out in enumerate(shards, start=1):
        assert main(["grade", str(klass), "--shard", f"{k}/2", "--out", str(out), *FLAGS]) == EXIT_OK
    assert sum(len(list((s / "reports").glob("*.json"))) for s in shards) == len(CLASS)
    merged = tmp_path / "merged"
    assert main(["grade", "--merge", *map(str, shards), "--out", str(merged)]) == EXIT_OK
    assert (merged / "summary.csv").read_text() == (whole / "summary.csv").read_text()
    assert sorted(p.name for p in (merged / "reports").glob("*.json")) == sorted(
        p.name for p in (whole / "reports").glob("*.json")
    )
    with pytest.raises(BatchError, match="no reports/"):
        batch.merge([tmp_path], tmp_path / "nowhere")


@pytest.mark.slow
def test_classroom_output_matches_the_reporter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "github_output"
    output.write_text("earlier=1\n")
    assert main(["grade", str(COURSE / "partial-answers.ipynb"), "--classroom", str(output), "--json", *FLAGS]) == 0
    report = json.loads(capsys.readouterr().out)
    lines = output.read_text().splitlines()
    assert lines[0] == "earlier=1" and lines[1].startswith("result=")
    encoded = lines[1].removeprefix("result=")
    assert classroom.points(encoded) == (report["score"], report["max_score"]) == (4.5, 8)
    data = json.loads(__import__("base64").b64decode(encoded))
    assert data["status"] == "fail" and data["version"] == 1
    assert [(t["name"], t["status"], t["score"]) for t in data["tests"]] == [
        ("Q1 an int", "pass", 1.0),
        ("Q2 a list", "fail", 1.33),
        ("Q3 a dict", "fail", 0.67),
        ("Q4 a function", "fail", 1.5),
    ]
