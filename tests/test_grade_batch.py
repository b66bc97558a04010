"""Grading a class: workers, shards that partition the class, merged shards equal to one run,
summary files, and the GitHub Classroom reporter's format (decoded as the reporter does)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    assert set(reports) == {"alice.json", "bob.json", "carol%2Ftiny.json", "dave.json", "erin.json"}
    assert reports["carol%2Ftiny.json"]["submission"] == "carol/tiny.ipynb"
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


@given(st.lists(st.text(alphabet="ab_/%.-", min_size=1, max_size=12), min_size=2, max_size=6, unique=True))
def test_report_names_are_one_to_one(names: list[str]) -> None:
    paths = [f"{name}.ipynb" for name in names]
    assert len({batch.report_name(p) for p in paths}) == len(paths)
    assert batch.report_name("alice/01.ipynb") != batch.report_name("alice__01.ipynb")
    assert all("/" not in batch.report_name(p) for p in paths)


def fake_grade(path: str, options: batch.Options, folder: Path) -> dict[str, Any]:
    """Stands in for grading, so the batch machinery is tested without kernels."""
    from corpuskit.course.report import QuestionResult, Report

    if Path(path).name == "crash.ipynb":
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
    if Path(path).name == "boom.ipynb":
        raise RuntimeError("never seen by the class")
    question = QuestionResult("q1", "Q1", 1.0, 1.0, "correct", "Correct.")
    return Report(path, "tiny", "Tiny", "graded", (question,)).to_dict()


def make_class(folder: Path, names: Sequence[str]) -> Path:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(COURSE / "tiny-solution.ipynb", folder / name)
    return folder


def test_a_killed_grading_process_costs_only_its_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_grade_one", fake_grade)
    klass = make_class(tmp_path / "class", ["alice.ipynb", "crash.ipynb", "zoe.ipynb", "yann.ipynb"])
    reports = batch.grade_class(klass, tmp_path / "out", jobs=2, lesson="tiny", grading_dir=GRADING)
    status = {r.submission: r.status for r in reports}
    assert status == {
        "alice.ipynb": "graded",
        "crash.ipynb": "not-graded",
        "yann.ipynb": "graded",
        "zoe.ipynb": "graded",
    }
    crashed = next(r for r in reports if r.submission == "crash.ipynb")
    assert "died on signal SIGKILL" in crashed.events[0].message
    rows = list(csv.DictReader((tmp_path / "out" / "summary.csv").open()))
    assert [r["submission"] for r in rows] == sorted(status)


def test_colliding_names_and_stale_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_grade_one", fake_grade)
    klass = make_class(tmp_path / "class", ["alice/01.ipynb", "alice__01.ipynb"])
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    stale = {"submission": "mallory.ipynb", "lesson": "tiny", "title": "Tiny", "status": "graded", "questions": []}
    (out / "reports" / "mallory.json").write_text(json.dumps(stale))
    batch.grade_class(klass, out, lesson="tiny", grading_dir=GRADING)
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert [r["submission"] for r in rows] == ["alice/01.ipynb", "alice__01.ipynb"]
    assert len(list((out / "reports").glob("alice*.json"))) == 2


def test_an_empty_folder_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["grade", str(tmp_path / "empty"), "--out", str(tmp_path / "grades"), *FLAGS]) == 1
    assert "no notebooks" in capsys.readouterr().err
    assert not (tmp_path / "grades").exists()


SECRET = "TOP-SECRET-ANSWER-KEY-4242"


def test_links_and_paths_outside_the_class_are_refused_without_echo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "instructor"
    outside.mkdir()
    solution = outside / "solution.ipynb"
    shutil.copy(COURSE / "tiny-solution.ipynb", solution)
    private = outside / "private.txt"
    private.write_text(SECRET * 3)
    private.chmod(0o600)  # root-only when the grader is root
    klass = make_class(tmp_path / "class", ["alice.ipynb"])
    (klass / "to-solution.ipynb").symlink_to(solution)
    (klass / "to-alice.ipynb").symlink_to(klass / "alice.ipynb")
    (klass / "to-private.ipynb").symlink_to(private)
    (klass / "linked-folder").symlink_to(outside, target_is_directory=True)
    (klass / "sub").mkdir()
    (klass / "sub" / "to-private-too.ipynb").symlink_to("../../instructor/private.txt")
    out = tmp_path / "out"
    assert main(["grade", str(klass), "--out", str(out), *FLAGS]) == 1
    err = capsys.readouterr().err
    rows = {r["submission"]: r["status"] for r in csv.DictReader((out / "summary.csv").open())}
    assert rows.pop("alice.ipynb") == "graded"
    assert set(rows.values()) == {"not-graded"} and len(rows) >= 4, rows
    everything = err + "".join(p.read_text() for p in out.rglob("*") if p.suffix in (".json", ".csv", ".md"))
    assert SECRET[:10] not in everything and "nbformat" not in everything
    for path in (out / "reports").glob("to-*.json"):
        assert "symbolic link" in json.loads(path.read_text())["events"][0]["message"]
    # One submission, graded alone: the same refusal, in one line.
    assert main(["grade", str(klass / "to-private.ipynb"), *FLAGS]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "symbolic link" in err and SECRET[:10] not in err


def test_corpus_path_roots_holding_private_folders_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    klass = make_class(tmp_path / "class", ["alice.ipynb"])
    for root in (tmp_path, klass, GRADING.parent, GRADING / "heldout"):
        monkeypatch.setenv("CORPUSKIT_PATH", str(root))
        args = [str(klass / "alice.ipynb")] if root != tmp_path else [str(klass), "--out", str(tmp_path / "out")]
        assert main(["grade", *args, *FLAGS]) == 1
        assert "CORPUSKIT_PATH root" in capsys.readouterr().err


@given(
    st.lists(
        st.text(alphabet="ab_/%.-ü€|`\n", min_size=1, max_size=240).filter(lambda n: "//" not in n),
        min_size=1,
        max_size=6,
        unique=True,
    ),
    st.integers(min_value=0, max_value=5),
)
def test_long_report_names_stay_one_to_one_and_under_the_limit(names: list[str], tail: int) -> None:
    # Names alike up to their last characters, the long ones cut where the others are cut.
    paths = [f"{name}{'ü' * tail}.ipynb" for name in names] + [f"{names[0]}{'ü' * tail}x.ipynb"]
    reports = [batch.report_name(p) for p in paths]
    assert len(set(reports)) == len(set(paths))
    assert all(len(r.encode()) <= 255 and "/" not in r and "\n" not in r for r in reports)


def test_a_file_name_of_the_longest_kind_gets_its_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_grade_one", fake_grade)
    long = "03-entities-" + "ü" * 115 + ".ipynb"
    assert len(long.encode()) > 240
    klass = make_class(tmp_path / "class", [f"carol/{long}", "alice.ipynb"])
    reports = batch.grade_class(klass, tmp_path / "out", lesson="tiny", grading_dir=GRADING)
    assert sorted(r.submission for r in reports) == ["alice.ipynb", f"carol/{long}"]
    assert len(batch.read_reports([tmp_path / "out"])) == 2


def test_file_names_cannot_forge_summary_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_grade_one", fake_grade)
    names = [
        "zed/03 | graded | 12 | 1 | 1 |.ipynb",
        "amy`|`x.ipynb",
        "bo\n| forged | graded | 9 / 9 |\n.ipynb",
        "cy\\|.ipynb",
        "dee<b>*_[x](y)_*</b>.ipynb",
    ]
    klass = make_class(tmp_path / "class", names)
    batch.grade_class(klass, tmp_path / "out", lesson="tiny", grading_dir=GRADING)
    assert len(batch.read_reports([tmp_path / "out"])) == len(names)
    table = [line for line in (tmp_path / "out" / "summary.md").read_text().splitlines() if line.startswith("|")]
    rows = table[2:-1]  # header, rule, then one row per submission, then the mean
    assert len(rows) == len(names)
    for row in rows:
        unescaped = re.findall(r"(?<!\\)(?:\\\\)*\|", row)
        assert len(unescaped) == 5, row  # submission, status, score, q1: four cells
    assert all("forged" not in r or r.startswith("| bo") for r in rows)


def test_merge_reads_the_last_run_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_grade_one", fake_grade)
    out = tmp_path / "out"
    batch.grade_class(make_class(tmp_path / "first", ["mallory.ipynb"]), out, lesson="tiny", grading_dir=GRADING)
    batch.grade_class(make_class(tmp_path / "second", ["alice.ipynb"]), out, lesson="tiny", grading_dir=GRADING)
    assert (out / "reports" / "mallory.json").is_file()  # left alone, but not read
    merged = batch.merge([out], tmp_path / "merged")
    assert [r.submission for r in merged] == ["alice.ipynb"]
    assert [r.submission for r in batch.merge([tmp_path / "merged"], tmp_path / "again")] == ["alice.ipynb"]


@pytest.mark.slow
def test_a_notebook_naming_another_lesson_is_refused_in_a_class(tmp_path: Path) -> None:
    grading = tmp_path / "grading"
    shutil.copytree(GRADING, grading)
    spec = json.loads((grading / "lessons" / "tiny.json").read_text())
    (grading / "lessons" / "tiny2.json").write_text(json.dumps({**spec, "lesson": "tiny2", "notebook": "tiny2.ipynb"}))
    shutil.copy(grading / "lessons" / "tiny.py", grading / "lessons" / "tiny2.py")
    nb = json.loads((COURSE / "tiny-solution.ipynb").read_text())
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "tiny2-dave.ipynb").write_text(json.dumps(nb))  # metadata says tiny, the name tiny2
    (klass / "tiny-erin.ipynb").write_text(json.dumps(nb))
    reports = batch.grade_class(klass, tmp_path / "out", grading_dir=grading, release_dir=tmp_path)
    status = {r.submission: (r.lesson, r.status) for r in reports}
    assert status == {"tiny2-dave.ipynb": ("tiny2", "wrong-lesson"), "tiny-erin.ipynb": ("tiny", "graded")}


def scored_by_name(path: str, options: batch.Options, folder: Path) -> dict[str, Any]:
    """Stands in for grading: a notebook whose name holds a zero-width space earns the point."""
    from corpuskit.course.report import QuestionResult, Report

    points = 1.0 if "\u200b" in path else 0.0
    question = QuestionResult("q1", "Q1", points, 1.0, "correct" if points else "incorrect", "")
    return Report(path, "tiny", "Tiny", "graded", (question,)).to_dict()


def test_names_differing_in_invisible_characters_get_rows_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "_grade_one", scored_by_name)
    names = ["alice.ipynb", "alice\u200b.ipynb", "alice\n.ipynb", "alice\u00a0.ipynb", "alice\\u200b.ipynb"]
    klass = make_class(tmp_path / "class", names)
    shown = ["alice.ipynb", "alice\\u200b.ipynb", "alice\\n.ipynb", "alice\\xa0.ipynb", "alice\\\\u200b.ipynb"]
    reports = batch.grade_class(klass, tmp_path / "out", lesson="tiny", grading_dir=GRADING)
    assert sorted(r.submission for r in reports) == sorted(shown)
    rows = list(csv.DictReader((tmp_path / "out" / "summary.csv").open()))
    assert {r["submission"]: r["score"] for r in rows} == {
        name: "1" if "\u200b" in real else "0" for name, real in zip(shown, names, strict=True)
    }
    markdown = (tmp_path / "out" / "summary.md").read_text()
    assert "| alice\\\\u200b.ipynb | graded | 1 / 1 |" in markdown
    # Shards merge by the whole path: names shown alike, or cut alike, never collide.
    for k in (1, 2):
        batch.grade_class(klass, tmp_path / f"s{k}", shard_of=(k, 2), lesson="tiny", grading_dir=GRADING)
    merged = batch.merge([tmp_path / "s1", tmp_path / "s2"], tmp_path / "merged")
    assert sorted(r.submission for r in merged) == sorted(shown)
    assert sorted(p.name for p in (tmp_path / "merged" / "reports").glob("*.json")) == sorted(
        p.name for p in (tmp_path / "out" / "reports").glob("*.json")
    )


def test_a_fifo_or_a_folder_named_like_a_notebook_gets_a_row_saying_why(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    (klass / "folder.ipynb").mkdir(parents=True)
    os.mkfifo(klass / "pipe.ipynb")
    reports = batch.grade_class(klass, tmp_path / "out", lesson="tiny", grading_dir=GRADING)
    assert sorted(r.submission for r in reports) == ["folder.ipynb", "pipe.ipynb"]
    for report in reports:
        assert report.status == "not-graded"
        assert "not a regular file" in report.events[0].message
