"""The arXiv OAI snapshot: one JSON object per line, LaTeX in titles, BibTeX export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paper_ls.bibtex.render import render_entry
from paper_ls.index.importer import add_source
from paper_ls.index.reader import find_paper
from paper_ls.index.store import Index
from paper_ls.model import Paper
from paper_ls.sources import Problem, detect_format
from paper_ls.sources.arxiv import read

SCHRODINGER: dict[str, Any] = {
    "id": "2101.00001",
    "submitter": "Erwin Schmidt",
    "authors": 'E. Schr\\"odinger, A. M\\"uller Jr',
    "title": 'On the Schr\\"odinger equation with $\\alpha$-stable noise:\n  a 5% study',
    "comments": "12 pages",
    "journal-ref": None,
    "doi": None,
    "report-no": None,
    "categories": "math-ph math.AP",
    "license": None,
    "abstract": "  We study Q&A style bounds.\nThe rate is\n$O(n^{-1/2})$ for Li_2 terms.\n",
    "versions": [
        {"version": "v1", "created": "Thu, 31 Dec 2020 18:00:01 GMT"},
        {"version": "v2", "created": "Mon, 3 May 2021 10:00:00 GMT"},
    ],
    "update_date": "2021-05-04",
    "authors_parsed": [['Schr\\"odinger', "E.", ""], ['M\\"uller', "A.", "Jr"]],
}
PUBLISHED: dict[str, Any] = {
    "id": "0704.0001",
    "authors": "C. Bal\\'azs, E. L. Berger",
    "title": "Calculation of prompt diphoton production cross sections",
    "journal-ref": "Phys.Rev.D76:013009,2007",
    "doi": "10.1103/PhysRevD.76.013009",
    "categories": "hep-ph",
    "abstract": "  A fully differential calculation.\n",
    "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
    "update_date": "2008-11-13",
    "authors_parsed": [["Balázs", "C.", ""], ["Berger", "E. L.", ""]],
}


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_latex_title_is_decoded_and_whitespace_normalised(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "arxiv.json", json.dumps(SCHRODINGER))
    (paper,) = list(read(path))
    assert isinstance(paper, Paper)
    assert paper.title == "On the Schrödinger equation with $\\alpha$-stable noise: a 5% study"
    assert paper.abstract == "We study Q&A style bounds. The rate is $O(n^{-1/2})$ for Li_2 terms."
    assert [(a.family, a.given) for a in paper.authors] == [("Schrödinger", "E."), ("Müller", "A.")]
    assert (paper.year, paper.arxiv, paper.entry_type) == (2020, "2101.00001", "misc")


def test_preprint_exports_as_misc_with_eprint_fields(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "arxiv.json", json.dumps(SCHRODINGER))
    (paper,) = list(read(path))
    assert isinstance(paper, Paper)
    entry = render_entry(paper, "schrodinger2020schrodinger")
    assert entry.startswith("@misc{schrodinger2020schrodinger,")
    assert 'author        = {Schr\\"odinger, E. and M\\"uller, Jr, A.},' in entry
    # LaTeX kept as written, bare specials escaped outside math, line breaks gone.
    assert (
        'title         = {On the Schr\\"odinger equation with $\\alpha$-stable noise: '
        "a 5\\% study}," in entry
    )
    assert (
        "abstract      = {We study Q\\&A style bounds. The rate is $O(n^{-1/2})$ for Li\\_2"
        in entry
    )
    assert "eprint        = {2101.00001}," in entry
    assert "archiveprefix = {arXiv}," in entry
    assert "primaryclass  = {math-ph}," in entry
    assert "year          = {2020}," in entry


def test_published_paper_exports_as_article_with_its_journal(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "arxiv.jsonl", json.dumps(PUBLISHED))
    (paper,) = list(read(path))
    assert isinstance(paper, Paper)
    assert (paper.entry_type, paper.year, paper.doi) == (
        "article",
        2007,
        "10.1103/PhysRevD.76.013009",
    )
    entry = render_entry(paper, "balazs2007calculation")
    assert entry.startswith("@article{balazs2007calculation,")
    assert "journal       = {Phys.Rev.D76:013009,2007}," in entry
    assert "eprint        = {0704.0001}," in entry
    assert "doi           = {10.1103/PhysRevD.76.013009}," in entry


def test_a_bad_line_is_a_problem_with_its_number_and_reading_goes_on(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "arxiv.json",
        json.dumps(PUBLISHED),
        '{"id": "0704.0002", "title": "Trunc',
        "",
        '{"title": "no id"}',
        json.dumps(SCHRODINGER),
    )
    records = list(read(path))
    assert [type(r).__name__ for r in records] == ["Paper", "Problem", "Problem", "Paper"]
    assert str(records[1]).startswith(f"{path}:2: not a JSON object")
    assert records[2] == Problem(str(path), 4, "not an arXiv record (no 'id')")
    paper = records[3]
    assert isinstance(paper, Paper) and paper.provenance is not None
    assert paper.provenance.line == 5


def test_snapshot_is_detected_even_with_a_json_suffix(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "arxiv-metadata-oai-snapshot.json", json.dumps(PUBLISHED))
    assert detect_format(path) == "arxiv"


def test_import_generates_keys_and_reimport_changes_nothing(tmp_path: Path, index: Index) -> None:
    path = write_lines(tmp_path / "arxiv.jsonl", json.dumps(PUBLISHED), json.dumps(SCHRODINGER))
    report = add_source(index, path)
    assert (report.added, report.problems) == (2, [])
    stored = find_paper(index.conn, "balazs2007calculation")
    assert stored is not None and stored.paper.arxiv == "0704.0001"
    assert find_paper(index.conn, "schrodinger2020schrodinger") is not None
    again = add_source(index, path, force=True)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 2)


def test_the_snapshot_is_streamed_not_loaded(tmp_path: Path) -> None:
    import tracemalloc

    long_abstract = "words of an abstract " * 5000  # ~100 kB per line, ~8 MB in all
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(80):
            out.write(json.dumps({**PUBLISHED, "id": f"0704.{i:04d}", "abstract": long_abstract}))
            out.write("\n")
    tracemalloc.start()
    try:
        count = sum(1 for record in read(path) if isinstance(record, Paper))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 80
    assert peak < 3_000_000, f"peak {peak:,} bytes: the file was held in memory"


def test_a_large_snapshot_is_read_by_workers_in_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paper_ls.sources import arxiv

    lines = []
    for i in range(60):
        lines.append(json.dumps({**PUBLISHED, "id": f"0704.{i:04d}", "title": f"Paper {i}"}))
        if i % 17 == 3:
            lines.append("{not json")
        if i % 11 == 5:
            lines.append("")
    lines.append(json.dumps(SCHRODINGER))
    path = write_lines(tmp_path / "snapshot.jsonl", *lines)
    whole = list(read(path))
    monkeypatch.setattr(arxiv, "PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr(arxiv, "BLOCK_BYTES", 700)  # a few lines per block, cut mid-line
    assert list(read(path)) == whole
    assert [r.line for r in whole if isinstance(r, Problem)] == [5, 25, 44, 64]
    assert sum(isinstance(r, Paper) for r in whole) == 61
