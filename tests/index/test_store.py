"""Opening the index file while another process creates it, and writes that queue."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from paper_ls.errors import IndexStoreError
from paper_ls.index.importer import add_source, remove_source
from paper_ls.index.search import search
from paper_ls.index.store import (
    _SCHEMA,
    CACHE_KIB,
    FTS_HASHSIZE,
    IMPORT_CACHE_KIB,
    PAGE_SIZE,
    SCHEMA_VERSION,
    Index,
    _run_script,
    indexed_authors,
)


def test_a_reader_never_creates_the_schema(tmp_path: Path) -> None:
    """The server opens with create=False: an empty file is someone else's index-to-be."""
    path = tmp_path / "index.sqlite3"
    path.touch()
    with pytest.raises(IndexStoreError, match="is not a paper-ls index \\(yet\\)"):
        Index.open(path, create=False)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    with Index.open(path) as index:
        assert index.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_two_processes_creating_the_index_at_once_both_succeed(tmp_path: Path) -> None:
    """The second sees version 0, waits for the first's lock, then finds the schema made."""
    path = tmp_path / "index.sqlite3"
    first = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    first.execute("PRAGMA journal_mode = WAL")
    first.execute("BEGIN IMMEDIATE")
    opened: list[Index | Exception] = []

    def open_second() -> None:
        try:
            opened.append(Index.open(path))
        except IndexStoreError as exc:
            opened.append(exc)

    second = threading.Thread(target=open_second)
    second.start()
    time.sleep(0.3)  # the second has read version 0 and waits for the write lock
    _run_script(first, _SCHEMA)
    first.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    first.execute("COMMIT")
    second.join()
    first.close()
    (result,) = opened
    assert isinstance(result, Index), result
    result.close()


def test_a_write_queues_behind_another_process_write(tmp_path: Path) -> None:
    """A `sync` started during a long `add` waits for it, says so once, then lands."""
    path = tmp_path / "index.sqlite3"
    Index.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO sources (path, kind) VALUES ('first.bib', 'bibtex')")
    release = threading.Timer(6.0, lambda: holder.execute("COMMIT"))  # past the 5 s timeout
    waits: list[float] = []
    started = time.monotonic()
    with Index.open(path) as index:
        index.on_wait = lambda: waits.append(time.monotonic() - started)
        release.start()
        with index.transaction() as conn:
            conn.execute("INSERT INTO sources (path, kind) VALUES ('second.bib', 'bibtex')")
        waited = time.monotonic() - started
        rows = index.conn.execute("SELECT path FROM sources ORDER BY id").fetchall()
    release.join()
    holder.close()
    assert rows == [("first.bib",), ("second.bib",)]
    assert len(waits) == 1 and waits[0] < 1.0, waits
    assert waited >= 6.0


def test_a_write_that_waits_too_long_fails_with_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    Index.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO sources (path, kind) VALUES ('pending.bib', 'bibtex')")
    try:
        with (
            Index.open(path) as index,
            pytest.raises(IndexStoreError, match="locked by another paper-ls process"),
            index.transaction(wait_s=0.3),
        ):
            pass
        started = time.monotonic()
        with Index.open(path, create=False) as index:  # a reader never waits for the writer
            assert index.conn.execute("SELECT count(*) FROM sources").fetchone() == (0,)
        assert time.monotonic() - started < 0.5
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_new_index_has_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    with Index.open(tmp_path / "new.sqlite3") as index:
        assert index.conn.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 8192
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as conn:
        conn.execute("PRAGMA page_size = 4096")
        conn.execute("PRAGMA journal_mode = WAL")
        _run_script(conn, _SCHEMA)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    with Index.open(old) as index:
        assert index.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
        with index.transaction() as conn:
            conn.execute("INSERT INTO sources (path, kind) VALUES ('x', 'bibtex')")
        assert index.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 1


def test_a_second_connection_never_opens_the_file_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing any descriptor of the file would drop this process's SQLite locks on it (and
    let another process delete the write-ahead log under the first connection)."""
    import paper_ls.index.store as store

    path = tmp_path / "index.sqlite3"
    Index.open(path).close()
    checked: list[Path] = []
    monkeypatch.setattr(store, "header_problem", lambda p: checked.append(p))
    with Index.open(path, create=False):
        with Index.open(path, create=False), Index.open(path, create=False):
            pass
        assert checked == [path]  # only the first, with no connection open yet
    with Index.open(path, create=False):
        pass
    assert checked == [path, path]  # all closed: the next first open checks again


VENUE_BIB = """@inproceedings{vaswani2017attention,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2017},
}
@article{lee2017mice,
  title = {Attention Spans of Mice},
  author = {Lee, Ann},
  journal = {Journal of Rodent Behaviour},
  year = {2017},
}
"""

_SCHEMA_2_FTS_META = (
    "CREATE VIRTUAL TABLE fts_meta USING fts5(title, authors, year, content='',"
    " prefix='1 2 3 4', tokenize='unicode61 remove_diacritics 2')"
)


def _venue_matches(conn: sqlite3.Connection, expression: str) -> list[str]:
    return [
        key
        for (key,) in conn.execute(
            "SELECT key FROM papers WHERE id IN"
            " (SELECT rowid FROM fts_meta WHERE fts_meta MATCH ?) ORDER BY key",
            (expression,),
        )
    ]


def test_venue_words_are_searched_like_title_words(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(VENUE_BIB, encoding="utf-8")
    with Index.open(tmp_path / "index.sqlite3") as index:
        add_source(index, bib)
        assert _venue_matches(index.conn, '"neural" AND "attention"') == ["vaswani2017attention"]
        assert search(index.conn, "rodent attention").hits[0].key == "lee2017mice"


def test_an_index_of_schema_2_is_migrated_to_searchable_venues(tmp_path: Path) -> None:
    """Its contentless FTS table is rebuilt from `papers` with exactly the text a later
    delete hands back: removing the source afterwards leaves it empty and sound."""
    bib = tmp_path / "refs.bib"
    bib.write_text(VENUE_BIB, encoding="utf-8")
    path = tmp_path / "index.sqlite3"
    with Index.open(path) as index:
        add_source(index, bib)
    with sqlite3.connect(path) as conn:  # the table as schema 2 had it
        conn.create_function("authors_of", 2, indexed_authors)
        conn.execute("DROP TABLE fts_meta")
        conn.execute(_SCHEMA_2_FTS_META)
        conn.execute(
            "INSERT INTO fts_meta (rowid, title, authors, year)"
            " SELECT id, title, authors_of(families, givens), CAST(year AS TEXT) FROM papers"
        )
        conn.execute("PRAGMA user_version = 2")
    with Index.open(path) as index:
        assert index.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert _venue_matches(index.conn, '"neural" AND "attention"') == ["vaswani2017attention"]
        assert _venue_matches(index.conn, '"vaswani" AND "2017"') == ["vaswani2017attention"]
        remove_source(index, str(bib))
        assert _venue_matches(index.conn, '"attention" OR "neural" OR "vaswani"') == []
        index.conn.execute("INSERT INTO fts_meta (fts_meta, rank) VALUES ('integrity-check', 0)")


def test_an_imports_larger_buffers_end_with_it(tmp_path: Path) -> None:
    """The page cache grows for the import only (a reader keeps its small one); the FTS
    tables keep their larger segment size in the index, as FTS5 stores it."""
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{a, title={Sparse attention}, author={Lovelace, Ada}, year=2020}\n")
    with Index.open(tmp_path / "index.sqlite3") as index:
        seen: list[int] = []
        with index.import_transaction() as conn:
            seen.append(conn.execute("PRAGMA cache_size").fetchone()[0])
        add_source(index, bib)
        assert seen == [-IMPORT_CACHE_KIB]
        assert index.conn.execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB
        for table in ("fts_meta", "fts_abstract"):
            stored = index.conn.execute(f"SELECT v FROM {table}_config WHERE k = 'hashsize'")
            assert stored.fetchone() == (FTS_HASHSIZE,)
        assert search(index.conn, "sparse").hits[0].key == "a"
