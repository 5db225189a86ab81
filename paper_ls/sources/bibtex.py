"""BibTeX and BibLaTeX files as a source of papers.

Syntax lives in `paper_ls.bibtex.parse`; this module maps resolved entries onto `Paper`,
deciding which BibTeX/BibLaTeX field answers which question (venue, year, arXiv id...).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from paper_ls.bibtex.latex import latex_to_text, latex_to_text_recent
from paper_ls.bibtex.parse import (
    CONTAINER_TYPES,
    ParseFailure,
    RawEntry,
    apply_crossrefs,
    collect_strings,
    defines_strings,
    iter_chunks,
    parse_bibtex,
    parse_chunk,
    parse_name,
    split_names,
)
from paper_ls.errors import SourceError
from paper_ls.model import Paper, Person, Provenance
from paper_ls.sources import (
    MappedReader,
    Problem,
    Reader,
    ReadOptions,
    Record,
    decode_text,
    reading,
)
from paper_ls.sources.parallel import ordered_map

SOURCE_KIND = "bibtex"

#: Venue fields in the order that names the venue best.
_VENUE_FIELDS = (
    "journal",
    "journaltitle",
    "booktitle",
    "eventtitle",
    "publisher",
    "school",
    "institution",
    "organization",
    "howpublished",
)
_YEAR = re.compile(r"\b(\d{4})\b")
_ARXIV_ID = re.compile(
    r"(?:arxiv[:\s/]*|abs/|arxiv\.org/(?:abs|pdf)/)"
    r"(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})",
    re.IGNORECASE,
)
_BARE_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$", re.I)
_DOI_PREFIX = re.compile(r"^(?:(?:https?://)?(?:dx\.|www\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
#: `10.1000/a\_b`: .bib files escape LaTeX specials in DOIs, which are not part of the DOI.
_LATEX_ESCAPE = re.compile(r"\\([_%&#$])")


#: Files larger than this are parsed in chunks by worker processes (bibtexparser is pure
#: Python, so a second core nearly halves the wall time of a large import).
PARALLEL_THRESHOLD = 8 << 20
CHUNK_CHARS = 1 << 22
T = TypeVar("T")


def read(path: Path) -> Iterator[Record]:
    """Yield every entry of the file as a `Paper`, and every malformed one as a `Problem`.

    Small files are parsed whole; large ones stream in chunks so memory stays bounded by
    the chunk size, not the file size.
    """
    return read_mapped(path, _same)


def read_mapped(path: Path, transform: Callable[[Paper], T]) -> Iterator[T | Problem]:
    """`read`, with `transform` applied to each paper (in the worker that parsed it)."""
    size = _size(path)
    if size <= PARALLEL_THRESHOLD:
        for record in records_from_text(read_text(path), str(path)):
            yield record if isinstance(record, Problem) else transform(record)
        return
    yield from _read_large(path, detect_encoding(path), transform)


def _same(paper: Paper) -> Paper:
    return paper


def read_text(path: Path) -> str:
    """Read a .bib as UTF-8, falling back to Latin-1: old files are often in it."""
    return decode_text(_read_bytes(path))


def detect_encoding(path: Path) -> str:
    """UTF-8 if the whole file decodes as UTF-8, else Latin-1; checked without loading it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while block := handle.read(1 << 22):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8-sig"


def records_from_text(text: str, path: str) -> Iterator[Record]:
    parsed = parse_bibtex(text)
    if not parsed.entries and not parsed.failures and _looks_like_other_format(text):
        raise SourceError(f"{path}: not a BibTeX file (no @entries found)")
    yield from _in_file_order(parsed.entries, parsed.failures, path)


def _in_file_order(
    entries: list[RawEntry], failures: list[ParseFailure], path: str
) -> Iterator[Record]:
    pending_failures = iter(sorted(failures, key=lambda f: f.line))
    pending = next(pending_failures, None)
    for entry in entries:
        while pending is not None and pending.line < entry.line:
            yield Problem(path, pending.line, pending.message)
            pending = next(pending_failures, None)
        yield paper_from_entry(entry, path)
    while pending is not None:
        yield Problem(path, pending.line, pending.message)
        pending = next(pending_failures, None)


@dataclass(slots=True)
class _ChunkResult(Generic[T]):
    records: list[T | Problem]
    #: Entries with a `crossref`: mapped at the end, once every parent has been seen.
    children: list[RawEntry]
    #: Entries that may be a crossref parent.
    parents: list[RawEntry]


def _read_chunk(
    text: str,
    first_line: int,
    strings: dict[str, str],
    path: str,
    transform: Callable[[Paper], T],
) -> _ChunkResult[T]:
    parsed = parse_chunk(text, first_line=first_line, strings=dict(strings))
    plain = [e for e in parsed.entries if "crossref" not in e.fields]
    return _ChunkResult(
        records=[
            r if isinstance(r, Problem) else transform(r)
            for r in _in_file_order(plain, parsed.failures, path)
        ],
        children=[e for e in parsed.entries if "crossref" in e.fields],
        parents=[e for e in parsed.entries if e.entry_type in CONTAINER_TYPES],
    )


def _read_large(
    path: Path, encoding: str, transform: Callable[[Paper], T]
) -> Iterator[T | Problem]:
    """Parse chunks in worker processes, in order, a bounded number in flight."""
    strings: dict[str, str] = {}
    children: list[RawEntry] = []
    parents: list[RawEntry] = []
    seen_anything = False

    def jobs() -> Iterator[tuple[object, ...]]:
        nonlocal seen_anything
        for text, first_line in iter_chunks(stream, CHUNK_CHARS):
            seen_anything = seen_anything or "@" in text
            if defines_strings(text):
                collect_strings(text, strings)
            yield text, first_line, dict(strings), str(path), transform

    with path.open(encoding=encoding, newline="") as stream:
        result: _ChunkResult[T]
        for result in ordered_map(_read_chunk, jobs()):
            children.extend(result.children)
            parents.extend(result.parents)
            yield from result.records
    if not seen_anything:
        raise SourceError(f"{path}: not a BibTeX file (no @entries found)")
    apply_crossrefs(children, parents)
    for entry in children:
        yield transform(paper_from_entry(entry, str(path)))


def _size(path: Path) -> int:
    with reading(path):
        return path.stat().st_size


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise SourceError(f"{path}: is a directory, not a BibTeX file")
    with reading(path):
        return path.read_bytes()


def _looks_like_other_format(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and "@" not in stripped


def paper_from_entry(entry: RawEntry, path: str) -> Paper:
    fields = entry.fields
    return Paper(
        key=entry.key,
        entry_type=entry.entry_type,
        title=latex_to_text_recent(fields.get("title", "")),
        authors=people(fields.get("author") or fields.get("editor") or ""),
        year=year_of(fields),
        venue=latex_to_text(next((fields[f] for f in _VENUE_FIELDS if f in fields), "")),
        abstract=latex_to_text_recent(fields.get("abstract", "")),
        doi=normalise_doi(fields.get("doi", "")),
        arxiv=arxiv_id_of(fields),
        url=fields.get("url", "").strip(),
        fields=dict(fields),
        provenance=Provenance(SOURCE_KIND, path, entry.line),
    )


def people(value: str) -> list[Person]:
    result = []
    for name in split_names(value):
        if name.lower() == "others":
            continue
        parts = parse_name(name)
        result.append(
            Person(family=latex_to_text(parts.family), given=latex_to_text(parts.given), raw=name)
        )
    return result


def year_of(fields: dict[str, str]) -> int | None:
    for name in ("year", "date", "eventdate", "urldate"):
        match = _YEAR.search(fields.get(name, ""))
        if match:
            return int(match.group(1))
    return None


def normalise_doi(value: str) -> str:
    value = _LATEX_ESCAPE.sub(r"\1", value.strip().strip("{}"))
    return _DOI_PREFIX.sub("", value).strip()


def arxiv_id_of(fields: dict[str, str]) -> str:
    """The arXiv id, wherever the entry keeps it: eprint, a URL, or a CoRR journal string."""
    eprint = fields.get("eprint", "").strip()
    kind = (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip().lower()
    if eprint and kind in ("", "arxiv"):
        bare = _BARE_ARXIV_ID.match(eprint) or _ARXIV_ID.match(eprint)  # `arXiv:1706.03762`
        if bare:
            return bare.group(1)
    for name in ("url", "journal", "journaltitle", "volume", "note", "howpublished"):
        # Protective braces (`{arXiv} preprint {arXiv}:1706.03762`) hide nothing here.
        match = _ARXIV_ID.search(fields.get(name, "").replace("{", "").replace("}", ""))
        if match:
            return match.group(1)
    return ""


def reader(options: ReadOptions) -> Reader:
    """BibTeX needs no options: everything it means is in the file."""
    return read


def mapped_reader(options: ReadOptions) -> MappedReader:
    return read_mapped
