"""What SQLite alone costs per imported paper: the floor under any import, whatever parses it.

Reproduce with:   .venv/bin/python benchmarks/sqlite_floor.py --count 100000

SQLite lets one connection write at a time, so an import can never go faster than the
inserts it makes. This measures those inserts and nothing else: the records of the
generated corpus are parsed and prepared first (as `paper-ls add` does in its workers), then
written with `executemany` in batches of 2,000, in one transaction, into a fresh index made
from the real schema (`paper_ls/index/store.py`), in several settings, each cheaper than the
last. No Python work is timed but binding the parameters of each row. The result is written
into its own section of `RESULTS.md`, with the throughput each floor allows.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import run

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
SECTION_START = "<!-- sqlite-floor: start -->"
SECTION_END = "<!-- sqlite-floor: end -->"
BATCH = 2000


@dataclass(frozen=True)
class Setting:
    name: str
    journal: str = "WAL"
    synchronous: str = "NORMAL"
    cache_kib: int = 32_000
    #: The `prefix=` option of `fts_meta`; "" for none.
    prefix: str = "1 2 3 4"
    #: Create the B-tree indexes after the rows are in, instead of before.
    indexes_last: bool = False


SETTINGS = (
    Setting("as `paper-ls add` writes (WAL, 32 MB cache, prefix indexes 1-4)"),
    Setting("no journal, no sync, 512 MB cache", "OFF", "OFF", 512_000),
    Setting("... and prefix indexes 2 and 3 only", "OFF", "OFF", 512_000, "2 3"),
    Setting("... and no prefix indexes", "OFF", "OFF", 512_000, ""),
    Setting("... and the B-tree indexes built last", "OFF", "OFF", 512_000, "", True),
)

TABLES = ("papers", "records", "fts_meta", "fts_abstract")


def prepared_rows(corpus: Path, cache: Path) -> dict[str, list[tuple[object, ...]]]:
    """The rows `paper-ls add` would insert for the corpus, computed once and cached."""
    if cache.exists() and cache.stat().st_mtime > corpus.stat().st_mtime:
        rows: dict[str, list[tuple[object, ...]]] = pickle.loads(cache.read_bytes())
        return rows
    from paper_ls.index.prepare import Prepared, prepare
    from paper_ls.index.writer import year_text
    from paper_ls.sources.bibtex import read_mapped

    prepared = [r for r in read_mapped(corpus, prepare) if isinstance(r, Prepared)]
    rows = {
        "papers": [(i, *p.paper_row(p.key)) for i, p in enumerate(prepared, 1)],
        "records": [(i, p.key, p.line, p.digest, p.blob) for i, p in enumerate(prepared, 1)],
        "fts_meta": [
            (i, p.title, p.authors_text, year_text(p.year), p.venue)
            for i, p in enumerate(prepared, 1)
        ],
        "fts_abstract": [(i, p.abstract) for i, p in enumerate(prepared, 1) if p.abstract],
    }
    cache.write_bytes(pickle.dumps(rows, protocol=5))
    return rows


def insert_sql() -> dict[str, str]:
    from paper_ls.index.writer import PAPER_COLUMNS

    return {
        "papers": f"INSERT INTO papers (id, {PAPER_COLUMNS}) VALUES ({','.join('?' * 12)})",
        "records": "INSERT INTO records (source_id, paper_id, key, line, digest, data)"
        " VALUES (1,?,?,?,?,?)",
        "fts_meta": "INSERT INTO fts_meta (rowid, title, authors, year, venue) VALUES (?,?,?,?,?)",
        "fts_abstract": "INSERT INTO fts_abstract (rowid, abstract) VALUES (?,?)",
    }


def measure(
    setting: Setting, rows: dict[str, list[tuple[object, ...]]], db: Path
) -> dict[str, float]:
    """Microseconds per paper for each table's inserts, the late indexes and the commit."""
    from paper_ls.index.store import _SCHEMA

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA page_size = 8192")
    conn.execute(f"PRAGMA journal_mode = {setting.journal}")
    conn.execute(f"PRAGMA synchronous = {setting.synchronous}")
    conn.execute(f"PRAGMA cache_size = -{setting.cache_kib}")
    schema = _SCHEMA.replace(
        "prefix='1 2 3 4', ", f"prefix='{setting.prefix}', " if setting.prefix else ""
    )
    late = []
    for statement in schema.split(";\n"):
        if not statement.strip():
            continue
        if setting.indexes_last and statement.strip().startswith("CREATE INDEX"):
            late.append(statement)
        else:
            conn.execute(statement)
    conn.execute("INSERT INTO sources (id, path, kind) VALUES (1, 'corpus', 'bibtex')")
    papers = len(rows["papers"])
    costs: dict[str, float] = {}
    started = time.perf_counter()
    conn.execute("BEGIN")
    for table, sql in insert_sql().items():
        t0 = time.perf_counter()
        table_rows = rows[table]
        for start in range(0, len(table_rows), BATCH):
            conn.executemany(sql, table_rows[start : start + BATCH])
        costs[table] = (time.perf_counter() - t0) / papers * 1e6
    t0 = time.perf_counter()
    for statement in late:
        conn.execute(statement)
    costs["indexes built last"] = (time.perf_counter() - t0) / papers * 1e6
    t0 = time.perf_counter()
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    costs["commit"] = (time.perf_counter() - t0) / papers * 1e6
    costs["total"] = (time.perf_counter() - started) / papers * 1e6
    costs["prefix query ms"] = prefix_query_ms(conn)
    conn.close()
    costs["index MB"] = db.stat().st_size / 1e6
    return costs


#: What a writer types first in a citation: one to three letters, as keystroke search asks
#: FTS5 for them (`search._Gatherer`: 80 unranked candidates).
PREFIXES = ("w", "l", "c", "zh", "wa", "le", "co", "wan", "lea", "con", "net", "dee")


def prefix_query_ms(conn: sqlite3.Connection) -> float:
    """The slowest of `PREFIXES` as an FTS5 prefix query (best of three runs each): the price
    of an index with fewer prefix indexes, paid on keystrokes instead of at import."""
    slowest = 0.0
    for prefix in PREFIXES:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            conn.execute(
                "SELECT rowid FROM fts_meta WHERE fts_meta MATCH ? LIMIT 80", (f'"{prefix}"*',)
            ).fetchall()
            best = min(best, time.perf_counter() - t0)
        slowest = max(slowest, best * 1000)
    return slowest


def instrumented_import(corpus: Path, index_path: Path) -> dict[str, float]:
    """Import `corpus` with `add_source`, as `paper-ls add` does, timing the importing
    process's SQLite work apart: the batches' inserts, their look-ups, the typo terms and
    the commit. Parsing and preparing run in the worker processes meanwhile, so the SQLite
    seconds are a floor under this import however fast parsing became."""
    from contextlib import contextmanager

    from paper_ls.index import importer
    from paper_ls.index.store import Index
    from paper_ls.index.writer import PaperWriter

    spent: dict[str, float] = {}

    def timed(owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t0

        setattr(owner, name, wrapper)

    timed(importer._Pending, "write", "inserts")
    timed(importer._Lookups, "of", "look-ups")
    timed(importer._SourceSync, "_look_up_keys", "look-ups")
    timed(PaperWriter, "flush_terms", "typo terms")
    original_transaction = Index.transaction

    @contextmanager
    def transaction(self: Index, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        with original_transaction(self, *args, **kwargs) as conn:  # type: ignore[arg-type]
            yield conn
            t0 = time.perf_counter()
        spent["commit"] = spent.get("commit", 0.0) + time.perf_counter() - t0

    Index.transaction = transaction  # type: ignore[assignment,method-assign]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index_path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    with Index.open(index_path) as index:
        report = importer.add_source(index, corpus)
    seconds = time.perf_counter() - started
    return {"papers": report.entries, "seconds": seconds, "sqlite": sum(spent.values()), **spent}


def write_section(
    count: int, raw_mb: float, results: list[tuple[Setting, dict[str, float]]]
) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load = os.getloadavg()[0]
    columns = [*TABLES, "indexes built last", "commit", "total"]
    lines = [
        SECTION_START,
        f"## The SQLite floor under an import ({count:,} BibTeX papers)",
        "",
        f"Measured {when} UTC on: {run.machine()}; 1-minute load average {load:.2f} before.",
        "",
        f"Reproduce: `.venv/bin/python benchmarks/sqlite_floor.py --count {count}` (corpus "
        f"`generate.py --format bib --seed 1`, {raw_mb:.0f} MB). The records are parsed and "
        "prepared beforehand; only SQLite's inserts are timed (`executemany`, batches of "
        f"{BATCH:,}, one transaction, the index's real schema), in microseconds per paper. "
        "SQLite has one writer at a time, so `papers/s at most` bounds any import into this "
        "schema, however fast its parser: BibTeX at 20,000 papers/s leaves 50 µs per paper "
        "for everything the writing process does.",
        "",
        "`prefix query` is the slowest of "
        + ", ".join(f"`{p}*`" for p in PREFIXES)
        + " as the keystroke search asks FTS5 for them (80 rows), in that index: what a "
        "cheaper import costs every keystroke after it.",
        "",
        "| setting | " + " | ".join(columns) + " | papers/s at most | prefix query ms | index MB |",
        "|---|" + "---:|" * (len(columns) + 3),
    ]
    for setting, costs in results:
        cells = " | ".join(f"{costs[c]:.1f}" for c in columns)
        lines.append(
            f"| {setting.name} | {cells} | {1e6 / costs['total']:,.0f} | "
            f"{costs['prefix query ms']:.2f} | {costs['index MB']:.0f} |"
        )
    lines += ["", SECTION_END]
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if SECTION_START in text:
        head, rest = text.split(SECTION_START, 1)
        tail = rest.split(SECTION_END, 1)[1] if SECTION_END in rest else ""
        text = head + "\n".join(lines) + tail
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=run.DEFAULT_WORK)
    parser.add_argument(
        "--import", dest="corpus", type=Path,
        help="instead: import this file as `paper-ls add` does and print, as JSON, how long"
        " the importing process spent in SQLite (arxiv.py uses this)",
    )  # fmt: skip
    parser.add_argument("--index", type=Path, help="with --import: the index to write")
    args = parser.parse_args()
    if args.corpus is not None:
        index = args.index or args.work / "floor-import.sqlite3"
        print(json.dumps(instrumented_import(args.corpus, index)))
        return
    corpus, _ = run.corpus(args.work, args.count)
    rows = prepared_rows(corpus, args.work / f"floor-rows-{args.count}.pickle")
    results = []
    for setting in SETTINGS:
        costs = measure(setting, rows, args.work / "floor.sqlite3")
        results.append((setting, costs))
        print(setting.name, json.dumps({k: round(v, 1) for k, v in costs.items()}), file=sys.stderr)
    (args.work / "floor.sqlite3").unlink(missing_ok=True)
    write_section(args.count, corpus.stat().st_size / 1e6, results)


if __name__ == "__main__":
    main()
