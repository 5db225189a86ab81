"""The arXiv metadata snapshot (OAI, one JSON object per line) as a source of papers.

The snapshot is several gigabytes and millions of lines, so it is streamed line by line and
each line costs one JSON parse plus string work; LaTeX decoding only runs on text that
has LaTeX in it. Titles and abstracts are wrapped with line breaks in the snapshot and are
collapsed to single spaces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import orjson

from paper_ls.bibtex.latex import latex_to_text, latex_to_text_recent
from paper_ls.model import Paper, Person, Provenance
from paper_ls.sources import MappedReader, Problem, Reader, ReadOptions, Record, reading
from paper_ls.sources.bibtex import normalise_doi
from paper_ls.sources.parallel import ordered_map
from paper_ls.sources.plain import year_in

SOURCE_KIND = "arxiv"

#: Characters that mean something to LaTeX and that arXiv text often carries bare
#: ("5% better", "Q&A", "Li_2"); outside math they must be escaped in a .bib.
_BARE_SPECIAL = re.compile(r"(?<!\\)([&%#_])")
_MATH = re.compile(r"(\$[^$]*\$)")
_SPLIT_AUTHORS = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


#: Snapshots larger than this are read by worker processes, in blocks of whole lines (a
#: few blocks in flight: memory stays a few megabytes whatever the size of the file).
PARALLEL_THRESHOLD = 32 << 20
BLOCK_BYTES = 1 << 20
T = TypeVar("T")


def reader(options: ReadOptions) -> Reader:
    return read


def mapped_reader(options: ReadOptions) -> MappedReader:
    return read_mapped


def read(path: Path) -> Iterator[Record]:
    """Yield a `Paper` per line, and a `Problem` (with its line number) per bad line."""
    return read_mapped(path, _same)


def read_mapped(path: Path, transform: Callable[[Paper], T]) -> Iterator[T | Problem]:
    """`read`, with `transform` applied to each paper (in a worker, for a large file)."""
    name = str(path)
    with reading(path):
        handle = path.open("rb")
        size = path.stat().st_size
    with handle:
        if size <= PARALLEL_THRESHOLD:
            yield from _records(handle, 1, name, transform)
            return
        jobs = ((block, line, name, transform) for block, line in _blocks(handle))
        for records in ordered_map(_read_block, jobs):
            yield from records


def _same(paper: Paper) -> Paper:
    return paper


def _blocks(handle: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """Runs of whole lines, each with the line number it starts on."""
    pending = b""
    line = 1
    while data := handle.read(BLOCK_BYTES):
        pending += data
        cut = pending.rfind(b"\n") + 1
        if cut == 0:
            continue
        block, pending = pending[:cut], pending[cut:]
        yield block, line
        line += block.count(b"\n")
    if pending:
        yield pending, line


def _read_block(
    block: bytes, first_line: int, name: str, transform: Callable[[Paper], T]
) -> list[T | Problem]:
    return list(_records(block.split(b"\n"), first_line, name, transform))


def _records(
    lines: Iterable[bytes], first_line: int, name: str, transform: Callable[[Paper], T]
) -> Iterator[T | Problem]:
    for number, line in enumerate(lines, first_line):
        if not line.strip():
            continue
        try:
            data = _loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(name, number, f"not a JSON object: {exc.msg}")
            continue
        except UnicodeDecodeError:
            yield Problem(name, number, "not UTF-8 text")
            continue
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            yield Problem(name, number, "not an arXiv record (no 'id')")
            continue
        try:
            paper = paper_from_record(data, name, number)
        except (TypeError, ValueError, AttributeError, IndexError, KeyError) as exc:
            yield Problem(name, number, f"malformed arXiv record ({exc})")
            continue
        yield transform(paper)


def _loads(line: bytes) -> Any:
    """orjson parses a line in a third of the time; a line it refuses (not UTF-8, `NaN`) the
    standard library decides, as before, with its own messages."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)


def paper_from_record(data: dict[str, Any], path: str, line: int | None = None) -> Paper:
    arxiv_id = data["id"].strip()
    fields: dict[str, str] = {}
    title = _text_field(_collapse(data.get("title")), "title", fields)
    abstract = _text_field(_collapse(data.get("abstract")), "abstract", fields)
    journal_ref = _collapse(data.get("journal-ref"))
    doi_text = data.get("doi")
    doi = (
        normalise_doi(doi_text.split()[0]) if isinstance(doi_text, str) and doi_text.strip() else ""
    )
    categories = data.get("categories")
    if isinstance(categories, str) and categories.strip():
        fields["primaryclass"] = categories.split(None, 1)[0]
    if journal_ref:
        fields["journal"] = bibtex_safe(journal_ref) if _is_latex(journal_ref) else journal_ref
    return Paper(
        key="",
        entry_type="article" if journal_ref or doi else "misc",
        title=title,
        authors=people(data),
        year=year_of(data),
        venue=latex_to_text(journal_ref) if _is_latex(journal_ref) else journal_ref,
        abstract=abstract,
        doi=doi,
        arxiv=arxiv_id,
        fields=fields,
        provenance=Provenance(SOURCE_KIND, path, line),
    )


def _text_field(text: str, name: str, fields: dict[str, str]) -> str:
    """The display text; LaTeX source, when there is any, is kept in `fields` for export.

    Plain text (most titles and abstracts) is stored once, as the typed value, and export
    escapes it; only text with LaTeX pays for decoding, here and when the record is read.
    """
    if not _is_latex(text):
        return text
    fields[name] = bibtex_safe(text)
    return latex_to_text_recent(fields[name])


def _is_latex(text: str) -> bool:
    return "\\" in text or "$" in text


def people(data: dict[str, Any]) -> list[Person]:
    """`authors_parsed` ([family, given, suffix] triples) when present, else `authors`."""
    parsed = data.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        return [_person(entry) for entry in parsed if isinstance(entry, list) and entry]
    names = _collapse(data.get("authors"))
    return [_person(name.rsplit(" ", 1)[::-1]) for name in _SPLIT_AUTHORS.split(names) if name]


def _person(parts: list[Any]) -> Person:
    family = str(parts[0]).strip()
    given = str(parts[1]).strip() if len(parts) > 1 else ""
    suffix = str(parts[2]).strip() if len(parts) > 2 else ""
    if not suffix and "\\" not in family and "\\" not in given and "{" not in family:
        return Person(family, given)
    # Keep the LaTeX as written for export; BibTeX's `Last, Jr, First` keeps a suffix.
    raw = ", ".join(p for p in (family, suffix, given) if p) if given else family
    return Person(latex_to_text(family), latex_to_text(given), raw)


def year_of(data: dict[str, Any]) -> int | None:
    """The year of the first version (when the paper appeared), not of the latest."""
    versions = data.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        year = year_in(str(versions[0].get("created", "")))
        if year is not None:
            return year
    return year_in(str(data.get("update_date") or ""))


def bibtex_safe(text: str) -> str:
    """Escape bare `& % # _` outside math, so the text is a valid BibTeX field value."""
    if not ("&" in text or "%" in text or "#" in text or "_" in text):
        return text
    pieces = _MATH.split(text)
    return "".join(
        piece if i % 2 else _BARE_SPECIAL.sub(_escaped, piece) for i, piece in enumerate(pieces)
    )


def _escaped(match: re.Match[str]) -> str:
    return "\\" + match.group(1)


def _collapse(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""
