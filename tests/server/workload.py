"""What the concurrency and soak tests share: generated corpora, real servers and writers.

Everything is a real process: `paper-ls serve` behind a pytest-lsp client over stdio, and
`paper-ls add`/`sync` as the command a person would run, all on one index file.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pytest_lsp import LanguageClient, make_test_lsp_client

T = TypeVar("T")

GENERATE = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"


def generated_bib(path: Path, count: int, seed: int, extra: str = "") -> Path:
    """A deterministic synthetic .bib of `count` entries (the benchmarks' corpus generator),
    with `extra` entries appended: papers that only this source knows."""
    subprocess.run(
        [sys.executable, str(GENERATE), "--format", "bib", "--count", str(count),
         "--seed", str(seed), "--out", str(path)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    if extra:
        with path.open("a", encoding="utf-8") as out:
            out.write("\n" + extra)
    return path


def paper(key: str, author: str, title: str, year: int = 2026) -> str:
    return (
        f"@article{{{key},\n  author = {{{author}}},\n  title = {{{title}}},\n"
        f"  journal = {{Journal of Shared Indexes}},\n  year = {{{year}}},\n}}\n"
    )


async def start_server(index: Path, root: Path, config: Path) -> LanguageClient:
    """`paper-ls --index INDEX serve` with a client that initialised it on `root`."""
    client = make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "paper_ls", "--index", str(index), "serve")
    await client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options={"paper-ls": {"index": str(index), "config": str(config)}},
        )
    )
    return client


async def stop_server(client: LanguageClient) -> None:
    await client.shutdown_session()
    await client.stop()


def server_pid(client: LanguageClient) -> int:
    process = client._server  # the server process pytest-lsp started
    assert process is not None
    return int(process.pid)


def rss_kib(pid: int) -> int:
    """Resident memory of a process, as the kernel counts it (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


async def paper_ls(index: Path, *args: str) -> asyncio.subprocess.Process:
    """`paper-ls --index INDEX ARGS...` started in the background."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paper_ls", "--index", str(index), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def finished(process: asyncio.subprocess.Process, timeout: float = 300) -> str:
    """Wait for a `paper-ls` process; its output, after checking that it succeeded."""
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode == 0, err.decode()
    return out.decode() + err.decode()


@dataclass
class Timings:
    """Wall-clock latency of each request, as the editor would wait for it."""

    seconds: list[float] = field(default_factory=list)

    async def timed(self, request: Awaitable[T]) -> T:
        started = time.perf_counter()
        result = await request
        self.seconds.append(time.perf_counter() - started)
        return result

    @property
    def worst(self) -> float:
        return max(self.seconds, default=0.0)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


def completion_params(uri: str, position: types.Position) -> types.CompletionParams:
    return types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position
    )


def hover_params(uri: str, position: types.Position) -> types.HoverParams:
    return types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)


ITEM_KEYS = frozenset({"label", "kind", "detail", "filterText", "sortText", "textEdit", "data"})


def check_items(result: Any, query: str) -> list[str]:
    """The labels of a well-formed completion list, best first; fails on anything else.

    Every item must carry what an editor needs to show and insert it in the server's order.
    """
    assert isinstance(result, types.CompletionList), result
    assert result.is_incomplete
    labels = []
    for position, item in enumerate(result.items):
        present = {k for k in ITEM_KEYS if getattr(item, _attr(k)) is not None}
        assert present == ITEM_KEYS, f"item {item.label} lacks {ITEM_KEYS - present}"
        assert item.sort_text == f"{position:04d}"
        assert item.filter_text == query
        assert isinstance(item.text_edit, types.TextEdit)
        assert item.text_edit.new_text == item.label
        labels.append(item.label)
    assert len(labels) == len(set(labels)), "a key offered twice"
    return labels


def _attr(key: str) -> str:
    return {"filterText": "filter_text", "sortText": "sort_text", "textEdit": "text_edit"}.get(
        key, key
    )


def hover_text(result: types.Hover | None) -> str:
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


def full_change(uri: str, version: int, text: str) -> types.DidChangeTextDocumentParams:
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    )


def labels_of(results: Sequence[Any], query: str) -> list[list[str]]:
    return [check_items(result, query) for result in results]
