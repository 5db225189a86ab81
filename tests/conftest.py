"""Shared fixtures: a fresh index file per test, and a way to run the real command."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from paper_ls.cli import main
from paper_ls.demo import sample_library
from paper_ls.index.importer import add_source
from paper_ls.index.store import Index


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


@pytest.fixture
def index_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A per-test index; `$PAPER_LS_INDEX` points at it so nothing touches the real one."""
    path = tmp_path / "index.sqlite3"
    monkeypatch.setenv("PAPER_LS_INDEX", str(path))
    return path


@pytest.fixture
def index(index_path: Path) -> Iterator[Index]:
    with Index.open(index_path) as opened:
        yield opened


@pytest.fixture
def sample_index(index: Index) -> Index:
    """The bundled 49-entry sample library, imported."""
    add_source(index, sample_library())
    return index


@pytest.fixture
def cli(index_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `paper-ls ARGS...` in-process against the per-test index."""

    def run(*args: str) -> CliResult:
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def write_bib(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
