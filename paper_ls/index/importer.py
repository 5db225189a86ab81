"""Bringing a source into the index and keeping it in step with its file.

Re-importing compares each record's content hash with what is stored, so only changed
entries are rewritten and a file that has not changed on disk is not even read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from paper_ls.errors import SourceError
from paper_ls.index import codec
from paper_ls.index.keys import generate_key
from paper_ls.index.store import Index
from paper_ls.index.writer import PaperWriter
from paper_ls.model import Paper
from paper_ls.sources import (
    Problem,
    ReadOptions,
    Record,
    companion_files,
    detect_format,
    reader_for,
    reading,
)

#: Told, now and then during a long import, how many records have been read so far and how
#: many there were the last time this source was read (None on its first import).
Progress = Callable[[int, int | None], None]
#: Records between two progress calls: often enough for a live count, rare enough to be free.
PROGRESS_EVERY = 1000


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
    read = reader_for(kind, options)
    with index.transaction() as conn:
        source_id = _upsert_source(conn, str(path), kind, stat)
        expected = int(row[4]) + int(row[5]) if row else None
        _SourceSync(PaperWriter(conn), source_id, report, progress, expected).run(read(path))
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
    """One pass over a source's records against what the index holds for it."""

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

    def run(self, records: Iterable[Record]) -> None:
        for count, record in enumerate(records, 1):
            if isinstance(record, Problem):
                self.report.problems.append(record)
            else:
                self._take(record)
            if self.progress is not None and count % PROGRESS_EVERY == 0:
                self.progress(count, self.expected)
        self._drop_unseen()
        for pid in self.touched:
            self.writer.rebuild(pid)
        self.writer.flush_terms()

    def _take(self, paper: Paper) -> None:
        if not paper.key:
            paper.key = generate_key(paper, self._key_is_taken, self.key_skips)
        if paper.key in self.seen:
            line = paper.provenance.line if paper.provenance else None
            self.report.problems.append(
                Problem(self.report.source, line, f"duplicate key '{paper.key}'; skipped")
            )
            return
        self.seen.add(paper.key)
        encoded = codec.EncodedRecord(paper)
        line = paper.provenance.line if paper.provenance else None
        known = self.existing.get(paper.key)
        if known is None:
            self._add(paper, encoded, line)
        elif known[2] == encoded.digest:
            self.report.unchanged += 1
            if known[3] != line:
                self.conn.execute("UPDATE records SET line = ? WHERE id = ?", (line, known[0]))
        else:
            self._touch(known[1])
            self.conn.execute(
                "UPDATE records SET data = ?, digest = ?, line = ? WHERE id = ?",
                (encoded.blob(), encoded.digest, line, known[0]),
            )
            self.report.updated += 1

    def _add(self, paper: Paper, encoded: codec.EncodedRecord, line: int | None) -> None:
        paper_id = self.writer.find_same_paper(paper)
        if paper_id is None:
            paper_id = self.writer.insert_paper(paper)
        else:
            self._touch(paper_id)
        self.conn.execute(
            "INSERT INTO records (source_id, paper_id, key, line, digest, data)"
            " VALUES (?,?,?,?,?,?)",
            (self.source_id, paper_id, paper.key, line, encoded.digest, encoded.blob()),
        )
        self.report.added += 1

    def _touch(self, paper_id: int) -> None:
        if paper_id not in self.touched:
            self.writer.unindex(paper_id)
            self.touched.add(paper_id)

    def _drop_unseen(self) -> None:
        for key, (record_id, paper_id, _, _) in self.existing.items():
            if key not in self.seen:
                self._touch(paper_id)
                self.conn.execute("DELETE FROM records WHERE id = ?", (record_id,))
                self.report.removed += 1

    def _key_is_taken(self, key: str) -> bool:
        """Free if this source held it before: a generated key then stays the same on
        re-import (records come in file order), so an unchanged record stays unchanged."""
        if key in self.seen:
            return True
        return key not in self.existing and self.writer.key_is_taken(key)


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
