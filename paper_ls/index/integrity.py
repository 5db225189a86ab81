"""Is the index file sound? Cheap checks on every open, the full check only when it is due.

A damaged index must never be served as if it were whole: a search would silently miss
papers, or fail halfway through a keystroke. Three layers, from cheapest to dearest:

1. `header_problem`, on every open (a 100-byte read): the SQLite magic, a possible page size,
   and a file at least as long as its header says (a truncated copy or a disk that filled up;
   judged only while no write-ahead log holds frames, since a checkpoint writes the new
   header before the pages that make the file that long).
2. `is_corruption`, wherever SQLite is asked anything: its "database disk image is malformed"
   and "file is not a database" errors mean damage, whatever statement met them.
3. `full_check`, SQLite's own `PRAGMA quick_check`, which reads every page. It costs about
   16 s on a 1.8 GB index, so it runs on the command line's path only for a small index
   (`INLINE_CHECK_BYTES`), and otherwise in the background (`paper-ls repair --if-changed`,
   which the language server runs in a child process once it has run for a while;
   `paper-ls sync --check`; `paper-ls repair`). A passed check is stamped
   in a small file beside the index with the size and modification time it was made at, so
   it is not repeated until the file changes. The stamp lives beside the index rather than in
   it because writing it into the index would itself change the file it vouches for.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_BYTES = 100
#: SQLITE_CORRUPT and SQLITE_NOTADB, as primary result codes.
_CORRUPT_CODES = frozenset({11, 26})
#: An index up to this size is checked in full before a command uses it (about 0.3 s);
#: a larger one is checked in the background.
INLINE_CHECK_BYTES = 32 * 2**20
#: The most problems `quick_check` is asked to list: one is enough to know, a few to report.
_PROBLEMS_LISTED = 5


def header_problem(path: Path) -> str | None:
    """What is wrong with the file's SQLite header, or None (also for an empty file: an
    index another process is creating right now)."""
    try:
        quiet = _log_is_empty(path)
        with path.open("rb") as file:
            header = file.read(_HEADER_BYTES)
            size = os.fstat(file.fileno()).st_size
        quiet = quiet and _log_is_empty(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not header:
        return None
    if len(header) < _HEADER_BYTES or not header.startswith(SQLITE_MAGIC):
        return "its SQLite header is missing or overwritten"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"its header gives an impossible page size ({page_size})"
    pages = int.from_bytes(header[28:32], "big")
    counter_valid = header[24:28] == header[92:96]
    if quiet and counter_valid and pages and size < pages * page_size:
        return f"the file is truncated ({size:,} of {pages * page_size:,} bytes)"
    return None


def was_an_index(path: Path) -> bool:
    """Whether a file without an SQLite header was an SQLite file whose header was damaged
    (whole pages, and zeros or the first page's b-tree where the header was; or a check
    stamp or write-ahead log beside it),
    rather than some other file named by mistake, which must not be moved or replaced."""
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            start = file.read(_HEADER_BYTES + 1)
    except OSError:
        return False
    if stamp_path(path).exists() or Path(f"{path}-wal").exists():
        return True
    zeroed = not any(start[:_HEADER_BYTES])
    schema_page = start[_HEADER_BYTES:] in (b"\x05", b"\x0d")
    return size >= 1024 and size % 512 == 0 and (zeroed or schema_page)


def _log_is_empty(path: Path) -> bool:
    """No write-ahead log, or an empty one: no checkpoint can be rewriting the header."""
    try:
        return Path(f"{path}-wal").stat().st_size == 0
    except FileNotFoundError:
        return True


def is_corruption(exc: BaseException | None) -> bool:
    """Whether an SQLite error means the file is damaged (not busy, full or unreadable)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _CORRUPT_CODES:
        return True
    text = str(exc).lower()
    # FTS5 failing to read its own shadow tables: in an index paper-ls made, with the module
    # always present, only damaged pages do that.
    return any(
        sign in text
        for sign in ("malformed", "not a database", "corrupt", "vtable constructor failed")
    )


def full_check(conn: sqlite3.Connection) -> str | None:
    """Run `PRAGMA quick_check` (every page, every index entry's format; not the slower
    cross-check of indexes against tables): None if sound, else its first findings."""
    try:
        rows = conn.execute(f"PRAGMA quick_check({_PROBLEMS_LISTED})").fetchall()
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return str(exc)
        raise
    found = [line.strip() for row in rows for line in str(row[0]).splitlines()]
    problems = [line for line in found if line and line != "ok" and not line.startswith("***")]
    if not problems:
        return None
    more = len(problems) - 1
    return f"SQLite's check found: {problems[0]}" + (f" and {more} more" if more else "")


# --- the stamp of the last passed check -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stamp:
    """The index file as it was when a full check passed."""

    size: int
    mtime_ns: int
    checked_at: str = ""
    seconds: float = 0.0


def stamp_path(index_path: Path) -> Path:
    return index_path.with_name(index_path.name + ".checked")


def current_stamp(index_path: Path) -> Stamp | None:
    try:
        stat = index_path.stat()
    except OSError:
        return None
    return Stamp(stat.st_size, stat.st_mtime_ns)


def read_stamp(index_path: Path) -> Stamp | None:
    try:
        data = json.loads(stamp_path(index_path).read_text(encoding="utf-8"))
        return Stamp(int(data["size"]), int(data["mtime_ns"]), str(data.get("checked_at", "")),
                     float(data.get("seconds", 0.0)))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_is_due(index_path: Path) -> bool:
    """Whether the file changed (or was never checked) since its last passed full check."""
    stamp, now = read_stamp(index_path), current_stamp(index_path)
    if now is None:
        return False
    return stamp is None or (stamp.size, stamp.mtime_ns) != (now.size, now.mtime_ns)


def write_stamp(index_path: Path, before: Stamp, seconds: float) -> None:
    """Record a passed check, if the file is still as it was when the check began (a write
    meanwhile may not have been seen). A stamp that cannot be written only costs a re-check."""
    now = current_stamp(index_path)
    if now is None or (now.size, now.mtime_ns) != (before.size, before.mtime_ns):
        return
    data = {"size": now.size, "mtime_ns": now.mtime_ns, "seconds": round(seconds, 3),
            "checked_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}  # fmt: skip
    target = stamp_path(index_path)
    temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, target)
    except OSError as exc:
        log.info("could not record the index check in %s: %s", target, exc)
        temporary.unlink(missing_ok=True)


def check_and_stamp(index_path: Path, conn: sqlite3.Connection) -> str | None:
    """The full check on `conn` (an open connection to `index_path`); stamped if it passes."""
    before = current_stamp(index_path)
    started = time.monotonic()
    problem = full_check(conn)
    if problem is None and before is not None:
        write_stamp(index_path, before, time.monotonic() - started)
    return problem
