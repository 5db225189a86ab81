"""A real LSP client speaking to `paper-ls serve` over stdio, on a small LaTeX project."""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from paper_ls.demo import sample_library
from paper_ls.index.importer import add_source
from paper_ls.index.store import Index

REFS_BIB = """% the project's own bibliography
@article{smith2020graphs,
  author  = {Smith, Ann and M{\\"u}ller, Hans},
  title   = {Sparse Graphs and Their Spectra},
  journal = {Journal of Graph Theory},
  year    = {2020},
  doi     = {10.1000/graphs.2020},
}
"""

MAIN_TEX = """\\documentclass{article}
\\begin{document}
Intro.

\\bibliographystyle{plain}
\\bibliography{refs}
\\end{document}
"""


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample library indexed once per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp("index") / "index.sqlite3"
    with Index.open(path) as index:
        add_source(index, sample_library())
        index.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@dataclass
class Project:
    root: Path
    index: Path
    applied: list[types.WorkspaceEdit] = field(default_factory=list)
    #: What the server answered to `initialize`.
    initialized: types.InitializeResult | None = None
    #: The sources config the server syncs (not written unless a test writes it).
    config: Path = Path()
    #: What the server asked the client to register (file watchers).
    registrations: list[types.Registration] = field(default_factory=list)

    def uri(self, name: str) -> str:
        return (self.root / name).as_uri()

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def project(tmp_path: Path, built_index: Path) -> Project:
    root = tmp_path / "paper"
    root.mkdir()
    index = tmp_path / "index.sqlite3"
    shutil.copy(built_index, index)
    proj = Project(root, index, config=tmp_path / "config.toml")
    proj.write("refs.bib", REFS_BIB)
    proj.write("main.tex", MAIN_TEX)
    return proj


SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "paper_ls", "serve"])


def capabilities(
    apply_edit: bool = True, encodings: list[str] | None = None
) -> types.ClientCapabilities:
    caps = client_capabilities("visual-studio-code")
    if caps.workspace is not None:
        caps.workspace.apply_edit = apply_edit
    if encodings is not None:
        caps.general = types.GeneralClientCapabilities(position_encodings=encodings)
    return caps


async def start(
    client: LanguageClient,
    project: Project,
    *,
    apply_edit: bool = True,
    encodings: list[str] | None = None,
    **options: Any,
) -> None:
    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        project.applied.append(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        project.registrations.extend(params.registrations)

    @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def unregister(params: types.UnregistrationParams) -> None:
        gone = {u.id for u in params.unregisterations}
        project.registrations[:] = [r for r in project.registrations if r.id not in gone]

    project.initialized = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(apply_edit, encodings),
            root_uri=project.root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=project.root.as_uri(), name="paper")],
            initialization_options={
                "paper-ls": {"index": str(project.index), "config": str(project.config), **options}
            },
        )
    )


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, project: Project) -> AsyncIterator[LanguageClient]:
    await start(lsp_client, project)
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def plain_client(
    lsp_client: LanguageClient, project: Project
) -> AsyncIterator[LanguageClient]:
    """A client that cannot apply workspace edits: the server must write files itself."""
    await start(lsp_client, project, apply_edit=False)
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def utf8_client(
    lsp_client: LanguageClient, project: Project
) -> AsyncIterator[LanguageClient]:
    """A client that counts columns in UTF-8 bytes, as some editors negotiate."""
    await start(lsp_client, project, encodings=["utf-8"])
    yield lsp_client
    await lsp_client.shutdown_session()
