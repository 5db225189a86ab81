"""Citation completion through a real client: what the writer sees, in the server's order."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.server.conftest import Project, start
from tests.server.helpers import complete, complete_until, end_of, labels, open_document


@pytest.mark.parametrize(
    ("line", "marker", "expected"),
    [
        ("\\cite{attention", "attention", "vaswani2017attention"),
        (
            "\\citep[p.~3]{smith2020graphs, residual learn",
            "residual learn",
            "heDeepResidualLearning2016",
        ),
        ("\\autocite{vaswani", "vaswani", "vaswani2017attention"),
        ("\\parencite[see][p.~4]{hochreiter", "hochreiter", "hochreiter1997long"),
        ("\\textcite{atention need", "atention need", "vaswani2017attention"),
    ],
)
async def test_latex_finds_the_paper_first(
    client: LanguageClient, project: Project, line: str, marker: str, expected: str
) -> None:
    text = f"\\documentclass{{article}}\n\\begin{{document}}\n{line}}}\n\\end{{document}}\n"
    uri = open_document(client, project, "doc.tex", text)
    result = await complete(client, uri, end_of(text, marker))
    assert result.is_incomplete
    assert labels(result)[0] == expected


async def test_items_keep_the_server_order_in_every_client(
    client: LanguageClient, project: Project
) -> None:
    """filterText is the typed query and sortText the rank: no client filters or reorders."""
    text = "\\cite{transduction}"
    uri = open_document(client, project, "doc.tex", text)
    position = end_of(text, "transduction")
    result = await complete(client, uri, position)
    assert result.items, "an abstract word finds the paper"
    first = min(result.items, key=lambda i: i.sort_text or "")
    assert first.label == "vaswani2017attention"
    for item in result.items:
        assert item.filter_text == "transduction"
        assert isinstance(item.text_edit, types.TextEdit)
        assert item.text_edit.range == types.Range(
            types.Position(0, 6), types.Position(0, 6 + len("transduction"))
        )
        assert item.text_edit.new_text == item.label
    assert sorted(i.sort_text or "" for i in result.items) == [
        f"{n:04d}" for n in range(len(result.items))
    ]
    assert len(result.items) <= 50


async def test_document_bibliography_entries_are_offered(
    client: LanguageClient, project: Project
) -> None:
    text = project.root.joinpath("main.tex").read_text().replace("Intro.", "\\cite{sparse spec}")
    uri = open_document(client, project, "main.tex", text)
    result = await complete_until(client, uri, end_of(text, "sparse spec"), "smith2020graphs")
    item = next(i for i in result.items if i.label == "smith2020graphs")
    assert item.command is None  # already in refs.bib: nothing to insert
    assert item.label_details is not None
    assert item.label_details.description == "Smith and Müller, 2020, Journal of Graph Theory"


async def test_index_papers_carry_the_insert_command(
    client: LanguageClient, project: Project
) -> None:
    text = project.root.joinpath("main.tex").read_text().replace("Intro.", "\\cite{vaswani}")
    uri = open_document(client, project, "main.tex", text)
    result = await complete(client, uri, end_of(text, "vaswani"))
    item = next(i for i in result.items if i.label == "vaswani2017attention")
    assert item.command is not None
    assert item.command.command == "paper-ls.insertBibtex"
    assert list(item.command.arguments or []) == ["vaswani2017attention", uri]


async def test_resolve_adds_title_and_abstract(client: LanguageClient, project: Project) -> None:
    text = "\\cite{vaswani"
    uri = open_document(client, project, "doc.tex", text)
    result = await complete(client, uri, end_of(text, "vaswani"))
    item = next(i for i in result.items if i.label == "vaswani2017attention")
    assert item.documentation is None  # sent lazily
    resolved = await client.completion_item_resolve_async(item)
    assert isinstance(resolved.documentation, types.MarkupContent)
    value = resolved.documentation.value
    assert "**Attention Is All You Need**" in value
    assert "Łukasz Kaiser" in value
    assert "sequence transduction" in value
    assert "in the index only" in value


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("% \\cite{vaswani", "vaswani"),
        ("\\begin{verbatim}\n\\cite{vaswani\n\\end{verbatim}", "vaswani"),
        ("\\section{vaswani", "vaswani"),
    ],
)
async def test_nothing_offered_outside_citations(
    client: LanguageClient, project: Project, text: str, marker: str
) -> None:
    uri = open_document(client, project, "doc.tex", text)
    result = await complete(client, uri, end_of(text, marker))
    assert result.items == []


@pytest.mark.parametrize("prefix", ["é ", "中文 ", "🙂 "])
async def test_utf16_positions_after_non_ascii_text(
    client: LanguageClient, project: Project, prefix: str
) -> None:
    text = f"{prefix}\\cite{{vaswani"
    uri = open_document(client, project, "doc.tex", text)
    result = await complete(client, uri, end_of(text, "vaswani"))
    item = next(i for i in result.items if i.label == "vaswani2017attention")
    assert isinstance(item.text_edit, types.TextEdit)
    start = len((prefix + "\\cite{").encode("utf-16-le")) // 2
    assert item.text_edit.range.start == types.Position(0, start)
    assert item.text_edit.range.end == types.Position(0, start + len("vaswani"))


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("See [@vaswani", "vaswani"),
        ("As @vaswani", "vaswani"),
        ("[see @smith2020graphs, p. 3; -@vaswani", "vaswani"),
    ],
)
async def test_markdown_citations(
    client: LanguageClient, project: Project, text: str, marker: str
) -> None:
    uri = open_document(client, project, "notes.md", text, language="markdown")
    result = await complete(client, uri, end_of(text, marker))
    assert labels(result)[0] == "vaswani2017attention"


async def test_markdown_email_is_not_a_citation(client: LanguageClient, project: Project) -> None:
    text = "Write to me@vaswani"
    uri = open_document(client, project, "notes.md", text, language="markdown")
    result = await complete(client, uri, end_of(text, "vaswani"))
    assert result.items == []


async def test_bib_changed_on_disk_is_picked_up(client: LanguageClient, project: Project) -> None:
    text = project.root.joinpath("main.tex").read_text().replace("Intro.", "\\cite{quokka}")
    uri = open_document(client, project, "main.tex", text)
    await complete_until(client, uri, end_of(text, "\\cite{"), "smith2020graphs")
    bib = project.root / "refs.bib"
    bib.write_text(
        bib.read_text() + "\n@misc{new2024quokka, title={Quokka Behaviour}, year=2024}\n"
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=bib.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await complete_until(client, uri, end_of(text, "quokka"), "new2024quokka")


async def test_edit_arriving_before_the_request_is_honoured(
    client: LanguageClient, project: Project
) -> None:
    """Completion must answer for the text as changed, not as opened."""
    text = "\\cite{"
    uri = open_document(client, project, "doc.tex", text)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(0, 6), types.Position(0, 6)),
                    text="hochreiter",
                )
            ],
        )
    )
    result = await complete(client, uri, types.Position(0, 16))
    assert labels(result)[0] == "hochreiter1997long"


async def test_settings_change_applies_at_once(client: LanguageClient, project: Project) -> None:
    text = "\\cite{learning"
    uri = open_document(client, project, "doc.tex", text)
    before = await complete(client, uri, end_of(text, "learning"))
    assert len(before.items) > 3
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"paper-ls": {"maxItems": 3}})
    )
    after = await complete(client, uri, end_of(text, "learning"))
    assert len(after.items) == 3


async def test_extra_citation_command_from_settings(
    client: LanguageClient, project: Project
) -> None:
    text = "\\mycite{vaswani"
    uri = open_document(client, project, "doc.tex", text)
    assert (await complete(client, uri, end_of(text, "vaswani"))).items == []
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"paper-ls": {"citationCommands": ["mycite"]}})
    )
    assert labels(await complete(client, uri, end_of(text, "vaswani")))[0] == "vaswani2017attention"


TIMINGS = Path(tempfile.mkdtemp(prefix="paper-ls-timings-")) / "completion.txt"


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "paper_ls", "serve", "--timings", str(TIMINGS)]
    )
)
async def timed_client(
    lsp_client: LanguageClient, project: Project
) -> AsyncIterator[LanguageClient]:
    await start(lsp_client, project)
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_serve_timings_records_each_completions_server_time(
    timed_client: LanguageClient, project: Project
) -> None:
    """What benchmarks/lsp_replay.py reports as server time: one line per completion."""
    text = "\\documentclass{article}\n\\begin{document}\n\\cite{attention}\n\\end{document}\n"
    uri = open_document(timed_client, project, "doc.tex", text)
    for end in range(len("a"), len("attention") + 1, 4):
        await complete(timed_client, uri, types.Position(2, len("\\cite{") + end))
    recorded = [float(line) for line in TIMINGS.read_text().split()]
    assert len(recorded) == 3
    assert all(0 < ms < 10_000 for ms in recorded)


async def test_right_after_opening_a_long_bib_every_entry_can_be_found(
    client: LanguageClient, project: Project
) -> None:
    """While a long .bib is first parsed, completion answers from its start at once
    (`BibliographyCache` tests the first look); a query that only a later entry answers
    finds it in the file's text instead of showing an empty list."""
    count = 3_000
    project.write(
        "big.bib",
        "".join(
            f"@article{{entry{i:05d},\n  title = {{{'Zebra' if i == count - 1 else 'Sparse'}"
            f" coding study {i}}},\n  author = {{Lovelace, Ada}},\n  year = {{2020}},\n}}\n\n"
            for i in range(count)
        ),
    )
    text = "\\documentclass{article}\n\\begin{document}\n\\cite{zebra}\n\\bibliography{big}\n"
    uri = open_document(client, project, "long.tex", text)
    tail = await complete(client, uri, end_of(text, "zebra"))
    assert labels(tail) == [f"entry{count - 1:05d}"]
    text = text.replace("zebra", "")
    head = await complete(client, uri, end_of(text, "\\cite{"))
    assert "entry00000" in labels(head)


async def test_a_newer_completion_for_the_document_stops_the_older_one(
    client: LanguageClient, project: Project
) -> None:
    """The older request is answered as cancelled at once (Neovim and VS Code drop such an
    answer silently) instead of finishing its work and delaying the newer one. Here the older
    one waits for the document's second .bib, which is read after the whole of the first, a
    long one: the answer is in the second."""
    project.write(
        "long.bib",
        "".join(
            f"@article{{entry{i:05d},\n  title = {{Sparse study {i}}},\n"
            f"  author = {{Lovelace, Ada}},\n  year = {{2020}},\n}}\n\n"
            for i in range(6000)
        ),
    )
    project.write("short.bib", "@article{zebra2021,\n  title = {Zebra stripes},\n}\n")
    text = (
        "\\documentclass{article}\n\\begin{document}\n\\cite{zebra}\n\\bibliography{long,short}\n"
    )
    uri = open_document(client, project, "doc.tex", text)
    params = types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=end_of(text, "zebra")
    )
    older = asyncio.ensure_future(client.text_document_completion_async(params))
    await asyncio.sleep(0.05)  # the older one is waiting for short.bib now
    newer = asyncio.ensure_future(client.text_document_completion_async(params))
    done, _ = await asyncio.wait([older, newer], return_when=asyncio.FIRST_COMPLETED)
    assert older in done, "the older request is answered no later than the newer one"
    with pytest.raises(JsonRpcException) as cancelled:
        older.result()
    assert cancelled.value.code == JsonRpcRequestCancelled.CODE
    result = await newer
    assert isinstance(result, types.CompletionList)
    assert [item.label for item in result.items] == ["zebra2021"]
