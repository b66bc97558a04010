"""Events by a trigger lexicon: type, arguments from the sentence, and factuality cues.

``TRIGGERS`` maps trigger words and fixed phrases to ACE 2005 types or the documented
extensions of corpus/GUIDELINES.md section 4.2. Reporting verbs are the quote layer's, not
events. For every trigger the sentence supplies:

* arguments: people and organisations near the trigger (``Entity``; ``Artifact`` for
  ``Movement.*``), a place after "in"/"at"/"to" (``Place`` / ``Destination``), the sentence's
  dates and times (``Time-Within``) and durations (``Time-Holds``);
* polarity ``negative`` when a negation cue ("no", "not", "without", "failed to", "could not")
  governs the trigger in the few words before it;
* modality ``other`` for planned, possible, conditional, hoped-for or purposive events
  ("possible", "might", "would", "will", "scheduled to", "plans to", "to sign");
* tense from auxiliaries and past-tense verbs; realis ``actual`` only for positive,
  asserted, non-future events not cancelled in the same sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpuskit.extract.timexes import TimexMatch

TRIGGERS: dict[str, str] = {
    # Contact
    "summit": "Contact.Meet",
    "summits": "Contact.Meet",
    "meeting": "Contact.Meet",
    "meetings": "Contact.Meet",
    "meet": "Contact.Meet",
    "meets": "Contact.Meet",
    "met": "Contact.Meet",
    "talks": "Contact.Meet",
    "chat": "Contact.Meet",
    "dinner": "Contact.Meet",
    "working lunch": "Contact.Meet",
    "lunch": "Contact.Meet",
    "press conference": "Contact.Meet",
    "news conference": "Contact.Meet",
    "conference": "Contact.Meet",
    "discussion": "Contact.Meet",
    "discussions": "Contact.Meet",
    "discussed": "Contact.Meet",
    "discuss": "Contact.Meet",
    "negotiations": "Contact.Meet",
    "negotiated": "Contact.Meet",
    "consultations": "Contact.Meet",
    "briefing": "Contact.Meet",
    "interview": "Contact.Meet",
    "phone call": "Contact.Phone-Write",
    "called": "Contact.Phone-Write",
    "letter": "Contact.Phone-Write",
    "joint statement": "Contact.Statement",
    "joint declaration": "Contact.Statement",
    # Movement
    "visit": "Movement.Transport",
    "visits": "Movement.Transport",
    "visited": "Movement.Transport",
    "returning": "Movement.Transport",
    "returned": "Movement.Transport",
    "return": "Movement.Transport",
    "arrived": "Movement.Transport",
    "arrive": "Movement.Transport",
    "arrival": "Movement.Transport",
    "left": "Movement.Transport",
    "departed": "Movement.Transport",
    "departure": "Movement.Transport",
    "travelled": "Movement.Transport",
    "traveled": "Movement.Transport",
    "trip": "Movement.Transport",
    "flew": "Movement.Transport",
    "stay": "Movement.Stay",
    "stayed": "Movement.Stay",
    "staying": "Movement.Stay",
    # Agreements
    "deal": "Agreement.Reach",
    "agreement": "Agreement.Reach",
    "agreements": "Agreement.Reach",
    "accord": "Agreement.Reach",
    "agreed": "Agreement.Reach",
    "agree": "Agreement.Reach",
    "treaty": "Agreement.Reach",
    "signing ceremony": "Agreement.Sign",
    "sign off": "Agreement.Sign",
    "sign": "Agreement.Sign",
    "signed": "Agreement.Sign",
    "signing": "Agreement.Sign",
    # Aspect
    "started": "Aspect.Begin",
    "start": "Aspect.Begin",
    "began": "Aspect.Begin",
    "begin": "Aspect.Begin",
    "launched": "Aspect.Begin",
    "end": "Aspect.End",
    "ended": "Aspect.End",
    "ends": "Aspect.End",
    "concluded": "Aspect.End",
    "continue": "Aspect.Continue",
    "continued": "Aspect.Continue",
    "continues": "Aspect.Continue",
    "resume": "Aspect.Continue",
    "resumed": "Aspect.Continue",
    "maintain": "Aspect.Continue",
    "hiatus": "Aspect.Suspend",
    "suspended": "Aspect.Suspend",
    "halted": "Aspect.Suspend",
    "pause": "Aspect.Suspend",
    # Negotiation, policy, sanctions, schedule, weapons
    "demanded": "Negotiation.Demand",
    "promise": "Negotiation.Promise",
    "promised": "Negotiation.Promise",
    "pledged": "Negotiation.Promise",
    "denuclearization": "Policy.Denuclearize",
    "denuclearizing": "Policy.Denuclearize",
    "denuclearize": "Policy.Denuclearize",
    "sanctions": "Sanction.Impose",
    "relief": "Sanction.Lift",
    "cancelled": "Schedule.Cancel",
    "canceled": "Schedule.Cancel",
    "called off": "Schedule.Cancel",
    "scrapped": "Schedule.Cancel",
    "brought forward": "Schedule.Reschedule",
    "postponed": "Schedule.Reschedule",
    "rescheduled": "Schedule.Reschedule",
    "delayed": "Schedule.Reschedule",
    "tests": "Weapon.Test",
    "test": "Weapon.Test",
    "tested": "Weapon.Test",
    "launches": "Weapon.Test",
    # ACE 2005 classics for other news
    "attack": "Conflict.Attack",
    "attacks": "Conflict.Attack",
    "attacked": "Conflict.Attack",
    "bombing": "Conflict.Attack",
    "strike": "Conflict.Attack",
    "strikes": "Conflict.Attack",
    "invasion": "Conflict.Attack",
    "war": "Conflict.Attack",
    "fighting": "Conflict.Attack",
    "protest": "Conflict.Demonstrate",
    "protests": "Conflict.Demonstrate",
    "rally": "Conflict.Demonstrate",
    "killed": "Life.Die",
    "died": "Life.Die",
    "death": "Life.Die",
    "deaths": "Life.Die",
    "injured": "Life.Injure",
    "wounded": "Life.Injure",
    "born": "Life.Be-Born",
    "married": "Life.Marry",
    "arrested": "Justice.Arrest-Jail",
    "detained": "Justice.Arrest-Jail",
    "sentenced": "Justice.Sentence",
    "convicted": "Justice.Convict",
    "charged": "Justice.Charge-Indict",
    "sued": "Justice.Sue",
    "trial": "Justice.Trial-Hearing",
    "elected": "Personnel.Elect",
    "election": "Personnel.Elect",
    "appointed": "Personnel.Start-Position",
    "resigned": "Personnel.End-Position",
    "fired": "Personnel.End-Position",
    "paid": "Transaction.Transfer-Money",
    "bought": "Transaction.Transfer-Ownership",
    "merger": "Business.Merge-Org",
}
# Word senses that are not events: "left" as a direction, "end" in "in the end", "test" as a verb of trials.
_NOT_AFTER = {
    "left": ("side", "wing", "hand"),
    "end": ("of", "up", "result"),
    "ended": ("up",),
    "ends": ("up",),
    "start": ("of",),
}
_NEGATION = re.compile(r"\b(?:no|not|n't|never|without|failed to|fail to|refused to|declined to|nor|cannot)\b")
_BLOCKERS = re.compile(r"\b(?:appropriate|good|right|clear|possible|easy|hard|necessary|but|though|although)\b")
_MODAL = re.compile(
    r"\b(?:possible|possibly|might|may|could|would|will|'ll|should|must|can|shall|plan(?:s|ned)? to|scheduled to|"
    r"expected to|hope[sd]? to|want(?:s|ed)? to|wish(?:es|ed)? to|looked forward to|look forward to|likely|"
    r"potential|proposed|planned|next|if|to|take time|demanded|demand|promise|promised|in exchange for|"
    r"for a|aim(?:s|ed)? to|seek(?:s)? to|sought to|intend(?:s|ed)? to|ready to|willing to)\b"
)
_FUTURE = re.compile(
    r"\b(?:will|'ll|would|shall|going to|scheduled to|plans? to|expected to|next|looked forward to|"
    r"(?:promise[sd]?|pledged?|vowed?) (?:not )?to|"
    r"look forward to|take time|ahead|in the future|future)\b"
)
_PAST = re.compile(
    r"\b(?:was|were|had|did|\w+ed|said|met|began|left|took|came|made|got|went|told|felt|"
    r"saw|gave|held|brought)\b"
)
_PRESENT = re.compile(r"\b(?:is|are|am|remains?|has been|have been|now|currently)\b")


@dataclass
class EventItem:
    """One predicted event mention, character offsets into the document text."""

    trigger: tuple[int, int]
    type: str
    arguments: list[tuple[str, int, int, str | None]] = field(default_factory=list)
    polarity: str = "positive"
    modality: str = "asserted"
    tense: str = "past"
    realis: str = "actual"


_TRIGGER_RE = re.compile(
    r"\b(" + "|".join(re.escape(t) for t in sorted(TRIGGERS, key=len, reverse=True)) + r")\b", re.IGNORECASE
)


def find_triggers(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Every lexicon trigger in ``text[start:end]`` as ``(start, end, type)``."""
    end = len(text) if end is None else end
    out: list[tuple[int, int, str]] = []
    for m in _TRIGGER_RE.finditer(text, start, end):
        word = m.group(1).lower()
        nxt = re.match(r"\s*(\w+)", text[m.end() : m.end() + 20])
        if nxt and nxt.group(1).lower() in _NOT_AFTER.get(word, ()):
            continue
        if word == "left" and not re.match(r"\s+(?:[A-Z]|for\b|the\s+[A-Z])", text[m.end() : m.end() + 10]):
            continue
        if word in ("conference", "lunch") and re.search(r"(?:press|news|working)\s$", text[m.start() - 8 : m.start()]):
            continue
        if word in ("sign", "signing") and text[m.end() : m.end() + 4] in (" off", " cer"):
            continue
        if word == "called" and not re.match(r"\s+(?:him|her|them|[A-Z])", text[m.end() : m.end() + 6]):
            continue
        if (
            word == "promise"
            and not re.search(r"'s\s$|\bthe\s$|\ba\s$", text[m.start() - 4 : m.start()])
            and re.match(r"\s+(?:to|that)\b", text[m.end() : m.end() + 6]) is None
        ):
            continue
        out.append((m.start(), m.end(), TRIGGERS[word]))
    return out


def _clause_before(sentence: str, offset: int) -> str:
    """The part of the sentence between the last clause boundary and ``offset``."""
    head = sentence[:offset]
    cut = max(head.rfind(","), head.rfind(";"), head.rfind(" but "), head.rfind(" though "))
    return head[cut + 1 :] if cut >= 0 else head


def factuality(sentence: str, offset: int, trigger: str, event_type: str) -> tuple[str, str, str, str]:
    """``(polarity, modality, tense, realis)`` of a trigger at ``offset`` in ``sentence``."""
    clause = _clause_before(sentence, offset).lower()
    window = " ".join(clause.split()[-7:])
    polarity = "positive"
    neg = list(_NEGATION.finditer(window))
    if neg:
        between = window[neg[-1].end() :]
        if not _BLOCKERS.search(between):
            polarity = "negative"
    near = " ".join(clause.split()[-6:])
    modal = _MODAL.search(near)
    if event_type == "Schedule.Cancel" or event_type.startswith("Aspect.End"):
        modal = _MODAL.search(" ".join(clause.split()[-2:]))
    if (
        modal
        and modal.group(0) == "to"
        and re.search(r"\b(?:failed|had|agreed|started|began|continued|not) to$", near[: modal.end()])
    ):
        modal = None
    modality = "other" if modal else "asserted"
    if polarity == "negative" and re.search(
        r"\b(?:no|without|failed to|could not|cannot|can't|did not|didn't)\b", window
    ):
        modality = "asserted"
    whole = sentence.lower()
    if _FUTURE.search(near) or (modality == "other" and _FUTURE.search(whole)):
        tense = "future"
    elif modality == "other" and re.search(r"\bto$", near.strip()) and not _PAST.search(near):
        tense = "unspecified"
    elif _PAST.search(whole):
        tense = "past"
    elif _PRESENT.search(whole):
        tense = "present"
    else:
        tense = "past"
    realis = "actual" if polarity == "positive" and modality == "asserted" and tense in ("past", "present") else "other"
    return polarity, modality, tense, realis


def extract_events(
    text: str,
    sentences: Sequence[tuple[int, int]],
    mentions: Iterable[tuple[int, int, str, str | None]],
    timexes: Iterable[TimexMatch],
) -> list[EventItem]:
    """Events of ``text``: triggers, arguments and factuality, sentence by sentence.

    ``mentions`` are ``(start, end, label, cluster)`` entity mentions.
    """
    mention_list = sorted(mentions)
    timex_list = list(timexes)
    # Arguments come from the trigger's sentence: hand each sentence only the mentions and
    # timexes that start in it (in their own order), not the whole text's.
    mention_starts = [m[0] for m in mention_list]
    timex_order = sorted(range(len(timex_list)), key=lambda k: timex_list[k].start)
    timex_starts = [timex_list[k].start for k in timex_order]
    events: list[EventItem] = []
    for s_start, s_end in sentences:
        sentence = text[s_start:s_end]
        found = find_triggers(text, s_start, s_end)
        if not found:
            continue
        in_mentions = mention_list[bisect_left(mention_starts, s_start) : bisect_right(mention_starts, s_end)]
        picked = timex_order[bisect_left(timex_starts, s_start) : bisect_right(timex_starts, s_end)]
        in_timexes = [timex_list[k] for k in sorted(picked)]
        cancelled = any(t == "Schedule.Cancel" for _, _, t in found)
        for t_start, t_end, event_type in found:
            polarity, modality, tense, realis = factuality(sentence, t_start - s_start, text[t_start:t_end], event_type)
            if (
                cancelled
                and event_type != "Schedule.Cancel"
                and t_start < max(s for s, _, t in found if t == "Schedule.Cancel")
            ):
                realis = "other"
            item = EventItem((t_start, t_end), event_type, [], polarity, modality, tense, realis)
            item.arguments = _arguments(text, (s_start, s_end), (t_start, t_end), event_type, in_mentions, in_timexes)
            events.append(item)
    return events


def _arguments(
    text: str,
    sentence: tuple[int, int],
    trigger: tuple[int, int],
    event_type: str,
    mentions: list[tuple[int, int, str, str | None]],
    timexes: list[TimexMatch],
) -> list[tuple[str, int, int, str | None]]:
    args: list[tuple[str, int, int, str | None]] = []
    s_start, s_end = sentence
    near = [m for m in mentions if s_start <= m[0] and m[1] <= s_end and abs(m[0] - trigger[0]) < 80]
    people_role = "Artifact" if event_type.startswith("Movement.") else "Entity"
    if event_type.split(".")[0] in ("Contact", "Agreement", "Aspect", "Movement", "Negotiation"):
        for m in near:
            if m[2] in ("PERSON", "ORG") and not (m[0] >= trigger[0] and m[1] <= trigger[1]):
                args.append((people_role, m[0], m[1], m[3]))
    for m in mentions:
        if not (s_start <= m[0] and m[1] <= s_end) or m[2] not in ("GPE", "FAC", "LOC"):
            continue
        prep = text[max(s_start, m[0] - 9) : m[0]]
        if m[0] > trigger[1] and re.search(r"\b(?:in|at)\s+(?:the\s+)?$", prep):
            args.append(("Place", m[0], m[1], m[3]))
            break
        if event_type == "Movement.Transport" and m[0] > trigger[1] and re.search(r"\bto\s+(?:the\s+)?$", prep):
            args.append(("Destination", m[0], m[1], m[3]))
            break
    for t in timexes:
        if s_start <= t.start and t.end <= s_end and t.start != trigger[0]:
            if t.type == "DURATION":
                if not (t.start <= trigger[0] < t.end) and t.start > trigger[1]:
                    args.append(("Time-Holds", t.start, t.end, None))
            elif abs(t.start - trigger[0]) < 120 and t.value not in ("FUTURE_REF", "PAST_REF"):
                args.append(("Time-Within", t.start, t.end, None))
    return args


def event_dicts(items: Sequence[EventItem], text: str) -> list[dict[str, Any]]:
    """Contract objects (see docs/architecture.md) sorted by trigger start, ids ``E1``, ``E2`` ..."""
    out: list[dict[str, Any]] = []
    for i, e in enumerate(sorted(items, key=lambda e: e.trigger), 1):
        s, t = e.trigger
        out.append(
            {
                "id": f"E{i}",
                "trigger": {"start": s, "end": t, "text": text[s:t]},
                "type": e.type,
                "arguments": [
                    {"role": r, "start": a, "end": b, "text": text[a:b], "cluster": c} for r, a, b, c in e.arguments
                ],
                "polarity": e.polarity,
                "modality": e.modality,
                "tense": e.tense,
                "realis": e.realis,
            }
        )
    return out
