"""What every format module shares: choosing layers, and saying what a format leaves out.

A writer is given the layers to write (``layers=None`` means every layer the document has).
Asked for a layer it cannot hold, it raises ``LayerNotCarriedError``; given ``None``, it
writes what it can and warns with ``LayerNotCarriedWarning``, naming each layer or field it
leaves out and how many items that is. It never drops an annotation without saying so.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Collection, Iterable, Sequence

from corpuskit.errors import CorpuskitError
from corpuskit.model import LAYERS, Document


class LayerNotCarriedWarning(UserWarning):
    """A format was asked to write a document holding something it cannot carry."""


class LayerNotCarriedError(CorpuskitError, ValueError):
    """A layer was asked for explicitly that the format cannot carry."""


def parse_layers(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """``"entities,timexes"`` (or a sequence of names) as a checked tuple; ``None`` stays ``None``."""
    if value is None:
        return None
    names = [n.strip() for n in value.split(",")] if isinstance(value, str) else list(value)
    names = [n for n in names if n]
    unknown = [n for n in names if n not in LAYERS]
    if unknown or not names:
        named = ", ".join(unknown) or "(none given)"
        raise LayerNotCarriedError(f"unknown layer(s) {named}; layers are: {', '.join(LAYERS)}")
    return tuple(n for n in LAYERS if n in names)


def select(doc: Document, fmt: str, carried: Collection[str], layers: Iterable[str] | None) -> Document:
    """``doc`` with only the layers to write; raise or warn about the ones ``fmt`` cannot hold.

    Dropping ``clusters`` also clears the references into it (entity and argument ``cluster``,
    quote ``speaker``), which are counted in the warning.
    """
    chosen = parse_layers(list(layers)) if layers is not None else None
    if chosen is not None:
        refused = [name for name in chosen if name not in carried]
        if refused:
            raise LayerNotCarriedError(
                f"{fmt} cannot carry {', '.join(refused)}; it carries: {', '.join(n for n in LAYERS if n in carried)}"
            )
        keep = set(chosen)
    else:
        keep = {name for name in LAYERS if name in carried}
        lost = [f"{name} ({len(doc.layer(name))})" for name in LAYERS if name not in keep and doc.layer(name)]
        if "clusters" not in keep:
            links = cluster_links(doc, keep)
            if links:
                lost.append(f"cluster links ({links})")
        if "events" not in keep and "timexes" in keep:
            event_ids = {e.id for e in doc.events}
            anchors = sum(t.anchor in event_ids for t in doc.timexes)
            if anchors:
                lost.append(f"timex anchors on events ({anchors})")
        if lost:
            warn(f"{fmt} cannot carry {', '.join(lost)}; left out (choose layers with --layers to silence this)")
    return restrict(doc, keep)


def cluster_links(doc: Document, keep: Collection[str]) -> int:
    """How many references into ``clusters`` the kept layers hold."""
    count = 0
    if "entities" in keep:
        count += sum(e.cluster is not None for e in doc.entities)
    if "quotes" in keep:
        count += sum(q.speaker is not None for q in doc.quotes)
    if "events" in keep:
        count += sum(a.cluster is not None for e in doc.events for a in e.arguments)
    return count


def restrict(doc: Document, keep: Collection[str]) -> Document:
    """``doc`` with the layers outside ``keep`` emptied and the references into them cleared."""
    entities, quotes, events, timexes = doc.entities, doc.quotes, doc.events, doc.timexes
    if "clusters" not in keep:
        entities = tuple(dataclasses.replace(e, cluster=None) for e in entities)
        quotes = tuple(dataclasses.replace(q, speaker=None) for q in quotes)
        events = tuple(
            dataclasses.replace(e, arguments=tuple(dataclasses.replace(a, cluster=None) for a in e.arguments))
            for e in events
        )
    if "events" not in keep:
        event_ids = {e.id for e in doc.events}
        timexes = tuple(dataclasses.replace(t, anchor=None) if t.anchor in event_ids else t for t in timexes)
    kept = {"entities": entities, "quotes": quotes, "events": events, "timexes": timexes}
    changes = {name: kept.get(name, getattr(doc, name)) if name in keep else () for name in LAYERS}
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def warn(message: str) -> None:
    warnings.warn(message, LayerNotCarriedWarning, stacklevel=3)


def new_id(prefix: str, taken: set[str]) -> str:
    """The first ``prefix<N>`` not in ``taken`` (which it joins)."""
    number = len(taken) + 1
    while f"{prefix}{number}" in taken:
        number += 1
    taken.add(f"{prefix}{number}")
    return f"{prefix}{number}"
