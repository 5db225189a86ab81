"""The paper-ls command as a person uses it: output, --json, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from paper_ls.demo import sample_library
from tests.conftest import CliResult

Cli = Callable[..., CliResult]

REFS = """@article{smith2020graphs,
  author = {Smith, Ann and M{\\"u}ller, Hans},
  title = {Sparse Graphs and Their Spectra},
  journal = {Journal of Graph Theory},
  year = {2020},
  month = jun,
  doi = {10.1000/graphs.2020}
}
"""


def test_add_then_search_json(cli: Cli, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(REFS)
    added = cli("add", str(bib))
    assert added.code == 0
    assert "1 entries (1 added" in added.out
    found = cli("search", "muller", "spectra", "--json")
    assert found.code == 0
    results = found.json()
    assert isinstance(results, list)
    assert results[0]["key"] == "smith2020graphs"
    assert results[0]["authors"][1] == {"family": "Müller", "given": "Hans"}
    assert results[0]["year"] == 2020
    assert results[0]["score"] > 0


def test_search_table_is_readable(cli: Cli) -> None:
    cli("add", str(sample_library()))
    out = cli("search", "vaswani", "attention").out
    first = out.splitlines()[0]
    assert first.startswith("vaswani2017attention")
    assert "2017" in first and "Vaswani et al." in first and "Attention Is All You Need" in first


def test_show_prints_everything_and_where_it_came_from(cli: Cli, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(REFS)
    cli("add", str(bib))
    out = cli("show", "smith2020graphs").out
    assert "Sparse Graphs and Their Spectra" in out
    assert "Ann Smith; Hans Müller" in out
    assert f"{bib.resolve()}:1" in out
    shown = cli("show", "smith2020graphs", "--json").json()
    assert isinstance(shown, dict)
    assert shown["doi"] == "10.1000/graphs.2020"
    assert shown["sources"] == [{"source": "bibtex", "path": str(bib.resolve()), "line": 1}]


def test_bibtex_exports_clean_entries(cli: Cli, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(REFS)
    cli("add", str(bib))
    out = cli("bibtex", "smith2020graphs").out
    assert out.startswith('@article{smith2020graphs,\n  author  = {Smith, Ann and M{\\"u}ller')
    assert "  month   = jun,\n" in out
    missing = cli("bibtex", "smith2020graphs", "nosuchkey")
    assert missing.code == 1
    assert "not in the index: nosuchkey" in missing.err


def test_sources_stats_and_remove(cli: Cli, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(REFS)
    cli("add", str(bib))
    cli("add", str(sample_library()))
    sources = cli("sources", "--json").json()
    assert isinstance(sources, list)
    assert {(s["path"], s["entries"]) for s in sources} == {
        (str(bib.resolve()), 1),
        (str(sample_library().resolve()), 49),
    }
    stats = cli("stats", "--json").json()
    assert isinstance(stats, dict)
    assert (stats["papers"], stats["sources"]) == (50, 2)
    assert cli("remove", "refs.bib").code == 0
    after = cli("stats", "--json").json()
    assert isinstance(after, dict)
    assert (after["papers"], after["sources"]) == (49, 1)


def test_add_reports_malformed_entries_with_lines(cli: Cli, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{ok1, title={One}}\n\n@misc{bad title={x}}\n\n@misc{ok2, title={Two}}\n")
    result = cli("add", str(bib))
    assert result.code == 0
    assert f"warning: {bib.resolve()}:3: malformed entry" in result.err
    assert "2 entries" in result.out and "1 skipped with errors" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "/nonexistent/refs.bib"), "/nonexistent/refs.bib: no such file"),
        (("show", "nosuchkey"), "no paper with key 'nosuchkey'"),
        (("remove", "nothing.bib"), "no source 'nothing.bib'"),
    ],
)
def test_errors_are_one_line(cli: Cli, args: tuple[str, ...], message: str) -> None:
    cli("add", str(sample_library()))
    result = cli(*args)
    assert result.code == 1
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_not_bibtex_is_refused_clearly(cli: Cli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.bib"
    notes.write_text("just some notes, no entries here\n")
    result = cli("add", str(notes))
    assert result.code == 1
    assert "not a BibTeX file" in result.err


def test_search_before_any_import_says_what_to_do(cli: Cli) -> None:
    result = cli("search", "anything")
    assert result.code == 1
    assert "paper-ls add" in result.err


def test_index_option_overrides_environment(cli: Cli, tmp_path: Path, index_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    assert cli("add", str(sample_library()), "--index", str(other)).code == 0
    assert other.exists() and not index_path.exists()
    assert cli("--index", str(other), "search", "vaswani").out.startswith("vaswani2017attention")


def test_console_script_errors_without_traceback(tmp_path: Path) -> None:
    """Run the real installed entry point in a subprocess, as a user would."""
    locked = tmp_path / "index.sqlite3"
    locked.write_bytes(b"this is not a database at all" * 10)
    env = {**os.environ, "PAPER_LS_INDEX": str(locked)}
    proc = subprocess.run(
        [sys.executable, "-m", "paper_ls", "stats"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "not a readable paper-ls index" in proc.stderr


def test_demo_shows_the_main_job(cli: Cli) -> None:
    result = cli("demo")
    assert result.code == 0
    assert "Indexed 49 entries" in result.out
    assert "vaswani2017attention" in result.out
    assert "@inproceedings{vaswani2017attention," in result.out
    # ... and through the real language server: completion, resolve, insertion.
    assert "typed '\\cite{attention need' -> " in result.out
    assert "    vaswani2017attention " in result.out.split("driven over stdio")[1]
    assert "**Attention Is All You Need**" in result.out
    assert "the editor is asked to append to refs.bib: @inproceedings{vaswani2017attention," in (
        result.out
    )
