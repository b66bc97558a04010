"""The class annotation sprint on 30 synthetic annotators with planted disagreements.

The class annotates the lede (S2), whose gold has eight entities. Planted:

- a convention split: 15 students include the article in "the Democratic People's Republic
  of Korea", 14 leave it out (the careless one marks nothing there);
- a label confusion: 10 students call "DPRK" an ORG instead of a GPE;
- a careless annotator (the 30th) who marks four spans, three of them wrong.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import krippendorff
import numpy as np
import pytest

import corpuskit
from corpuskit.annotate.model import AnnotationState
from corpuskit.evaluate.run import evaluate_files
from corpuskit.formats.brat import write_brat
from corpuskit.formats.markup import to_markup
from corpuskit.model import Document, Entity
from corpuskit.sprint.adjudicate import Adjudication, AdjudicationError
from corpuskit.sprint.collect import POOL_FILE, Pool, Submission, collect, collect_to, read_pool
from corpuskit.sprint.measure import fleiss_kappa, gold_spans, krippendorff_alpha, measure, token_table
from corpuskit.sprint.report import HEATMAP_FILE, HISTOGRAM_FILE, REPORT_FILE, markdown, write_report

DOC = corpuskit.load("hanoi-summit-2019")
S2 = next((s.start, s.end) for s in DOC.sections if s.id == "S2")
GOLD = gold_spans(DOC, S2)
CLASS_SIZE = 30
CARELESS = f"s{CLASS_SIZE:02d}"


def _at(text: str, label: str) -> tuple[int, int, str]:
    """The first occurrence of ``text`` in S2 as a span."""
    start = DOC.text.index(text, S2[0])
    return (start, start + len(text), label)


LONG_NAME = _at("the Democratic People's Republic of Korea", "GPE")
SHORT_NAME = _at("Democratic People's Republic of Korea", "GPE")
DPRK = _at("DPRK", "GPE")
DPRK_ORG = _at("DPRK", "ORG")


def synthetic_class() -> dict[str, list[tuple[int, int, str]]]:
    """The 30 students' spans of S2, by name (s01 ... s30)."""
    assert LONG_NAME in GOLD and DPRK in GOLD and len(GOLD) == 8
    students: dict[str, list[tuple[int, int, str]]] = {}
    for n in range(1, CLASS_SIZE):
        spans = [t for t in GOLD if t not in (LONG_NAME, DPRK)]
        spans.append(LONG_NAME if n <= 15 else SHORT_NAME)
        spans.append(DPRK_ORG if n % 3 == 0 else DPRK)  # 9 of 29: n = 3, 6, ..., 27
        students[f"s{n:02d}"] = sorted(spans)
    students["s02"] = sorted([t for t in students["s02"] if t != DPRK] + [DPRK_ORG])  # the 10th ORG
    students[CARELESS] = sorted(
        [_at("Kim", "PERSON"), _at("Donald Trump", "ORG"), _at("summit", "EVENT"), _at("Thursday", "DATE")]
    )
    return students


def as_pool(students: dict[str, list[tuple[int, int, str]]]) -> Pool:
    submissions = tuple(Submission(name, f"{name}.json", tuple(spans)) for name, spans in sorted(students.items()))
    return Pool(DOC.id, DOC.text, S2, "S2", submissions)


def student_doc(spans: list[tuple[int, int, str]]) -> Document:
    entities = tuple(Entity(f"T{n}", s, e, DOC.text[s:e], label) for n, (s, e, label) in enumerate(spans, start=1))
    return Document(DOC.id, DOC.text, dict(DOC.metadata), entities=entities)


# Measures ----------------------------------------------------------------------------------


def test_alpha_equals_the_krippendorff_package_on_the_same_tokens() -> None:
    pool = as_pool(synthetic_class())
    table = token_table(pool)
    codes = {label: i for i, label in enumerate(sorted({v for row in table for v in row}))}
    data = np.array([[codes[row[j]] for row in table] for j in range(CLASS_SIZE)], dtype=float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    result = measure(pool)
    assert result.alpha == pytest.approx(expected, abs=1e-12)
    assert 0.80 < result.alpha < 0.95  # planted disagreements lower it, most tokens agree
    for label, alpha in result.alpha_by_label:
        binary = np.where(data == codes[label], 1.0, 0.0)
        assert alpha == pytest.approx(krippendorff.alpha(reliability_data=binary, level_of_measurement="nominal"))


def test_fleiss_kappa_matches_the_textbook_example_and_tracks_alpha() -> None:
    # Fleiss (1971) as reproduced on Wikipedia: 10 subjects, 14 raters, 5 categories, kappa 0.210.
    rows = [
        (0, 0, 0, 0, 14),
        (0, 2, 6, 4, 2),
        (0, 0, 3, 5, 6),
        (0, 3, 9, 2, 0),
        (2, 2, 8, 1, 1),
        (7, 7, 0, 0, 0),
        (3, 2, 6, 3, 0),
        (2, 5, 3, 2, 2),
        (6, 5, 2, 1, 0),
        (0, 2, 2, 3, 7),
    ]
    units = [{str(j): k for j, k in enumerate(row) if k} for row in rows]
    assert fleiss_kappa(units) == pytest.approx(0.2099, abs=1e-4)
    result = measure(as_pool(synthetic_class()))
    # With 30 coders and every token coded by all, kappa and alpha differ by O(1/n) only.
    assert result.kappa == pytest.approx(result.alpha, abs=0.01)
    assert result.kappa < result.alpha  # alpha's small-sample correction raises it


def test_per_label_alpha_shows_where_the_planted_disagreements_are() -> None:
    by_label = dict(measure(as_pool(synthetic_class())).alpha_by_label)
    assert by_label["ORG"] < 0.6  # the label confusion: ORG is nearly all disagreement
    assert by_label["NORP"] > 0.95 and by_label["ORDINAL"] > 0.95  # only the careless one differs there
    assert by_label["GPE"] < by_label["DATE"]


def test_ranking_puts_the_planted_spans_on_top_and_the_careless_annotator_last() -> None:
    result = measure(as_pool(synthetic_class()))
    first, second = result.sites[:2]
    assert (first.start, first.end) == LONG_NAME[:2]
    assert first.readings[0][1] == 15 and first.split == pytest.approx(0.5)
    assert (second.start, second.end) == DPRK[:2]
    assert dict(second.readings)[(DPRK_ORG,)] == 10 and second.split == pytest.approx(
        11 / 30
    )  # 19 GPE, 10 ORG, 1 nothing
    assert all(site.split < 0.05 for site in result.sites[2:])
    worst = min(range(CLASS_SIZE), key=lambda i: result.versus_majority[i])
    assert result.students[worst] == CARELESS
    assert result.versus_majority[worst] == pytest.approx(2 / 11)  # Thursday: 1 of its 4, of the 7 of the majority
    assert sorted(result.versus_majority)[1] == pytest.approx(0.8)  # DPRK an ORG: 6 of 8 against 7
    assert LONG_NAME not in result.majority and SHORT_NAME not in result.majority  # 15 of 30 is no majority


def test_gold_scores_on_request() -> None:
    pool = as_pool(synthetic_class())
    assert measure(pool).versus_gold is None
    result = measure(pool, DOC)
    assert result.versus_gold is not None
    assert result.versus_gold[0] == pytest.approx(1.0)  # s01: the article in, DPRK a GPE
    assert result.versus_gold[result.students.index(CARELESS)] == pytest.approx(1 / 6)  # Thursday only


def test_pairwise_matrix_is_symmetric_with_a_unit_diagonal() -> None:
    matrix = measure(as_pool(synthetic_class())).pairwise
    assert len(matrix) == CLASS_SIZE
    for i, row in enumerate(matrix):
        assert row[i] == 1.0
        assert all(row[j] == pytest.approx(matrix[j][i]) for j in range(CLASS_SIZE))


def test_small_alpha_by_hand() -> None:
    assert krippendorff_alpha([["a", "a"], ["b", "b"], ["a", "b"]]) == pytest.approx(4 / 9)
    assert krippendorff_alpha([["a", "a", "a"]] * 3) == 1.0


# Collecting --------------------------------------------------------------------------------


def write_sources(folder: Path, students: dict[str, list[tuple[int, int, str]]]) -> dict[str, list[Path]]:
    """The same annotations as every kind of submission the sprint reads."""
    widget, notebooks, brat = folder / "widget", folder / "notebooks", folder / "brat"
    for sub in (widget, notebooks, brat):
        sub.mkdir(parents=True)
    tasks: list[dict[str, object]] = [{"id": 1, "data": {"text": DOC.text}, "annotations": []}]
    for number, (name, spans) in enumerate(sorted(students.items()), start=1):
        state = AnnotationState(DOC.text, "entities", passage=S2)
        for start, end, label in spans:
            assert state.add(start, end, label).ok
        state.save(widget / f"{name}.json")
        markup = to_markup(student_doc(spans), *S2)
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
        notebook = {
            "cells": [
                {**cell, "source": ["import corpuskit\n"]},
                {**cell, "source": [f"sprint_markup = {markup!r}\n"]},
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        (notebooks / f"{name}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
        write_brat(brat / name, student_doc(spans))
        result = [
            {
                "id": f"r{i}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": s, "end": e, "text": DOC.text[s:e], "labels": [label]},
            }
            for i, (s, e, label) in enumerate(spans)
        ]
        tasks[0]["annotations"].append({"id": number, "completed_by": {"email": name}, "result": result})  # type: ignore[attr-defined]
    export = folder / "export.json"
    export.write_text(json.dumps(tasks), encoding="utf-8")
    return {
        "widget": sorted(widget.glob("*.json")),
        "notebooks": sorted(notebooks.glob("*.ipynb")),
        "labelstudio": [export],
        "brat": [brat],
    }


def test_every_source_format_yields_the_same_pool(tmp_path: Path) -> None:
    students = synthetic_class()
    sources = write_sources(tmp_path, students)
    key = b"the same key"
    pooled = {}
    for kind, paths in sources.items():
        pool, mapping = collect(paths, DOC, S2, key=key)
        assert pool.problems == (), kind
        pooled[kind] = {mapping[s.student]: list(s.spans) for s in pool.submissions}
        assert set(mapping) == set(pool.students)
    assert pooled["widget"] == students
    for kind in ("notebooks", "labelstudio", "brat"):
        assert pooled[kind] == pooled["widget"], kind


def test_problems_are_reported_not_dropped(tmp_path: Path) -> None:
    students = synthetic_class()
    sources = write_sources(tmp_path, dict(list(students.items())[:3]))
    extra = tmp_path / "late"
    extra.mkdir()
    empty = AnnotationState(DOC.text, "entities", passage=S2)
    empty.save(extra / "s04.json")
    elsewhere = AnnotationState(DOC.text, "entities")
    hanoi = DOC.text.index("Hanoi")  # in the headline, outside S2
    elsewhere.add(hanoi, hanoi + 5, "GPE")
    elsewhere.save(extra / "s05.json")
    broken = extra / "s06.json"
    broken.write_text("{not json", encoding="utf-8")
    again = tmp_path / "again" / "s01.json"
    again.parent.mkdir()
    shutil.copy(sources["widget"][0], again)
    paths = [*sources["widget"], extra / "s04.json", extra / "s05.json", broken, again]
    pool, mapping = collect(paths, DOC, S2, key=b"k")
    kinds = Counter(p.kind for p in pool.problems)
    assert kinds == Counter({"empty": 1, "off-passage": 1, "unreadable": 1, "duplicate": 1})
    named = {p.kind: mapping.get(p.student, "") for p in pool.problems}
    assert named == {"empty": "s04", "off-passage": "s05", "unreadable": "", "duplicate": "s01"}
    assert sorted(mapping[s] for s in pool.students) == ["s01", "s02", "s03"]
    assert str(broken) in next(p.line() for p in pool.problems if p.kind == "unreadable")


def test_pseudonyms_are_stable_and_names_stay_in_the_instructor_folder(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "in", synthetic_class())
    out = tmp_path / "sprint"
    first = collect_to(sources["widget"], DOC, S2, out, section="S2")
    second = collect_to(sources["notebooks"], DOC, S2, out, section="S2")
    assert first.students == second.students
    shown = (out / POOL_FILE).read_text(encoding="utf-8")
    assert not any(f"s{n:02d}" in shown for n in range(1, CLASS_SIZE + 1))
    assert all(s.startswith("student-") for s in first.students)
    mapping = (out / "instructor" / "pseudonyms.csv").read_text(encoding="utf-8")
    assert mapping.count("\n") == CLASS_SIZE + 1 and "s30" in mapping
    assert read_pool(out, DOC).submissions == tuple(dataclasses.replace(s, source="") for s in second.submissions)


def test_a_skipped_label_studio_annotation_is_reported_as_empty(tmp_path: Path) -> None:
    students = dict(list(synthetic_class().items())[:3])
    export = write_sources(tmp_path, students)["labelstudio"][0]
    tasks = json.loads(export.read_text(encoding="utf-8"))
    tasks[0]["annotations"][2]["was_cancelled"] = True
    export.write_text(json.dumps(tasks), encoding="utf-8")
    pool, mapping = collect([export], DOC, S2, key=b"k")
    assert sorted(mapping[s] for s in pool.students) == ["s01", "s02"]
    assert [(p.kind, mapping[p.student]) for p in pool.problems] == [("empty", "s03")]


def test_students_are_named_by_folder_when_every_file_has_the_same_name(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "in", dict(list(synthetic_class().items())[:2]))
    paths = []
    for name, source in (("alice", sources["widget"][0]), ("bob", sources["widget"][1])):
        target = tmp_path / "submitted" / name / "lesson2.json"
        target.parent.mkdir(parents=True)
        shutil.copy(source, target)
        paths.append(target)
    pool, mapping = collect(paths, DOC, S2, key=b"k")
    assert sorted(mapping.values()) == ["alice", "bob"] and pool.problems == ()


# Report and adjudication ----------------------------------------------------------------------


def test_report_writes_markdown_and_pngs(tmp_path: Path) -> None:
    pool = as_pool(synthetic_class())
    result = measure(pool, DOC)
    paths = write_report(pool, result, tmp_path)
    assert [p.name for p in paths] == [REPORT_FILE, HEATMAP_FILE, HISTOGRAM_FILE]
    for png in paths[1:]:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = (tmp_path / REPORT_FILE).read_text(encoding="utf-8")
    assert f"| Krippendorff's alpha (tokens, nominal) | {result.alpha:.3f} |" in text
    assert '1. "the Democratic People\'s Republic of Korea"' in text
    assert "15 × [the Democratic People's Republic of Korea](GPE)" in text
    lowest = text.split("lowest agreement with the majority first")[1].splitlines()[4]
    assert lowest.startswith(f"| {CARELESS} | 0.182 |")
    assert text == markdown(pool, result)


def test_adjudication_saves_decisions_with_votes_and_evaluates(tmp_path: Path) -> None:
    pool = as_pool(synthetic_class())
    adjudication = Adjudication(pool, measure(pool))
    assert adjudication.undecided == [1]  # 15 against 14: no majority for the country's name
    with pytest.raises(AdjudicationError, match="readings 1 to 3"):
        adjudication.accept(1, 4)
    reading = next(i for i, (r, _) in enumerate(adjudication.site(1).readings, start=1) if r == (LONG_NAME,))
    adjudication.accept(1, reading)
    assert adjudication.undecided == []
    path = adjudication.save(tmp_path / "adjudicated.json", DOC)
    saved = json.loads(path.read_text(encoding="utf-8"))
    sites = saved["metadata"]["adjudication"]["sites"]
    assert sites[0]["decided_by"] == "accepted" and sites[0]["decision"] == [list(LONG_NAME)]
    assert [v["votes"] for v in sites[0]["votes"]] == [15, 14, 1]
    assert sites[1]["decided_by"] == "majority" and [v["votes"] for v in sites[1]["votes"]] == [19, 10, 1]
    assert sorted(tuple(e[k] for k in ("start", "end", "label")) for e in saved["entities"]) == sorted(GOLD)
    result = evaluate_files(DOC.id, path)
    # The whole article is scored: S2's eight are correct, nothing is spurious, the rest missed.
    assert result.strict.total.correct == 8 and result.strict.total.spurious == 0


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    out = tmp_path / "sprint"
    out.mkdir()
    (out / POOL_FILE).write_text(json.dumps({"document": DOC.id, "passage": [0, 5]}), encoding="utf-8")
    lonely = write_sources(tmp_path / "in", dict(list(synthetic_class().items())[:1]))["widget"]
    for args in (
        ["sprint", "report", str(out)],
        ["sprint", "collect", *map(str, lonely), "--document", DOC.id, "--passage", "S99", "--out", str(out)],
    ):
        done = subprocess.run([sys.executable, "-m", "corpuskit", *args], capture_output=True, text=True, check=False)
        assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
        assert "internal error" not in done.stderr
    solo = tmp_path / "solo"
    collect_to(lonely, DOC, S2, solo)
    done = subprocess.run(
        [sys.executable, "-m", "corpuskit", "sprint", "report", str(solo)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1 and "at least two students; the pool has 1" in done.stderr


def test_cli_runs_a_sprint_end_to_end(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "in", synthetic_class())
    out = tmp_path / "sprint"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "corpuskit", *args], capture_output=True, text=True, check=False, cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
        return done

    notebooks = [str(p) for p in sources["notebooks"]]
    collected = run("sprint", "collect", *notebooks, "--document", DOC.id, "--passage", "S2", "--out", str(out))
    assert "pooled 30 student(s)" in collected.stdout
    run("sprint", "report", str(out), "--gold")
    assert (out / REPORT_FILE).is_file() and (out / HEATMAP_FILE).is_file()
    adjudicated = tmp_path / "adjudicated.json"
    done = run("sprint", "adjudicate", str(out), "--accept", "1=2", "--out", str(adjudicated))
    assert "site 1: accepted" in done.stdout
    # Reading 2 of site 1 leaves the article out: the other seven spans are the gold's.
    assert "against the gold in the passage: 7 of 8 gold spans, 8 decided, F1 0.875" in done.stdout
    scored = run("evaluate", DOC.id, str(adjudicated))
    assert "PERSON" in scored.stdout
