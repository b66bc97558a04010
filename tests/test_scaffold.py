from __future__ import annotations

from pathlib import Path

import pytest

import corpuskit
from corpuskit.cli import EXIT_INVALID, EXIT_OK, main
from corpuskit.corpus import PATH_VARIABLE
from corpuskit.errors import InputError
from corpuskit.scaffold import new_document, sections

ARTICLE = "Council approves budget\nThe city council voted on Tuesday.\n\n  Critics said it was rushed.\n"


def test_sections_skip_blank_lines_and_trim() -> None:
    found = sections(ARTICLE)
    assert [(s["kind"], s["text"]) for s in found] == [
        ("headline", "Council approves budget"),
        ("paragraph", "The city council voted on Tuesday."),
        ("paragraph", "Critics said it was rushed."),
    ]
    assert all(ARTICLE[s["start"] : s["end"]] == s["text"] for s in found)  # type: ignore[misc]


def test_new_document_validates_and_loads_by_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE)
    folder = new_document("budget-vote", source, tmp_path / "corpus", creation_time="2024-05-02")
    monkeypatch.setenv(PATH_VARIABLE, str(folder.parent))
    doc = corpuskit.load("budget-vote")
    assert doc.title == "Council approves budget" and doc.creation_time == "2024-05-02"
    assert doc.text == ARTICLE and len(doc.sections) == 3 and doc.entities == ()


def test_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="already exists"):
        new_document("taken", source, tmp_path)
    assert (tmp_path / "taken" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize(
    ("doc_id", "text", "dct", "message"),
    [
        ("Bad Id", ARTICLE, None, "a document id uses"),
        ("ok", ARTICLE, "2 May 2024", "YYYY-MM-DD"),
        ("ok", "Headline\r\nBody", None, "CR or CRLF"),
        ("ok", ARTICLE, "2024-13-45", r"^2024-13-45: is not a calendar date \(month must be in 1\.\.12\)$"),
        ("ok", ARTICLE, "2023-02-29", "is not a calendar date"),
        ("hanoi-summit-2019", ARTICLE, None, "is the id of a document shipped with corpuskit"),
    ],
)
def test_bad_input_creates_nothing(tmp_path: Path, doc_id: str, text: str, dct: str | None, message: str) -> None:
    source = tmp_path / "article.txt"
    source.write_bytes(text.encode())
    with pytest.raises(InputError, match=message):
        new_document(doc_id, source, tmp_path / "out", creation_time=dct)
    assert not (tmp_path / "out").exists()


def test_cli_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE)
    assert main(["new", "budget-vote", "--text", str(source), "--dir", str(tmp_path), "--dct", "2024-05-02"]) == EXIT_OK
    assert "created" in capsys.readouterr().out
    assert main(["validate", str(tmp_path / "budget-vote")]) == EXIT_OK
    assert main(["new", "budget-vote", "--text", str(source), "--dir", str(tmp_path)]) == EXIT_INVALID
    assert "already exists" in capsys.readouterr().err


def test_cli_new_refuses_an_impossible_date_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE)
    assert main(["new", "budget", "--text", str(source), "--dir", str(tmp_path), "--dct", "2024-13-45"]) == EXIT_INVALID
    assert capsys.readouterr().err == "corpuskit: error: 2024-13-45: is not a calendar date (month must be in 1..12)\n"
    assert not (tmp_path / "budget").exists()
