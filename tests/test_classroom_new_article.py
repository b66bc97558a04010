"""The instructor's guide's walkthrough, run as written: a second article made with ``corpuskit new``,
annotated in Label Studio (or brat), validated, and loaded by id.

The shell blocks are taken from ``docs/instructors.md`` (each follows a ``<!-- walkthrough: NAME -->``
line) and run with bash in a scratch home folder; only the annotator's work in the tool is simulated.
The article (``tests/fixtures/classroom/article.txt``) is fictional.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import corpuskit

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "instructors.md"
ARTICLE = Path(__file__).parent / "fixtures" / "classroom" / "article.txt"
DOC_ID = "my-article"
# What the annotator marks in the tool: (text, label) entities, and one time expression.
ENTITIES = [("Kelsbury", "GPE"), ("Ruth Okafor", "PERSON"), ("Marrow Tide Ltd", "ORG"), ("Tomas Reyes", "PERSON")]
TIMEX = ("Tuesday night", "TIME", "2024-04-30TNI")


def walkthrough(name: str) -> str:
    match = re.search(rf"<!-- walkthrough: {re.escape(name)} -->\n```bash\n(.*?)```", GUIDE.read_text(), re.S)
    assert match, f"docs/instructors.md has no walkthrough block {name!r}"
    return match.group(1)


class Shell:
    """Runs guide blocks with bash: a home of its own, the test's Python and corpuskit first on PATH."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.work = tmp_path / "work"
        self.home.mkdir()
        self.work.mkdir()
        bin_dir = str(Path(sys.executable).parent)
        self.env = {**os.environ, "HOME": str(self.home), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        self.env.pop("CORPUSKIT_PATH", None)
        self.exports: list[str] = []

    def run(self, name: str) -> subprocess.CompletedProcess[str]:
        """Run one block, after the ``export`` lines of earlier ones, as in one terminal session."""
        block = walkthrough(name)
        script = "\n".join(["set -euo pipefail", *self.exports, block])
        self.exports += [line for line in block.splitlines() if line.startswith("export ")]
        done = subprocess.run(["bash", "-c", script], cwd=self.work, env=self.env, capture_output=True, text=True)
        assert done.returncode == 0, f"walkthrough {name!r} failed:\n{done.stdout}\n{done.stderr}"
        return done

    @property
    def corpus(self) -> Path:
        return self.home / "course-corpus"


def _region(article: str, words: str, control: str, kind: str, rid: str, **value: Any) -> dict[str, Any]:
    start = article.index(words)
    return {
        "id": rid,
        "from_name": control,
        "to_name": "text",
        "type": kind,
        "value": {"start": start, "end": start + len(words), "text": words, **value},
    }


def annotate_in_label_studio(tasks_file: Path, export_file: Path) -> None:
    """What Label Studio's JSON export looks like after an annotator has done the task."""
    tasks = json.loads(tasks_file.read_text())
    assert len(tasks) == 1
    task = tasks[0]
    text = task["data"]["text"]
    result = [
        _region(text, words, "label", "labels", f"r{n}", labels=[label]) for n, (words, label) in enumerate(ENTITIES)
    ]
    words, kind, value = TIMEX
    result.append(_region(text, words, "timex", "labels", "t1", labels=[kind]))
    result.append(_region(text, words, "timex_value", "textarea", "t1", text=[value]))
    export = {"id": 1, "data": task["data"], "annotations": [{"id": 1, "result": result}], "predictions": []}
    export_file.write_text(json.dumps([export]))


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    shell = Shell(tmp_path)
    (shell.work / "article.txt").write_bytes(ARTICLE.read_bytes())
    return shell


def test_the_article_is_one_the_loader_accepts() -> None:
    raw = ARTICLE.read_bytes()
    assert raw.isascii() and b"\r" not in raw and len(raw.splitlines()) == 6


def test_label_studio_walkthrough(shell: Shell, monkeypatch: pytest.MonkeyPatch) -> None:
    created = shell.run("create")
    assert re.search(rf"^{DOC_ID} +2024-05-02  Kelsbury council backs tidal power trial", created.stdout, re.M)
    assert "hanoi-summit-2019" in created.stdout
    folder = shell.corpus / DOC_ID
    assert sorted(p.name for p in folder.iterdir()) == ["annotations.json", "brat", "text.txt"]
    assert "<Labels" in (shell.work / "labelling-config.xml").read_text()

    annotate_in_label_studio(shell.work / "my-article-tasks.json", shell.work / "export.json")
    done = shell.run("labelstudio")
    assert f"{folder / 'annotations.json'}: ok" in done.stdout
    assert "entities       4  PERSON 2, GPE 1, ORG 1" in done.stdout
    assert "timexes        1  TIME 1" in done.stdout

    # A notebook (or the grader) finds it by id once CORPUSKIT_PATH names the folder.
    monkeypatch.setenv("CORPUSKIT_PATH", str(shell.corpus))
    doc = corpuskit.load(DOC_ID)
    assert doc.metadata["creation_time"] == "2024-05-02"
    assert [s.kind for s in doc.sections] == ["headline"] + ["paragraph"] * 5
    assert sorted((e.text, e.label) for e in doc.entities) == sorted(ENTITIES)
    assert [(t.text, t.type, t.value) for t in doc.timexes] == [TIMEX]
    assert corpuskit.document_ids() == ["hanoi-summit-2019", DOC_ID]
    # The shipped article is untouched by the new one.
    assert corpuskit.load("hanoi-summit-2019").metadata["creation_time"] == "2019-02-28"


def test_brat_walkthrough(shell: Shell, monkeypatch: pytest.MonkeyPatch) -> None:
    shell.run("create")
    shell.run("brat-export")
    ann = shell.work / "brat" / f"{DOC_ID}.ann"
    text = (shell.work / "brat" / f"{DOC_ID}.txt").read_text()
    start = text.index("Ruth Okafor")
    # What brat appends when the annotator marks a name (no notes: brat knows nothing of corpuskit).
    with ann.open("a") as lines:
        lines.write(f"T900\tPERSON {start} {start + 11}\tRuth Okafor\n")
    done = shell.run("brat-import")
    assert "annotations.json: ok" in done.stdout

    monkeypatch.setenv("CORPUSKIT_PATH", str(shell.corpus))
    doc = corpuskit.load(DOC_ID)
    assert [(e.text, e.label) for e in doc.entities] == [("Ruth Okafor", "PERSON")]
    assert len(doc.sections) == 6 and doc.metadata["creation_time"] == "2024-05-02"
