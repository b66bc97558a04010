from __future__ import annotations

import re
from pathlib import Path

import pytest

import corpuskit
from corpuskit.cli import EXIT_INVALID, EXIT_OK, main
from corpuskit.corpus import PATH_VARIABLE
from corpuskit.errors import InputError
from corpuskit.formats.brat import ACE_EVENT_TYPES, EXTENSION_EVENT_TYPES, annotation_conf
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


def test_new_writes_a_brat_folder_with_the_event_types_and_coreference(tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE)
    folder = new_document("budget-vote", source, tmp_path / "corpus")
    conf = (folder / "brat" / "annotation.conf").read_text()
    assert conf == annotation_conf(corpuskit.load(folder))  # what 'corpuskit load ID --format brat' writes
    events = conf.split("\n[events]\n")[1].split("\n[attributes]\n")[0]
    declared = {line.split("\t")[0] for line in events.splitlines() if "\t" in line}
    assert declared == {kind.replace(".", "_") for kind in (*ACE_EVENT_TYPES, *EXTENSION_EVENT_TYPES)}
    relations = conf.split("\n[relations]\n")[1].split("\n[events]\n")[0]
    assert re.search(r"^Coref\tArg1:[^,]*\bMention\b[^,]*\bPERSON\b.*<REL-TYPE>:symmetric-transitive$", relations, re.M)
    assert (folder / "brat" / "budget-vote.txt").read_text() == ARTICLE


def test_coreference_drawn_in_brat_as_the_guide_says_comes_back_as_a_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/annotate.md: mark the entity, mark each mention as a Mention with its Form, link them with
    Coref (one link to the entity types the chain). These are the lines brat saves for that."""
    text = "Budget passes\nMayor Ruth Okafor said she was pleased.\n"
    source = tmp_path / "article.txt"
    source.write_text(text)
    folder = new_document("budget-vote", source, tmp_path / "corpus")
    name, pronoun = text.index("Ruth Okafor"), text.index("she")
    with (folder / "brat" / "budget-vote.ann").open("a") as ann:
        ann.write(
            f"T10\tPERSON {name} {name + 11}\tRuth Okafor\n"
            f"T11\tMention {name} {name + 11}\tRuth Okafor\n"
            f"T12\tMention {pronoun} {pronoun + 3}\tshe\n"
            "A1\tForm T11 name\n"
            "A2\tForm T12 pronoun\n"
            "*\tCoref T11 T12\n"
            "*\tCoref T10 T11\n"
        )
    assert main(["import", str(folder), str(folder / "brat" / "budget-vote.ann")]) == EXIT_OK
    capsys.readouterr()
    monkeypatch.setenv(PATH_VARIABLE, str(folder.parent))
    doc = corpuskit.load("budget-vote")
    (cluster,) = doc.clusters
    assert (cluster.name, cluster.type) == ("Ruth Okafor", "PERSON")
    assert [(m.text, m.form) for m in cluster.mentions] == [("Ruth Okafor", "name"), ("she", "pronoun")]
    assert [(e.text, e.cluster) for e in doc.entities] == [("Ruth Okafor", cluster.id)]
    assert len(doc.sections) == 2
