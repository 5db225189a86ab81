"""A damaged index: moved aside (never deleted) and rebuilt from the sources it recorded.

The index holds nothing that its sources do not: every paper came from a file that
`paper-ls add` or `sync` read. So when the file is damaged (`paper_ls.index.integrity`), the
way back is to read those files again into a fresh index. The damaged file is renamed to
`index.sqlite3.corrupt-<time>` (with its `-wal` and `-shm`, so that SQLite still pairs them),
never deleted: it may hold the only record of a source that has since gone from disk.

The sources to read come from the damaged file's own `sources` table when that can still be
read, else from the `config.toml` that `paper-ls sync` uses. Several processes may find the
same damage at once (two editor windows and a command): a lock file lets one of them do the
work, and each confirms under the lock that the file at the path is still damaged, so the
second finds the rebuilt index sound and leaves it be.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from paper_ls.errors import PaperLsError
from paper_ls.index.importer import Progress, add_source
from paper_ls.index.integrity import full_check, header_problem, is_corruption
from paper_ls.index.store import PAGE_SIZE, Index, sources_table_sql, translate_error
from paper_ls.sources import ReadOptions
from paper_ls.sync import Config, ConfigError, SyncOutcome, load_config, sync

log = logging.getLogger(__name__)

_COMPANIONS = ("-wal", "-shm")


@dataclass(frozen=True, slots=True)
class RecordedSource:
    path: Path
    kind: str


@dataclass(slots=True)
class Recovery:
    """What was done about a damaged index, for the one message a person reads."""

    index: Path
    moved_to: Path
    reason: str
    #: Where the list of sources came from: the damaged index itself, or the config file.
    origin: str
    outcomes: list[SyncOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[SyncOutcome]:
        return [o for o in self.outcomes if o.report is None]

    def message(self) -> str:
        """One line: what happened, where the old file is, what the new one holds."""
        text = (f"the index {self.index} was damaged ({self.reason}); it was moved to "
                f"{self.moved_to} and a new index was built")  # fmt: skip
        if not self.outcomes:
            return text + (
                " empty: no sources were recorded or configured; add them again with 'paper-ls add'"
            )
        read = len(self.outcomes) - len(self.failed)
        text += f" from {self.origin}: {read} of {len(self.outcomes)} sources read"
        if self.failed:
            more = f" (and {len(self.failed) - 1} more)" if len(self.failed) > 1 else ""
            text += f"; not read: {self.failed[0].error}{more}"
        return text


def recover(
    path: Path,
    reason: str,
    *,
    config_path: Path | None,
    progress: Callable[[Path], Progress | None] | None = None,
    on_outcome: Callable[[SyncOutcome], None] | None = None,
) -> Recovery | None:
    """Move the damaged index at `path` aside and rebuild it; None when, under the lock,
    the file there turns out to be sound (another process rebuilt it first)."""
    with _exclusive(path):
        if still_damaged(path) is None:
            log.info("the index %s is sound now; not rebuilding it", path)
            return None
        moved_to = move_aside(path)
        recorded = recorded_sources(moved_to)
        config = _config(config_path)
        origin = "its recorded sources"
        if not recorded and config is not None:
            origin = f"the sources in {config.path}"
        recovery = Recovery(path, moved_to, reason, origin)
        try:
            with Index.open(path, create=True) as index:
                for outcome in rebuild(index, recorded, config, progress):
                    recovery.outcomes.append(outcome)
                    if on_outcome is not None:
                        on_outcome(outcome)
        except KeyboardInterrupt:
            raise PaperLsError(
                f"interrupted while rebuilding the damaged index {path}: the damaged file is "
                f"kept at {moved_to}; 'paper-ls sources' lists what was read again, add the "
                f"rest with 'paper-ls add'"
            ) from None
    return recovery


def still_damaged(path: Path) -> str | None:
    """The damage SQLite finds in the file at `path` now (a full check), or None if sound.

    A missing or empty file is not damaged: a recovery elsewhere is about to fill it.
    """
    problem = header_problem(path)
    if problem is not None:
        return problem
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            return full_check(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return str(exc)
        raise translate_error(exc, path) from exc  # locked, unreadable: not damage


def move_aside(path: Path) -> Path:
    """Rename the index (and its `-wal`, `-shm`) to `<name>.corrupt-<time>`; never deletes."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    try:
        os.replace(path, target)
        for suffix in _COMPANIONS:
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                os.replace(companion, Path(f"{target}{suffix}"))
    except OSError as exc:
        raise PaperLsError(
            f"the index {path} is damaged but cannot be moved aside to rebuild it: "
            f"{exc.strerror or exc}; move it away yourself and run 'paper-ls sync'"
        ) from exc
    return target


def recorded_sources(path: Path) -> list[RecordedSource] | None:
    """The sources a damaged index lists, in the order they were first added; None when
    even that table cannot be read.

    When the schema (page 1, with the file's header) is what is damaged, the table is read
    through a fresh page 1 that declares only the `sources` table, on page 2 as in every
    paper-ls index; the file's own first page is put back afterwards (and kept in a copy
    beside it until then), so the kept file ends as it was found.
    """
    found = _read_sources(path)
    if found is not None:
        return found
    size = path.stat().st_size
    for page_size in _PAGE_SIZES:
        if size >= 2 * page_size:
            found = _read_sources_through_fresh_first_page(path, size, page_size)
            if found is not None:
                return found
    return None


def _read_sources_through_fresh_first_page(
    path: Path, size: int, page_size: int
) -> list[RecordedSource] | None:
    backup = path.with_name(path.name + ".page1")
    with path.open("r+b") as file:
        original = file.read(page_size)
        backup.write_bytes(original)
        try:
            file.seek(0)
            file.write(_sources_only_first_page(size, page_size))
            file.flush()
            found = _read_sources(path)
        finally:
            file.seek(0)
            file.write(original)
            file.flush()
    backup.unlink()
    return found


def _read_sources(path: Path) -> list[RecordedSource] | None:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT path, kind FROM sources ORDER BY id").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        log.info("the sources of %s cannot be read: %s", path, exc)
        return None
    return [
        RecordedSource(Path(p), k) for p, k in rows if isinstance(p, str) and isinstance(k, str)
    ]


#: The page sizes a paper-ls index can have (a damaged page 1 no longer says which): new
#: indexes use `PAGE_SIZE`, those made before it SQLite's default.
_PAGE_SIZES = (PAGE_SIZE, 4096)


def _sources_only_first_page(size: int, page_size: int) -> bytes:
    """Page 1 of a database whose schema is only the `sources` table on page 2 (rollback
    journal mode, so the damaged file's `-wal` is not read), counting the whole file."""
    with tempfile.TemporaryDirectory(prefix="paper-ls-") as folder:
        template = Path(folder) / "sources.sqlite3"
        conn = sqlite3.connect(template)
        try:
            conn.execute(f"PRAGMA page_size = {page_size}")
            conn.execute(sources_table_sql())
            conn.commit()
        finally:
            conn.close()
        page = bytearray(template.read_bytes()[:page_size])
    page[28:32] = (-(-size // page_size)).to_bytes(4, "big")  # pages in the file
    return bytes(page)


def rebuild(
    index: Index,
    recorded: list[RecordedSource] | None,
    config: Config | None,
    progress: Callable[[Path], Progress | None] | None = None,
) -> Iterator[SyncOutcome]:
    """Read every recorded source again (with its config entry's options, if it has one);
    with none recorded, sync the configured sources instead."""
    if not recorded:
        if config is not None:
            yield from sync(index, config, force=True, progress=progress)
        return
    specs = {}
    if config is not None:
        base = config.path.parent
        specs = {p.resolve(): spec for spec in config.sources for p in spec.paths(base)}
    for source in recorded:
        spec = specs.get(source.path)
        options = ReadOptions(capture_year=spec.year if spec is not None else None)
        try:
            report = add_source(index, source.path, source.kind, force=True, options=options,
                                progress=progress(source.path) if progress else None)  # fmt: skip
        except PaperLsError as exc:
            yield SyncOutcome(source.path, error=str(exc))
            continue
        yield SyncOutcome(source.path, report=report)


def _config(path: Path | None) -> Config | None:
    if path is None or not path.is_file():
        return None
    try:
        return load_config(path)
    except ConfigError as exc:
        log.info("config not used for the rebuild: %s", exc)
        return None


@contextmanager
def no_rebuild_running(path: Path) -> Iterator[None]:
    """Hold off any rebuild of this index while inside (and wait for one that is running).

    A command opens the index inside this: it then opens either the damaged file (and meets
    the damage itself) or the rebuilt one whole, never one half filled, which it would
    answer from without saying so. (The language server does not wait: it shows the
    rebuild's progress instead.)
    """
    with _locked(_lock_path(path), shared=True):
        yield


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """One recovery of this index at a time, across processes (a lock file beside it)."""
    with _locked(_lock_path(path), shared=False):
        yield


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def _locked(lock_path: Path, *, shared: bool) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: a damaged file open elsewhere cannot be renamed anyway
        yield
        return
    try:
        lock = lock_path.open("a")
    except OSError as exc:  # a read-only directory: nobody can rebuild there anyway
        log.info("no lock at %s: %s", lock_path, exc)
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
