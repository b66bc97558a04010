"""What no schema can say about a document: checked on its plain JSON data, in bulk.

The structure (types, required keys, label sets, bounds) is the data model's and is checked
before this runs, by ``msgspec`` or by the generated ``corpuskit._contract.check``, and so are
unknown keys. Here: span text equal to the slice of the text, spans inside the text,
unique ids per layer, references that resolve, real calendar dates and well-formed TIMEX3
values. Every problem is collected, each naming its path (``$.entities[3]``).
"""

from __future__ import annotations

import re
from functools import cache

from corpuskit._contract import LAYERS
from corpuskit.errors import Problem

TYPE_CHECKING = False  # typing stays unimported on the `corpuskit load` path
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import Any

# Where spans sit inside each layer's items: keys of nested span objects ("" = the item).
_SPAN_KEYS: dict[str, tuple[str, ...]] = {
    "sections": ("",),
    "entities": ("",),
    "quotes": ("content", "cue", "source"),
    "events": ("trigger",),
    "timexes": ("",),
}
# TIMEX3 values (ISO-TimeML): calendar dates of any precision, weeks, seasons, quarters and
# halves, times of day, durations, and the reference tokens; X stands for an unknown digit.
_DATE = r"(?:[0-9X]{2,4}(?:-(?:[0-9X]{2}(?:-[0-9X]{2})?|W[0-9X]{2}(?:-(?:[1-7]|WE))?|Q[1-4X]|H[12X]|SP|SU|FA|WI))?)"
_CLOCK = r"[0-9X]{2}(?::[0-9X]{2}(?::[0-9X]{2}(?:\.[0-9]+)?)?)?"
_TIME = rf"(?:T(?:{_CLOCK}|MO|MI|AF|EV|NI|DT)(?:Z|[+-][0-9]{{2}}(?::?[0-9]{{2}})?)?)"
_DURATION = r"(?:P(?:[0-9X.]+[YMWDELCQH]|T(?:[0-9X.]+[HMS])+|[0-9X.]+[YMWDELCQH](?:T(?:[0-9X.]+[HMS])+))+)"
TIMEX_VALUE = rf"^(?:{_DATE}{_TIME}?|{_TIME}|{_DURATION}|PAST_REF|PRESENT_REF|FUTURE_REF)$"


@cache
def timex_value() -> re.Pattern[str]:
    """The compiled ``TIMEX_VALUE`` (compiled on first use: ``corpuskit load`` starts faster)."""
    return re.compile(TIMEX_VALUE)


def problems(data: Mapping[str, Any], text: str) -> list[Problem]:
    """Every problem of structurally valid ``data`` against ``text`` (empty when valid)."""
    return list(_meaning_problems(data, text))


def _meaning_problems(data: Mapping[str, Any], text: str) -> Iterator[Problem]:
    if data.get("text") and data["text"] != text:
        yield Problem("$.text", "differs from the document's text file")
    created = data.get("metadata", {}).get("creation_time")
    if created is not None and not _real_date(created):
        yield Problem("$.metadata.creation_time", f"{created!r} is not a real calendar date")
    size = len(text)
    for layer, keys in _SPAN_KEYS.items():
        for index, item in enumerate(data.get(layer, ())):
            for key in keys:
                span = item if key == "" else item[key]
                if span is None:
                    continue
                start, end = span["start"], span["end"]
                # The common case, a good span, costs one comparison chain and one slice.
                if start < end <= size and text[start:end] == span["text"]:
                    continue
                yield _span_problem(span, text, f"$.{layer}[{index}]" + (f".{key}" if key else ""))
    for index, cluster in enumerate(data.get("clusters", ())):
        for number, mention in enumerate(cluster["mentions"]):
            yield from _span_problems(mention, text, f"$.clusters[{index}].mentions[{number}]")
    for index, event in enumerate(data.get("events", ())):
        for number, argument in enumerate(event["arguments"]):
            yield from _span_problems(argument, text, f"$.events[{index}].arguments[{number}]")
    well_formed = timex_value().match
    for index, timex in enumerate(data.get("timexes", ())):
        if not well_formed(timex["value"]):
            yield Problem(f"$.timexes[{index}].value", f"{timex['value']!r} is not a TIMEX3 value")
    yield from _duplicate_ids(data)
    yield from _dangling_references(data)


def _real_date(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _span_problems(span: Mapping[str, Any], text: str, where: str) -> Iterator[Problem]:
    start, end = span["start"], span["end"]
    if not (start < end <= len(text) and text[start:end] == span["text"]):
        yield _span_problem(span, text, where)


def _span_problem(span: Mapping[str, Any], text: str, where: str) -> Problem:
    start, end = span["start"], span["end"]
    if not start < end <= len(text):
        return Problem(where, f"span [{start}, {end}) is not inside the text (length {len(text)})")
    actual = text[start:end]
    return Problem(where, f"text {span['text']!r} differs from the text at [{start}, {end}): {actual!r}")


def _duplicate_ids(data: Mapping[str, Any]) -> Iterator[Problem]:
    for layer in LAYERS:
        items = data.get(layer, ())
        ids = [item["id"] for item in items]
        if len(set(ids)) == len(ids):
            continue
        seen: dict[str, int] = {}
        for index, item_id in enumerate(ids):
            first = seen.setdefault(item_id, index)
            if first != index:
                yield Problem(f"$.{layer}[{index}].id", f"duplicate id {item_id!r} (first at {layer}[{first}])")


def _dangling_references(data: Mapping[str, Any]) -> Iterator[Problem]:
    def ids(layer: str) -> set[str]:
        return {item["id"] for item in data.get(layer, ())}

    clusters, quotes = ids("clusters"), ids("quotes")
    anchors = ids("events") | ids("timexes")

    def check(value: str | None, known: set[str], what: str, where: str) -> Iterator[Problem]:
        if value is not None and value not in known:
            yield Problem(where, f"refers to {what} {value!r}, which does not exist")

    for index, entity in enumerate(data.get("entities", ())):
        yield from check(entity.get("cluster"), clusters, "cluster", f"$.entities[{index}].cluster")
    for index, cluster in enumerate(data.get("clusters", ())):
        for number, member in enumerate(cluster.get("members", ())):
            yield from check(member, clusters, "cluster", f"$.clusters[{index}].members[{number}]")
    for index, quote in enumerate(data.get("quotes", ())):
        yield from check(quote["speaker"], clusters, "cluster", f"$.quotes[{index}].speaker")
        yield from check(quote.get("nested_in"), quotes, "quote", f"$.quotes[{index}].nested_in")
    for index, event in enumerate(data.get("events", ())):
        for number, argument in enumerate(event["arguments"]):
            where = f"$.events[{index}].arguments[{number}].cluster"
            yield from check(argument.get("cluster"), clusters, "cluster", where)
    for index, timex in enumerate(data.get("timexes", ())):
        yield from check(timex.get("anchor"), anchors, "event or timex", f"$.timexes[{index}].anchor")
