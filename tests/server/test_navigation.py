"""Definition, references, rename and symbols, across open and unopened files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from paper_ls.demo import sample_library
from tests.server.conftest import REFS_BIB, Project
from tests.server.helpers import apply_edits, end_of, open_document

MAIN = """\\documentclass{book}
\\begin{document}
\\include{chapters/one}
\\include{chapters/two}
\\bibliography{refs,more}
\\end{document}
"""
MORE_BIB = "@book{knuth1984texbook,\n  title = {The {\\TeX}book},\n  year = {1984},\n}\n"
ONE = "We build on \\cite{smith2020graphs} and \\citet{knuth1984texbook}.\n"
TWO = "Later chapters cite \\citep[p.~3]{knuth1984texbook, smith2020graphs} again.\n"
NOTES = "---\nbibliography: refs.bib\n---\n\nSee [@smith2020graphs, p. 4] and @smith2020graphs.\n"


@pytest.fixture
def thesis(project: Project) -> Project:
    """A book in chapters, two bibliography files, and Markdown notes beside it."""
    project.write("main.tex", MAIN)
    project.write("more.bib", MORE_BIB)
    project.write("chapters/one.tex", ONE)
    project.write("chapters/two.tex", TWO)
    project.write("notes.md", NOTES)
    return project


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def span(line: int, start: int, length: int) -> types.Range:
    return types.Range(types.Position(line, start), types.Position(line, start + length))


def where(locations: list[types.Location] | None) -> list[tuple[str, types.Range]]:
    return sorted(((loc.uri, loc.range) for loc in locations or []), key=str)


async def definition(
    client: LanguageClient, uri: str, position: types.Position
) -> list[types.Location]:
    result = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc(uri), position=position)
    )
    assert result is None or isinstance(result, list)
    return [r for r in result or [] if isinstance(r, types.Location)]


async def test_definition_is_the_whole_entry_in_its_file(
    thesis: Project, client: LanguageClient
) -> None:
    uri = open_document(client, thesis, "chapters/one.tex", ONE)
    smith = await definition(client, uri, end_of(ONE, "\\cite{smi"))
    entry_end = types.Position(len(REFS_BIB.split("\n")) - 2, 1)
    assert where(smith) == [(thesis.uri("refs.bib"), types.Range(types.Position(1, 0), entry_end))]
    knuth = await definition(client, uri, end_of(ONE, "\\citet{kn"))
    assert where(knuth) == [
        (thesis.uri("more.bib"), types.Range(types.Position(0, 0), types.Position(3, 1)))
    ]


async def test_definition_from_markdown(thesis: Project, client: LanguageClient) -> None:
    uri = open_document(client, thesis, "notes.md", NOTES, language="markdown")
    found = await definition(client, uri, end_of(NOTES, "[@smi"))
    assert [loc.uri for loc in found] == [thesis.uri("refs.bib")]


async def test_index_only_key_goes_to_the_indexed_file(
    thesis: Project, client: LanguageClient
) -> None:
    text = "\\documentclass{article}\n\\cite{vaswani2017attention}\n\\bibliography{refs}\n"
    uri = open_document(client, thesis, "other.tex", text)
    (found,) = await definition(client, uri, end_of(text, "\\cite{vas"))
    sample = sample_library()
    assert found.uri == sample.resolve().as_uri()
    line = sample.read_text().split("\n").index("@inproceedings{vaswani2017attention,")
    assert found.range.start == types.Position(line, 0)


async def test_references_include_unopened_files_and_markdown(
    thesis: Project, client: LanguageClient
) -> None:
    uri = open_document(client, thesis, "chapters/one.tex", ONE)
    params = types.ReferenceParams(
        text_document=doc(uri),
        position=end_of(ONE, "\\cite{smi"),
        context=types.ReferenceContext(include_declaration=False),
    )
    found = where(await client.text_document_references_async(params))
    key = len("smith2020graphs")
    assert found == sorted(
        [
            (thesis.uri("chapters/one.tex"), span(0, len("We build on \\cite{"), key)),
            (thesis.uri("chapters/two.tex"), span(0, TWO.index("smith"), key)),
            (thesis.uri("notes.md"), span(4, NOTES.split("\n")[4].index("smith"), key)),
            (thesis.uri("notes.md"), span(4, NOTES.split("\n")[4].rindex("smith"), key)),
        ],
        key=str,
    )
    params.context.include_declaration = True
    with_definition = where(await client.text_document_references_async(params))
    assert len(with_definition) == 5
    assert (thesis.uri("refs.bib"), span(1, 0, 0)) not in with_definition
    assert any(uri == thesis.uri("refs.bib") for uri, _ in with_definition)


async def test_references_see_unsaved_edits(thesis: Project, client: LanguageClient) -> None:
    edited = ONE + "And once more \\cite{knuth1984texbook}.\n"
    uri = open_document(client, thesis, "chapters/one.tex", ONE)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
        )
    )
    params = types.ReferenceParams(
        text_document=doc(uri),
        position=end_of(edited, "\\citet{kn"),
        context=types.ReferenceContext(include_declaration=False),
    )
    found = where(await client.text_document_references_async(params))
    assert [u for u, _ in found].count(uri) == 2
    assert [u for u, _ in found].count(thesis.uri("chapters/two.tex")) == 1


async def test_rename_touches_bib_open_and_unopened_documents(
    thesis: Project, client: LanguageClient
) -> None:
    uri = open_document(client, thesis, "chapters/one.tex", ONE)
    position = end_of(ONE, "\\cite{smith")
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc(uri), position=position)
    )
    assert prepared == types.PrepareRenamePlaceholder(
        range=span(0, len("We build on \\cite{"), len("smith2020graphs")),
        placeholder="smith2020graphs",
    )
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=doc(uri), position=position, new_name="smith2020sparse")
    )
    assert edit is not None
    texts = {
        "refs.bib": REFS_BIB,
        "chapters/one.tex": ONE,
        "chapters/two.tex": TWO,
        "notes.md": NOTES,
    }
    changed = {}
    for change in edit.document_changes or []:
        assert isinstance(change, types.TextDocumentEdit)
        name = Path(change.text_document.uri[len(thesis.root.as_uri()) + 1 :]).as_posix()
        edits = [e for e in change.edits if isinstance(e, types.TextEdit)]
        changed[name] = apply_edits(texts[name], edits)
        expected_version = 1 if name == "chapters/one.tex" else None
        assert change.text_document.version == expected_version
    assert changed == {name: text.replace("smith2020graphs", "smith2020sparse")
                       for name, text in texts.items()}  # fmt: skip
    assert (thesis.root / "chapters/two.tex").read_text() == TWO  # the editor applies it


async def test_rename_refuses_a_taken_or_invalid_key(
    thesis: Project, client: LanguageClient
) -> None:
    uri = open_document(client, thesis, "chapters/one.tex", ONE)
    position = end_of(ONE, "\\cite{smith")
    for new, message in (
        ("knuth1984texbook", "cannot rename smith2020graphs to knuth1984texbook:"
         " knuth1984texbook is already defined at more.bib:1"),
        ("smith 2020", "'smith 2020' is not a valid citation key"),
        ("smith2020,x", "'smith2020,x' is not a valid citation key"),
    ):  # fmt: skip
        with pytest.raises(JsonRpcException) as refused:
            await client.text_document_rename_async(
                types.RenameParams(text_document=doc(uri), position=position, new_name=new)
            )
        assert message in str(refused.value)


async def test_rename_from_the_bib_entry(thesis: Project, client: LanguageClient) -> None:
    uri = open_document(client, thesis, "more.bib", MORE_BIB, language="bibtex")
    position = types.Position(0, len("@book{kn"))
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=doc(uri), position=position, new_name="knuth1984tex")
    )
    assert edit is not None
    uris = sorted(
        c.text_document.uri
        for c in edit.document_changes or []
        if isinstance(c, types.TextDocumentEdit)
    )
    assert uris == sorted(
        [thesis.uri("more.bib"), thesis.uri("chapters/one.tex"), thesis.uri("chapters/two.tex")]
    )


async def test_document_symbols_of_a_bib_file(thesis: Project, client: LanguageClient) -> None:
    text = REFS_BIB + "\n" + MORE_BIB
    uri = open_document(client, thesis, "all.bib", text, language="bibtex")
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc(uri))
    )
    assert symbols is not None
    shown = [
        (s.name, s.detail, s.kind, s.selection_range.start)
        for s in symbols
        if isinstance(s, types.DocumentSymbol)
    ]
    assert shown == [
        ("smith2020graphs", "@article · Sparse Graphs and Their Spectra", types.SymbolKind.Key,
         types.Position(1, len("@article{"))),
        ("knuth1984texbook", "@book · The TeXbook", types.SymbolKind.Key,
         types.Position(9, len("@book{"))),
    ]  # fmt: skip


async def test_workspace_symbols_rank_bibliography_and_index(
    thesis: Project, client: LanguageClient
) -> None:
    open_document(client, thesis, "chapters/one.tex", ONE)
    local = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="sparse graphs"))
    assert local is not None
    first = local[0]
    assert first.name == "smith2020graphs"
    assert isinstance(first.location, types.Location)
    assert first.location.uri == thesis.uri("refs.bib")
    indexed = await client.workspace_symbol_async(
        types.WorkspaceSymbolParams(query="vaswani attention")
    )
    assert indexed is not None
    assert indexed[0].name == "vaswani2017attention"
    assert isinstance(indexed[0].location, types.Location)
    assert indexed[0].location.uri == sample_library().resolve().as_uri()


async def test_a_file_created_later_is_found_after_the_watch_event(
    thesis: Project, client: LanguageClient
) -> None:
    uri = open_document(client, thesis, "chapters/one.tex", ONE)
    three = thesis.write("chapters/three.tex", "New: \\cite{knuth1984texbook}.\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=three.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    params = types.ReferenceParams(
        text_document=doc(uri),
        position=end_of(ONE, "\\citet{kn"),
        context=types.ReferenceContext(include_declaration=False),
    )
    for _ in range(100):
        found = [u for u, _ in where(await client.text_document_references_async(params))]
        if three.as_uri() in found:
            break
        await asyncio.sleep(0.05)
    assert sorted(found) == sorted([uri, thesis.uri("chapters/two.tex"), three.as_uri()])


async def test_initialize_advertises_navigation(thesis: Project, client: LanguageClient) -> None:
    assert thesis.initialized is not None
    caps = thesis.initialized.capabilities
    assert caps.definition_provider and caps.references_provider
    assert caps.document_symbol_provider and caps.workspace_symbol_provider
    assert isinstance(caps.rename_provider, types.RenameOptions)
    assert caps.rename_provider.prepare_provider is True
    assert isinstance(caps.code_action_provider, types.CodeActionOptions)
    assert list(caps.code_action_provider.code_action_kinds or []) == ["quickfix"]


async def test_rename_from_markdown(thesis: Project, client: LanguageClient) -> None:
    uri = open_document(client, thesis, "notes.md", NOTES, language="markdown")
    position = end_of(NOTES, "and @smi")
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc(uri), position=position)
    )
    line = NOTES.split("\n")[4]
    assert prepared == types.PrepareRenamePlaceholder(
        range=span(4, line.rindex("smith"), len("smith2020graphs")), placeholder="smith2020graphs"
    )
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=doc(uri), position=position, new_name="smith:graphs")
    )
    assert edit is not None
    edited = {
        c.text_document.uri: len(c.edits)
        for c in edit.document_changes or []
        if isinstance(c, types.TextDocumentEdit)
    }
    assert edited == {
        uri: 2,
        thesis.uri("refs.bib"): 1,
        thesis.uri("chapters/one.tex"): 1,
        thesis.uri("chapters/two.tex"): 1,
    }
    nothing = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc(uri), position=types.Position(4, 1))
    )
    assert nothing is None
