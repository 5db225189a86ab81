"""Several servers and two writers on one index at once: nobody waits, nobody restarts.

Three `paper-ls serve` processes (three editor windows) answer completion and hover while a
`paper-ls add` imports a large generated .bib and a `paper-ls sync` imports another source
into the same index file. Readers must never wait for the writers (WAL, a busy timeout),
both writers must land (the second waits for the first instead of failing), and each server
must offer the new papers, and stop flagging their keys, without a restart.

`PAPER_LS_CONCURRENCY_ENTRIES` sets the size of the imported .bib (default 8,000 entries:
an import of several seconds here); the figures are printed with `pytest -s`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.conftest import MAIN_TEX, REFS_BIB, Project
from tests.server.helpers import complete, end_of, labels, open_document
from tests.server.workload import (
    Timings,
    check_items,
    completion_params,
    finished,
    full_change,
    generated_bib,
    hover_params,
    hover_text,
    paper,
    paper_ls,
    start_server,
    stop_server,
)

ENTRIES = int(os.environ.get("PAPER_LS_CONCURRENCY_ENTRIES", "8000"))
SERVERS = 3
#: Far above a search's own 50 ms deadline, far below the writers' seconds: a reader that
#: waited for a writer's transaction would take as long as the import.
BOUND_S = 1.0

ERROR, WARNING = types.DiagnosticSeverity.Error, types.DiagnosticSeverity.Warning

ADDED = paper("quokka2026burrows", "Quokkason, Wilhelmina", "Lattice Burrows of Island Quokkas")
SYNCED = paper("wombat2026tunnels", "Wombatley, Theodora", "Tunnel Networks Dug by Wombats")

LATEX = "\\documentclass{article}\n\\begin{document}\n\\cite{QUERY}\n\\end{document}\n"
MARKDOWN = "---\nbibliography: refs.bib\n---\nAs shown [@QUERY].\n"
#: Queries a writer types while the import runs, each with the paper it must find first.
QUERIES = [
    ("vaswani", "vaswani2017attention"),
    ("residual learn", "heDeepResidualLearning2016"),
    ("hochreiter", "hochreiter1997long"),
    ("atention need", "vaswani2017attention"),
]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The large source `add` imports and the small one `sync` imports, made once."""
    folder = tmp_path_factory.mktemp("sources")
    large = generated_bib(folder / "large.bib", ENTRIES, seed=11, extra=ADDED)
    small = generated_bib(folder / "small.bib", 300, seed=12, extra=SYNCED)
    return large, small


class Window:
    """One editor window: a server and the LaTeX and Markdown documents open in it."""

    def __init__(self, client: LanguageClient, root: Path, number: int) -> None:
        self.client = client
        self.root = root
        self.tex = (root / f"window{number}.tex").as_uri()
        self.md = (root / f"window{number}.md").as_uri()
        self.versions = {self.tex: 1, self.md: 1}
        self.timings = Timings()
        for uri, language, text in ((self.tex, "latex", LATEX), (self.md, "markdown", MARKDOWN)):
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    types.TextDocumentItem(uri, language, 1, text.replace("QUERY", "x"))
                )
            )

    def type(self, uri: str, query: str) -> tuple[str, types.Position]:
        template = LATEX if uri == self.tex else MARKDOWN
        text = template.replace("QUERY", query)
        self.versions[uri] += 1
        self.client.text_document_did_change(full_change(uri, self.versions[uri], text))
        marker = ("\\cite{" if uri == self.tex else "[@") + query
        return text, end_of(text, marker)

    async def complete(self, uri: str, query: str) -> list[str]:
        _, position = self.type(uri, query)
        result = await self.timings.timed(
            self.client.text_document_completion_async(completion_params(uri, position))
        )
        return check_items(result, query)

    async def hover(self, key: str) -> str:
        _, position = self.type(self.tex, key)
        result = await self.timings.timed(
            self.client.text_document_hover_async(hover_params(self.tex, position))
        )
        return hover_text(result)

    async def until_diagnostics(
        self, uri: str, key: str, severity: types.DiagnosticSeverity
    ) -> None:
        """Wait until the diagnostic on `key` has `severity` (or fail after 15 s)."""
        deadline = asyncio.get_running_loop().time() + 15
        while True:
            found = [d for d in self.client.diagnostics.get(uri, []) if key in d.message]
            if found and all(d.severity == severity for d in found):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"diagnostics on {key}: {found}")
            await asyncio.sleep(0.05)


async def write_locked(index: Path, timeout: float = 60) -> None:
    """Return once another process holds the index's write lock (an import has begun)."""
    deadline = asyncio.get_running_loop().time() + timeout
    probe = sqlite3.connect(index, timeout=0, isolation_level=None)
    try:
        while asyncio.get_running_loop().time() < deadline:
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return
            probe.execute("ROLLBACK")
            await asyncio.sleep(0.01)
    finally:
        probe.close()
    raise AssertionError("the import never took the write lock")


async def ask_while(window: Window, writers: list[asyncio.subprocess.Process]) -> int:
    """Completion and hover, as a writer types, until every writer is done; how many."""
    asked = 0
    while any(w.returncode is None for w in writers):
        for query, expected in QUERIES:
            # A Pandoc citation key has no spaces: several words are typed in LaTeX only.
            for uri in (window.tex, window.md) if " " not in query else (window.tex,):
                labels = await window.complete(uri, query)
                assert labels[:1] == [expected], (query, labels[:5])
                asked += 1
        assert "Attention Is All You Need" in await window.hover("vaswani2017attention")
        asked += 1
        await asyncio.sleep(0.02)
    return asked


async def test_servers_answer_during_imports_and_see_the_new_papers(
    tmp_path: Path, built_index: Path, sources: tuple[Path, Path]
) -> None:
    large, small = sources
    index = tmp_path / "index.sqlite3"
    shutil.copy(built_index, index)
    root = tmp_path / "paper"
    root.mkdir()
    (root / "refs.bib").write_text(REFS_BIB, encoding="utf-8")
    (root / "main.tex").write_text(MAIN_TEX, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[[sources]]\npath = "{small}"\n', encoding="utf-8")
    # The servers sync nothing themselves: the writers are the two commands below.
    quiet = tmp_path / "no-config.toml"

    clients = await asyncio.gather(*(start_server(index, root, quiet) for _ in range(SERVERS)))
    windows = [Window(client, root, n) for n, client in enumerate(clients)]
    try:
        for window in windows:
            assert "quokka2026burrows" not in await window.complete(window.tex, "quokka")
            # Cited before the import: in no bibliography and not in the index, an error.
            window.type(window.md, "quokka2026burrows")
            await window.until_diagnostics(window.md, "quokka2026burrows", ERROR)

        adding = await paper_ls(index, "add", str(large))
        await write_locked(index)  # `sync` starts while `add` holds the write lock
        syncing = await paper_ls(index, "sync", "--config", str(config))
        writers = [adding, syncing]
        asked = await asyncio.gather(*(ask_while(w, writers) for w in windows))
        added, synced = await finished(adding), await finished(syncing)
        assert f"{ENTRIES + 1} entries ({ENTRIES + 1} added" in added
        assert "301 entries (301 added" in synced
        assert "waiting for another paper-ls process to finish writing" in synced

        for window in windows:
            assert (await window.complete(window.tex, "quokka"))[:1] == ["quokka2026burrows"]
            assert (await window.complete(window.md, "wombatley"))[:1] == ["wombat2026tunnels"]
            assert "Tunnel Networks Dug by Wombats" in await window.hover("wombat2026tunnels")
            # The key is known now: a warning that offers to add its entry, not an error.
            window.type(window.md, "quokka2026burrows")
            await window.until_diagnostics(window.md, "quokka2026burrows", WARNING)
    finally:
        await asyncio.gather(*(stop_server(c) for c in clients))

    timings = [t for w in windows for t in w.timings.seconds]
    worst = max(w.timings.worst for w in windows)
    print(
        f"\n{SERVERS} servers, {ENTRIES + 1}-entry add + 301-entry sync: {sum(asked)} requests"
        f" during the import, {len(timings)} in all; worst {worst * 1000:.0f} ms, median"
        f" {sorted(timings)[len(timings) // 2] * 1000:.0f} ms"
    )
    assert min(asked) > 0, "the import ended before any request was made during it"
    assert worst < BOUND_S, f"a request waited {worst:.2f} s while the index was written"


async def test_an_index_removed_and_made_anew_is_read_without_a_restart(
    client: LanguageClient, project: Project
) -> None:
    """`rm index.sqlite3*` and `paper-ls add` again: the server's connections, still on the
    deleted file, must move to the new one (completion's and hover's alike)."""
    text = LATEX.replace("QUERY", "quokka")
    uri = open_document(client, project, "doc.tex", text)
    position = end_of(text, "\\cite{quokka")
    assert "quokka2026burrows" not in labels(await complete(client, uri, position))
    assert await client.text_document_hover_async(hover_params(uri, position)) is None

    for suffix in ("", "-wal", "-shm"):
        Path(f"{project.index}{suffix}").unlink(missing_ok=True)
    bib = project.write("elsewhere/new.bib", ADDED)
    await finished(await paper_ls(project.index, "add", str(bib)))

    assert labels(await complete(client, uri, position))[:1] == ["quokka2026burrows"]
    cited = LATEX.replace("QUERY", "quokka2026burrows")
    uri = open_document(client, project, "cited.tex", cited)
    hover = await client.text_document_hover_async(
        hover_params(uri, end_of(cited, "\\cite{quokka"))
    )
    assert "Lattice Burrows of Island Quokkas" in hover_text(hover)
