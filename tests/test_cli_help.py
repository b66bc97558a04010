"""The command line as people meet it: ``corpuskit --help``, each command's help and examples, ``--version``."""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys

import pytest

import corpuskit
from corpuskit.cli import build_parser, main

ANSI = re.compile(r"\x1b\[")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _summaries() -> dict[str, str]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help or "" for choice in action._choices_actions}


def _examples(sub: argparse.ArgumentParser) -> list[str]:
    epilog = sub.epilog or ""
    return [line.strip() for line in epilog.split("examples:", 1)[-1].splitlines() if line.strip()]


def test_every_command_is_listed_with_a_one_line_purpose(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    summaries = _summaries()
    assert set(summaries) == set(_commands())
    for name, summary in summaries.items():
        assert summary and "\n" not in summary and summary.endswith("."), f"{name}: {summary!r}"
        assert re.search(rf"^\s+{name}\s+\S", out, re.M), f"'corpuskit --help' does not list {name}"
    assert "exit status" in out


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_examples_that_parse(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    sub = _commands()[name]
    assert (sub.epilog or "").startswith("examples:\n"), f"'corpuskit {name} --help' has no examples"
    examples = _examples(sub)
    assert examples
    for example in examples:
        words = shlex.split(example, comments=True)
        # Shell redirections and pipes are not the command's arguments.
        cut = next((i for i, word in enumerate(words) if word[:1] in (">", "|")), len(words))
        words = words[:cut]
        assert words[:2] == ["corpuskit", name], example
        try:
            build_parser().parse_args(words[1:])
        except SystemExit:
            pytest.fail(f"the example {example!r} does not parse: {capsys.readouterr().err}")
    with pytest.raises(SystemExit):
        main([name, "--help"])
    assert "examples:" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"corpuskit {corpuskit.__version__}"


def test_no_colour_codes_when_not_on_a_terminal() -> None:
    for argv in (["--help"], ["list"], ["load", "hanoi-summit-2019"], ["validate", "-q", "corpus/hanoi-summit-2019"]):
        done = subprocess.run([sys.executable, "-m", "corpuskit", *argv], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert not ANSI.search(done.stdout + done.stderr), argv


def test_tables_are_aligned() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "corpuskit", "load", "hanoi-summit-2019"], capture_output=True, text=True
    ).stdout
    rows = [
        line for line in out.splitlines() if re.match(r"^(sections|entities|clusters|quotes|events|timexes) ", line)
    ]
    assert len(rows) == 6
    assert len({re.match(r"^\S+\s+\d+", row).end() for row in rows}) == 1, rows  # type: ignore[union-attr]


def test_help_starts_without_heavy_imports() -> None:
    script = (
        "import sys; from corpuskit.cli import build_parser; build_parser().format_help();"
        "print(','.join(sorted({'spacy', 'pandas', 'nbformat', 'nbclient', 'jupyterlab', 'numpy'} & set(sys.modules))))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
