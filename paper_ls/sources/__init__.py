"""Readers that turn a file of papers into `Paper` records, one module per format.

Every reader yields `Paper`s and `Problem`s interleaved, in file order, so that a large
file streams into the index and a malformed record is reported without stopping the rest.
This module is the one place that knows which formats exist and how each is recognised.
"""

from __future__ import annotations

import importlib
import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

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


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What a person can tell a reader that the file itself does not say."""

    #: The year a paper listing was copied, for dates like `Sep 25` (default: file mtime).
    capture_year: int | None = None


Record = Paper | Problem
Reader = Callable[[Path], Iterator[Record]]
T = TypeVar("T")


class MappedReader(Protocol):
    """A reader that applies `transform` to each `Paper` where it is made: in a worker
    process when the reader uses them, so `transform` must pickle (a module-level function).
    """

    def __call__(self, path: Path, transform: Callable[[Paper], T]) -> Iterator[T | Problem]: ...


@dataclass(frozen=True, slots=True)
class Format:
    """A format: the suffixes it claims, how to recognise its content, where its reader is."""

    suffixes: tuple[str, ...]
    #: Whether the first few kilobytes of a file look like this format.
    sniff: Callable[[str], bool]
    module: str
    #: Files beside the source whose changes change what it reads (`{name}` is its name).
    companions: tuple[str, ...] = ()

    def mapped_reader(self, options: ReadOptions) -> MappedReader:
        """The module's own `mapped_reader` when it has one (readers of large files)."""
        module = importlib.import_module(f"paper_ls.sources.{self.module}")
        make: Callable[[ReadOptions], MappedReader] | None = getattr(module, "mapped_reader", None)
        if make is not None:
            return make(options)
        read = self.reader(options)

        def mapped(path: Path, transform: Callable[[Paper], T]) -> Iterator[T | Problem]:
            for record in read(path):
                yield record if isinstance(record, Problem) else transform(record)

        return mapped

    def reader(self, options: ReadOptions) -> Reader:
        module = importlib.import_module(f"paper_ls.sources.{self.module}")
        make: Callable[[ReadOptions], Reader] = module.reader
        return make(options)


_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_JSON_KEY = r'"{}"\s*:'


def _has_keys(head: str, *keys: str) -> bool:
    return all(re.search(_JSON_KEY.format(re.escape(k)), head) for k in keys)


def _looks_bibtex(head: str) -> bool:
    return _BIBTEX_ENTRY.search(head) is not None


def _looks_arxiv(head: str) -> bool:
    first = head.lstrip().split("\n", 1)[0]
    return first.startswith("{") and (
        _has_keys(first, "authors_parsed") or _has_keys(first, "id", "versions")
    )


def _looks_huggingface(head: str) -> bool:
    return head.lstrip().startswith("[") and (
        _has_keys(head, "paper", "publishedAt") or _has_keys(head, "summary", "publishedAt")
    )


def _looks_csl_json(head: str) -> bool:
    start = head.lstrip()[:1]
    return start in ("[", "{") and _has_keys(head, "type") and _has_keys(head, "title")


def _looks_zotero(head: str) -> bool:
    return head.startswith("SQLite format 3")


#: A line at least this long is a paragraph (an abstract), not a title.
_ABSTRACT_LIKE = 200


def _looks_listing(head: str) -> bool:
    """Plain text with a short line (a title) followed by a paragraph-long one (an abstract).

    Stricter than "any text", so that notes or a Markdown file are not taken for papers.
    """
    text = head.strip()
    if not text or text[0] in "[{@" or _looks_zotero(head):
        return False
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return any(
        len(line) >= _ABSTRACT_LIKE and 0 < len(before) < _ABSTRACT_LIKE
        for before, line in itertools.pairwise(lines)
    )


#: Format name -> its description. The order is the order content sniffing tries them in:
#: the most specific shapes first, plain text last.
FORMATS: dict[str, Format] = {
    "bibtex": Format((".bib", ".bibtex", ".biblatex", ".txt"), _looks_bibtex, "bibtex"),
    "zotero": Format(
        (".sqlite",),
        _looks_zotero,
        "zotero",
        # Zotero's recent writes, and Better BibTeX's keys.
        ("{name}-wal", "better-bibtex.sqlite", "better-bibtex.sqlite-wal"),
    ),
    "arxiv": Format((".jsonl", ".ndjson", ".json"), _looks_arxiv, "arxiv"),
    "huggingface": Format((".json",), _looks_huggingface, "huggingface"),
    "csl-json": Format((".json", ".csljson"), _looks_csl_json, "csl_json"),
    "listing": Format((".txt", ".text"), _looks_listing, "listings"),
}


def detect_format(path: Path) -> str:
    """Pick a format by suffix when only one claims it, else by a look at the content.

    `.json` is shared by CSL-JSON, Hugging Face and the arXiv snapshot, and a `.txt` may
    be a BibTeX export or a copied listing: content decides between them.
    """
    suffix = path.suffix.lower()
    claiming = [name for name, fmt in FORMATS.items() if suffix in fmt.suffixes]
    if len(claiming) == 1:
        return claiming[0]
    head = read_head(path)
    for name in [*claiming, *FORMATS]:
        if FORMATS[name].sniff(head):
            return name
    known = ", ".join(FORMATS)
    raise SourceError(
        f"{path}: not a format paper-ls reads ({known}); pass --format to say which it is"
    )


def companion_files(format_name: str, path: Path) -> list[Path]:
    """The files beside `path` that its reader also reads, whether or not they exist now."""
    fmt = FORMATS.get(format_name)
    if fmt is None:
        return []
    return [path.with_name(pattern.format(name=path.name)) for pattern in fmt.companions]


def read_head(path: Path, size: int = 4096) -> str:
    with reading(path), path.open("rb") as handle:
        return handle.read(size).decode("utf-8", errors="replace")


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """A source file that cannot be read, said in the one line that names it."""
    try:
        yield
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def decode_text(data: bytes) -> str:
    """Files of papers are UTF-8 (a byte-order mark or not) or, older ones, Latin-1."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def reader_for(format_name: str, options: ReadOptions | None = None) -> Reader:
    return _format(format_name).reader(options or ReadOptions())


def mapped_reader_for(format_name: str, options: ReadOptions | None = None) -> MappedReader:
    return _format(format_name).mapped_reader(options or ReadOptions())


def _format(format_name: str) -> Format:
    try:
        return FORMATS[format_name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise SourceError(f"unknown format {format_name!r}; known formats: {known}") from None
