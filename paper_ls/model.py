"""The plain records every other module speaks: a paper, its people, where it came from.

Sources produce `Paper`s, the index stores and merges them, renderers and the server read
them. Keeping them as frozen-ish dataclasses with no behaviour beyond small derived views
means no module needs to know another's internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Person:
    """One author or editor, already decoded from LaTeX for display."""

    family: str
    given: str = ""
    #: The name as written in the source (LaTeX kept), so export loses nothing.
    raw: str = ""

    def display(self) -> str:
        return f"{self.given} {self.family}".strip()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record was read: which source, which file, and where in it."""

    source: str
    path: str
    line: int | None = None


@dataclass(slots=True)
class Paper:
    """A paper as one source describes it.

    `fields` holds the original fields exactly as read (LaTeX and all) so that export is
    lossless; the typed attributes are the decoded view used for search and display.
    """

    key: str
    entry_type: str = "misc"
    title: str = ""
    authors: list[Person] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    abstract: str = ""
    doi: str = ""
    arxiv: str = ""
    url: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    provenance: Provenance | None = None

    def first_author_family(self) -> str:
        return self.authors[0].family if self.authors else ""

    def short_description(self) -> str:
        """'Vaswani et al., 2017, NeurIPS': what fits beside a key in a completion list."""
        parts = []
        if self.authors:
            names = self.authors
            if len(names) == 1:
                parts.append(names[0].family)
            elif len(names) == 2:
                parts.append(f"{names[0].family} and {names[1].family}")
            else:
                parts.append(f"{names[0].family} et al.")
        if self.year:
            parts.append(str(self.year))
        if self.venue:
            parts.append(self.venue)
        return ", ".join(parts)
