"""Time expressions: recognition by patterns and TIMEX3 normalisation against a creation time.

Recognition (``find_timexes``) and normalisation (``normalise``, ``resolve_weekday``,
``resolve_month``, ``shift``, ``duration_value``) are pure functions over strings and dates, so
they are tested without spaCy; ``TimexComponent`` wraps them as the ``corpuskit_timexes``
pipeline component.

Conventions (TIMEX3 / TimeML):

* a weekday or a month without a year points into the past of the creation time (DCT) unless
  its sentence speaks of the future ("will", "next", "scheduled to" ...): "June" in a
  February 2019 report is ``2018-06``; "Thursday" on Thursday 2019-02-28 is ``2019-02-28``;
* a part of a day is a TIME: "Wednesday night" is ``2019-02-27TNI``;
* "a year ago" keeps the granularity of its unit (``2018``), "the following day" is one day
  after the last day-level expression before it (or the DCT);
* clock times take the date of their anchor: "2 p.m. local time" is ``2019-02-28T14:00``,
  "0700 GMT" is ``2019-02-28T07:00Z``;
* durations are ``P``/``PT`` values ("two hours" ``PT2H``, "two-day" ``P2D``, "several
  weeks" ``PXW``); vague references are ``PAST_REF`` / ``PRESENT_REF`` / ``FUTURE_REF``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from corpuskit.extract.intervals import SortedSpans, greedy_disjoint

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
DAY_PARTS: dict[str, str] = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "tonight": "NI"}
SEASONS: dict[str, str] = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
NUMBERS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "hundred": 100,
}
# Vague quantities: the TIMEX3 value keeps the unit and an unknown number ("several days" PXD).
VAGUE = ("several", "a few", "few", "many", "some", "a couple of", "couple of")
UNITS: dict[str, str] = {
    "second": "S",
    "minute": "M",
    "hour": "H",
    "day": "D",
    "week": "W",
    "month": "M",
    "year": "Y",
    "decade": "DE",
    "century": "CE",
}
CLOCK_UNITS = ("second", "minute", "hour")
# UTC offsets of the zone abbreviations news uses after clock times.
ZONES: dict[str, str] = {
    "GMT": "Z",
    "UTC": "Z",
    "EST": "-05:00",
    "EDT": "-04:00",
    "CST": "-06:00",
    "CDT": "-05:00",
    "MST": "-07:00",
    "MDT": "-06:00",
    "PST": "-08:00",
    "PDT": "-07:00",
    "BST": "+01:00",
    "CET": "+01:00",
    "CEST": "+02:00",
    "KST": "+09:00",
    "JST": "+09:00",
    "IST": "+05:30",
}
# Words in a sentence that send a weekday or a bare month into the future of the DCT.
FUTURE_CUES = re.compile(
    r"\b(?:will|shall|'ll|next|upcoming|scheduled|planned|plans? to|expected|set to|is to|are to|going to"
    r"|would|coming)\b",
    re.IGNORECASE,
)

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PART = r"(?:morning|afternoon|evening|night)"
_NUM = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty)"
_UNIT = r"(?:second|minute|hour|day|week|month|year|decade|centur(?:y|ie))s?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_ZONE = "|".join(ZONES)


@dataclass(frozen=True, slots=True)
class TimexMatch:
    """A recognised time expression: character offsets, TIMEX3 type, value and modifier."""

    start: int
    end: int
    text: str
    type: str
    value: str
    mod: str | None = None


# ---------------------------------------------------------------------------------------------
# Normalisation: pure functions over dates.


def parse_dct(value: str | date | None) -> date | None:
    """A creation time as a ``date`` (``"2019-02-28"`` or a ``date``; ``None`` stays ``None``)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def resolve_weekday(weekday: int | str, dct: date, future: bool = False) -> date:
    """The date of a weekday named in a text written on ``dct`` (0 = Monday).

    Past by default: the most recent such day on or before the DCT; ``future``: the next one
    on or after it.

    >>> resolve_weekday("Wednesday", date(2019, 2, 28)).isoformat()
    '2019-02-27'
    """
    index = WEEKDAYS[weekday.lower()] if isinstance(weekday, str) else weekday
    if future:
        return dct + timedelta(days=(index - dct.weekday()) % 7)
    return dct - timedelta(days=(dct.weekday() - index) % 7)


def resolve_month(month: int | str, dct: date, future: bool = False) -> str:
    """``YYYY-MM`` of a month named without a year: the most recent one (or the next one).

    >>> resolve_month("June", date(2019, 2, 28))
    '2018-06'
    """
    number = MONTHS[month.lower().rstrip(".")] if isinstance(month, str) else month
    year = dct.year
    if future and number < dct.month:
        year += 1
    elif not future and number > dct.month:
        year -= 1
    return f"{year:04d}-{number:02d}"


def _month_day_year(month: int, day: int, dct: date, future: bool) -> date | None:
    """The date of "Feb. 28" without a year: the nearest such day in the stated direction."""
    try:
        candidate = date(dct.year, month, day)
    except ValueError:
        return None
    if future and candidate < dct - timedelta(days=7):
        candidate = candidate.replace(year=dct.year + 1)
    elif not future and candidate > dct + timedelta(days=7):
        candidate = candidate.replace(year=dct.year - 1)
    return candidate


def iso_week(day: date) -> str:
    """``YYYY-Www`` of the ISO week holding ``day``."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def shift(dct: date, amount: int, unit: str) -> str:
    """The TIMEX3 value ``amount`` units away from ``dct``, at the granularity of the unit.

    >>> shift(date(2019, 2, 28), -1, "year"), shift(date(2019, 2, 28), 1, "day")
    ('2018', '2019-03-01')
    """
    unit = unit.lower().rstrip("s")
    if unit == "day":
        return (dct + timedelta(days=amount)).isoformat()
    if unit == "week":
        return iso_week(dct + timedelta(weeks=amount))
    if unit == "month":
        index = dct.year * 12 + dct.month - 1 + amount
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if unit == "year":
        return f"{dct.year + amount:04d}"
    if unit == "decade":
        return f"{(dct.year + 10 * amount) // 10:03d}"
    raise ValueError(f"unknown unit {unit!r}")


def number_value(word: str) -> int | None:
    """The integer a numeral stands for ("two" 2, "12" 12, "a" 1), or ``None``."""
    word = word.lower()
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def duration_value(amount: int | None, unit: str) -> str:
    """TIMEX3 duration: ``PT2H`` for two hours, ``P2D`` two days, ``PXW`` an unknown number of weeks.

    >>> duration_value(2, "hours"), duration_value(None, "week")
    ('PT2H', 'PXW')
    """
    unit = unit.lower()
    unit = "century" if unit.startswith("centur") else unit.rstrip("s")
    code = UNITS[unit]
    number = "X" if amount is None else str(amount)
    return f"PT{number}{code}" if unit in CLOCK_UNITS else f"P{number}{code}"


def clock_value(hour: int, minute: int, meridiem: str | None, day: date, zone: str | None = None) -> str:
    """TIMEX3 value of a clock time on ``day``: ``2019-02-28T14:00`` for 2 p.m.

    >>> clock_value(7, 0, None, date(2019, 2, 28), "GMT")
    '2019-02-28T07:00Z'
    """
    meridiem = (meridiem or "").lower().replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    offset = ZONES.get(zone.upper(), "") if zone else ""
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}{offset}"


def future_context(sentence: str) -> bool:
    """Whether a sentence speaks of the future, which decides unanchored weekdays and months."""
    return FUTURE_CUES.search(sentence) is not None


# ---------------------------------------------------------------------------------------------
# Recognition: ordered patterns, each with a normaliser. Longest match wins where two overlap.


@dataclass(slots=True)
class _Context:
    dct: date
    future: bool
    anchor: date  # the last day-level date before the expression (the DCT at first)


Normaliser = Callable[[re.Match[str], _Context], tuple[str, str] | tuple[str, str, str | None] | None]


def _g(match: re.Match[str], name: str) -> str | None:
    value: str | None = match.groupdict().get(name)
    return value


def _n_full_date(m: re.Match[str], ctx: _Context) -> tuple[str, str] | None:
    month = MONTHS[(_g(m, "month") or "").lower().rstrip(".")]
    day = int(re.sub(r"\D", "", _g(m, "day") or ""))
    year = _g(m, "year")
    if year:
        try:
            return "DATE", date(int(year), month, day).isoformat()
        except ValueError:
            return None
    found = _month_day_year(month, day, ctx.dct, ctx.future)
    return None if found is None else ("DATE", found.isoformat())


def _n_month_year(m: re.Match[str], ctx: _Context) -> tuple[str, str, str | None]:
    month = MONTHS[(_g(m, "month") or "").lower().rstrip(".")]
    return "DATE", f"{int(_g(m, 'year') or 0):04d}-{month:02d}", _mod(_g(m, "mod"))


def _n_month(m: re.Match[str], ctx: _Context) -> tuple[str, str, str | None]:
    return "DATE", resolve_month(_g(m, "month") or "", ctx.dct, ctx.future), _mod(_g(m, "mod"))


def _mod(word: str | None) -> str | None:
    if not word:
        return None
    word = word.lower().rstrip("-").strip()
    return {"early": "START", "late": "END", "mid": "MID", "the end of": "END", "the beginning of": "START"}.get(word)


def _n_year(m: re.Match[str], ctx: _Context) -> tuple[str, str, str | None]:
    return "DATE", _g(m, "year") or "", _mod(_g(m, "mod"))


def _weekday_date(m: re.Match[str], ctx: _Context) -> date:
    word = (_g(m, "weekday") or "").lower()
    rel = (_g(m, "rel") or "").lower()
    if rel == "next":
        return resolve_weekday(word, ctx.dct + timedelta(days=1), future=True)
    if rel == "last":
        return resolve_weekday(word, ctx.dct - timedelta(days=1))
    return resolve_weekday(word, ctx.dct, future=ctx.future)


def _n_weekday(m: re.Match[str], ctx: _Context) -> tuple[str, str]:
    return "DATE", _weekday_date(m, ctx).isoformat()


def _n_weekday_part(m: re.Match[str], ctx: _Context) -> tuple[str, str]:
    part = DAY_PARTS[(_g(m, "part") or "").lower()]
    return "TIME", f"{_weekday_date(m, ctx).isoformat()}T{part}"


def _n_deictic_day(m: re.Match[str], ctx: _Context) -> tuple[str, str]:
    word = (_g(m, "deictic") or "").lower()
    offset = {"today": 0, "tonight": 0, "this": 0, "yesterday": -1, "tomorrow": 1}[word]
    day = ctx.dct + timedelta(days=offset)
    part = _g(m, "part")
    if word == "tonight":
        return "TIME", f"{day.isoformat()}TNI"
    if part:
        return "TIME", f"{day.isoformat()}T{DAY_PARTS[part.lower()]}"
    return "DATE", day.isoformat()


def _n_relative_unit(m: re.Match[str], ctx: _Context) -> tuple[str, str] | None:
    rel = (_g(m, "rel") or "").lower()
    unit = (_g(m, "unit") or "").lower()
    amount = {"last": -1, "past": -1, "previous": -1, "this": 0, "next": 1, "coming": 1}[rel]
    if unit == "weekend":
        week = iso_week(ctx.dct + timedelta(weeks=amount))
        return "DATE", f"{week}-WE"
    return "DATE", shift(ctx.dct, amount, unit)


def _n_ago(m: re.Match[str], ctx: _Context) -> tuple[str, str] | None:
    amount = number_value(_g(m, "num") or "")
    unit = (_g(m, "unit") or "").lower().rstrip("s")
    if amount is None or unit not in ("day", "week", "month", "year", "decade"):
        return "DATE", "PAST_REF"
    return "DATE", shift(ctx.dct, -amount, unit)


def _n_following(m: re.Match[str], ctx: _Context) -> tuple[str, str] | None:
    rel = (_g(m, "rel") or "").lower()
    unit = (_g(m, "unit") or "").lower()
    amount = {"following": 1, "next": 1, "previous": -1, "same": 0, "before": -1, "after": 1}[rel]
    return "DATE", shift(ctx.anchor, amount, unit)


def _n_same_day(m: re.Match[str], ctx: _Context) -> tuple[str, str]:
    return "DATE", ctx.anchor.isoformat()


def _n_clock(m: re.Match[str], ctx: _Context) -> tuple[str, str] | None:
    hour = int(_g(m, "hour") or 0)
    minute = int(_g(m, "minute") or 0)
    meridiem = _g(m, "meridiem")
    if hour > 23 or minute > 59 or (meridiem and hour > 12):
        return None
    return "TIME", clock_value(hour, minute, meridiem, ctx.anchor, _g(m, "zone"))


def _n_military(m: re.Match[str], ctx: _Context) -> tuple[str, str] | None:
    digits = _g(m, "hhmm") or ""
    hour, minute = int(digits[:2]), int(digits[2:])
    if hour > 23 or minute > 59:
        return None
    return "TIME", clock_value(hour, minute, None, ctx.anchor, _g(m, "zone"))


def _n_noon(m: re.Match[str], ctx: _Context) -> tuple[str, str]:
    word = (_g(m, "noon") or "").lower()
    return "TIME", f"{ctx.anchor.isoformat()}T{'12:00' if word == 'noon' else '24:00'}"


def _n_duration(m: re.Match[str], ctx: _Context) -> tuple[str, str] | None:
    unit = _g(m, "unit") or ""
    num = _g(m, "num")
    amount = None if num is None else number_value(num)
    if num is not None and amount is None:
        return None
    return "DURATION", duration_value(amount, unit)


def _n_vague_duration(m: re.Match[str], ctx: _Context) -> tuple[str, str]:
    return "DURATION", duration_value(None, _g(m, "unit") or "")


def _n_ref(value: str, kind: str = "DATE") -> Normaliser:
    def normalise_ref(m: re.Match[str], ctx: _Context) -> tuple[str, str]:
        return kind, value

    return normalise_ref


def _n_set(m: re.Match[str], ctx: _Context) -> tuple[str, str]:
    word = (_g(m, "unit") or "").lower()
    code = {
        "daily": "P1D",
        "weekly": "P1W",
        "monthly": "P1M",
        "annually": "P1Y",
        "yearly": "P1Y",
        "day": "P1D",
        "week": "P1W",
        "month": "P1M",
        "year": "P1Y",
    }.get(word)
    if code is None and word in WEEKDAYS:
        code = f"XXXX-WXX-{WEEKDAYS[word] + 1}"
    return "SET", code or "P1D"


def _n_season(m: re.Match[str], ctx: _Context) -> tuple[str, str]:
    rel = (_g(m, "rel") or "").lower()
    season = SEASONS[(_g(m, "season") or "").lower()]
    year = _g(m, "year")
    if year:
        return "DATE", f"{year}-{season}"
    amount = {"last": -1, "next": 1, "this": 0, "": 0}.get(rel, 0)
    return "DATE", f"{ctx.dct.year + amount:04d}-{season}"


def _n_decade(m: re.Match[str], ctx: _Context) -> tuple[str, str]:
    return "DATE", (_g(m, "decade") or "")[:3]


_PATTERNS: list[tuple[str, Normaliser, int]] = [
    # (regex, normaliser, flags); the regexes use named groups the normalisers read.
    (rf"(?:{_WEEKDAY},? )?(?P<month>{_MONTH}) (?P<day>{_DAY})(?:,? (?P<year>{_YEAR}))?(?![\d:])", _n_full_date, 0),
    (
        rf"(?:{_WEEKDAY},? )?(?:the )?(?P<day>{_DAY}) (?:of )?(?P<month>{_MONTH})(?:,? (?P<year>{_YEAR}))?",
        _n_full_date,
        0,
    ),
    (
        rf"(?:(?P<mod>early|late|mid-?|the end of|the beginning of) ?)?(?P<month>{_MONTH}),? (?P<year>{_YEAR})",
        _n_month_year,
        0,
    ),
    (
        r"(?:(?P<mod>[Ee]arly|[Ll]ate|mid-?) ?)?(?P<month>January|February|March|April|June|July|August|September"
        r"|October|November|December)\b",
        _n_month,
        0,
    ),
    (
        rf"(?:(?P<mod>[Ee]arly|[Ll]ate|mid-?) ?)?(?<![\w$.,])(?P<year>{_YEAR})\b"
        r"(?![-.,]?\d|s\b| (?:percent|people|troops))",
        _n_year,
        0,
    ),
    (rf"(?:(?P<rel>[Nn]ext|[Ll]ast|[Tt]his) )?(?P<weekday>{_WEEKDAY}) (?P<part>{_PART})", _n_weekday_part, 0),
    (rf"(?:(?P<rel>[Nn]ext|[Ll]ast|[Tt]his) )?(?P<weekday>{_WEEKDAY})\b", _n_weekday, 0),
    (
        rf"\b(?P<deictic>yesterday|tomorrow|today|this)(?: (?P<part>{_PART}))?\b(?(part)|(?<!this))",
        _n_deictic_day,
        re.IGNORECASE,
    ),
    (r"\b(?P<deictic>tonight)\b", _n_deictic_day, re.IGNORECASE),
    (
        r"\b(?P<rel>last|past|previous|this|next|coming) (?P<unit>week|month|year|weekend)\b(?! (?:or|and) )",
        _n_relative_unit,
        re.IGNORECASE,
    ),
    (rf"\b(?P<num>{_NUM}|several|a few|many) (?P<unit>{_UNIT}) ago\b", _n_ago, re.IGNORECASE),
    (r"\bthe (?P<rel>following|next|previous|same) (?P<unit>day|week|month|year)\b", _n_following, re.IGNORECASE),
    (r"\bthe (?P<unit>day|week) (?P<rel>before|after)\b", _n_following, re.IGNORECASE),
    (r"\b(?:earlier|later) (?:in the day|that day|the same day|this day)\b", _n_same_day, re.IGNORECASE),
    (
        rf"\b(?P<hour>[01]?\d|2[0-3])(?::(?P<minute>[0-5]\d))? ?(?P<meridiem>[ap]\.m\.|[ap]m\b)"
        rf"(?: (?:(?P<local>local time)|\(?(?P<zone>{_ZONE})\)?))?",
        _n_clock,
        0,
    ),
    (rf"\b(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?: (?:(?P<local>local time)|(?P<zone>{_ZONE})))?", _n_clock, 0),
    (rf"\b(?P<hhmm>[01]\d[0-5]\d|2[0-3][0-5]\d) ?(?P<zone>{_ZONE})\b", _n_military, 0),
    (r"\b(?P<noon>noon|midnight)\b", _n_noon, re.IGNORECASE),
    (
        rf"\b(?P<num>\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty)"
        rf"(?:-| )(?:(?:more|full|straight|consecutive|additional|extra|long) )?(?P<unit>{_UNIT})(?:-long)?\b",
        _n_duration,
        re.IGNORECASE,
    ),
    (rf"\b(?:{'|'.join(VAGUE)}) (?:more )?(?P<unit>{_UNIT})\b(?! ago)", _n_vague_duration, re.IGNORECASE),
    (r"\b(?:an|one) (?P<unit>hour|day|week|month|year)(?:-long)?\b(?! ago| or| and|s)", _n_duration, re.IGNORECASE),
    (r"\bhalf an? (?P<unit>hour|day)\b", _n_vague_duration, re.IGNORECASE),
    (r"\ba (?:long|short) (?P<unit>time|while)\b", _n_ref("PXY", "DURATION"), re.IGNORECASE),
    (
        r"\bthe (?:coming )?(?:days|weeks|months|years)"
        r"(?: (?:and|or) (?:days|weeks|months|years))? (?:ahead|to come)\b",
        _n_ref("FUTURE_REF"),
        re.IGNORECASE,
    ),
    (r"\b(?:the future|the near future)\b", _n_ref("FUTURE_REF"), re.IGNORECASE),
    (r"\b(?:recently|the past|previously|formerly)\b", _n_ref("PAST_REF"), re.IGNORECASE),
    (r"\b(?:currently|nowadays|at present|the moment)\b", _n_ref("PRESENT_REF"), re.IGNORECASE),
    (rf"\b(?:every|each) (?P<unit>day|week|month|year|{_WEEKDAY.strip('(?:)')})\b", _n_set, re.IGNORECASE),
    (r"\b(?P<unit>daily|weekly|monthly|annually|yearly)\b", _n_set, re.IGNORECASE),
    (
        r"\b(?:(?P<rel>last|next|this) )?(?P<season>spring|summer|autumn|winter)"
        r"(?: (?:of )?(?P<year>(?:19|20)\d\d))?\b",
        _n_season,
        re.IGNORECASE,
    ),
    (r"\b(?:the )?(?P<decade>(?:19|20)\d0)s\b", _n_decade, 0),
]
_COMPILED: list[tuple[re.Pattern[str], Normaliser]] = [(re.compile(p, f), n) for p, n, f in _PATTERNS]
# A "duration" inside a compound such as "two-day summit" is still a duration, but the number
# words alone ("the two leaders") are not: the unit is required by every duration pattern.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"'A-Z])|\n")


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _sentence_finder(bounds: list[tuple[int, int]]) -> Callable[[int], tuple[int, int] | None]:
    """The first sentence of ``bounds`` holding a position: a binary search when the sentences
    are in order and apart (a pipeline's are), else a scan."""
    if SortedSpans.fits(bounds) and all(a[1] <= b[0] for a, b in pairwise(bounds)):
        index = SortedSpans(bounds)

        def find(position: int) -> tuple[int, int] | None:
            i = index.holding(position)
            return None if i is None else bounds[i]

        return find
    return lambda position: next(((s, e) for s, e in bounds if s <= position < e), None)


def _candidates(text: str) -> list[tuple[int, int, int, re.Match[str]]]:
    found: list[tuple[int, int, int, re.Match[str]]] = []
    for rank, (pattern, _) in enumerate(_COMPILED):
        for m in pattern.finditer(text):
            if m.end() > m.start():
                found.append((m.start(), m.end(), rank, m))
    # Longest first, then earlier pattern; a greedy sweep then keeps non-overlapping ones.
    found.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    kept = greedy_disjoint([(c[0], c[1]) for c in found])
    chosen = [cand for cand, keep in zip(found, kept, strict=True) if keep]
    chosen.sort(key=lambda c: c[0])
    return chosen


def _outside_quotes(sentence: str, offset: int) -> str:
    """The sentence without its quoted passages, unless ``offset`` lies inside one: the tense
    of "said on Monday" is the reporter's, not that of the words quoted."""
    passages = [m.span() for m in re.finditer(r'["“][^"“”]*["”]', sentence)]
    if any(s <= offset < e for s, e in passages):
        return sentence
    return re.sub(r'["“][^"“”]*["”]', " ", sentence)


def find_timexes(
    text: str, dct: str | date | None, sentences: Iterable[tuple[int, int]] | None = None
) -> list[TimexMatch]:
    """Every time expression in ``text``, normalised against the creation time ``dct``.

    ``sentences`` (character spans) decide the future/past reading of weekdays and months;
    by default a simple punctuation split is used. Without a DCT, relative values stay
    underspecified (``XXXX``).

    >>> [(t.text, t.value) for t in find_timexes("They met on Wednesday night.", "2019-02-28")]
    [('Wednesday night', '2019-02-27TNI')]
    """
    anchor_dct = parse_dct(dct)
    missing_dct = anchor_dct is None
    base = anchor_dct or date(2000, 1, 1)
    bounds = list(sentences) if sentences is not None else _sentence_spans(text)
    sentence_of = _sentence_finder(bounds)
    ctx = _Context(base, False, base)
    out: list[TimexMatch] = []
    for start, end, rank, m in _candidates(text):
        s_start, s_end = sentence_of(start) or (max(0, start - 100), end + 100)
        ctx.future = future_context(_outside_quotes(text[s_start:s_end], start - s_start))
        normalised = _COMPILED[rank][1](m, ctx)
        if normalised is None:
            continue
        kind, value = normalised[0], normalised[1]
        mod = normalised[2] if len(normalised) > 2 else None
        if missing_dct and re.match(r"\d{4}-\d\d-\d\d", value) and rank not in (0, 1):
            value = "XXXX-XX-XX" + value[10:]
        out.append(TimexMatch(start, end, m.group(0), kind, value, mod))
        day = re.match(r"(\d{4}-\d\d-\d\d)", value)
        if day and kind in ("DATE", "TIME"):
            ctx.anchor = date.fromisoformat(day.group(1))
    return _local_offsets(out)


def _local_offsets(found: list[TimexMatch]) -> list[TimexMatch]:
    """ "2 p.m. local time (0700 GMT)": the zoned time in brackets gives the local UTC offset."""
    out = list(found)
    for i, t in enumerate(out[:-1]):
        nxt = out[i + 1]
        local = re.match(r"(\d{4}-\d\d-\d\d)T(\d\d):(\d\d)$", t.value)
        zoned = re.match(r"(\d{4}-\d\d-\d\d)T(\d\d):(\d\d)(Z|[+-]\d\d:\d\d)$", nxt.value)
        if "local time" not in t.text or not local or not zoned or nxt.start - t.end > 3:
            continue
        sign_z = zoned.group(4)
        zone = 0 if sign_z == "Z" else int(sign_z[:3]) * 60 + int(sign_z[0] + sign_z[4:])
        minutes = (int(local.group(2)) - int(zoned.group(2))) * 60 + int(local.group(3)) - int(zoned.group(3)) + zone
        minutes = (minutes + 12 * 60) % (24 * 60) - 12 * 60
        sign = "+" if minutes >= 0 else "-"
        offset = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        out[i] = TimexMatch(t.start, t.end, t.text, t.type, t.value + offset, t.mod)
    return out


def normalise(text: str, dct: str | date, anchor: str | date | None = None, future: bool = False) -> tuple[str, str]:
    """TIMEX3 ``(type, value)`` of one time expression read on ``dct``.

    ``anchor`` is the date that relative expressions ("the following day", clock times)
    count from (default: the DCT); ``future`` reads weekdays and bare months forward.

    >>> normalise("a year ago", "2019-02-28")
    ('DATE', '2018')
    >>> normalise("the following day", "2019-02-28", anchor="2019-02-27")
    ('DATE', '2019-02-28')
    """
    base = parse_dct(dct)
    assert base is not None
    ctx = _Context(base, future, parse_dct(anchor) or base)
    for pattern, normaliser in _COMPILED:
        m = pattern.fullmatch(text)
        if m is not None:
            result = normaliser(m, ctx)
            if result is not None:
                return result[0], result[1]
    raise ValueError(f"not a time expression corpuskit recognises: {text!r}")


def timex_dicts(matches: Iterable[TimexMatch]) -> list[dict[str, Any]]:
    """Contract objects (see docs/architecture.md) for recognised expressions, ids ``X1``, ``X2`` ..."""
    out: list[dict[str, Any]] = []
    for i, t in enumerate(matches, 1):
        item: dict[str, Any] = {
            "id": f"X{i}",
            "start": t.start,
            "end": t.end,
            "text": t.text,
            "type": t.type,
            "value": t.value,
        }
        if t.mod:
            item["mod"] = t.mod
        out.append(item)
    return out
