"""Which bibliography files a document uses, and what they hold, kept fresh off the request path.

A document's bibliography is declared in its root (LaTeX `\\bibliography`/`\\addbibresource`
found through `% !TEX root` or an including file; Markdown front matter or `_quarto.yml`),
else by a setting, else `references.bib` beside the root. Parsed files are cached by their
content's identity (editor text or file mtime/size), so requests only read from memory.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from pathlib import Path

import paper_ls.documents.latex as latex
import paper_ls.documents.markdown as markdown
from paper_ls.bibtex.parse import PAUSE_EVERY, ParsedBibliography, parse_bibtex, parse_chunk
from paper_ls.documents.model import Position, Range, split_lines, to_utf16, utf16_length
from paper_ls.index.search import Candidate
from paper_ls.model import Paper
from paper_ls.sources import decode_text
from paper_ls.sources.bibtex import paper_from_entry

DEFAULT_BIBLIOGRAPHY = "references.bib"
#: A .bib read for the first time that is longer than twice this is first parsed only this
#: far (to the next entry), so that completion can show its first entries while the whole
#: file is parsed: a 5,000-entry file takes about a second, its first 64 KB milliseconds.
FIRST_LOOK_CHARS = 1 << 16
_ROOT_SCAN_LIMIT = 200  # .tex files looked at when searching for an including root

#: The text of a file as the editor has it (unsaved changes), or None if it is not open.
OpenText = Callable[[Path], str | None]


@dataclass(frozen=True, slots=True)
class BibEntry:
    key: str
    line: int  # 1-based
    end_line: int
    paper: Paper


@dataclass(slots=True)
class BibFile:
    path: Path
    entries: dict[str, BibEntry] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    #: Second (third, ...) definitions of a key in this file: (key, 1-based line).
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    exists: bool = True
    stamp: object = None
    text: str = ""
    by_doi: dict[str, BibEntry] = field(default_factory=dict)
    by_arxiv: dict[str, BibEntry] = field(default_factory=dict)
    #: Entries by lowercased key: BibTeX matches keys without regard to case.
    by_lower: dict[str, BibEntry] = field(default_factory=dict)
    #: Search candidates built once per parse, so completion never tokenises the file.
    candidates: list[Candidate] = field(default_factory=list)
    #: Every candidate's haystack, newline-joined, and where each starts: one `str.find`
    #: pass in C replaces a Python loop over thousands of entries per keystroke.
    corpus: str = ""
    starts: list[int] = field(default_factory=list)
    #: Only the start of the file was parsed (a first look, see `FIRST_LOOK_CHARS`).
    partial: bool = False
    _lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        """The file's lines as LSP numbers them, split once on first use."""
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines

    def key_range(self, key: str, line: int) -> Range:
        """The range of `key` as written in the entry that starts at 1-based `line`.

        The key usually follows `@type{` on the same line; if it is not found there (a key on
        the next line), the range covers the `@type{` itself so that it still points home.
        """
        lines = self.lines
        number = min(max(line - 1, 0), max(len(lines) - 1, 0))
        for offset in (0, 1):
            if number + offset >= len(lines):
                break
            text = lines[number + offset]
            at = _key_offset(text, key, from_start=offset == 0)
            if at is not None:
                start = Position(number + offset, to_utf16(text, at))
                return Range(start, Position(number + offset, to_utf16(text, at + len(key))))
        text = lines[number] if lines else ""
        return Range(Position(number, 0), Position(number, utf16_length(text)))

    def entry_range(self, entry: BibEntry) -> Range:
        """From the entry's `@` to just after its closing delimiter."""
        lines = self.lines
        first = min(entry.line - 1, len(lines) - 1)
        last = min(entry.end_line - 1, len(lines) - 1)
        start_text, end_text = lines[first], lines[last]
        at = max(start_text.find("@"), 0)
        close = max(end_text.rfind("}"), end_text.rfind(")"))
        end = close + 1 if close >= 0 else len(end_text)
        return Range(
            Position(first, to_utf16(start_text, at)), Position(last, to_utf16(end_text, end))
        )

    def matching(self, tokens: tuple[str, ...]) -> Iterator[Candidate]:
        """Candidates whose words contain every token (as substrings), in file order."""
        if not tokens:
            yield from self.candidates
            return
        anchor = max(tokens, key=len)
        others = [t for t in tokens if t is not anchor]
        at = self.corpus.find(anchor)
        while at != -1:
            index = bisect.bisect_right(self.starts, at) - 1
            cand = self.candidates[index]
            if all(t in cand.haystack for t in others):
                yield cand
            following = index + 1
            if following >= len(self.starts):
                return
            at = self.corpus.find(anchor, self.starts[following])

    def find(self, key: str) -> BibEntry | None:
        found = self.entries.get(key)
        if found is None:
            found = self.by_lower.get(key.lower())
        return found

    def find_same_paper(self, doi: str, arxiv: str) -> BibEntry | None:
        """An entry for the same paper under any key: same DOI or arXiv id."""
        found = self.by_doi.get(doi.lower()) if doi else None
        if found is None and arxiv:
            found = self.by_arxiv.get(arxiv)
        return found


def _key_offset(text: str, key: str, *, from_start: bool) -> int | None:
    """Where `key` stands in a line of an entry's head: after `@type{`, or at the start."""
    begin = 0
    if from_start:
        at = text.find("@")
        brace = min((i for i in (text.find("{", at), text.find("(", at)) if i >= 0), default=-1)
        if at < 0 or brace < 0:
            return None
        begin = brace + 1
    while begin < len(text) and text[begin].isspace():
        begin += 1
    return begin if text.startswith(key, begin) else None


def parse_bib_text(
    path: Path, text: str, stamp: object, pause: Callable[[], None] | None = None
) -> BibFile:
    """The file's model; `pause` is called now and then (see `parse_bibtex`)."""
    return _bib_file(path, text, stamp, parse_bibtex(text, pause), pause)


def _bib_file(
    path: Path,
    text: str,
    stamp: object,
    parsed: ParsedBibliography,
    pause: Callable[[], None] | None = None,
) -> BibFile:
    bib = BibFile(path=path, stamp=stamp, text=text)
    for count, raw in enumerate(parsed.entries, 1):
        if pause is not None and count % PAUSE_EVERY == 0:
            pause()
        entry = BibEntry(raw.key, raw.line, raw.end_line, paper_from_entry(raw, str(path)))
        bib.entries.setdefault(raw.key, entry)
        bib.by_lower.setdefault(raw.key.lower(), entry)
        if entry.paper.doi:
            bib.by_doi.setdefault(entry.paper.doi.lower(), entry)
        if entry.paper.arxiv:
            bib.by_arxiv.setdefault(entry.paper.arxiv, entry)
    for count, entry in enumerate(bib.entries.values(), 1):
        if pause is not None and count % PAUSE_EVERY == 0:
            pause()
        bib.candidates.append(_candidate(entry))
    position = 0
    for cand in bib.candidates:
        bib.starts.append(position)
        position += len(cand.haystack) + 1
    bib.corpus = "\n".join(c.haystack for c in bib.candidates)
    bib.problems = [(f.line, f.message) for f in parsed.failures if not f.duplicate_key]
    bib.duplicates = [(f.duplicate_key, f.line) for f in parsed.failures if f.duplicate_key]
    return bib


def _candidate(entry: BibEntry) -> Candidate:
    paper = entry.paper
    return Candidate.prepared(
        key=entry.key, title=paper.title, families=[a.family for a in paper.authors],
        givens=[a.given for a in paper.authors], year=paper.year, venue=paper.venue,
        doi=paper.doi, arxiv=paper.arxiv,
    )  # fmt: skip


#: How long `grep_bib` looks at matches; one pass of `str.find` over a 140 MB file (100,000
#: entries) is about 30 ms more, and is not cut.
GREP_BUDGET_S = 0.03


def grep_bib(path: Path, text: str, tokens: tuple[str, ...], limit: int) -> BibFile:
    """The entries of `text` that contain every token, found in its source and parsed one
    by one: what completion can offer from a long file that is still being parsed whole.

    A token is looked for as written and capitalised (`str.find` runs at memory speed;
    lowercasing a 100 MB file would double it), so a word written in capitals or with
    LaTeX accents inside is missed until the whole parse is in. Entries end at a line that
    starts with `@`, as the parser's blocks do; `@string` macros are not applied."""
    parsed = ParsedBibliography([], [], [])
    if not tokens:
        return _bib_file(path, "", None, parsed)
    anchor = max(tokens, key=len)
    position, line, counted = 0, 1, 0
    deadline = time.monotonic() + GREP_BUDGET_S
    while len(parsed.entries) < limit and time.monotonic() < deadline:
        at = _find_either(text, (anchor, anchor.capitalize()), position)
        if at < 0:
            break
        start = text.rfind("\n@", 0, at) + 1
        end = text.find("\n@", at)
        end = len(text) if end < 0 else end + 1
        block = text[start:end]
        line += text.count("\n", counted, start)
        counted = start
        lowered = block.lower()
        if all(token in lowered for token in tokens):
            found = parse_chunk(block, first_line=line, strings={})
            parsed.entries.extend(e for e in found.entries if "crossref" not in e.fields)
        position = end
    return _bib_file(path, "", None, parsed)


#: An entry's head and its key: `@article{key,` (keys hold no space, comma or brace).
_ENTRY_HEAD = re.compile(r"@[A-Za-z]+\s*[{(]\s*([^\s,{}()\"#%'=]+)\s*,")


def entry_offsets(text: str) -> dict[str, int]:
    """Where each entry of `text` begins, by lowercased key (BibTeX ignores a key's case):
    made once per read of a long file, so that a key is then found without a scan."""
    offsets: dict[str, int] = {}
    for head in _ENTRY_HEAD.finditer(text):
        offsets.setdefault(head.group(1).lower(), head.start())
    return offsets


def grep_bib_key(path: Path, text: str, key: str, offsets: dict[str, int]) -> BibFile:
    """The entry of `text` with this key (`offsets` from `entry_offsets`), parsed alone:
    what hover can show from a long file still being parsed.

    An entry with `crossref` is left out (its parent's fields are not applied here), as are
    `@string` macros: such a key waits for the whole parse."""
    parsed = ParsedBibliography([], [], [])
    start = offsets.get(key.lower())
    if start is not None:
        end = text.find("\n@", start)
        end = len(text) if end < 0 else end + 1
        line = text.count("\n", 0, start) + 1
        chunk = parse_chunk(text[start:end], first_line=line, strings={})
        parsed.entries.extend(e for e in chunk.entries if "crossref" not in e.fields)
    return _bib_file(path, "", None, parsed)


def _find_either(text: str, needles: tuple[str, ...], start: int) -> int:
    found = [at for needle in needles if (at := text.find(needle, start)) >= 0]
    return min(found) if found else -1


def parse_bib_head(
    path: Path, text: str, pause: Callable[[], None] | None = None
) -> BibFile | None:
    """The entries of the start of a long file, up to the first entry that begins after
    `FIRST_LOOK_CHARS`; None for a file short enough to be parsed whole at once."""
    if len(text) <= 2 * FIRST_LOOK_CHARS:
        return None
    cut = text.find("\n@", FIRST_LOOK_CHARS)
    if cut < 0:
        return None
    head = parse_bib_text(path, text[: cut + 1], None, pause)
    head.partial = True
    return head


@dataclass(frozen=True, slots=True)
class _Reading:
    """A long file while it is parsed for the first time."""

    text: str
    #: What the file was when read (`BibliographyCache._stamp`).
    stamp: object
    #: `entry_offsets(text)`.
    offsets: dict[str, int]


class BibliographyCache:
    """Parsed .bib files by path; thread-safe, so parsing can run in a worker thread.

    A long file read for the first time is published twice: a first look at its start
    (`first_look`, for completion only, which must not open on an empty list while the
    file is parsed), then the whole parse, which every other feature waits for.
    """

    def __init__(self, open_text: OpenText, pause: Callable[[], None] | None = None) -> None:
        self._open_text = open_text
        #: Called now and then while parsing (see `parse_bibtex`).
        self._pause = pause
        self._files: dict[Path, BibFile] = {}
        self._first_looks: dict[Path, BibFile] = {}
        #: Each file being parsed for the first time: its text, stamp and entry offsets.
        self._reading: dict[Path, _Reading] = {}
        #: Callers waiting for a first look at a file, resolved when one is published.
        self._waiting: dict[Path, list[Future[BibFile]]] = {}
        self._lock = threading.Lock()

    def get(self, path: Path) -> BibFile | None:
        """What is known now, possibly stale: never parses on the caller's thread."""
        with self._lock:
            return self._files.get(path)

    def get_or_first_look(self, path: Path) -> BibFile | None:
        """`get`, or else the first look at a long file still being parsed."""
        with self._lock:
            return self._files.get(path) or self._first_looks.get(path)

    def first_look(self, path: Path) -> Future[BibFile]:
        """Resolved as soon as something of `path` is known (at once, if it already is)."""
        future: Future[BibFile] = Future()
        with self._lock:
            known = self._files.get(path) or self._first_looks.get(path)
            if known is None:
                self._waiting.setdefault(path, []).append(future)
                return future
        future.set_result(known)
        return future

    def _publish(self, path: Path, bib: BibFile) -> None:
        with self._lock:
            if bib.partial:
                self._first_looks[path] = bib
            else:
                self._files[path] = bib
                self._first_looks.pop(path, None)
            waiting = self._waiting.pop(path, [])
        for future in waiting:
            with contextlib.suppress(InvalidStateError):  # the waiter gave up meanwhile
                future.set_result(bib)

    def refresh(self, path: Path) -> BibFile:
        """Parse `path` if its content changed since last time (editor text wins over disk)."""
        text = self._open_text(path)
        stamp = self._stamp(path, text)
        if stamp is None:
            missing = BibFile(path=path, exists=False)
            self._publish(path, missing)
            return missing
        current = self.get(path)
        if current is not None and current.stamp == stamp:
            return current
        if text is None:
            text = read_text(path)
        if current is None:
            head = parse_bib_head(path, text, self._pause)
            if head is not None:
                reading = _Reading(text, stamp, entry_offsets(text))
                with self._lock:
                    self._reading[path] = reading
                self._publish(path, head)
        try:
            parsed = parse_bib_text(path, text, stamp, self._pause)
        finally:
            with self._lock:
                self._reading.pop(path, None)
        self._publish(path, parsed)
        return parsed

    def _stamp(self, path: Path, text: str | None) -> object | None:
        """What says the file's content changed (None: no such file). An editor's text is
        hashed once per version: Python keeps a string's hash."""
        if text is not None:
            return ("editor", hash(text))
        try:
            st = path.stat()
        except OSError:
            return None
        return ("disk", st.st_mtime_ns, st.st_size)

    def is_current(self, path: Path) -> bool:
        """Whether the last whole parse of `path` is of the file as it is now."""
        parsed = self.get(path)
        return parsed is not None and parsed.stamp == self._stamp(path, self._open_text(path))

    def reading_size(self, path: Path) -> int | None:
        """How long the text of `path` is while its first parse is under way; None after."""
        with self._lock:
            reading = self._reading.get(path)
        return None if reading is None else len(reading.text)

    def grep(self, path: Path, tokens: tuple[str, ...], limit: int) -> BibFile | None:
        """`grep_bib` on a long file whose first parse is under way; None otherwise."""
        with self._lock:
            reading = self._reading.get(path)
        return None if reading is None else grep_bib(path, reading.text, tokens, limit)

    def grep_key(self, path: Path, key: str) -> tuple[BibFile, bool] | None:
        """`grep_bib_key` on a long file whose first parse is under way (None otherwise),
        and whether that text is still the file's: if so, a key it lacks the file lacks."""
        with self._lock:
            reading = self._reading.get(path)
        if reading is None:
            return None
        found = grep_bib_key(path, reading.text, key, reading.offsets)
        return found, self._stamp(path, self._open_text(path)) == reading.stamp


def read_text(path: Path) -> str:
    return decode_text(path.read_bytes())


# --- which files a document uses ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentBibliography:
    root: Path
    files: tuple[Path, ...]
    #: True when the files come from the document itself (not a setting or the default).
    declared: bool
    #: The LaTeX root loads biblatex (so a new file is added with `\addbibresource`).
    biblatex: bool = False
    #: Files the document names that the language server will not read (outside the
    #: workspace; see `PaperServer.may_read`): left out of `files`, reported instead.
    refused: tuple[Path, ...] = ()


def bibliography_for(
    path: Path,
    text: str,
    language: str,
    open_text: OpenText,
    configured: Iterable[str] = (),
    workspace_root: Path | None = None,
) -> DocumentBibliography:
    if language == "markdown":
        return _markdown_bibliography(path, text, configured, workspace_root)
    return _latex_bibliography(path, text, open_text, configured, workspace_root)


def _latex_bibliography(
    path: Path,
    text: str,
    open_text: OpenText,
    configured: Iterable[str],
    workspace_root: Path | None,
) -> DocumentBibliography:
    root, root_text = latex_root(path, text, open_text)
    names = latex.find_bibliographies(root_text)
    if root != path and not names:
        names = latex.find_bibliographies(text)
    files = tuple(_resolve(root.parent, n, add_suffix=True) for n in names)
    biblatex = latex.uses_biblatex(root_text)
    if files:
        return DocumentBibliography(root, files, True, biblatex)
    return _fallback(root, configured, workspace_root, biblatex)


def latex_root(path: Path, text: str, open_text: OpenText) -> tuple[Path, str]:
    """The root document: the magic comment's target, else a file that includes this one."""
    magic = latex.magic_root(text)
    if magic:
        root = Path(os.path.normpath(path.parent / magic))
        root_text = _text_of(root, open_text)
        if root_text is not None:
            return root, root_text
    if "\\documentclass" in text:
        return path, text
    including = _including_root(path, open_text)
    return including if including else (path, text)


#: The including root last found for a file: checked first next time (one file read instead
#: of a directory scan on every keystroke in a chapter), and forgotten once it stops holding.
_LAST_ROOT: dict[Path, Path] = {}


def _including_root(path: Path, open_text: OpenText) -> tuple[Path, str] | None:
    known = _LAST_ROOT.get(path)
    if known is not None:
        known_text = _text_of(known, open_text)
        if known_text and _is_root_of(known, known_text, path):
            return known, known_text
        _LAST_ROOT.pop(path, None)
    for directory in (path.parent, path.parent.parent):
        try:
            candidates = sorted(directory.glob("*.tex"))[:_ROOT_SCAN_LIMIT]
        except OSError:
            continue
        for candidate in candidates:
            if candidate == path:
                continue
            candidate_text = _text_of(candidate, open_text)
            if candidate_text and _is_root_of(candidate, candidate_text, path):
                _LAST_ROOT[path] = candidate
                return candidate, candidate_text
    return None


def _is_root_of(candidate: Path, candidate_text: str, path: Path) -> bool:
    """Whether `candidate` is a root document that \\input/\\includes `path`."""
    if "\\documentclass" not in candidate_text:
        return False
    stem = path.with_suffix("")
    for included in latex.find_includes(candidate_text):
        if Path(os.path.normpath(candidate.parent / included)) in (path, stem):
            return True
    return False


def _markdown_bibliography(
    path: Path, text: str, configured: Iterable[str], workspace_root: Path | None
) -> DocumentBibliography:
    names = markdown.front_matter_bibliographies(text)
    if names:
        files = tuple(_resolve(path.parent, n, add_suffix=False) for n in names)
        return DocumentBibliography(path, files, True)
    quarto = _quarto_bibliography(path, workspace_root)
    if quarto:
        return DocumentBibliography(path, quarto, True)
    return _fallback(path, configured, workspace_root, False)


def _quarto_bibliography(path: Path, workspace_root: Path | None) -> tuple[Path, ...]:
    directory = path.parent
    while True:
        project = directory / "_quarto.yml"
        if project.is_file():
            names = markdown.front_matter_bibliographies(
                "---\n" + project.read_text(encoding="utf-8", errors="replace") + "\n---\n"
            )
            return tuple(_resolve(directory, n, add_suffix=False) for n in names)
        if directory.parent == directory or directory == workspace_root:
            return ()
        directory = directory.parent


def _fallback(
    root: Path, configured: Iterable[str], workspace_root: Path | None, biblatex: bool
) -> DocumentBibliography:
    files = configured_files(root, configured, workspace_root)
    if files:
        return DocumentBibliography(root, files, False, biblatex)
    return DocumentBibliography(root, (root.parent / DEFAULT_BIBLIOGRAPHY,), False, biblatex)


def configured_files(
    root: Path, configured: Iterable[str], workspace_root: Path | None
) -> tuple[Path, ...]:
    """The `bibliography` setting's files, relative to the workspace (or the root's folder)."""
    base = workspace_root or root.parent
    return tuple(_resolve(base, n, add_suffix=False) for n in configured)


def _resolve(base: Path, name: str, *, add_suffix: bool) -> Path:
    name = name.strip()
    if add_suffix and not name.lower().endswith(".bib"):
        name += ".bib"
    return Path(os.path.normpath(base / Path(name).expanduser()))


def _text_of(path: Path, open_text: OpenText) -> str | None:
    text = open_text(path)
    if text is not None:
        return text
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
