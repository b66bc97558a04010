"""Getting answers out of the student's kernel as plain JSON, and checking their shape.

After the cell that answers a question has run, the grader executes a short snippet of its
own in the kernel. The snippet ``json.dumps`` the named variable (or calls the named function
on held-out text and dumps what it returns) and prints the JSON on one line that starts with a
marker holding a token fresh for each run. The grader reads that line from the snippet's own
output only and parses it with ``json.loads`` in its own process.

Nothing is ever unpickled, and nothing from the kernel is compared there: an object whose
``__eq__`` always returns True either turns into plain JSON data (an ``int`` subclass dumps as
its integer) or is rejected as not serialisable. Everything in the kernel is the student's, so
a student can forge the printed line; that only changes their own answer, which the grader then
compares with expected values they never see.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MARKER = "@@corpuskit-answer"
# An answer bigger than this is refused rather than parsed (a hostile kernel can print a lot).
MAX_ANSWER_CHARS = 2_000_000
# Plain data is shallow and its numbers are finite: deeper nesting, longer digit strings and
# integers a float cannot hold exactly are refused before any rule compares them.
MAX_DEPTH = 64
MAX_DIGITS = 40
MAX_INT = 2**53


def new_token() -> str:
    return secrets.token_hex(8)


def value_snippet(name: str, token: str, *, table: bool = False) -> str:
    """Kernel code that prints the variable ``name`` as JSON after the marker line."""
    return _SNIPPET.format(token=token, body=_VALUE_BODY.format(name=json.dumps(name), table=table))


def call_snippet(name: str, token: str, texts: Iterable[str]) -> str:
    """Kernel code that calls ``name(text)`` on each text and prints the results as JSON.

    Only the input texts enter the kernel; a result is a list of ``(start, end, label)``
    triples, and spaCy ``Span`` objects are accepted as such triples.
    """
    payload = json.dumps(list(texts))
    return _SNIPPET.format(token=token, body=_CALL_BODY.format(name=json.dumps(name), texts=json.dumps(payload)))


# The snippet keeps its names inside a function and deletes the function afterwards, so the
# student's namespace is left as it was. ``repr`` keeps the output on one line.
_SNIPPET = """\
def _corpuskit_{token}():
    import json as _json
    _ns = globals()
{body}
    try:
        _text = _json.dumps(_out, allow_nan=False)
    except Exception as _err:  # noqa
        _text = _json.dumps({{"status": "unserialisable", "error": type(_err).__name__ + ": " + str(_err)[:300]}})
    print("{marker} {token} " + _text, flush=True)
try:
    _corpuskit_{token}()
finally:
    del _corpuskit_{token}
""".replace("{marker}", MARKER)

_VALUE_BODY = """\
    if {name} not in _ns:
        _out = {{"status": "missing"}}
    else:
        _value = _ns[{name}]
        _kind = type(_value).__name__
        try:
            if {table} and type(_value).__module__.startswith("pandas") and hasattr(_value, "to_json"):
                _value = _json.loads(_value.to_json(orient="split"))
            _out = {{"status": "ok", "type": _kind, "value": _json.loads(_json.dumps(_value, allow_nan=False))}}
        except Exception as _err:  # noqa
            _why = type(_err).__name__ + ": " + str(_err)[:300]
            _out = {{"status": "unserialisable", "type": _kind, "error": _why}}"""

# Kernel code that tags each text with ``_tag`` and keeps the spans it returns (spaCy spans taken as
# ``(start, end, label)`` triples); a text whose tagging raises reports the error, and ``_failed``, when
# set, is every text's error. The call and train bodies below define ``_tag`` and ``_failed``.
_TAG_EACH = """\
        for _text in _json.loads({texts}):
            if _failed:
                _results.append({{"ok": False, "error": _failed}})
                continue
            try:
                _items = []
                for _item in _tag(_text):
                    if hasattr(_item, "start_char") and hasattr(_item, "label_"):
                        _item = (_item.start_char, _item.end_char, _item.label_)
                    _items.append(list(_item))
                _results.append({{"ok": True, "value": _json.loads(_json.dumps(_items, allow_nan=False))}})
            except KeyboardInterrupt:
                raise
            except BaseException as _err:  # noqa: a SystemExit or a class of the student's own too
                _results.append({{"ok": False, "error": type(_err).__name__ + ": " + str(_err)[:300]}})
        _out = {{"status": "ok", "results": _results}}"""

_CALL_BODY = (
    """\
    _fn = _ns.get({name})
    if not callable(_fn):
        _out = {{"status": "missing"}}
    else:
        _results, _failed, _tag = [], None, _fn
"""
    + _TAG_EACH
)


# Kernel code for a ``calls`` question: ``name(*args)`` for each grader-made argument list. Lists
# of plain values arrive as tuples, so spans are ``(start, end, label)`` tuples as everywhere in
# corpuskit. Only the arguments enter the kernel; the reference results stay with the grader.
_APPLY_BODY = """\
    def _tuples(_x):
        if isinstance(_x, list):
            _items = [_tuples(_i) for _i in _x]
            _flat = _items and all(not isinstance(_i, (list, tuple, dict)) for _i in _items)
            return tuple(_items) if _flat else _items
        return _x
    _fn = _ns.get({name})
    if not callable(_fn):
        _out = {{"status": "missing"}}
    else:
        _results = []
        for _args in _json.loads({args}):
            try:
                _value = _fn(*[_tuples(_a) for _a in _args])
                _results.append({{"ok": True, "value": _json.loads(_json.dumps(_value, allow_nan=False))}})
            except KeyboardInterrupt:
                raise
            except BaseException as _err:  # noqa: a SystemExit or a class of the student's own too
                _results.append({{"ok": False, "error": type(_err).__name__ + ": " + str(_err)[:300]}})
        _out = {{"status": "ok", "results": _results}}"""


# Kernel code for a question that trains: ``name(train)`` once, then what it returns (a spaCy
# pipeline, or any function of a text) tags each held-out text. The training documents are
# plain data, ``[text, [[start, end, label], ...]]`` pairs the students can see anyway.
_TRAIN_BODY = (
    """\
    _fn = _ns.get({name})
    if not callable(_fn):
        _out = {{"status": "missing"}}
    else:
        _results = []
        try:
            _tagger, _failed = _fn(_json.loads({train})), None
        except Exception as _err:  # noqa
            _tagger, _failed = None, type(_err).__name__ + ": " + str(_err)[:300]
        def _tag(_text):
            _found = _tagger(_text)
            return getattr(_found, "ents", _found)
"""
    + _TAG_EACH
)


def train_snippet(name: str, token: str, train: Any, texts: Iterable[str]) -> str:
    """Kernel code that trains with ``name(train)``, then tags each text with what it returned."""
    texts_payload, train_payload = json.dumps(list(texts)), json.dumps(train)
    body = _TRAIN_BODY.format(name=json.dumps(name), texts=json.dumps(texts_payload), train=json.dumps(train_payload))
    return _SNIPPET.format(token=token, body=body)


def apply_snippet(name: str, token: str, args: Sequence[Any]) -> str:
    """Kernel code that calls ``name(*a)`` for each argument list and prints the results as JSON."""
    payload = json.dumps(list(args))
    body = _APPLY_BODY.format(name=json.dumps(name), args=json.dumps(payload))
    return _SNIPPET.format(token=token, body=body)


@dataclass(frozen=True, slots=True)
class Pulled:
    """What the snippet reported: ``status`` is ok / missing / unserialisable / no-answer.

    ``error`` is the kernel's own word (an exception's ``Name: message``), which may quote anything
    the kernel holds; ``reason`` is the grader's, written here, and safe to repeat.
    """

    status: str
    value: Any = None
    type_name: str = ""
    error: str = ""
    reason: str = ""


def parse_outputs(outputs: Iterable[Mapping[str, Any]], token: str) -> Pulled:
    """The answer in the snippet's outputs (the first marker line with this run's token)."""
    prefix = f"{MARKER} {token} "
    for output in outputs:
        if output.get("output_type") != "stream" or output.get("name") != "stdout":
            continue
        for line in str(output.get("text", "")).splitlines():
            if not line.startswith(prefix):
                continue
            raw = line[len(prefix) :]
            if len(raw) > MAX_ANSWER_CHARS:
                return Pulled("unserialisable", reason=f"the answer is over {MAX_ANSWER_CHARS:,} characters of JSON")
            return _record(raw)
    return Pulled("no-answer")


class _Refused(ValueError):
    """A token in the answer's JSON that plain data does not have."""


def _constant(token: str) -> Any:
    raise _Refused(f"{token} is not a number plain data can hold")


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _Refused(f"an integer of more than {MAX_DIGITS} digits")
    return int(digits)


def _real(digits: str) -> float:
    value = float(digits)
    if not math.isfinite(value):
        raise _Refused("a number beyond the range of a float")
    return value


def _record(raw: str) -> Pulled:
    """The snippet's JSON record, or why it cannot be read as plain data."""
    if _depth_over(raw, MAX_DEPTH):
        return Pulled("unserialisable", reason=f"the answer is nested more than {MAX_DEPTH} levels deep")
    try:
        data = json.loads(raw, parse_constant=_constant, parse_int=_integer, parse_float=_real)
    except _Refused as err:
        return Pulled("unserialisable", reason=f"not plain data: {err}")
    except (ValueError, RecursionError) as err:
        why = err.msg if isinstance(err, json.JSONDecodeError) else type(err).__name__
        return Pulled("unserialisable", reason=f"not JSON: {why}")
    if not isinstance(data, dict) or data.get("status") not in ("ok", "missing", "unserialisable"):
        return Pulled("unserialisable", reason="malformed answer record")
    if data["status"] != "ok":
        return Pulled(data["status"], type_name=_text(data.get("type")), error=_text(data.get("error")))
    value = data.get("results") if "results" in data else data.get("value")
    problem = _plain_problem(value)
    if problem:
        return Pulled("unserialisable", type_name=_text(data.get("type")), reason=f"not plain data: {problem}")
    return Pulled("ok", value, _text(data.get("type")))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# One token of the nesting scan: a whole string (an unterminated one runs to the end, so no later quote
# starts a fresh scan) or a bracket. Possessive loops keep every match, hence the scan, linear in the line.
_NESTING_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)


def _depth_over(raw: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (checked before parsing, which recurses)."""
    depth = 0
    for m in _NESTING_TOKEN.finditer(raw):
        token = m.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _plain_problem(value: Any) -> str | None:
    """Why parsed JSON is not plain answer data (an integer beyond what a float holds exactly), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is int and abs(item) > MAX_INT:
            return f"an integer beyond {MAX_INT:,}"
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return None


_TYPE = re.compile(r"\s+")


def type_problem(value: Any, type_spec: str, label: str = "the answer") -> str | None:
    """Why a plain JSON value does not have the declared shape, or None when it does.

    Types: ``any``, ``int``, ``float`` (ints accepted), ``str``, ``bool``, ``list[T]``,
    ``dict[str,T]``, ``span`` (``[start, end, label]``), ``spans`` (``list[span]``) and
    ``table`` (a pandas DataFrame as ``to_json(orient="split")`` gives it).
    """
    spec = _TYPE.sub("", type_spec)
    if spec == "any":
        return None
    if spec == "int":
        return None if type(value) is int else f"{label} should be an int, not {_json_type(value)}"
    if spec == "float":
        ok = type(value) in (int, float)
        return None if ok else f"{label} should be a number, not {_json_type(value)}"
    if spec == "str":
        return None if isinstance(value, str) else f"{label} should be a str, not {_json_type(value)}"
    if spec == "bool":
        return None if isinstance(value, bool) else f"{label} should be True or False, not {_json_type(value)}"
    if spec == "spans":
        spec = "list[span]"
    if spec == "span":
        ok = (
            isinstance(value, list)
            and len(value) == 3
            and type(value[0]) is int
            and type(value[1]) is int
            and isinstance(value[2], str)
        )
        return None if ok else f"{label} should be a (start, end, label) triple, not {_shape(value)}"
    if spec == "table":
        return None if _is_table(value) else f"{label} should be a pandas DataFrame"
    if spec.startswith("list[") and spec.endswith("]"):
        if not isinstance(value, list):
            return f"{label} should be a list, not {_json_type(value)}"
        for i, item in enumerate(value):
            problem = type_problem(item, spec[5:-1], f"item {i} of {label}")
            if problem:
                return problem
        return None
    if spec.startswith("dict[str,") and spec.endswith("]"):
        if not isinstance(value, dict):
            return f"{label} should be a dict, not {_json_type(value)}"
        for key, item in value.items():
            problem = type_problem(item, spec[9:-1], f"{label}[{_short_key(key)}]")
            if problem:
                return problem
        return None
    raise ValueError(f"unknown answer type {type_spec!r}")


def _short_key(key: str) -> str:
    text = repr(key)
    return text if len(text) <= 40 else text[:39] + "…"


def _is_table(value: Any) -> bool:
    """A DataFrame as ``to_json(orient="split")`` gives it: one row of cells per index entry."""
    if not isinstance(value, dict) or not {"columns", "index", "data"} <= set(value):
        return False
    columns, index, data = value["columns"], value["index"], value["data"]
    if not (isinstance(columns, list) and isinstance(index, list) and isinstance(data, list)):
        return False
    hashable = all(isinstance(c, (str, int, float, bool)) or c is None for c in (*columns, *index))
    rows = all(isinstance(row, list) and len(row) == len(columns) for row in data)
    return hashable and rows and len(index) == len(data)


def _json_type(value: Any) -> str:
    names = {bool: "a bool", int: "an int", float: "a float", str: "a str", list: "a list", dict: "a dict"}
    return "None" if value is None else names.get(type(value), type(value).__name__)


def _shape(value: Any) -> str:
    """What a value is, without repeating what it holds (it may hold text sent into the kernel)."""
    if isinstance(value, list):
        kinds = sorted({_json_type(v) for v in value})
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}" + (
            f" ({', '.join(kinds[:3])})" if kinds else ""
        )
    return _json_type(value)
