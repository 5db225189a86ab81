"""What is wrong with a document's citations and bibliography, decided in one place.

The language server shows these findings as diagnostics and `paper-ls check` prints them;
neither decides anything itself, so an editor and CI always agree. Everything here is a
function of texts already read plus a few bounded index look-ups (a B-tree probe per unknown
key, at most a few hundred keys read by prefix for spelling suggestions), so it is cheap
enough to run after every change of a long thesis.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz, process

import paper_ls.documents.latex as latex
from paper_ls.documents.model import Citation, Language, Position, Range, split_lines, to_utf16
from paper_ls.documents.project import (
    BibFile,
    DocumentBibliography,
    OpenText,
    bibliography_for,
    parse_bib_text,
    read_text,
)
from paper_ls.documents.workspace import cites_everything, find_citations, language_of
from paper_ls.index.reader import find_paper, paper_ids_for_key
from paper_ls.server.insertion import declaration_edit, plan_addition, write_atomically

Severity = Literal["error", "warning", "information", "hint"]

UNDEFINED = "undefined-key"
NOT_IN_BIBLIOGRAPHY = "not-in-bibliography"
DUPLICATE = "duplicate-key"
SYNTAX = "bib-syntax"
UNUSED = "unused-entry"
MISSING_FILE = "missing-bibliography"
OUTSIDE_WORKSPACE = "bibliography-outside-workspace"
#: The language server's setting that lets it read bibliography files outside the workspace.
READ_OUTSIDE_SETTING = "paper-ls.readOutsideWorkspace"

#: How alike two keys must be (rapidfuzz ratio, 0-100) to offer one for the other.
NEAR_CUTOFF = 80.0
NEAR_LIMIT = 5
#: Keys read from the index per prefix probe when looking for near keys.
_PREFIX_ROWS = 200
#: Files followed through \input/\include from one root, at most.
_MAX_INCLUDED = 2000
#: A range scan of the key index (papers_key is COLLATE NOCASE), never of the table.
PREFIX_SQL = (
    "SELECT key FROM papers WHERE key >= ? COLLATE NOCASE AND key < ? COLLATE NOCASE LIMIT ?"
)
_STEM = re.compile(r"[^\d]*\d*")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place, in the words a writer reads."""

    path: Path
    range: Range
    severity: Severity
    code: str
    message: str
    #: The citation key concerned, if any (quick fixes need it).
    key: str = ""
    #: Keys known elsewhere that are spelt nearly like `key`, best first.
    near: tuple[str, ...] = ()


# --- the index's side ---------------------------------------------------------------------


class IndexKeys:
    """Whether the index knows a key, and which of its keys are spelt nearly like one.

    Answers are remembered for the life of this object (one check, one diagnostics run).
    """

    def __init__(self, conn: sqlite3.Connection | None) -> None:
        self.conn = conn
        self._known: dict[str, bool] = {}
        self._near: dict[tuple[str, object], tuple[str, ...]] = {}

    @property
    def available(self) -> bool:
        return self.conn is not None

    def knows(self, key: str) -> bool:
        if self.conn is None:
            return False
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = bool(paper_ids_for_key(self.conn, key))
        return known

    def near(
        self, key: str, local_keys: Collection[str] = (), token: object = None
    ) -> tuple[str, ...]:
        """Up to five keys like `key` from `local_keys` and the index, most alike first.

        With a `token` naming the state of `local_keys` (the files' stamps), the answer is
        remembered: the next run after a keystroke does not look the same typo up again.
        """
        if token is not None:
            remembered = self._near.get((key, token))
            if remembered is None:
                remembered = self._near[(key, token)] = self.near(key, local_keys)
            return remembered
        lowered = key.lower()
        scored: dict[str, float] = {}
        for pool in (local_keys, self._prefix_keys(lowered)):
            for match, score, _ in process.extract(
                lowered, pool, scorer=fuzz.ratio, processor=str.lower,
                score_cutoff=NEAR_CUTOFF, limit=NEAR_LIMIT,
            ):  # fmt: skip
                if match.lower() != lowered and score > scored.get(match, 0.0):
                    scored[match] = score
        best = sorted(scored, key=lambda k: (-scored[k], k))
        return tuple(dict.fromkeys(best))[:NEAR_LIMIT]

    def _prefix_keys(self, lowered: str) -> list[str]:
        """Index keys sharing a prefix with `lowered`: names and year first, then shorter.

        Each probe is a range scan of the key B-tree capped at a few hundred rows, so a typo
        costs the same on a million papers as on a thousand.
        """
        if self.conn is None or len(lowered) < 3:
            return []
        stem = _STEM.match(lowered)
        prefixes = [stem.group() if stem else "", lowered[: max(3, len(lowered) // 2)],
                    lowered[:3]]  # fmt: skip
        found: list[str] = []
        for prefix in dict.fromkeys(p for p in prefixes if len(p) >= 3 and p != lowered):
            rows = self.conn.execute(
                PREFIX_SQL, (prefix, prefix + "\U0010ffff", _PREFIX_ROWS)
            ).fetchall()
            found.extend(k for (k,) in rows)
            if any(fuzz.ratio(lowered, k.lower()) >= NEAR_CUTOFF for (k,) in rows):
                break
        return found


# --- citations ----------------------------------------------------------------------------


def citation_findings(
    path: Path, citations: Iterable[Citation], bibs: Sequence[BibFile], index: IndexKeys
) -> list[Finding]:
    """A finding for each citation of a key that no bibliography file of the document defines.

    An error when the index does not know the key either (with near keys to offer); a
    warning when it does, since adding its entry fixes it.
    """
    names = " or ".join(dict.fromkeys(bib.path.name for bib in bibs)) or "the bibliography"
    verdicts: dict[str, tuple[Severity, str, str, tuple[str, ...]] | None] = {}
    token = tuple((bib.path, bib.stamp) for bib in bibs) if all(b.stamp for b in bibs) else None
    local: list[str] | None = None
    found: list[Finding] = []
    for citation in citations:
        key = citation.key
        if key not in verdicts:
            if any(bib.find(key) is not None for bib in bibs):
                verdicts[key] = None
            else:
                if local is None:
                    local = [k for bib in bibs for k in bib.entries]
                verdicts[key] = _verdict(key, names, local, index, token)
        verdict = verdicts[key]
        if verdict is not None:
            severity, code, message, near = verdict
            found.append(Finding(path, citation.range, severity, code, message, key, near))
    return found


def _verdict(
    key: str, names: str, local: Sequence[str], index: IndexKeys, token: object
) -> tuple[Severity, str, str, tuple[str, ...]]:
    if index.knows(key):
        message = f"{key} is not in {names}, but the index has it: add its entry"
        return "warning", NOT_IN_BIBLIOGRAPHY, message, ()
    near = index.near(key, local, token)
    where = f"{names} nor in the index" if index.available else names
    message = f"{key} is not defined in {where}"
    if near:
        message += f"; did you mean {', '.join(near)}?"
    return "error", UNDEFINED, message, near


# --- bibliography files -------------------------------------------------------------------


def bib_findings(bibs: Sequence[BibFile]) -> list[Finding]:
    """Entries that do not parse, and keys defined more than once across `bibs`."""
    found: list[Finding] = []
    for bib in _distinct(bibs):
        for line, message in bib.problems:
            found.append(Finding(bib.path, _line_range(bib, line), "error", SYNTAX, message))
    definitions: dict[str, list[tuple[BibFile, str, int]]] = {}
    for bib in _distinct(bibs):
        for entry in bib.entries.values():
            definitions.setdefault(entry.key.lower(), []).append((bib, entry.key, entry.line))
        for key, line in bib.duplicates:
            definitions.setdefault(key.lower(), []).append((bib, key, line))
    for places in definitions.values():
        if len(places) < 2:
            continue
        places.sort(key=lambda p: (str(p[0].path), p[2]))
        listed = ", ".join(f"{bib.path.name}:{line}" for bib, _, line in places)
        for bib, key, line in places:
            message = f"{key} is defined {len(places)} times ({listed})"
            found.append(
                Finding(bib.path, bib.key_range(key, line), "warning", DUPLICATE, message, key)
            )
    return found


def unused_findings(bibs: Sequence[BibFile], cited: Collection[str]) -> list[Finding]:
    """Entries that no document cites (`cited` holds lowercased keys), as hints."""
    found: list[Finding] = []
    for bib in _distinct(bibs):
        for entry in bib.entries.values():
            if entry.key.lower() not in cited:
                found.append(
                    Finding(bib.path, bib.key_range(entry.key, entry.line), "hint", UNUSED,
                            f"{entry.key} is not cited by any document", entry.key)
                )  # fmt: skip
    return found


def _distinct(bibs: Sequence[BibFile]) -> list[BibFile]:
    """Each file once, though a document may name it twice."""
    return list({bib.path: bib for bib in bibs}.values())


def _line_range(bib: BibFile, line: int) -> Range:
    lines = bib.lines
    number = min(max(line - 1, 0), max(len(lines) - 1, 0))
    text = lines[number] if lines else ""
    indent = len(text) - len(text.lstrip())
    return Range(Position(number, indent), Position(number, len(text.encode("utf-16-le")) // 2))


# --- a project on disk (the command line) -------------------------------------------------


@dataclass(slots=True)
class Document:
    path: Path
    language: Language
    text: str
    citations: list[Citation]


@dataclass(slots=True)
class Project:
    """A root document, the files it pulls in, and its bibliography."""

    root: Path
    language: Language
    documents: list[Document]
    bibliography: DocumentBibliography
    cites_everything: bool = False
    missing: list[Finding] = field(default_factory=list)


def load_project(
    path: Path,
    open_text: OpenText,
    *,
    configured: Iterable[str] = (),
    workspace_root: Path | None = None,
    commands: frozenset[str] = frozenset(),
) -> Project:
    """Read `path`, its root, every file the root includes, and where its bibliography is."""
    language = language_of(path) or "latex"
    text = _read(path, open_text)
    if text is None:
        raise FileNotFoundError(path)
    bibliography = bibliography_for(path, text, language, open_text, configured, workspace_root)
    paths = [path]
    if language == "latex":
        paths = [*dict.fromkeys([*_included(bibliography.root, open_text), path])]
    documents: list[Document] = []
    missing: list[Finding] = []
    for member in paths:
        member_text = text if member == path else _read(member, open_text)
        if member_text is None:
            missing.append(_missing_include(bibliography.root, member, open_text))
            continue
        citations = find_citations(member_text, language, commands)
        documents.append(Document(member, language, member_text, citations))
    return Project(
        bibliography.root, language, documents, bibliography,
        any(cites_everything(d.text, language) for d in documents), missing,
    )  # fmt: skip


def _included(root: Path, open_text: OpenText) -> list[Path]:
    """The root and every file reached through \\input/\\include, depth first, once each."""
    order: list[Path] = []
    pending = [root]
    seen: set[Path] = set()
    while pending and len(order) < _MAX_INCLUDED:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        order.append(current)
        text = _read(current, open_text)
        if text is None:
            continue
        names = latex.find_includes(text)
        pending.extend(reversed([_resolve_include(root, current, n) for n in names]))
    return order


def _resolve_include(root: Path, including: Path, name: str) -> Path:
    """LaTeX reads an included name relative to the root's directory, `.tex` added."""
    for base in dict.fromkeys((root.parent, including.parent)):
        candidate = Path(os.path.normpath(base / name))
        for option in (candidate.with_name(candidate.name + ".tex"), candidate):
            if option.is_file():
                return option
    plain = Path(os.path.normpath(root.parent / name))
    return plain if plain.suffix else plain.with_name(plain.name + ".tex")


def _missing_include(root: Path, member: Path, open_text: OpenText) -> Finding:
    message = f"included file {os.path.relpath(member, root.parent)} does not exist"
    return Finding(root, Range(Position(0, 0), Position(0, 0)), "error", MISSING_FILE, message)


def _read(path: Path, open_text: OpenText) -> str | None:
    text = open_text(path)
    if text is not None:
        return text
    try:
        return read_text(path)
    except OSError:
        return None


def check_project(
    project: Project, bibs: Sequence[BibFile], index: IndexKeys, *, unused: bool = False
) -> list[Finding]:
    """Every finding for a project: its citations, its bibliography files, unused entries."""
    found = list(project.missing)
    root = next((d for d in project.documents if d.path == project.root), None)
    if root is not None:
        found.extend(missing_files(root.path, root.text, project.bibliography, bibs))
    for document in project.documents:
        found.extend(citation_findings(document.path, document.citations, bibs, index))
    found.extend(bib_findings(bibs))
    if unused and not project.cites_everything:
        cited = {c.key.lower() for d in project.documents for c in d.citations}
        found.extend(unused_findings(bibs, cited))
    return found


def missing_files(
    root: Path, root_text: str, bibliography: DocumentBibliography, bibs: Sequence[BibFile]
) -> list[Finding]:
    """A bibliography file the root names but that does not exist, at the root's mention."""
    if not bibliography.declared:
        return []
    return [
        Finding(root, _declaration_range(root_text, bib.path), "error", MISSING_FILE,
                f"bibliography file {bib.path.name} does not exist")
        for bib in _distinct(bibs) if not bib.exists
    ]  # fmt: skip


def refused_files(root: Path, root_text: str, bibliography: DocumentBibliography) -> list[Finding]:
    """A bibliography file the language server will not read (outside the workspace), at
    the root's mention, saying which setting allows it."""
    return [
        Finding(root, _declaration_range(root_text, path), "warning", OUTSIDE_WORKSPACE,
                f"{path} is outside the workspace, so paper-ls does not read it; the setting "
                f"{READ_OUTSIDE_SETTING} allows it (or list the file in paper-ls.bibliography)")
        for path in dict.fromkeys(bibliography.refused)
    ]  # fmt: skip


def _declaration_range(root_text: str, bib: Path) -> Range:
    """Where the root names the bibliography file (its first line otherwise)."""
    for number, line in enumerate(split_lines(root_text)):
        for name in (bib.name, bib.stem):
            at = line.find(name)
            if at >= 0 and not line.lstrip().startswith(("%", "#")):
                end = at + len(name)
                return Range(Position(number, to_utf16(line, at)),
                             Position(number, to_utf16(line, end)))  # fmt: skip
    return Range(Position(0, 0), Position(0, 0))


# --- check --fix --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Added:
    """An entry `paper-ls check --fix` added: the cited key, the entry's key, the file."""

    cited: str
    key: str
    file: Path
    #: The root document now declares the (new) bibliography file.
    declared_in: Path | None = None


def fix_project(
    project: Project, bibs: Sequence[BibFile], conn: sqlite3.Connection, findings: Sequence[Finding]
) -> list[Added]:
    """Append the index's entries for the cited keys the bibliography lacks.

    The same insertion code as the language server's quick fix decides the key and the bytes;
    the file is replaced atomically, and a bibliography file that did not exist is created
    and declared in the root document as the server would.
    """
    keys = list(dict.fromkeys(f.key for f in findings if f.code == NOT_IN_BIBLIOGRAPHY))
    target = project.bibliography.files[0]
    target_bib = next((b for b in bibs if b.path == target), None)
    if not keys or target_bib is None:
        return []
    text = target_bib.text if target_bib.exists else ""
    added_text = ""
    done: list[Added] = []
    for key in keys:
        stored = find_paper(conn, key)
        if stored is None:
            continue
        pending = [parse_bib_text(target, added_text, None)] if added_text else []
        addition = plan_addition(
            key, stored.paper, [*bibs, *pending], target_bib, text + added_text
        )
        if not isinstance(addition, str) and pending and pending[0].find(addition.key) is not None:
            whole = parse_bib_text(target, text + added_text, None)
            addition = plan_addition(key, stored.paper, [*bibs, *pending], whole, text + added_text)
        if isinstance(addition, str):
            continue
        added_text += addition.text
        done.append(Added(key, addition.key, target))
    if not done:
        return []
    write_atomically(target, text + added_text, based_on=text)
    if not target_bib.exists and not project.bibliography.declared:
        declared = _declare(project, target)
        if declared is not None:
            done = [Added(a.cited, a.key, a.file, declared) for a in done]
    return done


def _declare(project: Project, target: Path) -> Path | None:
    """Name a newly created bibliography file in the root document, as the server does."""
    root = project.bibliography.root
    root_text = next((d.text for d in project.documents if d.path == root), None)
    if root_text is None:
        return None
    edit = declaration_edit(root_text, project.language, project.bibliography, target)
    if edit is None:
        return None
    lines = root_text.splitlines(keepends=True)
    at = sum(len(line) for line in lines[: edit.range.start.line])
    write_atomically(root, root_text[:at] + edit.new_text + root_text[at:], based_on=root_text)
    return root
