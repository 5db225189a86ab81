"""The demo's language-server steps: a real `paper-ls serve` driven over stdio by an LSP client,
as an editor would drive it, on a small LaTeX project in a temporary directory."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from lsprotocol import types
from pygls.lsp.client import LanguageClient

if TYPE_CHECKING:
    from paper_ls.demo import DemoContext

T = TypeVar("T")

MAIN_TEX = r"""\documentclass{article}
\begin{document}
Transformers \cite{attention need} changed everything.
\bibliography{refs}
\end{document}
"""
REFS_BIB = """@book{knuth1984texbook,
  author    = {Knuth, Donald E.},
  title     = {The {\\TeX}book},
  publisher = {Addison-Wesley},
  year      = {1984},
}
"""


def step_language_server(ctx: DemoContext) -> None:
    asyncio.run(_drive_server(ctx))


async def _drive_server(ctx: DemoContext) -> None:
    project = ctx.index.path.parent / "project"
    project.mkdir(exist_ok=True)
    main, refs = project / "main.tex", project / "refs.bib"
    main.write_text(MAIN_TEX)
    refs.write_text(REFS_BIB)
    client = LanguageClient("paper-ls-demo", "1")
    applied: list[types.WorkspaceEdit] = []

    def apply(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        applied.append(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    client.feature(types.WORKSPACE_APPLY_EDIT)(apply)

    ctx.say("\nThe language server, driven over stdio as an editor drives it:")
    await client.start_io(sys.executable, "-m", "paper_ls", "serve")
    try:
        await _session(ctx, client, project, main, applied)
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()  # type: ignore[no-untyped-call]


async def _session(
    ctx: DemoContext,
    client: LanguageClient,
    project: Path,
    main: Path,
    applied: list[types.WorkspaceEdit],
) -> None:
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                workspace=types.WorkspaceClientCapabilities(apply_edit=True)
            ),
            root_uri=project.as_uri(),
            initialization_options={"paper-ls": {"index": str(ctx.index.path)}},
        )
    )
    client.initialized(types.InitializedParams())
    uri = main.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="latex", version=1, text=MAIN_TEX)
        )
    )
    line, column = 2, MAIN_TEX.split("\n")[2].index("need}") + len("need")
    position = types.Position(line, column)
    completion = await _timed(ctx, "completion", client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), position)
    ))  # fmt: skip
    items = completion.items if isinstance(completion, types.CompletionList) else completion or []
    items = sorted(items, key=lambda i: i.sort_text or "")
    ctx.say(f"  typed '\\cite{{attention need' -> {len(items)} items, first three:")
    for item in items[:3]:
        detail = item.label_details.description if item.label_details else ""
        ctx.say(f"    {item.label:28} {detail}")
    if not items:
        return
    first = items[0]
    resolved = await _timed(
        ctx, "completionItem/resolve", client.completion_item_resolve_async(first)
    )
    if isinstance(resolved.documentation, types.MarkupContent):
        ctx.say("  its documentation (Markdown, first lines):")
        for text in resolved.documentation.value.split("\n\n")[:3]:
            ctx.say(f"    {text[:100]}")
    command = first.command
    if command is not None:
        result = await _timed(ctx, "insertBibtex", client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
        ))  # fmt: skip
        ctx.say(f"  accepting it runs {command.command}: {result}")
        for edit in applied:
            for change in edit.document_changes or []:
                if isinstance(change, types.TextDocumentEdit):
                    for text_edit in change.edits:
                        if not isinstance(text_edit, types.TextEdit):
                            continue
                        where = Path(change.text_document.uri).name
                        head = text_edit.new_text.strip().split("\n")[0]
                        ctx.say(f"  the editor is asked to append to {where}: {head} ...")


async def _timed(ctx: DemoContext, what: str, request: Awaitable[T]) -> T:
    started = time.perf_counter()
    result = await request
    ctx.say(f"  [{what}: {(time.perf_counter() - started) * 1000:.1f} ms round trip]")
    return result
