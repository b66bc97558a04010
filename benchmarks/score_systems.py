"""Honest scores of the baseline systems, per layer: on the shipped article and on held-out text.

The article is where the rules were written; the held-out documents (grading/heldout/<id>/,
each with its own text, gold and creation time) were never read while writing them. Printing
the two side by side shows how much of the article score is fitting to the article.

    python benchmarks/score_systems.py [--heldout grading/heldout] [--json]

Targets (the GenderGapTracker's published figures on news): on the held-out set,
quote F1 at overlap 0.3 of at least 0.84 and speaker accuracy of at least 0.87.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from corpuskit.extract import SYSTEMS, available_model
from corpuskit.extract.score import SystemScores, format_scores, score_system

ARTICLE = "hanoi-summit-2019"
HELDOUT = Path(__file__).resolve().parents[1] / "grading" / "heldout"
TARGETS = {("quotes", "F1 @0.3"): 0.84, ("quotes", "speaker acc @0.3"): 0.87}


def heldout_documents(root: Path) -> list[Path]:
    """The held-out document folders (those holding a text and a gold annotation)."""
    if not root.is_dir():
        return []
    return [f for f in sorted(root.iterdir()) if (f / "text.txt").is_file() and (f / "annotations.json").is_file()]


def systems() -> list[str]:
    return [s for s in SYSTEMS if s != "statistical" or available_model() is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heldout", type=Path, default=HELDOUT, help="folder of held-out documents")
    parser.add_argument("--json", action="store_true", help="print every result as JSON")
    args = parser.parse_args(argv)
    names = systems()
    folders = heldout_documents(args.heldout)
    results: dict[str, list[SystemScores]] = {"article": [score_system(s, [ARTICLE]) for s in names]}
    if folders:
        results["heldout"] = [score_system(s, folders) for s in names]
        for folder in folders:
            results[f"heldout/{folder.name}"] = [score_system(s, [folder]) for s in names]
    if args.json:
        print(json.dumps({k: [r.to_dict() for r in v] for k, v in results.items()}, indent=2))
        return 0
    if "statistical" not in names:
        print("statistical system skipped: no English spaCy pipeline installed (pip install 'corpuskit[model]')\n")
    print(format_scores(results["article"], f"== {ARTICLE} (the article the rules were written on)"))
    if not folders:
        print(f"\nno held-out documents in {args.heldout}")
        return 0
    print()
    print(format_scores(results["heldout"], f"== held-out set ({len(folders)} documents, never used to write rules)"))
    for folder in folders:
        print()
        print(format_scores(results[f"heldout/{folder.name}"], f"== heldout/{folder.name}"))
    print("\ntargets on the held-out set (GenderGapTracker: 83.7 F1, 86.5% speaker accuracy):")
    for scores in results["heldout"]:
        for key, target in TARGETS.items():
            value = scores.values[key]
            verdict = "met" if value >= target else "NOT met"
            print(f"  {scores.system:<12} {key[1]:<18} {value:.3f}  (target {target:.2f}: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
