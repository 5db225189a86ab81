"""The cheap checks on every open and the full check, on real files damaged for real."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from paper_ls.errors import IndexCorruptError
from paper_ls.index import integrity
from paper_ls.index.importer import add_source
from paper_ls.index.store import Index
from tests.index import corrupt
from tests.index.test_crash import big_bib


@pytest.fixture
def built(sample_index: Index, index_path: Path) -> Path:
    """The sample library's index, closed (its write-ahead log merged into the file)."""
    sample_index.close()
    return index_path


def test_a_sound_index_passes_every_check(built: Path) -> None:
    assert integrity.header_problem(built) is None
    with Index.open(built, create=False) as index:
        assert integrity.full_check(index.conn) is None


@pytest.mark.parametrize(
    ("damage", "found"),
    [
        (corrupt.zero_header, "its SQLite header is missing or overwritten"),
        (corrupt.truncate, "the file is truncated ("),
    ],
)
def test_header_damage_is_found_on_open_without_reading_the_file(
    built: Path, damage: corrupt.Damage, found: str
) -> None:
    damage(built)
    assert (integrity.header_problem(built) or "").startswith(found)
    with pytest.raises(IndexCorruptError, match="is damaged"):
        Index.open(built, create=False)


def test_pages_of_garbage_are_found_by_the_full_check(built: Path) -> None:
    corrupt.garbage_pages(built)
    assert integrity.header_problem(built) is None  # the header is intact
    with Index.open(built, create=False) as index:
        problem = integrity.full_check(index.conn)
    assert problem is not None and problem.startswith("SQLite's check found: ")
    assert "\n" not in problem


def test_an_index_being_written_is_not_taken_for_a_truncated_one(
    index: Index, index_path: Path, tmp_path: Path
) -> None:
    """While the log holds the pages that make the file longer, the header may run ahead of
    the file; a reader opening then must not call the index damaged."""
    add_source(index, big_bib(tmp_path / "big.bib", 3000))
    assert Path(f"{index_path}-wal").stat().st_size > 0
    assert integrity.header_problem(index_path) is None
    with Index.open(index_path, create=False) as reader:
        assert reader.conn.execute("SELECT count(*) FROM papers").fetchone() == (3000,)


def test_an_empty_file_is_an_index_being_created_not_a_damaged_one(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    path.touch()
    assert integrity.header_problem(path) is None


def test_only_damage_counts_as_corruption() -> None:
    assert integrity.is_corruption(sqlite3.DatabaseError("database disk image is malformed"))
    assert integrity.is_corruption(sqlite3.DatabaseError("file is not a database"))
    assert not integrity.is_corruption(sqlite3.OperationalError("database is locked"))
    assert not integrity.is_corruption(sqlite3.OperationalError("database or disk is full"))
    assert not integrity.is_corruption(ValueError("malformed"))


def test_a_stamp_is_written_only_for_the_file_as_it_was_checked(built: Path) -> None:
    assert integrity.check_is_due(built)
    with Index.open(built, create=False) as index:
        assert integrity.check_and_stamp(built, index.conn) is None
    assert not integrity.check_is_due(built)
    with Index.open(built) as index, index.transaction() as conn:
        conn.execute("DELETE FROM papers WHERE id = (SELECT min(id) FROM papers)")
    assert integrity.check_is_due(built)
