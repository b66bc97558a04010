"""The one tokenizer and sentence splitter of corpuskit: agreement and resampling, the
annotation widget's snapping, and the CoNLL writer all cut text the same way.

Kept here, not taken from spaCy, so offsets and scores never depend on a model version.
The rules, tried in this order at each position (white space separates tokens):

1. an abbreviation written with inner periods is one token: ``U.S.``, ``p.m.``, ``D.C.``;
2. a title abbreviation with its period is one token: ``Mr.``, ``Dr.``, ``Gen.``, ``St.``;
3. a number with inner separators is one token: ``3,995``, ``2.5``, ``10:30``;
4. a clitic is a token of its own, as in CoNLL-2003 and OntoNotes: ``Kim`` ``'s``,
   ``do`` ``n't``, ``we`` ``'ll`` (straight or curly apostrophe);
5. a run of letters, digits and underscores is one token (a hyphen splits: ``two`` ``-``
   ``day``, so ``Trump`` stays selectable in ``Trump-Kim``);
6. any other character is a token of its own (punctuation, quotation marks, ``$``).

A sentence ends after ``.``, ``!`` or ``?`` (and any closing quotes or brackets) followed by
white space and an upper-case letter, digit or opening quote; a line break always ends one.

>>> text = "U.S. Secretary Pompeo's talks at 2:30 p.m. didn't end."
>>> [text[s:e] for s, e in tokenize(text)]
['U.S.', 'Secretary', 'Pompeo', "'s", 'talks', 'at', '2:30', 'p.m.', 'did', "n't", 'end', '.']
"""

from __future__ import annotations

import re

TITLES = ("Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Sgt", "Jr", "Sr", "St", "Mt")
TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"  # 1. U.S., p.m.
    rf"|\b(?:{'|'.join(TITLES)})\.(?=\s)"  # 2. Mr. Smith
    r"|\d+(?:[.,:]\d+)+"  # 3. 3,995  2.5  10:30
    r"|['’](?:s|re|ve|ll|d|m)\b"  # 4. clitics: 's 're 've 'll 'd 'm
    r"|n['’]t\b"  # 4. n't
    r"|\w+?(?=n['’]t\b)"  # 5. the word before n't
    r"|\w+"  # 5. words
    r"|\S",  # 6. anything else, one character
)
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[A-Z0-9\"“'‘(])|\n+")


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Token offsets ``(start, end)`` in ``text[start:end]``, as offsets into ``text``.

    >>> tokenize("Kim's train left.")
    [(0, 3), (3, 5), (6, 11), (12, 16), (16, 17)]
    """
    return [m.span() for m in TOKEN.finditer(text, start, len(text) if end is None else end)]


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets ``(start, end)``, surrounding white space left out.

    >>> sentences('He left. "No deal," he said.\\nEnd')
    [(0, 8), (9, 28), (29, 32)]
    """
    out: list[tuple[int, int]] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        end = match.start() + len(match.group().rstrip())
        _add(out, text, start, end)
        start = match.end()
    _add(out, text, start, len(text))
    return out


def _add(out: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append((start, end))
