"""Deciding the disputed spans: one accepted reading per site, saved with its vote counts.

Sites are numbered as the report ranks them (1: where the class splits most). A site where
more than half the class gives one reading starts decided by that majority; accepting another
reading overrides it, and a site no reading wins stays undecided (and out of the file) until
one is accepted. The saved file is a corpuskit document (native JSON) holding the decided
entities, with every decision and its votes in ``metadata["adjudication"]``, so ``corpuskit
evaluate`` scores it against the gold like any annotation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from corpuskit.errors import CorpuskitError
from corpuskit.model import Document, Entity
from corpuskit.sprint.collect import Pool
from corpuskit.sprint.measure import ClassAgreement, Reading, Site
from corpuskit.sprint.report import reading_text

ADJUDICATION_KEY = "adjudication"


class AdjudicationError(CorpuskitError, ValueError):
    """A decision names a site or reading that does not exist."""


class Adjudication:
    """The decisions on one pool's sites; ``decisions[k]`` is the reading chosen for site k+1."""

    def __init__(self, pool: Pool, result: ClassAgreement) -> None:
        self.pool = pool
        self.sites: tuple[Site, ...] = result.sites
        self.decisions: list[Reading | None] = [site.majority for site in self.sites]
        self.accepted: list[bool] = [False] * len(self.sites)

    def site(self, number: int) -> Site:
        if not 1 <= number <= len(self.sites):
            raise AdjudicationError(f"no site {number}: the sites are numbered 1 to {len(self.sites)}")
        return self.sites[number - 1]

    def accept(self, number: int, reading: int) -> Reading:
        """Accept the ``reading``-th reading (1: the most voted) of site ``number``."""
        site = self.site(number)
        if not 1 <= reading <= len(site.readings):
            raise AdjudicationError(f"site {number} has readings 1 to {len(site.readings)}, not {reading}")
        chosen = site.readings[reading - 1][0]
        self.decisions[number - 1] = chosen
        self.accepted[number - 1] = True
        return chosen

    @property
    def undecided(self) -> list[int]:
        return [k for k, decision in enumerate(self.decisions, start=1) if decision is None]

    def records(self) -> list[dict[str, Any]]:
        """Each site's decision (``None`` when undecided), how it was reached, and the votes."""
        text = self.pool.text
        out = []
        for k, (site, decision) in enumerate(zip(self.sites, self.decisions, strict=True), start=1):
            how = "accepted" if self.accepted[k - 1] else ("majority" if decision is not None else "undecided")
            out.append(
                {
                    "site": k,
                    "start": site.start,
                    "end": site.end,
                    "text": text[site.start : site.end],
                    "decision": None if decision is None else [list(t) for t in decision],
                    "decided_by": how,
                    "votes": [
                        {"reading": reading_text(text, reading), "spans": [list(t) for t in reading], "votes": count}
                        for reading, count in site.readings
                    ],
                }
            )
        return out

    def to_document(self, doc: Document) -> Document:
        """The decided entities as a document of ``doc``'s text, decisions in the metadata."""
        if doc.text != self.pool.text:
            raise AdjudicationError(f"document {doc.id!r} has another text than the pool")
        spans = sorted(t for decision in self.decisions if decision for t in decision)
        entities = tuple(Entity(f"T{n}", s, e, doc.text[s:e], label) for n, (s, e, label) in enumerate(spans, start=1))
        meta = {
            **doc.metadata,
            "title": f"{doc.metadata.get('title', doc.id)} (class adjudication)",
            "annotator": f"class adjudication of {len(self.pool.submissions)} students",
            ADJUDICATION_KEY: {"passage": list(self.pool.passage), "sites": self.records()},
        }
        return Document(doc.id, doc.text, meta, entities=entities)

    def save(self, path: str | os.PathLike[str], doc: Document) -> Path:
        """Write the adjudicated document as native JSON, atomically."""
        from corpuskit.formats.native import write_json_document

        write_json_document(path, self.to_document(doc))
        return Path(path)
