"""Bringing a source into the index and keeping it in step with its file.

Re-importing compares each record's content hash with what is stored, so only changed
entries are rewritten and a file that has not changed on disk is not even read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from paper_ls.errors import SourceError
from paper_ls.index.dedupe import normalise_title, titles_agree
from paper_ls.index.keys import generate_key_from, suffix_at
from paper_ls.index.prepare import Prepared, prepare
from paper_ls.index.store import Index
from paper_ls.index.writer import (
    MIN_TITLE_FOR_DEDUPE,
    PAPER_COLUMNS,
    PaperWriter,
    year_text,
)
from paper_ls.sources import (
    Problem,
    ReadOptions,
    companion_files,
    detect_format,
    mapped_reader_for,
    reading,
)

#: Told, now and then during a long import, how many records have been read so far and how
#: many there were the last time this source was read (None on its first import).
Progress = Callable[[int, int | None], None]
#: Records between two progress calls: often enough for a live count, rare enough to be free.
PROGRESS_EVERY = 1000
#: Records written together: enough that a batch's lookups and inserts cost little per
#: record, few enough that a batch of abstracts stays a few megabytes.
BATCH = 2000
_MARKS = ",".join("?" * 12)
#: Lowercase as SQLite's NOCASE does: ASCII letters only.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(slots=True)
class ImportReport:
    source: str
    skipped: bool = False
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class SourceInfo:
    path: str
    kind: str
    entries: int
    problems: int
    read_at: str


def add_source(
    index: Index,
    path: Path,
    format_name: str | None = None,
    *,
    force: bool = False,
    options: ReadOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import or refresh one source file, as a single transaction.

    An exception midway, Ctrl-C included, rolls the transaction back: the index keeps what
    it had from this source before.
    """
    path = path.expanduser().resolve()
    _stat(path, [])  # a missing file is reported before any attempt to detect its format
    kind = format_name or detect_format(path)
    stat = _stat(path, companion_files(kind, path))
    report = ImportReport(str(path))
    row = index.conn.execute(
        "SELECT id, size, mtime_ns, kind, entry_count, problem_count FROM sources WHERE path = ?",
        (str(path),),
    ).fetchone()
    if row and not force and (row[1], row[2], row[3]) == (stat.size, stat.mtime_ns, kind):
        report.skipped = True
        return report
    read = mapped_reader_for(kind, options)
    with index.import_transaction() as conn:
        source_id = _upsert_source(conn, str(path), kind, stat)
        expected = int(row[4]) + int(row[5]) if row else None
        sync = _SourceSync(PaperWriter(conn), source_id, report, progress, expected)
        sync.run(read(path, prepare))
        conn.execute(
            "UPDATE sources SET entry_count = ?, problem_count = ?, read_at = ? WHERE id = ?",
            (report.entries, len(report.problems), _now(), source_id),
        )
    return report


def remove_source(index: Index, source: str) -> int:
    """Remove a source and every paper only it knew; returns how many records went."""
    row = _find_source(index, source)
    if row is None:
        raise SourceError(f"no source {source!r} in the index; 'paper-ls sources' lists them")
    source_id = int(row[0])
    with index.transaction() as conn:
        writer = PaperWriter(conn)
        paper_ids = {
            int(pid)
            for (pid,) in conn.execute(
                "SELECT paper_id FROM records WHERE source_id = ?", (source_id,)
            )
        }
        for pid in paper_ids:
            writer.unindex(pid)
        count = conn.execute("DELETE FROM records WHERE source_id = ?", (source_id,)).rowcount
        for pid in paper_ids:
            writer.rebuild(pid)
        conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
    return count


def list_sources(index: Index) -> list[SourceInfo]:
    rows = index.conn.execute(
        "SELECT path, kind, entry_count, problem_count, read_at FROM sources ORDER BY path"
    ).fetchall()
    return [SourceInfo(*row) for row in rows]


class _SourceSync:
    """One pass over a source's records against what the index holds for it.

    Records are taken in batches: the lookups a batch needs (generated keys, DOIs, arXiv
    ids, titles) are one query each, and the papers it adds are inserted with
    `executemany`. Anything rarer than "a new paper" (a record joining a known paper, one
    without authors, a changed record) is written at once, in file order, after what the
    batch collected so far, so the result is the one record-by-record import would give.
    """

    def __init__(
        self,
        writer: PaperWriter,
        source_id: int,
        report: ImportReport,
        progress: Progress | None = None,
        expected: int | None = None,
    ) -> None:
        self.writer = writer
        self.progress = progress
        self.expected = expected
        self.conn = writer.conn
        self.source_id = source_id
        self.report = report
        self.touched: set[int] = set()
        self.existing = {
            key: (int(rid), int(pid), int(digest), line)
            for key, rid, pid, digest, line in self.conn.execute(
                "SELECT key, id, paper_id, digest, line FROM records WHERE source_id = ?",
                (source_id,),
            )
        }
        self.seen: set[str] = set()
        self.key_skips: dict[str, int] = {}
        self.pending = _Pending()
        self.lookups = _Lookups()
        #: Whether each candidate key of this batch is held by a paper (case ignored).
        self.taken_keys: dict[str, bool] = {}
        #: The keys of the papers this batch added, as SQLite's NOCASE compares them: the
        #: index may not hold them yet when `taken_keys` is asked.
        self.batch_paper_keys: set[str] = set()

    def run(self, records: Iterable[Prepared | Problem]) -> None:
        batch: list[Prepared | Problem] = []
        for count, record in enumerate(records, 1):
            batch.append(record)
            if len(batch) >= BATCH:
                self._take_batch(batch)
                batch = []
            if self.progress is not None and count % PROGRESS_EVERY == 0:
                self.progress(count, self.expected)
        self._take_batch(batch)
        self._drop_unseen()
        for pid in self.touched:
            self.writer.rebuild(pid)
        self.writer.flush_terms()

    def _take_batch(self, batch: list[Prepared | Problem]) -> None:
        self._look_up_keys([r for r in batch if isinstance(r, Prepared) and not r.key])
        self.lookups = _Lookups.of(
            self.conn, [r for r in batch if isinstance(r, Prepared) and r.key not in self.existing]
        )
        for record in batch:
            if isinstance(record, Problem):
                self.report.problems.append(record)
            else:
                self._take(record)
        self._flush()

    def _take(self, record: Prepared) -> None:
        key = record.key or generate_key_from(record.base_key, self._key_is_taken, self.key_skips)
        if key in self.seen:
            self.report.problems.append(
                Problem(self.report.source, record.line, f"duplicate key '{key}'; skipped")
            )
            return
        self.seen.add(key)
        known = self.existing.get(key)
        if known is None:
            self._add(record, key)
        elif known[2] == record.digest:
            self.report.unchanged += 1
            if known[3] != record.line:
                self.pending.lines.append((record.line, known[0]))
        else:
            self._touch(known[1])
            self.conn.execute(
                "UPDATE records SET data = ?, digest = ?, line = ? WHERE id = ?",
                (record.blob, record.digest, record.line, known[0]),
            )
            self.report.updated += 1

    def _add(self, record: Prepared, key: str) -> None:
        self.report.added += 1
        if not record.authors or not record.families:
            self._add_one_by_one(record, key)
            return
        paper_id = self.lookups.same_paper(record)
        if paper_id is None and len(record.normalised_title) >= MIN_TITLE_FOR_DEDUPE:
            paper_id = self.writer.find_authorless(record.normalised_title)
        if paper_id is None:
            self.pending.add_paper(self._next_paper_id(), record, key, self.lookups)
            self.batch_paper_keys.add(key.translate(_ASCII_LOWER))
            return
        self._touch(paper_id)
        self._insert_record(record, key, paper_id)

    def _add_one_by_one(self, record: Prepared, key: str) -> None:
        """A record without authors: matched by title alone, through the FTS table, which
        must therefore hold everything added before it."""
        self._flush()
        paper = record.paper(key=key)
        paper_id = self.writer.find_same_paper(paper)
        if paper_id is None:
            paper_id = self.writer.insert_paper(paper)
            self.batch_paper_keys.add(key.translate(_ASCII_LOWER))
            self.lookups.add(paper_id, record)
            self.pending.next_id = None
        else:
            self._touch(paper_id)
        self._insert_record(record, key, paper_id)

    def _insert_record(self, record: Prepared, key: str, paper_id: int) -> None:
        if self.pending.holds(paper_id):  # its first record must keep the smaller id
            self._flush()
        self.conn.execute(
            "INSERT INTO records (source_id, paper_id, key, line, digest, data)"
            " VALUES (?,?,?,?,?,?)",
            (self.source_id, paper_id, key, record.line, record.digest, record.blob),
        )

    def _next_paper_id(self) -> int:
        """Ids as SQLite would give them (the largest plus one), known before the insert so
        that a later record of the batch can be matched to a paper not yet written."""
        if self.pending.next_id is None:
            row = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM papers").fetchone()
            self.pending.next_id = int(row[0])
        paper_id = self.pending.next_id
        self.pending.next_id += 1
        return paper_id

    def _flush(self) -> None:
        self.pending.write(self.conn, self.source_id, self.writer.new_terms)

    def _touch(self, paper_id: int) -> None:
        if paper_id not in self.touched:
            if self.pending.holds(paper_id):
                self._flush()
            self.writer.unindex(paper_id)
            self.touched.add(paper_id)

    def _drop_unseen(self) -> None:
        for key, (record_id, paper_id, _, _) in self.existing.items():
            if key not in self.seen:
                self._touch(paper_id)
                self.conn.execute("DELETE FROM records WHERE id = ?", (record_id,))
                self.report.removed += 1

    def _look_up_keys(self, records: list[Prepared]) -> None:
        """Ask the index in one query about the keys this batch will most likely try:
        for each base, the next suffixes, one per record of the batch that has it."""
        wanted: dict[str, int] = {}
        for record in records:
            wanted[record.base_key] = wanted.get(record.base_key, 0) + 1
        candidates = [
            base + suffix_at(self._first_untried(base) + i)
            for base, count in wanted.items()
            for i in range(count)
        ]
        self.taken_keys = dict.fromkeys(candidates, False)
        self.batch_paper_keys.clear()
        if candidates:
            for (key,) in self.conn.execute(
                "SELECT value FROM json_each(?) WHERE EXISTS"
                " (SELECT 1 FROM papers WHERE key = value COLLATE NOCASE)",
                (json.dumps(candidates),),
            ):
                self.taken_keys[key] = True

    def _first_untried(self, base: str) -> int:
        """Where the suffixes worth asking about start: `key_skips` holds only the bases
        that needed a suffix, and a base this source used bare is taken bare."""
        return self.key_skips.get(base) or (1 if base in self.seen else 0)

    def _key_is_taken(self, key: str) -> bool:
        """Free if this source held it before: a generated key then stays the same on
        re-import (records come in file order), so an unchanged record stays unchanged."""
        if key in self.seen:
            return True
        if key in self.existing:
            return False
        if key.translate(_ASCII_LOWER) in self.batch_paper_keys:
            return True
        known = self.taken_keys.get(key)
        return self.writer.key_is_taken(key) if known is None else known


class _Lookups:
    """The papers a batch's new records may be the same as, by DOI, arXiv id and title
    hash: those in the index when the batch began, then those the batch added, in id order
    (the order `PaperWriter.find_same_paper` sees them in)."""

    def __init__(self) -> None:
        self.by_doi: dict[str, list[tuple[int, str]]] = {}
        self.by_arxiv: dict[str, list[tuple[int, str]]] = {}
        self.by_hash: dict[int, list[tuple[int, str]]] = {}

    @classmethod
    def of(cls, conn: sqlite3.Connection, records: list[Prepared]) -> _Lookups:
        lookups = cls()
        dois = [r.doi for r in records if r.doi]
        arxivs = [r.arxiv for r in records if r.arxiv]
        hashes = [r.title_hash for r in records if len(r.normalised_title) >= MIN_TITLE_FOR_DEDUPE]
        for pid, title, doi in _papers_where(conn, "doi", dois):
            lookups.by_doi.setdefault(doi, []).append((pid, title))
        for pid, title, arxiv in _papers_where(conn, "arxiv", arxivs):
            lookups.by_arxiv.setdefault(arxiv, []).append((pid, title))
        for pid, title, value in _papers_where(conn, "title_hash", hashes):
            lookups.by_hash.setdefault(value, []).append((pid, title))
        return lookups

    def add(self, paper_id: int, record: Prepared) -> None:
        if record.doi:
            self.by_doi.setdefault(record.doi, []).append((paper_id, record.title))
        if record.arxiv:
            self.by_arxiv.setdefault(record.arxiv, []).append((paper_id, record.title))
        self.by_hash.setdefault(record.title_hash, []).append((paper_id, record.title))

    def same_paper(self, record: Prepared) -> int | None:
        """`PaperWriter.find_same_paper` for a record with authors, up to the authorless
        papers (which the writer looks up)."""
        if record.doi or record.arxiv:
            candidates = [
                *(self.by_doi.get(record.doi, []) if record.doi else []),
                *(self.by_arxiv.get(record.arxiv, []) if record.arxiv else []),
            ]
            for pid, title in candidates:
                if titles_agree(title, record.title):
                    return pid
        if len(record.normalised_title) >= MIN_TITLE_FOR_DEDUPE:
            for pid, title in self.by_hash.get(record.title_hash, []):
                if normalise_title(title) == record.normalised_title:
                    return pid
        return None


def _papers_where(
    conn: sqlite3.Connection, column: str, values: list[str] | list[int]
) -> list[tuple[int, str, Any]]:
    """(id, title, value) of the papers whose `column` is one of `values`, by id (the
    DOI and arXiv indexes hold only non-empty values, hence `!= ''`)."""
    if not values:
        return []
    rows = conn.execute(
        f"SELECT id, title, {column} FROM papers INDEXED BY papers_{column}"
        f" WHERE {column} IN (SELECT value FROM json_each(?)) AND {column} != '' ORDER BY id",
        (json.dumps(values),),
    )
    return [(int(pid), str(title), value) for pid, title, value in rows]


class _Pending:
    """New papers (each with its one record) not written yet, and line-number updates."""

    def __init__(self) -> None:
        self.papers: list[tuple[object, ...]] = []
        self.records: list[tuple[object, ...]] = []
        self.meta: list[tuple[object, ...]] = []
        self.abstracts: list[tuple[int, str]] = []
        self.terms: list[str] = []
        self.lines: list[tuple[int | None, int]] = []
        #: The id the next new paper gets; None when it must be asked of SQLite.
        self.next_id: int | None = None
        #: The id of the first paper not written yet.
        self.first_id: int | None = None

    def add_paper(self, paper_id: int, record: Prepared, key: str, lookups: _Lookups) -> None:
        if self.first_id is None:
            self.first_id = paper_id
        self.papers.append((paper_id, *record.paper_row(key)))
        self.records.append((paper_id, key, record.line, record.digest, record.blob))
        self.meta.append(
            (paper_id, record.title, record.authors_text, year_text(record.year), record.venue)
        )
        if record.abstract:
            self.abstracts.append((paper_id, record.abstract))
        self.terms.append(record.terms)
        lookups.add(paper_id, record)

    def holds(self, paper_id: int) -> bool:
        return self.first_id is not None and paper_id >= self.first_id

    def write(self, conn: sqlite3.Connection, source_id: int, terms: set[str]) -> None:
        if self.papers:
            conn.executemany(
                f"INSERT INTO papers (id, {PAPER_COLUMNS}) VALUES ({_MARKS})", self.papers
            )
            conn.executemany(
                "INSERT INTO records (source_id, paper_id, key, line, digest, data)"
                f" VALUES ({source_id},?,?,?,?,?)",
                self.records,
            )
            conn.executemany(
                "INSERT INTO fts_meta (rowid, title, authors, year, venue) VALUES (?,?,?,?,?)",
                self.meta,
            )
            conn.executemany(
                "INSERT INTO fts_abstract (rowid, abstract) VALUES (?, ?)", self.abstracts
            )
            for words in self.terms:
                terms.update(words.split())
        if self.lines:
            conn.executemany("UPDATE records SET line = ? WHERE id = ?", self.lines)
        for rows in (self.papers, self.records, self.meta, self.abstracts, self.terms, self.lines):
            rows.clear()
        self.first_id = None


@dataclass(frozen=True, slots=True)
class _Stamp:
    """What says a source changed: size and modification time, its companions included."""

    size: int
    mtime_ns: int


def _stat(path: Path, companions: list[Path]) -> _Stamp:
    with reading(path):
        stat = path.stat()
    if not path.is_file():
        raise SourceError(f"{path}: not a file")
    size, mtime_ns = stat.st_size, stat.st_mtime_ns
    # A running Zotero writes to `zotero.sqlite-wal` and leaves the database file alone.
    for companion in companions:
        try:
            extra = companion.stat()
        except OSError:
            continue
        size += extra.st_size
        mtime_ns = max(mtime_ns, extra.st_mtime_ns)
    return _Stamp(size, mtime_ns)


def _upsert_source(conn: sqlite3.Connection, path: str, kind: str, stat: _Stamp) -> int:
    cursor = conn.execute(
        "INSERT INTO sources (path, kind, size, mtime_ns) VALUES (?,?,?,?)"
        " ON CONFLICT(path) DO UPDATE SET kind=excluded.kind, size=excluded.size,"
        " mtime_ns=excluded.mtime_ns RETURNING id",
        (path, kind, stat.size, stat.mtime_ns),
    )
    return int(cursor.fetchone()[0])


def _find_source(index: Index, source: str) -> tuple[int, str] | None:
    """Accept the path as given, resolved, or a unique file name ('refs.bib')."""
    candidates = {source, str(Path(source).expanduser().resolve())}
    for candidate in candidates:
        row = index.conn.execute(
            "SELECT id, path FROM sources WHERE path = ?", (candidate,)
        ).fetchone()
        if row:
            return int(row[0]), str(row[1])
    rows = index.conn.execute(
        "SELECT id, path FROM sources WHERE path LIKE ?", (f"%/{Path(source).name}",)
    ).fetchall()
    if len(rows) == 1:
        return int(rows[0][0]), str(rows[0][1])
    if len(rows) > 1:
        paths = ", ".join(str(r[1]) for r in rows)
        raise SourceError(f"{source!r} names several sources ({paths}); give the full path")
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
