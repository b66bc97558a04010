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
        "The constructed annotation and the gold give the White House of S4 different labels.": differ,
        # Its disagreements were made on purpose (DATASHEET, constructed_b.json): it measures no annotator.
        "The constructed annotation's F1 against the gold measures how reliable a second annotator is.": False,
        # The interval is over this article's sentences, not over news articles.
        "A second annotator's strict F1 on any other news article will lie inside the 95 % interval computed here.": (
            False
        ),
        # Copies are not independent evidence.
        "Scoring two copies of the article would give a more trustworthy interval.": False,
        "Here the constructed annotation's PERSON spans agree with the gold more often than its TIME spans.": (
            _label_f1(doc, "PERSON") > _label_f1(doc, "TIME")
        ),
        # Kappa over tokens tends to F1 as unmarked tokens grow (Hripcsak & Rothschild 2005).
        "A token kappa of 0.93 shows better agreement than a pairwise F1 of 0.93.": False,
    }


# The real second annotation ------------------------------------------------------------------
#
# The gold is the adjudicated annotation; the lesson measures annotator A as it was before the
# adjudication. What each corrected item was comes from the table "Corrections to the gold from
# this adjudication" of the document's ADJUDICATION.md, section 7 (offsets into text.txt).
REMOVED_ENTITIES = [(3315, 3339, "DATE")]  # "the days and weeks ahead"
EARLIER_STATUS = {(1725, 1730): ("positive", "other", "future", "other")}  # E33 "talks"
EARLIER_ARGUMENTS = {
    (177, 183): [("Entity", 114, 125), ("Entity", 145, 157), ("Place", 202, 224)],  # E5 "summit"
    (1536, 1547): [("Entity", 1530, 1535), ("Time-Within", 1548, 1565)],  # E29 "discussions"
    (2661, 2675): [("Agent", 2697, 2705)],  # E48 "denuclearizing"
    (2864, 2872): [("Entity", 2854, 2856), ("Entity", 2895, 2910)],  # E52 "continue"
    (3100, 3105): [("Event", 3109, 3122)],  # E56 "start"
    (3728, 3736): [("Entity", 3711, 3713), ("Entity", 3752, 3755), ("Event", 3737, 3746)],  # E63 "maintain"
}
EARLIER_VALUES = {(1929, 1940): "PXY"}  # X12 "a long time"
FACTUALITY = ("polarity", "modality", "tense", "realis")
# The causes of section 7's table, by the words its "cause" column starts with.
CAUSES = {"annotator A error": "gold error", "guideline gap": "guideline gap", "genuine ambiguity": "genuine ambiguity"}
# The disagreements the lesson asks about, by their number in section 7's table.
CASES = {
    "#1 'the days and weeks ahead' (S20): a DATE entity, or a time expression only": 1,
    "#3 Place 'Hanoi' of the agreement not reached (S4)": 3,
    "#5 the status of 'talks' that 'would continue' (S12)": 5,
    "#6 'the summit diplomacy' (S13): an event trigger or not": 6,
    "#7 the Agent of 'denuclearizing' (S17): 'the DPRK' or 'Kim'": 7,
    "#12 the value of 'a long time' (S13): PXY or PXM": 12,
}


def _real_b(doc: corpuskit.Document) -> corpuskit.Document:
    return corpuskit.load(doc.id, annotations="annotator_b.json")


def _before_adjudication(doc: corpuskit.Document) -> corpuskit.Document:
    """The gold with the adjudication's corrections undone."""
    data = doc.to_dict()

    def span(start: int, end: int) -> dict[str, Any]:
        return {"start": start, "end": end, "text": doc.text[start:end]}

    data["entities"] += [
        {"id": f"T{len(data['entities']) + n + 1}", **span(s, e), "label": label}
        for n, (s, e, label) in enumerate(REMOVED_ENTITIES)
    ]
    data["entities"].sort(key=lambda ent: (ent["start"], -ent["end"]))
    for event in data["events"]:
        trigger = (event["trigger"]["start"], event["trigger"]["end"])
        if trigger in EARLIER_STATUS:
            event.update(zip(FACTUALITY, EARLIER_STATUS[trigger], strict=True))
        if trigger in EARLIER_ARGUMENTS:
            event["arguments"] = [{"role": role, **span(s, e)} for role, s, e in EARLIER_ARGUMENTS[trigger]]
    for timex in data["timexes"]:
        timex["value"] = EARLIER_VALUES.get((timex["start"], timex["end"]), timex["value"])
    return corpuskit.Document.from_dict(data, text=doc.text)


def real_disagreements(doc: corpuskit.Document) -> dict[str, list[int]]:
    from collections import Counter

    before, b = _before_adjudication(doc), _real_b(doc)
    entities = [Counter((e.start, e.end, e.label) for e in side.entities) for side in (before, b)]
    events = [{(e.trigger.start, e.trigger.end): e for e in side.events} for side in (before, b)]
    shared = sorted(events[0].keys() & events[1].keys())
    timexes = [{(t.start, t.end): t.value for t in side.timexes} for side in (before, b)]

    def status(event: Any) -> tuple[str, ...]:
        return tuple(getattr(event, name) for name in FACTUALITY)

    def arguments(event: Any) -> list[tuple[str, int, int]]:
        return sorted((a.role, a.start, a.end) for a in event.arguments)

    found = {
        "entities": [s for s, _, _ in (entities[0] - entities[1]) + (entities[1] - entities[0])],
        "triggers": [s for s, _ in events[0].keys() ^ events[1].keys()],
        "status": [s for s, e in shared if status(events[0][s, e]) != status(events[1][s, e])],
        "arguments": [s for s, e in shared if arguments(events[0][s, e]) != arguments(events[1][s, e])],
        "values": [s for s, e in timexes[0].keys() & timexes[1].keys() if timexes[0][s, e] != timexes[1][s, e]],
    }
    return {layer: sorted(starts) for layer, starts in found.items()}


def factuality(doc: corpuskit.Document) -> dict[str, dict[str, float]]:
    from corpuskit.evaluate.agreement import event_agreement

    result = event_agreement(_before_adjudication(doc), _real_b(doc))
    return {
        field.name: {
            "pairs": field.total,
            "raw": field.kappa.observed,
            "chance": field.kappa.expected,
            "kappa": field.kappa.kappa,
        }
        for field in result.attributes
    }


def _adjudication_table(doc: corpuskit.Document) -> dict[int, dict[str, str]]:
    """Section 7's table of ADJUDICATION.md: each numbered row as {column: cell}."""
    from corpuskit.corpus import locate

    record = (locate(doc.id) / "ADJUDICATION.md").read_text(encoding="utf-8")
    section = record.split("## 7.", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0].isdigit():
            rows[int(cells[0])] = dict(zip(header, cells, strict=True))
    return rows


def adjudication(doc: corpuskit.Document) -> dict[str, str]:
    table = _adjudication_table(doc)
    return {case: next(c for w, c in CAUSES.items() if table[n]["cause"].startswith(w)) for case, n in CASES.items()}
