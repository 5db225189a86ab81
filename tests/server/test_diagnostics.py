"""Diagnostics as an editor shows them: undefined keys, near keys, duplicates, broken entries."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.conftest import REFS_BIB, Project
from tests.server.helpers import (
    change_document,
    diagnostics_until,
    end_of,
    open_document,
)

THESIS_MAIN = """\\documentclass{book}
\\begin{document}
\\include{chapters/one}
\\input{chapters/two}
\\bibliography{refs,more}
\\end{document}
"""

MORE_BIB = """@book{knuth1984texbook,
  author = {Knuth, Donald E.},
  title = {The {\\TeX}book},
  year = {1984},
}
"""

CHAPTER_ONE = (
    "As \\cite{smith2020graphs} and \\citet{knuth1984texbook} show,\n"
    "attention \\citep{vaswani2017attention} matters \\cite{vaswani2017attn}.\n"
    "Also \\cite{nobodyknows1999}.\n"
)


def thesis(project: Project) -> None:
    project.write("main.tex", THESIS_MAIN)
    project.write("more.bib", MORE_BIB)
    project.write("chapters/two.tex", "Again \\cite{smith2020graphs}.\n")


def by_key(diagnostics: Sequence[types.Diagnostic]) -> dict[str, types.Diagnostic]:
    return {str((d.data or {}).get("key")): d for d in diagnostics if isinstance(d.data, dict)}


async def code_actions(
    client: LanguageClient, uri: str, diagnostic: types.Diagnostic
) -> list[types.CodeAction]:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    return [a for a in actions or [] if isinstance(a, types.CodeAction)]


async def test_included_chapter_gets_errors_warnings_and_fixes(
    client: LanguageClient, project: Project
) -> None:
    thesis(project)
    uri = open_document(client, project, "chapters/one.tex", CHAPTER_ONE)
    published = await diagnostics_until(client, uri, lambda d: len(d) == 3)
    found = by_key(published)
    assert set(found) == {"vaswani2017attention", "vaswani2017attn", "nobodyknows1999"}

    known = found["vaswani2017attention"]
    assert known.severity == types.DiagnosticSeverity.Warning
    assert known.message == (
        "vaswani2017attention is not in refs.bib or more.bib, but the index has it: add its entry"
    )
    start = end_of(CHAPTER_ONE, "\\citep{")
    assert known.range == types.Range(
        start, types.Position(start.line, start.character + len("vaswani2017attention"))
    )
    (add,) = await code_actions(client, uri, known)
    assert add.title == "Add BibTeX entry for vaswani2017attention to refs.bib"
    assert add.is_preferred

    typo = found["vaswani2017attn"]
    assert typo.severity == types.DiagnosticSeverity.Error
    assert typo.message.endswith("nor in the index; did you mean vaswani2017attention?")
    replace = [a for a in await code_actions(client, uri, typo) if a.title.startswith("Replace")]
    assert [a.title for a in replace] == ["Replace vaswani2017attn with vaswani2017attention"]
    assert replace[0].edit is not None and replace[0].edit.changes is not None
    (edit,) = replace[0].edit.changes[uri]
    assert edit == types.TextEdit(typo.range, "vaswani2017attention")

    unknown = found["nobodyknows1999"]
    assert unknown.severity == types.DiagnosticSeverity.Error
    assert unknown.message == (
        "nobodyknows1999 is not defined in refs.bib or more.bib nor in the index"
    )


async def test_fixing_the_typo_clears_its_error(client: LanguageClient, project: Project) -> None:
    thesis(project)
    uri = open_document(client, project, "chapters/one.tex", CHAPTER_ONE)
    await diagnostics_until(client, uri, lambda d: len(d) == 3)
    fixed = CHAPTER_ONE.replace("vaswani2017attn}", "smith2020graphs}").replace(
        "\\cite{nobodyknows1999}", "nothing"
    )
    change_document(client, uri, 2, fixed)
    published = await diagnostics_until(client, uri, lambda d: len(d) == 1)
    assert set(by_key(published)) == {"vaswani2017attention"}


async def test_markdown_citations_and_not_crossrefs(
    client: LanguageClient, project: Project
) -> None:
    text = (
        "---\nbibliography: refs.bib\n---\n\n"
        "See [@smith2020graphs; @smith2020graph] and @fig-results.\n"
    )
    uri = open_document(client, project, "notes.md", text, language="markdown")
    (typo,) = await diagnostics_until(client, uri, lambda d: len(d) == 1)
    assert typo.severity == types.DiagnosticSeverity.Error
    assert typo.message == (
        "smith2020graph is not defined in refs.bib nor in the index; did you mean smith2020graphs?"
    )
    assert typo.range.start == end_of(text, "; @")


async def test_a_key_defined_in_both_files_is_flagged_in_each(
    client: LanguageClient, project: Project
) -> None:
    thesis(project)
    project.write("more.bib", MORE_BIB + "\n@misc{smith2020graphs, title = {Again}}\n")
    uri = open_document(client, project, "chapters/one.tex", CHAPTER_ONE)
    refs = await diagnostics_until(client, project.uri("refs.bib"), lambda d: len(d) == 1)
    more = await diagnostics_until(client, project.uri("more.bib"), lambda d: len(d) == 1)
    for published, line in ((refs, 1), (more, 6)):
        (duplicate,) = published
        assert duplicate.severity == types.DiagnosticSeverity.Warning
        assert duplicate.message == "smith2020graphs is defined 2 times (more.bib:7, refs.bib:2)"
        start = types.Position(line, len("@misc{") if line == 6 else len("@article{"))
        assert duplicate.range == types.Range(
            start, types.Position(line, start.character + len("smith2020graphs"))
        )
    assert uri in client.diagnostics


async def test_broken_entry_is_reported_at_its_line(
    client: LanguageClient, project: Project
) -> None:
    broken = REFS_BIB + "\n@article{broken,\n  title = {Never closed,\n  year = 2020\n"
    uri = open_document(client, project, "refs.bib", broken, language="bibtex")
    (error,) = await diagnostics_until(client, uri, lambda d: len(d) == 1)
    assert error.severity == types.DiagnosticSeverity.Error
    assert error.range.start == types.Position(9, 0)
    assert error.message == (
        "malformed entry '@article{broken,': the file ends before the entry is closed"
        " (a closing brace is missing); the entry is skipped"
    )
    change_document(client, uri, 2, broken.replace("Never closed,", "Closed},") + "}\n")
    await diagnostics_until(client, uri, lambda d: len(d) == 0)


async def test_unused_entries_only_when_asked(client: LanguageClient, project: Project) -> None:
    thesis(project)
    uri = open_document(client, project, "chapters/two.tex", "Again \\cite{smith2020graphs}.\n")
    await diagnostics_until(client, uri, lambda d: len(d) == 0)
    more = project.uri("more.bib")
    await diagnostics_until(client, more, lambda d: len(d) == 0)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"paper-ls": {"diagnostics": {"unusedEntries": True}}}
        )
    )
    (hint,) = await diagnostics_until(client, more, lambda d: len(d) == 1)
    assert hint.severity == types.DiagnosticSeverity.Hint
    assert hint.message == "knuth1984texbook is not cited by any document"
    assert list(hint.tags or []) == [types.DiagnosticTag.Unnecessary]


async def test_a_declared_file_that_does_not_exist(
    client: LanguageClient, project: Project
) -> None:
    text = "\\documentclass{article}\n\\cite{smith2020graphs}\n\\bibliography{refs,gone}\n"
    uri = open_document(client, project, "main.tex", text)
    (missing,) = await diagnostics_until(client, uri, lambda d: len(d) == 1)
    assert missing.severity == types.DiagnosticSeverity.Error
    assert missing.message == "bibliography file gone.bib does not exist"
    start = end_of(text, "refs,")
    assert missing.range == types.Range(start, types.Position(start.line, start.character + 4))


async def test_columns_in_the_units_the_client_chose(
    utf8_client: LanguageClient, project: Project
) -> None:
    assert project.initialized is not None
    assert project.initialized.capabilities.position_encoding == "utf-8"
    text = "Müller 😀 \\cite{smith2020graph}\n\\bibliography{refs}\n"
    uri = open_document(utf8_client, project, "doc.tex", text)
    (typo,) = await diagnostics_until(utf8_client, uri, lambda d: len(d) == 1)
    before = text[: text.index("smith")]
    assert typo.range.start == types.Position(0, len(before.encode("utf-8")))
    assert typo.range.end == types.Position(0, len(before.encode("utf-8")) + len("smith2020graph"))
