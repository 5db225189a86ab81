"""Readers that turn a file of papers into `Paper` records, one module per format.

Every reader yields `Paper`s and `Problem`s interleaved, in file order, so that a large
file streams into the index and a malformed record is reported without stopping the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from paper_ls.errors import SourceError
from paper_ls.model import Paper


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that could not be read, located so a person can go and fix it."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


Record = Paper | Problem
Reader = Callable[[Path], Iterator[Record]]


def _bibtex_reader() -> Reader:
    from paper_ls.sources import bibtex

    return bibtex.read


#: Format name -> (file suffixes it claims, lazy loader of its reader).
FORMATS: dict[str, tuple[tuple[str, ...], Callable[[], Reader]]] = {
    "bibtex": ((".bib", ".bibtex", ".biblatex"), _bibtex_reader),
}


def detect_format(path: Path) -> str:
    """Pick a format by suffix first, then by a look at the content.

    Content sniffing lets a `.txt` export of a BibTeX library work without `--format`.
    """
    suffix = path.suffix.lower()
    for name, (suffixes, _) in FORMATS.items():
        if suffix in suffixes:
            return name
    head = read_head(path)
    if "@" in head and "{" in head:
        return "bibtex"
    raise SourceError(
        f"{path}: not a format paper-ls reads (expected BibTeX .bib); "
        f"pass --format to say which it is"
    )


def read_head(path: Path, size: int = 4096) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(size).decode("utf-8", errors="replace")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def reader_for(format_name: str) -> Reader:
    try:
        return FORMATS[format_name][1]()
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise SourceError(f"unknown format {format_name!r}; known formats: {known}") from None
