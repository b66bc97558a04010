"""Rule-based entities on a blank pipeline: gazetteers, names in context, dates, clusters."""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")

from corpuskit.extract import extract
from corpuskit.extract.entities import (
    Candidate,
    canonical,
    entity_patterns,
    find_name_candidates,
    select,
    slug,
    timex_entity_label,
    with_article,
)
from corpuskit.extract.timexes import TimexMatch

DCT = "2019-02-28"


def entities_of(text: str) -> list[tuple[str, str]]:
    return [(e.text, e.label) for e in extract(text, dct=DCT).entities]


def test_titles_are_not_part_of_a_person_but_the_country_is_a_gpe() -> None:
    assert entities_of("U.S. Secretary of State Mike Pompeo arrived in Hanoi.") == [
        ("U.S.", "GPE"),
        ("Mike Pompeo", "PERSON"),
        ("Hanoi", "GPE"),
    ]


def test_a_name_after_a_lower_case_title_and_a_long_country_name() -> None:
    found = entities_of("Top leader of the Democratic People's Republic of Korea (DPRK) Kim Jong Un spoke.")
    assert found == [("the Democratic People's Republic of Korea", "GPE"), ("DPRK", "GPE"), ("Kim Jong Un", "PERSON")]


def test_surname_mentions_after_a_full_name_are_people_and_share_a_cluster() -> None:
    doc = extract("Prime Minister Jacinda Ardern visited Paris. Ardern met Macron there.", dct=DCT)
    ardern = [e for e in doc.entities if e.text in ("Jacinda Ardern", "Ardern")]
    assert [e.label for e in ardern] == ["PERSON", "PERSON"]
    assert ardern[0].cluster == ardern[1].cluster == "jacinda-ardern"
    assert doc.cluster("jacinda-ardern").name == "Jacinda Ardern"


def test_names_before_cue_verbs_and_after_said() -> None:
    assert ("Smith", "PERSON") in entities_of('"Yes," said Smith.')
    assert ("Ana Reyes", "PERSON") in entities_of("Ana Reyes told reporters the plan works.")


def test_sentence_initial_common_nouns_are_not_names() -> None:
    assert entities_of("Officials said the fire was out.") == []


def test_the_article_is_included_only_when_the_name_takes_it() -> None:
    assert entities_of("He spoke with the DPRK leader about the United States.") == [
        ("DPRK", "GPE"),
        ("the United States", "GPE"),
    ]


def test_suffixes_make_facilities_locations_and_organisations() -> None:
    found = entities_of("They met at the J.W. Marriott Hotel near the Korean Peninsula with the Finance Ministry.")
    assert found == [
        ("the J.W. Marriott Hotel", "FAC"),
        ("the Korean Peninsula", "LOC"),
        ("the Finance Ministry", "ORG"),
    ]


def test_numbers_ordinals_dates_and_times() -> None:
    found = entities_of("The two leaders held their second summit on Thursday for two hours, a year ago.")
    assert found == [
        ("two", "CARDINAL"),
        ("second", "ORDINAL"),
        ("Thursday", "DATE"),
        ("two hours", "TIME"),
        ("a year ago", "DATE"),
    ]


def test_hyphenated_numbers_are_not_counts() -> None:
    assert entities_of("A one-on-one chat opened the two-day summit.") == [("two-day", "DATE")]


def test_nationality_adjective_is_norp_linked_to_its_country() -> None:
    doc = extract("The Vietnamese capital hosted the U.S. team. Vietnam was proud.", dct=DCT)
    vietnamese = next(e for e in doc.entities if e.text == "Vietnamese")
    assert (vietnamese.label, vietnamese.cluster) == ("NORP", "vietnam")
    assert next(e for e in doc.entities if e.text == "Vietnam").cluster == "vietnam"


def test_helpers() -> None:
    assert slug("the White House") == "white-house"
    assert canonical("U.S.") == canonical("the United States") == "United States"
    assert canonical("DPRK") == "North Korea"
    labels = {p["label"] for p in entity_patterns()}
    assert {"GPE", "NORP", "ORG", "LOC", "CARDINAL", "ORDINAL", "PERSON"} <= labels
    assert select([Candidate(0, 5, "GPE", 1), Candidate(0, 9, "ORG", 1), Candidate(3, 12, "PERSON", 3)]) == [
        Candidate(3, 12, "PERSON", 3)
    ]
    text = "the DPRK leader and the DPRK."
    assert with_article(text, Candidate(4, 8, "GPE", 1)) == Candidate(4, 8, "GPE", 1)
    assert with_article(text, Candidate(24, 28, "GPE", 1)) == Candidate(20, 28, "GPE", 1)
    assert timex_entity_label(TimexMatch(0, 9, "two hours", "DURATION", "PT2H")) == "TIME"
    assert timex_entity_label(TimexMatch(0, 7, "two-day", "DURATION", "P2D")) == "DATE"
    assert timex_entity_label(TimexMatch(0, 10, "the future", "DATE", "FUTURE_REF")) is None


def test_people_carry_the_titles_they_were_introduced_with() -> None:
    _, people = find_name_candidates("North Korean leader Kim Jong Un met U.S. President Donald Trump.")
    titles = {p.name: p.titles for p in people}
    assert any("leader" in t for t in titles["Kim Jong Un"])
    assert any("U.S. President" in t for t in titles["Donald Trump"])


def test_honorifics_are_not_part_of_the_name() -> None:
    assert entities_of("Mr. Smith said the deal was done.") == [("Smith", "PERSON")]
