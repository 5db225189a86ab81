"""Paper listings copied from a listing page: both layouts, furniture, dates, duplicates."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from paper_ls.index.importer import add_source
from paper_ls.index.reader import find_paper
from paper_ls.index.store import Index
from paper_ls.model import Paper
from paper_ls.sources import Problem, ReadOptions, detect_format
from paper_ls.sources.listings import read
from tests.conftest import CliResult

FIXTURES = Path(__file__).parent / "fixtures"
BLOCKS = FIXTURES / "listing-blocks.txt"
COMPACT = FIXTURES / "listing-compact.txt"
EXACT = "Exact solutions to the nonlinear dynamics of learning in deep linear neural networks"


def papers(path: Path, year: int | None = 2025) -> list[Paper]:
    records = list(read(path, capture_year=year))
    assert [r for r in records if isinstance(r, Problem)] == []
    return [r for r in records if isinstance(r, Paper)]


def test_blocks_layout_titles_abstracts_and_dates() -> None:
    found = papers(BLOCKS)
    assert [p.title for p in found] == [
        "Provable Scaling Laws of Feature Emergence from Learning Dynamics of Grokking",
        "ResAdapter: Domain Consistent Resolution Adapter for Diffusion Models",
        "DynamicScaler: Seamless and Scalable Video Generation for Panoramic Scenes",
        EXACT,
        "SimpleGVR: A Simple Baseline for Latent-Cascaded Video Super-Resolution",
        "Human Vision Constrained Super-Resolution",
        "Motion-Guided Latent Diffusion for Temporally Consistent Real-world Video "
        "Super-resolution",
    ]
    # `Sep 25` takes the capture year; `Mar 4, 2024 1` is a date and an upvote count;
    # blocks without metadata have no year; the header date `Nov 7` dates nothing.
    assert [p.year for p in found] == [2025, 2024, 2024, 2013, None, None, None]
    assert all(p.abstract and not p.authors for p in found)
    assert found[0].abstract.startswith("While the phenomenon of grokking")
    assert found[0].provenance is not None and found[0].provenance.line == 13


def test_compact_layout_strips_the_banner_glued_to_the_first_title() -> None:
    found = papers(COMPACT)
    assert [p.title for p in found] == [
        "Phase diagram and eigenvalue dynamics of stochastic gradient descent in multilayer "
        "neural networks",
        "Dale meets Langevin: A Multiplicative Denoising Diffusion Model",
        EXACT,
        "Self-supervised Learning of Motion Capture",
    ]
    assert found[1].abstract.startswith("Gradient descent has proven")
    assert [p.provenance.line for p in found if p.provenance] == [3, 5, 7, 9]


def test_full_sample_listings_read_without_problems() -> None:
    shared = Path("/work/shared/data/listings")
    if not shared.exists():
        pytest.skip("the shared sample listings are not on this machine")
    assert len(papers(shared / "listing-compact.txt")) == 196
    blocks = papers(shared / "listing-blocks.txt")
    assert len(blocks) > 50
    assert all(len(p.title) < 200 and len(p.abstract) > 200 for p in blocks)


def test_date_without_year_defaults_to_the_file_modification_year(tmp_path: Path) -> None:
    copy = tmp_path / "listing.txt"
    shutil.copy(BLOCKS, copy)
    when = datetime(2021, 6, 1).timestamp()
    os.utime(copy, (when, when))
    assert papers(copy, year=None)[0].year == 2021


def test_an_abstract_without_a_title_is_a_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_text("Daily Papers\n\n" + "An orphan abstract sentence. " * 12 + "\n")
    records = list(read(path, capture_year=2025))
    assert records == [
        Problem(str(path), 3, "text that reads as an abstract has no title; skipped")
    ]


def test_listings_are_detected_by_content() -> None:
    assert detect_format(BLOCKS) == "listing"
    assert detect_format(COMPACT) == "listing"


def test_duplicates_across_listings_are_one_paper(index: Index) -> None:
    add_source(index, BLOCKS)
    add_source(index, COMPACT)
    rows = index.conn.execute("SELECT key, year FROM papers WHERE title = ?", (EXACT,)).fetchall()
    assert len(rows) == 1
    assert rows[0][1] == 2013
    stored = find_paper(index.conn, rows[0][0])
    assert stored is not None
    assert {p.path for p in stored.provenances} == {str(BLOCKS), str(COMPACT)}
    # Seven papers in one, four in the other, one shared; the repeat within a file is dropped.
    assert index.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 10


def test_reimporting_a_listing_keeps_its_generated_keys(index: Index, tmp_path: Path) -> None:
    copy = tmp_path / "listing.txt"
    shutil.copy(BLOCKS, copy)
    add_source(index, copy, options=ReadOptions(capture_year=2025))
    keys = {k for (k,) in index.conn.execute("SELECT key FROM papers")}
    report = add_source(index, copy, force=True, options=ReadOptions(capture_year=2025))
    assert (report.added, report.removed, report.unchanged) == (0, 0, 7)
    assert {k for (k,) in index.conn.execute("SELECT key FROM papers")} == keys
    assert "provable2025" in keys


def test_cli_year_option_dates_listing_entries(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    result = cli("add", "--year", "2023", str(BLOCKS))
    assert result.code == 0, result.err
    assert "7 entries" in result.out
    shown = cli("show", "provable2023", "--json").json()
    assert isinstance(shown, dict)
    assert shown["year"] == 2023
    assert shown["bibtex"].startswith("@misc{provable2023,")
