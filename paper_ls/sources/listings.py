"""Paper listings copied as plain text from a listing page, as a source of papers.

Two layouts occur: a title line followed by its abstract line, papers back to back; and
blocks separated by blank lines, each title and abstract possibly followed by metadata
(`• 4 authors`, `·`, a date such as `Mar 4, 2024` or `Sep 25`, maybe an upvote count).
Both are read by one pass that classifies each line, so blank lines do not matter. Page
furniture (subscribe banners, "Daily Papers", a header date) is recognised and skipped.

Listings name no authors. Such a record is still citable (its key comes from title and
year) and the index completes it when the same title arrives from a richer source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from paper_ls.index.dedupe import normalise_title
from paper_ls.model import Paper, Provenance
from paper_ls.sources import Problem, Reader, ReadOptions, Record, decode_text, reading
from paper_ls.sources.plain import collapse

SOURCE_KIND = "listing"

_MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DATE = re.compile(
    r"^(?P<month>[A-Za-z]{3})[a-z]*\.?\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?(?:\s+\d+)?$"
)
_AUTHOR_COUNT = re.compile(r"^[•·*\-]?\s*\d+\s+authors?$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^[·•|\-]$")
_FURNITURE = re.compile(
    r"^(?:get trending papers.*|subscribe|daily papers|trending papers|new|trending"
    r"|by\s*ak\b.*|submitted by\b.*|upvote|\d+\s+upvotes?|see all.*|view all.*)$",
    re.IGNORECASE,
)
#: The banner's button text runs into the first title when the page is copied.
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=[A-Z0-9])")
_LONGEST_TITLE = 300
_SHORTEST_ABSTRACT = 250


def reader(options: ReadOptions) -> Reader:
    return partial(read, capture_year=options.capture_year)


@dataclass(slots=True)
class _Pending:
    title: str
    line: int
    abstract: str = ""
    year: int | None = None


def read(path: Path, capture_year: int | None = None) -> Iterator[Record]:
    """Yield the papers of a listing; `capture_year` dates `Sep 25` (default: file mtime)."""
    lines = _read_lines(path)
    year_now = capture_year or _mtime_year(path)
    name = str(path)
    seen: set[str] = set()
    for item in _papers(lines, name, year_now):
        if isinstance(item, Problem):
            yield item
            continue
        # The same paper twice in one listing (pages repeat trending papers) is one record.
        normalised = normalise_title(item.title)
        if normalised in seen:
            continue
        seen.add(normalised)
        yield Paper(
            key="",
            entry_type="misc",
            title=item.title,
            year=item.year,
            abstract=item.abstract,
            provenance=Provenance(SOURCE_KIND, name, item.line),
        )


def _papers(lines: list[str], path: str, year_now: int) -> Iterator[_Pending | Problem]:
    current: _Pending | None = None
    after_metadata = False
    for number, raw in enumerate(lines, 1):
        line = collapse(raw)
        if not line:
            continue
        if _FURNITURE.match(line):
            after_metadata = False
            continue
        line = _GLUED_SUBSCRIBE.sub("", line)
        if _AUTHOR_COUNT.match(line) or _SEPARATOR.match(line):
            after_metadata = True
            continue
        date = _DATE.match(line)
        if date and _MONTH_NAMES.count(date.group("month").lower()):
            # After `• N authors ·` a date is the paper's; elsewhere it heads the page.
            if after_metadata and current is not None:
                current.year = int(date.group("year") or year_now)
            after_metadata = False
            continue
        after_metadata = False
        if current is not None and not current.abstract and _is_abstract(line):
            current.abstract = line
        elif _is_abstract(line):
            yield Problem(path, number, "text that reads as an abstract has no title; skipped")
        elif len(line) > _LONGEST_TITLE:
            yield Problem(path, number, "a line too long for a title and no abstract; skipped")
        else:
            if current is not None:
                yield current
            current = _Pending(line, number)
    if current is not None:
        yield current


def _is_abstract(line: str) -> bool:
    """Abstracts are paragraphs: long, or at least sentences ending with a full stop."""
    return len(line) >= _SHORTEST_ABSTRACT or (line.endswith(".") and ". " in line)


def _read_lines(path: Path) -> list[str]:
    with reading(path):
        data = path.read_bytes()
    return decode_text(data).splitlines()


def _mtime_year(path: Path) -> int:
    return datetime.fromtimestamp(path.stat().st_mtime).year
