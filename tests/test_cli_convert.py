from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corpuskit.cli import EXIT_INVALID, EXIT_OK, main
from corpuskit.formats.registry import FORMATS
from corpuskit.model import Document

TEXT = "corpus/hanoi-summit-2019/text.txt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def output_for(fmt: str, folder: Path) -> Path:
    return (
        folder
        / {
            "json": "d.json",
            "jsonl": "d.jsonl",
            "brat": "brat/",
            "conll": "d.conll",
            "spacy": "d.spacy",
            "labelstudio": "tasks.json",
            "doccano": "d.doccano.jsonl",
            "csv": "csv/",
        }[fmt]
    )


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_load_exports_every_format_and_convert_reads_it_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, gold: Document, fmt: str
) -> None:
    layers = FORMATS[fmt].carries
    target = output_for(fmt, tmp_path)
    slash = "/" if fmt in ("brat", "csv") else ""  # a trailing slash means "this folder"
    code, _, err = run(capsys, "load", gold.id, "--format", fmt, "--layers", layers, "-o", f"{target}{slash}")
    assert code == EXIT_OK, err
    source = target / gold.id if fmt in ("brat", "csv") else target
    back = tmp_path / "back.json"
    text = ["--text", str(Path(__file__).parents[1] / TEXT)] if fmt in ("conll", "labelstudio", "doccano") else []
    code, _, err = run(capsys, "convert", str(source), str(back), "--from", fmt, *text)
    assert code == EXIT_OK, err
    data = json.loads(back.read_text())
    ours = gold.to_dict()
    assert data["text"] == ours["text"]
    assert [(e["start"], e["end"], e["label"]) for e in data["entities"]] == [
        (e["start"], e["end"], e["label"]) for e in ours["entities"]
    ]
    if layers == FORMATS["json"].carries:
        assert data == ours


def test_layers_not_carried_are_named_on_stderr(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "load", "hanoi-summit-2019", "-f", "doccano", "-o", str(tmp_path / "d.jsonl"))
    assert code == EXIT_OK
    assert err.startswith("corpuskit: warning: doccano cannot carry sections (")


def test_asking_for_a_layer_a_format_cannot_hold_fails_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys,
        "load",
        "hanoi-summit-2019",
        "-f",
        "conll",
        "--layers",
        "entities,quotes",
        "-o",
        str(tmp_path / "x.conll"),
    )
    assert code == EXIT_INVALID and "CoNLL cannot carry quotes" in err
    assert list(tmp_path.iterdir()) == []


def test_json_with_layers_keeps_only_those(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "load", "hanoi-summit-2019", "-f", "json", "--layers", "entities")
    data = json.loads(out)
    assert code == EXIT_OK and data["entities"] and data["quotes"] == [] and data["clusters"] == []
    assert all(e["cluster"] is None for e in data["entities"])


def test_convert_guesses_formats_from_names(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "load", "hanoi-summit-2019", "-f", "json", "-o", str(tmp_path / "g.json"))[0] == EXIT_OK
    assert run(capsys, "convert", str(tmp_path / "g.json"), str(tmp_path / "g.spacy"))[0] == EXIT_OK
    assert run(capsys, "convert", str(tmp_path / "g.spacy"), str(tmp_path / "b/"), "--to", "brat")[0] == EXIT_OK
    assert run(capsys, "convert", str(tmp_path / "b"), str(tmp_path / "h.json"))[0] == EXIT_OK
    assert (tmp_path / "h.json").read_text() == (tmp_path / "g.json").read_text()


def test_malformed_input_fails_in_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("Kim met Trump in Hanoi.")
    (tmp_path / "a.ann").write_text("T1\tPERSON 0 3\tKim\nT2\tPERSON 8 13\tTrumb\n")
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, err = run(capsys, "convert", str(tmp_path / "a.ann"), str(out / "a.json"))
    assert code == EXIT_INVALID and stdout == ""
    assert err.count("\n") == 1 and f"{tmp_path / 'a.ann'}:2: T2: text 'Trumb'" in err
    assert list(out.iterdir()) == []


def test_unknown_format_asks_for_from(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "x.weird").write_text("x")
    code, _, err = run(capsys, "convert", str(tmp_path / "x.weird"), str(tmp_path / "y.json"))
    assert code == EXIT_INVALID and "give --from FORMAT" in err


def test_multi_file_formats_refuse_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "load", "hanoi-summit-2019", "-f", "brat")
    assert code == EXIT_INVALID and "give -o PATH" in err


def test_convert_has_help_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["convert", "--help"])
    assert "examples:" in capsys.readouterr().out


def test_listing_formats_imports_nothing_heavy() -> None:
    script = (
        "import sys; from corpuskit.cli import build_parser; build_parser();"
        "print(','.join(sorted({'spacy', 'pandas', 'dataclasses'} & set(sys.modules))))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "spacy" not in out and "pandas" not in out
