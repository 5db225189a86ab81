"""Adding a paper's BibTeX entry to a document's bibliography: once, cleanly, undoably.

The edit is computed against the text the editor has (unsaved changes included) and sent
through `workspace/applyEdit`, so it lands in the editor's undo history; only a client that
cannot apply edits gets the file written by us, atomically. The entry is appended after one
blank line; nothing else in the file changes by a single byte.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

import paper_ls.documents.latex as latex
import paper_ls.documents.markdown as markdown
from paper_ls.bibtex.render import render_entry
from paper_ls.documents.project import BibFile, DocumentBibliography
from paper_ls.errors import PaperLsError
from paper_ls.model import Paper


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a paper stands relative to a bibliography file."""

    key: str
    #: False when the file already holds this paper (same key, DOI or arXiv id).
    needs_entry: bool


def place(paper: Paper, bib: BibFile | None) -> Placement:
    """The key to cite and whether an entry must be added; never a duplicate entry."""
    if bib is None:
        return Placement(paper.key, True)
    existing = bib.find(paper.key)
    if existing is not None and _same_paper(existing.paper, paper):
        return Placement(existing.key, False)
    same = bib.find_same_paper(paper.doi, paper.arxiv)
    if same is not None:
        return Placement(same.key, False)
    if existing is None:
        return Placement(paper.key, True)
    return Placement(_free_key(paper.key, bib), True)


@dataclass(frozen=True, slots=True)
class Addition:
    """An entry to append to a bibliography file: under which key, where, and its text."""

    key: str
    position: types.Position
    text: str


def plan_addition(
    key: str, paper: Paper, bibs: Sequence[BibFile], target: BibFile | None, target_text: str
) -> Addition | str:
    """The entry to add for `paper` (cited as `key`), or why none is needed.

    The server turns the answer into a workspace edit and `paper-ls check --fix` writes it to
    the file: both add exactly the same bytes.
    """
    for bib in bibs:
        present = place(paper, bib)
        if not present.needs_entry:
            return f"{key} is already in {bib.path.name} as {present.key}"
    placement = place(paper, target)
    position, added = entry_edit(target_text, paper, placement.key)
    return Addition(placement.key, position, added)


def _free_key(key: str, bib: BibFile) -> str:
    suffixes = iter("abcdefghijklmnopqrstuvwxyz")
    candidate = key
    while bib.find(candidate) is not None:
        candidate = key + next(suffixes)
    return candidate


def _same_paper(a: Paper, b: Paper) -> bool:
    if a.doi and b.doi:
        return a.doi.lower() == b.doi.lower()
    if a.arxiv and b.arxiv:
        return a.arxiv == b.arxiv
    return " ".join(a.title.lower().split()) == " ".join(b.title.lower().split())


def entry_edit(bib_text: str, paper: Paper, key: str) -> tuple[types.Position, str]:
    """Where to insert and what: the entry after exactly one blank line at the end, with
    the file's own line endings (a Windows-made .bib stays CRLF throughout)."""
    entry = render_entry(paper, key)
    tail = bib_text.replace("\r\n", "\n")[-2:]
    if not bib_text.strip() or tail == "\n\n":
        separator = ""
    elif tail.endswith("\n"):
        separator = "\n"
    else:
        separator = "\n\n"
    added = separator + entry
    if "\r\n" in bib_text:
        added = added.replace("\n", "\r\n")
    return end_position(bib_text), added


def end_position(text: str) -> types.Position:
    lines = text.split("\n")
    return types.Position(line=len(lines) - 1, character=utf16_len(lines[-1]))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def declaration_edit(
    document_text: str, language: str, bibliography: DocumentBibliography, bib_path: Path
) -> types.TextEdit | None:
    """Make a document use a newly created bibliography file."""
    relative = os.path.relpath(bib_path, bibliography.root.parent)
    if language == "markdown":
        if markdown.has_front_matter(document_text):
            end = markdown.front_matter_end(document_text)
            if end is None:
                return None
            at = types.Position(line=end.line, character=0)
            return types.TextEdit(types.Range(at, at), f"bibliography: {relative}\n")
        at = types.Position(line=0, character=0)
        return types.TextEdit(types.Range(at, at), f"---\nbibliography: {relative}\n---\n\n")
    if bibliography.biblatex:
        line = _line_after_biblatex(document_text)
        if line is not None:
            at = types.Position(line=line, character=0)
            return types.TextEdit(types.Range(at, at), f"\\addbibresource{{{relative}}}\n")
    end = latex.end_document_position(document_text)
    if end is None:
        return None
    name = relative[:-4] if relative.lower().endswith(".bib") else relative
    at = types.Position(line=end.line, character=0)
    return types.TextEdit(types.Range(at, at), f"\\bibliography{{{name}}}\n")


def _line_after_biblatex(text: str) -> int | None:
    for number, line in enumerate(text.split("\n")):
        stripped = line.split("%", 1)[0]
        if "\\usepackage" in stripped and "biblatex" in stripped:
            return number + 1
    return None


class ChangedOnDisk(PaperLsError):
    """The file is not what the change was computed from: writing would lose someone's edit."""


def write_atomically(path: Path, text: str, *, based_on: str | None = None) -> None:
    """Replace a file's content in one step: a crash leaves the old file or the new one.

    `based_on` is the text the change was computed from. If the file no longer holds it
    (the editor or another program saved it since), nothing is written. The file keeps its
    encoding (UTF-8, with its byte-order mark if it had one, or Latin-1), and when the new
    text extends the old one, every byte of the old file is kept as it was.
    """
    data = _encoded_like(path, text, based_on)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _encoded_like(path: Path, text: str, based_on: str | None) -> bytes:
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        if based_on:
            raise ChangedOnDisk(f"{path.name} was removed since it was read; not written") from None
        return text.encode("utf-8")
    try:
        old, encoding = current.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        old, encoding = current.decode("latin-1"), "latin-1"
    if based_on is not None and old != based_on:
        raise ChangedOnDisk(f"{path.name} changed on disk since it was read; not written")
    try:
        if text.startswith(old):
            return current + text[len(old) :].encode(encoding)
        bom = b"\xef\xbb\xbf" if current.startswith(b"\xef\xbb\xbf") else b""
        return bom + text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise PaperLsError(
            f"{path.name} is Latin-1 and the new text has characters it cannot hold "
            f"({exc.object[exc.start : exc.end]!r}); not written"
        ) from None
