from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from corpuskit.errors import InputError
from corpuskit.formats.frames import COLUMNS, from_frames, read_csv, to_frames, write_csv
from corpuskit.model import Document
from tests.strategies import documents

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


def test_one_frame_per_layer_with_the_documented_columns(gold: Document) -> None:
    frames = to_frames(gold)
    assert set(frames) == set(COLUMNS)
    for name, frame in frames.items():
        assert tuple(frame.columns) == COLUMNS[name]
    assert len(frames["entities"]) == len(gold.entities)
    assert len(frames["mentions"]) == sum(len(c.mentions) for c in gold.clusters)


def test_gold_round_trips_through_frames_and_csv(gold: Document, tmp_path: Path) -> None:
    assert from_frames(to_frames(gold), gold.text, gold.id, dict(gold.metadata)) == gold
    written = write_csv(tmp_path, gold)
    assert all(p.parent == tmp_path for p in written)
    assert read_csv(tmp_path / gold.id) == gold


@SETTINGS
@given(documents())
def test_generated_documents_round_trip(tmp_path_factory: pytest.TempPathFactory, doc: Document) -> None:
    assert from_frames(to_frames(doc), doc.text, doc.id, dict(doc.metadata)) == doc
    stem = tmp_path_factory.mktemp("csv") / "doc"
    write_csv(stem, doc)
    # CSV has one empty cell for both "no note" and an empty note.
    expected = dataclasses.replace(doc, events=tuple(dataclasses.replace(e, note=e.note or None) for e in doc.events))
    assert read_csv(stem) == expected


def test_bad_csv_names_file_and_line(gold: Document, tmp_path: Path) -> None:
    write_csv(tmp_path / "g", gold)
    path = tmp_path / "g.entities.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace(f",{gold.entities[1].start},", ",x,", 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=re.escape("start 'x' is not an integer offset")) as info:
        read_csv(tmp_path / "g")
    assert info.value.path == str(path) and info.value.line == 3
