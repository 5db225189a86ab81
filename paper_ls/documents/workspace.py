"""Every citation in a workspace's LaTeX and Markdown files, open in the editor or not.

Find-references and rename must see citations in chapters nobody has opened, so the server
scans its workspace folders once in a worker thread and then keeps the map current from
editor changes and watched-file events. Requests only read the map (under a lock).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import paper_ls.documents.latex as latex
import paper_ls.documents.markdown as markdown
from paper_ls.documents.model import Citation, Language
from paper_ls.documents.project import read_text

#: Directories never worth scanning for documents.
SKIPPED_DIRECTORIES = frozenset({"node_modules", "__pycache__", "_build", "build", "dist",
                                 "site-packages", "venv", "_freeze"})  # fmt: skip
#: Files scanned per workspace folder, at most: a home directory opened by mistake must not
#: keep a worker busy for minutes.
MAX_FILES = 20_000
MAX_FILE_BYTES = 8 << 20
_DOCUMENT_SUFFIXES = {".tex": "latex", ".ltx": "latex", ".md": "markdown", ".qmd": "markdown",
                      ".rmd": "markdown", ".markdown": "markdown"}  # fmt: skip
#: Quarto cross-references share the `@` syntax with citations: `@fig-plot` is no key.
_CROSSREF = re.compile(r"(?:fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem|alg)-")
_NOCITE_ALL = re.compile(r"\\nocite\s*\{\s*\*\s*\}")


def language_of(path: Path) -> Language | None:
    """A document's language from its file name, for files no editor has described."""
    found = _DOCUMENT_SUFFIXES.get(path.suffix.lower())
    return "latex" if found == "latex" else "markdown" if found == "markdown" else None


def find_citations(text: str, language: Language, commands: frozenset[str]) -> list[Citation]:
    """The citations of a document, without Quarto cross-references."""
    if language == "latex":
        return latex.find_citations(text, commands)
    return [c for c in markdown.find_citations(text) if not _CROSSREF.match(c.key)]


def cites_everything(text: str, language: Language) -> bool:
    """`\\nocite{*}` puts every entry in the bibliography: none is unused then."""
    return language == "latex" and _NOCITE_ALL.search(text) is not None


@dataclass(frozen=True, slots=True)
class FileCitations:
    path: Path
    language: Language
    citations: tuple[Citation, ...]
    #: What the citations were read from: ("editor", version) or ("disk", mtime, size).
    stamp: object
    #: `\nocite{*}`: every entry of the bibliography counts as cited.
    cites_all: bool = False


class CitationIndex:
    """Citations by file for a workspace; thread-safe, filled by a background scan."""

    def __init__(self, commands: Callable[[], frozenset[str]] = frozenset) -> None:
        self._commands = commands
        self._files: dict[Path, FileCitations] = {}
        self._bibs: set[Path] = set()
        self._lock = threading.Lock()

    # --- filling ----------------------------------------------------------------------

    def scan(self, folders: Iterable[Path]) -> int:
        """Read every document below `folders` that changed on disk since last seen."""
        count = 0
        for folder in folders:
            for path in walk(folder):
                if path.suffix.lower() == ".bib":
                    with self._lock:
                        self._bibs.add(path)
                elif self.read_file(path):
                    count += 1
        return count

    def read_file(self, path: Path) -> bool:
        """(Re)read a document from disk unless the editor's text is what is known."""
        language = language_of(path)
        if language is None:
            return False
        try:
            st = path.stat()
            if st.st_size > MAX_FILE_BYTES:
                return False
            stamp: object = ("disk", st.st_mtime_ns, st.st_size)
            known = self.get(path)
            if known is not None and (known.stamp == stamp or _is_editor(known.stamp)):
                return True
            text = read_text(path)
        except OSError:
            self.remove(path)
            return False
        self._store(path, text, language, stamp)
        return True

    def update(self, path: Path, text: str, language: Language, version: int) -> FileCitations:
        """The editor's text of an open document; wins over the disk until it is closed."""
        return self._store(path, text, language, ("editor", version))

    def release(self, path: Path) -> None:
        """The editor closed the document: what is on disk counts again."""
        with self._lock:
            known = self._files.get(path)
            if known is not None and _is_editor(known.stamp):
                del self._files[path]
        self.read_file(path)

    def remove(self, path: Path) -> None:
        with self._lock:
            self._files.pop(path, None)
            self._bibs.discard(path)

    def add_bib(self, path: Path) -> None:
        with self._lock:
            self._bibs.add(path)

    def _store(self, path: Path, text: str, language: Language, stamp: object) -> FileCitations:
        citations = tuple(find_citations(text, language, self._commands()))
        entry = FileCitations(path, language, citations, stamp, cites_everything(text, language))
        with self._lock:
            self._files[path] = entry
        return entry

    # --- reading ----------------------------------------------------------------------

    def get(self, path: Path) -> FileCitations | None:
        with self._lock:
            return self._files.get(path)

    def files(self) -> list[FileCitations]:
        with self._lock:
            return list(self._files.values())

    def bib_files(self) -> list[Path]:
        with self._lock:
            return sorted(self._bibs)

    def citations_of(self, key: str) -> list[tuple[Path, Citation]]:
        """Every citation of `key` (exactly as written) in the workspace, file by file."""
        return [(f.path, c) for f in self.files() for c in f.citations if c.key == key]

    def cited_keys(self) -> set[str] | None:
        """Lowercased keys cited anywhere; None when some file cites every entry."""
        keys: set[str] = set()
        for known in self.files():
            if known.cites_all:
                return None
            keys.update(c.key.lower() for c in known.citations)
        return keys


def _is_editor(stamp: object) -> bool:
    return isinstance(stamp, tuple) and bool(stamp) and stamp[0] == "editor"


def walk(folder: Path) -> Iterator[Path]:
    """Documents and .bib files below `folder`, skipping hidden and build directories."""
    seen = 0
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = sorted(
            d for d in subdirectories if not d.startswith(".") and d not in SKIPPED_DIRECTORIES
        )
        for name in sorted(names):
            path = Path(directory) / name
            if path.suffix.lower() == ".bib" or language_of(path) is not None:
                seen += 1
                if seen > MAX_FILES:
                    return
                yield path
