from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from corpuskit import cli
from corpuskit.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, main
from tests.conftest import WriteDoc


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_the_article(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == EXIT_OK
    assert "hanoi-summit-2019  2019-02-28  Kim, Trump end second summit without deal in Hanoi" in out


def test_load_summary_has_title_sections_and_counts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "load", "hanoi-summit-2019")
    assert code == EXIT_OK
    assert out.startswith("Kim, Trump end second summit without deal in Hanoi\n")
    assert "sections      24  paragraph 21, caption 1, headline 1, lede 1" in out
    for layer in ("entities", "clusters", "quotes", "events", "timexes"):
        assert f"\n{layer:<10} " in out


def test_load_json_prints_the_contract_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "load", "hanoi-summit-2019", "--format", "json")
    data = json.loads(out)
    assert code == EXIT_OK
    assert data["id"] == "hanoi-summit-2019"
    assert data["metadata"]["creation_time"] == "2019-02-28"
    assert len(data["text"]) == 3995
    for key in ("entities", "clusters", "quotes", "events", "timexes", "sections"):
        assert isinstance(data[key], list)


def test_load_output_file_is_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    code, out, _ = run(capsys, "load", "hanoi-summit-2019", "-f", "json", "-o", str(target))
    assert code == EXIT_OK and out == ""
    assert json.loads(target.read_text())["id"] == "hanoi-summit-2019"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


def test_invalid_document_writes_nothing_and_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], write_doc: WriteDoc, small_data: dict[str, Any], tmp_path: Path
) -> None:
    small_data["entities"][0]["text"] = "Kin"
    folder = write_doc(small_data)
    target = tmp_path / "out.json"
    code, out, err = run(capsys, "load", str(folder), "-f", "json", "-o", str(target))
    assert code == EXIT_INVALID
    assert not target.exists() and out == ""
    assert err.count("\n") == 1 and err.startswith("corpuskit: error: ") and "'Kin'" in err


def test_unknown_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "load", "nope")
    assert code == EXIT_INVALID
    assert "no document or folder 'nope'" in err


def test_unwritable_output_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "load", "hanoi-summit-2019", "-o", str(tmp_path / "missing" / "x.txt"))
    assert code == EXIT_INVALID and err.count("\n") == 1


def test_validate_prints_every_problem(
    capsys: pytest.CaptureFixture[str], write_doc: WriteDoc, small_data: dict[str, Any]
) -> None:
    small_data["entities"][0]["label"] = "PERSN"
    small_data["entities"][1]["cluster"] = "nobody"
    folder = write_doc(small_data)
    code, out, _ = run(capsys, "validate", str(folder))
    assert code == EXIT_INVALID
    lines = out.strip().splitlines()
    assert len(lines) == 1  # schema errors are reported before semantic checks run
    assert "entities[0].label" in lines[0]
    small_data["entities"][0]["label"] = "PERSON"
    (folder / "annotations.json").write_text(json.dumps(small_data))
    code, out, _ = run(capsys, "validate", str(folder))
    assert code == EXIT_INVALID and "entities[1].cluster: refers to cluster 'nobody'" in out


def test_validate_shipped_corpus(capsys: pytest.CaptureFixture[str], gold_folder: Path) -> None:
    code, out, _ = run(capsys, "validate", str(gold_folder))
    assert code == EXIT_OK
    assert f"{gold_folder / 'annotations.json'}: ok" in out


def test_validate_reports_unreadable_json(capsys: pytest.CaptureFixture[str], write_doc: WriteDoc) -> None:
    folder = write_doc(b"{nope")
    code, out, _ = run(capsys, "validate", str(folder))
    assert code == EXIT_INVALID and "annotations.json:1: invalid JSON" in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["load"])
    assert info.value.code == EXIT_USAGE


def test_every_command_has_help_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("list", "load", "validate"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "examples:" in capsys.readouterr().out


def test_load_json_imports_nothing_heavy() -> None:
    script = (
        "import sys; from corpuskit.cli import main; main(['load', 'hanoi-summit-2019', '-f', 'json', '-o', '/dev/null']);"
        "heavy = sorted({'spacy', 'pandas', 'nbformat', 'nbclient', 'jsonschema', 'numpy'} & set(sys.modules));"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


# Commands never crash or mislead: one line for every failure, warnings kept.


def test_an_unexpected_exception_is_one_line_asking_for_a_bug_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "_cmd_list", broken)
    monkeypatch.delenv(cli.DEBUG_VARIABLE, raising=False)
    code, out, err = run(capsys, "list", "--paths")
    assert code == EXIT_INVALID and out == ""
    assert err.count("\n") == 1
    assert err.startswith(
        "corpuskit: error: internal error in 'corpuskit list --paths': RuntimeError: boom second line;"
    )
    assert "please report it" in err
    monkeypatch.setenv(cli.DEBUG_VARIABLE, "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["list"])


def test_warnings_are_printed_when_the_command_then_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "eng.conll"
    source.write_text("-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\n\n-DOCSTART- -X- -X- O\n\nPeter NNP B-NP I-PER\n")
    code, _, err = run(capsys, "convert", str(source), str(tmp_path / "out.json"))
    assert code == EXIT_INVALID
    warning, error = err.splitlines()
    assert warning == f"corpuskit: warning: {source}: CoNLL labels read as OntoNotes labels: PER as PERSON (1)"
    assert error.startswith("corpuskit: error: ") and "one document" in error
    assert not (tmp_path / "out.json").exists()


def test_a_failed_write_names_the_users_path_not_a_temporary_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "hanoi.json"
    code, _, err = run(capsys, "load", "hanoi-summit-2019", "-f", "json", "-o", str(target))
    assert code == EXIT_INVALID
    assert err == f"corpuskit: error: {target}: No such file or directory\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("just words\n", "article.txt:1: invalid JSON: Expecting value (column 1)"),
        ('{"a": 1}', "is JSON but not a corpuskit annotations file (found an object without 'id' or 'metadata')"),
        ("[1, 2]", "is JSON but not a corpuskit annotations file (found list)"),
    ],
)
def test_validate_says_what_a_file_is_not(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "article.txt"
    path.write_text(content)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == EXIT_INVALID
    assert out.count("\n") == 1 and message in out and "no document or folder" not in out


def test_validate_names_a_missing_file_and_a_missing_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", str(tmp_path / "absent.json"))
    assert code == EXIT_INVALID and out == f"{tmp_path / 'absent.json'}: no such file or folder\n"
    lone = tmp_path / "lone.json"
    lone.write_text(json.dumps({"id": "x", "metadata": {"title": "t"}}))
    code, out, _ = run(capsys, "validate", str(lone))
    assert code == EXIT_INVALID and out == f"{lone}: has no text.txt beside it to check its offsets against\n"
