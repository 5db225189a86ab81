"""Small steps a test takes as an editor would: open, type, ask, wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.conftest import Project


def open_document(
    client: LanguageClient, project: Project, name: str, text: str, language: str = "latex"
) -> str:
    path = project.write(name, text)
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )
    return uri


def end_of(text: str, marker: str) -> types.Position:
    """The position just after the first `marker` in `text`, in UTF-16 units."""
    offset = text.index(marker) + len(marker)
    before = text[:offset]
    line = before.count("\n")
    column = before[before.rfind("\n") + 1 :]
    return types.Position(line=line, character=len(column.encode("utf-16-le")) // 2)


async def complete(
    client: LanguageClient, uri: str, position: types.Position
) -> types.CompletionList:
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position
        )
    )
    if result is None:
        return types.CompletionList(is_incomplete=False, items=[])
    if isinstance(result, list):
        return types.CompletionList(is_incomplete=False, items=result)
    return result


async def complete_until(
    client: LanguageClient, uri: str, position: types.Position, label: str, timeout: float = 10
) -> types.CompletionList:
    """Bibliographies are parsed in the background: ask again until `label` shows up."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await complete(client, uri, position)
        if any(item.label == label for item in result.items):
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{label} never offered; got {[i.label for i in result.items]}")
        await asyncio.sleep(0.05)


def labels(result: types.CompletionList) -> list[str]:
    return [item.label for item in sorted(result.items, key=lambda i: i.sort_text or "")]


async def diagnostics_until(
    client: LanguageClient,
    uri: str,
    predicate: Callable[[Sequence[types.Diagnostic]], bool],
    timeout: float = 10,
) -> Sequence[types.Diagnostic]:
    """Diagnostics are published after a quiet time: wait until what arrived satisfies."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        published = client.diagnostics.get(uri)
        if published is not None and predicate(published):
            return published
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"diagnostics for {uri} never matched; last: {published}")
        await asyncio.sleep(0.05)


def change_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    """Replace the whole text, as an editor's full-sync change does."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """The text after `edits` (UTF-16 positions, ASCII test texts), applied last to first."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        return offsets[position.line] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text
