"""The server on a damaged index: it warns once, keeps answering, and rebuilds the index.

Real index files damaged for real (tests/index/corrupt.py), a real client over stdio. The
rebuild runs in the background child, so completion answers from the document's own
bibliography meanwhile and from the whole rebuilt index afterwards.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError
from pytest_lsp import LanguageClient

from paper_ls.index import integrity
from paper_ls.server.server import damage_in
from tests.index import corrupt
from tests.server.conftest import SERVER, Project, start
from tests.server.helpers import complete, complete_until, end_of, open_document

DOC = (
    "\\documentclass{article}\n\\begin{document}\n\\cite{QUERY}\n"
    "\\bibliography{refs}\n\\end{document}\n"
)
OWL = (
    "@article{owl2019night,\n  author = {Strix, Tawny},\n"
    "  title = {Night Flight of Owls},\n  year = {2019},\n}\n"
)


async def until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.05)


def warnings(client: LanguageClient) -> list[str]:
    return [m.message for m in client.messages if m.type == types.MessageType.Warning]


def papers(index: Path) -> int:
    """The papers the index holds, as SQLite reads them (what a rebuild must give back)."""
    conn = sqlite3.connect(f"{index.as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.Error:
        return -1
    finally:
        conn.close()


def kept(project: Project) -> list[Path]:
    return sorted(p for p in project.index.parent.glob("index.sqlite3.corrupt-*")
                  if not p.name.endswith(("-wal", "-shm")))  # fmt: skip


def cite(
    client: LanguageClient, project: Project, query: str, name: str = "doc.tex"
) -> tuple[str, types.Position]:
    text = DOC.replace("QUERY", query)
    return open_document(client, project, name, text), end_of(text, "\\cite{" + query)


@pytest.fixture(params=[corrupt.zero_header, corrupt.truncate, corrupt.garbage_pages],
                ids=lambda d: d.__name__)  # fmt: skip
def damaged(request: pytest.FixtureRequest, project: Project) -> bytes:
    """The project's index, damaged before the server starts; its bytes after the damage."""
    request.param(project.index)
    return project.index.read_bytes()


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    await start(lsp_client, project)
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_a_damaged_index_is_reported_once_rebuilt_and_then_searched(
    damaged: bytes, client: LanguageClient, project: Project
) -> None:
    uri, position = cite(client, project, "attention need")
    # Answered at once, from the document's own .bib, whatever state the index is in.
    first = await complete(client, *cite(client, project, "sparse graphs", "other.tex"))
    assert first.items == [] or first.items[0].label == "smith2020graphs"

    await until(lambda: bool(warnings(client)), "a warning about the damaged index")
    (message,) = warnings(client)
    (old,) = kept(project)
    assert message.startswith(f"paper-ls: the index {project.index} was damaged (")
    assert f"moved to {old}" in message and "1 of 1 sources read" in message
    assert old.read_bytes() == damaged  # kept exactly as it was found

    result = await complete_until(client, uri, position, "vaswani2017attention", timeout=60)
    assert result.items[0].label == "vaswani2017attention"
    await until(lambda: papers(project.index) == 49, "the whole library is back", timeout=30)
    await asyncio.sleep(0.5)
    assert len(warnings(client)) == 1  # one message, not one per request


@pytest_lsp.fixture(config=SERVER)
async def configured(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    """A damaged index that cannot even say what it held, and a config listing a source."""
    library = project.config.parent / "library"
    library.mkdir()
    (library / "owls.bib").write_text(OWL, encoding="utf-8")
    project.config.write_text('[[sources]]\npath = "library/*.bib"\n', encoding="utf-8")
    corrupt.zero_start(project.index)  # header, schema and sources table gone
    await start(lsp_client, project)
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_an_index_that_cannot_say_what_it_held_is_rebuilt_from_the_config(
    configured: LanguageClient, project: Project
) -> None:
    uri, position = cite(configured, project, "owls night")
    await complete_until(configured, uri, position, "owl2019night", timeout=60)
    await until(lambda: bool(warnings(configured)), "a warning about the damaged index")
    (message,) = warnings(configured)
    assert f"from the sources in {project.config}: 1 of 1 sources read" in message
    assert len(kept(project)) == 1
    assert not integrity.check_is_due(project.index)  # the rebuilt index was checked


def read_everything(index: Path) -> sqlite3.DatabaseError:
    """The error SQLite raises when a query meets the damaged pages."""
    conn = sqlite3.connect(index)
    try:
        tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            try:
                conn.execute(f"SELECT * FROM {table}").fetchall()
            except sqlite3.DatabaseError as exc:
                return exc
    finally:
        conn.close()
    raise AssertionError("no query met the damage")


def test_a_failed_request_that_met_the_damage_is_recognised(project: Project) -> None:
    """pygls passes a request's error on as text: the damage must still be seen in it."""
    corrupt.garbage_pages(project.index)
    try:
        raise read_everything(project.index)
    except sqlite3.DatabaseError as exc:
        met = str(exc)
        wrapped = JsonRpcInternalError.of(sys.exc_info())
    assert damage_in(wrapped) == met
    assert damage_in(JsonRpcInternalError(message="ValueError: malformed input")) is None
