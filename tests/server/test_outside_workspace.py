"""A document cannot make the server read (or write) files outside the workspace.

`\\bibliography{../outside}` names a file beside the project, not in it: by default the server
does not read it, and says so on that line; the `readOutsideWorkspace` setting allows reading;
the `bibliography` setting and the sources config name files the person chose, which are
read. Nothing outside the workspace is ever written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.conftest import SERVER, Project, start
from tests.server.helpers import complete, complete_until, diagnostics_until, end_of, open_document

SECRET = """@article{hidden2020secret,
  author = {Keeper, Ada},
  title  = {Notes Nobody Should Read},
  year   = {2020},
}
"""

MAIN = (
    "\\documentclass{article}\n\\begin{document}\n\\cite{hidden2020secret} \\cite{}\n"
    "\\bibliography{NAME}\n\\end{document}\n"
)
OUTSIDE_CODE = "bibliography-outside-workspace"


def outside(project: Project) -> Path:
    path = project.root.parent / "outside.bib"
    path.write_text(SECRET, encoding="utf-8")
    return path


def open_main(client: LanguageClient, project: Project, name: str = "../outside") -> str:
    return open_document(client, project, "main.tex", MAIN.replace("NAME", name))


def at_empty_cite() -> types.Position:
    return end_of(MAIN, "\\cite{hidden2020secret} \\cite{")


async def insert(client: LanguageClient, key: str, uri: str) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="paper-ls.insertBibtex", arguments=[key, uri])
    )


async def with_options(
    lsp_client: LanguageClient, project: Project, **options: Any
) -> AsyncIterator[LanguageClient]:
    outside(project)
    await start(lsp_client, project, **options)
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def default(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    async for client in with_options(lsp_client, project):
        yield client


@pytest_lsp.fixture(config=SERVER)
async def allowed(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    async for client in with_options(lsp_client, project, readOutsideWorkspace=True):
        yield client


async def test_by_default_a_file_outside_is_not_read_and_the_line_says_why(
    default: LanguageClient, project: Project
) -> None:
    uri = open_main(default, project)
    found = await diagnostics_until(
        default, uri, lambda ds: any(d.code == OUTSIDE_CODE for d in ds)
    )
    (warning,) = [d for d in found if d.code == OUTSIDE_CODE]
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert warning.range.start.line == 3  # the \bibliography line
    assert str(project.root.parent / "outside.bib") in warning.message
    assert "paper-ls.readOutsideWorkspace" in warning.message
    # Not read: its key is neither offered nor shown, and not called undefined either.
    result = await complete(default, uri, at_empty_cite())
    assert "hidden2020secret" not in [item.label for item in result.items]
    hover = await default.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), end_of(MAIN, "\\cite{hid"))
    )
    assert hover is None
    assert [d.code for d in found] == [OUTSIDE_CODE]


async def test_the_setting_allows_reading_but_never_writing(
    allowed: LanguageClient, project: Project
) -> None:
    uri = open_main(allowed, project)
    await complete_until(allowed, uri, at_empty_cite(), "hidden2020secret")
    hover = await allowed.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), end_of(MAIN, "\\cite{hid"))
    )
    assert hover is not None and "Notes Nobody Should Read" in str(hover.contents)
    result = await insert(allowed, "vaswani2017attention", uri)
    assert result["added"] is False
    assert "outside the workspace; paper-ls does not write there" in result["reason"]
    assert project.applied == [] and outside(project).read_text() == SECRET
    published = await diagnostics_until(allowed, uri, lambda ds: True)
    assert OUTSIDE_CODE not in [d.code for d in published]


async def test_turning_the_setting_on_takes_effect_at_once(
    default: LanguageClient, project: Project
) -> None:
    uri = open_main(default, project)
    await diagnostics_until(default, uri, lambda ds: any(d.code == OUTSIDE_CODE for d in ds))
    default.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"paper-ls": {"readOutsideWorkspace": True}})
    )
    await complete_until(default, uri, at_empty_cite(), "hidden2020secret")
    await diagnostics_until(default, uri, lambda ds: OUTSIDE_CODE not in [d.code for d in ds])


@pytest_lsp.fixture(config=SERVER)
async def listed(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    """A shared bibliography outside the workspace, listed in the `bibliography` setting."""
    async for client in with_options(
        lsp_client, project, bibliography=[str(project.root.parent / "outside.bib")]
    ):
        yield client


async def test_a_shared_file_the_person_listed_is_read_without_the_setting(
    listed: LanguageClient, project: Project
) -> None:
    uri = open_main(listed, project)
    await complete_until(listed, uri, at_empty_cite(), "hidden2020secret")
    published = await diagnostics_until(listed, uri, lambda ds: True)
    assert OUTSIDE_CODE not in [d.code for d in published]


@pytest_lsp.fixture(config=SERVER)
async def indexed(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    """The shared file is a source in the config the server syncs."""
    project.config.write_text('[[sources]]\npath = "outside.bib"\n', encoding="utf-8")
    async for client in with_options(lsp_client, project):
        yield client


async def test_a_configured_source_is_read_without_the_setting(
    indexed: LanguageClient, project: Project
) -> None:
    uri = open_main(indexed, project)
    await diagnostics_until(
        indexed, uri, lambda ds: OUTSIDE_CODE not in [d.code for d in ds], timeout=30
    )
    result = await complete_until(indexed, uri, at_empty_cite(), "hidden2020secret")
    (item,) = [i for i in result.items if i.label == "hidden2020secret"]
    assert "outside.bib" in (item.detail or "")  # from the file itself, not only the index
