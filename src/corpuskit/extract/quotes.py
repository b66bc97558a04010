"""Quotation attribution by rules, in the manner of the GenderGapTracker's quote extractor.

Per sentence (sentences that a quotation crosses are merged into one unit), every cue verb
from ``lexicon.CUE_VERBS`` and every "according to" opens an attribution, and its shape
decides where the content and the source are:

==================================  ==========================================================
shape                               content / source
==================================  ==========================================================
``"…," X said.`` / ``…, X said.``   everything before the source (marks and the comma inside
                                    them kept) / the noun phrase before the cue
``"…," said X.``                    the same / the noun phrase after the cue
``X said (that) …``                 the clause after the cue (without "that"; an audience such
                                    as "told reporters" and a place phrase before "that" are
                                    skipped) / the noun phrase before the cue
``…, according to X.``              the clause before / the noun phrase after
``…, saying/noting (that) …``       the clause after / the source of the main clause
``Calling … "…," X said …``         the clause after the participle / the main clause's subject
``X's promise to …``                the infinitive or clause after the noun / the possessor
floating ``"…"``                    a sentence that is one quotation and has no cue goes to the
                                    last speaker
==================================  ==========================================================

Speakers are clusters: a named source is the cluster of the name it contains; "he"/"she" is
the last person who spoke (else the last person named); "it" the last organisation that spoke;
a nominal ("the top U.S. diplomat") is the person introduced with a matching title ("U.S.
Secretary of State ...") via ``lexicon.ROLE_TITLES``; "the statement from X" speaks for X.
Kind: ``direct`` when the content is one quoted passage, ``mixed`` when it holds quotation
marks, else ``indirect``; an attribution nested inside another's content is ``indirect``, since
its quotation marks hold the outer speaker's words (GUIDELINES 3.4).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from corpuskit.extract import lexicon
from corpuskit.extract.entities import ClusterBuilder, canonical, gazetteer_spans, slug
from corpuskit.extract.intervals import SortedSpans

QUOTE_MARKS = '"“”'
_ADVERBS = frozenset(
    (
        "also",
        "later",
        "again",
        "further",
        "then",
        "has",
        "had",
        "have",
        "would",
        "will",
        "once",
        "previously",
        "repeatedly",
        "recently",
        "earlier",
        "reportedly",
        "publicly",
        "privately",
        "quickly",
        "firmly",
        "flatly",
        "only",
        "even",
        "still",
        "has",
        "simply",
        "had",
        "just",
    )
)
# Words that end a subject noun phrase when walking left from a cue.
_NP_BREAK = frozenset(
    (
        "that",
        "and",
        "but",
        "or",
        "because",
        "as",
        "while",
        "when",
        "if",
        "though",
        "although",
        "so",
        "which",
        "who",
        "whom",
        "where",
        "after",
        "before",
        "since",
        "than",
        "to",
        "in",
        "on",
        "at",
        "with",
        "by",
        "for",
        "without",
    )
)
_PARTICIPLES = frozenset(f for f in lexicon.CUE_FORMS if f.endswith("ing"))
_NOMINAL_CUES = ("promise", "pledge", "vow", "demand", "warning", "claim", "assurance", "commitment", "call")
_DETERMINERS = frozenset(
    (
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "its",
        "their",
        "our",
        "another",
        "one",
        "two",
        "three",
        "several",
        "many",
        "some",
        "both",
        "each",
        "most",
    )
)
_NOT_SUBJECT = frozenset(
    (
        "there",
        "here",
        "then",
        "now",
        "it",
        "not",
        "also",
        "is",
        "was",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "did",
        "does",
        "but",
        "and",
        "or",
    )
)
_HEAD_NOUNS = frozenset(
    (
        "head",
        "chief",
        "leader",
        "member",
        "members",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "director",
        "president",
        "chairman",
        "chair",
        "secretary",
        "minister",
        "official",
        "officials",
        "representative",
        "representatives",
        "group",
        "statement",
        "report",
        "professor",
        "manager",
        "executive",
        "founder",
        "owner",
        "head",
        "boss",
        "coach",
        "lawyer",
        "lawyers",
        "adviser",
    )
)
_PERSON_NOUNS = frozenset(
    (
        "man",
        "woman",
        "resident",
        "residents",
        "witness",
        "source",
        "sources",
        "analyst",
        "expert",
        "officer",
        "lawmaker",
        "member",
        "voter",
        "student",
        "teacher",
        "doctor",
        "farmer",
        "worker",
        "survivor",
        "victim",
        "father",
        "mother",
        "son",
        "daughter",
        "owner",
    )
)
_PRONOUN_TYPES = {"he": "PERSON", "she": "PERSON", "it": "ORG", "him": "PERSON", "her": "PERSON"}


@dataclass
class QuoteItem:
    """One predicted attribution, character offsets into the document text."""

    content: tuple[int, int]
    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    speaker: str | None
    kind: str = "indirect"
    nested_in: int | None = None  # index into the document's quote list
    parse_source: bool = False


@dataclass
class Word:
    start: int
    end: int
    text: str
    index: int  # token index in the spaCy Doc, for parse look-ups


@dataclass
class Context:
    """What attribution needs to know about the document."""

    text: str
    mentions: list[tuple[int, int, str, str | None]]  # start, end, label, cluster id
    clusters: dict[str, ClusterBuilder]
    speakers: list[tuple[int, str]] = field(default_factory=list)  # (position, cluster id) of attributions
    # Entity mentions come in text order and do not overlap: then look-ups are binary searches.
    _index: SortedSpans | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        spans = [(m[0], m[1]) for m in self.mentions]
        self._index = SortedSpans(spans) if SortedSpans.fits(spans) else None

    def mentions_in(self, start: int, end: int) -> list[tuple[int, int, str, str | None]]:
        if self._index is None:
            return [m for m in self.mentions if m[0] >= start and m[1] <= end]
        lo, hi = self._index.within(start, end)
        return self.mentions[lo:hi]

    def last_mentions(self, *, ending_by: int | None = None, starting_before: int | None = None) -> Iterator[int]:
        """Indices of ``mentions``, last first, from the last one that ends at or before
        ``ending_by`` or starts before ``starting_before`` (scanning stops where the caller breaks)."""
        top = len(self.mentions)
        if self._index is not None and ending_by is not None:
            top = self._index.ending_by(ending_by)
        elif self._index is not None and starting_before is not None:
            top = self._index.starting_before(starting_before)
        return iter(range(top - 1, -1, -1))


def quote_passages(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of quoted passages (marks included) in ``text[start:end]``.

    Marks pair up in order within each paragraph (line), so one stray mark cannot flip the
    rest of the article; a mark left open at a paragraph's end (a quotation continued in the
    next paragraph, news style) runs to that paragraph's end.
    """
    end = len(text) if end is None else end
    passages: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        offset = start + line.start()
        marks = [offset + i for i, ch in enumerate(line.group()) if ch in QUOTE_MARKS]
        passages += [(marks[i], marks[i + 1] + 1) for i in range(0, len(marks) - 1, 2)]
        if len(marks) % 2:
            passages.append((marks[-1], offset + len(line.group().rstrip())))
    return passages


def _inside(pos: int, passages: Iterable[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in passages)


def kind_of(text: str, start: int, end: int) -> str:
    """``direct`` for one quoted passage, ``mixed`` for content holding quotation marks, else ``indirect``."""
    content = text[start:end]
    marks = sum(content.count(q) for q in QUOTE_MARKS)
    if marks == 2 and content[0] in QUOTE_MARKS and content[-1] in QUOTE_MARKS:
        return "direct"
    return "mixed" if marks else "indirect"


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim spaces, the complementizer "that", an outer comma or sentence punctuation (not inside marks)."""
    while start < end and text[start] in " \n:,":
        start += 1
    if text[start:end].startswith("that ") and end - start > 5:
        start += 5
    while end > start and text[end - 1] in " \n":
        end -= 1
    while end > start and text[end - 1] in ".,;:" and text[end - 2 : end - 1] not in QUOTE_MARKS:
        end -= 1
        while end > start and text[end - 1] == " ":
            end -= 1
    return start, end


def _units(sentences: Sequence[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Sentences, merged where a quoted passage runs across a boundary or where a sentence
    splitter cut after a quoted "?" or "!" ('"Why not?" she asked.')."""
    units: list[tuple[int, int]] = []
    # Passages are in text order and apart, so "inside one" is a binary search.
    passages = SortedSpans(quote_passages(text))
    for s, e in sentences:
        same_line = units and "\n" not in text[units[-1][1] : s]
        continues = same_line and re.match(r"[a-z]", text[s:e]) is not None
        if units and (passages.strictly_holding(s) or continues):
            units[-1] = (units[-1][0], e)
        else:
            units.append((s, e))
    # A new quotation opening after a sentence end starts a new unit even where the splitter
    # kept the two together ('… she asked. "We can do it."').
    out: list[tuple[int, int]] = []
    for s, e in units:
        cuts = [
            m.end()
            for m in re.finditer(r'(?<=[a-z][.!?])\s+(?=["“])', text[s:e])
            if not passages.strictly_holding(s + m.start())
        ]
        bounds = [s] + [s + c for c in cuts] + [e]
        out += [(a, b) for a, b in pairwise(bounds) if b > a]
    return out


class Attributor:
    """Finds attributions in one document; ``words`` are its tokens, ``parse`` optional."""

    def __init__(self, ctx: Context, words: list[Word], heads: dict[int, tuple[str, list[int]]] | None = None):
        self.ctx = ctx
        self.text = ctx.text
        self.words = words
        self.heads = heads  # token index -> (dep label of the subject found, subject token indices)
        self.items: list[QuoteItem] = []
        spans = [(w.start, w.end) for w in words]
        self._word_index = SortedSpans(spans) if SortedSpans.fits(spans) else None
        self._latest: QuoteItem | None = None  # the item whose content starts last (the first such)
        self._titles: dict[tuple[str, int, str], tuple[bool, set[str]]] = {}
        self._places: dict[tuple[str, int], set[str]] = {}

    # -- noun phrases -------------------------------------------------------------------------

    def _words_in(self, start: int, end: int) -> list[Word]:
        if self._word_index is None:
            return [w for w in self.words if w.start >= start and w.end <= end]
        lo, hi = self._word_index.within(start, end)
        return self.words[lo:hi]

    def subject_before(self, cue: Word, unit_start: int, passages: list[tuple[int, int]]) -> tuple[int, int] | None:
        """The noun phrase that ends just before a cue (adverbs such as "also" skipped)."""
        left = [w for w in self._words_in(unit_start, cue.start) if not _inside(w.start, passages)]
        while left and left[-1].text.lower() in _ADVERBS:
            left.pop()
        if left and left[-1].text == ",":
            if cue.index < 0:
                return None
            named = self._named_apposition(left)
            return named if named is not None else self._appositive_subject(cue.start, unit_start)
        phrase: list[Word] = []
        for k in range(len(left) - 1, -1, -1):
            w = left[k]
            low = w.text.lower()
            neighbour = left[k - 1].text.lower() if k > 0 else ""
            # "the head of the council", "a spokesperson for Acme": a preposition after a role noun
            # stays inside the subject.
            if phrase and low in ("of", "for", "at", "from", "with") and neighbour in _HEAD_NOUNS:
                phrase.insert(0, w)
                continue
            if w.text in ',;:()"“”' or (low in _NP_BREAK and not (low in ("of", "from") and phrase)):
                break
            if low in lexicon.CUE_FORMS and w.text.islower() and w is not cue:
                break
            if phrase and low in ("from", "of") and not any(p.text[:1].isupper() for p in phrase):
                break
            phrase.insert(0, w)
            if len(phrase) > 9:
                return None
        if not phrase:
            return None
        # A subject has a name, a pronoun or a noun; a lone lower-case verb-like word does not count.
        first, last = phrase[0].text.lower(), phrase[-1].text.lower()
        nounish = (
            any(p.text[:1].isupper() for p in phrase)
            or first in _DETERMINERS
            or last in _PRONOUN_TYPES
            or last in ("they", "we", "i", "you")
            or (
                len(phrase) <= 3
                and last.isalpha()
                and not last.endswith("ly")
                and last not in _NOT_SUBJECT
                and not any(p.text.lower() in _NOT_SUBJECT for p in phrase)
            )
        )
        if not nounish:
            return None
        if phrase[0].text.lower() in ("there", "it") and len(phrase) == 1 and phrase[0].text == "there":
            return None
        return phrase[0].start, phrase[-1].end

    def _named_apposition(self, left: list[Word]) -> tuple[int, int] | None:
        """ "The union's general secretary, Jo Grady, said": the name set off by commas."""
        comma = left[-1].start
        for k in self.ctx.last_mentions(ending_by=comma):
            m = self.ctx.mentions[k]
            if m[1] <= comma and m[2] == "PERSON" and self.text[m[1] : comma] == "":
                return (m[0], m[1]) if re.search(r",\s*$", self.text[max(0, m[0] - 3) : m[0]]) else None
            if m[1] < comma - 60:
                break
        return None

    def _appositive_subject(self, cue_start: int, unit_start: int = 0) -> tuple[int, int] | None:
        """ "Sarah Connor, the group's director, said", "the official, who asked not to be named,
        said": the noun phrase before an appositive or relative clause between commas."""
        for k in self.ctx.last_mentions(ending_by=cue_start):
            m = self.ctx.mentions[k]
            if m[1] > cue_start:
                continue
            if m[1] < cue_start - 80:
                break
            gap = self.text[m[1] : cue_start]
            if m[2] in ("PERSON", "ORG") and re.fullmatch(r", [^,\"“”]{1,70}, (?:\w+ly )?", gap):
                return m[0], m[1]
        inserted = re.search(
            r', (?:who|which|a|an|the|in|on|at|\d{1,3}\b)[^,"“”]{0,70}, (?:\w+ly )?$', self.text[unit_start:cue_start]
        )
        if inserted is None:
            return None
        comma = unit_start + inserted.start()
        fake = Word(comma, comma + 1, ",", -1)
        found = self.subject_before(fake, unit_start, [])
        return found if found is not None and self.text[found[1] : comma] == "" else None

    def subject_after(self, cue: Word, unit_end: int) -> tuple[int, int] | None:
        """The noun phrase right after an inverted cue ("said Trump", "said the official")."""
        m = re.match(
            r"\s*((?:the |The |a |an )?(?:[\w.'\-]+ ){0,5}?[\w.'\-]+?)(?=[,.;:]|\s+(?:on|in|at|during|after|"
            r"before|who|as|when|while|to)\b|$)",
            self.text[cue.end : unit_end],
        )
        if not m:
            return None
        start = cue.end + m.start(1)
        end = cue.end + m.end(1)
        phrase = self.text[start:end]
        if not phrase or not (phrase[0].isupper() or phrase.split()[0].lower() in ("the", "a", "an", "he", "she")):
            return None
        return start, end

    # -- speakers -----------------------------------------------------------------------------

    def resolve(self, source: tuple[int, int], position: int) -> str | None:
        """The cluster a source noun phrase refers to, adding it as a mention where new."""
        start, end = source
        phrase = self.text[start:end]
        low = phrase.lower()
        inside = self.ctx.mentions_in(start, end)
        doc_noun = re.search(r"\b(" + "|".join(lexicon.DOCUMENT_NOUNS) + r")\s+(?:from|of|by|issued by)\s+", low)
        if doc_noun:
            inside = [m for m in inside if m[0] >= start + doc_noun.end()]
        words = low.split()
        head = re.sub(r"[^a-z\-]", "", words[-1]) if words else ""
        indefinite = bool(words) and words[0] in ("a", "an", "one", "another")
        if head in lexicon.ROLE_TITLES and not any(m[2] == "PERSON" for m in inside):
            cluster = None if indefinite else self._nominal(phrase, head, position)
            if cluster:
                self.ctx.clusters[cluster].add(start, end, "nominal")
                return cluster
            return self._new_cluster(phrase, head, start, end)
        for label in ("PERSON", "ORG", "GPE", "NORP"):
            named = [m for m in inside if m[2] == label and m[3]]
            if named:
                cluster = named[-1][3]
                if (start, end) != (named[-1][0], named[-1][1]) and cluster in self.ctx.clusters and not doc_noun:
                    self.ctx.clusters[cluster].add(named[-1][0], named[-1][1], "name")
                return cluster
        if low in _PRONOUN_TYPES:
            cluster = self._antecedent(_PRONOUN_TYPES[low], position)
            if cluster:
                self.ctx.clusters[cluster].add(start, end, "pronoun")
            return cluster
        if low in ("they", "we", "i", "you", "them", "us") or len(words) > 7 or not re.search(r"[a-z]", low):
            return None
        return self._new_cluster(phrase, head, start, end)

    def _new_cluster(self, phrase: str, head: str, start: int, end: int) -> str:
        """A discourse entity for a source nothing else names ("a police spokesman", "the ministry")."""
        name = re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.IGNORECASE)
        for cluster in self.ctx.clusters.values():
            if cluster.name.lower() == name.lower():
                cluster.add(start, end, "nominal")
                return cluster.id
        person = head in lexicon.ROLE_TITLES or head in lexicon.TITLE_WORDS or head in _PERSON_NOUNS
        kind = "PERSON" if person else "ORG"
        base = slug(name)
        cid, n = base, 1
        while cid in self.ctx.clusters:
            n += 1
            cid = f"{base}-{n}"
        self.ctx.clusters[cid] = ClusterBuilder(cid, name, kind, [(start, end, "nominal")])
        return cid

    def _antecedent(self, kind: str, position: int) -> str | None:
        """The last speaker of this kind, unless a person named since then opens a sentence
        ("Smith said X. Jones arrived later. He said Y": "He" is Jones)."""
        best_pos, best = -1, None
        for pos, cluster in reversed(self.ctx.speakers):
            if pos < position and self.ctx.clusters[cluster].type == kind:
                best_pos, best = pos, cluster
                break
        if kind == "ORG":
            return best
        for k in self.ctx.last_mentions(starting_before=position):
            s, _, label, mentioned = self.ctx.mentions[k]
            if s >= position or label != kind or not mentioned:
                continue
            if s <= best_pos:
                break
            opens = re.search(r'(?:^|[.!?]["”]?\s+|\n)(?:[A-Z][\w.\'\-]*\s+){0,4}$', self.text[max(0, s - 60) : s])
            if best is None or opens:
                return mentioned
        return best

    def _nominal(self, phrase: str, head: str, position: int) -> str | None:
        roles = lexicon.ROLE_TITLES[head]
        places = _places(phrase)
        best: tuple[int, int, str] | None = None
        for cluster in self.ctx.clusters.values():
            if cluster.type != "PERSON" or not cluster.titles:
                continue
            has_role, title_places = self._titles_of(cluster, head, roles)
            if not has_role:
                continue
            # The title names the same country (1), names none (0) or names another one (-1).
            agree = 1 if places & title_places else -1 if places and title_places else 0
            last = cluster.last_start_before(position)
            if last < 0:
                continue
            score = (agree, last, cluster.id)
            if best is None or score[:2] > best[:2]:
                best = score
        return best[2] if best and best[0] >= 0 else None

    def _titles_of(self, cluster: ClusterBuilder, head: str, roles: Iterable[str]) -> tuple[bool, set[str]]:
        """Whether a cluster's titles name one of the ``roles`` of ``head``, and the places they
        name, worked out once per cluster and head: a person named throughout a long text
        collects many titles, and every "the president" would read them all again."""
        key = (cluster.id, len(cluster.titles), head)
        if key not in self._titles:
            titles = " ".join(cluster.titles).lower()
            has_role = any(re.search(rf"\b{re.escape(r)}\b", titles) for r in roles)
            places = self._places.get(key[:2])
            if places is None:
                places = self._places[key[:2]] = {p for t in cluster.titles for p in _places(t)}
            self._titles[key] = (has_role, places)
        return self._titles[key]

    # -- attributions -------------------------------------------------------------------------

    def add(
        self,
        content: tuple[int, int],
        cue: tuple[int, int] | None,
        source: tuple[int, int] | None,
        position: int,
        speaker: str | None = None,
    ) -> QuoteItem | None:
        start, end = trim(self.text, *content)
        if end - start < 3:
            return None
        if speaker is None and source is not None:
            speaker = self.resolve(source, position)
        item = QuoteItem((start, end), cue, source, speaker, kind_of(self.text, start, end))
        self.items.append(item)
        if self._latest is None or item.content[0] > self._latest.content[0]:
            self._latest = item
        if speaker:
            self.ctx.speakers.append((position, speaker))
        return item

    def run(self, sentences: Sequence[tuple[int, int]]) -> list[QuoteItem]:
        for unit in _units(sentences, self.text):
            self.unit(*unit)
        self._nest()
        return self.items

    def unit(self, start: int, end: int) -> None:
        text = self.text
        while start < end and text[start] in " \n":
            start += 1
        while end > start and text[end - 1] in " \n":
            end -= 1
        if start >= end:
            return
        passages = quote_passages(text, start, end)
        words = [w for w in self._words_in(start, end) if not _inside(w.start, passages)]
        cues: list[tuple[Word, Word]] = []  # (first, last) word of the cue
        for i, w in enumerate(words):
            low = w.text.lower()
            if low == "according" and i + 1 < len(words) and words[i + 1].text.lower() == "to":
                cues.append((w, words[i + 1]))
            elif low in lexicon.CUE_FORMS and self._is_cue(w, words[i + 1 :], end, passages):
                last = (
                    words[i + 1] if low.startswith("hint") and i + 1 < len(words) and words[i + 1].text == "at" else w
                )
                cues.append((w, last))
        boundaries = [c.start for c, _ in cues if self._is_boundary(c, start)]
        found_before = len(self.items)
        main_source: tuple[int, int] | None = None
        main_speaker: str | None = None
        consumed = start  # content already attributed ends here
        for cue, cue_last in cues:
            next_cue = min([b for b in boundaries if b > cue.start] + [end])
            cue_span = (cue.start, cue_last.end)
            low = cue.text.lower()
            if low == "according":
                src = self._np_after(cue_last.end, end)
                before = text[start : cue.start].rstrip()
                if before.endswith(","):
                    item = self.add((start, cue.start), cue_span, src, cue.start)
                else:
                    comma = text.find(",", cue_last.end, end)
                    item = self.add((comma + 1 if comma >= 0 else cue_last.end, next_cue), cue_span, src, cue.start)
                if item:
                    consumed = max(consumed, item.content[1])
                    main_source, main_speaker = main_source or src, main_speaker or item.speaker
                continue
            if low in _PARTICIPLES and (cue.start in boundaries or text[start : cue.start].strip() == ""):
                if text[start : cue.start].strip() == "":
                    # Fronted: "Calling X "Y," Trump said ...": content up to the comma before the subject.
                    self._fronted(cue, cue_span, start, end, passages)
                    if self.items[found_before:]:
                        main_source = self.items[-1].source
                        main_speaker = self.items[-1].speaker
                        consumed = self.items[-1].content[1]
                    continue
                after = self._content_start(cue_last, next_cue)
                src = main_source or self._first_subject(start, cue.start, passages)
                speaker = main_speaker if src == main_source else None
                self.add((after, next_cue), cue_span, src, cue.start, speaker)
                continue
            subject = self._parse_subject(cue) or self.subject_before(cue, max(start, consumed), passages)
            after_text = text[cue_last.end : next_cue]
            lead = text[max(start, subject[0] - 2) : subject[0]].strip() if subject else ""
            after_quote = lead in (',"', '"', ",”", '?"', '!"', "?”", "!”")
            after_comma = lead == ","
            # After a closing quotation mark the source ends the attribution unless a new content
            # follows ("that", a colon, another quotation); after a plain comma only a short tail may.
            sentence_tail = re.split(r"(?<=[.!?])\s", after_text, maxsplit=1)[0]
            tail_is_end = not re.search(r'\bthat\b|:|["“]', sentence_tail) and (
                after_quote
                or len(sentence_tail.split()) <= 3
                or re.match(
                    r"\s*(?:,\s*\w+ing|in|on|at|during|after|before|to|while|from|late|earlier|last|this|"
                    r"when|as)\b",
                    sentence_tail,
                )
                is not None
            )
            if subject and (after_quote or after_comma) and tail_is_end and subject[0] > start:
                # "…," X said. — content before the source.
                item = self.add((max(start, consumed), subject[0]), cue_span, subject, cue.start)
            elif (
                subject is None
                and text[max(start, cue.start - 3) : cue.start].strip() in (",", ',"', ",”")
                and cue.start > start
            ):
                src = self._parse_subject(cue, before=False) or self.subject_after(cue_last, end)
                item = self.add((max(start, consumed), cue.start), cue_span, src, cue.start)
            elif subject is not None:
                item = self.add((self._content_start(cue_last, next_cue), next_cue), cue_span, subject, cue.start)
            else:
                item = None
            if item:
                consumed = max(consumed, cue_last.end)
                if main_source is None:
                    main_source, main_speaker = item.source, item.speaker
        self._nominal_cues(start, end, passages)
        if len(self.items) == found_before:
            self._floating(start, end, passages)

    def _is_boundary(self, cue: Word, start: int) -> bool:
        """A cue that opens a new attribution after a comma: ", saying", ", according to"."""
        low = cue.text.lower()
        if low not in _PARTICIPLES and low != "according":
            return False
        return re.search(r",[\"”]?\s*$", self.text[start : cue.start]) is not None

    def _is_cue(self, w: Word, rest: list[Word], end: int, passages: list[tuple[int, int]]) -> bool:
        """A cue verb that really introduces speech here (weak cues need "that", a quotation or a clause)."""
        low = w.text.lower()
        lemma = lexicon.CUE_FORMS[low]
        nxt = rest[0].text.lower() if rest else ""
        if w.text[:1].isupper() and w.start > 0 and self.text[w.start - 1] not in '\n"“' and low not in _PARTICIPLES:
            return False
        if lemma == "say" and re.match(r"\s*to\s+(?:be|have)\b", self.text[w.end : w.end + 12]):
            return False  # "is said to be": hearsay, no source
        if lemma == "hint" and nxt != "at" and nxt != "that":
            return False
        if lemma == "tell":
            return True
        if re.search(r'[,?!]["”]\s+[^"“”,]{1,60}$', self.text[max(0, w.start - 70) : w.start]):
            return True  # '"…," Smith wrote': any cue right after a closing quotation and a source
        if lemma in lexicon.WEAK_CUES:
            window = self.text[w.end : min(end, w.end + 60)]
            if lemma == "call":
                # "called the vote "a farce"": a small clause ending in a quotation, not "called for".
                return nxt not in ("for", "on", "off", "in", "up", "out", "back") and bool(re.search(r'["“]', window))
            if lemma == "demand":
                return True
            return bool(re.match(r"\s*(?:that\b|[,:]?\s*[\"“])", window)) or bool(re.search(r"\bthat\b", window[:40]))
        return not (lemma == "add" and nxt in ("to", "up"))

    def _content_start(self, cue_last: Word, limit: int) -> int:
        """Where the content after a cue starts: past an audience ("told reporters"), a place
        phrase before "that" ("hinted at the press conference that") and "that" itself."""
        text = self.text
        pos = cue_last.end
        window = text[pos:limit]
        m = re.match(r"\s*(?:[,:]\s*)?", window)
        pos += m.end() if m else 0
        colon = re.match(r"[^\"“”:.;]{0,60}?:\s*(?=[\"“])", text[pos:limit])
        if colon:  # "said in an interview: "...""
            return pos + colon.end()
        that = re.match(r"((?:[\w.'\-]+\s+){0,7}?)that\s", text[pos:limit])
        skipped = that.group(1).lower().split() if that else []
        if that and not re.search(r'[,"“”]', that.group(1)) and not any(w in lexicon.CUE_FORMS for w in skipped):
            return pos + that.end()
        lemma = lexicon.CUE_FORMS.get(cue_last.text.lower(), "")
        if lemma == "tell":
            aud = re.match(
                r"(?:the\s+|a\s+)?(?:[\w.'\-]+\s+){0,2}?(?:"
                + "|".join(lexicon.AUDIENCE_NOUNS)
                + r"|him|her|them|us|me|[A-Z][\w.]+(?:\s+[A-Z][\w.]+)*)\s+",
                text[pos:limit],
            )
            if aud:
                pos += aud.end()
        return pos

    def _np_after(self, pos: int, end: int) -> tuple[int, int] | None:
        m = re.match(r"\s*([^,.;:]+?)\s*(?=[,.;:]|$)", self.text[pos:end])
        if not m or not m.group(1):
            return None
        return pos + m.start(1), pos + m.end(1)

    def _first_subject(self, start: int, cue_start: int, passages: list[tuple[int, int]]) -> tuple[int, int] | None:
        for item in reversed(self.items):
            if start <= item.content[0] < cue_start or (item.source and start <= item.source[0] < cue_start):
                return item.source
        m = re.match(r"\s*((?:[A-Z][\w.'\-]*\s?)+)", self.text[start:cue_start])
        if m:
            return start + m.start(1), start + m.end(1) - (1 if m.group(1).endswith(" ") else 0)
        return None

    def _fronted(
        self, cue: Word, cue_span: tuple[int, int], start: int, end: int, passages: list[tuple[int, int]]
    ) -> None:
        """ "Calling X "very strong," Trump said he …": the participle's content, then the main clause."""
        m = re.search(
            r",[\"”]?\s+((?:[A-Z][\w.'\-]*|the|The|a|U\.S\.)(?:\s+[\w.'\-]+){0,5}?)\s+("
            + "|".join(lexicon.CUE_FORMS)
            + r")\b",
            self.text[cue.end : end],
        )
        if not m:
            return
        content_end = cue.end + m.start() + (2 if self.text[cue.end + m.start() + 1] in QUOTE_MARKS else 1)
        src = (cue.end + m.start(1), cue.end + m.end(1))
        self.add((cue.end, content_end), cue_span, src, cue.start)

    def _parse_subject(self, cue: Word, before: bool = True) -> tuple[int, int] | None:
        """The parsed subject of a cue verb, on the side asked for (before it, or after it:
        "said Trump")."""
        if not self.heads or cue.index not in self.heads:
            return None
        indices = self.heads[cue.index][1]
        words = [w for w in self.words if w.index in indices]
        if not words or (words[0].start < cue.start) != before:
            return None
        return words[0].start, words[-1].end

    def _nominal_cues(self, start: int, end: int, passages: list[tuple[int, int]]) -> None:
        """ "Kim's promise not to conduct tests": a possessor, a speech noun, an infinitive or clause."""
        pattern = (
            r"\b([A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*)*)'s\s+("
            + "|".join(_NOMINAL_CUES)
            + r")\s+((?:not\s+)?to\s+|that\s+)"
        )
        for m in re.finditer(pattern, self.text[start:end]):
            src = (start + m.start(1), start + m.end(1))
            cue_span = (start + m.start(2), start + m.end(2))
            content_start = start + m.start(3) + (5 if m.group(3).startswith("that") else 0)
            stop = re.search(r"[,;.](?=\s|$)", self.text[content_start:end])
            content_end = content_start + stop.start() if stop else end
            self.add((content_start, content_end), cue_span, src, cue_span[0])

    def _floating(self, start: int, end: int, passages: list[tuple[int, int]]) -> None:
        """A sentence that is one quotation and has no cue: the last speaker's words."""
        if len(passages) != 1:
            return
        ps, pe = passages[0]
        rest = self.text[start:ps] + self.text[pe:end]
        if rest.strip(" .,\n") or not self.items:
            return
        last = self._latest
        assert last is not None  # there are items
        if start - last.content[1] > 1500:
            return
        # The last attribution's speaker, even when it stayed unresolved: the quotation is found.
        speaker = last.speaker
        if speaker is None and self.ctx.speakers:
            position, candidate = self.ctx.speakers[-1]
            speaker = candidate if start - position <= 1500 and last.source is None else None
        self.add((ps, pe), None, None, ps, speaker)

    def _nest(self) -> None:
        """Mark an item whose cue lies inside a longer item's content as nested in the first such
        item. Only items starting at most the longest content's length before the cue can hold
        it, so the candidates are a window of the items sorted by content start."""
        by_start = sorted(range(len(self.items)), key=lambda j: self.items[j].content[0])
        starts = [self.items[j].content[0] for j in by_start]
        longest = max((b - a for a, b in (item.content for item in self.items)), default=0)
        for i, item in enumerate(self.items):
            if item.cue is None:
                continue
            lo = bisect_left(starts, item.content[1] - 1 - longest)
            hi = bisect_left(starts, item.cue[0] + 1)
            for j in sorted(by_start[lo:hi]):
                outer = self.items[j]
                if (
                    j != i
                    and outer.content[0] <= item.cue[0]
                    and item.content[1] <= outer.content[1] + 1
                    and (outer.content[1] - outer.content[0] > item.content[1] - item.content[0])
                ):
                    item.nested_in = j
                    item.kind = "indirect"
                    break


def _places(phrase: str) -> set[str]:
    """Canonical names of the places and nationalities named in a phrase ("U.S." → United States)."""
    return {canonical(phrase[s:e]) for s, e in gazetteer_spans(phrase)}


def quote_dicts(items: Sequence[QuoteItem], text: str) -> list[dict[str, Any]]:
    """Contract objects (see docs/architecture.md) sorted by content start, ids ``Q1``, ``Q2`` ..."""
    order = sorted(range(len(items)), key=lambda i: (items[i].content[0], items[i].content[1]))
    ids = {old: f"Q{new}" for new, old in enumerate(order, 1)}

    def span(pair: tuple[int, int] | None) -> dict[str, Any] | None:
        return None if pair is None else {"start": pair[0], "end": pair[1], "text": text[pair[0] : pair[1]]}

    out: list[dict[str, Any]] = []
    for old in order:
        item = items[old]
        entry: dict[str, Any] = {
            "id": ids[old],
            "content": span(item.content),
            "cue": span(item.cue),
            "source": span(item.source),
            "speaker": item.speaker,
            "kind": item.kind,
        }
        if item.nested_in is not None:
            entry["nested_in"] = ids[item.nested_in]
        out.append(entry)
    return out
