"""The pygls wiring: protocol in, feature functions, protocol out.

State lives here (settings, the index connection, parsed bibliographies); the features are
functions in their own modules. Requests only read memory and the index: bibliography files
are parsed in a worker thread when they change, and a request uses what was parsed last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TextIO

from cattrs import Converter
from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.protocol import default_converter
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

import paper_ls.documents.latex as latex
import paper_ls.documents.markdown as markdown
from paper_ls import __version__
from paper_ls.config import resolve_index_path
from paper_ls.documents.model import CiteContext, Position, is_key_char
from paper_ls.documents.project import (
    BibFile,
    BibliographyCache,
    DocumentBibliography,
    bibliography_for,
    configured_files,
)
from paper_ls.documents.workspace import CitationIndex
from paper_ls.errors import IndexCorruptError, PaperLsError
from paper_ls.index.integrity import is_corruption
from paper_ls.index.reader import find_paper
from paper_ls.index.search import hit_json, parse_query, search
from paper_ls.index.store import Index
from paper_ls.model import Paper
from paper_ls.server import completion, insertion, navigation, runtime
from paper_ls.server.background import BackgroundSync
from paper_ls.server.diagnostics import SOURCE, Diagnostics, wants_entry
from paper_ls.server.protocol import PaperProtocol
from paper_ls.server.render import paper_markdown
from paper_ls.server.settings import SECTION, Settings

log = logging.getLogger(__name__)

LATEX_LANGUAGES = frozenset({"latex", "tex", "plaintex"})
MARKDOWN_LANGUAGES = frozenset({"markdown", "quarto", "rmd", "pandoc", "rmarkdown"})
TRIGGER_CHARACTERS = ["{", ",", "@", ";", " "]
INSERT_COMMAND = "paper-ls.insertBibtex"
SEARCH_COMMAND = "paper-ls.search"
#: How long a completion with nothing to show waits for a first look at the document's
#: .bib: an empty answer closes the editor's list for good (VS Code does not reopen it as
#: you type on). The first look at a long file is its first 64 KB, parsed in milliseconds;
#: a short file is parsed whole. Only ever spent right after opening.
FIRST_PARSE_WAIT_S = 2.0
#: A long .bib up to this many characters (about 1,500 entries) is parsed whole in well under
#: `QUICK_PARSE_S`, so a completion that its first look and its text do not answer waits for
#: it; a longer file takes seconds, and is not waited for.
QUICK_PARSE_CHARS = 2 << 20
QUICK_PARSE_S = 0.5
#: How long a hover on a key the last parse lacks waits for the .bib as it is now.
FRESH_HOVER_WAIT_S = 0.5
#: Papers a search picker offers unless the client asks for another number (at most 200).
SEARCH_LIMIT = 30


class PlainJson(dict[str, Any]):
    """A result already made of JSON values, which the server's converter sends as it is.

    cattrs would otherwise walk a fifty-item completion list value by value, finding nothing
    to convert: about 2 ms of every keystroke's response.
    """


def _converter() -> Converter:
    converter: Converter = default_converter()  # type: ignore[no-untyped-call]
    converter.register_unstructure_hook(PlainJson, lambda value: value)
    return converter


class PaperServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "paper-ls", __version__, protocol_cls=PaperProtocol, converter_factory=_converter
        )
        self.settings = Settings()
        #: Background parses give way to the requests a writer waits for.
        self.gate = runtime.RequestGate()
        self.bibs = BibliographyCache(self.open_text, self.gate.pause)
        self.parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paper-ls-bib")
        self._index: Index | None = None
        #: The index file's (mtime, size) when opening it last failed; -1s when it was missing.
        self._index_failed: tuple[int, int] | None = None
        #: Why the index could not be opened, for commands to say.
        self.index_problem = ""
        self._bibliographies: dict[str, tuple[object, DocumentBibliography]] = {}
        self.citations = CitationIndex(lambda: self.settings.citation_commands)
        self.diagnostics = Diagnostics(self)
        #: `paper-ls sync` of the configured sources, in a child process.
        self.background = BackgroundSync(self)
        #: Reads the workspace's documents; separate from `parser` so that a large
        #: workspace never holds up a .bib parse or a diagnostics run.
        self.scanner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paper-ls-scan")
        self.scanned: Future[int] | None = None
        #: The stop event of the completion running for each document (see
        #: `supersede_completion`).
        self._completions: dict[str, threading.Event] = {}
        self.completer = completion.CompletionWorker(
            on_damage=self.index_damaged, gate=self.gate.request
        )
        #: Where `paper-ls serve --timings` records each completion's server-side time.
        self.timings: TextIO | None = None

    # --- state ---------------------------------------------------------------------------

    @property
    def index(self) -> Index | None:
        """The index, opened on first use; a missing index leaves the document's .bib files.

        A failed open is retried once the file changes (say `paper-ls add` created it while
        the editor was open), not on every request; an index rebuilt into a new file is
        opened anew.
        """
        if self._index is not None and self._index.replaced():  # rebuilt, or swapped
            self._index.close()
            self._index = None
        if self._index is None:
            path = resolve_index_path(self.settings.index)
            stamp = _file_stamp(path)
            if stamp != self._index_failed:
                try:
                    self._index = Index.open(path, create=False)
                    self._index_failed = None
                except PaperLsError as exc:
                    self._index_failed, self.index_problem = stamp, str(exc)
                    log.warning("index not available: %s", exc)
                    if isinstance(exc, IndexCorruptError):
                        self.index_damaged(exc.reason)
        return self._index

    def index_damaged(self, reason: str) -> None:
        """The index turned out to be damaged: stop reading it, and have the background
        child move it aside and rebuild it (it confirms the damage first, and says what it
        did in one message)."""
        log.warning("the index is damaged (%s): rebuilding it in the background", reason)
        if self._index is not None:
            self._index.close()
            self._index = None
        self._index_failed = _file_stamp(resolve_index_path(self.settings.index))
        self.index_problem = f"the index is damaged ({reason}) and is being rebuilt"
        self.background.repair(reason)

    def index_sound(self) -> None:
        """A full check found the index sound: whatever failed was not in the file, so it is
        read again (a rebuild, had one been needed, would have replaced the file)."""
        if self.index_problem.startswith("the index is damaged"):
            log.warning("the index was checked in full and is sound: using it again")
            self._index_failed = None
            self.index_problem = ""
            self.completer.forget_damage()
            self.index_changed()

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A request that met a damaged index (in any feature) starts its rebuild."""
        damage = damage_in(error)
        if damage is not None:
            self.index_damaged(damage)
        super().report_server_error(error, source)

    def index_changed(self) -> None:
        """A background sync wrote to the index: open it if it was missing before, and
        re-check open documents against what it knows now."""
        self._index_failed = None
        self.diagnostics.index_changed()
        for uri, document in list(self.workspace.text_documents.items()):
            if self.language(document) is not None:
                self.diagnostics.schedule(uri)

    def sources_listed(self) -> None:
        """The sources config changed: a bibliography file refused so far may be one of its
        sources now. Only documents with a refused file are looked at again."""
        refused = [uri for uri, (_, found) in self._bibliographies.items() if found.refused]
        for uri in refused:
            del self._bibliographies[uri]
            document = self.workspace.text_documents.get(uri)
            if document is not None:
                self.refresh_for(document)

    def apply_settings(self, raw: Any) -> None:
        updated = self.settings.merged(raw)
        if updated.index != self.settings.index:
            if self._index is not None:
                self._index.close()
            self._index, self._index_failed = None, None
        self.settings = updated

    def open_text(self, path: Path) -> str | None:
        uri = from_fs_path(str(path))
        if uri is None:
            return None
        document = self.workspace.text_documents.get(uri)
        return document.source if document is not None else None

    def workspace_folders(self) -> list[Path]:
        folders = [Path(p) for f in self.workspace.folders.values() if (p := to_fs_path(f.uri))]
        root = self.workspace_root()
        return folders or ([root] if root else [])

    def start_scan(self) -> None:
        """Read the citations of every document in the workspace folders, in the background."""
        self.scanned = self.scanner.submit(self._scan_quietly, self.workspace_folders())

    def _scan_quietly(self, folders: list[Path]) -> int:
        try:
            return self.citations.scan(folders)
        except Exception:
            log.exception("could not scan the workspace")
            return 0

    async def workspace_ready(self, timeout_s: float = 10.0) -> None:
        """Wait (bounded) for the first workspace scan, so no unopened file is missed."""
        if self.scanned is not None and not self.scanned.done():
            try:
                await asyncio.wait_for(asyncio.wrap_future(self.scanned), timeout_s)
            except TimeoutError:
                log.warning("workspace scan still running; answering from what is read")
        for document in list(self.workspace.text_documents.values()):
            language = self.language(document)
            if language == "latex" or language == "markdown":
                path = Path(document.path)
                known = self.citations.get(path)
                if known is None or known.stamp != ("editor", document.version or 0):
                    self.citations.update(path, document.source, language, document.version or 0)

    def may_write(self, path: Path, root_document: Path) -> bool:
        """Only files inside the workspace (or, with no workspace, beside the root document)
        are written: a document naming `../../etc/passwd` as its bibliography gets nothing."""
        folders = self.workspace_folders() or [root_document.parent]
        target = path.resolve()
        return any(target.is_relative_to(folder.resolve()) for folder in folders)

    def workspace_root(self) -> Path | None:
        root = self.workspace.root_path
        return Path(root) if root else None

    def language(self, document: TextDocument) -> Literal["latex", "markdown", "bibtex"] | None:
        language_id = (document.language_id or "").lower()
        if language_id in LATEX_LANGUAGES or document.uri.endswith((".tex", ".ltx")):
            return "latex"
        if language_id in MARKDOWN_LANGUAGES or document.uri.endswith((".md", ".qmd", ".Rmd")):
            return "markdown"
        if language_id == "bibtex" or document.uri.endswith(".bib"):
            return "bibtex"
        return None

    def bibliography(self, document: TextDocument) -> DocumentBibliography | None:
        """The document's bibliography, worked out once per version of its text."""
        language = self.language(document)
        if language not in ("latex", "markdown"):
            return None
        settings = self.settings
        stamp = (document.uri, document.version, settings.bibliography,
                 settings.read_outside_workspace)  # fmt: skip
        cached = self._bibliographies.get(document.uri)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        found = self._readable(self._find_bibliography(document, language))
        self._bibliographies[document.uri] = (stamp, found)
        return found

    def _readable(self, bibliography: DocumentBibliography) -> DocumentBibliography:
        """The bibliography without the files the server may not read (kept as `refused`)."""
        if self.settings.read_outside_workspace:
            return bibliography
        configured = configured_files(bibliography.root, self.settings.bibliography,
                                      self.workspace_root())  # fmt: skip
        refused = tuple(
            path for path in bibliography.files
            if not (self.may_read(path, bibliography.root) or path in configured)
        )  # fmt: skip
        if not refused:
            return bibliography
        files = tuple(path for path in bibliography.files if path not in refused)
        return replace(bibliography, files=files, refused=refused)

    def may_read(self, path: Path, root_document: Path) -> bool:
        """A bibliography file a document names is read if it lies in the workspace (or, with
        no workspace, beside the root document), or the sources config lists it; any file
        with the `readOutsideWorkspace` setting. (The `bibliography` setting's own files are
        always read: the person named them, not a document.)"""
        return (
            self.settings.read_outside_workspace
            or self.may_write(path, root_document)
            or self.background.names_source(path.resolve())
        )

    def forget_bibliographies(self) -> None:
        self._bibliographies.clear()

    def _find_bibliography(self, document: TextDocument, language: str) -> DocumentBibliography:
        return bibliography_for(
            Path(document.path), document.source, language, self.open_text,
            self.settings.bibliography, self.workspace_root(),
        )  # fmt: skip

    def supersede_completion(self, uri: str) -> threading.Event:
        """The stop event of a new completion for `uri`; an older one still running for the
        same document is stopped (it would only be answered after the newer one's keystroke)."""
        older = self._completions.get(uri)
        if older is not None:
            older.set()
        stop = self._completions[uri] = threading.Event()
        return stop

    def completion_done(self, uri: str, stop: threading.Event) -> None:
        if self._completions.get(uri) is stop:
            del self._completions[uri]

    def parsed_bibs(
        self, bibliography: DocumentBibliography | None, *, first_looks: bool = False
    ) -> list[BibFile]:
        """The files as last parsed; with `first_looks`, the start of a long file still being
        parsed for the first time stands in for it (completion and resolve only)."""
        if bibliography is None:
            return []
        get = self.bibs.get_or_first_look if first_looks else self.bibs.get
        return [bib for path in bibliography.files if (bib := get(path)) is not None]

    async def first_looks(self, paths: tuple[Path, ...], timeout_s: float) -> None:
        """Wait, at most `timeout_s`, until something of each file is known."""
        waits = [asyncio.wrap_future(self.bibs.first_look(path)) for path in paths]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*waits), timeout_s)

    def schedule_refresh(self, paths: tuple[Path, ...] | list[Path]) -> None:
        for path in paths:
            self.parser.submit(self._refresh_quietly, path)

    def _refresh_quietly(self, path: Path) -> None:
        try:
            self.refresh_bib(path)
        except Exception:  # a broken file must never take the server down
            log.exception("could not read %s", path)

    def refresh_bib(self, path: Path) -> BibFile:
        """Re-parse `path` if it changed (on the parser thread); a new parse is long-lived,
        so it is taken out of the garbage collector's way at once."""
        before = self.bibs.get(path)
        with runtime.collector_paused():
            parsed = self.bibs.refresh(path)
        if parsed is not before:
            runtime.settle()
        return parsed

    async def fresh_bibs(self, paths: tuple[Path, ...] | list[Path]) -> list[BibFile]:
        """The files parsed as they are now (in the worker; unchanged files are not re-read)."""
        return list(await asyncio.gather(*(_fresh(self, path) for path in paths)))

    def refresh_for(self, document: TextDocument) -> None:
        # Another file's change may move a root's declarations: forget the others' answers.
        self._bibliographies = {
            uri: v for uri, v in self._bibliographies.items() if uri == document.uri
        }
        if self.language(document) == "bibtex":
            path = Path(document.path)
            self.schedule_refresh([path])
            self.diagnostics.schedule(document.uri)
            self.diagnostics.schedule_users_of(path)
            return
        bibliography = self.bibliography(document)
        if bibliography is not None:
            self.schedule_refresh(bibliography.files)
            self.diagnostics.schedule(document.uri)

    def cite_context(self, document: TextDocument, position: types.Position) -> CiteContext | None:
        language = self.language(document)
        lines = document.lines
        at = to_model(lines, position, document)
        if language == "latex":
            context = latex.cite_context(lines, at, self.settings.citation_commands)
            return widen_to_query(lines, context) if context is not None else None
        if language == "markdown":
            return markdown.cite_context(lines, at)
        return None

    def find_paper(self, key: str, bibs: list[BibFile]) -> tuple[Paper, str] | None:
        """The paper for a key and where it lives: the document's .bib first, then the index."""
        for bib in bibs:
            entry = bib.find(key)
            if entry is not None:
                return entry.paper, f"{bib.path.name}:{entry.line}"
        index = self.index
        if index is not None:
            stored = find_paper(index.conn, key)
            if stored is not None:
                return stored.paper, "in the index only, not yet in this document's bibliography"
        return None


def damage_in(error: BaseException) -> str | None:
    """Why an error says the index is damaged, or None. pygls hands a failed request's error
    over as a `JsonRpcInternalError` that keeps only the original's type and text."""
    if isinstance(error, IndexCorruptError):
        return error.reason
    if is_corruption(error):
        return str(error)
    text = str(getattr(error, "message", "") or error)
    kind, _, message = text.partition(": ")
    if kind.endswith("IndexCorruptError") or (
        kind.endswith("DatabaseError") and is_corruption(sqlite3.DatabaseError(message))
    ):
        return message
    return None


def _file_stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


def widen_to_query(lines: Any, context: CiteContext) -> CiteContext:
    """In LaTeX, the query is everything typed since the brace or comma, spaces included.

    Keys have no spaces, but `\\cite{residual learn` is how a writer asks for a paper they
    only half remember; the whole query is replaced by the chosen key.
    """
    start = context.replace.start
    line = lines[start.line] if start.line < len(lines) else ""
    begin = _python_index(line, start.character)
    j = begin
    while j > 0 and line[j - 1] not in "{,":
        if not (line[j - 1].isspace() or is_key_char(line[j - 1])):
            return context
        j -= 1
    while j < begin and line[j].isspace():
        j += 1
    if j == begin or j == 0:
        return context
    cursor = begin + len(context.prefix)
    widened = Position(start.line, _utf16_len(line[:j]))
    return replace(context, prefix=line[j:cursor], replace=replace(context.replace, start=widened))


# --- positions at the edge ---------------------------------------------------------------


def to_model(lines: Any, position: types.Position, document: TextDocument) -> Position:
    """Client units (whatever encoding was negotiated) -> the model's UTF-16 position."""
    codec = document.position_codec
    python = codec.position_from_client_units(list(lines), position)
    line = lines[python.line] if python.line < len(lines) else ""
    return Position(python.line, _utf16_len(line[: python.character]))


def to_client(lines: Any, position: Position, document: TextDocument) -> types.Position:
    line = lines[position.line] if position.line < len(lines) else ""
    python = types.Position(position.line, _python_index(line, position.character))
    return document.position_codec.position_to_client_units(list(lines), python)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _python_index(line: str, utf16: int) -> int:
    units = 0
    for index, char in enumerate(line):
        if units >= utf16:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


server = PaperServer()


@server.feature(types.INITIALIZE)
def on_initialize(ls: PaperServer, params: types.InitializeParams) -> None:
    ls.apply_settings(params.initialization_options)


@server.feature(types.INITIALIZED)
async def on_initialized(ls: PaperServer, params: types.InitializedParams) -> None:
    ls.start_scan()
    await pull_configuration(ls)
    ls.background.start()


@server.feature(types.SHUTDOWN)
def on_shutdown(ls: PaperServer, *_: Any) -> None:
    ls.background.stop()


async def pull_configuration(ls: PaperServer) -> None:
    workspace = ls.client_capabilities.workspace
    if workspace is None or not workspace.configuration:
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        )
    except Exception:
        log.exception("workspace/configuration failed")
        return
    if result:
        ls.apply_settings(result[0])


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def on_configuration(ls: PaperServer, params: types.DidChangeConfigurationParams) -> None:
    ls.apply_settings(params.settings)
    await pull_configuration(ls)
    ls.background.settings_changed()
    ls.diagnostics.forget()
    for uri, document in list(ls.workspace.text_documents.items()):
        if ls.language(document) is not None:
            ls.diagnostics.schedule(uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def on_open(ls: PaperServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.refresh_for(ls.workspace.get_text_document(params.text_document.uri))


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def on_change(ls: PaperServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.refresh_for(ls.workspace.get_text_document(params.text_document.uri))


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def on_save(ls: PaperServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.refresh_for(ls.workspace.get_text_document(params.text_document.uri))


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def on_close(ls: PaperServer, params: types.DidCloseTextDocumentParams) -> None:
    path = to_fs_path(params.text_document.uri)
    if path and path.endswith(".bib"):
        ls.schedule_refresh([Path(path)])  # back to what is on disk
        ls.diagnostics.schedule_users_of(Path(path))
    elif path:
        ls.diagnostics.clear(params.text_document.uri)
        ls.scanner.submit(ls.citations.release, Path(path))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def on_watched(ls: PaperServer, params: types.DidChangeWatchedFilesParams) -> None:
    ls.forget_bibliographies()
    paths = [Path(p) for change in params.changes if (p := to_fs_path(change.uri))]
    only_synced = ls.background.notice(paths)  # sources outside the workspace: synced only
    bibs = [p for p in paths if p.suffix.lower() == ".bib" and p not in only_synced]
    ls.schedule_refresh(bibs)
    for change in params.changes:
        path = to_fs_path(change.uri)
        if path is None or Path(path) in only_synced:
            continue
        if change.type == types.FileChangeType.Deleted:
            ls.scanner.submit(ls.citations.remove, Path(path))
        elif path.lower().endswith(".bib"):
            ls.citations.add_bib(Path(path))
        else:
            ls.scanner.submit(ls.citations.read_file, Path(path))
    for bib in bibs:
        ls.diagnostics.schedule_users_of(bib)


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=True),
)
async def on_completion(ls: PaperServer, params: types.CompletionParams) -> PlainJson | None:
    """A `CompletionList`, written as JSON by `completion.completion_items`."""
    started = time.perf_counter()
    result = await _completion(ls, params)
    if ls.timings is not None:
        ls.timings.write(f"{(time.perf_counter() - started) * 1000:.3f}\n")
    return result


async def _completion(ls: PaperServer, params: types.CompletionParams) -> PlainJson | None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    context = ls.cite_context(document, params.position)
    if context is None:
        return None
    bibliography = ls.bibliography(document)
    bibs = ls.parsed_bibs(bibliography, first_looks=True)
    limit, abstracts = ls.settings.max_items, ls.settings.search_abstracts
    index_path = resolve_index_path(ls.settings.index)

    def ranking(found: list[BibFile]) -> Callable[[Index | None, Any], list[completion.Ranked]]:
        return lambda index, stop: completion.rank_for_completion(
            context, found, index, limit=limit, abstracts=abstracts, stop=stop
        )

    stop = ls.supersede_completion(document.uri)
    try:
        ranked = await _rank_for_completion(
            ls, context, bibliography, bibs, index_path, ranking, stop
        )
    finally:
        ls.completion_done(document.uri, stop)
    if stop.is_set():  # a newer request for this document came: it answers instead
        raise asyncio.CancelledError
    target = bibliography.files[0] if bibliography and bibliography.files else None
    lines = document.lines
    client_range = types.Range(
        to_client(lines, context.replace.start, document),
        to_client(lines, context.replace.end, document),
    )
    items = completion.completion_items(context, ranked, document.uri, target, client_range)
    return PlainJson(isIncomplete=True, items=items)


async def _rank_for_completion(
    ls: PaperServer,
    context: CiteContext,
    bibliography: DocumentBibliography | None,
    bibs: list[BibFile],
    index_path: Path | None,
    ranking: Callable[[list[BibFile]], Callable[[Index | None, Any], list[completion.Ranked]]],
    stop: threading.Event,
) -> list[completion.Ranked]:
    """The ranking on the worker thread. Right after opening, a ranking with nothing to show
    waits (briefly) for a first look at the document's .bib, which is a short file whole or
    the start of a long one; if that does not answer, the entries of the long file that hold
    the query's words are found in its text and offered. A long file's whole parse takes
    seconds and is not waited for. A newer request stops all this."""
    ranked = await ls.completer.run(index_path, ranking(bibs), stop)
    if not ranked and bibliography is not None and not stop.is_set():
        # Nothing to show yet because the .bib is still being read (right after opening):
        # an empty answer would close the editor's list, so wait, briefly, for a first look.
        if len(bibs) < len(bibliography.files):
            await ls.first_looks(bibliography.files, FIRST_PARSE_WAIT_S)
            bibs = ls.parsed_bibs(bibliography, first_looks=True)
            ranked = await ls.completer.run(index_path, ranking(bibs), stop)
        partial = [bib for bib in bibs if bib.partial]
        if not ranked and not stop.is_set() and partial:
            tokens, limit = parse_query(context.prefix).tokens, ls.settings.max_items
            grepped = await asyncio.to_thread(
                lambda: [g for b in partial if (g := ls.bibs.grep(b.path, tokens, limit))]
            )
            if grepped and not stop.is_set():
                ranked = await ls.completer.run(index_path, ranking([*bibs, *grepped]), stop)
        sizes = [ls.bibs.reading_size(bib.path) or 0 for bib in partial]
        if not ranked and not stop.is_set() and partial and max(sizes) <= QUICK_PARSE_CHARS:
            # A file this short is parsed whole within the wait: typing on meanwhile would
            # only compete with that parse.
            with contextlib.suppress(TimeoutError):
                bibs = await asyncio.wait_for(ls.fresh_bibs(bibliography.files), QUICK_PARSE_S)
                ranked = await ls.completer.run(index_path, ranking(bibs), stop)
    return ranked


@server.feature(types.COMPLETION_ITEM_RESOLVE)
def on_resolve(ls: PaperServer, item: types.CompletionItem) -> types.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    key = str(data.get("key", item.label))
    uri = data.get("uri")
    bibs: list[BibFile] = []
    with ls.gate.request():
        if isinstance(uri, str) and uri in ls.workspace.text_documents:
            document = ls.workspace.get_text_document(uri)
            bibs = ls.parsed_bibs(ls.bibliography(document), first_looks=True)
        found = ls.find_paper(key, bibs)
        if found is not None:
            paper, where = found
            item.documentation = types.MarkupContent(
                kind=types.MarkupKind.Markdown, value=paper_markdown(paper, where)
            )
    return item


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def on_hover(ls: PaperServer, params: types.HoverParams) -> types.Hover | None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    key, rng, bibs = key_at(ls, document, params.position)
    if key is None:
        return None
    if not any(bib.find(key) for bib in bibs):
        bibs = await _bibs_with_key(ls, document, key, bibs)
    found = ls.find_paper(key, bibs)
    if found is None:
        return None
    paper, where = found
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value=paper_markdown(paper, where)
        ),
        range=rng,
    )


async def _bibs_with_key(
    ls: PaperServer, document: TextDocument, key: str, bibs: list[BibFile]
) -> list[BibFile]:
    """The bibliography to answer a hover on `key` from, which the last parse lacks.

    A long file read for the first time takes seconds to parse whole, and longer while the
    client types (the parse gives way to every request), so its entry for `key` is looked
    for in its text. Otherwise the files are looked at again (`_bibs_as_now`), unless every
    one of them, as it is now, is known to lack the key."""
    bibliography = ls.bibliography(document)
    if bibliography is None:
        return bibs
    unread = tuple(p for p in bibliography.files if ls.bibs.get_or_first_look(p) is None)
    if unread:  # just opened: once a first look is out, a long file's text is at hand
        await ls.first_looks(unread, FIRST_PARSE_WAIT_S)
        bibs = ls.parsed_bibs(bibliography)
        if any(bib.find(key) for bib in bibs):
            return bibs
    found, conclusive = await asyncio.to_thread(_grep_for_key, ls, bibliography, key)
    if found:
        return [*bibs, *found]
    return bibs if conclusive else await _bibs_as_now(ls, document, bibs)


def _grep_for_key(
    ls: PaperServer, bibliography: DocumentBibliography, key: str
) -> tuple[list[BibFile], bool]:
    """The entries for `key` found in the text of the files still being read, and whether
    that settles it: files are being read, their texts are the files' own still, and the
    other files' parses are of the files as they are now."""
    reading = [path for path in bibliography.files if ls.bibs.reading_size(path)]
    grepped = [g for path in reading if (g := ls.bibs.grep_key(path, key))]
    found = [bib for bib, _ in grepped if bib.find(key)]
    others = [path for path in bibliography.files if path not in reading]
    conclusive = (
        bool(grepped)
        and all(current for _, current in grepped)
        and all(ls.bibs.is_current(path) for path in others)
    )
    return found, conclusive


async def _bibs_as_now(
    ls: PaperServer, document: TextDocument, bibs: list[BibFile]
) -> list[BibFile]:
    """The document's bibliography as the files are now, for a key the last parse lacks.

    The entry may have been added a moment ago (accepting a completion appends it, and the
    hover usually follows at once), so the files are looked at again, for a short while at
    most: an unchanged file is not re-read, and a long parse is not waited out.
    """
    bibliography = ls.bibliography(document)
    if bibliography is None or not bibliography.files:
        return bibs
    try:
        return await asyncio.wait_for(ls.fresh_bibs(bibliography.files), FRESH_HOVER_WAIT_S)
    except TimeoutError:
        return bibs


def key_at(
    ls: PaperServer, document: TextDocument, position: types.Position
) -> tuple[str | None, types.Range | None, list[BibFile]]:
    """The citation key under the cursor (a citation, or an entry's key in a .bib file)."""
    if ls.language(document) == "bibtex":
        path = Path(document.path)
        bib = ls.bibs.get(path)
        line = document.lines[position.line] if position.line < len(document.lines) else ""
        if bib is not None:
            for entry in bib.entries.values():
                if entry.line == position.line + 1 and entry.key in line:
                    key_range = bib.key_range(entry.key, entry.line)
                    return entry.key, navigation.to_client_range(ls, path, key_range), [bib]
        return None, None, []
    context = ls.cite_context(document, position)
    if context is None:
        return None, None, []
    lines = document.lines
    start, end = context.replace.start, context.replace.end
    line = lines[start.line] if start.line < len(lines) else ""
    key = line[_python_index(line, start.character) : _python_index(line, end.character)]
    if not key:
        return None, None, []
    rng = types.Range(to_client(lines, start, document), to_client(lines, end, document))
    return key, rng, ls.parsed_bibs(ls.bibliography(document))


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def on_code_action(
    ls: PaperServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    actions = replacement_actions(document.uri, params.context.diagnostics)
    key, _, _ = key_at(ls, document, params.range.start)
    if key is not None:
        plan = plan_insertion(ls, document, key, ls.bibs.get)
        if not isinstance(plan, str):
            fixes = [d for d in params.context.diagnostics if wants_entry(d)]
            title = f"Add BibTeX entry for {key} to {plan.target.name}"
            actions.insert(0, types.CodeAction(
                title=title, kind=types.CodeActionKind.QuickFix, edit=plan.edit,
                diagnostics=fixes or None, is_preferred=bool(fixes) or None,
            ))  # fmt: skip
    return actions or None


def replacement_actions(
    uri: str, diagnostics: Sequence[types.Diagnostic]
) -> list[types.CodeAction]:
    """For a key the index and bibliography do not know: replace it by each near key."""
    actions = []
    for diagnostic in diagnostics:
        data = diagnostic.data
        if diagnostic.source != SOURCE or not isinstance(data, dict):
            continue
        for rank, near in enumerate(data.get("near") or []):
            edit = types.WorkspaceEdit(changes={uri: [types.TextEdit(diagnostic.range, near)]})
            actions.append(types.CodeAction(
                title=f"Replace {data.get('key')} with {near}", kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic], edit=edit, is_preferred=rank == 0 or None,
            ))  # fmt: skip
    return actions


@dataclass(frozen=True, slots=True)
class InsertionPlan:
    key: str
    target: Path
    edit: types.WorkspaceEdit
    #: The target file's full new text, for clients that cannot apply edits.
    new_text: str
    #: The text that was computed from: the file must still hold it when written.
    old_text: str = ""


def plan_insertion(
    ls: PaperServer,
    document: TextDocument,
    key: str,
    parsed: Callable[[Path], BibFile | None],
) -> InsertionPlan | str:
    """The edit that adds the index's entry for `key`, or why there is none to add."""
    bibliography = ls.bibliography(document)
    index = ls.index
    if bibliography is None or index is None:
        return "no bibliography or no index"
    if not bibliography.files:
        return f"{bibliography.refused[0]} is outside the workspace; paper-ls does not read it"
    bibs = [bib for path in bibliography.files if (bib := parsed(path)) is not None]
    stored = find_paper(index.conn, key)
    if stored is None:
        return f"{key} is not in the index"
    target = bibliography.files[0]
    if not ls.may_write(target, bibliography.root):
        return f"{target} is outside the workspace; paper-ls does not write there"
    target_bib = parsed(target)
    exists = target_bib.exists if target_bib is not None else target.exists()
    text = ls.open_text(target)
    if text is None:
        text = target_bib.text if target_bib is not None else ""
    addition = insertion.plan_addition(key, stored.paper, bibs, target_bib, text)
    if isinstance(addition, str):
        return addition
    edit = _workspace_edit(
        ls, document, bibliography, target, exists, addition.position, addition.text
    )
    return InsertionPlan(addition.key, target, edit, text + addition.text, text)


@server.command(INSERT_COMMAND)
async def insert_bibtex(ls: PaperServer, key: str, uri: str, *_: Any) -> dict[str, object]:
    """Add the index's entry for `key` to the bibliography of the document at `uri`."""
    document = ls.workspace.get_text_document(uri)
    bibliography = ls.bibliography(document)
    if bibliography is not None:
        await asyncio.gather(*(_fresh(ls, path) for path in bibliography.files))
    plan = plan_insertion(ls, document, key, ls.bibs.get)
    if isinstance(plan, str):
        return {"added": False, "reason": plan}
    if _client_applies_edits(ls):
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(
                edit=plan.edit, label=f"Add {plan.key} to {plan.target.name}"
            )
        )
        if not result.applied:
            return {"added": False, "reason": result.failure_reason or "the editor refused"}
    else:
        try:
            insertion.write_atomically(plan.target, plan.new_text, based_on=plan.old_text)
        except PaperLsError as exc:
            return {"added": False, "reason": str(exc)}
    ls.schedule_refresh([plan.target])
    return {"added": True, "key": plan.key, "file": str(plan.target)}


@server.command(SEARCH_COMMAND)
def search_index(ls: PaperServer, *arguments: Any) -> list[object]:
    """`paper-ls.search(query, limit?)`: the index's papers, best first, as `paper-ls search
    --json` lists them.

    For a client's own search-and-cite picker, so it needs neither the `paper-ls` executable
    nor the index path: the server searches the index its settings name, ranked by `search`.
    """
    query = arguments[0] if arguments else ""
    limit = arguments[1] if len(arguments) > 1 else None
    if not isinstance(query, str) or not query.strip():
        return []
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        limit = SEARCH_LIMIT
    index = ls.index
    if index is None:
        raise JsonRpcInternalError(ls.index_problem)
    result = search(
        index.conn, query, limit=min(limit, 200), abstracts=ls.settings.search_abstracts,
        deadline_s=1.0,
    )  # fmt: skip
    return [hit_json(hit) for hit in result.hits]


async def _fresh(ls: PaperServer, path: Path) -> BibFile:
    loop = asyncio.get_running_loop()
    result: BibFile = await loop.run_in_executor(ls.parser, ls.refresh_bib, path)
    return result


def _client_applies_edits(ls: PaperServer) -> bool:
    workspace = ls.client_capabilities.workspace
    return bool(workspace and workspace.apply_edit)


def _workspace_edit(
    ls: PaperServer,
    document: TextDocument,
    bibliography: DocumentBibliography,
    target: Path,
    exists: bool,
    position: types.Position,
    new_text: str,
) -> types.WorkspaceEdit:
    target_uri = from_fs_path(str(target)) or target.as_uri()
    insert = types.TextEdit(types.Range(position, position), new_text)
    changes: list[Any] = []
    if not exists:
        changes.append(
            types.CreateFile(uri=target_uri, options=types.CreateFileOptions(ignore_if_exists=True))
        )
    changes.append(
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(
                uri=target_uri, version=None
            ),
            edits=[insert],
        )
    )
    if not exists and not bibliography.declared:
        language = ls.language(document) or "latex"
        root_text = ls.open_text(bibliography.root) or (
            document.source if Path(document.path) == bibliography.root else
            bibliography.root.read_text(encoding="utf-8", errors="replace")
        )  # fmt: skip
        declare = insertion.declaration_edit(root_text, language, bibliography, target)
        if declare is not None:
            root_uri = from_fs_path(str(bibliography.root)) or bibliography.root.as_uri()
            changes.append(
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=root_uri, version=None
                    ),
                    edits=[declare],
                )
            )
    return types.WorkspaceEdit(document_changes=changes)


# --- navigation ------------------------------------------------------------------------


async def key_and_bibs(
    ls: PaperServer, uri: str, position: types.Position
) -> tuple[TextDocument, str | None, types.Range | None, list[BibFile]]:
    """The key under the cursor and the bibliography files it is defined against, parsed now.

    In a .bib file that is every file used together with it by a document (so a rename sees
    a key taken in the other file); elsewhere the document's bibliography.
    """
    document = ls.workspace.get_text_document(uri)
    if ls.language(document) == "bibtex":
        path = Path(document.path)
        group = await ls.fresh_bibs(ls.diagnostics.group_of(path))
        key, rng, _ = key_at(ls, document, position)
        return document, key, rng, group
    bibliography = ls.bibliography(document)
    if bibliography is not None:
        await ls.fresh_bibs(bibliography.files)
    key, rng, bibs = key_at(ls, document, position)
    return document, key, rng, bibs


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
async def on_definition(
    ls: PaperServer, params: types.DefinitionParams
) -> list[types.Location] | None:
    _, key, _, bibs = await key_and_bibs(ls, params.text_document.uri, params.position)
    if key is None:
        return None
    index = ls.index
    return navigation.definition(ls, key, bibs, index.conn if index else None) or None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
async def on_references(
    ls: PaperServer, params: types.ReferenceParams
) -> list[types.Location] | None:
    _, key, _, bibs = await key_and_bibs(ls, params.text_document.uri, params.position)
    if key is None:
        return None
    await ls.workspace_ready()
    return navigation.references(ls, key, bibs, params.context.include_declaration)


@server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
async def on_rename(ls: PaperServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    _, key, _, bibs = await key_and_bibs(ls, params.text_document.uri, params.position)
    if key is None:
        raise navigation.RenameRefused("there is no citation key here to rename")
    navigation.check_new_key(key, params.new_name, bibs)
    await ls.workspace_ready()
    return navigation.rename_edit(ls, key, params.new_name, bibs)


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
async def on_prepare_rename(
    ls: PaperServer, params: types.PrepareRenameParams
) -> types.PrepareRenamePlaceholder | None:
    _, key, rng, _ = await key_and_bibs(ls, params.text_document.uri, params.position)
    if key is None or rng is None:
        return None
    return types.PrepareRenamePlaceholder(range=rng, placeholder=key)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def on_document_symbol(
    ls: PaperServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol] | None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    if ls.language(document) != "bibtex":
        return None
    (bib,) = await ls.fresh_bibs([Path(document.path)])
    return navigation.document_symbols(ls, bib)


@server.feature(types.WORKSPACE_SYMBOL)
async def on_workspace_symbol(
    ls: PaperServer, params: types.WorkspaceSymbolParams
) -> list[types.WorkspaceSymbol]:
    await ls.workspace_ready()
    paths = dict.fromkeys(ls.citations.bib_files())
    for document in list(ls.workspace.text_documents.values()):
        bibliography = ls.bibliography(document)
        if bibliography is not None:
            paths.update(dict.fromkeys(bibliography.files))
        elif ls.language(document) == "bibtex":
            paths[Path(document.path)] = None
    bibs = [b for b in await ls.fresh_bibs(list(paths)) if b.exists]
    index = ls.index
    return navigation.workspace_symbols(ls, params.query, bibs, index.conn if index else None)
