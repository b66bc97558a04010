"""Every problem with one document's annotations: the schema first, then what a schema
cannot express (span text equals the text slice, spans inside the text, unique ids,
references that resolve)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from corpuskit.errors import Problem
from corpuskit.schema import Schema

TYPE_CHECKING = False  # typing stays unimported on the `corpuskit load` path
if TYPE_CHECKING:
    from typing import Any

# Where spans sit inside each layer's items: keys of nested span objects ("" = the item).
_SPAN_KEYS: dict[str, tuple[str, ...]] = {
    "sections": ("",),
    "entities": ("",),
    "quotes": ("content", "cue", "source"),
    "events": ("trigger",),
    "timexes": ("",),
}
_ID_LAYERS = ("sections", "entities", "clusters", "quotes", "events", "timexes")


def problems(data: Any, text: str, schema: Schema) -> list[Problem]:
    """All problems of ``data`` (a parsed annotations object) against ``text``.

    Semantic checks run only when the schema passes, so a structural error is reported
    once instead of as a cascade of follow-on errors.
    """
    found = list(schema.problems(data))
    if found:
        return found
    return list(_semantic_problems(data, text))


def _semantic_problems(data: Mapping[str, Any], text: str) -> Iterator[Problem]:
    if "text" in data and data["text"] != text:
        yield Problem("$.text", "differs from the document's text file")
    for layer, keys in _SPAN_KEYS.items():
        for index, item in enumerate(data[layer]):
            for key in keys:
                span = item if key == "" else item[key]
                where = f"{layer}[{index}]" + (f".{key}" if key else "")
                if span is not None:
                    yield from _span_problems(span, text, where)
    for index, cluster in enumerate(data["clusters"]):
        for number, mention in enumerate(cluster["mentions"]):
            yield from _span_problems(mention, text, f"clusters[{index}].mentions[{number}]")
    for index, event in enumerate(data["events"]):
        for number, argument in enumerate(event["arguments"]):
            yield from _span_problems(argument, text, f"events[{index}].arguments[{number}]")
    yield from _duplicate_ids(data)
    yield from _dangling_references(data)


def _span_problems(span: Mapping[str, Any], text: str, where: str) -> Iterator[Problem]:
    start, end = span["start"], span["end"]
    if not start < end <= len(text):
        yield Problem(where, f"span [{start}, {end}) is not inside the text (length {len(text)})")
        return
    actual = text[start:end]
    if span["text"] != actual:
        yield Problem(where, f"text {span['text']!r} differs from the text at [{start}, {end}): {actual!r}")


def _duplicate_ids(data: Mapping[str, Any]) -> Iterator[Problem]:
    for layer in _ID_LAYERS:
        seen: dict[str, int] = {}
        for index, item in enumerate(data[layer]):
            first = seen.setdefault(item["id"], index)
            if first != index:
                yield Problem(f"{layer}[{index}].id", f"duplicate id {item['id']!r} (first at {layer}[{first}])")


def _dangling_references(data: Mapping[str, Any]) -> Iterator[Problem]:
    clusters = {cluster["id"] for cluster in data["clusters"]}
    quotes = {quote["id"] for quote in data["quotes"]}
    events = {event["id"] for event in data["events"]}
    timexes = {timex["id"] for timex in data["timexes"]}

    def check(value: str | None, known: set[str], what: str, where: str) -> Iterator[Problem]:
        if value is not None and value not in known:
            yield Problem(where, f"refers to {what} {value!r}, which does not exist")

    for index, entity in enumerate(data["entities"]):
        yield from check(entity.get("cluster"), clusters, "cluster", f"entities[{index}].cluster")
    for index, cluster in enumerate(data["clusters"]):
        for number, member in enumerate(cluster.get("members", ())):
            yield from check(member, clusters, "cluster", f"clusters[{index}].members[{number}]")
    for index, quote in enumerate(data["quotes"]):
        yield from check(quote["speaker"], clusters, "cluster", f"quotes[{index}].speaker")
        yield from check(quote.get("nested_in"), quotes, "quote", f"quotes[{index}].nested_in")
    for index, event in enumerate(data["events"]):
        for number, argument in enumerate(event["arguments"]):
            where = f"events[{index}].arguments[{number}].cluster"
            yield from check(argument.get("cluster"), clusters, "cluster", where)
    anchors = events | timexes
    for index, timex in enumerate(data["timexes"]):
        yield from check(timex.get("anchor"), anchors, "event or timex", f"timexes[{index}].anchor")
