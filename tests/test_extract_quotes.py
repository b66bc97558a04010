"""Quote attribution patterns on small invented sentences (rules system, no model needed)."""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")

from corpuskit.extract import extract
from corpuskit.extract.quotes import kind_of, quote_passages, trim
from corpuskit.model import Document, Quote

DCT = "2019-02-28"


def quotes_of(text: str) -> tuple[Document, list[Quote]]:
    doc = extract(text, dct=DCT)
    return doc, list(doc.quotes)


def speaker_name(doc: Document, quote: Quote) -> str | None:
    return None if quote.speaker is None else doc.cluster(quote.speaker).name


def test_quote_then_source_then_cue() -> None:
    doc, (q,) = quotes_of('"The talks went well," Ana Reyes said.')
    assert (q.kind, q.content.text, q.cue and q.cue.text, q.source and q.source.text) == (
        "direct",
        '"The talks went well,"',
        "said",
        "Ana Reyes",
    )
    assert speaker_name(doc, q) == "Ana Reyes"


def test_said_x() -> None:
    doc, (q,) = quotes_of('"We are ready," said Jane Doe, a spokeswoman for the ministry.')
    assert q.content.text == '"We are ready,"'
    assert q.source is not None and q.source.text == "Jane Doe"
    assert speaker_name(doc, q) == "Jane Doe"


def test_x_said_colon_quote() -> None:
    doc, (q,) = quotes_of('Opposition leader Peter Dutton said: "This is a disaster."')
    assert (q.kind, q.content.text) == ("direct", '"This is a disaster."')
    assert speaker_name(doc, q) == "Peter Dutton"


def test_according_to_x() -> None:
    _, (q,) = quotes_of("The economy will recover this year, according to the central bank.")
    assert (q.kind, q.content.text, q.cue and q.cue.text) == (
        "indirect",
        "The economy will recover this year",
        "according to",
    )
    assert q.source is not None and q.source.text == "the central bank"


def test_x_told_reporters_that() -> None:
    doc, (q,) = quotes_of("Mayor John Smith told reporters that the bridge would reopen next week.")
    assert q.content.text == "the bridge would reopen next week"  # audience and "that" are not content
    assert q.cue is not None and q.cue.text == "told"
    assert speaker_name(doc, q) == "John Smith"


def test_indirect_without_that_and_mixed() -> None:
    _, (q1, q2) = quotes_of('Ana Reyes said the plan was sound. She said it was "a good start."')
    assert (q1.kind, q1.content.text) == ("indirect", "the plan was sound")
    assert (q2.kind, q2.content.text) == ("mixed", 'it was "a good start."')


def test_pronoun_speaker_is_the_last_speaker() -> None:
    doc, (q1, q2) = quotes_of(
        "Governor Maria Lopez met Mayor Tom Hill on Monday. Lopez said the damage was severe. "
        "She added that aid was coming."
    )
    assert speaker_name(doc, q1) == "Maria Lopez"
    assert q2.source is not None and q2.source.text == "She"
    assert speaker_name(doc, q2) == "Maria Lopez"
    forms = {m.text: m.form for m in doc.cluster(q2.speaker or "").mentions}
    assert forms["She"] == "pronoun"


def test_nominal_speaker_resolves_through_a_title_seen_in_the_document() -> None:
    doc, quotes = quotes_of(
        "Foreign Minister Wang Yi met the delegation in Beijing. "
        "The top Chinese diplomat said the talks had been frank."
    )
    (q,) = quotes
    assert q.source is not None and q.source.text == "The top Chinese diplomat"
    assert speaker_name(doc, q) == "Wang Yi"
    mention_forms = {m.text: m.form for m in doc.cluster(q.speaker or "").mentions}
    assert mention_forms["The top Chinese diplomat"] == "nominal"


def test_nominal_speaker_prefers_the_person_whose_title_names_the_same_country() -> None:
    doc, quotes = quotes_of(
        "U.S. President Joe Biden met Chinese President Xi Jinping in Bali. "
        "The Chinese president said the relationship mattered."
    )
    assert speaker_name(doc, quotes[-1]) == "Xi Jinping"


def test_floating_quote_goes_to_the_last_speaker() -> None:
    doc, (q1, q2) = quotes_of('John Smith said the plan was sound.\n"We have done our homework."')
    assert (q2.kind, q2.cue, q2.content.text) == ("direct", None, '"We have done our homework."')
    assert q2.speaker == q1.speaker and speaker_name(doc, q2) == "John Smith"


def test_quote_across_sentences_is_one_attribution() -> None:
    _, (q,) = quotes_of('"We are ready. We have been ready for weeks," Smith said.')
    assert q.content.text == '"We are ready. We have been ready for weeks,"'


def test_participle_cue_shares_the_main_source() -> None:
    doc, (q1, q2) = quotes_of('Ana Reyes stressed that she was "in no rush," saying the deal had to be right.')
    assert (q1.cue and q1.cue.text, q2.cue and q2.cue.text) == ("stressed", "saying")
    assert q1.content.text == 'she was "in no rush,"'
    assert q2.content.text == "the deal had to be right"
    assert q1.speaker == q2.speaker and speaker_name(doc, q2) == "Ana Reyes"


def test_statement_speaks_for_its_issuer_and_it_resolves_to_the_organisation() -> None:
    _, (q1, q2) = quotes_of(
        "The statement from the White House said the talks were productive. It added that more would follow."
    )
    assert q1.speaker == q2.speaker == "white-house"
    assert q2.source is not None and q2.source.text == "It"


def test_appositive_source() -> None:
    _, (q,) = quotes_of("Sarah Connor, the group's director, said funding had run out.")
    assert q.source is not None and q.source.text == "Sarah Connor"


def test_unnamed_source_gets_its_own_cluster_for_later_pronouns() -> None:
    doc, (q1, q2) = quotes_of("A police spokesman said three men were arrested. He said they would appear in court.")
    assert q1.speaker is not None and q1.speaker == q2.speaker
    assert doc.cluster(q1.speaker).type == "PERSON"


def test_nested_attribution_is_indirect_and_points_at_its_outer_quote() -> None:
    _, quotes = quotes_of('Trump said Secretary of State Mike Pompeo felt that it was "not a good thing" to sign.')
    outer, inner = quotes
    assert outer.cue is not None and outer.cue.text == "said" and outer.kind == "mixed"
    assert inner.cue is not None and inner.cue.text == "felt"
    assert (inner.nested_in, inner.kind) == (outer.id, "indirect")


def test_not_every_said_is_an_attribution() -> None:
    assert quotes_of("The ship is said to be the largest ever built.")[1] == []
    assert quotes_of("They called for calm.")[1] == []


def test_helpers() -> None:
    text = 'He said "yes" and "no".'
    assert quote_passages(text) == [(8, 13), (18, 22)]
    assert kind_of('"All of it,"', 0, 12) == "direct"
    assert kind_of('it was "fine"', 0, 13) == "mixed"
    assert trim("that the plan works.", 0, 20) == (5, 19)
    assert trim('"It works,"', 0, 11) == (0, 11)  # punctuation inside the marks stays


def test_colon_after_a_place_phrase_opens_the_quotation() -> None:
    _, (q,) = quotes_of('Smith said in an interview: "We will win."')
    assert (q.kind, q.content.text) == ("direct", '"We will win."')


def test_relative_clause_between_source_and_cue() -> None:
    _, (q,) = quotes_of("The official, who asked not to be named, said the talks had stalled.")
    assert q.source is not None and q.source.text == "The official"
    assert q.content.text == "the talks had stalled"


def test_a_person_opening_a_later_sentence_takes_over_the_pronoun() -> None:
    doc, (_, q2) = quotes_of(
        "Mayor Tom Hill said the road was closed. Governor Ana Reyes arrived later. She said aid was coming."
    )
    assert speaker_name(doc, q2) == "Ana Reyes"


def test_quotation_marks_pair_within_a_paragraph() -> None:
    text = '"A stray mark.\nShe said "yes" and "no".'
    assert quote_passages(text) == [(0, 14), (24, 29), (34, 38)]


def test_any_cue_after_a_closing_quotation_and_its_source() -> None:
    doc, (q,) = quotes_of('"We tried," Smith wrote on Twitter.')
    assert (q.kind, q.cue and q.cue.text, speaker_name(doc, q)) == ("direct", "wrote", "Smith")


def test_question_and_exclamation_inside_the_marks() -> None:
    _, quotes = quotes_of('"Why not?" she asked. "We can do it."')
    assert [(q.kind, q.content.text) for q in quotes] == [("direct", '"Why not?"'), ("direct", '"We can do it."')]
    assert quotes[0].source is not None and quotes[0].source.text == "she"


def test_name_in_apposition_is_the_source() -> None:
    _, (q,) = quotes_of("The union's general secretary, Jo Grady, said the strike would go ahead.")
    assert q.source is not None and q.source.text == "Jo Grady"
    assert q.content.text == "the strike would go ahead"


def test_prepositions_after_a_role_noun_stay_in_the_source() -> None:
    _, (q,) = quotes_of("The head of the regional council said the vote was fair.")
    assert q.source is not None and q.source.text == "The head of the regional council"


def test_source_after_the_content_with_a_place_phrase() -> None:
    _, (q,) = quotes_of("The plan is sound, Smith said in a statement on Monday.")
    assert (q.content.text, q.source and q.source.text) == ("The plan is sound", "Smith")
