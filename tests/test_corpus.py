from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest

import corpuskit
from corpuskit import corpus
from corpuskit.errors import DocumentNotFoundError, InputError, ValidationError
from tests.conftest import WriteDoc

SEED_SHA256 = "7ccf78e6ad615bbc86d7b931b55b0970ee1b479eff66efaed2b7886eedbda4a2"


def test_article_is_byte_identical_to_the_seed(gold_folder: Path) -> None:
    raw = (gold_folder / "text.txt").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SEED_SHA256
    assert len(raw) == 3995 and raw.count(b"\n") == 23 and not raw.endswith(b"\n")


def test_load_by_id_has_metadata_and_sections(gold: corpuskit.Document) -> None:
    assert gold.id == "hanoi-summit-2019"
    assert gold.creation_time == "2019-02-28"
    kinds = [s.kind for s in gold.sections]
    assert kinds[:3] == ["headline", "lede", "caption"] and set(kinds[3:]) == {"paragraph"}
    assert len(gold.sections) == 24
    # Sections tile the text line by line.
    assert "\n".join(s.text for s in gold.sections) == gold.text


def test_documents_and_ids() -> None:
    assert "hanoi-summit-2019" in corpuskit.document_ids()
    assert [d.id for d in corpuskit.documents()] == corpuskit.document_ids()


def test_load_from_folder_and_from_annotations_file(write_doc: WriteDoc) -> None:
    folder = write_doc()
    assert corpuskit.load(folder).entities[1].text == "Trump"
    assert corpuskit.load(folder / "annotations.json").id == "tiny"


def test_corpus_path_variable_adds_documents(write_doc: WriteDoc, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_doc(name="instructor-doc")
    monkeypatch.setenv(corpus.PATH_VARIABLE, str(folder.parent))
    assert "instructor-doc" in corpuskit.document_ids()
    assert corpuskit.load("instructor-doc").title == "Tiny"


def test_unknown_document_names_the_known_ones() -> None:
    with pytest.raises(DocumentNotFoundError, match="hanoi-summit-2019"):
        corpuskit.load("no-such-doc")


def _broken(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with the item at ``path`` (e.g. 'entities.0.text') replaced."""
    out = copy.deepcopy(data)
    *parents, last = path.split(".")
    node: Any = out
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return out


# Each case: how to break the small document, and what the one-line error must say.
VALIDATION_CASES = [
    ("span out of range", "entities.2.end", 99, r"entities\[2\]: span \[17, 99\) is not inside the text"),
    ("span text differs", "entities.1.text", "Trumpp", r"entities\[1\]: text 'Trumpp' differs from .* 'Trump'"),
    ("unknown label", "entities.0.label", "PERSN", r"entities\[0\]\.label: \"PERSN\" is not one of"),
    ("dangling cluster id", "entities.0.cluster", "kimm", r"entities\[0\]\.cluster: refers to cluster 'kimm'"),
    ("duplicate ids", "entities.1.id", "T1", r"entities\[1\]\.id: duplicate id 'T1'"),
    ("null attribute", "events.0.polarity", None, r"events\[0\]\.polarity: null is not one of"),
    ("bad event type", "events.0.type", "meet", r"does not match"),
    ("negative offset", "entities.0.start", -1, r"less than the minimum"),
    ("offset as string", "entities.0.start", "0", r"expected integer, got string"),
    ("dangling argument cluster", "events.0.arguments.0.cluster", "x", r"arguments\[0\]\.cluster: refers to"),
]


@pytest.mark.parametrize(("case", "path", "value", "message"), VALIDATION_CASES, ids=[c[0] for c in VALIDATION_CASES])
def test_invalid_annotations_are_refused_naming_the_span(
    write_doc: WriteDoc, small_data: dict[str, Any], case: str, path: str, value: Any, message: str
) -> None:
    folder = write_doc(_broken(small_data, path, value))
    with pytest.raises(ValidationError, match=message) as info:
        corpuskit.load(folder)
    assert "\n" not in str(info.value)
    assert str(folder / "annotations.json") in str(info.value)


def test_missing_key_is_named(write_doc: WriteDoc, small_data: dict[str, Any]) -> None:
    del small_data["events"][0]["realis"]
    with pytest.raises(ValidationError, match=r"events\[0\]: missing required key 'realis'"):
        corpuskit.load(write_doc(small_data))


def test_every_problem_is_collected(write_doc: WriteDoc, small_data: dict[str, Any]) -> None:
    data = _broken(_broken(small_data, "entities.0.text", "K"), "entities.1.text", "T")
    with pytest.raises(ValidationError, match=r"\(and 1 more problem\)") as info:
        corpuskit.load(write_doc(data))
    assert len(info.value.problems) == 2


READ_CASES: list[tuple[str, Any, str | bytes, str]] = [
    (
        "malformed JSON",
        b'{"id": "tiny",\n  "metadata": }',
        "Kim met Trump in Hanoi.",
        r"annotations.json:2: invalid JSON",
    ),
    ("empty annotations", b"", "Kim met Trump in Hanoi.", r"annotations.json: is empty"),
    ("empty text", None, b"", r"text.txt: is empty"),
    ("BOM in text", None, b"\xef\xbb\xbfKim met Trump in Hanoi.", r"byte-order mark"),
    (
        "BOM in JSON",
        b'\xef\xbb\xbf{"id": "tiny"}',
        "Kim met Trump in Hanoi.",
        r"annotations.json: starts with a UTF-8 byte-order",
    ),
    ("CRLF text", None, b"Kim met\r\nTrump in Hanoi.", r"text.txt:1: has CR or CRLF line ends"),
    ("non-UTF-8 text", None, b"Kim met Tr\xfcmp in Hanoi.", r"text.txt:1: is not UTF-8 \(byte 0xfc at offset 10\)"),
    ("top level not an object", b"[]", "Kim met Trump in Hanoi.", r"\$: expected object, got array"),
]


@pytest.mark.parametrize(("case", "data", "text", "message"), READ_CASES, ids=[c[0] for c in READ_CASES])
def test_unreadable_files_get_one_line_errors(
    write_doc: WriteDoc, case: str, data: Any, text: str | bytes, message: str
) -> None:
    folder = write_doc(data, text)
    with pytest.raises((InputError, ValidationError), match=message) as info:
        corpuskit.load(folder)
    assert "\n" not in str(info.value)


def test_folder_without_text(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"no text\.txt in this folder"):
        corpuskit.load(tmp_path / "empty")


def test_huge_file_is_refused_before_reading(write_doc: WriteDoc, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_doc()
    monkeypatch.setattr(corpus, "MAX_BYTES", 10)
    with pytest.raises(InputError, match="the limit is 10"):
        corpuskit.load(folder)


def test_text_key_must_match_the_text_file(write_doc: WriteDoc, small_data: dict[str, Any]) -> None:
    folder = write_doc({**small_data, "text": "Kim met Trump in Hue."})
    with pytest.raises(ValidationError, match=r"\$\.text: differs from the document's text file"):
        corpuskit.load(folder)


def test_loader_layer_order_is_the_models() -> None:
    from corpuskit import model

    assert corpus.LAYERS == model.LAYERS


@pytest.mark.parametrize("name", ["annotations.json", "constructed_b.json"])
def test_shipped_files_are_in_canonical_form(gold_folder: Path, name: str) -> None:
    # `corpuskit load --format json` prints the file's data as is; canonical form makes that
    # identical to what the data model writes, so both paths give the same JSON.
    if not (gold_folder / name).exists():
        pytest.skip(f"{name} not in the corpus")
    data = corpus.read_validated(gold_folder / name)
    assert corpuskit.Document.from_dict(data).to_dict() == data
