"""`corpuskit evaluate` against nervaluate, each as the whole process a user runs, same input.

    python benchmarks/bench_evaluate.py            # 100,000 documents, about 2 million spans
    python benchmarks/bench_evaluate.py --docs 5000

A fixed seed builds documents with ten gold entities each over a random text, and a prediction
that keeps, relabels, shifts, trims, drops or adds spans; both are written as corpuskit JSONL
(contract objects with their text). Then two processes run, timed end to end with their peak
memory: `corpuskit evaluate gold.jsonl pred.jsonl --layer entities --json` (reading, checking
every document against the model and its text, scoring), and a Python process that reads the
same files with the standard json module and scores them with nervaluate (which reads
inclusive ends, so it is given ``end - 1``). Spans on each side never overlap and every
prediction overlaps at most one gold span, so nervaluate's greedy pairing cannot go wrong and
every count must agree (overall and per label, all four schemas); the run fails if one does
not. Spans are shorter than 100 characters so nervaluate's 1 % minimum overlap never hides a
real overlap. Target: corpuskit at least 5x faster, with no higher peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LABELS = ("PERSON", "ORG", "GPE", "LOC")
SCHEMAS = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
COUNTS = ("correct", "incorrect", "partial", "missed", "spurious")
SCRIPT = Path(sys.executable).parent / "corpuskit"
CORPUSKIT = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "corpuskit"]
TARGET = 5.0

# The peer: what a nervaluate user writes to score the same files.
NERVALUATE = """
import json, sys
from nervaluate import Evaluator

def spans(path):
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            out.append([{"label": e["label"], "start": e["start"], "end": e["end"] - 1} for e in doc["entities"]])
    return out

gold, pred = spans(sys.argv[1]), spans(sys.argv[2])
tags = sorted({e["label"] for doc in gold + pred for e in doc})
result = Evaluator(gold, pred, tags=tags, loader="dict").evaluate()
counts = ("correct", "incorrect", "partial", "missed", "spurious")
out = {
    "overall": {s: {c: getattr(r, c) for c in counts} for s, r in result["overall"].items()},
    "entities": {
        tag: {s: {c: getattr(r, c) for c in counts} for s, r in by.items()} for tag, by in result["entities"].items()
    },
}
print(json.dumps(out))
"""


def make_documents(n_docs: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Gold and predicted contract objects (id, text, entities) over random texts."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz     "
    gold_docs: list[dict[str, Any]] = []
    pred_docs: list[dict[str, Any]] = []
    for number in range(n_docs):
        gold: list[tuple[int, int, str]] = []
        pred: list[tuple[int, int, str]] = []
        pos = 0
        for _ in range(10):
            pos += rng.randint(4, 12)  # a gap of at least 4 leaves room for shifts and extras
            start, end = pos, pos + rng.randint(2, 30)
            label = rng.choice(LABELS)
            gold.append((start, end, label))
            roll = rng.random()
            if roll < 0.70:
                pred.append((start, end, label))
            elif roll < 0.78:
                pred.append((start, end, rng.choice(LABELS)))
            elif roll < 0.84:
                pred.append((start - 1, end, label))
            elif roll < 0.90:
                pred.append((start + 1, end + 1, rng.choice(LABELS)))
            elif roll < 0.95:
                pass
            else:
                pred.append((start, end - 1, label))
            if rng.random() < 0.05:
                # A spurious span in the gap after this gold span, touching nothing.
                pred.append((end + 1, end + 2, rng.choice(LABELS)))
            pos = end
        text = "".join(rng.choice(letters) for _ in range(pos + 8))
        doc_id = f"doc-{number:06d}"
        for spans, out in ((gold, gold_docs), (pred, pred_docs)):
            entities = [
                {"id": f"T{k + 1}", "start": s, "end": e, "text": text[s:e], "label": lab}
                for k, (s, e, lab) in enumerate(spans)
            ]
            out.append({"id": doc_id, "text": text, "entities": entities})
    return gold_docs, pred_docs


def run(command: list[str]) -> tuple[float, int, str]:
    """Wall time, peak resident memory (bytes) and standard output of one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise SystemExit(f"{command[0]} exited with {process.returncode}")
        out.seek(0)
        return elapsed, usage.ru_maxrss * 1024, out.read().decode()


def compare(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    problems = []
    for schema, name in SCHEMAS.items():
        mine = {c: ours[schema][c] for c in COUNTS}
        if mine != theirs["overall"][name]:
            problems.append(f"{schema}: {mine} != {theirs['overall'][name]}")
        for label, counts in ours[schema]["by_label"].items():
            mine = {c: counts[c] for c in COUNTS}
            if mine != theirs["entities"][label][name]:
                problems.append(f"{schema}/{label}: {mine} != {theirs['entities'][label][name]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents (default 100000)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    gold, pred = make_documents(args.docs, args.seed)
    n_spans = sum(len(d["entities"]) for d in gold + pred)
    with tempfile.TemporaryDirectory() as folder:
        gold_path, pred_path = Path(folder) / "gold.jsonl", Path(folder) / "pred.jsonl"
        for path, docs in ((gold_path, gold), (pred_path, pred)):
            path.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
        size = gold_path.stat().st_size + pred_path.stat().st_size
        del gold, pred
        print(f"{args.docs:,} documents, {n_spans:,} spans (gold + predicted), {size / 1e6:.0f} MB, seed {args.seed}")
        ours_cmd = [*CORPUSKIT, "evaluate", str(gold_path), str(pred_path), "--layer", "entities", "--json"]
        t_ours, mem_ours, out_ours = run(ours_cmd)
        t_nv, mem_nv, out_nv = run([sys.executable, "-c", NERVALUATE, str(gold_path), str(pred_path)])

    problems = compare(json.loads(out_ours), json.loads(out_nv))
    if problems:
        print("counts differ:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    ours = json.loads(out_ours)
    for schema in SCHEMAS:
        c = ours[schema]
        print(
            f"  {schema:<8} correct {c['correct']:>9,} incorrect {c['incorrect']:>7,} partial "
            f"{c['partial']:>7,} missed {c['missed']:>7,} spurious {c['spurious']:>7,}  f1 {c['f1']:.4f}"
        )
    print("counts identical: 4 schemas, overall and per label")
    print(f"corpuskit evaluate (whole process)   {t_ours:7.2f} s   peak memory {mem_ours / 2**20:7.0f} MiB")
    print(f"nervaluate (whole process)           {t_nv:7.2f} s   peak memory {mem_nv / 2**20:7.0f} MiB")
    ratio = t_nv / t_ours
    met = ratio >= TARGET and mem_ours <= mem_nv
    print(
        f"ratio nervaluate / corpuskit: {ratio:.1f}x (target >= {TARGET:.0f}x), memory "
        f"{mem_ours / mem_nv:.2f} of nervaluate's: {'met' if met else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
