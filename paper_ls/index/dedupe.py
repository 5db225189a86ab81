"""One paper, many sources: how records are recognised as the same paper and merged.

Two records are the same paper when they share a DOI, an arXiv id, or a normalised title and
year (title alone when one of them has no authors: see `PaperWriter.find_same_paper`). The
merged paper takes, field by field, the richest value any record offers, so that a bare arXiv
record and a curated .bib entry become one better entry.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz

from paper_ls.bibtex.latex import fold
from paper_ls.index.codec import stable_hash
from paper_ls.model import Paper, Person

_TITLES_AGREE = 80.0


def title_hash(title: str, year: int | None) -> int:
    return title_hash_of_normalised(normalise_title(title), year)


def title_hash_of_normalised(normalised: str, year: int | None) -> int:
    return stable_hash(f"{normalised}|{year or ''}")


def normalise_title(title: str) -> str:
    return " ".join(fold(title).split())


def titles_agree(a: str, b: str) -> bool:
    """Whether two titles can name one paper: a shared DOI is not enough on its own, since
    .bib files often carry a proceedings' DOI on every paper in it."""
    if not a.strip() or not b.strip():
        return True
    return fuzz.token_set_ratio(normalise_title(a), normalise_title(b)) >= _TITLES_AGREE


def merge(records: list[Paper]) -> Paper:
    """Merge records (oldest first): the oldest names the key, the richest fills each field."""
    first = records[0]
    if len(records) == 1:
        return first
    fields = dict(first.fields)
    for record in records[1:]:
        for name, value in record.fields.items():
            fields.setdefault(name, value)
    return Paper(
        key=first.key,
        entry_type=next((r.entry_type for r in records if r.entry_type != "misc"), "misc"),
        title=_longest(r.title for r in records),
        authors=max((r.authors for r in records), key=_author_richness),
        year=_year(records),
        venue=_longest(r.venue for r in records),
        abstract=_longest(r.abstract for r in records),
        doi=next((r.doi for r in records if r.doi), ""),
        arxiv=next((r.arxiv for r in records if r.arxiv), ""),
        url=next((r.url for r in records if r.url), ""),
        fields=fields,
        provenance=first.provenance,
    )


def _year(records: list[Paper]) -> int | None:
    """A record with authors knows its year; one without (a listing) may only know the year
    it was copied in."""
    with_authors = (r.year for r in records if r.year and r.authors)
    return next(with_authors, next((r.year for r in records if r.year), None))


def _longest(values: Iterable[str]) -> str:
    """The longest value; the earliest of equals, so the oldest record wins ties."""
    return max(values, key=len, default="")


def _author_richness(authors: list[Person]) -> tuple[int, int]:
    """More people first, then fuller given names: 'Ashish' beats 'A.'."""
    return (len(authors), sum(len(p.given) for p in authors))
