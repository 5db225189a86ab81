"""Publishing `paper_ls.check`'s findings as diagnostics: debounced, and off the event loop.

A change starts a short timer per document; only when the writer pauses does a run start,
and the run itself happens in the bibliography worker thread (where `.bib` files are parsed
anyway, so a run always sees the bibliography it needs). The event loop only snapshots the
document, converts positions and sends the notification, so completion requests arriving in
between are answered at once. A run whose document changed meanwhile is dropped: the newer
change has its own run coming.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import from_fs_path

from paper_ls.check import (
    NOT_IN_BIBLIOGRAPHY,
    UNDEFINED,
    UNUSED,
    Finding,
    IndexKeys,
    bib_findings,
    citation_findings,
    missing_files,
    refused_files,
    unused_findings,
)
from paper_ls.config import resolve_index_path
from paper_ls.documents.model import Language, Range
from paper_ls.documents.project import BibFile, DocumentBibliography
from paper_ls.index.integrity import is_corruption
from paper_ls.index.store import file_identity

if TYPE_CHECKING:
    from paper_ls.server.server import PaperServer

log = logging.getLogger(__name__)

SOURCE = "paper-ls"
#: Quiet time after the last change before diagnostics are computed.
DEBOUNCE_S = 0.125

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


@dataclass(frozen=True, slots=True)
class Publication:
    """The complete set of findings for one file (an empty list clears its diagnostics)."""

    path: Path
    findings: list[Finding]
    #: The file's lines when it is not open in the editor (to convert positions).
    lines: list[str] | None = None


class Diagnostics:
    """Schedules, computes and publishes diagnostics for one server."""

    def __init__(self, ls: PaperServer, delay_s: float = DEBOUNCE_S) -> None:
        self.ls = ls
        self.delay_s = delay_s
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        #: Bibliography files used together by some document: duplicates are found across them.
        self._groups: dict[Path, tuple[Path, ...]] = {}
        #: What the published .bib diagnostics were computed from, per group of files.
        self._bib_stamps: dict[tuple[Path, ...], object] = {}
        #: What was last sent for each .bib: a file whose findings did not change is not
        #: sent again (5,000 unused-entry hints are a megabyte of JSON).
        self._sent: dict[Path, list[Finding]] = {}
        self._keys: IndexKeys | None = None
        #: The index state `_keys` answered for: its path, file and data version.
        self._keys_state: tuple[Path, tuple[int, ...], int] | None = None

    # --- on the event loop ------------------------------------------------------------

    def schedule(self, uri: str) -> None:
        """(Re)start the quiet-time timer of a document."""
        handle = self._timers.pop(uri, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_running_loop()
        self._timers[uri] = loop.call_later(self.delay_s, self._fire, uri)

    def schedule_users_of(self, bib: Path) -> None:
        """Re-check every open document whose bibliography includes `bib`."""
        for uri, document in list(self.ls.workspace.text_documents.items()):
            bibliography = self.ls.bibliography(document)
            if bibliography is not None and bib in bibliography.files:
                self.schedule(uri)

    def clear(self, uri: str) -> None:
        handle = self._timers.pop(uri, None)
        if handle is not None:
            handle.cancel()
        self.ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    def group_of(self, bib: Path) -> tuple[Path, ...]:
        """The bibliography files a document uses together with `bib` (at least `bib`)."""
        group = self._groups.get(bib, (bib,))
        return group if bib in group else (bib, *group)

    def forget(self) -> None:
        """Settings changed: republish everything on the next runs."""
        self._bib_stamps.clear()
        self._sent.clear()
        self._keys_state = None

    def index_changed(self) -> None:
        """The index was written by the server's own sync: ask it again on the next run."""
        self._keys_state = None

    def _fire(self, uri: str) -> None:
        self._timers.pop(uri, None)
        task = asyncio.ensure_future(self.run(uri))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, uri: str) -> None:
        """Compute one document's diagnostics in the worker thread and publish them."""
        ls = self.ls
        document = ls.workspace.text_documents.get(uri)
        if document is None:
            return
        language = ls.language(document)
        version = document.version
        path = Path(document.path)
        if language == "latex" or language == "markdown":
            bibliography = ls.bibliography(document)
            if bibliography is None:
                return
            job = partial(self._document_job, path, document.source, language, version,
                          bibliography)  # fmt: skip
        elif language == "bibtex":
            job = partial(self._bib_job, path)
        else:
            return
        try:
            publications = await asyncio.get_running_loop().run_in_executor(ls.parser, job)
        except Exception as exc:  # diagnostics must never take the server down
            if is_corruption(exc):  # not served: rebuilt, then opened afresh
                self.index_changed()
                ls.index_damaged(str(exc))
            else:
                log.exception("diagnostics failed for %s", uri)
            return
        current = ls.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return
        for publication in publications:
            self._publish(publication)

    def _publish(self, publication: Publication) -> None:
        ls = self.ls
        uri = from_fs_path(str(publication.path)) or publication.path.as_uri()
        document = ls.workspace.text_documents.get(uri)
        codec = document.position_codec if document is not None else ls.workspace.position_codec
        lines: Sequence[str] = ()
        if codec.encoding != types.PositionEncodingKind.Utf16:  # else columns need no line
            lines = document.lines if document is not None else publication.lines or []
        diagnostics = [
            to_diagnostic(f, client_range(f.range, lines, codec)) for f in publication.findings
        ]
        version = document.version if document is not None else None
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    # --- in the worker thread ---------------------------------------------------------

    def _document_job(
        self,
        path: Path,
        text: str,
        language: Language,
        version: int | None,
        bibliography: DocumentBibliography,
    ) -> list[Publication]:
        ls = self.ls
        bibs = [ls.bibs.refresh(p) for p in bibliography.files]
        known = ls.citations.update(path, text, language, version or 0)
        findings = citation_findings(path, known.citations, bibs, self._index_keys())
        if bibliography.refused:  # keys may well be defined in the file not read
            findings = [f for f in findings if f.code not in (UNDEFINED, NOT_IN_BIBLIOGRAPHY)]
        if path == bibliography.root:
            findings = (missing_files(path, text, bibliography, bibs)
                        + refused_files(path, text, bibliography) + findings)  # fmt: skip
        for bib in bibliography.files:
            self._groups[bib] = bibliography.files
        return [Publication(path, findings), *self._bib_publications(bibliography.files, bibs)]

    def _bib_job(self, path: Path) -> list[Publication]:
        group = self.group_of(path)
        bibs = [self.ls.bibs.refresh(p) for p in group]
        return self._bib_publications(group, bibs, force=True)

    def _bib_publications(
        self, group: tuple[Path, ...], bibs: Sequence[BibFile], *, force: bool = False
    ) -> list[Publication]:
        """Each file's syntax errors, duplicates and (if asked for) unused entries.

        Recomputed only when a file of the group or the set of cited keys changed: typing in
        a chapter does not resend a 5,000-entry bibliography's diagnostics every time.
        """
        cited = self.ls.citations.cited_keys() if self.ls.settings.unused_entries else None
        unused = self.ls.settings.unused_entries and cited is not None
        stamp = (tuple((b.path, b.stamp) for b in bibs), unused,
                 hash(frozenset(cited)) if unused and cited is not None else 0)  # fmt: skip
        if not force and self._bib_stamps.get(group) == stamp:
            return []
        self._bib_stamps[group] = stamp
        findings = bib_findings(bibs)
        if unused and cited is not None:
            findings += unused_findings(bibs, cited)
        by_path: dict[Path, list[Finding]] = {bib.path: [] for bib in bibs if bib.exists}
        for finding in findings:
            by_path.setdefault(finding.path, []).append(finding)
        lines = {bib.path: bib.lines for bib in bibs}
        changed = [p for p, found in by_path.items() if force or self._sent.get(p) != found]
        self._sent.update((p, by_path[p]) for p in changed)
        return [Publication(p, by_path[p], lines.get(p)) for p in changed]

    def _index_keys(self) -> IndexKeys:
        """What the index knows, through the worker's own read-only connection (never the one
        completion uses), remembered while the index is unchanged.

        Any process may write the index while the server runs (`paper-ls add` in a terminal,
        another editor's sync): SQLite's `data_version` tells this connection that another
        committed, and a new file at the path (an index rebuilt) is opened afresh.
        """
        path = resolve_index_path(self.ls.settings.index)
        keys = self._keys
        conn = keys.conn if keys is not None else None
        state = (path, _file_identity(path, exact=conn is None), _data_version(conn))
        if keys is not None and state == self._keys_state:
            return keys
        if keys is not None and self._keys_state is not None and state[:2] == self._keys_state[:2]:
            self._keys = IndexKeys(keys.conn)  # same file, new data: forget the answers
        else:
            if keys is not None and keys.conn is not None:
                keys.conn.close()
            self._keys = IndexKeys(_open_read_only(path))
            conn = self._keys.conn
            state = (path, _file_identity(path, exact=conn is None), _data_version(conn))
        self._keys_state = state
        return self._keys


def _file_identity(path: Path, *, exact: bool) -> tuple[int, ...]:
    """Which file is at `path` (device, inode); `exact` adds its size and time, for a file
    that could not be opened as an index (yet): it is tried again once it changes."""
    if not exact:
        return file_identity(path)
    try:
        stat = path.stat()
    except OSError:
        return (-1,)
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _data_version(conn: sqlite3.Connection | None) -> int:
    """Changes when another connection commits to the index; -1 without an index."""
    if conn is None:
        return -1
    try:
        return int(conn.execute("PRAGMA data_version").fetchone()[0])
    except sqlite3.DatabaseError:
        return -1


def _open_read_only(path: Path) -> sqlite3.Connection | None:
    if not path.exists():
        return None
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 2000")
        conn.execute("SELECT 1 FROM papers LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        if is_corruption(exc):
            raise  # the server has it rebuilt (`Diagnostics.run`)
        log.warning("diagnostics cannot read the index %s: %s", path, exc)
        return None
    return conn


# --- conversion ---------------------------------------------------------------------------


def client_range(rng: Range, lines: Sequence[str], codec: Any) -> types.Range:
    """A model range (UTF-16 columns) in the units the client negotiated.

    UTF-16 is what nearly every client uses, and then the model's columns are already right:
    no line is looked at, so thousands of diagnostics on a large .bib cost nothing here.
    """
    start, end = rng.start, rng.end
    if codec.encoding == types.PositionEncodingKind.Utf16:
        return types.Range(
            types.Position(start.line, start.character), types.Position(end.line, end.character)
        )
    python = types.Range(
        _python_position(lines, start.line, start.character),
        _python_position(lines, end.line, end.character),
    )
    converted: types.Range = codec.range_to_client_units(lines, python)
    return converted


def _python_position(lines: Sequence[str], line: int, utf16: int) -> types.Position:
    text = lines[line] if line < len(lines) else ""
    if text.isascii():
        return types.Position(line, min(utf16, len(text)))
    units = 0
    for index, char in enumerate(text):
        if units >= utf16:
            return types.Position(line, index)
        units += 2 if ord(char) > 0xFFFF else 1
    return types.Position(line, len(text))


def to_diagnostic(finding: Finding, rng: types.Range) -> types.Diagnostic:
    """The LSP diagnostic; `data` carries what the quick fixes need."""
    tags = [types.DiagnosticTag.Unnecessary] if finding.code == UNUSED else None
    data: dict[str, object] | None = None
    if finding.key:
        data = {"key": finding.key, "near": list(finding.near)}
    return types.Diagnostic(
        range=rng,
        message=finding.message,
        severity=SEVERITY[finding.severity],
        code=finding.code,
        source=SOURCE,
        tags=tags,
        data=data,
    )


def wants_entry(diagnostic: types.Diagnostic) -> bool:
    """A diagnostic that the add-entry quick fix resolves."""
    return diagnostic.source == SOURCE and diagnostic.code == NOT_IN_BIBLIOGRAPHY
