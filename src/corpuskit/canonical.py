"""Canonical JSON objects: the same document gives the same keys in the same order.

Keys follow the data model's field order; an optional key is written with its default when
absent, except the keys the model marks as written only when set, which are left out when
empty; metadata keeps its known keys first and the rest sorted. ``Document.to_dict`` and
``corpuskit load --format json`` both go through here, so every writer prints the same bytes
whatever the key order of the input. The field table comes from ``corpuskit._contract``
(generated from the model), so this module needs neither the model nor ``msgspec``.
"""

from __future__ import annotations

from corpuskit._contract import FIELDS, OPEN

TYPE_CHECKING = False  # typing stays unimported on the `corpuskit load` path
if TYPE_CHECKING:
    from typing import Any

# How a field is written: required (always there), default (the default when absent), omit
# (only when set and not empty).
REQUIRED, DEFAULT, OMIT = "required", "default", "omit"


def canonical(kind: str, data: Any) -> dict[str, Any]:
    """The canonical form of one object of the model class named ``kind``."""
    out: dict[str, Any] = {}
    for key, child, how, default in FIELDS[kind]:
        if how == REQUIRED:
            value = data[key]
        elif how == DEFAULT:
            value = data.get(key, default)
        else:
            value = data.get(key)
            if value is None or value == [] or value == ():
                continue
        out[key] = _value(child, value)
    if kind in OPEN:
        known = {entry[0] for entry in FIELDS[kind]}
        for key in sorted(set(data) - known):
            out[key] = data[key]
    return out


def _value(child: str, value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [canonical(child, item) for item in value] if child else list(value)
    if child and value is not None:
        return canonical(child, value)
    return value
