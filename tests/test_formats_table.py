"""``docs/formats.md``'s table of what each format carries, checked against the formats themselves.

For each row the gold document is written in the format and read back (the whole command path,
``registry.write`` then ``registry.read``), and each cell must say what survived: ``yes`` the
layer comes back equal, ``–`` it comes back empty, anything else (``span + label``, ``label
only``) the spans come back but not everything else; the ids column says whether ids survive.
Inline markup is not a file format (no ``--format``); ``test_formats_markup.py`` covers it.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from pathlib import Path

import pytest

from corpuskit.formats import registry
from corpuskit.formats.base import LayerNotCarriedWarning
from corpuskit.model import Document

DOC = Path(__file__).resolve().parents[1] / "docs" / "formats.md"
LAYER_COLUMNS = ("sections", "entities", "clusters", "quotes", "events", "timexes")


def table() -> dict[str, dict[str, str]]:
    """Rows of the table, keyed by each ``--format`` name the first cell lists."""
    section = DOC.read_text().split("## What each format carries", 1)[1]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows: dict[str, dict[str, str]] = {}
    for line in lines[2:]:
        cells = dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for name in re.findall(r"`([a-z]+)`", cells["format (`--format`)"]):
            rows[name] = cells
    return rows


ROWS = table()


def test_the_table_names_every_format() -> None:
    assert set(registry.FORMATS) <= set(ROWS)


@pytest.fixture(scope="module")
def rich(gold: Document) -> Document:
    """The gold, with a time expression that has a ``mod`` and an ``anchor`` too (the gold has none)."""
    first, *rest = gold.timexes
    return dataclasses.replace(
        gold, timexes=(dataclasses.replace(first, mod="APPROX", anchor=gold.events[0].id), *rest)
    )


def round_trip(name: str, gold: Document, folder: Path) -> Document:
    target = folder / ("out/" if name == "brat" else f"out.{name}")
    if name == "csv":
        target = folder / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerNotCarriedWarning)
        registry.write(name, str(target), [gold])
    [back] = registry.read(name, target, gold.text)
    return back


def spans(doc: Document, layer: str) -> list[tuple[int, int]]:
    items = doc.layer(layer)
    out = []
    for item in items:
        span = getattr(item, "content", None) or getattr(item, "trigger", None) or item
        out.append((span.start, span.end))
    return sorted(out)


@pytest.mark.parametrize("name", sorted(registry.FORMATS))
def test_each_cell_says_what_a_round_trip_keeps(name: str, rich: Document, tmp_path: Path) -> None:
    row, gold = ROWS[name], rich
    back = round_trip(name, gold, tmp_path)
    for layer in LAYER_COLUMNS:
        cell = row[layer]
        theirs, ours = back.layer(layer), gold.layer(layer)
        if cell == "yes":
            assert theirs == ours, f"{name}: the table says {layer} come back whole"
        elif cell == "–":
            assert not theirs, f"{name}: the table says {layer} are not carried, yet some came back"
        else:
            assert spans(back, layer) == spans(gold, layer), f"{name}: {layer} spans should come back ({cell})"
            assert theirs != ours, f"{name}: {layer} come back whole; the table says only {cell!r}"
    ids = row["ids"]
    same_ids = [e.id for e in back.entities] == [e.id for e in gold.entities]
    if ids.startswith("yes"):
        assert same_ids, f"{name}: the table says ids survive"
    else:
        numbered = [f"T{n}" for n in range(1, len(back.entities) + 1)]
        assert ids == "renumbered" and [e.id for e in back.entities] == numbered, f"{name}: ids column {ids!r}"
    left_out = row["left out"]
    if left_out.startswith("nothing"):
        assert back.entities == gold.entities and back.clusters == gold.clusters
    if "cluster links" in left_out:
        assert all(e.cluster is None for e in back.entities)
    if "roles" in left_out:
        assert all(e.role is None for e in back.entities)


def test_id_and_metadata_travel_in_every_format_but_conll(gold: Document, tmp_path: Path) -> None:
    sentence = DOC.read_text().split("Document id and metadata travel in every format except ", 1)[1]
    assert sentence.startswith("CoNLL and inline markup")
    for name in sorted(registry.FORMATS):
        (tmp_path / name).mkdir()
        back = round_trip(name, gold, tmp_path / name)
        kept = (back.id, dict(back.metadata)) == (gold.id, dict(gold.metadata))
        assert kept == (name != "conll"), name
