from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import bratly
import pytest
from hypothesis import HealthCheck, given, settings

from corpuskit.corpus import from_data
from corpuskit.errors import InputError
from corpuskit.formats.base import LayerNotCarriedWarning
from corpuskit.formats.brat import annotation_conf, dumps_ann, read_brat, write_brat
from corpuskit.model import Document
from tests.conftest import SMALL_TEXT
from tests.strategies import documents

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def tiny(small_data: dict[str, Any]) -> Document:
    return from_data(small_data, SMALL_TEXT, "<tiny>")


def test_gold_round_trips(gold: Document, tmp_path: Path) -> None:
    written = write_brat(tmp_path, gold)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    assert (tmp_path / f"{gold.id}.txt").read_text() == gold.text
    assert read_brat(tmp_path / f"{gold.id}.ann") == gold


@SETTINGS
@given(documents())
def test_generated_documents_round_trip(tmp_path_factory: pytest.TempPathFactory, doc: Document) -> None:
    folder = tmp_path_factory.mktemp("brat")
    write_brat(folder / "doc", doc)
    assert read_brat(folder / "doc") == doc


def test_tiny_ann_lines(tiny: Document) -> None:
    ann = dumps_ann(tiny)
    assert "T2\tPERSON 0 3\tKim\n" in ann
    assert "E1\tContact_Meet:T7 Entity:T8\n" in ann
    assert "A3\tPolarity E1 positive\n" in ann
    assert '#2\tAnnotatorNotes T2\t{"id": "T1"}\n' in ann
    # Coreference is brat's equivalence: the mention, the entity and the argument of cluster kim.
    assert "*\tCoref T5 T2 T8\n" in ann
    assert (
        '\tAnnotatorNotes T5\t{"cluster": "kim", "name": "Kim Jong Un", "type": "PERSON", "wikidata": "Q56226"}\n'
        in ann
    )


def test_annotation_made_in_brat_without_notes_reads_with_defaults(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SMALL_TEXT)
    (tmp_path / "a.ann").write_text(
        "T1\tPERSON 0 3\tKim\nT2\tContact_Meet 4 7\tmet\nT3\tGPE 8 13;17 22\tTrump Hanoi\nE1\tContact_Meet:T2\n"
    )
    with pytest.warns(LayerNotCarriedWarning, match="T3 is discontinuous"):
        doc = read_brat(tmp_path / "a.ann")
    assert doc.id == "a" and doc.metadata == {"title": "a"}
    assert [(e.id, e.start, e.end, e.label) for e in doc.entities] == [("T1", 0, 3, "PERSON"), ("T3", 8, 22, "GPE")]
    event = doc.events[0]
    assert (event.id, event.type, event.polarity, event.modality, event.tense, event.realis) == (
        "E1",
        "Contact.Meet",
        "positive",
        "asserted",
        "unspecified",
        "actual",
    )


BAD_ANN = {
    "bad offsets": ("T1\tPERSON 0 99\tKim\n", 1, "not inside the text"),
    "wrong text": ("T1\tPERSON 0 3\tKim\nT2\tPERSON 8 13\tTrumb\n", 2, "is this the .ann of another text"),
    "unknown id": ("T1\tPERSON 0 3\tKim\nA1\tRole T7 ORG\n", 2, "refers to T7, which is not defined"),
    "unknown trigger": ("E1\tContact_Meet:T4\n", 1, "refers to T4"),
    "truncated T": ("T1\tPERSON 0 3\tKim\nT2\tPERSON 8\n", 2, "malformed T line"),
    "truncated E": ("T1\tContact_Meet 4 7\tmet\nE1\tContact_Meet\n", 2, "malformed E line"),
    "unknown type": ("T1\tPERSN 0 3\tKim\n", 1, "'PERSN' is not an entity label"),
    "bad note": ("T1\tPERSON 0 3\tKim\n#1\tAnnotatorNotes T1\tnot json\n", 2, "not a JSON object"),
    "duplicate id": ("T1\tPERSON 0 3\tKim\nT1\tPERSON 8 13\tTrump\n", 2, "duplicate id T1"),
    "garbage": ("T1\tPERSON 0 3\tKim\nhello\n", 2, "not a brat annotation line"),
}


@pytest.mark.parametrize("case", sorted(BAD_ANN))
def test_malformed_ann_is_refused_naming_file_and_line(tmp_path: Path, case: str) -> None:
    ann, line, message = BAD_ANN[case]
    (tmp_path / "a.txt").write_text(SMALL_TEXT)
    (tmp_path / "a.ann").write_text(ann)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        read_brat(tmp_path / "a")
    assert info.value.path == str(tmp_path / "a.ann") and info.value.line == line


def test_missing_ann_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SMALL_TEXT)
    with pytest.raises(InputError, match="no such file"):
        read_brat(tmp_path / "a")


# -- conformance: bratly (PyPI) parses every line we write --------------------------------


def bratly_parse(ann: str) -> dict[str, Any]:
    """Parse an .ann with bratly's per-line parsers, in brat's order (spans, then the rest)."""
    spans: dict[str, Any] = {}
    every: dict[str, Any] = {}
    lines = ann.splitlines()
    chains = []
    for line in lines:
        if line.startswith("T"):
            spans[line.split("\t")[0]] = every[line.split("\t")[0]] = bratly.EntityAnnotation.from_line(line)
    for line in lines:
        if re.fullmatch(r"E\d+\t[\w/-]+:T\d+", line):
            # brat allows an event without arguments; bratly's regex wants one. Check what
            # bratly would: the trigger is a parsed span of the event's type.
            eid, (kind, trigger) = line.split("\t")[0], line.split("\t")[1].split(":")
            assert spans[trigger].label == kind
            every[eid] = bratly.EventAnnotation(id=eid, label=kind, event_trigger=spans[trigger], args={})
        elif line.startswith("E"):
            every[line.split("\t")[0]] = bratly.EventAnnotation.from_line(line, spans)
        elif line.startswith("R"):
            every[line.split("\t")[0]] = bratly.RelationAnnotation.from_line(line, spans)
        elif line.startswith("*"):
            chains.append(bratly.EquivalenceAnnotation.from_line(line, spans))
    for line in lines:
        if line.startswith("A"):
            every[line.split("\t")[0]] = bratly.AttributeAnnotation.from_line(line, every)
        elif line.startswith("#"):
            every[line.split("\t")[0]] = bratly.NoteAnnotation.from_line(line, every)
    every.update((f"*{n}", chain) for n, chain in enumerate(chains, start=1))
    return every


def test_bratly_reads_our_ann_with_the_same_spans(gold: Document, tiny: Document, tmp_path: Path) -> None:
    for doc in (gold, tiny):
        ann = dumps_ann(doc)
        parsed = bratly_parse(ann)
        assert len(parsed) == len(ann.splitlines())
        entities = [a for a in parsed.values() if isinstance(a, bratly.EntityAnnotation)]
        for entity in entities:
            [fragment] = entity.fragments
            assert entity.content == doc.text[fragment.start : fragment.end].replace("\n", " ")
        ours = {(e.start, e.end, e.label) for e in doc.entities}
        theirs = {
            (a.fragments[0].start, a.fragments[0].end, a.label)
            for a in entities
            if a.label.isupper() and a.label != "TIMEX3"
        }
        assert theirs == ours
        events = [a for a in parsed.values() if isinstance(a, bratly.EventAnnotation)]
        assert len(events) == len(doc.events)
        notes = [a for a in parsed.values() if isinstance(a, bratly.NoteAnnotation)]
        assert all(isinstance(json.loads(n.value), dict) for n in notes)


def test_annotation_conf_lists_every_type_we_write(tiny: Document) -> None:
    conf = annotation_conf(tiny)
    ann = dumps_ann(tiny)
    sections = dict(re.findall(r"\[(\w+)\]\n(.*?)(?=\n\[|\Z)", conf, re.S))
    declared = {line.split("\t")[0] for body in sections.values() for line in body.splitlines() if line}
    used = {m for m in re.findall(r"^T\d+\t(\S+)", ann, re.M)} | {m for m in re.findall(r"^A\d+\t(\S+)", ann, re.M)}
    used |= set(re.findall(r"^R\d+\t(\S+)", ann, re.M)) | set(re.findall(r"^\*\t(\S+)", ann, re.M))
    assert used <= declared
    assert "Coref\tArg1:Mention|Argument|Source|PERSON|" in conf and "<REL-TYPE>:symmetric-transitive" in conf


def test_event_roles_take_only_the_spans_an_argument_can_be() -> None:
    events = re.search(r"\[events\]\n(.*?)\n\n", annotation_conf(), re.S)
    assert events
    macros: dict[str, str] = {}
    for line in events.group(1).splitlines():
        if match := re.fullmatch(r"(<\w+>)=(.*)", line):
            macros[match.group(1)] = match.group(2)
            continue
        for name, value in macros.items():  # brat expands macros in the order they are defined
            line = line.replace(name, value)
        for slot in line.split("\t")[1].split(", "):
            role, targets = slot.split(":")
            kinds = set(targets.split("|"))
            assert "Argument" in kinds and "PERSON" in kinds and "TIMEX3" in kinds, line
            assert not kinds & {"Headline", "Paragraph", "Quote", "Cue", "Source", "<ENTITY>"}, line
            assert ("<EVENT>" in kinds) == (role == "Event*"), line


# -- files written by brat itself (tests/fixtures/brat/README.md) --------------------------

BRAT = Path(__file__).parent / "fixtures" / "brat"


def test_the_article_resaved_by_brat_reads_as_the_gold(gold: Document) -> None:
    ann = (BRAT / "hanoi-resaved.ann").read_text()
    assert re.search(r"^R\d+\tSpeaker Arg1:T\d+ Arg2:T\d+\t$", ann, re.M), "brat's relation ends in a tab"
    assert re.search(r"^E\d+\t\w+:T\d+ $", ann, re.M), "brat's event without arguments ends in a space"
    back = read_brat(BRAT / "hanoi-resaved.ann")
    for layer in gold.to_dict(include_text=False):
        if layer not in ("id", "metadata"):
            assert back.layer(layer) == gold.layer(layer), layer


def test_annotations_drawn_in_brat_read_back() -> None:
    doc = read_brat(BRAT / "drawn-in-brat.ann")
    [reyes] = doc.clusters
    # Coreference drawn as Coref links: the type comes from the PERSON entity in the chain.
    assert (reyes.name, reyes.type) == ("Tomas Reyes", "PERSON")
    assert [(m.text, m.form) for m in reyes.mentions] == [("Tomas Reyes", "name"), ("who", "pronoun")]
    assert {e.text: e.cluster for e in doc.entities} == {"Kelsbury": None, "Ruth Okafor": None, "Tomas Reyes": reyes.id}
    [quote] = doc.quotes
    assert (quote.cue and quote.cue.text, quote.source and quote.source.text) == ("said", "Tomas Reyes")
    assert quote.speaker == reyes.id
    events = {e.trigger.text: e for e in doc.events}
    assert [(a.role, a.text) for a in events["voted"].arguments] == [("Entity", "Kelsbury")]
    # An Event argument drawn to another event stands for that event's trigger.
    assert [(a.role, a.text) for a in events["ending"].arguments] == [("Event", "dispute")]
    assert events["starting"].arguments == ()
    [timex] = doc.timexes
    assert (timex.text, timex.type, timex.value) == ("Tuesday night", "TIME", "2024-04-30TNI")


def test_a_cluster_without_a_type_is_refused_not_guessed() -> None:
    with pytest.raises(InputError, match=r"the cluster of 'the bay' has no type; link one of its mentions") as info:
        read_brat(BRAT / "mention-without-type.ann")
    lines = (BRAT / "mention-without-type.ann").read_text().splitlines()
    assert info.value.line is not None and lines[info.value.line - 1].endswith("\tMention 572 579\tthe bay")


NOTED = {
    # A cluster note without name or type: the type is the label of the entity at the mention.
    "entity at the mention": (
        'T1\tGPE 17 22\tHanoi\nT2\tMention 17 22\tHanoi\n#1\tAnnotatorNotes T2\t{"cluster": "c"}\n',
        "GPE",
    ),
    "no entity": ('T2\tMention 17 22\tHanoi\n#1\tAnnotatorNotes T2\t{"cluster": "c"}\n', None),
}


@pytest.mark.parametrize("case", sorted(NOTED))
def test_a_cluster_note_without_a_type_takes_the_entity_label_or_is_refused(tmp_path: Path, case: str) -> None:
    ann, label = NOTED[case]
    (tmp_path / "a.txt").write_text(SMALL_TEXT)
    (tmp_path / "a.ann").write_text(ann)
    if label is None:
        with pytest.raises(InputError, match="has no type"):
            read_brat(tmp_path / "a")
    else:
        [cluster] = read_brat(tmp_path / "a").clusters
        assert (cluster.id, cluster.name, cluster.type) == ("c", "Hanoi", label)


def test_an_argument_pointing_at_a_section_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SMALL_TEXT)
    (tmp_path / "a.ann").write_text(
        "T1\tParagraph 0 23\tKim met Trump in Hanoi.\nT2\tContact_Meet 4 7\tmet\nE1\tContact_Meet:T2 Place:T1\n"
    )
    with pytest.raises(InputError, match=r"E1: argument Place:T1 is a Paragraph; it must be an Argument"):
        read_brat(tmp_path / "a")


def test_a_fresh_documents_conf_declares_every_event_type_and_role_the_gold_uses(gold: Document) -> None:
    conf = annotation_conf()  # what `corpuskit load` writes for a document without events
    declared = set(re.findall(r"^(\w+(?:-\w+)*)\t<ROLES>$", conf, re.M))
    assert {e.type.replace(".", "_") for e in gold.events} <= declared
    roles = re.search(r"^<ROLES>=(.*)$", conf, re.M)
    assert roles
    named = {slot.split("*")[0] for slot in roles.group(1).split(", ")}
    assert {a.role.replace("-", "_") for e in gold.events for a in e.arguments} <= named
