"""The server keeps the index fresh: the configured sources synced in the background."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from paper_ls.server.background import glob_pattern, matches, watch_patterns
from paper_ls.sync import load_config
from tests.server.conftest import MAIN_TEX, SERVER, Project, start
from tests.server.helpers import (
    complete,
    complete_until,
    diagnostics_until,
    end_of,
    open_document,
)

QUOKKA = """@article{quokka2021smiles,
  author = {Wombat, Wendy},
  title  = {Why Quokkas Smile: A Field Study},
  year   = {2021},
}
"""

NUMBAT = """@article{numbat2022termites,
  author = {Wombat, Wendy},
  title  = {Numbats Eating Termites at Dawn},
  year   = {2022},
}
"""

DOC = "\\documentclass{article}\n\\begin{document}\n\\cite{QUERY}\n\\end{document}\n"


def library(project: Project, text: str = QUOKKA) -> Path:
    """A .bib outside the project, listed by a glob in the config the server is told about."""
    folder = project.config.parent / "library"
    folder.mkdir(exist_ok=True)
    source = folder / "zoo.bib"
    source.write_text(text, encoding="utf-8")
    project.config.write_text('[[sources]]\npath = "library/*.bib"\n', encoding="utf-8")
    return source


def cite(client: LanguageClient, project: Project, query: str) -> tuple[str, types.Position]:
    text = DOC.replace("QUERY", query)
    uri = open_document(client, project, "doc.tex", text)
    return uri, end_of(text, "\\cite{" + query)


async def until(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.05)


def ended(client: LanguageClient) -> list[list[Any]]:
    return [
        values
        for values in client.progress_reports.values()
        if values and isinstance(values[-1], types.WorkDoneProgressEnd)
    ]


async def started(client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    await start(client, project)
    yield client
    await client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def synced(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    """A server whose config lists a .bib outside the project."""
    library(project)
    async for client in started(lsp_client, project):
        yield client


def watchers(project: Project) -> list[object]:
    """The glob patterns of the file watchers the server registered, as sent."""
    found = []
    for registration in project.registrations:
        if registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES:
            options = registration.register_options
            assert isinstance(options, dict)
            found += [w["globPattern"] for w in options["watchers"]]
    return found


async def test_configured_sources_are_imported_on_start_with_progress(
    synced: LanguageClient, project: Project
) -> None:
    uri, position = cite(synced, project, "quokkas smile")
    await complete_until(synced, uri, position, "quokka2021smiles", timeout=30)
    await until(lambda: bool(ended(synced)), "the progress ends")
    (values,) = ended(synced)
    assert isinstance(values[0], types.WorkDoneProgressBegin)
    assert values[0].title == "Importing papers"
    assert [v.message for v in values[1:-1] if isinstance(v, types.WorkDoneProgressReport)] == [
        "zoo.bib: 1 record added, updated or removed"
    ]
    assert isinstance(values[-1], types.WorkDoneProgressEnd)
    assert values[-1].message == "1 of 1 sources changed"
    folder = project.config.parent / "library"
    assert watchers(project) == [str(folder / "*.bib"), str(project.config)]


def changed(client: LanguageClient, *paths: Path) -> None:
    """What an editor sends when files it watches for the server change on disk."""
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Changed)
                for path in paths
            ]
        )
    )


async def test_a_changed_source_is_synced_again(synced: LanguageClient, project: Project) -> None:
    await until(lambda: len(ended(synced)) == 1, "the first sync ends")
    source = project.config.parent / "library" / "zoo.bib"
    source.write_text(QUOKKA + NUMBAT, encoding="utf-8")
    changed(synced, source)
    uri, position = cite(synced, project, "numbats termites")
    await complete_until(synced, uri, position, "numbat2022termites", timeout=30)
    await until(lambda: len(ended(synced)) == 2, "the second sync ends")
    assert ended(synced)[1][-1].message == "1 of 1 sources changed"
    # The source is outside the workspace: it is the index's, not a workspace bibliography.
    symbols = await synced.workspace_symbol_async(types.WorkspaceSymbolParams(query="numbat"))
    assert [s.name for s in symbols or [] if "numbat" in s.name] == ["numbat2022termites"]


@pytest_lsp.fixture(config=SERVER)
async def broken(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    """A server whose config file is not valid TOML."""
    library(project)
    project.config.write_text('[[sources]]\npath = "library/*.bib\n', encoding="utf-8")
    async for client in started(lsp_client, project):
        yield client


async def test_a_broken_config_is_one_warning_and_the_server_keeps_answering(
    broken: LanguageClient, project: Project
) -> None:
    await until(lambda: bool(broken.messages), "a message is shown")
    (message,) = broken.messages
    assert message.type == types.MessageType.Warning
    assert message.message.startswith(f"{project.config}: not valid TOML (")
    assert "\n" not in message.message
    uri, position = cite(broken, project, "attention")
    result = await complete(broken, uri, position)
    assert result.items[0].label == "vaswani2017attention"
    # Fixing the config (the editor reports the save) syncs its sources.
    project.config.write_text('[[sources]]\npath = "library/*.bib"\n', encoding="utf-8")
    changed(broken, project.config)
    uri, position = cite(broken, project, "quokkas smile")
    await complete_until(broken, uri, position, "quokka2021smiles", timeout=30)
    assert len(broken.messages) == 1


def family(number: int) -> str:
    """A distinct made-up surname per record ("Aaaa", "Baaa", ...)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "".join(letters[(number // 26**n) % 26] for n in range(4)).capitalize()


def arxiv_snapshot(path: Path, count: int) -> None:
    """An arXiv metadata snapshot, big enough to report progress (every 1,000 records)."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(
                f'{{"id": "2401.{i:05d}", "title": "Busy paper number {i}", '
                f'"authors_parsed": [["{family(i)}", "Min", ""]], '
                '"versions": [{"created": "1 Jan 2024"}]}\n'
            )


@pytest_lsp.fixture(config=SERVER)
async def busy(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    """A server importing a few thousand arXiv records when it starts."""
    arxiv_snapshot(project.config.parent / "snapshot.jsonl", 6000)
    project.config.write_text('sources = ["snapshot.jsonl"]\n', encoding="utf-8")
    async for client in started(lsp_client, project):
        yield client


def running(client: LanguageClient) -> int:
    """How many progress bars are open (begun and not ended)."""
    return sum(
        1
        for values in client.progress_reports.values()
        if values and not isinstance(values[-1], types.WorkDoneProgressEnd)
    )


async def test_completion_answers_while_a_sync_runs(busy: LanguageClient, project: Project) -> None:
    def counting() -> bool:
        reports = [v for values in busy.progress_reports.values() for v in values]
        return any(
            isinstance(v, types.WorkDoneProgressReport) and "records" in (v.message or "")
            for v in reports
        )

    await until(counting, "the import reports a count")
    uri, position = cite(busy, project, "attention")
    result = await complete(busy, uri, position)
    assert result.items[0].label == "vaswani2017attention"
    # Changes while it runs queue one more sync, which starts after this one ends.
    snapshot = project.config.parent / "snapshot.jsonl"
    bigger = snapshot.with_name("bigger.tmp")
    arxiv_snapshot(bigger, 6001)
    bigger.replace(snapshot)
    changed(busy, snapshot)
    changed(busy, snapshot, project.config)
    last = family(6000)
    uri, position = cite(busy, project, last)
    deadline = asyncio.get_running_loop().time() + 60
    while not any(
        i.label == f"{last.lower()}2024busy" for i in (await complete(busy, uri, position)).items
    ):
        assert running(busy) <= 1, "two syncs at once"
        assert asyncio.get_running_loop().time() < deadline, f"{last} never offered"
        await asyncio.sleep(0.05)
    first = next(iter(busy.progress_reports.values()))
    reports = [v.message for v in first if isinstance(v, types.WorkDoneProgressReport)]
    assert reports[:2] == ["snapshot.jsonl: 1,000 records", "snapshot.jsonl: 2,000 records"]
    # The second read knows the source's last size: a percentage.
    second = list(busy.progress_reports.values())[1]
    assert any(
        isinstance(v, types.WorkDoneProgressReport)
        and (v.message, v.percentage) == ("snapshot.jsonl: 1,000 of 6,000 records", 16)
        for v in second
    )


@pytest_lsp.fixture(config=SERVER)
async def long_sync(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    """A server reading a small .bib and then a long arXiv snapshot when it starts."""
    library(project)
    arxiv_snapshot(project.config.parent / "snapshot.jsonl", 30_000)
    project.config.write_text('sources = ["library/zoo.bib", "snapshot.jsonl"]\n', encoding="utf-8")
    async for client in started(lsp_client, project):
        yield client


async def test_cancelling_the_progress_interrupts_the_import_cleanly(
    long_sync: LanguageClient, project: Project
) -> None:
    def counting() -> str | None:
        for token, values in long_sync.progress_reports.items():
            if any("records" in (getattr(v, "message", None) or "") for v in values):
                return str(token)
        return None

    await until(lambda: counting() is not None, "the long import reports a count")
    long_sync.window_work_done_progress_cancel(
        types.WorkDoneProgressCancelParams(token=str(counting()))
    )
    await until(lambda: bool(ended(long_sync)), "the import stops")
    snapshot = project.config.parent / "snapshot.jsonl"
    assert ended(long_sync)[0][-1].message == (
        f"cancelled: interrupted while reading {snapshot}; that source is as it was before, "
        "sources read earlier are kept"
    )
    assert long_sync.messages == []  # the person asked for it: no warning
    uri, position = cite(long_sync, project, "quokkas smile")
    await complete_until(long_sync, uri, position, "quokka2021smiles")
    uri, position = cite(long_sync, project, family(0))
    assert not [
        i.label for i in (await complete(long_sync, uri, position)).items if "busy" in i.label
    ]


@pytest_lsp.fixture(config=SERVER)
async def fresh(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    """A server with no index yet, and a config naming one good and one missing source."""
    library(project)
    project.config.write_text('sources = ["library/zoo.bib", "gone.bib"]\n', encoding="utf-8")
    project.index.unlink()
    async for client in started(lsp_client, project):
        yield client


async def test_the_sync_creates_a_missing_index_and_logs_a_failing_source(
    fresh: LanguageClient, project: Project
) -> None:
    uri, position = cite(fresh, project, "quokkas smile")
    await complete_until(fresh, uri, position, "quokka2021smiles", timeout=30)
    await until(lambda: bool(ended(fresh)), "the sync ends")
    assert ended(fresh)[0][-1].message == "1 of 2 sources changed, 1 failed (see the log)"
    gone = project.config.parent / "gone.bib"
    warnings = [m.message for m in fresh.log_messages if m.type == types.MessageType.Warning]
    assert f"{gone}: no such file" in warnings
    assert fresh.messages == []  # a missing source is no popup


def test_watch_patterns_name_sources_zotero_wal_and_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'sources = ["~/Zotero/zotero.sqlite", "papers/**/*.bib", "/data/arxiv.jsonl"]\n'
    )
    home = str(Path("~").expanduser())
    assert watch_patterns(config, load_config(config)) == (
        f"{home}/Zotero/zotero.sqlite",
        f"{home}/Zotero/zotero.sqlite-wal",
        f"{tmp_path}/papers/**/*.bib",
        "/data/arxiv.jsonl",
        str(config),
    )
    assert watch_patterns(config, None) == (str(config),)


def test_relative_patterns_start_at_the_first_fixed_folder() -> None:
    pattern = glob_pattern("/home/ann/papers/**/*.bib", relative=True)
    assert isinstance(pattern, types.RelativePattern)
    assert (pattern.base_uri, pattern.pattern) == ("file:///home/ann/papers", "**/*.bib")
    single = glob_pattern("/data/arxiv.jsonl", relative=True)
    assert isinstance(single, types.RelativePattern)
    assert (single.base_uri, single.pattern) == ("file:///data", "arxiv.jsonl")
    assert glob_pattern("/data/arxiv.jsonl", relative=False) == "/data/arxiv.jsonl"


def test_a_changed_file_matches_its_glob_at_any_depth() -> None:
    patterns = ["/p/papers/**/*.bib", "/p/config.toml"]
    assert matches(Path("/p/papers/a.bib"), patterns)
    assert matches(Path("/p/papers/x/y/b.bib"), patterns)
    assert matches(Path("/p/config.toml"), patterns)
    assert not matches(Path("/p/papers/a.txt"), patterns)
    assert not matches(Path("/p/other/a.bib"), patterns)


async def test_without_a_config_nothing_syncs_until_one_is_written(
    client: LanguageClient, project: Project
) -> None:
    await until(lambda: bool(watchers(project)), "the config file is watched")
    assert watchers(project) == [str(project.config)]
    uri, position = cite(client, project, "attention")
    assert (await complete(client, uri, position)).items[0].label == "vaswani2017attention"
    assert client.messages == [] and client.progress_reports == {}
    library(project)
    changed(client, project.config)
    uri, position = cite(client, project, "quokkas smile")
    await complete_until(client, uri, position, "quokka2021smiles", timeout=30)
    folder = project.config.parent / "library"
    await until(lambda: len(watchers(project)) == 2, "the new source is watched")
    assert watchers(project) == [str(folder / "*.bib"), str(project.config)]


async def test_diagnostics_learn_what_a_sync_added_at_once(
    client: LanguageClient, project: Project
) -> None:
    text = MAIN_TEX.replace("Intro.", "Quokkas \\cite{quokka2021smiles}.")
    uri = open_document(client, project, "main.tex", text)

    def about_quokka(wanted: str) -> Callable[[Sequence[types.Diagnostic]], bool]:
        return lambda found: any(
            "quokka2021smiles" in d.message and wanted in d.message for d in found
        )

    await diagnostics_until(client, uri, lambda found: len(found) == 1)
    assert not about_quokka("the index has it")(client.diagnostics[uri])
    library(project)
    changed(client, project.config)
    # Sooner than the 30 s for which diagnostics otherwise remember what the index knows.
    await diagnostics_until(client, uri, about_quokka("the index has it"), timeout=20)
