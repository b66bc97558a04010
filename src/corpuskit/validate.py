"""What no schema can say about a document, checked in bulk.

The structure (types, required keys, label sets, bounds, unknown keys) is the data model's and
is checked before this runs, by ``msgspec`` or by the generated ``corpuskit._contract.check``.
Here: span text equal to the slice of the text, spans inside the text, ids unique per layer
and of the id grammar (checked a layer at a time, faster than per item while decoding),
references that resolve, real calendar dates and well-formed TIMEX3 values. Every problem is
collected, each naming its path (``$.entities[3]``).
"""

from __future__ import annotations

import re
from functools import cache
from operator import attrgetter

from corpuskit._contract import LAYERS
from corpuskit.errors import Problem

TYPE_CHECKING = False  # typing stays unimported on the `corpuskit load` path
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

# The ids of layer items: checked here for a whole layer at once (see _id_problems).
ITEM_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
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


def problems(doc: Any, text: str) -> list[Problem]:
    """Every problem of a structurally valid document against ``text`` (empty when valid).

    ``doc`` is a ``Document`` or anything with its attributes (``corpuskit.corpus`` gives plain
    JSON data that shape). Written for bulk input: each check is one comprehension over a
    layer that keeps the indices of bad items, and only those are described.
    """
    found: list[Problem] = []
    if doc.text and doc.text != text:
        found.append(Problem("$.text", "differs from the document's text file"))
    created = doc.metadata.get("creation_time")
    if created is not None and not _real_date(created):
        found.append(Problem("$.metadata.creation_time", f"{created!r} is not a real calendar date"))
    for where, spans in _spans(doc):
        found += _span_problems(spans, text, where)
    timexes = doc.timexes
    if timexes:
        well_formed = timex_value().fullmatch
        for index in [i for i, timex in enumerate(timexes) if not well_formed(timex.value)]:
            found.append(Problem(f"$.timexes[{index}].value", f"{timexes[index].value!r} is not a TIMEX3 value"))
    found += _id_problems(doc)
    found += _dangling_references(doc)
    return found


def _real_date(value: str) -> bool:
    """Whether a ``YYYY-MM-DD`` string (the structure guarantees the shape) is a real date.

    Arithmetic rather than ``datetime``, whose import would cost ``corpuskit load`` start-up.
    """
    year, month, day = int(value[:4]), int(value[5:7]), int(value[8:10])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return year >= 1 and 1 <= month <= 12 and 1 <= day <= days[month - 1]


def _spans(doc: Any) -> Iterator[tuple[str, Sequence[Any]]]:
    """Every list of span objects with the path pattern of its items ("{}" for the index).

    The optional spans of quotes (``cue``, ``source``) come without their nulls, each list
    with its own indices, so a path still names the right quote.
    """
    for layer, keys in _SPAN_KEYS.items():
        items = getattr(doc, layer)
        if not items:
            continue
        for key in keys:
            if key == "":
                yield f"$.{layer}[{{}}]", items
                continue
            spans = [getattr(item, key) for item in items]
            if None in spans:
                for index, span in enumerate(spans):
                    if span is not None:
                        yield f"$.{layer}[{index}].{key}", [span]
            else:
                yield f"$.{layer}[{{}}].{key}", spans
    for index, cluster in enumerate(doc.clusters):
        yield f"$.clusters[{index}].mentions[{{}}]", cluster.mentions
    for index, event in enumerate(doc.events):
        yield f"$.events[{index}].arguments[{{}}]", event.arguments


def _span_problems(spans: Sequence[Any], text: str, where: str) -> list[Problem]:
    size = len(text)
    # The common case, a good span, costs one comparison chain and one slice.
    if all(start < end <= size and text[start:end] == said for start, end, said in map(_START_END_TEXT, spans)):
        return []
    return [
        _span_problem(span, text, where.format(index))
        for index, span in enumerate(spans)
        if not (span.start < span.end <= size and text[span.start : span.end] == span.text)
    ]


_START_END_TEXT = attrgetter("start", "end", "text")


def _span_problem(span: Any, text: str, where: str) -> Problem:
    start, end = span.start, span.end
    if not start < end <= len(text):
        return Problem(where, f"span [{start}, {end}) is not inside the text (length {len(text)})")
    actual = text[start:end]
    return Problem(where, f"text {span.text!r} differs from the text at [{start}, {end}): {actual!r}")


@cache
def _id_lines() -> re.Pattern[str]:
    return re.compile(f"(?:{ITEM_ID_PATTERN[1:-1]}\n)*")


def _id_problems(doc: Any) -> list[Problem]:
    """Item ids outside the id grammar, and ids used twice in a layer.

    The grammar is one match over a layer's ids joined by newlines (a newline inside an id
    shows as one line too many); only when that fails are the ids looked at one by one.
    """
    found = []
    for layer in LAYERS:
        items = getattr(doc, layer)
        if not items:
            continue
        ids = [item.id for item in items]
        joined = "\n".join(ids) + "\n"
        if not (_id_lines().fullmatch(joined) and joined.count("\n") == len(ids)):
            single = re.compile(ITEM_ID_PATTERN).search
            for index, item_id in enumerate(ids):
                if "\n" in item_id or not single(item_id):
                    message = f"expected `str` matching regex '{ITEM_ID_PATTERN}'"
                    found.append(Problem(f"$.{layer}[{index}].id", message))
        if len(set(ids)) < len(ids):
            seen: dict[str, int] = {}
            for index, item_id in enumerate(ids):
                first = seen.setdefault(item_id, index)
                if first != index:
                    message = f"duplicate id {item_id!r} (first at {layer}[{first}])"
                    found.append(Problem(f"$.{layer}[{index}].id", message))
    return found


def _dangling_references(doc: Any) -> list[Problem]:
    """References to clusters, quotes, events and timexes that are not in the document.

    Each kind of reference is first gathered into a set; only when the set names an unknown
    id are the references listed one by one, which keeps the common case to a few set
    operations.
    """
    clusters, quotes, events, timexes = doc.clusters, doc.quotes, doc.events, doc.timexes
    cited = {entity.cluster for entity in doc.entities}
    cited.update(quote.speaker for quote in quotes)
    for cluster in clusters:
        cited.update(cluster.members)
    for event in events:
        cited.update(argument.cluster for argument in event.arguments)
    nested = {quote.nested_in for quote in quotes}
    anchored = {timex.anchor for timex in timexes}
    found: list[Problem] = []
    for what, named, targets in (
        ("cluster", cited, (clusters,)),
        ("quote", nested, (quotes,)),
        ("event or timex", anchored, (events, timexes)),
    ):
        named.discard(None)
        if not named:
            continue
        known = {item.id for items in targets for item in items}
        if named <= known:
            continue
        for where, value in _references(doc, what):
            if value is not None and value not in known:
                found.append(Problem(where, f"refers to {what} {value!r}, which does not exist"))
    return found


def _references(doc: Any, what: str) -> Iterator[tuple[str, str | None]]:
    """Every reference to a ``what`` ("cluster", "quote", "event or timex") with its path."""
    if what == "cluster":
        for index, entity in enumerate(doc.entities):
            yield f"$.entities[{index}].cluster", entity.cluster
        for index, cluster in enumerate(doc.clusters):
            for number, member in enumerate(cluster.members):
                yield f"$.clusters[{index}].members[{number}]", member
        for index, quote in enumerate(doc.quotes):
            yield f"$.quotes[{index}].speaker", quote.speaker
        for index, event in enumerate(doc.events):
            for number, argument in enumerate(event.arguments):
                yield f"$.events[{index}].arguments[{number}].cluster", argument.cluster
    elif what == "quote":
        for index, quote in enumerate(doc.quotes):
            yield f"$.quotes[{index}].nested_in", quote.nested_in
    else:
        for index, timex in enumerate(doc.timexes):
            yield f"$.timexes[{index}].anchor", timex.anchor
