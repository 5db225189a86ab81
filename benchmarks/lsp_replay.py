"""Citation completion measured through a real LSP client over stdio, paper-ls beside two peers.

Reproduce with:   .venv/bin/python benchmarks/lsp_replay.py --sizes 1000,10000,100000

Why a separate benchmark: `run.py` times the search function inside one process; an editor sees
more than that -- JSON-RPC framing, the server's document bookkeeping on every `didChange`,
(de)serialising the completion list, and whatever the server does on its event loop. This
script is the editor: pygls's `LanguageClient` starts each server as a child process, opens a
LaTeX and a Markdown document that declare the same `.bib`, types every query keystroke by
keystroke inside a citation (one incremental `didChange`, then one `completion`, awaited), and
records the time from the keystroke's `didChange` to the completion response. It also times
process start -> first completion answered, process start -> first completion that lists an
entry of the `.bib` (paper-ls parses it in the background), the completion sent right after
`\\cite{` / `[@`, `completionItem/resolve` and `textDocument/hover`, and reads the server's
peak RSS (VmHWM) before shutting it down.

Peers, each in its own venv under `benchmarks/.work/peers/` (they pin other pygls versions),
installed by this script when missing; `PEER_NOTES` says what each supports and how it is told
which `.bib` to read. Every request is bounded (`--timeout`); a server that times out, errors
or crashes is recorded as such and the run goes on; a server that timed out at one size is not
started at larger ones. Results go to `benchmarks/RESULTS-lsp.md`, raw numbers to
`benchmarks/.work/lsp/results.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from run import _percentile as percentile  # the nearest-rank definition RESULTS.md uses
from run import compile_package, machine

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
LSP_WORK = WORK / "lsp"
PEERS = WORK / "peers"
BIG_INDEX = WORK / "index-1000000.sqlite3"
BIG_QUERIES = WORK / "queries-1000000.json"
DOC_BIB_SIZE = 5000
COMMAND = ".venv/bin/python benchmarks/lsp_replay.py"

#: Pinned so that the command reproduces; bibli-ls 0.1.7.x needs Python >= 3.12.
PEER_PACKAGES = {
    "citation-langserver": "citation-langserver==0.2.2",
    "bibli-ls": "bibli-ls==0.1.6.2",
}
PEER_SCRIPTS = {"citation-langserver": "citation-langserver", "bibli-ls": "bibli_ls"}
PEER_NOTES = {
    "citation-langserver": (
        "console script `citation-langserver` (stdio). Completes the key under the cursor after "
        "`cite{` (so `\\cite{`, not `\\citep{`/`\\autocite{`) or after `@` (Markdown), only the "
        "first key of a citation (a `,` ends it), by case-sensitive regex prefix over the keys "
        "in file order, unranked, `isIncomplete: false`, documentation inline (no resolve); "
        "hover on a key. No multi-word or author/title search. Told its files by "
        "`workspace/didChangeConfiguration` `{citation: {bibliographies: [path]}}` (its "
        "`workspace/configuration` pull is broken in 0.2.2: it builds "
        "`ConfigurationParams(item=...)`, which pydantic rejects); the file is parsed "
        "synchronously in that handler by `bibparse` 1.2, which stops at the first entry it "
        'cannot parse: a `\\"` accent (`{\\"u}`) or any unbraced value (`year = 2014`, '
        "`month = jul`, `@string` macros)."
    ),
    "bibli-ls": (
        "console script `bibli_ls` (stdio). Markdown `@` trigger; completion ignores the cursor "
        "and what was typed: every request returns every entry of every library, each with a "
        "Markdown documentation string rendered by mdformat (~10 ms an entry), "
        "`isIncomplete: false`, so the editor filters; no resolve. Hover on `[@key]`. No LaTeX "
        "syntax (its cite regex is `\\[...\\]` with `@` keys). Told its files by `.bibli.toml` "
        'in the workspace root (`[backends.refs] backend_type = "bibfile"`, '
        "`bibfiles = [path]`), parsed with bibtexparser 2 inside `initialize`."
    ),
}

#: Query kinds that are one token and name a key prefix: what a key-prefix server can answer.
KEY_KINDS = frozenset({"key-prefix", "short-prefix", "common-name"})
#: Kinds that start with the first author's family name: its first word is an author prefix.
AUTHOR_KINDS = frozenset({"author-year", "author-title", "typo"})

HOVER_COUNT = 60  # hovers and resolves per run (and language): cheap requests
TRIGGER_COUNT = 3  # completions right after `\cite{` / `[@`, before anything is typed
PROBE_INTERVAL = 0.05

LATEX_DOC = ("\\documentclass{article}", "\\begin{document}", "", "\\bibliography{refs}",
             "\\end{document}", "")  # fmt: skip
MARKDOWN_DOC = ("---", "title: Notes", "bibliography: refs.bib", "---", "", "", "")


@dataclass(frozen=True)
class Language:
    """How one document type spells a citation; only the cite line changes during a run."""

    name: str
    language_id: str
    filename: str
    lines: tuple[str, ...]
    cite_line: int
    before: str  # text before the query on the cite line
    after: str  # what the editor's auto-pairing leaves after the cursor

    def text(self) -> str:
        lines = list(self.lines)
        lines[self.cite_line] = self.before + self.after
        return "\n".join(lines)


LATEX = Language("LaTeX", "latex", "main.tex", LATEX_DOC, 2, "Prior work \\cite{", "}.")
MARKDOWN = Language("Markdown", "markdown", "main.md", MARKDOWN_DOC, 5, "Prior work [@", "].")


@dataclass(frozen=True)
class Query:
    text: str
    kind: str
    target: str


@dataclass(frozen=True)
class ReplaySet:
    """One language and one list of queries, replayed keystroke by keystroke."""

    language: Language
    label: str
    queries: tuple[Query, ...]


@dataclass
class ServerSpec:
    """How to start one server and tell it which `.bib` to read."""

    name: str
    setup: str
    command: list[str]
    sets: list[ReplaySet]
    init_options: Any = None
    configuration: dict[str, Any] = field(default_factory=dict)  # workspace/configuration
    push_settings: Any = None  # sent as workspace/didChangeConfiguration after `initialized`
    files: dict[str, str] = field(default_factory=dict)  # extra workspace files
    version: str = ""
    hover_keys: list[str] = field(default_factory=list)  # default: the queries' targets
    check_only: bool = False  # start and ask once after `\cite{`: how many entries it holds
    #: Where the server writes each completion's server-side ms (paper-ls `--timings`).
    timings: Path | None = None


@dataclass
class Timings:
    """Latencies of one kind of request, and how many answers had something in them."""

    ms: list[float] = field(default_factory=list)
    answered: int = 0
    timeouts: int = 0


@dataclass
class SetResult:
    language: str
    label: str
    queries_total: int
    per_query: list[list[float]] = field(default_factory=list)  # ms, one list per query
    items: list[int] = field(default_factory=list)  # completion items per response
    listed: int = 0  # queries whose target key was in the final keystroke's list
    stopped: str = ""  # why the set ended early, if it did
    timeouts: int = 0
    last_items: list[types.CompletionItem] = field(default_factory=list, repr=False)

    @property
    def latencies(self) -> list[float]:
        return [ms for query in self.per_query for ms in query]

    @property
    def queries_done(self) -> int:
        return len(self.per_query)


@dataclass
class RunResult:
    server: str
    setup: str
    size: int
    version: str = ""
    init_ms: float | None = None
    first_ms: float | None = None
    ready_ms: float | None = None
    rss_mb: float | None = None
    trigger: dict[str, Timings] = field(default_factory=dict)
    sets: list[SetResult] = field(default_factory=list)
    hover: dict[str, Timings] = field(default_factory=dict)
    resolve: Timings | None = None
    failures: list[str] = field(default_factory=list)
    timed_out: bool = False
    #: Server-side ms of each completion of the keystroke replays, when the server says.
    server_ms: list[float] = field(default_factory=list)


class Unresponsive(Exception):
    """The server stopped answering: the rest of its run is skipped."""


# --- corpora and peers ------------------------------------------------------------------------


def generate(out: Path, count: int, seed: int, queries: Path | None, query_count: int) -> None:
    """Run generate.py once; its output is cached, and the same seed gives the same bytes."""
    if out.exists() and (queries is None or queries.exists()):
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, str(HERE / "generate.py"), "--format", "bib", "--count", str(count),
            "--seed", str(seed), "--out", str(out)]  # fmt: skip
    if queries is not None:
        args += ["--queries", str(queries), "--query-count", str(query_count)]
    subprocess.run(args, check=True)


def corpus(size: int, query_count: int) -> tuple[Path, list[Query]]:
    bib = LSP_WORK / f"corpus-{size}.bib"
    queries = LSP_WORK / f"queries-{size}.json"
    generate(bib, size, 1, queries, query_count)
    return bib, load_queries(queries, query_count)


def load_queries(path: Path, count: int) -> list[Query]:
    raw = json.loads(path.read_text())[:count]
    return [Query(q["query"], q["kind"], q["target"]) for q in raw]


def one_word(queries: Sequence[Query]) -> tuple[Query, ...]:
    """The queries a key-prefix server can answer: key prefixes and the author's family name.

    Kinds that start with the first author (`chen 2023`, `wu image`) keep their first word,
    which is how a key-prefix user types them (most keys start with the family name).
    """
    out = []
    for q in queries:
        if q.kind in KEY_KINDS:
            out.append(q)
        elif q.kind in AUTHOR_KINDS:
            out.append(Query(q.text.split()[0], q.kind + " 1st word", q.target))
    return tuple(out)


_UMLAUT = re.compile(r'\{\\"\{?(\\i|[A-Za-z])\}?\}|\\"\{(\\i|[A-Za-z])\}|\\"(\\i|[A-Za-z])')


def _umlaut(match: re.Match[str]) -> str:
    base = next(g for g in match.groups() if g)
    return unicodedata.normalize("NFC", ("i" if base == "\\i" else base) + "\u0308")


def bibparse_copy(bib: Path) -> Path:
    """The same entries in a form bibparse reads: every value braced, `\\"` accents as Unicode.

    citation-langserver stops at the first entry bibparse cannot parse (on the generated
    corpora that is within the first hundred lines), so its latency on the real file measures
    a one-entry dictionary. This copy has the same keys and field text (macros expanded by
    bibtexparser 2, a paper-ls dependency), so its numbers are comparable; both are reported.
    """
    out = bib.with_suffix(".bibparse.bib")
    if out.exists():
        return out
    import bibtexparser

    library = bibtexparser.parse_file(str(bib))
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for entry in library.entries:
            handle.write(f"@{entry.entry_type}{{{entry.key},\n")
            for f in entry.fields:
                handle.write(f"  {f.key} = {{{_UMLAUT.sub(_umlaut, str(f.value))}}},\n")
            handle.write("}\n\n")
    tmp.rename(out)
    return out


def ensure_peer(name: str) -> tuple[Path, str]:
    """The peer's console script, installing it into its own venv on first use."""
    venv = PEERS / name
    script = venv / "bin" / PEER_SCRIPTS[name]
    python = str(venv / "bin" / "python")
    if not script.exists():
        print(f"installing {PEER_PACKAGES[name]} into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", PEER_PACKAGES[name]], check=True)
    code = f"import importlib.metadata as m; print(m.version({name!r}), m.version('pygls'))"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    version, pygls = out.stdout.split()
    return script, f"{version} (pygls {pygls})"


def empty_index(path: Path) -> Path:
    """An index with no papers, so paper-ls ranks the document's `.bib` alone."""
    if not path.exists():
        from paper_ls.index.store import Index

        Index.open(path, create=True).close()
    return path


def paper_ls_version() -> str:
    import importlib.metadata as metadata

    return f"{metadata.version('paper-ls')} (pygls {metadata.version('pygls')})"


def bib_keys(bib: Path, count: int) -> list[str]:
    """The first `count` entry keys of a .bib file (its `@string`s skipped)."""
    keys: list[str] = []
    with bib.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("@") and not line.lower().startswith(("@string", "@comment")):
                keys.append(line.split("{", 1)[1].split(",", 1)[0].strip())
                if len(keys) == count:
                    break
    return keys


# --- the client -------------------------------------------------------------------------------


class Client(LanguageClient):
    """A LanguageClient that answers the server's requests the way an editor would."""

    def __init__(self, configuration: dict[str, Any]) -> None:
        super().__init__("lsp-replay", "1")
        self.configuration = configuration
        self.stderr_tail = b""
        self._register()

    def _register(self) -> None:
        @self.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(_: Client, params: types.ConfigurationParams) -> list[Any]:
            return [self.configuration.get(item.section or "") for item in params.items]

        @self.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(_: Client, __: Any) -> types.ApplyWorkspaceEditResult:
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason="benchmark")

        for method in (
            types.WINDOW_WORK_DONE_PROGRESS_CREATE, types.CLIENT_REGISTER_CAPABILITY,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, types.WINDOW_SHOW_MESSAGE,
            types.WINDOW_LOG_MESSAGE, types.PROGRESS, types.TELEMETRY_EVENT,
        ):  # fmt: skip
            self.feature(method)(_ignore)

    @property
    def process(self) -> asyncio.subprocess.Process | None:
        return self._server

    @property
    def exited(self) -> bool:
        return self._server is None or self._server.returncode is not None

    async def drain_stderr(self) -> None:
        """Read the server's stderr so that a chatty server never blocks on a full pipe."""
        stream = self._server.stderr if self._server is not None else None
        while stream is not None and (chunk := await stream.read(65536)):
            self.stderr_tail = (self.stderr_tail + chunk)[-4000:]

    def stderr_error(self) -> str | None:
        """The last line of stderr that names an error (a traceback's last line)."""
        lines = self.stderr_tail.decode(errors="replace").splitlines()
        errors = [line.strip() for line in lines if "Error" in line]
        return errors[-1][:200] if errors else None


def _ignore(*_: Any) -> None:
    return None


async def bounded(future: Future[Any], timeout: float) -> Any:
    """The response, or TimeoutError; the request itself is left to finish (see `settle`)."""
    wrapped = asyncio.wrap_future(future)
    done, _ = await asyncio.wait({wrapped}, timeout=timeout)
    if not done:
        wrapped.add_done_callback(_forget)
        raise TimeoutError
    return wrapped.result()


def _forget(late: asyncio.Future[Any]) -> None:
    """A late answer, or the error of a killed server, that nobody waits for any more."""
    if not late.cancelled():
        late.exception()


def peak_rss_mb(pid: int | None) -> float | None:
    """VmHWM of the server process: its own peak resident memory (read before shutdown)."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        return None
    return None


def item_list(result: Any) -> list[types.CompletionItem]:
    if result is None:
        return []
    if isinstance(result, types.CompletionList):
        return list(result.items)
    return list(result)


def item_key(item: types.CompletionItem) -> str:
    """The key an item inserts (bibli-ls labels its items `@key`)."""
    if isinstance(item.text_edit, types.TextEdit):
        return item.text_edit.new_text
    return item.insert_text or item.label.lstrip("@")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def ms_since(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:160]}" if text else type(exc).__name__


# --- one server run ---------------------------------------------------------------------------


class Session:
    """One server process: start, open the documents, replay, time the rest, shut down."""

    def __init__(self, spec: ServerSpec, workspace: Path, args: argparse.Namespace) -> None:
        self.spec = spec
        self.workspace = workspace
        self.timeout: float = args.timeout
        self.startup: float = args.startup
        self.set_budget: float = args.set_budget
        self.client = Client(spec.configuration)
        self.versions: dict[str, int] = {}
        self.cite_text: dict[str, str] = {}  # what sits between `before` and `after` now
        self.triggers: list[str] = []
        self.resolve_provider = False
        self.started = 0.0
        self.tasks: list[asyncio.Task[None]] = []

    @property
    def languages(self) -> list[Language]:
        return list(dict.fromkeys(s.language for s in self.spec.sets))

    def uri(self, language: Language) -> str:
        return (self.workspace / language.filename).as_uri()

    async def request(self, method: str, params: Any, timeout: float | None = None) -> Any:
        """One request under the per-request bound; the timing is the caller's."""
        future = self.client.protocol.send_request(method, params)
        return await bounded(future, timeout or self.timeout)

    async def start(self, result: RunResult) -> None:
        """Spawn, initialize (under the startup bound: peers parse here), open the documents."""
        self.started = time.perf_counter()
        await self.client.start_io(*self.spec.command, cwd=str(self.workspace))
        self.tasks.append(asyncio.create_task(self.client.drain_stderr()))
        params = types.InitializeParams(
            process_id=None,
            root_path=str(self.workspace),
            root_uri=self.workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(self.workspace.as_uri(), "ws")],
            initialization_options=self.spec.init_options,
            capabilities=client_capabilities(),
        )
        init: types.InitializeResult = await self.request(types.INITIALIZE, params, self.startup)
        result.init_ms = ms_since(self.started)
        provider = init.capabilities.completion_provider
        self.triggers = list(provider.trigger_characters or []) if provider else []
        self.resolve_provider = bool(provider and provider.resolve_provider)
        self.client.initialized(types.InitializedParams())
        if self.spec.push_settings is not None:
            self.client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings=self.spec.push_settings)
            )
        for language in self.languages:
            self.open(language)

    def open(self, language: Language) -> None:
        self.versions[language.name] = 1
        self.cite_text[language.name] = ""
        item = types.TextDocumentItem(
            uri=self.uri(language), language_id=language.language_id, version=1,
            text=language.text(),
        )  # fmt: skip
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(item))

    def edit(self, language: Language, start: int, end: int, text: str) -> None:
        """One incremental change on the cite line, as an editor sends per keystroke."""
        self.versions[language.name] += 1
        line = language.cite_line
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, start), types.Position(line, end)), text=text
        )
        doc = types.VersionedTextDocumentIdentifier(
            version=self.versions[language.name], uri=self.uri(language)
        )
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(text_document=doc, content_changes=[change])
        )

    def set_cite(self, language: Language, text: str) -> int:
        """Replace what the citation holds with `text` (one edit); return the cursor column."""
        start = utf16(language.before)
        self.edit(language, start, start + utf16(self.cite_text[language.name]), text)
        self.cite_text[language.name] = text
        return start + utf16(text)

    def type_char(self, language: Language, column: int, char: str) -> int:
        self.edit(language, column, column, char)
        self.cite_text[language.name] += char
        return column + utf16(char)

    async def complete(
        self, language: Language, column: int, char: str, timeout: float | None = None
    ) -> list[types.CompletionItem]:
        kind = types.CompletionTriggerKind
        context = (
            types.CompletionContext(kind.TriggerCharacter, char)
            if char in self.triggers
            else types.CompletionContext(kind.Invoked)
        )
        params = types.CompletionParams(
            types.TextDocumentIdentifier(self.uri(language)),
            types.Position(language.cite_line, column),
            context=context,
        )
        result = await self.request(types.TEXT_DOCUMENT_COMPLETION, params, timeout)
        return item_list(result)

    async def probe(self, result: RunResult, language: Language, key: str) -> None:
        """Poll completion on a full key until its `.bib` entry is listed, within the bound.

        The first answer is "first completion"; the first that lists the entry is "ready":
        paper-ls answers at once and parses the `.bib` in the background, the peers parse it
        before they answer anything.
        """
        column = self.set_cite(language, key)
        while True:
            left = self.startup - (time.perf_counter() - self.started)
            if left <= 0:
                result.failures.append(f"cold start: entry not listed within {self.startup:.0f} s")
                return
            try:
                items = await self.complete(language, column, key[-1], timeout=left)
            except TimeoutError:
                result.failures.append(f"cold start: no answer within {self.startup:.0f} s")
                result.timed_out = True
                raise Unresponsive from None
            if result.first_ms is None:
                result.first_ms = ms_since(self.started)
            if any(item_key(i) == key for i in items):
                result.ready_ms = ms_since(self.started)
                return
            await asyncio.sleep(PROBE_INTERVAL)

    async def trigger(self, language: Language, out: Timings) -> None:
        """Completion right after `\\cite{` / `[@`: what an editor asks when a citation opens."""
        column = self.set_cite(language, "")
        for _ in range(TRIGGER_COUNT):
            t0 = time.perf_counter()
            items = await counted(self.complete(language, column, language.before[-1]), out)
            out.ms.append(ms_since(t0))
            out.answered = max(out.answered, len(items))

    async def replay(self, replay: ReplaySet, out: SetResult) -> None:
        """Type every query keystroke by keystroke: one didChange + one completion each.

        The latency runs from sending the keystroke's didChange to the completion response,
        so it includes the server's document bookkeeping and the client's decoding. A set
        that has run for `--set-budget` seconds types no further query.
        """
        language = replay.language
        started = time.perf_counter()
        for query in replay.queries:
            if time.perf_counter() - started > self.set_budget:
                out.stopped = f"budget ({self.set_budget:.0f} s)"
                return
            column = self.set_cite(language, "")
            items: list[types.CompletionItem] = []
            timings: list[float] = []
            out.per_query.append(timings)
            for char in query.text:
                t0 = time.perf_counter()
                column = self.type_char(language, column, char)
                items = await counted(self.complete(language, column, char), out)
                timings.append(ms_since(t0))
                out.items.append(len(items))
            out.listed += any(item_key(i) == query.target for i in items)
            out.last_items.extend(items[:1])

    async def hover(self, language: Language, keys: Sequence[str], out: Timings) -> None:
        """Hover in the middle of a cited key, counting the hovers that had content."""
        for key in keys:
            column = self.set_cite(language, key) - utf16(key) // 2
            params = types.HoverParams(
                types.TextDocumentIdentifier(self.uri(language)),
                types.Position(language.cite_line, column),
            )
            t0 = time.perf_counter()
            hover = await counted(self.request(types.TEXT_DOCUMENT_HOVER, params), out)
            out.ms.append(ms_since(t0))
            out.answered += hover is not None

    async def resolve(self, items: Sequence[types.CompletionItem], out: Timings) -> None:
        for item in items[:HOVER_COUNT]:
            t0 = time.perf_counter()
            resolved = await counted(self.request(types.COMPLETION_ITEM_RESOLVE, item), out)
            out.ms.append(ms_since(t0))
            out.answered += bool(resolved and resolved.documentation)

    async def stop(self, result: RunResult, responsive: bool) -> None:
        """Read peak RSS, then shutdown/exit; a server that does not answer is killed."""
        process = self.client.process
        result.rss_mb = peak_rss_mb(process.pid if process else None)
        if not responsive and process is not None and process.returncode is None:
            result.failures.append("killed: it was not answering")
            process.kill()
        elif not self.client.exited:
            try:
                await self.request(types.SHUTDOWN, None)
                self.client.exit(None)
            except Exception as exc:
                result.failures.append(f"shutdown: {describe(exc)}")
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:
                process.kill()
                await process.wait()
        await self.client.stop()
        for task in self.tasks:
            task.cancel()


def client_capabilities() -> types.ClientCapabilities:
    """What a current editor announces (peers look at `workspace.configuration`)."""
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            configuration=True, apply_edit=True, workspace_folders=True,
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(),
        ),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(),
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(
                    snippet_support=False, label_details_support=True,
                    documentation_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText],
                    resolve_support=types.ClientCompletionItemResolveOptions(
                        properties=["documentation", "detail"]
                    ),
                ),
                context_support=True,
            ),
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]
            ),
        ),
        window=types.WindowClientCapabilities(work_done_progress=True),
    )  # fmt: skip


async def counted(request: Awaitable[Any], out: Timings | SetResult) -> Any:
    """Await one request, counting a timeout against the stage it belongs to."""
    try:
        return await request
    except TimeoutError:
        out.timeouts += 1
        raise


async def settle(session: Session, stage: str, result: RunResult, exc: BaseException) -> None:
    """After a failed request: record it, and give up on the server if it no longer answers."""
    if session.client.exited:
        last = session.client.stderr_error() or "nothing on stderr"
        result.failures.append(f"{stage}: server exited ({last})")
        raise Unresponsive from exc
    if not isinstance(exc, TimeoutError):
        result.failures.append(f"{stage}: {describe(exc)}")
        return
    result.timed_out = True
    result.failures.append(f"{stage}: timeout (>{session.timeout:.0f} s), stage stopped")
    # The servers answer in order: a cheap request coming back means the slow one is done.
    language = session.languages[0]
    ping = types.HoverParams(types.TextDocumentIdentifier(session.uri(language)),
                             types.Position(0, 0))  # fmt: skip
    try:
        await session.request(types.TEXT_DOCUMENT_HOVER, ping)
    except Exception as again:
        result.failures.append(f"{stage}: still busy {session.timeout:.0f} s later, run stopped")
        raise Unresponsive from again


async def staged(
    session: Session, stage: str, result: RunResult, step: Callable[[], Awaitable[None]]
) -> None:
    """Run one stage; a failure is recorded and the run goes on with the next stage."""
    try:
        await step()
    except Unresponsive:
        raise
    except Exception as exc:
        await settle(session, stage, result, exc)


async def run_server(
    spec: ServerSpec, size: int, workspace: Path, probe_key: str, args: argparse.Namespace
) -> RunResult:
    """One fresh server process through every stage; always shut down, whatever happened."""
    result = RunResult(spec.name, spec.setup, size, spec.version)
    session = Session(spec, workspace, args)
    responsive = True
    try:
        try:
            await session.start(result)
        except Exception as exc:
            result.timed_out = isinstance(exc, TimeoutError)
            reason = f"no answer within {args.startup:.0f} s" if result.timed_out else None
            result.failures.append(f"initialize: {reason or describe(exc)}")
            raise Unresponsive from exc
        if spec.check_only:
            await check_entries(session, result)
        else:
            probe = partial(session.probe, result, session.languages[0], probe_key)
            await staged(session, "cold start", result, probe)
            await run_stages(session, spec, result)
    except Unresponsive:
        responsive = False
    except Exception as exc:  # a bug here must not lose the other servers' numbers
        result.failures.append(f"benchmark error: {describe(exc)}")
    finally:
        await session.stop(result, responsive)
    return result


async def check_entries(session: Session, result: RunResult) -> None:
    """Ask once after `\\cite{`: a key-prefix server then lists every entry it holds."""
    language = session.languages[0]
    timings = result.trigger.setdefault(language.name, Timings())
    await staged(session, "trigger", result, partial(session.trigger, language, timings))
    held = timings.answered
    note = f"holds {held:,} of the {result.size:,} entries after reading the file"
    error = session.client.stderr_error()
    result.failures.append(f"{note}; stderr: {error}" if error else note)


async def run_stages(session: Session, spec: ServerSpec, result: RunResult) -> None:
    """Trigger requests, the keystroke replays, hovers and resolves, in that order."""
    for language in session.languages:
        timings = result.trigger.setdefault(language.name, Timings())
        await staged(session, f"{language.name} trigger", result,
                     partial(session.trigger, language, timings))  # fmt: skip
    if spec.timings is not None:
        spec.timings.write_text("")  # the server appends: only the replays are kept
    for replay in spec.sets:
        out = SetResult(replay.language.name, replay.label, len(replay.queries))
        result.sets.append(out)
        await staged(session, f"{replay.language.name} {replay.label}", result,
                     partial(session.replay, replay, out))  # fmt: skip
    if spec.timings is not None:
        result.server_ms = [float(line) for line in spec.timings.read_text().split()]
    keys = spec.hover_keys or [q.target for q in spec.sets[0].queries[:HOVER_COUNT]]
    for language in session.languages:
        timings = result.hover.setdefault(language.name, Timings())
        await staged(session, f"{language.name} hover", result,
                     partial(session.hover, language, keys, timings))  # fmt: skip
    items = [i for s in result.sets for i in s.last_items]
    if session.resolve_provider and items:
        result.resolve = Timings()
        await staged(session, "resolve", result, partial(session.resolve, items, result.resolve))


# --- what runs --------------------------------------------------------------------------------


def make_workspace(name: str, bib: Path, files: dict[str, str]) -> Path:
    """A folder with `refs.bib` (a link to the corpus), main.tex, main.md and extra files."""
    workspace = LSP_WORK / f"ws-{name}"
    workspace.mkdir(parents=True, exist_ok=True)
    refs = workspace / "refs.bib"
    refs.unlink(missing_ok=True)
    refs.symlink_to(bib.resolve())
    for language in (LATEX, MARKDOWN):
        (workspace / language.filename).write_text(language.text())
    for filename, text in files.items():
        (workspace / filename).write_text(text)
    return workspace


def paper_ls_spec(setup: str, index: Path, queries: Sequence[Query]) -> ServerSpec:
    """paper-ls in both languages; LaTeX also gets every query kind (it takes free text)."""
    # refs.bib is a link to the corpus outside the workspace: allowed explicitly.
    settings = {"index": str(index), "readOutsideWorkspace": True}
    single = one_word(queries)
    timings = LSP_WORK / ("timings-" + re.sub(r"[^A-Za-z0-9]+", "-", setup) + ".txt")
    timings.parent.mkdir(parents=True, exist_ok=True)
    return ServerSpec(
        name="paper-ls",
        setup=setup,
        command=[sys.executable, "-m", "paper_ls", "serve", "--timings", str(timings)],
        timings=timings,
        sets=[
            ReplaySet(LATEX, "one word", single),
            ReplaySet(MARKDOWN, "one word", single),
            ReplaySet(LATEX, "all kinds", tuple(queries)),
        ],
        init_options={"paper-ls": settings},
        configuration={"paper-ls": settings},
        version=paper_ls_version(),
    )


def citation_specs(bib: Path, queries: Sequence[Query]) -> list[ServerSpec]:
    """citation-langserver on the file itself (how much it reads) and on a copy it can read."""
    script, version = ensure_peer("citation-langserver")
    single = one_word(queries)
    specs = []
    for setup, path, check in (("refs.bib as is", bib, True),
                               ("bibparse-readable copy", bibparse_copy(bib), False)):  # fmt: skip
        settings = {"citation": {"bibliographies": [str(path.resolve())]}}
        specs.append(ServerSpec(
            name="citation-langserver", setup=setup, command=[str(script)],
            sets=[ReplaySet(LATEX, "one word", single), ReplaySet(MARKDOWN, "one word", single)],
            push_settings=settings, version=version, check_only=check,
        ))  # fmt: skip
    return specs


def bibli_spec(bib: Path, queries: Sequence[Query]) -> ServerSpec:
    script, version = ensure_peer("bibli-ls")
    toml = f'[backends.refs]\nbackend_type = "bibfile"\nbibfiles = ["{bib.resolve()}"]\n'
    return ServerSpec(
        name="bibli-ls",
        setup="bib only",
        command=[str(script)],
        sets=[ReplaySet(MARKDOWN, "one word", one_word(queries))],
        files={".bibli.toml": toml},
        version=version,
    )


@contextlib.contextmanager
def client_collector_off() -> Iterator[None]:
    """No garbage collection in this process (the client) while a server is measured.

    The client decodes every response into lsprotocol objects, tens of thousands per second
    of typing, and CPython's full collections over them paused the client itself for 30-50 ms
    now and then: at 1M + 5k, seven keystrokes of 1,382 were 30-50 ms outside the server's
    own time, which was all of the end-to-end p99's excess. An editor's client has no such
    pause per response, and the pause says nothing about the server measured; with it off,
    the largest gap between end to end and server time fell from 51 ms to 10 ms. The same
    holds for every server measured here, peers included.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


def run_one(
    spec: ServerSpec, size: int, bib: Path, probe: str, args: argparse.Namespace
) -> RunResult:
    """One server in its own workspace and event loop; progress goes to stderr."""
    slug = spec.setup.split()[0].replace(".", "")
    workspace = make_workspace(f"{spec.name}-{slug}-{size}", bib, spec.files)
    print(f"[{size:,}] {spec.name} ({spec.setup}) ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    with client_collector_off():
        result = asyncio.run(run_server(spec, size, workspace, probe, args))
    sets = "; ".join(f"{s.language} {s.label}: {summary(s.latencies)}" for s in result.sets)
    print(f"    {time.perf_counter() - t0:.0f} s; first {fmt(result.first_ms)} ms, ready "
          f"{fmt(result.ready_ms)} ms, {result.rss_mb} MB; {sets}", file=sys.stderr)  # fmt: skip
    for failure in result.failures:
        print(f"    failure: {failure}", file=sys.stderr)
    return result


def run_all(args: argparse.Namespace) -> tuple[list[RunResult], RunResult | None]:
    """Every size with every server, then paper-ls on the 1M index; one process at a time."""
    wanted = set(args.servers.split(","))
    results: list[RunResult] = []
    timed_out_at: dict[tuple[str, str], int] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        bib, queries = corpus(size, args.query_count)
        specs = []
        if "paper-ls" in wanted:
            empty = empty_index(LSP_WORK / "empty.sqlite3")
            specs.append(paper_ls_spec("bib only, empty index", empty, queries))
        if "citation-langserver" in wanted:
            specs += citation_specs(bib, queries)
        if "bibli-ls" in wanted:
            specs.append(bibli_spec(bib, queries))
        for spec in specs:
            earlier = timed_out_at.get((spec.name, spec.setup))
            if earlier is not None:
                note = f"not run: timed out at {earlier:,} entries"
                skipped = RunResult(spec.name, spec.setup, size, spec.version, failures=[note])
                results.append(skipped)
                continue
            result = run_one(spec, size, bib, queries[0].target, args)
            results.append(result)
            if result.timed_out:
                timed_out_at[(spec.name, spec.setup)] = size
    big = None
    if "paper-ls" in wanted and not args.no_index:
        big = run_big_index(args)
    return results, big


def run_big_index(args: argparse.Namespace) -> RunResult | None:
    """The issue's target setup: the 1M-paper index plus a 5,000-entry document `.bib`."""
    if not BIG_INDEX.exists() or not BIG_QUERIES.exists():
        print(f"skipping the 1M setup: {BIG_INDEX} is missing (benchmarks/run.py builds it)",
              file=sys.stderr)  # fmt: skip
        return None
    doc_bib = LSP_WORK / f"docbib-{DOC_BIB_SIZE}.bib"
    generate(doc_bib, DOC_BIB_SIZE, 2, None, 0)
    queries = load_queries(BIG_QUERIES, args.query_count)
    spec = paper_ls_spec(f"1M index + {DOC_BIB_SIZE:,}-entry .bib", BIG_INDEX, queries)
    doc_keys = bib_keys(doc_bib, HOVER_COUNT // 2)
    spec.hover_keys = doc_keys + [q.target for q in queries[: HOVER_COUNT - len(doc_keys)]]
    return run_one(spec, DOC_BIB_SIZE, doc_bib, doc_keys[0], args)


# --- the report -------------------------------------------------------------------------------


def summary(ms: Sequence[float]) -> str:
    ordered = sorted(ms)
    return f"n={len(ms)} p50={fmt(percentile(ordered, 50))} p99={fmt(percentile(ordered, 99))}"


def fmt(value: float | None) -> str:
    """Milliseconds as people read them: 0.84, 12.3, 1,234."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def p(ms: Sequence[float], pct: float) -> float | None:
    return percentile(sorted(ms), pct) if ms else None


def pair(t: Timings | None, answers: str = "{answered}/{n}") -> str:
    """`p50 / p99 (answered/n)`, with the timeouts (which have no latency) said apart."""
    if t is None or (not t.ms and not t.timeouts):
        return "—"
    late = f"{t.timeouts} timed out" if t.timeouts else ""
    if not t.ms:
        return late
    counts = answers.format(answered=t.answered, n=len(t.ms))
    text = f"{fmt(p(t.ms, 50))} / {fmt(p(t.ms, 99))} ({counts})"
    return f"{text}, {late}" if late else text


def replay_rows(runs: Sequence[RunResult]) -> list[str]:
    lines = [
        "| server | setup | document, queries | queries typed | requests | timed out | p50 ms | "
        "p99 ms | max ms | items (median) | target listed |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        for s in run.sets:
            ms = s.latencies
            typed = f"{s.queries_done}/{s.queries_total}" + (f" ({s.stopped})" if s.stopped else "")
            median_items = f"{statistics.median(s.items):,.0f}" if s.items else "—"
            listed = f"{s.listed}/{s.queries_done}" if s.queries_done else "—"
            lines.append(
                f"| {run.server} | {run.setup} | {s.language}, {s.label} | {typed} | {len(ms):,} | "
                f"{s.timeouts} | {fmt(p(ms, 50))} | {fmt(p(ms, 99))} | "
                f"{fmt(max(ms) if ms else None)} | "
                f"{median_items} | {listed} |"
            )
    return lines


def process_rows(runs: Sequence[RunResult]) -> list[str]:
    lines = [
        "| server | setup | initialize ms | first completion ms | .bib entry listed ms | "
        "after `\\cite{` / `[@`: p50 / p99 ms (most items) | hover p50 / p99 ms (answered) | "
        "resolve p50 / p99 ms (answered) | peak RSS MB |",
        "|---|---|---:|---:|---:|---|---|---|---:|",
    ]
    for run in runs:
        trigger = "; ".join(
            f"{name}: {pair(t, '{answered:,}')}" for name, t in run.trigger.items()
            if t.ms or t.timeouts
        ) or "—"  # fmt: skip
        hover = "; ".join(
            f"{name}: {pair(t)}" for name, t in run.hover.items() if t.ms or t.timeouts
        ) or "—"  # fmt: skip
        lines.append(
            f"| {run.server} | {run.setup} | {fmt(run.init_ms)} | {fmt(run.first_ms)} | "
            f"{fmt(run.ready_ms)} | {trigger} | {hover} | {pair(run.resolve)} | "
            f"{run.rss_mb if run.rss_mb is not None else '—'} |"
        )
    return lines


def failure_lines(runs: Sequence[RunResult]) -> list[str]:
    lines = []
    for run in runs:
        lines += [f"- {run.server} ({run.setup}): {f}" for f in run.failures]
    return lines or ["- none"]


def ratio_rows(results: Sequence[RunResult], timeout: float) -> list[str]:
    """Each peer's p50/p99 over paper-ls's, on the queries both typed (the same requests)."""
    lines = [
        "| .bib entries | document | peer | queries both typed | requests | paper-ls p50 / p99 ms "
        "| peer p50 / p99 ms | peer ÷ paper-ls, p50 | p99 |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for base in (r for r in results if r.server == "paper-ls"):
        for peer in (r for r in results if r.server != "paper-ls" and r.size == base.size):
            for mine in base.sets:
                theirs = next((s for s in peer.sets if (s.language, s.label) ==
                               (mine.language, mine.label)), None)  # fmt: skip
                if theirs is None:
                    continue
                a, b = shared_requests(mine, theirs)
                n = min(mine.queries_done, theirs.queries_done)
                if theirs.timeouts and not b:
                    lines.append(
                        f"| {base.size:,} | {mine.language} | {peer.server} ({peer.setup}) | "
                        f"{n} | 0 | — | first keystroke timed out (>{timeout:g} s) | — | — |"
                    )
                if not a or not b:
                    continue
                r50, r99 = p(b, 50) / p(a, 50), p(b, 99) / p(a, 99)  # type: ignore[operator]
                lines.append(
                    f"| {base.size:,} | {mine.language} | {peer.server} ({peer.setup}) | {n} | "
                    f"{len(a):,} | {fmt(p(a, 50))} / {fmt(p(a, 99))} | "
                    f"{fmt(p(b, 50))} / {fmt(p(b, 99))} | {r50:.2f}x | {r99:.2f}x |"
                )
    return lines


def shared_requests(mine: SetResult, theirs: SetResult) -> tuple[list[float], list[float]]:
    """Both latency lists cut to the keystrokes both servers answered (same order of queries)."""
    a: list[float] = []
    b: list[float] = []
    for x, y in zip(mine.per_query, theirs.per_query, strict=False):
        k = min(len(x), len(y))
        a += x[:k]
        b += y[:k]
    return a, b


def big_rows(big: RunResult) -> list[str]:
    """The 1M setup against the issue's targets."""
    completion = [ms for s in big.sets for ms in s.latencies]
    hover = [ms for t in big.hover.values() for ms in t.ms]
    resolve = big.resolve.ms if big.resolve else []
    checks = [
        ("completion p99 <= 25 ms (every keystroke of every set)", p(completion, 99), 25.0),
        ("completion server time p99 <= 20 ms", p(big.server_ms, 99), 20.0),
        ("completionItem/resolve p99 <= 10 ms", p(resolve, 99), 10.0),
        ("textDocument/hover p99 <= 10 ms", p(hover, 99), 10.0),
        ("first completion answered <= 1 s after process start", big.first_ms, 1000.0),
    ]
    lines = ["| target | measured | met |", "|---|---:|:---:|"]
    for name, value, limit in checks:
        met = "—" if value is None else "yes" if value <= limit else "**no**"
        lines.append(f"| {name} | {fmt(value)} ms | {met} |")
    lines += [
        "",
        f"All completion requests: {len(completion):,}, p50 {fmt(p(completion, 50))} ms, "
        f"p99 {fmt(p(completion, 99))} ms, max {fmt(max(completion) if completion else None)} "
        f"ms; server time p50 {fmt(p(big.server_ms, 50))} ms, p99 {fmt(p(big.server_ms, 99))} "
        f"ms ({len(big.server_ms):,}); resolve p50 {fmt(p(resolve, 50))} ms ({len(resolve)}); "
        f"hover p50 {fmt(p(hover, 50))} ms ({len(hover)}); the document's 5,000 entries listed "
        f"{fmt(big.ready_ms)} ms after process start; peak RSS {big.rss_mb} MB.",
    ]
    return lines


def write_results(
    path: Path, args: argparse.Namespace, results: list[RunResult], big: RunResult | None,
    seconds: float,
) -> None:  # fmt: skip
    command = f"{COMMAND} --sizes {args.sizes}"
    defaults = {"query_count": 60, "timeout": 10.0, "startup": 120.0, "set_budget": 40.0}
    extra = [f"--{k.replace('_', '-')} {getattr(args, k):g}" for k, v in defaults.items()
             if getattr(args, k) != v]  # fmt: skip
    command = " ".join([command, *extra])
    versions = {r.server: r.version for r in [*results, *([big] if big else [])] if r.version}
    lines = [
        "# LSP benchmark: citation completion through a real client over stdio",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on: {machine()}; the whole run took "
        f"{seconds / 60:.1f} min.",
        "",
        f"Reproduce: `{command}` (corpora from `benchmarks/generate.py`, seed 1, "
        f"{args.query_count} queries each, cached under `benchmarks/.work/lsp/`; peers installed "
        "into their own venvs under `benchmarks/.work/peers/` on first run).",
        "",
        "Servers: " + "; ".join(f"{name} {v}" for name, v in versions.items()) + ". Client: "
        "pygls `LanguageClient` (one process per server and size, one at a time).",
        "",
        "How it is measured: each query is typed into a citation one character at a time; "
        "every character is one incremental `didChange` and one `completion`, awaited, and the "
        "latency runs from sending the `didChange` to receiving the completion response "
        "(decoded by the client, whose own garbage collector is off while a server is "
        "measured: its pauses are the client's, not the server's). `one word` = the query "
        "kinds a key-prefix server can answer (key prefixes, short prefixes, common names) "
        "plus the first word (the family name) of "
        "the author kinds; `all kinds` = every query, multi-word included (paper-ls, LaTeX "
        "only). Every request is sent even where a server says `isIncomplete: false` (an "
        "editor would then filter on its side); the request right after `\\cite{` / `[@` is "
        f"reported apart. Requests are bounded by {args.timeout:g} s, start-up by "
        f"{args.startup:g} s; a set stops typing new queries after {args.set_budget:g} s "
        "(`queries typed` says when). `target listed` = the query's paper was in the list "
        "after its last keystroke. `first completion` = process start to the first completion "
        "answered; `.bib entry listed` = to the first completion that lists an entry of the "
        "`.bib` (paper-ls answers at once and parses the `.bib` in the background).",
    ]
    for size in dict.fromkeys(r.size for r in results):
        runs = [r for r in results if r.size == size]
        lines += ["", f"## {size:,}-entry .bib", "", "Keystroke replay:", ""]
        lines += replay_rows(runs)
        lines += ["", "Per server process:", ""]
        lines += process_rows(runs)
        lines += ["", "Failures and notes:", ""]
        lines += failure_lines(runs)
    lines += ["", "## Peers against paper-ls (bib only), on the same requests", ""]
    lines += ratio_rows(results, args.timeout)
    if big is not None:
        lines += [
            "",
            f"## paper-ls with the 1M-paper index and a {DOC_BIB_SIZE:,}-entry .bib",
            "",
            f"Queries: the first {args.query_count} of `benchmarks/.work/queries-1000000.json` "
            "(targets in the index); the document's `.bib` is a separate seed-2 corpus. Hover: "
            "half on keys of the `.bib`, half on keys only in the index.",
            "",
            *replay_rows([big]),
            "",
            *process_rows([big]),
            "",
            *big_rows(big),
            "",
            "Failures and notes:",
            "",
            *failure_lines([big]),
        ]
    lines += ["", "## What the peers support and how they were configured", ""]
    lines += [f"- **{name}** {versions.get(name, '')}: {note}" for name, note in PEER_NOTES.items()]
    lines += [
        "- **paper-ls**: `paper-ls serve`; told its index by `initializationOptions` "
        '`{"paper-ls": {"index": path}}` (and the same through `workspace/configuration`); the '
        "`.bib` is found from the document (`\\bibliography{refs}`, front matter "
        "`bibliography: refs.bib`).",
        "",
    ]
    path.write_text("\n".join(lines))


def dump_raw(path: Path, results: list[RunResult], big: RunResult | None) -> None:
    """Every latency, for whoever wants another statistic; items are left out (they are big)."""
    runs = [*results, *([big] if big else [])]
    data = []
    for run in runs:
        raw = asdict(run)
        for s in raw["sets"]:
            s.pop("last_items", None)
        data.append(raw)
    path.write_text(json.dumps(data))


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help=".bib sizes (entries)")
    parser.add_argument("--query-count", type=int, default=60)
    parser.add_argument("--timeout", type=float, default=10.0, help="bound on a request, s")
    parser.add_argument("--startup", type=float, default=120.0,
                        help="bound on initialize and on the .bib being listed, s")  # fmt: skip
    parser.add_argument("--set-budget", type=float, default=40.0,
                        help="a replay set types no new query after this long, s")  # fmt: skip
    parser.add_argument("--servers", default="paper-ls,citation-langserver,bibli-ls")
    parser.add_argument("--no-index", action="store_true", help="skip the 1M-index setup")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS-lsp.md")
    args = parser.parse_args()
    started = time.perf_counter()
    results, big = run_all(args)
    seconds = time.perf_counter() - started
    LSP_WORK.mkdir(parents=True, exist_ok=True)
    dump_raw(LSP_WORK / "results.json", results, big)
    write_results(args.out, args, results, big, seconds)
    print(f"wrote {args.out} ({seconds / 60:.1f} min)", file=sys.stderr)


if __name__ == "__main__":
    main()
