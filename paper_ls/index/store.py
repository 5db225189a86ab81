"""The index file: schema, versioning, connections and transactions.

One SQLite file in WAL mode so that several editors' servers read while `paper-ls add`
writes. Text is indexed by two contentless FTS5 tables (no second copy of the text): a small
one over title/authors/year with prefix indexes for keystroke search (keys have their own
B-tree index for prefixes), and one over
abstracts without positions (`detail=none`), which is all an AND of words needs.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from paper_ls.errors import IndexCorruptError, IndexStoreError
from paper_ls.index.integrity import header_problem, is_corruption, was_an_index

SCHEMA_VERSION = 3
#: How long a statement waits for a lock. Readers in WAL mode never need one; it covers the
#: rare moments SQLite itself needs (opening a WAL another process is recovering).
BUSY_TIMEOUT_MS = 5000
#: How long a write waits for another process's write to end: an import of a large source
#: holds the write lock for minutes, and a `sync` started meanwhile should queue, not fail.
WRITE_WAIT_S = 900.0
#: The wait is taken in steps this long, so that Ctrl-C stops a waiting command at once.
_WRITE_WAIT_STEP_MS = 100
PAGE_SIZE = 8192
#: SQLite's page cache, per connection: what a reader (the language server) needs.
CACHE_KIB = 32_000
#: The page cache of an import, which inserts into B-tree indexes in random order (keys,
#: title hashes): pages it revisits stay in memory instead of being re-read and re-spilled.
IMPORT_CACHE_KIB = 96_000
#: How much each FTS table gathers in memory before it writes a segment (FTS5's `hashsize`,
#: 1 MB by default). Fewer, larger segments are merged fewer times: with 16 MB, SQLite's
#: share of importing 500k arXiv records fell from 53 s to 34 s (`benchmarks/RESULTS.md`).
FTS_HASHSIZE = 16 << 20
_FTS_TABLES = ("fts_meta", "fts_abstract")
#: Joins the family (and given) names of a paper's authors in one column.
NAME_SEPARATOR = "\x1f"
_TOKENIZER = "unicode61 remove_diacritics 2"

#: Papers known without authors (from listings), matched by title alone when completed.
_AUTHORLESS_INDEX = "CREATE INDEX papers_authorless ON papers(title_hash) WHERE families = ''"

#: Title, author and venue words and the year, for keystroke search (schema 3 added venue).
_FTS_META = f"""CREATE VIRTUAL TABLE fts_meta USING fts5(
    title, authors, year, venue,
    content='', prefix='1 2 3 4', tokenize='{_TOKENIZER}'
)"""

_SCHEMA = f"""
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    size INTEGER,
    mtime_ns INTEGER,
    read_at TEXT,
    entry_count INTEGER NOT NULL DEFAULT 0,
    problem_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE papers (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    entry_type TEXT NOT NULL,
    title TEXT NOT NULL,
    families TEXT NOT NULL,         -- family names, in order, joined by U+001F
    givens TEXT NOT NULL,           -- given names, likewise
    year INTEGER,
    venue TEXT NOT NULL,
    doi TEXT NOT NULL,
    arxiv TEXT NOT NULL,
    has_abstract INTEGER NOT NULL,
    title_hash INTEGER NOT NULL     -- normalised title + year, for deduplication
);
CREATE INDEX papers_key ON papers(key COLLATE NOCASE);
CREATE INDEX papers_doi ON papers(doi) WHERE doi != '';
CREATE INDEX papers_arxiv ON papers(arxiv) WHERE arxiv != '';
CREATE INDEX papers_title_hash ON papers(title_hash);
{_AUTHORLESS_INDEX};
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    paper_id INTEGER NOT NULL REFERENCES papers(id),
    key TEXT NOT NULL,
    line INTEGER,
    digest INTEGER NOT NULL,        -- content hash: re-import touches only what changed
    data BLOB NOT NULL              -- zlib-compressed JSON of the record as read
);
CREATE INDEX records_source ON records(source_id, key);
CREATE INDEX records_paper ON records(paper_id);
CREATE INDEX records_key ON records(key COLLATE NOCASE);
{_FTS_META};
CREATE VIRTUAL TABLE fts_abstract USING fts5(
    abstract, content='', detail=none, tokenize='{_TOKENIZER}'
);
CREATE TABLE terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE term_variants (
    variant TEXT NOT NULL, term TEXT NOT NULL, PRIMARY KEY (variant, term)
) WITHOUT ROWID;
"""


def indexed_authors(families: str, givens: str) -> str:
    """The author text `fts_meta` indexes, from the names as `papers` stores them."""
    if not families and not givens:
        return ""
    pairs = zip(families.split(NAME_SEPARATOR), givens.split(NAME_SEPARATOR), strict=True)
    return "; ".join(f"{given} {family}".strip() for family, given in pairs)


def _index_venues(conn: sqlite3.Connection) -> None:
    """Schema 3: venue words are searched too. `fts_meta` is contentless, so it is made anew
    from `papers`, which holds exactly the text it indexed (a minute for a million papers)."""
    conn.create_function("paper_ls_authors", 2, indexed_authors, deterministic=True)
    conn.execute("DROP TABLE fts_meta")
    conn.execute(_FTS_META)
    conn.execute(
        "INSERT INTO fts_meta (rowid, title, authors, year, venue)"
        " SELECT id, title, paper_ls_authors(families, givens),"
        " CASE WHEN year THEN CAST(year AS TEXT) ELSE '' END, venue FROM papers"
    )


#: Migrations from version N to N+1, applied in order inside one transaction.
_MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], None]] = {
    1: _AUTHORLESS_INDEX,
    2: _index_venues,
}


class Index:
    """An open index. Use as a context manager; writes go through `transaction()`."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.conn = connection
        #: Called once when a write has to wait for another process's write (to say so).
        self.on_wait: Callable[[], None] | None = None
        #: The file this connection reads: another file may later take its place (a rebuilt
        #: index moved in by `paper_ls.index.recovery`, or an index deleted and made anew),
        #: which `replaced` notices.
        self.identity = file_identity(path)
        self._closed = False

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Index:
        if not path.exists() and not create:
            raise IndexStoreError(
                f"no index at {path}; run 'paper-ls add FILE.bib' first, or pass --index"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexStoreError(
                f"cannot create the index directory {path.parent}: {exc.strerror or exc}"
            ) from exc
        with _OPEN_LOCK:
            if not _open_here(path):
                _refuse_a_bad_header(path)
            try:
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            except sqlite3.DatabaseError as exc:
                raise translate_error(exc, path) from exc
            _OPENED[_identity_key(path)] += 1
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # A new index only (an existing one keeps its page size): records of one to two
            # kilobytes waste less of 8 KiB pages, which keeps the index smaller than its
            # sources. Before WAL mode, which fixes the page size.
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            index = cls(path, conn)
            index._ensure_schema(create)
        except BaseException as exc:
            _forget_open(path)
            conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise translate_error(exc, path) from exc
            raise
        return index

    def replaced(self) -> bool:
        """Whether the file at `path` is no longer the one opened (deleted, or a rebuilt
        index renamed over it): a long-lived reader then reopens, or it would read the old
        file forever."""
        return file_identity(self.path) != self.identity

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _forget_open(self.path)
        self.conn.close()

    @contextmanager
    def transaction(self, wait_s: float = WRITE_WAIT_S) -> Iterator[sqlite3.Connection]:
        """An immediate write transaction: all of an import lands, or none of it.

        Another process writing (an import) is waited for, up to `wait_s`.
        """
        self._begin_write(wait_s)
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self.conn.execute("ROLLBACK")
            raise translate_error(exc, self.path) from exc

    @contextmanager
    def import_transaction(self, wait_s: float = WRITE_WAIT_S) -> Iterator[sqlite3.Connection]:
        """`transaction` with the larger write buffers that a long import pays back.

        The FTS setting is stored in the index (it is FTS5's way), and costs nothing to a
        small write, which never gathers that much; the cache is this connection's alone.
        """
        self.conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        try:
            with self.transaction(wait_s) as conn:
                for table in _FTS_TABLES:
                    conn.execute(
                        f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)",
                        (FTS_HASHSIZE,),
                    )
                yield conn
        finally:
            self.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")

    def _begin_write(self, wait_s: float) -> None:
        """`BEGIN IMMEDIATE`, queueing behind another process's write for up to `wait_s`.

        SQLite has one writer at a time. Waiting in short steps rather than one long busy
        timeout keeps Ctrl-C prompt (the interrupt is raised between steps).
        """
        deadline = time.monotonic() + wait_s
        self.conn.execute(f"PRAGMA busy_timeout = {_WRITE_WAIT_STEP_MS}")
        try:
            told = False
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if not _is_busy(exc) or time.monotonic() > deadline:
                        raise translate_error(exc, self.path) from exc
                if not told and self.on_wait is not None:
                    self.on_wait()
                told = True
        except sqlite3.DatabaseError as exc:
            raise translate_error(exc, self.path) from exc
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _ensure_schema(self, create: bool = True) -> None:
        """Create or migrate the schema. A reader (`create=False`, the language server) never
        creates it: an empty file is an index another process is creating right now."""
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        # Reading the schema itself: a damaged first page fails here, not in a later search.
        self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise IndexStoreError(
                f"{self.path} was written by a newer paper-ls (index schema {version}, this "
                f"version reads {SCHEMA_VERSION}); upgrade paper-ls or use another --index"
            )
        if version == 0 and not create:
            raise IndexStoreError(f"{self.path} is not a paper-ls index (yet); try again shortly")
        with self.transaction() as conn:
            # Another process may have created or migrated it while we waited for the lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            if version == 0:
                if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise IndexStoreError(
                        f"{self.path} is an SQLite file but not a paper-ls index; "
                        f"pass another --index"
                    )
                _run_script(conn, _SCHEMA)
            else:
                for step in range(version, SCHEMA_VERSION):
                    if step not in _MIGRATIONS:
                        raise IndexStoreError(
                            f"{self.path} has index schema {version}, which this version cannot "
                            f"migrate; remove it and re-add your sources"
                        )
                    migration = _MIGRATIONS[step]
                    if isinstance(migration, str):
                        _run_script(conn, migration)
                    else:
                        migration(conn)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def sources_table_sql() -> str:
    """The `sources` table's definition: the schema's first table, so always on page 2 (a
    damaged index's list of sources is read through it, `paper_ls.index.recovery`)."""
    first = _SCHEMA.split(";\n")[0].strip()
    assert first.startswith("CREATE TABLE sources")
    return first


#: Connections this process has open to each index file. While one is open, the file must
#: not be opened and closed by other means: closing any descriptor of a file drops every POSIX
#: lock the process holds on it, SQLite's included, and a writer in another process may then
#: believe itself alone, checkpoint, and delete the write-ahead log under this process's
#: readers ("database disk image is malformed", on a sound file). The header check reads
#: the file directly, so only an open with no connection yet in this process does it.
_OPENED: Counter[str] = Counter()
_OPEN_LOCK = threading.Lock()


def _identity_key(path: Path) -> str:
    return str(path.resolve())


def _open_here(path: Path) -> bool:
    return _OPENED[_identity_key(path)] > 0


def _forget_open(path: Path) -> None:
    with _OPEN_LOCK:
        key = _identity_key(path)
        _OPENED[key] -= 1
        if _OPENED[key] <= 0:
            del _OPENED[key]


def _refuse_a_bad_header(path: Path) -> None:
    problem = header_problem(path)
    if problem is not None:
        if not was_an_index(path):
            raise IndexStoreError(
                f"{path} is not a readable paper-ls index ({problem}); pass another --index"
            )
        raise IndexCorruptError(path, problem)


def file_identity(path: Path) -> tuple[int, int]:
    """Which file is at `path`: (device, inode), or (-1, -1) when there is none."""
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_dev, stat.st_ino)


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one: `executescript` would commit our transaction."""
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def translate_error(exc: sqlite3.DatabaseError, path: Path) -> IndexStoreError:
    """Turn SQLite's terse errors into one line that says what to do."""
    if is_corruption(exc):
        return IndexCorruptError(path, str(exc))
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        message = f"the index {path} is locked by another paper-ls process; try again shortly"
    elif "full" in text:
        message = f"the disk holding {path} is full; free some space (the index was not changed)"
    elif "unable to open" in text or "readonly" in text or "read-only" in text:
        message = f"cannot open the index {path} for writing; check its permissions or pass --index"
    else:
        message = f"index error on {path}: {exc}"
    return IndexStoreError(message)
