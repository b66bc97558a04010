"""Span evaluation speed: corpuskit against nervaluate, same input, same process.

    python benchmarks/bench_evaluate.py            # 100,000 documents, about 2 million spans
    python benchmarks/bench_evaluate.py --docs 5000

A fixed seed builds documents with ten gold spans each and a prediction that keeps, relabels,
shifts, trims, drops or adds spans. Spans on each side never overlap and every prediction
overlaps at most one gold span, so nervaluate's greedy pairing cannot go wrong and every count
must agree (overall and per label, all four schemas); the run fails if one does not. Spans are
shorter than 100 characters so nervaluate's 1 % minimum overlap never hides a real overlap.
nervaluate reads inclusive ends, so it is given ``end - 1``. Times exclude building the inputs;
nervaluate's time includes its loader, which is part of calling it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

try:
    import corpuskit  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from corpuskit.evaluate.counts import Counts
from corpuskit.evaluate.spans import SpanTuple, evaluate_spans

LABELS = ("PER", "ORG", "LOC", "MISC")
NV_NAME = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


def make_documents(n_docs: int, seed: int) -> tuple[list[list[SpanTuple]], list[list[SpanTuple]]]:
    rng = random.Random(seed)
    gold_docs: list[list[SpanTuple]] = []
    pred_docs: list[list[SpanTuple]] = []
    for _ in range(n_docs):
        gold: list[SpanTuple] = []
        pred: list[SpanTuple] = []
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
        gold_docs.append(gold)
        pred_docs.append(pred)
    return gold_docs, pred_docs


def to_nervaluate(docs: list[list[SpanTuple]]) -> list[list[dict[str, Any]]]:
    return [[{"label": lab, "start": s, "end": e - 1} for s, e, lab in doc] for doc in docs]


def as_counts(result: Any) -> Counts:
    return Counts(result.correct, result.incorrect, result.partial, result.missed, result.spurious)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents (default 100000)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)

    from nervaluate import Evaluator

    gold, pred = make_documents(args.docs, args.seed)
    n_spans = sum(map(len, gold)) + sum(map(len, pred))
    nv_gold, nv_pred = to_nervaluate(gold), to_nervaluate(pred)
    print(f"{args.docs:,} documents, {n_spans:,} spans (gold + predicted), seed {args.seed}")

    t0 = time.perf_counter()
    ours = evaluate_spans(gold, pred)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_matches = sum(len(ours.schema(s).matches) for s in NV_NAME)
    t_matches = time.perf_counter() - t0

    t0 = time.perf_counter()
    theirs = Evaluator(nv_gold, nv_pred, tags=list(LABELS), loader="dict").evaluate()
    t_nv = time.perf_counter() - t0

    problems = []
    for schema, name in NV_NAME.items():
        mine = ours.schema(schema)
        if mine.total != as_counts(theirs["overall"][name]):
            problems.append(f"{schema}: {mine.total} != {theirs['overall'][name]}")
        for label, counts in mine.by_label.items():
            if counts != as_counts(theirs["entities"][label][name]):
                problems.append(f"{schema}/{label}: {counts} != {theirs['entities'][label][name]}")
    if problems:
        print("counts differ:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1

    for schema in NV_NAME:
        c = ours.schema(schema).total
        print(
            f"  {schema:<8} correct {c.correct:>9,} incorrect {c.incorrect:>7,} partial "
            f"{c.partial:>7,} missed {c.missed:>7,} spurious {c.spurious:>7,}  "
            f"f1 {c.f1:.4f}"
        )
    print("counts identical: 4 schemas, overall and per label")
    print(f"corpuskit counts              {t_ours:8.2f} s")
    print(f"corpuskit + all {n_matches:,} matches {t_ours + t_matches:8.2f} s")
    print(f"nervaluate (counts + indices) {t_nv:8.2f} s")
    print(
        f"ratio nervaluate / corpuskit: {t_nv / t_ours:.1f}x (counts), "
        f"{t_nv / (t_ours + t_matches):.1f}x (with every match listed)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
