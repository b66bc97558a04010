"""The held-out evaluation set in grading/heldout/: every document loads and validates, the set
is as large and as varied as grading/heldout/README.md says, and its attribution-pattern tags
(grading/heldout/patterns.json) agree with the annotations they describe."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

import corpuskit
from corpuskit.model import Document, Quote
from tests.pinning import moved

HELDOUT = Path(__file__).resolve().parents[1] / "grading" / "heldout"
PATTERNS_FILE = HELDOUT / "patterns.json"
DOC_IDS = sorted(p.name for p in HELDOUT.iterdir() if (p / "text.txt").is_file())

MIN_SENTENCES = 40
MIN_QUOTES = 25
MIN_PER_PATTERN = 2
# Cue words the README promises; each occurs in at least one attribution.
PROMISED_CUES = (
    "said",
    "told",
    "according to",
    "added",
    "noted",
    "stressed",
    "warned",
    "argued",
    "insisted",
    "claimed",
    "announced",
    "explained",
    "reiterated",
    "denied",
    "saying",
)

# Pinned counts over the whole set. When an annotation is added or removed on purpose, update
# this table and the tables in grading/heldout/README.md in the same commit.
EXPECTED_COUNTS: dict[str, int] = {
    "clusters": 84,
    "documents": 8,
    "entities": 210,
    "events": 91,
    "mentions": 199,
    "quotes": 69,
    "sections": 57,
    "sentences": 83,
    "timexes": 63,
    "entity:DATE": 57,
    "entity:GPE": 34,
    "entity:PERSON": 34,
    "entity:ORG": 33,
    "entity:CARDINAL": 16,
    "entity:MONEY": 9,
    "entity:ORDINAL": 5,
    "entity:TIME": 5,
    "entity:PERCENT": 4,
    "entity:FAC": 3,
    "entity:LOC": 3,
    "entity:NORP": 3,
    "entity:EVENT": 2,
    "entity:PRODUCT": 1,
    "entity:QUANTITY": 1,
    "event:Contact.Meet": 16,
    "event:Transaction.Transfer-Money": 7,
    "event:Vote.Cast": 6,
    "event:Agreement.Reach": 5,
    "event:Conflict.Demonstrate": 5,
    "event:Movement.Transport": 5,
    "event:Agreement.Sign": 4,
    "event:Aspect.End": 4,
    "event:Justice.Rule": 4,
    "event:Negotiation.Offer": 4,
    "event:Schedule.Cancel": 4,
    "event:Conflict.Attack": 3,
    "event:Life.Injure": 3,
    "event:Personnel.Start-Position": 3,
    "event:Transaction.Transfer-Ownership": 3,
    "event:Business.Recall": 2,
    "event:Justice.Appeal": 2,
    "event:Life.Die": 2,
    "event:Sport.Play": 2,
    "event:Aspect.Begin": 1,
    "event:Aspect.Continue": 1,
    "event:Construction.Build": 1,
    "event:Negotiation.Reject": 1,
    "event:Personnel.End-Position": 1,
    "event:Policy.Change": 1,
    "event:Policy.Veto": 1,
    "event-status:positive/asserted/actual": 50,
    "event-status:positive/other/other": 29,
    "event-status:negative/asserted/other": 7,
    "event-status:negative/other/other": 4,
    "event-status:positive/other/generic": 1,
    "mention:name": 115,
    "mention:nominal": 56,
    "mention:pronoun": 28,
    "pattern:cue-beyond-said": 19,
    "pattern:pronoun-speaker": 9,
    "pattern:according-to-indirect": 8,
    "pattern:nominal-speaker": 8,
    "pattern:direct-postposed": 7,
    "pattern:indirect-said": 7,
    "pattern:indirect-postposed": 6,
    "pattern:mixed": 6,
    "pattern:split": 6,
    "pattern:direct-told-reporters": 5,
    "pattern:multi-sentence": 5,
    "pattern:participial": 3,
    "pattern:told-that": 3,
    "pattern:according-to-direct": 2,
    "pattern:direct-colon": 2,
    "pattern:direct-inverted": 2,
    "pattern:direct-preposed": 2,
    "pattern:floating": 2,
    "quote:indirect": 38,
    "quote:direct": 25,
    "quote:mixed": 6,
    "timex:DATE": 41,
    "timex:DURATION": 12,
    "timex:SET": 5,
    "timex:TIME": 5,
}

# A full stop after these does not end a sentence ("U.S. Consumer", "Nov. 30", "3 a.m. local").
_ABBREVIATIONS = re.compile(
    r"(?:\b[A-Z]\.[A-Z]\.|\b(?:Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|Mr|Mrs|Ms|Dr|St|No)\.|\b[ap]\.m\.)$"
)
_BOUNDARY = re.compile(r'(?<=[.!?])"?\s+(?=["A-Z])')


def split_sentences(line: str) -> list[str]:
    """Sentences of one text line: split after . ! ? (and a closing quote) before a capital or quote."""
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(line):
        head = line[start : m.start()].rstrip('"')
        if _ABBREVIATIONS.search(head):
            continue
        sentences.append(line[start : m.end()].strip())
        start = m.end()
    sentences.append(line[start:].strip())
    return [s for s in sentences if s]


def sentence_count(text: str) -> int:
    return sum(len(split_sentences(line)) for line in text.split("\n") if line.strip())


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {doc_id: corpuskit.load(HELDOUT / doc_id) for doc_id in DOC_IDS}


@pytest.fixture(scope="module")
def tags() -> dict[str, list[str]]:
    data = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"about", "patterns", "quotes"}, "patterns.json keys moved"
    quotes: dict[str, list[str]] = data["quotes"]
    unknown = {p for names in quotes.values() for p in names} - set(data["patterns"])
    assert not unknown, f"patterns.json uses patterns it does not describe: {sorted(unknown)}"
    return quotes


def _quote(docs: dict[str, Document], key: str) -> tuple[Document, Quote]:
    doc_id, quote_id = key.split("/")
    doc = docs[doc_id]
    return doc, next(q for q in doc.quotes if q.id == quote_id)


def _counts(docs: dict[str, Document], tags: dict[str, list[str]]) -> Counter[str]:
    c: Counter[str] = Counter()
    c["documents"] = len(docs)
    for doc in docs.values():
        c["sentences"] += sentence_count(doc.text)
        for layer in ("sections", "entities", "clusters", "quotes", "events", "timexes"):
            c[layer] += len(getattr(doc, layer))
        c["mentions"] += sum(len(cl.mentions) for cl in doc.clusters)
        c.update(f"entity:{e.label}" for e in doc.entities)
        c.update(f"mention:{m.form}" for cl in doc.clusters for m in cl.mentions)
        c.update(f"quote:{q.kind}" for q in doc.quotes)
        c.update(f"event:{e.type}" for e in doc.events)
        c.update(f"event-status:{e.polarity}/{e.modality}/{e.realis}" for e in doc.events)
        c.update(f"timex:{t.type}" for t in doc.timexes)
    c.update(f"pattern:{p}" for names in tags.values() for p in names)
    return c


def test_there_are_six_to_eight_documents() -> None:
    assert 6 <= len(DOC_IDS) <= 8, DOC_IDS


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_document_loads_validates_and_is_canonical(doc_id: str) -> None:
    folder = HELDOUT / doc_id
    doc = corpuskit.load(folder)  # validates schema, offsets, ids and references
    assert doc.id == doc_id
    raw = (folder / "text.txt").read_bytes()
    assert raw.isascii() and b"\r" not in raw and not raw.endswith(b"\n"), (
        f"{doc_id}: text.txt must be ASCII, LF, no final newline"
    )
    written = (folder / "annotations.json").read_text(encoding="utf-8")
    canonical = json.dumps(doc.to_dict(include_text=False), indent=2, ensure_ascii=False) + "\n"
    assert written == canonical, f"{doc_id}: annotations.json is not in canonical form (Document.to_dict)"
    meta = doc.metadata
    assert meta["language"] == "en" and "fictional" in meta["source"] and "held-out" in meta["source"]
    assert meta["title"] == doc.text.split("\n")[0]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_document_is_a_short_news_passage(doc_id: str) -> None:
    doc = corpuskit.load(HELDOUT / doc_id)
    lines = doc.text.split("\n")
    assert [s.kind for s in doc.sections] == ["headline", "lede"] + ["paragraph"] * (len(lines) - 2)
    body = sum(len(split_sentences(line)) for line in lines[1:])
    assert 6 <= body <= 11, f"{doc_id}: {body} body sentences"


def test_creation_times_vary_across_years_and_weekdays(docs: dict[str, Document]) -> None:
    from datetime import date

    days = [date.fromisoformat(d.creation_time or "") for d in docs.values()]
    assert len({d.year for d in days}) >= 6 and len({d.weekday() for d in days}) >= 5, days
    assert all(2017 <= d.year <= 2024 for d in days)


def test_set_size(docs: dict[str, Document]) -> None:
    sentences = sum(sentence_count(d.text) for d in docs.values())
    quotes = sum(len(d.quotes) for d in docs.values())
    assert sentences >= MIN_SENTENCES, f"only {sentences} sentences"
    assert quotes >= MIN_QUOTES, f"only {quotes} quotes"


def test_sentence_splitter_keeps_abbreviations() -> None:
    line = 'The U.S. Consumer Product Safety Commission said so. "It opens at 3 a.m. on Nov. 30." She left.'
    assert len(split_sentences(line)) == 3


def test_every_quote_has_a_speaker_cluster(docs: dict[str, Document]) -> None:
    missing = [f"{d.id}/{q.id}" for d in docs.values() for q in d.quotes if q.speaker not in {c.id for c in d.clusters}]
    assert not missing, f"quotes without a speaker cluster: {missing}"


def test_every_quoted_passage_lies_in_a_quote(docs: dict[str, Document]) -> None:
    uncovered = [
        f"{d.id}: {m.group()}"
        for d in docs.values()
        for m in re.finditer(r'"[^"]*"', d.text)
        if not any(q.content.start <= m.start() and m.end() <= q.content.end for q in d.quotes)
    ]
    assert not uncovered, f"quoted passages in no quote's content: {uncovered}"


def test_quote_kinds_match_quotation_marks(docs: dict[str, Document]) -> None:
    for d in docs.values():
        for q in d.quotes:
            text = q.content.text
            if q.kind == "direct":
                assert text.startswith('"') and text.endswith('"') and text.count('"') == 2, f"{d.id}/{q.id}"
            else:
                assert ('"' in text) == (q.kind == "mixed"), f"{d.id}/{q.id}: {q.kind} {text!r}"


def test_cross_layer_references_resolve(docs: dict[str, Document]) -> None:
    for d in docs.values():
        mentions = {(c.id, m.start, m.end) for c in d.clusters for m in c.mentions}
        names = {(c.id, m.start, m.end) for c in d.clusters for m in c.mentions if m.form == "name"}
        for e in d.entities:
            assert e.cluster is None or (e.cluster, e.start, e.end) in names, f"{d.id} {e.id} {e.text!r}"
        for ev in d.events:
            for a in ev.arguments:
                assert a.cluster is None or (a.cluster, a.start, a.end) in mentions, f"{d.id} {ev.id} {a.text!r}"
        ids = {c.id for c in d.clusters}
        for c in d.clusters:
            assert set(c.members) <= ids, f"{d.id} {c.id}"


def test_every_pattern_tag_refers_to_an_existing_quote(docs: dict[str, Document], tags: dict[str, list[str]]) -> None:
    existing = {f"{d.id}/{q.id}" for d in docs.values() for q in d.quotes}
    assert set(tags) == existing, f"untagged: {sorted(existing - set(tags))}; unknown: {sorted(set(tags) - existing)}"
    assert all(tags.values()), [k for k, v in tags.items() if not v]


def test_every_pattern_occurs_at_least_twice(tags: dict[str, list[str]]) -> None:
    described = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))["patterns"]
    counts = Counter(p for names in tags.values() for p in names)
    rare = {p: counts[p] for p in described if counts[p] < MIN_PER_PATTERN}
    assert not rare, f"patterns with fewer than {MIN_PER_PATTERN} quotes: {rare}"


def _pattern_checks(doc: Document, q: Quote) -> dict[str, Callable[[], bool]]:
    """For each pattern, whether quote ``q`` of ``doc`` shows it (evaluated lazily)."""
    text = doc.text
    cue = q.cue.text.lower() if q.cue else None
    c, s, content = q.cue, q.source, q.content
    cs, ce = (c.start, c.end) if c else (-1, -1)
    forms = {(m.start, m.end): m.form for m in doc.cluster(q.speaker or "").mentions}
    source_form = forms.get((s.start, s.end)) if s else None
    direct = q.kind == "direct"
    return {
        "direct-postposed": lambda: direct and c is not None and s is not None and content.end < s.start < cs,
        "direct-inverted": lambda: direct and cue == "said" and s is not None and content.end < cs < s.start,
        "direct-colon": lambda: direct and c is not None and text[ce : content.start] == ": ",
        "direct-preposed": lambda: direct and c is not None and text[ce : content.start] == " ",
        "direct-told-reporters": lambda: direct and cue == "told" and text[ce:].startswith(" reporters"),
        "according-to-direct": lambda: direct and cue == "according to",
        "according-to-indirect": lambda: q.kind == "indirect" and cue == "according to",
        "told-that": lambda: q.kind == "indirect" and cue == "told" and -1 < ce < content.start,
        "indirect-said": lambda: q.kind == "indirect" and cue == "said" and -1 < ce < content.start,
        "indirect-postposed": lambda: q.kind == "indirect" and c is not None and content.end < cs,
        "cue-beyond-said": lambda: (
            cue is not None and cue not in {"said", "told", "according to"} and not cue.endswith("ing")
        ),
        "participial": lambda: cue is not None and cue.endswith("ing") and s is not None,
        "nominal-speaker": lambda: source_form == "nominal",
        "pronoun-speaker": lambda: source_form == "pronoun",
        "floating": lambda: direct and c is None and s is None and text[content.start - 1] == "\n",
        "mixed": lambda: q.kind == "mixed",
        "multi-sentence": lambda: direct and len(split_sentences(content.text)) >= 2,
        "split": lambda: direct,
    }


def test_pattern_tags_agree_with_the_annotation(docs: dict[str, Document], tags: dict[str, list[str]]) -> None:
    for key, names in tags.items():
        doc, q = _quote(docs, key)
        checks = _pattern_checks(doc, q)
        for name in names:
            assert checks[name](), f"{key} is tagged {name!r} but its annotation does not show it: {q}"


def test_split_quotes_come_in_pairs(docs: dict[str, Document], tags: dict[str, list[str]]) -> None:
    for doc in docs.values():
        split = [q for q in doc.quotes if "split" in tags[f"{doc.id}/{q.id}"]]
        assert len(split) % 2 == 0, doc.id
        for first, second in zip(split[::2], split[1::2], strict=True):
            assert first.cue is not None and second.cue is None and second.source is None, (doc.id, first.id)
            assert first.speaker == second.speaker, (doc.id, first.id)
            between = doc.text[first.content.end : second.content.start]
            assert "\n" not in between and first.cue.start < second.content.start, (doc.id, first.id)


def test_promised_cue_words_all_occur(docs: dict[str, Document]) -> None:
    cues = {q.cue.text.lower() for d in docs.values() for q in d.quotes if q.cue}
    assert not set(PROMISED_CUES) - cues, (
        f"cue words the README promises but the set lacks: {set(PROMISED_CUES) - cues}"
    )


def test_timex_values_follow_each_documents_creation_time(docs: dict[str, Document]) -> None:
    # Spot checks of relative expressions, one or more per document.
    expected = {
        ("marlow-bay-ferry-vote", "Tuesday night"): "2017-03-14TNI",
        ("marlow-bay-ferry-vote", "next year"): "2018",
        ("chile-indonesia-trade-talks", "next June"): "2019-06",
        ("chile-indonesia-trade-talks", "January"): "2019-01",
        ("elmsford-quarry-ruling", "Monday"): "2019-07-08",
        ("elmsford-quarry-ruling", "next month"): "2019-08",
        ("rheinau-salvatierra-transfer", "the following day"): "2020-08-26",
        ("rheinau-salvatierra-transfer", "Saturday"): "2020-08-29",
        ("brightwell-kettle-recall", "November of last year"): "2020-11",
        ("suva-climate-summit", "1500 GMT"): "2022-11-06T15:00Z",
        ("sarovia-ceasefire-talks", "the summer"): "2023-SU",
        ("northgate-lecturers-strike", "last Friday"): "2024-02-09",
        ("northgate-lecturers-strike", "every Monday"): "XXXX-WXX-1",
    }
    for (doc_id, text), value in expected.items():
        got = {t.value for t in docs[doc_id].timexes if t.text == text}
        assert got == {value}, f"{doc_id} {text!r}: {got}"


def test_counts_are_pinned(docs: dict[str, Document], tags: dict[str, list[str]]) -> None:
    got = _counts(docs, tags)
    changed = moved(EXPECTED_COUNTS, got)
    assert not changed, f"held-out counts moved (expected -> got); update EXPECTED_COUNTS and the README: {changed}"


def test_readme_pattern_table_matches_the_tags(tags: dict[str, list[str]]) -> None:
    readme = (HELDOUT / "README.md").read_text(encoding="utf-8")
    described = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))["patterns"]
    rows = re.findall(r"^\| `([a-z-]+)` \| .* \| (\d+) \|$", readme, flags=re.MULTILINE)
    table = {name: int(n) for name, n in rows if name in described}
    counts = Counter(p for names in tags.values() for p in names)
    assert table == dict(counts), f"README pattern table and patterns.json disagree: {table} vs {dict(counts)}"
