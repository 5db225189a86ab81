"""Helpers for sources whose text is plain (not LaTeX): CSL-JSON, Zotero, Hugging Face, listings.

A `Paper`'s `fields` are BibTeX fields in LaTeX, because that is what export writes and what
merging with .bib records compares; values that arrive as plain text are escaped once here.
"""

from __future__ import annotations

import re

from paper_ls.bibtex.parse import MONTHS, parse_name
from paper_ls.bibtex.render import escape_latex
from paper_ls.model import Person

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
MONTH_MACROS = tuple(MONTHS)[:12]
#: A BibTeX key needs no quoting and cannot break a `\cite{...}`.
_KEY_OK = re.compile(r"^[^\s,{}()\"'#%~\\=]+$")


def collapse(text: str) -> str:
    """Runs of whitespace, line breaks included, to single spaces."""
    return " ".join(text.split())


def latex_field(text: str) -> str:
    """A plain-text value as a BibTeX field value."""
    return escape_latex(collapse(text))


def year_in(text: str) -> int | None:
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None


def month_macro(month: int) -> str:
    return MONTH_MACROS[month - 1] if 1 <= month <= 12 else ""


def pages_field(pages: str) -> str:
    """`12-19` as BibTeX writes a range, `12--19`."""
    pages = collapse(pages)
    return re.sub(r"(?<=\w)\s*[-\u2013]\s*(?=\w)", "--", pages) if "--" not in pages else pages


def person_from_full_name(name: str) -> Person:
    """'Ashish Vaswani', 'Jan van der Berg': split as BibTeX would (particles to the family)."""
    name = collapse(name)
    parts = parse_name(name.replace("{", "").replace("}", "").replace("\\", ""))
    family = f"{parts.von} {parts.last}".strip()
    return Person(family=family, given=parts.given)


def usable_key(candidate: str) -> str:
    """The candidate if it can be a citation key as is, else '' (a key will be generated)."""
    candidate = candidate.strip()
    if not candidate or "://" in candidate or not _KEY_OK.match(candidate):
        return ""
    return candidate


def bibtex_name(person: Person) -> str:
    """A person as a BibTeX `author`/`editor` name: `Family, Given`, or `{Organisation}`."""
    if person.raw:
        return person.raw
    if not person.given:
        return "{" + escape_latex(person.family) + "}"
    return f"{escape_latex(person.family)}, {escape_latex(person.given)}"


def add_people_fields(fields: dict[str, str], authors: list[Person], editors: list[Person]) -> None:
    """Write `author` and `editor` when a work has both: export fills in `author` from the
    typed authors only when no name field is present (a .bib entry may have editors only)."""
    if authors and editors:
        fields["author"] = " and ".join(bibtex_name(p) for p in authors)
        fields["editor"] = " and ".join(bibtex_name(p) for p in editors)
