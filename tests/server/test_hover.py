"""Hover on a key: what the paper is, where its entry lives, and nothing injected."""

from __future__ import annotations

import asyncio
import re

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.conftest import Project
from tests.server.helpers import complete_until, end_of, open_document


async def hover(client: LanguageClient, uri: str, position: types.Position) -> str | None:
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    if result is None:
        return None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_hover_on_index_key_shows_abstract_and_links(
    client: LanguageClient, project: Project
) -> None:
    text = "\\cite{vaswani2017attention}"
    uri = open_document(client, project, "doc.tex", text)
    value = await hover(client, uri, end_of(text, "\\cite{vasw"))
    assert value is not None
    assert "**Attention Is All You Need**" in value
    assert "Ashish Vaswani" in value and "2017" in value
    assert "(https://arxiv.org/abs/1706.03762)" in value
    assert "sequence transduction" in value
    assert "in the index only, not yet in this document's bibliography" in value


async def test_hover_on_local_key_says_where_it_lives(
    client: LanguageClient, project: Project
) -> None:
    text = (
        project.root.joinpath("main.tex").read_text().replace("Intro.", "\\cite{smith2020graphs}")
    )
    uri = open_document(client, project, "main.tex", text)
    await complete_until(client, uri, end_of(text, "\\cite{"), "smith2020graphs")
    value = await hover(client, uri, end_of(text, "\\cite{smi"))
    assert value is not None
    assert "Ann Smith, Hans Müller" in value
    assert "(https://doi.org/10.1000/graphs.2020)" in value
    assert "refs.bib:2" in value


async def test_hover_escapes_markdown_from_the_data(
    client: LanguageClient, project: Project
) -> None:
    project.write(
        "refs.bib",
        "@misc{evil, title={Click [here](http://evil.example) <img src=x onerror=alert(1)>},"
        " year=2020}\n",
    )
    text = project.root.joinpath("main.tex").read_text().replace("Intro.", "\\cite{evil}")
    uri = open_document(client, project, "main.tex", text)
    await complete_until(client, uri, end_of(text, "\\cite{"), "evil")
    value = await hover(client, uri, end_of(text, "\\cite{ev"))
    assert value is not None
    assert re.search(r"(?<!\\)\]\(http", value) is None  # no live link
    assert re.search(r"(?<!\\)<img", value) is None  # no live HTML
    assert "\\<img src=x onerror=alert(1)\\>" in value  # shown as text


async def test_no_hover_outside_citations(client: LanguageClient, project: Project) -> None:
    text = "vaswani2017attention"
    uri = open_document(client, project, "doc.tex", text)
    assert await hover(client, uri, types.Position(0, 3)) is None


async def test_hover_on_an_entry_key_in_the_bib_file(
    client: LanguageClient, project: Project
) -> None:
    text = (project.root / "refs.bib").read_text()
    uri = open_document(client, project, "refs.bib", text, language="bibtex")
    position = end_of(text, "@article{smi")
    for _ in range(100):  # the file is parsed in the background
        value = await hover(client, uri, position)
        if value is not None:
            break
        await asyncio.sleep(0.05)
    assert value is not None
    assert "**Sparse Graphs and Their Spectra**" in value
    assert "refs.bib:2" in value


async def test_hover_right_after_the_entry_is_added_says_where_it_lives(
    client: LanguageClient, project: Project
) -> None:
    """Accepting a completion appends the entry and the hover follows at once: it must not
    describe the paper as missing from the .bib it was just written to."""
    text = (
        project.root.joinpath("main.tex")
        .read_text()
        .replace("Intro.", "\\cite{smith2020graphs, vaswani2017attention}")
    )
    uri = open_document(client, project, "main.tex", text)
    await complete_until(client, uri, end_of(text, "\\cite{"), "smith2020graphs")  # parsed
    refs = project.root / "refs.bib"
    entry = "\n@article{vaswani2017attention,\n  title = {Attention Is All You Need},\n}\n"
    refs.write_text(refs.read_text() + entry)  # no notification: the hover comes first
    value = await hover(client, uri, end_of(text, "vaswani2017att"))
    assert value is not None
    assert "refs.bib:10" in value
    assert "in the index only" not in value


async def test_hover_right_after_opening_a_long_bib_finds_its_last_entry(
    client: LanguageClient, project: Project
) -> None:
    """The whole parse of a long .bib takes seconds, longer than hover waits for it; the
    entry is found in the file's text instead, at its line."""
    count = 40_000
    project.write(
        "big.bib",
        "".join(
            f"@article{{Entry{i:05d},\n  title = {{Sparse coding study {i}}},\n"
            f"  author = {{Lovelace, Ada}},\n  year = {{2020}},\n}}\n\n"
            for i in range(count)
        ),
    )
    key = f"entry{count - 1:05d}"  # BibTeX keys match whatever their case
    text = f"\\documentclass{{article}}\n\\cite{{{key}}}\n\\bibliography{{big}}\n"
    uri = open_document(client, project, "long.tex", text)
    value = await hover(client, uri, end_of(text, "\\cite{entry"))
    assert value is not None
    assert "Sparse coding study 39999" in value
    assert f"big.bib:{(count - 1) * 6 + 1}" in value
