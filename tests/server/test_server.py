"""Requests an editor should never send, sent anyway: the server answers with an LSP error
or an empty result, and goes on serving the next request as if nothing happened."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.documents.test_fuzz import _PIECES
from tests.server.conftest import Project
from tests.server.helpers import complete, complete_until, end_of, labels, open_document

TEXT = "\\documentclass{article}\n\\begin{document}\n\\cite{attention}\n\\end{document}\n"


async def answer_or_error(request: Awaitable[Any]) -> Any:
    """The result, or None when the server answered with an LSP error (also acceptable)."""
    try:
        return await request
    except JsonRpcException:
        return None


async def still_serving(client: LanguageClient, project: Project) -> None:
    """A fresh document still gets the right completion: the server survived."""
    uri = open_document(client, project, "after.tex", TEXT)
    result = await complete_until(client, uri, end_of(TEXT, "attention"), "vaswani2017attention")
    assert labels(result)[0] == "vaswani2017attention"


def position_requests(
    client: LanguageClient, uri: str, position: types.Position
) -> list[Callable[[], Awaitable[Any]]]:
    document = types.TextDocumentIdentifier(uri=uri)
    return [
        lambda: client.text_document_completion_async(
            types.CompletionParams(text_document=document, position=position)
        ),
        lambda: client.text_document_hover_async(
            types.HoverParams(text_document=document, position=position)
        ),
        lambda: client.text_document_definition_async(
            types.DefinitionParams(text_document=document, position=position)
        ),
        lambda: client.text_document_references_async(
            types.ReferenceParams(
                text_document=document,
                position=position,
                context=types.ReferenceContext(include_declaration=True),
            )
        ),
        lambda: client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=document,
                range=types.Range(start=position, end=position),
                context=types.CodeActionContext(diagnostics=[]),
            )
        ),
    ]


@pytest.mark.parametrize(
    "position",
    [
        types.Position(999, 0),
        types.Position(2, 9999),
        types.Position(4, 3),
        types.Position(0, 10**9),
    ],
    ids=["line past the end", "column past the end", "last empty line", "huge column"],
)
async def test_positions_outside_the_document(
    client: LanguageClient, project: Project, position: types.Position
) -> None:
    uri = open_document(client, project, "doc.tex", TEXT)
    for request in position_requests(client, uri, position):
        result = await answer_or_error(request())
        if isinstance(result, types.CompletionList):
            assert result.items == []
    await still_serving(client, project)


async def test_requests_about_a_document_never_opened(
    client: LanguageClient, project: Project
) -> None:
    uri = (project.root / "never-opened.tex").as_uri()
    for request in position_requests(client, uri, types.Position(0, 0)):
        await answer_or_error(request())
    await still_serving(client, project)


async def test_changes_the_server_cannot_place(client: LanguageClient, project: Project) -> None:
    """A change to an unopened document, a stale version, and a range past the end."""
    never = (project.root / "never-opened.tex").as_uri()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=never, version=7),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="\\cite{x}")],
        )
    )
    uri = open_document(client, project, "doc.tex", TEXT)
    for version, change in [
        (0, types.TextDocumentContentChangeWholeDocument(text=TEXT + "% older version\n")),
        (5, types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(50, 0), types.Position(60, 5)), text="\\cite{")),
        (6, types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(2, 40), types.Position(1, 0)), text="x")),
    ]:  # fmt: skip
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[change],
            )
        )
        await answer_or_error(
            client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=2, character=8),
                )
            )
        )
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=never))
    )
    await still_serving(client, project)


async def test_an_unknown_command_and_bad_arguments_are_errors(
    client: LanguageClient, project: Project
) -> None:
    for command, arguments in [
        ("paper-ls.noSuchCommand", []),
        ("paper-ls.insertBibtex", []),
        ("paper-ls.insertBibtex", [42, None]),
        ("paper-ls.search", [{"not": "a query"}]),
    ]:
        await answer_or_error(
            client.workspace_execute_command_async(
                types.ExecuteCommandParams(command=command, arguments=arguments)
            )
        )
    uri = open_document(client, project, "doc.tex", TEXT)
    result = await complete(client, uri, end_of(TEXT, "attention"))
    assert result.items  # the index still answers on the same connection
    await still_serving(client, project)


async def test_random_documents_are_served_without_a_crash(
    client: LanguageClient, project: Project
) -> None:
    """The citation finders' fuzz pieces, through the whole server: open, edit, ask anywhere."""
    rnd = random.Random(8)
    for n in range(40):
        text = "".join(rnd.choices(_PIECES, k=rnd.randint(0, 60)))
        language = rnd.choice(["latex", "markdown"])
        name = f"fuzz{n}.{'tex' if language == 'latex' else 'md'}"
        uri = open_document(client, project, name, text, language)
        lines = text.split("\n")
        for _ in range(3):
            line = rnd.randrange(len(lines) + 1)
            character = rnd.randrange(len(lines[line]) + 2) if line < len(lines) else 0
            position = types.Position(line=line, character=character)
            for request in position_requests(client, uri, position):
                await answer_or_error(request())
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
    await still_serving(client, project)
