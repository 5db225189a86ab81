"""`paper-ls.search`: the index searched through the server, for an editor's own picker."""

from __future__ import annotations

from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from paper_ls.index.search import search
from paper_ls.index.store import Index
from tests.server.conftest import Project


async def run_search(client: LanguageClient, *arguments: Any) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="paper-ls.search", arguments=list(arguments))
    )


async def test_title_words_find_the_paper_first(client: LanguageClient) -> None:
    hits = await run_search(client, "attention need")
    first = hits[0]
    assert first["key"] == "vaswani2017attention"
    assert first["title"] == "Attention Is All You Need"
    assert first["year"] == 2017
    assert first["authors"][0] == {"family": "Vaswani", "given": "Ashish"}


async def test_order_is_the_one_ranking(client: LanguageClient, project: Project) -> None:
    """The picker shows exactly what `paper-ls search` would, in the same order."""
    hits = await run_search(client, "learning", 5)
    with Index.open(project.index, create=False) as index:
        expected = search(index.conn, "learning", limit=5, deadline_s=1.0).hits
    assert [h["key"] for h in hits] == [h.key for h in expected]
    assert len(hits) == 5


async def test_blank_query_lists_nothing(client: LanguageClient) -> None:
    assert await run_search(client, "  ") == []
    assert await run_search(client) == []


async def test_missing_index_is_named_then_found_once_created(
    client: LanguageClient, project: Project
) -> None:
    """An index made by `paper-ls add` while the editor runs is used without a restart."""
    moved = project.index.rename(project.index.with_name("elsewhere.sqlite3"))
    with pytest.raises(JsonRpcException, match=r"no index at .*index\.sqlite3"):
        await run_search(client, "attention")
    moved.rename(project.index)
    hits = await run_search(client, "attention")
    assert hits[0]["key"] == "vaswani2017attention"
