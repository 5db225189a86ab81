"""A listing record (no authors, a listing's year or none) completed by the arXiv record."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from paper_ls.bibtex.render import render_entry
from paper_ls.index.importer import add_source, remove_source
from paper_ls.index.reader import find_paper
from paper_ls.index.search import search
from paper_ls.index.store import Index
from paper_ls.sources import ReadOptions
from tests.conftest import CliResult

TITLE = "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks"
ABSTRACT = (
    "Despite the widespread practical success of deep learning methods, our theoretical "
    "understanding of the dynamics of learning in deep neural networks remains quite sparse. "
    "We attempt to bridge the gap between the theory and practice of deep learning."
)
ARXIV = {
    "id": "1312.6120",
    "title": "Exact solutions to the nonlinear dynamics of learning in deep linear neural\n"
    "  networks",
    "authors_parsed": [["Saxe", "Andrew M.", ""], ["McClelland", "James L.", ""]],
    "doi": None,
    "categories": "cs.NE",
    "abstract": "  " + ABSTRACT,
    "versions": [{"version": "v1", "created": "Fri, 20 Dec 2013 20:24:30 GMT"}],
}


@pytest.fixture
def listing(tmp_path: Path) -> Callable[[str], Path]:
    def write(date_lines: str) -> Path:
        path = tmp_path / "listing.txt"
        path.write_text(f"Daily Papers\n\n{TITLE}\n\n{ABSTRACT}\n{date_lines}", encoding="utf-8")
        return path

    return write


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "arxiv.jsonl"
    path.write_text(json.dumps(ARXIV) + "\n", encoding="utf-8")
    return path


def only_paper(index: Index) -> tuple[str, int | None, str, str]:
    rows = index.conn.execute("SELECT key, year, families, arxiv FROM papers").fetchall()
    assert len(rows) == 1, rows
    key, year, families, arxiv = rows[0]
    return str(key), year, str(families), str(arxiv)


@pytest.mark.parametrize(
    "date_lines",
    [
        "",  # the compact layout: no date at all
        "\n  • 3 authors\n·\nDec 20\n",  # a date without a year, captured in another year
        "\n  • 3 authors\n·\nDec 20, 2013\n",  # the same year as the arXiv record
    ],
)
def test_listing_first_then_arxiv_is_one_completed_paper(
    index: Index, listing: Callable[[str], Path], snapshot: Path, date_lines: str
) -> None:
    add_source(index, listing(date_lines), options=ReadOptions(capture_year=2025))
    report = add_source(index, snapshot)
    assert report.added == 1
    key, year, families, arxiv = only_paper(index)
    assert (year, families.split("\x1f"), arxiv) == (2013, ["Saxe", "McClelland"], "1312.6120")
    stored = find_paper(index.conn, key)
    assert stored is not None
    assert stored.paper.short_description() == "Saxe and McClelland, 2013"
    assert "eprint        = {1312.6120}," in stored_bibtex(index, key)


def test_arxiv_first_then_listing_joins_the_same_paper(
    index: Index, listing: Callable[[str], Path], snapshot: Path
) -> None:
    add_source(index, snapshot)
    add_source(index, listing("\n  • 3 authors\n·\nDec 20\n"), options=ReadOptions(2025))
    key, year, _, arxiv = only_paper(index)
    assert (key, year, arxiv) == ("saxe2013exact", 2013, "1312.6120")
    assert search(index.conn, "saxe exact solutions").hits[0].key == "saxe2013exact"


def test_removing_the_arxiv_source_leaves_the_listing_paper_bare(
    index: Index, listing: Callable[[str], Path], snapshot: Path
) -> None:
    add_source(index, listing(""))
    add_source(index, snapshot)
    remove_source(index, str(snapshot))
    _, year, families, arxiv = only_paper(index)
    assert (year, families, arxiv) == (None, "", "")
    # ...and it is completed again when the arXiv record comes back.
    add_source(index, snapshot)
    assert only_paper(index)[2] == "Saxe\x1fMcClelland"


def test_papers_with_authors_and_the_same_title_in_other_years_stay_apart(
    index: Index, tmp_path: Path
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        f"@book{{a2001, author = {{Ann Smith}}, title = {{{TITLE}}}, year = 2001}}\n"
        f"@book{{b2011, author = {{Bob Jones}}, title = {{{TITLE}}}, year = 2011}}\n"
    )
    add_source(index, bib)
    assert index.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 2


def stored_bibtex(index: Index, key: str) -> str:
    stored = find_paper(index.conn, key)
    assert stored is not None
    return render_entry(stored.paper)


def test_cli_show_lists_both_sources(
    cli: Callable[..., CliResult], listing: Callable[[str], Path], snapshot: Path
) -> None:
    assert cli("add", "--year", "2025", str(listing(""))).code == 0
    assert cli("add", str(snapshot)).code == 0
    shown = cli("show", "exactsolutions", "--json").json()
    assert isinstance(shown, dict)
    assert [s["source"] for s in shown["sources"]] == ["listing", "arxiv"]
    assert shown["authors"][0] == {"family": "Saxe", "given": "Andrew M."}
