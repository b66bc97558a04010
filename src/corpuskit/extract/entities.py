"""Named entities by rules on a blank English pipeline, and the people and places they form.

Two stages, both model-free:

1. spaCy's ``EntityRuler`` (``entity_patterns``) tags what a word list or a token shape can
   decide: countries, cities, states, regions, nationalities, well-known organisations,
   cardinals, ordinals, percentages and money.
2. The ``corpuskit_entities`` component (``EntityTagger``) adds what needs context: person
   names (after a title such as "U.S. President", before a cue verb, after "said", after a
   known given name), organisations / facilities / locations by their last word ("... Hotel",
   "... Ministry", "... Peninsula"), dates and times from the time-expression recogniser, and a
   definite article where the name takes it ("the United States", not "the DPRK leader").
   It then groups name mentions into clusters (people by shared name parts, places by alias)
   and stores them on ``doc._.corpuskit_clusters``.

Conventions follow corpus/GUIDELINES.md section 1: titles are not part of a PERSON span, the
possessive clitic is excluded, durations of a day or more are DATE and shorter ones TIME.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from corpuskit.extract import lexicon
from corpuskit.extract.intervals import SortedSpans, greedy_disjoint
from corpuskit.extract.timexes import TimexMatch

# Alias sets: each tuple names one place; the first entry is the canonical name.
ALIASES: tuple[tuple[str, ...], ...] = (
    ("United States", "U.S.", "US", "USA", "U.S.A.", "America", "the United States"),
    (
        "North Korea",
        "DPRK",
        "the DPRK",
        "Democratic People's Republic of Korea",
        "the Democratic People's Republic of Korea",
    ),
    ("South Korea", "ROK", "Republic of Korea", "the Republic of Korea"),
    ("China", "People's Republic of China", "the People's Republic of China", "PRC"),
    ("United Kingdom", "U.K.", "UK", "Britain", "Great Britain"),
    ("United Nations", "the United Nations", "UN", "U.N."),
    ("European Union", "the European Union", "EU"),
    ("Vietnam", "Viet Nam"),
)
# Nationality adjectives that name mentions of a country cluster (GUIDELINES 1.6).
NATIONALITY_OF: dict[str, str] = {
    "American": "United States",
    "North Korean": "North Korea",
    "South Korean": "South Korea",
    "Vietnamese": "Vietnam",
    "Chinese": "China",
    "Japanese": "Japan",
    "Russian": "Russia",
    "British": "United Kingdom",
    "French": "France",
    "German": "Germany",
}
# Lower-case words after a name that make it a modifier, so a preceding "the" is not the name's.
NOUN_HEADS = (
    frozenset(
        lexicon._words("""
leader; leaders; president; government; capital; side; sides; delegation; delegations; official; officials
summit; talks; meeting; regime; military; forces; troops; economy; people; program; programme; army
spokesman; spokeswoman; counterpart; negotiator; negotiators; envoy; diplomat; diplomats; embassy; ministry
administration; authorities; state; media; team; war; relations; allies; ally; border; nuclear; missile
sanctions; deal; agreement; policy; market; markets; company; firm; president-elect; minister; secretary
""").__iter__()
    )
    | lexicon.TITLE_WORDS
)
_CAPWORD = r"(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z]\.(?= [A-Z])|[A-Z][a-zA-Z\-]*(?:'[A-Z][a-z]+)?)"
_RUN = re.compile(rf"{_CAPWORD}(?:(?: |-)(?:{_CAPWORD}|(?:de|van|von|der|bin|al|da|di|du|del|la|le)(?= [A-Z])))*")
_STOP_CAPS = frozenset(
    lexicon._words("""
The; A; An; But; And; Or; However; After; Before; In; On; At; For; From; With; Without; Though; Although; While
When; Where; If; As; It; He; She; They; We; I; You; This; That; These; Those; His; Her; Their; Our; Its; My
Despite; Following; Calling; Saying; Noting; Meanwhile; Also; Yet; So; Still; Then; There; Here; Earlier
Later; According; During; Under; Over; Since; Until; By; To; Of; No; Not; Actually; Instead; Photo; Some
Many; Most; All; Both; Each; Other; Another; Such; What; Who; Why; How; One; Two; Three; Top; Only; Even
""").__iter__()
) | frozenset(m.capitalize() for m in list(lexicon.CUE_FORMS))
_MONTHS_WEEKDAYS = frozenset(
    lexicon._words("""
January; February; March; April; May; June; July; August; September; October; November; December; Monday
Tuesday; Wednesday; Thursday; Friday; Saturday; Sunday; Jan.; Feb.; Mar.; Apr.; Jun.; Jul.; Aug.; Sept.; Sep.
Oct.; Nov.; Dec.; GMT; UTC
""")
)


@dataclass
class Person:
    """What the text says about one person: name variants and the titles seen with them."""

    name: str
    parts: tuple[str, ...]
    titles: list[str] = field(default_factory=list)


@dataclass
class ClusterBuilder:
    """A discourse entity under construction: mentions are ``(start, end, form)``."""

    id: str
    name: str
    type: str
    mentions: list[tuple[int, int, str]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    # The (start, end) of every mention, so adding one is not a scan of the list.
    _spans: set[tuple[int, int]] = field(default_factory=set, init=False, repr=False, compare=False)

    def add(self, start: int, end: int, form: str) -> None:
        if (start, end) not in self._spans:
            self._spans.add((start, end))
            insort(self.mentions, (start, end, form))

    def __post_init__(self) -> None:
        self.mentions.sort()
        self._spans.update((s, e) for s, e, _ in self.mentions)

    def last_start_before(self, position: int) -> int:
        """The start of the last mention starting before ``position``, or -1."""
        i = bisect_left(self.mentions, (position,))
        return self.mentions[i - 1][0] if i else -1


def slug(name: str) -> str:
    """A readable cluster id: ``"the White House"`` → ``white-house``."""
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "entity"


def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in ALIASES:
        for alias in group:
            table[alias.lower()] = group[0]
    for adjective, country in NATIONALITY_OF.items():
        table[adjective.lower()] = country
    return table


_ALIAS = _alias_table()


def canonical(text: str) -> str:
    """The canonical name of a place or organisation mention (``"U.S."`` → ``"United States"``)."""
    key = text.lower()
    if key in _ALIAS:
        return _ALIAS[key]
    return re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)


def entity_patterns() -> list[dict[str, Any]]:
    """EntityRuler patterns: gazetteers (phrase patterns) and number shapes (token patterns)."""
    patterns: list[dict[str, Any]] = []
    for label, names in (
        ("GPE", lexicon.COUNTRIES + lexicon.CITIES + lexicon.US_STATES),
        ("LOC", lexicon.LOCATIONS),
        ("NORP", lexicon.NORP),
        ("ORG", lexicon.ORGANISATIONS),
    ):
        patterns += [{"label": label, "pattern": name} for name in names if not name.startswith("the ")]
    ordinals = [
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "twentieth",
        "hundredth",
    ]
    numbers = list(
        lexicon._words("""
one; two; three; four; five; six; seven; eight; nine; ten; eleven; twelve; thirteen; fourteen; fifteen; sixteen
seventeen; eighteen; nineteen; twenty; thirty; forty; fifty; sixty; seventy; eighty; ninety; hundred; thousand
dozens; dozen; hundreds; thousands; millions
""")
    )
    scale = {"LOWER": {"IN": ["hundred", "thousand", "million", "billion", "trillion"]}, "OP": "*"}
    patterns += [
        {"label": "ORDINAL", "pattern": [{"LOWER": {"IN": ordinals}}]},
        {"label": "ORDINAL", "pattern": [{"TEXT": {"REGEX": r"^\d+(st|nd|rd|th)$"}}]},
        {
            "label": "PERCENT",
            "pattern": [{"LIKE_NUM": True}, {"LOWER": {"IN": ["percent", "%", "per"]}}, {"LOWER": "cent", "OP": "?"}],
        },
        {"label": "MONEY", "pattern": [{"TEXT": {"IN": ["$", "US$", "€", "£"]}}, {"LIKE_NUM": True}, scale]},
        {
            "label": "MONEY",
            "pattern": [
                {"LIKE_NUM": True},
                scale,
                {"LOWER": {"IN": ["dollars", "euros", "yuan", "won", "yen", "pounds"]}},
            ],
        },
        {
            "label": "QUANTITY",
            "pattern": [
                {"LIKE_NUM": True},
                {
                    "LOWER": {
                        "IN": [
                            "km",
                            "kilometers",
                            "kilometres",
                            "miles",
                            "tons",
                            "tonnes",
                            "kg",
                            "kilograms",
                            "meters",
                            "metres",
                        ]
                    }
                },
            ],
        },
        {"label": "CARDINAL", "pattern": [{"LOWER": {"IN": numbers}}, scale]},
        {"label": "CARDINAL", "pattern": [{"TEXT": {"REGEX": r"^\d[\d,.]*$"}}, scale]},
        {
            "label": "PERSON",
            "pattern": [{"TEXT": {"IN": ["Mr.", "Mrs.", "Ms.", "Dr.", "Prof."]}}, {"IS_TITLE": True, "OP": "+"}],
        },
    ]
    return patterns


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    label: str
    priority: int  # higher wins a tie in length


def _is_hyphen_compound(text: str, start: int, end: int) -> bool:
    return (end < len(text) and text[end] == "-") or (start > 0 and text[start - 1] == "-")


def _strip_title(words: list[tuple[int, int, str]]) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Split a capitalised run into its leading title words and the name after them."""
    titles: list[str] = []
    i = 0
    while i < len(words) - 1 and (
        words[i][2] in lexicon.TITLE_PARTS
        or words[i][2].lower() in lexicon.TITLE_WORDS
        or words[i][2] in _STOP_CAPS
        or words[i][2].lower() in _ALIAS
        or words[i][2] in lexicon.NORP
        or words[i][2] in lexicon.COUNTRIES
    ):
        titles.append(words[i][2])
        i += 1
    return words[i:], titles


def _title_before(text: str, start: int) -> str | None:
    """A title phrase ending just before ``start`` ("leader of the DPRK (DPRK) "), or ``None``."""
    window = text[max(0, text.rfind("\n", 0, start) + 1, start - 90) : start]
    tokens = re.findall(r"\(?[\w.'\-]+\)?|,", window)
    titled: list[str] = []
    for word in reversed(tokens):
        bare = word.strip("()")
        if word == "," or not bare:
            break
        if bare.lower() in lexicon.TITLE_WORDS or bare[:1].isupper() or bare in ("of", "the", "'s"):
            titled.append(bare)
            continue
        break
    while titled and titled[-1] in ("of", "the", "'s"):
        titled.pop()
    if any(w.lower() in lexicon.TITLE_WORDS for w in titled):
        return " ".join(reversed(titled))
    return None


_AFTER_NAME = re.compile(
    r"^(?:'s)?,? (?:(?:also|later|then|again|further|has|had|have|repeatedly|previously|recently|once|publicly|"
    r"privately|earlier|reportedly|would|will) )*([a-z]+)"
)
# Capitalised plural nouns that open a sentence as subjects ("Officials said ..."): not names.
_COMMON_SUBJECTS = frozenset(
    lexicon._words("""
Officials; Police; Authorities; Experts; Analysts; Witnesses; Residents; Critics; Protesters; Observers
Scientists; Researchers; Doctors; Investigators; Prosecutors; Lawmakers; Diplomats; Sources; Organizers
Organisers; Officers; Rescuers; Firefighters; Economists; Negotiators; Leaders; Voters; Activists; Workers
Parents; Students; Teachers; Locals; Villagers; Survivors; Relatives; Environmentalists; Farmers; Traders
Regulators; Engineers; Managers; Executives; Shareholders; Campaigners; Scientists; Health; Rescue
""").__iter__()
)
_APPOSITIVE_TITLE = re.compile(
    r"^, (?:a|an|the) (?:[\w.\-]+ ){0,4}(?:" + "|".join(re.escape(t) for t in sorted(lexicon.TITLE_WORDS)) + r")\b"
)


def _cue_follows(after: str) -> bool:
    m = _AFTER_NAME.match(after)
    if m is None or m.group(1) not in lexicon.CUE_FORMS:
        return False
    # "…in Brisbane, adding that": a participle after a comma belongs to an earlier subject.
    return not (after.lstrip("'s").startswith(",") and m.group(1).endswith("ing"))


@cache
def _gazetteer_re() -> re.Pattern[str]:
    names = lexicon.COUNTRIES + lexicon.CITIES + lexicon.US_STATES + lexicon.LOCATIONS + lexicon.NORP
    names += lexicon.ORGANISATIONS
    alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])")


def gazetteer_spans(text: str) -> list[tuple[int, int]]:
    """Where a gazetteer name (place, nationality, organisation) occurs in ``text``."""
    return [(m.start(), m.end()) for m in _gazetteer_re().finditer(text)]


def find_name_candidates(text: str, known: dict[str, str] | None = None) -> tuple[list[Candidate], list[Person]]:
    """Person, organisation, facility and location names from capitalised runs in ``text``.

    Returns the candidates and the people found with their titles. ``known`` maps name parts
    already known to be people (from an earlier pass) to the full name.
    """
    known = dict(known or {})
    candidates: list[Candidate] = []
    people: dict[str, Person] = {}
    gazetteer = {
        n.lower()
        for n in lexicon.COUNTRIES
        + lexicon.CITIES
        + lexicon.US_STATES
        + lexicon.LOCATIONS
        + lexicon.NORP
        + lexicon.ORGANISATIONS
    }
    taken = SortedSpans(gazetteer_spans(text))
    gazetteer_names = {n for n in lexicon.COUNTRIES + lexicon.CITIES + lexicon.US_STATES + lexicon.NORP}
    for m in _RUN.finditer(text):
        words = [(w.start() + m.start(), w.end() + m.start(), w.group()) for w in re.finditer(r"\S+", m.group())]
        words = [w for w in words if taken.holding(w[0]) is None]
        if not words:
            continue
        # Split hyphenated runs only on spaces; drop a trailing title or stop word.
        if text[m.start() - 1 : m.start()] == "-" if m.start() else False:
            continue
        tail = words[-1][2]
        if tail in lexicon.ORG_SUFFIXES or tail in lexicon.FAC_SUFFIXES or tail in lexicon.LOC_SUFFIXES:
            label = "ORG" if tail in lexicon.ORG_SUFFIXES else "FAC" if tail in lexicon.FAC_SUFFIXES else "LOC"
            body = words
            while len(body) > 1 and (body[0][2] in _STOP_CAPS or body[0][2] in _MONTHS_WEEKDAYS):
                body = body[1:]
            if len(body) > 1:
                candidates.append(Candidate(body[0][0], body[-1][1], label, 2))
            continue
        name_words, titles = _strip_title(words)
        while name_words and (name_words[-1][2] in _STOP_CAPS or name_words[-1][2].lower() in lexicon.TITLE_WORDS):
            name_words.pop()
        if not name_words or len(name_words) > 4:
            continue
        surface = text[name_words[0][0] : name_words[-1][1]]
        if surface.lower() in gazetteer or surface in _MONTHS_WEEKDAYS or surface.lower() in _ALIAS:
            continue
        if any(w[2] in _MONTHS_WEEKDAYS or w[2] in gazetteer_names for w in name_words):
            continue
        start, end = name_words[0][0], name_words[-1][1]
        before = text[max(0, start - 40) : start]
        after = text[end : end + 40]
        title = _title_before(text, start)
        evidence = (
            any(t.lower() in lexicon.TITLE_WORDS for t in titles)
            or title is not None
            or _cue_follows(after)
            or re.search(r"\b(?:said|says|according to|told)\s$", before) is not None
            or re.search(r"(?:Photo|AP|Reuters|AFP|Images|EPA|Xinhua)\s?/\s?$", before) is not None
            or (len(name_words) >= 2 and name_words[0][2] in lexicon.GIVEN_NAMES)
            or _APPOSITIVE_TITLE.match(after) is not None
            or re.match(r"^, \d{1,3}, ", after) is not None  # "Smith, 54, said"
        )
        is_known = surface in known or (len(name_words) == 1 and surface in known)
        if not evidence and not is_known:
            continue
        if len(name_words) == 1 and not is_known and (surface in lexicon.TITLE_PARTS or surface in _COMMON_SUBJECTS):
            continue
        candidates.append(Candidate(start, end, "PERSON", 3))
        full = known.get(surface, surface)
        person = people.setdefault(full, Person(full, tuple(w[2] for w in name_words)))
        title_text = " ".join(titles)
        if title:
            title_text = f"{title_text} {title}".strip()
        if title_text:
            person.titles.append(title_text)
        if len(name_words) >= 2:
            for part in (name_words[-1][2], name_words[0][2]):
                known.setdefault(part, surface)
            known[surface] = surface
    return candidates, list(people.values())


def timex_entity_label(timex: TimexMatch) -> str | None:
    """The OntoNotes label of a time expression, or ``None`` when OntoNotes does not tag it.

    Durations under a day and times of day are TIME; dates and longer durations are DATE;
    vague references ("the future", "a long time") are not entities.
    """
    if timex.value in ("PAST_REF", "PRESENT_REF") or timex.value.startswith("PX"):
        return None
    if timex.value == "FUTURE_REF":
        # "the days and weeks ahead" names a calendar stretch; "the future" does not.
        return "DATE" if re.search(r"\b(?:days|weeks|months|years)\b", timex.text, re.IGNORECASE) else None
    if timex.type == "TIME" or timex.value.startswith("PT"):
        return "TIME"
    return "DATE"


def select(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: longest first, then by priority."""
    ranked = sorted(candidates, key=lambda c: (-(c.end - c.start), -c.priority, c.start))
    kept = greedy_disjoint([(c.start, c.end) for c in ranked])
    return sorted((c for c, keep in zip(ranked, kept, strict=True) if keep), key=lambda c: c.start)


def with_article(text: str, cand: Candidate) -> Candidate:
    """Include a preceding "the" in a GPE/ORG/FAC/LOC name that takes it (GUIDELINES 1.1)."""
    if cand.label not in ("GPE", "ORG", "FAC", "LOC") or cand.start < 4:
        return cand
    if text[cand.start - 4 : cand.start].lower() != "the " or (cand.start > 4 and text[cand.start - 5].isalnum()):
        return cand
    following = re.match(r"\s*([a-z][\w\-]*)", text[cand.end :])
    if following and following.group(1) in NOUN_HEADS:
        return cand
    name = text[cand.start : cand.end]
    if cand.label == "GPE" and name in lexicon.CITIES:
        return cand
    return Candidate(cand.start - 4, cand.end, cand.label, cand.priority)


def _without_honorific(text: str, cand: Candidate) -> Candidate:
    """ "Mr. Smith" → ``Smith``: a title is not part of a PERSON span (GUIDELINES 1.1)."""
    m = re.match(r"(?:Mr|Mrs|Ms|Dr|Prof)\.\s+", text[cand.start : cand.end])
    if cand.label != "PERSON" or m is None:
        return cand
    return Candidate(cand.start + m.end(), cand.end, cand.label, cand.priority)


def recognise(
    text: str, ruler_ents: Iterable[tuple[int, int, str]], timexes: Iterable[TimexMatch]
) -> tuple[list[Candidate], list[Person]]:
    """All entity mentions of ``text`` from the ruler's matches, names in context and timexes."""
    pool = [_without_honorific(text, Candidate(s, e, label, 1)) for s, e, label in ruler_ents]
    # Numbers glued into a hyphenated adjective ("one-on-one", "two-day") are not counts.
    pool = [c for c in pool if not (c.label in ("CARDINAL", "ORDINAL") and _is_hyphen_compound(text, c.start, c.end))]
    first, _ = find_name_candidates(text)
    known: dict[str, str] = {}
    for cand in first:
        if cand.label == "PERSON":
            surface = text[cand.start : cand.end]
            parts = surface.split()
            known[surface] = surface
            if len(parts) >= 2:
                known.setdefault(parts[-1], surface)
                known.setdefault(parts[0], surface)
    names, people = find_name_candidates(text, known)
    pool += names
    for t in timexes:
        label = timex_entity_label(t)
        if label is not None:
            pool.append(Candidate(t.start, t.end, label, 4))
    for m in re.finditer(
        r"\bthe (?:first|second|third|fourth|fifth|last|final|previous|next) (?:day|night|week)\b", text, re.IGNORECASE
    ):
        pool.append(Candidate(m.start(), m.end(), "DATE", 4))
    chosen = select(pool)
    return [with_article(text, c) for c in chosen], people


def build_clusters(
    text: str, mentions: Iterable[Candidate], people: Iterable[Person]
) -> tuple[list[ClusterBuilder], dict[tuple[int, int], str]]:
    """Group name mentions into discourse entities; return clusters and mention → cluster id.

    People are grouped by name parts ("Kim Jong Un", "Kim"), places and organisations by
    alias ("U.S.", "the United States"). Numbers, dates and times get no cluster.
    """
    people_by_part: dict[str, str] = {}
    titles: dict[str, list[str]] = {}
    for person in sorted(people, key=lambda p: -len(p.parts)):
        titles.setdefault(person.name, []).extend(person.titles)
        for part in (person.name, person.parts[-1], person.parts[0]):
            people_by_part.setdefault(part, person.name)
    clusters: dict[str, ClusterBuilder] = {}
    of_mention: dict[tuple[int, int], str] = {}
    for cand in mentions:
        if cand.label not in ("PERSON", "GPE", "ORG", "NORP", "FAC", "LOC"):
            continue
        surface = text[cand.start : cand.end]
        if cand.label == "PERSON" or surface in people_by_part:  # a statistical NER may mislabel a surname
            name = people_by_part.get(surface, surface)
            label = "PERSON"
        elif cand.label == "NORP":
            if surface not in NATIONALITY_OF:
                continue
            name, label = NATIONALITY_OF[surface], "GPE"
        else:
            name, label = canonical(surface), cand.label
        key = f"{label}:{name}"
        if key not in clusters:
            clusters[key] = ClusterBuilder(slug(name), name, label, titles=list(titles.get(name, [])))
        clusters[key].add(cand.start, cand.end, "name")
        of_mention[(cand.start, cand.end)] = clusters[key].id
    # Two names slugging alike would share an id; keep ids unique.
    seen: dict[str, int] = {}
    for cluster in clusters.values():
        seen[cluster.id] = seen.get(cluster.id, 0) + 1
        if seen[cluster.id] > 1:
            old = cluster.id
            cluster.id = f"{old}-{seen[old]}"
            for key_span, cid in list(of_mention.items()):
                if cid == old and any((s, e) == key_span for s, e, _ in cluster.mentions):
                    of_mention[key_span] = cluster.id
    return list(clusters.values()), of_mention
