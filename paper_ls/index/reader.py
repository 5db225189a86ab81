"""Reading whole papers back out of the index: by key, with every place they came from."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from paper_ls.index import codec
from paper_ls.index.dedupe import merge
from paper_ls.model import Paper, Provenance


@dataclass(slots=True)
class StoredPaper:
    paper_id: int
    paper: Paper
    provenances: list[Provenance]
    #: Every key the paper is known by (one per source record).
    keys: list[str]


def paper_ids_for_key(conn: sqlite3.Connection, key: str) -> list[int]:
    """Papers cited by `key`: its own key first, then papers that a source calls so."""
    rows = conn.execute("SELECT id FROM papers WHERE key = ? COLLATE NOCASE", (key,)).fetchall()
    if not rows:
        rows = conn.execute(
            "SELECT DISTINCT paper_id FROM records WHERE key = ? COLLATE NOCASE", (key,)
        ).fetchall()
    return [int(r[0]) for r in rows]


def load_paper(conn: sqlite3.Connection, paper_id: int) -> StoredPaper | None:
    rows = conn.execute(
        "SELECT r.data, r.key, r.line, s.path, s.kind FROM records r"
        " JOIN sources s ON s.id = r.source_id WHERE r.paper_id = ? ORDER BY r.id",
        (paper_id,),
    ).fetchall()
    if not rows:
        return None
    records = [
        codec.decode(data, Provenance(kind, path, line), key)
        for data, key, line, path, kind in rows
    ]
    return StoredPaper(
        paper_id=paper_id,
        paper=merge(records),
        provenances=[r.provenance for r in records if r.provenance],
        keys=list(dict.fromkeys(key for _, key, _, _, _ in rows)),
    )


def find_paper(conn: sqlite3.Connection, key: str) -> StoredPaper | None:
    for paper_id in paper_ids_for_key(conn, key):
        stored = load_paper(conn, paper_id)
        if stored is not None:
            return stored
    return None


@dataclass(frozen=True, slots=True)
class Stats:
    papers: int
    records: int
    sources: int
    with_abstract: int
    index_bytes: int
    path: str


def stats(conn: sqlite3.Connection, path: Path) -> Stats:
    papers, with_abstract = conn.execute(
        "SELECT count(*), coalesce(sum(has_abstract), 0) FROM papers"
    ).fetchone()
    records = conn.execute("SELECT count(*) FROM records").fetchone()[0]
    sources = conn.execute("SELECT count(*) FROM sources").fetchone()[0]
    size = sum(
        p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
    )
    return Stats(papers, records, sources, with_abstract, size, str(path))
