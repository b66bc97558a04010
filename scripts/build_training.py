"""Build the training corpus (``corpus/training/{train,dev}/<id>/``) from ``corpus/training/passages.md``.

Each passage is written once, with its entities marked inline (``[Pieter Vos](PERSON)``); this
script computes the offsets with corpuskit's markup parser, writes ``text.txt`` and
``annotations.json`` for each, and loads every document back through the validator.

    python scripts/build_training.py           # (re)write the folders
    python scripts/build_training.py --check   # exit 1 if the folders differ from a fresh build
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import corpuskit
from corpuskit.formats.markup import parse

TRAINING = Path(__file__).resolve().parents[1] / "corpus" / "training"
SPLITS = ("train", "dev")
HEADER = re.compile(r"^## (train|dev)/([a-z0-9-]+) (\d{4}-\d{2}-\d{2})$")
SOURCE = "Fictional news-style passage written for training an entity recognizer; the events are invented."


def passages(source: str) -> list[tuple[str, str, str, str]]:
    """(split, id, creation date, markup) of every passage in ``passages.md``, in file order."""
    found: list[tuple[str, str, str, str]] = []
    current: tuple[str, str, str] | None = None
    lines: list[str] = []
    for number, line in enumerate([*source.splitlines(), "## end"], start=1):
        if line.startswith("## "):
            if current is not None:
                found.append((*current, " ".join(x.strip() for x in lines if x.strip())))
            match = HEADER.match(line)
            if line != "## end" and not match:
                sys.exit(f"passages.md:{number}: a header is '## train|dev/<id> YYYY-MM-DD', not {line!r}")
            current = (match.group(1), match.group(2), match.group(3)) if match else None
            lines = []
        elif current is not None:
            lines.append(line)
    return found


def build(out: Path) -> int:
    """Write every passage under ``out``; the number of documents written."""
    items = passages((TRAINING / "passages.md").read_text(encoding="utf-8"))
    ids = [doc_id for _, doc_id, _, _ in items]
    if len(set(ids)) != len(ids):
        sys.exit("passages.md: document ids repeat")
    for split, doc_id, date, markup in items:
        passage = parse(markup)
        entities = [
            {"id": f"T{k}", "start": s, "end": e, "text": passage.text[s:e], "label": label}
            for k, (s, e, label) in enumerate(passage.spans, start=1)
        ]
        annotations = {
            "id": doc_id,
            "metadata": {
                "title": doc_id.replace("-", " "),
                "creation_time": date,
                "language": "en",
                "source": SOURCE,
                "annotator": "entities only, marked inline in corpus/training/passages.md",
            },
            "entities": entities,
        }
        folder = out / split / doc_id
        folder.mkdir(parents=True)
        (folder / "text.txt").write_text(passage.text, encoding="utf-8")
        (folder / "annotations.json").write_text(json.dumps(annotations, indent=1) + "\n", encoding="utf-8")
        corpuskit.load(folder)  # the validator names any span that does not fit
    return len(items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed folders are stale")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        count = build(fresh)
        stale = [
            str(path.relative_to(fresh))
            for path in sorted(fresh.rglob("*"))
            if path.is_file()
            and (
                not (TRAINING / path.relative_to(fresh)).is_file()
                or (TRAINING / path.relative_to(fresh)).read_bytes() != path.read_bytes()
            )
        ]
        extra = [
            str(p.relative_to(TRAINING))
            for split in SPLITS
            if (TRAINING / split).is_dir()
            for p in sorted((TRAINING / split).iterdir())
            if not (fresh / split / p.name).is_dir()
        ]
        if args.check:
            for name in stale + extra:
                print(f"stale: corpus/training/{name}")
            return 1 if stale or extra else 0
        for split in SPLITS:
            shutil.rmtree(TRAINING / split, ignore_errors=True)
            shutil.copytree(fresh / split, TRAINING / split)
    print(f"wrote {count} documents under {TRAINING}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
