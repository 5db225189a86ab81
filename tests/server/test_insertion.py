"""Citing a paper the bibliography lacks adds its entry: once, cleanly, undoably."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from paper_ls.bibtex.parse import parse_bibtex
from tests.server.conftest import REFS_BIB, Project
from tests.server.helpers import complete_until, end_of, open_document


async def insert(client: LanguageClient, key: str, uri: str) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="paper-ls.insertBibtex", arguments=[key, uri])
    )


def single_text_edit(edit: types.WorkspaceEdit) -> tuple[str, types.TextEdit]:
    changes = [c for c in edit.document_changes or [] if isinstance(c, types.TextDocumentEdit)]
    assert len(changes) == 1
    (text_edit,) = changes[0].edits
    assert isinstance(text_edit, types.TextEdit)
    return changes[0].text_document.uri, text_edit


async def test_entry_is_appended_through_the_editor(
    client: LanguageClient, project: Project
) -> None:
    text = (
        project.root.joinpath("main.tex")
        .read_text()
        .replace("Intro.", "\\cite{vaswani2017attention}")
    )
    uri = open_document(client, project, "main.tex", text)
    await complete_until(client, uri, end_of(text, "\\cite{"), "smith2020graphs")
    result = await insert(client, "vaswani2017attention", uri)
    assert result["added"] is True
    target_uri, text_edit = single_text_edit(project.applied[0])
    assert target_uri == project.uri("refs.bib")
    lines = REFS_BIB.split("\n")
    end = types.Position(len(lines) - 1, 0)
    assert text_edit.range == types.Range(end, end)
    assert text_edit.new_text.startswith("\n@inproceedings{vaswani2017attention,\n")
    after = REFS_BIB + text_edit.new_text
    parsed = parse_bibtex(after)
    assert [e.key for e in parsed.entries] == ["smith2020graphs", "vaswani2017attention"]
    assert parsed.failures == []
    assert (project.root / "refs.bib").read_text() == REFS_BIB  # the editor owns the change


async def test_never_a_duplicate(client: LanguageClient, project: Project) -> None:
    project.write(
        "refs.bib",
        REFS_BIB + "\n@misc{mykey, title={Attention Is All You Need}, eprint={1706.03762},"
        " archivePrefix={arXiv}, year=2017}\n",
    )
    text = project.root.joinpath("main.tex").read_text()
    uri = open_document(client, project, "main.tex", text)
    result = await insert(client, "vaswani2017attention", uri)
    assert result["added"] is False
    assert project.applied == []


async def test_client_without_apply_edit_gets_the_file_written(
    plain_client: LanguageClient, project: Project
) -> None:
    text = project.root.joinpath("main.tex").read_text()
    uri = open_document(plain_client, project, "main.tex", text)
    result = await insert(plain_client, "heDeepResidualLearning2016", uri)
    assert result["added"] is True
    written = (project.root / "refs.bib").read_text()
    assert written.startswith(REFS_BIB)  # not a byte of the old content changed
    assert written[len(REFS_BIB) :].startswith("\n@inproceedings{heDeepResidualLearning2016,\n")


async def test_new_bibliography_is_created_and_declared(
    client: LanguageClient, project: Project
) -> None:
    text = (
        "\\documentclass{article}\n\\begin{document}\n"
        "\\cite{vaswani2017attention}\n\\end{document}\n"
    )
    uri = open_document(client, project, "paper2/draft.tex", text)
    result = await insert(client, "vaswani2017attention", uri)
    assert result["added"] is True
    changes = project.applied[0].document_changes or []
    assert isinstance(changes[0], types.CreateFile)
    assert changes[0].uri == project.uri("paper2/references.bib")
    declare = changes[2]
    assert isinstance(declare, types.TextDocumentEdit)
    assert declare.text_document.uri == uri
    (edit,) = declare.edits
    assert isinstance(edit, types.TextEdit)
    assert edit.new_text == "\\bibliography{references}\n"
    assert edit.range.start == types.Position(3, 0)


async def test_markdown_front_matter_gets_the_new_file(
    client: LanguageClient, project: Project
) -> None:
    text = "---\ntitle: Notes\n---\n\nAs [@vaswani2017attention] showed.\n"
    uri = open_document(client, project, "notes/notes.md", text, language="markdown")
    result = await insert(client, "vaswani2017attention", uri)
    assert result["added"] is True
    declare = (project.applied[0].document_changes or [])[2]
    assert isinstance(declare, types.TextDocumentEdit)
    (edit,) = declare.edits
    assert isinstance(edit, types.TextEdit)
    assert edit.new_text == "bibliography: references.bib\n"
    assert edit.range.start == types.Position(2, 0)


async def test_code_action_offers_the_entry(client: LanguageClient, project: Project) -> None:
    text = (
        project.root.joinpath("main.tex")
        .read_text()
        .replace("Intro.", "\\cite{vaswani2017attention}")
    )
    uri = open_document(client, project, "main.tex", text)
    await complete_until(client, uri, end_of(text, "\\cite{"), "smith2020graphs")
    position = end_of(text, "\\cite{vas")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(position, position),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert actions is not None
    (action,) = actions
    assert isinstance(action, types.CodeAction)
    assert action.title == "Add BibTeX entry for vaswani2017attention to refs.bib"
    assert action.edit is not None
    target_uri, text_edit = single_text_edit(action.edit)
    assert target_uri == project.uri("refs.bib")
    assert text_edit.new_text.startswith("\n@inproceedings{vaswani2017attention,\n")


async def test_key_taken_by_another_paper_gets_a_suffix(
    client: LanguageClient, project: Project
) -> None:
    project.write(
        "refs.bib",
        REFS_BIB + "\n@misc{vaswani2017attention, title={A Different Paper}, year=2017}\n",
    )
    text = project.root.joinpath("main.tex").read_text()
    uri = open_document(client, project, "main.tex", text)
    result = await insert(client, "vaswani2017attention", uri)
    assert result == {
        "added": True,
        "key": "vaswani2017attentiona",
        "file": str(project.root / "refs.bib"),
    }
    _, text_edit = single_text_edit(project.applied[0])
    assert text_edit.new_text.startswith("\n@inproceedings{vaswani2017attentiona,\n")


async def test_a_bibliography_outside_the_workspace_is_never_written(
    client: LanguageClient, project: Project
) -> None:
    outside = project.root.parent / "outside.bib"
    outside.write_text(REFS_BIB)
    text = (
        project.root.joinpath("main.tex")
        .read_text()
        .replace("\\bibliography{refs}", "\\bibliography{../outside}")
        .replace("Intro.", "\\cite{vaswani2017attention}")
    )
    uri = open_document(client, project, "main.tex", text)
    # Not even read by default (tests/server/test_outside_workspace.py: nor written when read).
    result = await insert(client, "vaswani2017attention", uri)
    assert result["added"] is False and "outside the workspace" in result["reason"]
    assert project.applied == [] and outside.read_text() == REFS_BIB
