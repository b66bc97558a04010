"""Check a JSON value against ``corpus/schema/annotations.schema.json``.

The schema file is the single definition of the format. This module interprets the small
subset of JSON Schema 2020-12 that the file uses, so loading a document does not pay for
importing ``jsonschema`` (about ten times the cost of the rest of ``corpuskit load``); a test
checks that it agrees with ``jsonschema`` on valid and broken documents. A keyword outside the
subset is refused when the schema is read, so the schema cannot silently outgrow this code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from corpuskit.errors import Problem

TYPE_CHECKING = False  # typing stays unimported on the `corpuskit load` path
if TYPE_CHECKING:
    from typing import Any

    Check = Callable[[Any], bool]

SCHEMA_FILE = "annotations.schema.json"

# Keywords that only annotate; they never make a value invalid.
_ANNOTATIONS = {"$schema", "$id", "title", "description", "$comment", "examples", "default"}
_ASSERTIONS = {
    "$ref",
    "$defs",
    "type",
    "required",
    "properties",
    "additionalProperties",
    "enum",
    "pattern",
    "minimum",
    "minLength",
    "maxLength",
    "minItems",
    "items",
    "allOf",
    "oneOf",
}

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _is_type(value: Any, name: str) -> bool:
    # bool is a subclass of int in Python but not an integer in JSON.
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    return isinstance(value, _TYPES[name])


class Schema:
    """A parsed schema document; ``problems(value)`` yields every violation with its path."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._check_keywords(document)
        self._compiled: Check | None = None

    @classmethod
    def from_file(cls, path: Path) -> Schema:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def _check_keywords(self, node: Any) -> None:
        if isinstance(node, bool):
            return
        unknown = set(node) - _ANNOTATIONS - _ASSERTIONS
        if unknown:
            raise ValueError(f"schema uses unsupported keywords: {sorted(unknown)}")
        for key in ("$defs", "properties"):
            for sub in node.get(key, {}).values():
                self._check_keywords(sub)
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                self._check_keywords(node[key])
        for key in ("allOf", "oneOf"):
            for sub in node.get(key, []):
                self._check_keywords(sub)

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref is supported, not {ref!r}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part]
        return node

    def problems(self, value: Any, path: str = "$") -> Iterator[Problem]:
        """Every way ``value`` breaks the schema, in document order.

        Valid data, the common case, is confirmed by the compiled ``is_valid`` first; the
        slower walk that names each problem runs only when something is wrong.
        """
        if self.is_valid(value):
            return
        yield from self._check(self.document, value, path)

    def is_valid(self, value: Any) -> bool:
        """Whether ``value`` fits the schema (a compiled check, several times faster than ``problems``)."""
        if self._compiled is None:
            self._compiled = _Compiler(self).compile(self.document)
        return self._compiled(value)

    def _check(self, node: Any, value: Any, path: str) -> Iterator[Problem]:
        if node is True:
            return
        if node is False:
            yield Problem(path, "is not allowed here")
            return
        if "$ref" in node:
            yield from self._check(self._resolve(node["$ref"]), value, path)
        for sub in node.get("allOf", ()):
            yield from self._check(sub, value, path)
        if "oneOf" in node:
            yield from self._one_of(node["oneOf"], value, path)
        if "type" in node:
            names = node["type"] if isinstance(node["type"], list) else [node["type"]]
            if not any(_is_type(value, name) for name in names):
                yield Problem(path, f"expected {' or '.join(names)}, got {_describe(value)}")
                return
        if "enum" in node and value not in node["enum"]:
            choices = ", ".join(json.dumps(choice) for choice in node["enum"])
            yield Problem(path, f"{json.dumps(value)} is not one of: {choices}")
        if isinstance(value, str):
            yield from self._check_string(node, value, path)
        if _is_type(value, "number") and "minimum" in node and value < node["minimum"]:
            yield Problem(path, f"{value} is less than the minimum {node['minimum']}")
        if isinstance(value, list):
            if "minItems" in node and len(value) < node["minItems"]:
                yield Problem(path, f"needs at least {node['minItems']} item(s)")
            if "items" in node:
                for index, item in enumerate(value):
                    yield from self._check(node["items"], item, f"{path}[{index}]")
        if isinstance(value, dict):
            yield from self._check_object(node, value, path)

    def _check_string(self, node: dict[str, Any], value: str, path: str) -> Iterator[Problem]:
        if "minLength" in node and len(value) < node["minLength"]:
            yield Problem(path, f"must have at least {node['minLength']} character(s)")
        if "maxLength" in node and len(value) > node["maxLength"]:
            yield Problem(path, f"must have at most {node['maxLength']} characters")
        if "pattern" in node and not _pattern(node["pattern"]).search(value):
            yield Problem(path, f"{json.dumps(value)} does not match {node['pattern']}")

    def _check_object(self, node: dict[str, Any], value: dict[str, Any], path: str) -> Iterator[Problem]:
        for key in node.get("required", ()):
            if key not in value:
                yield Problem(path, f"missing required key {key!r}")
        properties = node.get("properties", {})
        extra = node.get("additionalProperties", True)
        for key, item in value.items():
            child = f"{path}.{key}"
            if key in properties:
                yield from self._check(properties[key], item, child)
            elif extra is False:
                yield Problem(child, "is not an allowed key here")
            elif extra is not True:
                yield from self._check(extra, item, child)

    def _one_of(self, branches: list[Any], value: Any, path: str) -> Iterator[Problem]:
        failures = [list(self._check(branch, value, path)) for branch in branches]
        passed = sum(1 for found in failures if not found)
        if passed == 1:
            return
        if passed > 1:
            yield Problem(path, "matches more than one alternative")
            return
        # Report the alternative that failed least, which is the one the author meant.
        yield from min(failures, key=len)


@cache
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source)


def _describe(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _is_type(value, name):
            return name
    return type(value).__name__


class _Compiler:
    """Turns schema nodes into nested closures answering valid / not valid.

    Each keyword becomes one small function, decided once at compile time, so checking a
    document does no keyword look-ups. It must agree with ``Schema._check`` on every value;
    a property test holds the two and ``jsonschema`` to that.
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.refs: dict[str, Check] = {}

    def compile(self, node: Any) -> Check:
        if node is True:
            return lambda value: True
        if node is False:
            return lambda value: False
        checks: list[Check] = []
        if "$ref" in node:
            checks.append(self._ref(node["$ref"]))
        checks.extend(self.compile(sub) for sub in node.get("allOf", ()))
        if "oneOf" in node:
            checks.append(self._one_of([self.compile(sub) for sub in node["oneOf"]]))
        if "type" in node:
            names = node["type"] if isinstance(node["type"], list) else [node["type"]]
            checks.append(lambda value: any(_is_type(value, name) for name in names))
        if "enum" in node:
            choices = node["enum"]
            checks.append(lambda value: value in choices)
        checks.extend(self._string(node))
        if "minimum" in node:
            low = node["minimum"]
            checks.append(lambda value: not _is_type(value, "number") or value >= low)
        checks.extend(self._array(node))
        if {"required", "properties", "additionalProperties"} & set(node):
            checks.append(self._object(node))
        if len(checks) == 1:
            return checks[0]
        sequence = tuple(checks)

        def every(value: Any) -> bool:
            # A plain loop: all() over a generator costs a third more on the loader's hot path.
            for check in sequence:  # noqa: SIM110
                if not check(value):
                    return False
            return True

        return every

    def _ref(self, ref: str) -> Check:
        # Resolved on first use, so a schema that refers to itself cannot recurse forever here.
        if ref not in self.refs:
            self.refs[ref] = lambda value: compiled(value)
            compiled = self.compile(self.schema._resolve(ref))
            self.refs[ref] = compiled
        return self.refs[ref]

    @staticmethod
    def _one_of(branches: list[Check]) -> Check:
        return lambda value: sum(1 for branch in branches if branch(value)) == 1

    @staticmethod
    def _string(node: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "minLength" in node:
            shortest = node["minLength"]
            checks.append(lambda value: not isinstance(value, str) or len(value) >= shortest)
        if "maxLength" in node:
            longest = node["maxLength"]
            checks.append(lambda value: not isinstance(value, str) or len(value) <= longest)
        if "pattern" in node:
            search = _pattern(node["pattern"]).search
            checks.append(lambda value: not isinstance(value, str) or search(value) is not None)
        return checks

    def _array(self, node: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "minItems" in node:
            fewest = node["minItems"]
            checks.append(lambda value: not isinstance(value, list) or len(value) >= fewest)
        if "items" in node:
            item = self.compile(node["items"])

            def each(value: Any) -> bool:
                if isinstance(value, list):
                    for element in value:
                        if not item(element):
                            return False
                return True

            checks.append(each)
        return checks

    def _object(self, node: dict[str, Any]) -> Check:
        required = tuple(node.get("required", ()))
        properties = {key: self.compile(sub) for key, sub in node.get("properties", {}).items()}
        extra = node.get("additionalProperties", True)
        other: Check | None = None if extra is True or extra is False else self.compile(extra)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for key in required:
                if key not in value:
                    return False
            for key, item in value.items():
                known = properties.get(key)
                if known is not None:
                    if not known(item):
                        return False
                elif extra is False or (other is not None and not other(item)):
                    return False
            return True

        return check
