"""Real damage to real SQLite files, as disks, copies and stray programs do it.

Each function changes the bytes of a closed index (its write-ahead log merged back, as
after every paper-ls command) and returns a short name for the damage done.
"""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

from paper_ls.index.store import PAGE_SIZE

PAGE = PAGE_SIZE  # new indexes, as these tests build them

Damage = Callable[[Path], str]


def zero_header(path: Path) -> str:
    """The first 100 bytes zeroed: SQLite no longer recognises the file."""
    with path.open("r+b") as file:
        file.write(bytes(100))
    return "zeroed header"


def truncate(path: Path, keep: float = 0.5) -> str:
    """The file cut short, as by a copy that stopped or a full disk."""
    size = path.stat().st_size
    os.truncate(path, int(size * keep) // PAGE * PAGE)
    return "truncated"


def garbage_pages(path: Path, count: int = 4, seed: int = 0) -> str:
    """Random bytes over `count` pages in the middle of the file, sparing the pages of the
    `sources` table (so that the index still says what it was built from)."""
    spared = sources_pages(path)
    pages = path.stat().st_size // PAGE
    first = max(pages // 3, max(spared) + 1)
    assert first + count <= pages, f"index too small to damage in the middle ({pages} pages)"
    noise = random.Random(seed)
    with path.open("r+b") as file:
        for page in range(first, first + count):
            file.seek(page * PAGE)
            file.write(noise.randbytes(PAGE))
    return "garbage pages"


def sources_pages(path: Path) -> set[int]:
    """1-based page numbers of the schema and the (one-page) `sources` table and its index."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == PAGE
        roots = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'sources'"
        ).fetchall()
        assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] < 20  # one page
    conn.close()
    return {1, *(int(r[0]) for r in roots)}


def page_count(path: Path) -> int:
    return path.stat().st_size // PAGE


def zero_start(path: Path, pages: int = 3) -> str:
    """The first pages zeroed: header, schema and the `sources` table all gone."""
    with path.open("r+b") as file:
        file.write(bytes(pages * PAGE))
    return "zeroed start"
