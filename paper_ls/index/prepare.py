"""A record made ready for the index where it is read, so the importer only writes.

Encoding a record (JSON, zlib, hashes) and deriving its index rows costs more than writing
them. `prepare` does that work for one `Paper`; readers of large files call it in their
worker processes, so that the importer's process, which alone may write to SQLite, receives
plain tuples it can insert in batches.
"""

from __future__ import annotations

from typing import NamedTuple

from paper_ls.bibtex.latex import fold
from paper_ls.index import codec
from paper_ls.index.dedupe import title_hash_of_normalised
from paper_ls.index.keys import base_key_of
from paper_ls.index.store import NAME_SEPARATOR
from paper_ls.model import Paper, Provenance


class Prepared(NamedTuple):
    """One record as the index stores it: its `records` row, `papers` row and FTS text."""

    #: The source's key; "" when the importer generates one (from `base_key`).
    key: str
    base_key: str
    line: int | None
    digest: int
    blob: bytes
    entry_type: str
    title: str
    #: Family and given names, in order, joined by `NAME_SEPARATOR` (as `papers` keeps them).
    families: str
    givens: str
    year: int | None
    venue: str
    #: Lowercased, as `papers.doi` and deduplication compare it.
    doi: str
    arxiv: str
    abstract: str
    title_hash: int
    normalised_title: str
    #: The author text the FTS table indexes (`author_text`).
    authors_text: str
    #: The record's title and family-name words, for typo correction, joined by spaces.
    terms: str
    authors: int

    def paper(self, provenance: Provenance | None = None, key: str = "") -> Paper:
        """The `Paper` again, for the rare record that needs more than an insert."""
        return codec.decode(self.blob, provenance, key or self.key)

    def paper_row(self, key: str) -> tuple[object, ...]:
        """The `papers` row of a paper known only from this record, in `_PAPER_COLUMNS`."""
        return (
            key,
            self.entry_type,
            self.title,
            self.families,
            self.givens,
            self.year,
            self.venue,
            self.doi,
            self.arxiv,
            1 if self.abstract else 0,
            self.title_hash,
        )


def prepare(paper: Paper) -> Prepared:
    """Everything the index derives from a record, computed once (and off the writer)."""
    encoded = codec.EncodedRecord(paper)
    folded_title = fold(paper.title).split()
    normalised = " ".join(folded_title)
    families = [person.family for person in paper.authors]
    # `fold` works on characters, so the other names fold as one string, in one call.
    first_family = fold(families[0]).split() if families else []
    terms = [*folded_title, *first_family, *fold(" ".join(families[1:])).split()]
    return Prepared(
        key=paper.key,
        base_key="" if paper.key else base_key_of(first_family, paper.year, folded_title),
        line=paper.provenance.line if paper.provenance else None,
        digest=encoded.digest,
        blob=encoded.blob(),
        entry_type=paper.entry_type,
        title=paper.title,
        families=NAME_SEPARATOR.join(families),
        givens=NAME_SEPARATOR.join(person.given for person in paper.authors),
        year=paper.year,
        venue=paper.venue,
        doi=paper.doi.lower(),
        arxiv=paper.arxiv,
        abstract=paper.abstract,
        title_hash=title_hash_of_normalised(normalised, paper.year),
        normalised_title=normalised,
        authors_text="; ".join(person.display() for person in paper.authors),
        terms=" ".join(terms),
        authors=len(paper.authors),
    )
