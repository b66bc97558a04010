"""Expected answers of lesson 6, computed in the grader's process (never in the kernel).

Question 1 is a ``calls`` question: ``matching_inputs`` makes pairs of span lists from the
held-out texts, and ``matching_reference`` gives corpuskit's counts for each. The pairs are a
rule system's entities on each held-out text against perturbed copies of them (shifted and cut
boundaries, changed labels, split, dropped and added spans), so the held-out *gold* never enters
the student's kernel; only offsets and labels do, never the texts.

The other answers are computed with corpuskit's scorer here; the lesson builds them in the kernel
from the student's own matcher, where ``corpuskit.evaluate`` cannot be imported.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import corpuskit

HELDOUT = Path(__file__).resolve().parents[1] / "heldout"
# The type schema is not graded: its first round may choose between equally large sets of
# same-label pairs, and the choice changes the second round's count.
SCHEMAS = ("strict", "exact", "partial")
# Perturbed copies of each held-out text's spans: enough calls that the edge cases below, some of
# which a constant answer gets right, weigh little.
PERTURBATIONS = 3
LABELS = ("PERSON", "ORG", "GPE", "DATE", "NORP", "CARDINAL", "LOC", "TIME")
# Small cases where the pairing matters, or one side is empty.
EDGE_CASES = [
    ([], []),
    ([[0, 5, "ORG"]], []),
    ([], [[0, 5, "ORG"]]),
    ([[0, 10, "ORG"], [12, 20, "ORG"]], [[5, 15, "ORG"], [0, 4, "ORG"]]),
    ([[0, 10, "PERSON"], [0, 10, "PERSON"]], [[0, 10, "PERSON"], [0, 10, "ORG"]]),
    ([[0, 20, "GPE"]], [[0, 5, "GPE"], [6, 12, "GPE"], [14, 20, "ORG"]]),
    ([[3, 8, "DATE"], [9, 15, "TIME"]], [[3, 8, "TIME"], [9, 15, "DATE"]]),
]


def _b(doc: corpuskit.Document) -> corpuskit.Document:
    return corpuskit.load(doc.id, annotations="constructed_b.json")


def _spans(doc: corpuskit.Document) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.label) for e in doc.entities]


def _perturb(spans: list[tuple[int, int, str]], length: int, rng: random.Random) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        roll = rng.random()
        if roll < 0.5:
            out.append((start, end, label))
        elif roll < 0.6:
            out.append((start, end, rng.choice([lab for lab in LABELS if lab != label])))
        elif roll < 0.7 and end - start > 2:
            out.append((start + 1, end, label) if rng.random() < 0.5 else (start, end - 1, label))
        elif roll < 0.78:
            out.append((max(0, start - rng.randint(1, 6)), end, rng.choice(LABELS)))
        elif roll < 0.88 and end - start > 4:
            cut = rng.randint(start + 1, end - 2)
            out += [(start, cut, label), (cut + 1, end, label)]
        # else: dropped (a missed span)
    for _ in range(rng.randint(1, 3)):
        start = rng.randrange(0, max(1, length - 12))
        out.append((start, start + rng.randint(3, 12), rng.choice(LABELS)))
    rng.shuffle(out)
    return out


def matching_inputs(doc: corpuskit.Document) -> list[list[Any]]:
    from corpuskit.extract import extract

    inputs: list[list[Any]] = []
    folders = sorted(p for p in HELDOUT.iterdir() if (p / "text.txt").is_file()) if HELDOUT.is_dir() else []
    for number, folder in enumerate(folders):
        doc = corpuskit.load(folder)
        system = _spans(extract(doc.text, dct=doc.creation_time))
        for copy in range(PERTURBATIONS):
            perturbed = _perturb(system, len(doc.text), random.Random(number * PERTURBATIONS + copy))
            inputs += [[system, perturbed, schema] for schema in SCHEMAS]
    inputs += [[gold, pred, schema] for gold, pred in EDGE_CASES for schema in SCHEMAS]
    return inputs


def matching_reference(gold: list[Any], pred: list[Any], schema: str) -> dict[str, int]:
    from corpuskit.evaluate import evaluate_spans

    total = evaluate_spans([[tuple(s) for s in gold]], [[tuple(s) for s in pred]]).schema(schema).total
    return {
        "correct": total.correct,
        "incorrect": total.incorrect,
        "partial": total.partial,
        "missed": total.missed,
        "spurious": total.spurious,
    }


def schema_f1(doc: corpuskit.Document) -> dict[str, float]:
    from corpuskit.evaluate import score_spans

    result = score_spans(_spans(doc), _spans(_b(doc)))
    return {schema: result.schema(schema).f1 for schema in ("strict", "exact", "partial", "type")}


def agreement_scores(doc: corpuskit.Document) -> dict[str, float]:
    from corpuskit.evaluate import agreement

    result = agreement(doc, _b(doc), "entities")
    return {"f1": result.f1, "kappa": result.kappa.kappa, "kappa_marked": result.kappa_marked_only.kappa}


def confusion(doc: corpuskit.Document) -> dict[str, dict[str, int]]:
    from corpuskit.evaluate import confusion_table

    table = confusion_table([_spans(doc)], [_spans(_b(doc))])
    return {str(row): {str(col): int(table.loc[row, col]) for col in table.columns} for row in table.index}


def interval(doc: corpuskit.Document) -> dict[str, float]:
    from corpuskit.evaluate import bootstrap_entities

    result = bootstrap_entities([doc], [_b(doc)], schema="strict", resamples=1000, seed=0)
    return {"point": result.point, "low": result.low, "high": result.high}


def _label_f1(doc: corpuskit.Document, label: str) -> float:
    from corpuskit.evaluate import score_spans

    return score_spans(_spans(doc), _spans(_b(doc))).strict.by_label[label].f1


def one_document(doc: corpuskit.Document) -> dict[str, bool]:
    text = doc.text
    section = next(s for s in doc.sections if s.id == "S4")
    start = text.index("the White House", section.start)
    labels = {side: {(e.start, e.end): e.label for e in doc.entities} for side, doc in (("gold", doc), ("b", _b(doc)))}
    key = (start, start + len("the White House"))
    differ = labels["gold"][key] != labels["b"][key]
    return {
        "Annotator B and the gold give the White House of S4 different labels.": differ,
        # B is constructed and the gold is one person's: one article measures neither annotator.
        "Annotator B is a less reliable annotator than the person who made the gold.": False,
        # The interval is over this article's sentences, not over news articles.
        "B's strict F1 on any news article will lie inside the 95 % interval computed here.": False,
        # Copies are not independent evidence.
        "Scoring two copies of the article would give a more trustworthy interval.": False,
        "On this article, B's PERSON spans agree with the gold more often than its TIME spans.": (
            _label_f1(doc, "PERSON") > _label_f1(doc, "TIME")
        ),
        # Kappa over tokens tends to F1 as unmarked tokens grow (Hripcsak & Rothschild 2005).
        "A token kappa of 0.93 shows better agreement than a pairwise F1 of 0.93.": False,
    }
