"""Generate, from the data model, the JSON Schema and the checker of the start-up path.

``corpuskit.model`` is the one definition of the format. From it this module writes
``corpus/schema/annotations.schema.json`` (for other tools and readers) and
``src/corpuskit/_contract.py``: the layer list, the field table for canonical JSON, and a
structural check compiled to plain Python by ``fastjsonschema``, which ``corpuskit load
--format json`` runs without paying for importing ``msgspec`` and the model. Both files are
committed; a test fails when either is stale.

    python -m corpuskit.schema           # rewrite both files
    python -m corpuskit.schema --check   # exit 1 if either differs
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path
from typing import Any, get_args, get_type_hints

SCHEMA_FILE = "annotations.schema.json"
CONTRACT_MODULE = Path(__file__).with_name("_contract.py")
SCHEMA_ID = "corpuskit/annotations.schema.json"
DESCRIPTION = (
    "One document and its standoff annotations. Offsets are 0-based, half-open [start, end) Python "
    "str indices into the exact text of the document's text.txt, and every span's text equals "
    "text[start:end]. 'text' may be left out of an annotations.json (text.txt holds it) and absent "
    "layers are empty; `corpuskit load DOC --format json` prints the object with every key. "
    "Generated from corpuskit.model by `python -m corpuskit.schema`."
)


def schema_path() -> Path:
    from corpuskit.corpus import shipped_corpus

    return shipped_corpus() / "schema" / SCHEMA_FILE


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a document, generated from ``corpuskit.model``."""
    import msgspec

    from corpuskit.model import Document, Metadata

    _, components = msgspec.json.schema_components((Document, Metadata), ref_template="#/$defs/{name}")
    for node in components.values():
        node.pop("title", None)
        if node.get("required") == []:
            del node["required"]
    top = components.pop("Document")
    # The model keeps metadata a plain mapping; its known keys are checked against Metadata.
    top["properties"]["metadata"] = {"$ref": "#/$defs/Metadata", "default": {}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "corpuskit document",
        "description": DESCRIPTION,
        **{key: value for key, value in top.items() if key != "description"},
        "$defs": dict(sorted(components.items())),
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def field_table() -> dict[str, tuple[tuple[str, str, str, Any], ...]]:
    """Per model class: (key, class of its objects or "", how it is written, default)."""
    import msgspec

    from corpuskit import model
    from corpuskit.canonical import DEFAULT, OMIT, REQUIRED

    table: dict[str, tuple[tuple[str, str, str, Any], ...]] = {}
    classes: list[type[msgspec.Struct]] = [model.Document, model.Span, model.Section, model.Entity]
    classes += [model.Mention, model.Cluster, model.Quote, model.Argument, model.Event, model.Timex]
    for cls in classes:
        hints = get_type_hints(cls)
        omitted: frozenset[str] = getattr(cls, "json_omit_empty", frozenset())
        rows = []
        for info in msgspec.structs.fields(cls):
            if info.default is not msgspec.NODEFAULT:
                how, default = DEFAULT, info.default
            elif info.default_factory is not msgspec.NODEFAULT:
                how, default = DEFAULT, info.default_factory()
            else:
                how, default = REQUIRED, None
            if info.name in omitted:
                how = OMIT
            default = list(default) if isinstance(default, tuple) else default
            # Metadata stays a mapping in the model; its canonical key order is Metadata's.
            child = "Metadata" if info.name == "metadata" else _model_class(hints[info.name])
            rows.append((info.name, child, how, default))
        order = getattr(cls, "json_order", [row[0] for row in rows])
        table[cls.__name__] = tuple(sorted(rows, key=lambda row: order.index(row[0])))
    table["Metadata"] = tuple((name, "", OMIT, None) for name in model.Metadata.__struct_fields__)
    return table


def _model_class(hint: Any) -> str:
    """The model class a field holds (directly, in a tuple, or or-None), or "" for plain values."""
    from corpuskit import model

    if isinstance(hint, type) and hint.__module__ == model.__name__ and hint.__name__ != "Metadata":
        return hint.__name__
    for arg in get_args(hint):
        found = _model_class(arg)
        if found:
            return found
    return ""


def contract_source() -> str:
    """The text of ``_contract.py``: layers, field table, and the compiled structural check."""
    import fastjsonschema

    from corpuskit import model

    definition = copy.deepcopy(json_schema())
    # fastjsonschema knows drafts 4 to 7 (the keywords used are common to all) and would
    # resolve the relative $id as a remote address.
    del definition["$schema"], definition["$id"]
    # Formats are left to corpuskit.validate (real calendar dates), as msgspec leaves them.
    code = fastjsonschema.compile_to_code(definition, detailed_exceptions=False, use_default=False, use_formats=False)
    code = _standalone(code)
    layers = model.Document.__struct_fields__[3:]
    header = (
        '"""Generated by `python -m corpuskit.schema` from corpuskit.model; do not edit.\n\n'
        "``check(data)`` raises ``JsonSchemaValueException`` when ``data`` breaks the structure\n"
        "the model defines; ``corpuskit.corpus`` then asks ``msgspec`` for the one-line message.\n"
        '"""\n\n'
        "# ruff: noqa\n"
        "# mypy: ignore-errors\n\n"
        f"LAYERS = {layers!r}\n"
        f"FIELDS = {field_table()!r}\n"
        "OPEN = frozenset({'Metadata'})\n\n\n"
        "class JsonSchemaValueException(ValueError):\n"
        "    def __init__(self, message, value=None, name=None, definition=None, rule=None):\n"
        "        super().__init__(message)\n"
        "        self.name = name\n\n\n"
        "JsonSchemaValuesException = JsonSchemaValueException\n\n\n"
    )
    checker = (
        "\n\ndef check(data: object) -> None:\n"
        '    """Raise ``JsonSchemaValueException`` when ``data`` breaks the structure."""\n'
        "    validate(data)\n"
    )
    return header + code + checker


def _standalone(code: str) -> str:
    """fastjsonschema's generated code with its imports made local and JSON Schema's one
    leniency the model does not share removed: an integral float (``1.0``) is no integer here."""
    code = re.sub(r"^VERSION = .*\n", "", code, flags=re.M)
    code = re.sub(r"^from fastjsonschema import .*\n", "", code, flags=re.M)
    code = re.sub(r"^from decimal import Decimal\n", "", code, flags=re.M)
    code = code.replace("(int, float, Decimal)", "(int, float)")
    code, floats = re.subn(r" and not \(isinstance\((\w+), float\) and \1\.is_integer\(\)\)", "", code)
    # The paths the generated calls build for each item only word fastjsonschema's messages,
    # which corpuskit never shows (msgspec words them); building them costs most of the check.
    item_path = r'custom_formats, \(name_prefix or "data"\) \+ "[^"]*"(?:\.format\(\*\*locals\(\)\))?\)'
    code, calls = re.subn(item_path, "custom_formats)", code)
    if "Decimal" in code or "fastjsonschema" in code or not floats or not calls:
        raise RuntimeError("fastjsonschema's output changed shape; update _standalone")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in ((schema_path(), schema_text()), (CONTRACT_MODULE, contract_source())):
        if path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        print("stale: " + ", ".join(map(str, stale)) + "; run python -m corpuskit.schema", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
