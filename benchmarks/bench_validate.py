"""Checking documents against the data model: msgspec against fastjsonschema-generated code.

    python benchmarks/bench_validate.py            # the gold, then 100,000 generated documents
    python benchmarks/bench_validate.py --docs 10000

Both check the same structure (the JSON Schema in corpus/schema is generated from the model,
and fastjsonschema compiles it to the Python of corpuskit/_contract.py). Each is timed from the
bytes of a JSON document to a checked result, as a reader needs it: msgspec decodes and checks
in one compiled pass into the model's classes (then the grammar of item ids, checked per layer);
fastjsonschema's code checks what the standard json module parsed. The checks of meaning
(spans against the text, unique ids, references) are the same code for both and are left out.
Medians of several rounds; ratios printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

try:
    import corpuskit  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_evaluate import make_documents

from corpuskit import _contract, corpus
from corpuskit.model import document_decoder
from corpuskit.validate import _id_problems


def with_msgspec(lines: list[bytes]) -> None:
    decode = document_decoder().decode
    for line in lines:
        # The id grammar is the schema's too; corpuskit checks it per layer after decoding.
        _id_problems(decode(line))


def with_fastjsonschema(lines: list[bytes]) -> None:
    check, loads = _contract.check, json.loads
    for line in lines:
        check(loads(line))


def median_time(run: Callable[[list[bytes]], None], lines: list[bytes], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run(lines)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare(title: str, lines: list[bytes], rounds: int) -> None:
    ours = median_time(with_msgspec, lines, rounds)
    theirs = median_time(with_fastjsonschema, lines, rounds)
    size = sum(map(len, lines)) / 1e6
    print(f"{title}: {len(lines):,} document(s), {size:.1f} MB, median of {rounds}")
    print(f"  msgspec (decode + check)                   {ours * 1000:10.1f} ms")
    print(f"  json + fastjsonschema-generated check      {theirs * 1000:10.1f} ms")
    print(f"  ratio fastjsonschema / msgspec: {theirs / ours:.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="generated documents (default 100000)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    gold = corpus.read_validated("hanoi-summit-2019")
    compare("gold (hanoi-summit-2019), 100 times", [json.dumps(gold).encode()] * 100, args.rounds)
    documents, _ = make_documents(args.docs, seed=13)
    lines = [json.dumps(doc).encode() for doc in documents]
    del documents
    compare("generated documents (entities only)", lines, max(1, args.rounds // 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
