"""Which reader a file gets: suffix when only one format claims it, else its content."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from paper_ls.errors import SourceError
from paper_ls.sources import FORMATS, detect_format, reader_for
from tests.conftest import CliResult

ABSTRACT = "We study a thing. " * 20
SAMPLES = {
    "refs.bib": ("@article{a, title={A}}\n", "bibtex"),
    "export.txt": ("% exported\n@book{b, title = {B}}\n", "bibtex"),
    "listing.txt": (f"Daily Papers\n\nA Title of a Paper\n\n{ABSTRACT}\n", "listing"),
    "library.json": (json.dumps([{"id": "a", "type": "book", "title": "A"}]), "csl-json"),
    "one-item.json": (json.dumps({"id": "a", "type": "book", "title": "A"}), "csl-json"),
    "daily.json": (
        json.dumps([{"paper": {"id": "1", "title": "T", "publishedAt": "2024-01-01"}}]),
        "huggingface",
    ),
    "snapshot.json": (json.dumps({"id": "0704.0001", "versions": [], "title": "T"}), "arxiv"),
    "snapshot.jsonl": ("{}\n", "arxiv"),
    "items.csljson": ("[]", "csl-json"),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_format_is_detected(tmp_path: Path, name: str) -> None:
    text, expected = SAMPLES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert detect_format(path) == expected


def test_every_format_has_a_reader() -> None:
    for name in FORMATS:
        assert callable(reader_for(name))


@pytest.mark.parametrize(
    ("name", "text"),
    [("notes.md", "# Notes\n\nJust a few short lines.\n"), ("data.json", '{"rows": [1, 2]}')],
)
def test_unknown_content_asks_for_format(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SourceError, match="pass --format to say which it is"):
        detect_format(path)


def test_format_option_overrides_detection(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    path = tmp_path / "papers.data"
    # Too short an abstract for detection to call it a listing with confidence.
    path.write_text("A Title of a Paper\nA short abstract. It has two sentences.\n")
    refused = cli("add", str(path))
    assert refused.code == 1
    assert "pass --format" in refused.err
    result = cli("add", "--format", "listing", "--year", "2024", str(path))
    assert result.code == 0, result.err
    assert "1 entries (1 added" in result.out
    assert cli("sources").out.count("[listing]") == 1


def test_an_unknown_format_name_is_refused_by_the_cli(
    cli: Callable[..., CliResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli("add", "--format", "endnote", str(tmp_path / "x"))
    assert "invalid choice: 'endnote'" in capsys.readouterr().err
