"""What an annotator does in Label Studio, as REST calls, for each case an export must survive.

Each recipe takes a running server (``tests.labelstudio_server``), creates a project from
corpuskit's labelling config, imports corpuskit's tasks (pre-annotations as predictions), works
on them as an annotator would, and returns the project's JSON export. Regions the annotator
keeps are the predictions' regions with their ids, as the web interface submits them; regions
the annotator draws get ids as the web interface makes them.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import corpuskit
from corpuskit.formats.base import LayerNotCarriedWarning
from corpuskit.formats.labelstudio import labelling_config, to_task
from corpuskit.model import Document
from tests.labelstudio_server import LabelStudio, region_id, running

Export = list[dict[str, Any]]
SECOND_ARTICLE = Path(__file__).parent / "fixtures" / "classroom" / "article.txt"
# The region the annotator deletes, the one relabelled, and the span drawn anew.
DELETED, RELABELLED = "entities:T5", "entities:T2"
DRAWN = ("working lunch", "EVENT")


def article() -> Document:
    return corpuskit.load("hanoi-summit-2019")


def second_article() -> Document:
    """A fictional article without annotations (the instructor's guide's walkthrough article)."""
    text = SECOND_ARTICLE.read_text()
    return Document("kelsbury-council", text, {"title": text.split("\n", 1)[0]})


def tasks(*docs: Document) -> list[dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerNotCarriedWarning)
        return [to_task(doc) for doc in docs]


def _project(server: LabelStudio, title: str, *docs: Document) -> list[dict[str, Any]]:
    project = server.create_project(title, labelling_config())
    made = server.import_tasks(project, tasks(*docs))
    for task in made:
        task["project"] = project
    return made


def _accepted(server: LabelStudio, task: dict[str, Any]) -> list[dict[str, Any]]:
    """The task's pre-annotations as the annotator accepts them (region ids kept)."""
    [prediction] = server.predictions(task["id"])
    result: list[dict[str, Any]] = copy.deepcopy(prediction["result"])
    return result


def drawn(text: str, words: str, label: str) -> dict[str, Any]:
    """A region the annotator draws over ``words`` with an entity ``label``."""
    start = text.index(words)
    value = {"start": start, "end": start + len(words), "text": words, "labels": [label]}
    return {"id": region_id(), "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def skipped_then_annotated(server: LabelStudio) -> Export:
    """Case 1: skipped first (the export lists the cancelled annotation first), then submitted."""
    [task] = _project(server, "skipped then annotated", article())
    server.skip(task["id"])
    server.submit(task["id"], _accepted(server, task))
    return server.export(task["project"])


def skipped_only(server: LabelStudio) -> Export:
    """Case 1: skipped and never annotated."""
    [task] = _project(server, "skipped", article())
    server.skip(task["id"])
    return server.export(task["project"])


def deleted_and_added(server: LabelStudio) -> Export:
    """Case 2: one pre-annotation deleted, one relabelled, one region drawn."""
    [task] = _project(server, "deleted and added", article())
    result = [r for r in _accepted(server, task) if r["id"] != DELETED]
    for region in result:
        if region["id"] == RELABELLED:
            region["value"]["labels"] = ["NORP"]
    result.append(drawn(task["data"]["text"], *DRAWN))
    server.submit(task["id"], result)
    return server.export(task["project"])


def predictions_only(server: LabelStudio) -> Export:
    """Case 3: nothing annotated, every task exported (predictions appear by id only)."""
    [task] = _project(server, "predictions only", article())
    return server.export(task["project"], all_tasks=True)


def nothing_annotated(server: LabelStudio) -> Export:
    """Case 3: nothing annotated, the default export (annotated tasks only)."""
    [task] = _project(server, "nothing annotated", article())
    return server.export(task["project"])


def two_documents(server: LabelStudio) -> Export:
    """Case 4: a project holding two articles, both annotated."""
    first, second = _project(server, "two documents", article(), second_article())
    server.submit(first["id"], _accepted(server, first))
    text = second["data"]["text"]
    server.submit(second["id"], [drawn(text, "Ruth Okafor", "PERSON"), drawn(text, "Kelsbury", "GPE")])
    return server.export(first["project"])


RECIPES: dict[str, Callable[[LabelStudio], Export]] = {
    "skipped-then-annotated": skipped_then_annotated,
    "skipped-only": skipped_only,
    "deleted-and-added": deleted_and_added,
    "predictions-only": predictions_only,
    "nothing-annotated": nothing_annotated,
    "two-documents": two_documents,
}


def make_fixtures(folder: Path) -> None:
    """Run every recipe on a fresh server and write ``tests/fixtures/labelstudio/NAME.json``."""
    out = Path(__file__).parent / "fixtures" / "labelstudio"
    out.mkdir(parents=True, exist_ok=True)
    with running(folder) as server:
        for name, recipe in RECIPES.items():
            exported = recipe(server)
            (out / f"{name}.json").write_text(json.dumps(exported, ensure_ascii=False) + "\n")
            print(f"{name}: {len(exported)} task(s)")
