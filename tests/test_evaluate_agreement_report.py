"""Agreement on every layer of two small hand-made annotations, every figure worked by hand;
the tables, the list of disagreements and ``corpuskit agree``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from corpuskit.cli import EXIT_INVALID, EXIT_OK, main
from corpuskit.evaluate.agreement import DocumentAgreement, compare
from corpuskit.evaluate.agreement_report import disagreements, format_agreement
from corpuskit.evaluate.counts import Counts
from corpuskit.model import Argument, Cluster, Document, Entity, Event, Mention, Quote, Section, Span, Timex

TEXT = 'Kim met Trump in Hanoi on Wednesday night. "No deal," Trump said. He will meet Kim again.'
META = {"title": "Kim met Trump", "creation_time": "2019-02-28"}


def at(text: str, nth: int = 0) -> Span:
    """The ``nth`` occurrence of ``text`` in TEXT as a span."""
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(text, start + 1)
    return Span(start, start + len(text), text)


def entity(i: int, text: str, label: str, nth: int = 0, cluster: str | None = None) -> Entity:
    s = at(text, nth)
    return Entity(f"T{i}", s.start, s.end, s.text, label, cluster)


def mention(text: str, form: str = "name", nth: int = 0) -> Mention:
    s = at(text, nth)
    return Mention(s.start, s.end, s.text, form)  # type: ignore[arg-type]


def arg(role: str, text: str, nth: int = 0) -> Argument:
    s = at(text, nth)
    return Argument(role, s.start, s.end, s.text)


def timex(i: int, text: str, type_: str, value: str) -> Timex:
    s = at(text)
    return Timex(f"X{i}", s.start, s.end, s.text, type_, value)  # type: ignore[arg-type]


SECTIONS = (Section("S1", "paragraph", 0, len(TEXT), TEXT),)

DOC_A = Document(
    "tiny",
    TEXT,
    META,
    SECTIONS,
    entities=(
        entity(1, "Kim", "PERSON", cluster="kim"),
        entity(2, "Trump", "PERSON", cluster="trump"),
        entity(3, "Hanoi", "GPE"),
        entity(4, "Wednesday night", "TIME"),
        entity(5, "Trump", "PERSON", 1, cluster="trump"),
        entity(6, "Kim", "PERSON", 1, cluster="kim"),
    ),
    clusters=(
        Cluster("kim", "Kim Jong Un", "PERSON", (mention("Kim"), mention("Kim", nth=1))),
        Cluster(
            "trump", "Donald Trump", "PERSON", (mention("Trump"), mention("Trump", nth=1), mention("He", "pronoun"))
        ),
    ),
    quotes=(Quote("Q1", at('"No deal,"'), at("said"), at("Trump", 1), "trump", "direct"),),
    events=(
        Event(
            "E1",
            at("met"),
            "Contact.Meet",
            (
                arg("Entity", "Kim"),
                arg("Entity", "Trump"),
                arg("Place", "Hanoi"),
                arg("Time-Within", "Wednesday night"),
            ),
            "positive",
            "asserted",
            "past",
            "actual",
        ),
        Event("E2", at("deal"), "Agreement.Reach", (), "negative", "asserted", "past", "other"),
        Event(
            "E3",
            at("meet"),
            "Contact.Meet",
            (arg("Entity", "He"), arg("Entity", "Kim", 1)),
            "positive",
            "other",
            "future",
            "other",
        ),
    ),
    timexes=(timex(1, "Wednesday night", "TIME", "2019-02-27TNI"),),
)

# B: Trump labelled ORG, "Wednesday" without "night" (DATE), the second "Kim" missed; "He"
# linked to Kim; the quote without its marks; "No deal" and "will meet" as triggers, the
# future meeting asserted, the missing deal "actual", an extra "said" event; fewer arguments.
DOC_B = Document(
    "tiny",
    TEXT,
    META,
    SECTIONS,
    entities=(
        entity(1, "Kim", "PERSON", cluster="k"),
        entity(2, "Trump", "ORG", cluster="t"),
        entity(3, "Hanoi", "GPE"),
        entity(4, "Wednesday", "DATE"),
        entity(5, "Trump", "PERSON", 1, cluster="t"),
    ),
    clusters=(
        Cluster("k", "Kim", "PERSON", (mention("Kim"), mention("He", "pronoun"))),
        Cluster("t", "Trump", "PERSON", (mention("Trump"), mention("Trump", nth=1))),
    ),
    quotes=(Quote("Q1", at("No deal"), at("said"), at("Trump", 1), "t", "direct"),),
    events=(
        Event(
            "E1",
            at("met"),
            "Contact.Meet",
            (arg("Entity", "Kim"), arg("Entity", "Trump"), arg("Place", "Hanoi")),
            "positive",
            "asserted",
            "past",
            "actual",
        ),
        Event("E2", at("No deal"), "Agreement.Reach", (), "negative", "asserted", "past", "actual"),
        Event("E3", at("will meet"), "Contact.Meet", (), "positive", "asserted", "future", "other"),
        Event("E4", at("said"), "Contact.Statement", (), "positive", "asserted", "past", "actual"),
    ),
    timexes=(timex(1, "Wednesday", "DATE", "2019-02-27"),),
)


@pytest.fixture(scope="module")
def result() -> DocumentAgreement:
    return compare(DOC_A, DOC_B)


def test_entity_spans_labels_and_label_kappa(result: DocumentAgreement) -> None:
    ent = result.entities
    # same boundaries: Kim, Trump, Hanoi, Trump; overlapping adds Wednesday / Wednesday night
    assert ent.spans.exact == Counts(correct=4, missed=2, spurious=1)
    assert ent.spans.relaxed == Counts(correct=5, missed=1, spurious=0)
    assert ent.labelled == Counts(correct=3, missed=3, spurious=2)
    assert ent.spans.exact.f1 == pytest.approx(8 / 11)
    assert ent.spans.relaxed.f1 == pytest.approx(10 / 11)
    # labels on the 5 pairs: agree on 3; A PERSON 3 GPE 1 TIME 1, B PERSON 2 ORG 1 GPE 1 DATE 1
    kappa = ent.label.kappa
    assert (ent.label.agreed, ent.label.total) == (3, 5)
    assert kappa.observed == pytest.approx(0.6)
    assert kappa.expected == pytest.approx((3 * 2 + 1 * 1) / 25)
    assert kappa.kappa == pytest.approx((0.6 - 0.28) / 0.72)


def test_coreference_muc_and_b_cubed_by_hand(result: DocumentAgreement) -> None:
    coref = result.coref
    assert coref.mentions == Counts(correct=4, missed=1, spurious=0)
    scores = dict(coref.scores)
    muc = scores["MUC"]
    # A's kim {Kim, Kim'}: B splits it (Kim' absent) -> 0 of 1 link; A's trump {Trump, Trump', He}:
    # B splits it in two -> 1 of 2. B's k {Kim, He}: 0 of 1; B's t {Trump, Trump'}: 1 of 1.
    assert (muc.recall_num, muc.recall_den, muc.precision_num, muc.precision_den) == (1, 3, 1, 2)
    assert muc.f1 == pytest.approx(0.4)
    b3 = scores["B3"]
    # recall: kim 1²/2, trump (2² + 1²)/3 over 5 mentions; precision: k (1 + 1)/2, t 2²/2 over 4.
    assert b3.recall_num == pytest.approx(1 / 2 + 5 / 3) and b3.recall_den == 5
    assert b3.precision_num == pytest.approx(3) and b3.precision_den == 4


def test_quotes_pair_by_coverage_of_a(result: DocumentAgreement) -> None:
    low, high = result.quotes
    # B's "No deal" covers 7 of the 10 characters of A's '"No deal,"'
    assert (low.threshold, low.content) == (0.3, Counts(correct=1))
    assert (high.threshold, high.content) == (0.8, Counts(missed=1, spurious=1))
    assert (low.speaker.correct, low.speaker.total) == (1, 1)
    assert low.kind.pairs == (("direct", "direct"),)


def test_events_raw_agreement_beside_kappa(result: DocumentAgreement) -> None:
    ev = result.events
    assert ev.triggers.exact == Counts(correct=1, missed=2, spurious=3)
    assert ev.triggers.relaxed == Counts(correct=3, missed=0, spurious=1)
    assert (ev.type.agreed, ev.type.total) == (3, 3)
    attrs = {f.name: f for f in ev.attributes}
    assert attrs["polarity"].kappa.kappa == pytest.approx(1.0)
    # modality: 2 of 3 agree, yet B says "asserted" every time, so chance agreement is 2/3 too
    modality = attrs["modality"].kappa
    assert modality.observed == pytest.approx(2 / 3)
    assert modality.expected == pytest.approx(2 / 3)
    assert modality.kappa == pytest.approx(0.0)
    # realis: A actual/other/other, B actual/actual/other
    realis = attrs["realis"].kappa
    assert realis.observed == pytest.approx(2 / 3)
    assert realis.expected == pytest.approx(4 / 9)
    assert realis.kappa == pytest.approx(0.4)
    # arguments of paired triggers: met 4 in A, 3 in B, all 3 shared; the future meeting 2 in A
    assert ev.arguments == Counts(correct=3, missed=3, spurious=0)


def test_timexes_value_on_overlapping_spans(result: DocumentAgreement) -> None:
    tx = result.timexes
    assert tx.spans.exact == Counts(missed=1, spurious=1)
    assert tx.spans.relaxed == Counts(correct=1)
    assert tx.type.pairs == (("TIME", "DATE"),)
    assert tx.value.pairs == (("2019-02-27TNI", "2019-02-27"),)
    assert not tx.value.chance_corrected


def test_an_annotation_agrees_perfectly_with_itself() -> None:
    same = compare(DOC_A, DOC_A)
    for counts in (same.entities.spans.exact, same.entities.labelled, same.coref.mentions, same.events.arguments):
        assert counts.f1 == 1.0
    assert all(score.f1 == 1.0 for _, score in same.coref.scores)
    assert all(field.kappa.kappa == 1.0 for field in same.events.attributes)


def test_span_f1_does_not_depend_on_who_is_a(result: DocumentAgreement) -> None:
    swapped = compare(DOC_B, DOC_A)
    assert swapped.entities.spans.exact.f1 == pytest.approx(result.entities.spans.exact.f1)
    assert swapped.events.triggers.relaxed.f1 == pytest.approx(result.events.triggers.relaxed.f1)
    assert swapped.entities.label.kappa.kappa == pytest.approx(result.entities.label.kappa.kappa)


def test_tables_carry_the_counts(result: DocumentAgreement) -> None:
    md = format_agreement(result, markdown=True)
    assert "| entities | spans, same boundaries | 6 | 5 | 4 | 2 | 1 | 0.727 |" in md
    assert "| events | modality (overlapping triggers) | 3 | 2 | 0.667 | 0.667 | 0.000 |" in md
    assert "| timexes | value (overlapping spans) | 1 | 0 | 0.000 | – | – |" in md
    assert "| MUC | 1 / 3 = 0.333 | 1 / 2 = 0.500 | 0.400 |" in md
    text = format_agreement(result)
    assert "|" not in text and "0.727" in text


def test_every_disagreement_is_listed(result: DocumentAgreement) -> None:
    lines = [d.line() for d in disagreements(DOC_A, DOC_B, result)]
    assert any("'Trump': A PERSON | B ORG" in line for line in lines)
    assert any("only in A: A 'Kim' [" in line for line in lines)
    assert any("boundaries: A 'Wednesday night'" in line for line in lines)
    assert any("only in B: A — | B 'said'" in line for line in lines)
    assert any("'deal'" in line and "past/other" in line and "past/actual" in line for line in lines)
    assert any(line.startswith("coref") and "trump" in line for line in lines)
    assert any("'Wednesday night': A TIME 2019-02-27TNI | B DATE 2019-02-27" in line for line in lines)
    assert not [d for d in disagreements(DOC_A, DOC_A)]


def _write(folder: Path, name: str, doc: Document) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "text.txt").write_text(doc.text)
    path = folder / name
    path.write_text(json.dumps(doc.to_dict(include_text=False)))
    return path


def test_agree_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _write(tmp_path / "doc", "annotations.json", DOC_A)
    b = _write(tmp_path / "doc", "b.json", DOC_B)
    assert main(["agree", str(a), str(b), "--markdown", "--disagreements"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("| layer | items paired |")
    assert "| entities | spans, overlapping | 6 | 5 | 5 | 1 | 0 | 0.909 |" in out
    assert "only in B: A — | B 'said'" in out


def test_agree_refuses_two_texts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _write(tmp_path / "one", "annotations.json", DOC_A)
    other = Document("tiny", TEXT.replace("Kim", "Kin"), META)
    b = _write(tmp_path / "two", "annotations.json", other)
    assert main(["agree", str(a), str(b)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "different text" in err


def test_argument_order_is_no_disagreement() -> None:
    met = DOC_A.events[0]
    reordered = dataclasses.replace(met, arguments=tuple(reversed(met.arguments)))
    doc = dataclasses.replace(DOC_A, events=(reordered, *DOC_A.events[1:]))
    assert not disagreements(DOC_A, doc)
    assert compare(DOC_A, doc).events.arguments.f1 == 1.0
