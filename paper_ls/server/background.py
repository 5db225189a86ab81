"""Keeping the index fresh from the server: `paper-ls sync` in a subprocess, with progress.

On start, and when the config file or one of its sources changes on disk, the server runs
`python -m paper_ls sync --progress-json` as a child process. A long import (a 4 GB arXiv
snapshot) then runs on another core with its own GIL, and completion, which shares this
process's GIL, never waits for it. The child's JSON lines become `$/progress` in the editor
(or log lines for a client without work-done progress). The index is SQLite in WAL mode: the
server's connection sees the child's committed sources on its next query.

One sync runs at a time; a request for another while one runs queues exactly one more, which
then sees everything that changed meanwhile (an unchanged source costs a `stat`).
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import os
import signal
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path

from paper_ls.config import resolve_config_path, resolve_index_path
from paper_ls.index.integrity import check_is_due
from paper_ls.sync import Config, ConfigError, SyncEvent, load_config, parse_event

if TYPE_CHECKING:
    from paper_ls.server.server import PaperServer

log = logging.getLogger(__name__)

#: Quiet time after a watched file changes before a sync starts: a program writing a file
#: in several steps (Zotero, a `.bib` export) causes one sync, not one per write.
DEBOUNCE_S = 0.5
#: The full check of an index that seems sound waits this long after the server starts:
#: the editor's start and a person's first completions come first (on a loaded machine a
#: child process then costs them a second or more).
CHECK_DELAY_S = 30.0
REGISTRATION_METHOD = types.WORKSPACE_DID_CHANGE_WATCHED_FILES
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one run of the child came to, for the end of the progress and the log."""

    sources: int = 0
    changed: int = 0
    failed: int = 0
    #: Set when the child stopped before its summary: its last line of stderr.
    fatal: str = ""
    #: The person stopped it (the progress bar's cancel button).
    cancelled: bool = False
    #: The index was found damaged, moved aside and rebuilt.
    recovered: bool = False


class BackgroundSync:
    """Runs, queues, watches and reports the server's syncs; one per server."""

    def __init__(self, ls: PaperServer, debounce_s: float = DEBOUNCE_S) -> None:
        self.ls = ls
        self.debounce_s = debounce_s
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._timer: asyncio.TimerHandle | None = None
        self._process: asyncio.subprocess.Process | None = None
        #: (config, index) the last sync used: a settings change to either starts a new one.
        self._used: tuple[Path, Path] | None = None
        #: Absolute globs of the watched files (sources, then the config file itself).
        self._patterns: tuple[str, ...] = ()
        self._registered: str | None = None
        #: The config error last shown, so that a re-sync does not show it again.
        self._shown_error = ""
        self._cancelled = False
        #: Why the server thinks the index is damaged, until a child has dealt with it.
        self._damage = ""
        self._repairing = False
        self.check_delay_s = CHECK_DELAY_S
        self._first_run: float | None = None
        self._check_timer: asyncio.TimerHandle | None = None

    # --- starting -------------------------------------------------------------------------

    def start(self) -> None:
        """Sync now, or once more right after the sync that is running."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.ensure_future(self._run_until_settled())

    def soon(self) -> None:
        """Sync after a short quiet time (for bursts of file-change notifications)."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self.debounce_s, self.start)

    def settings_changed(self) -> None:
        """Sync again if the config or the index the server uses is now another file."""
        if self._used is not None and self._used != self._paths():
            self.start()

    def notice(self, paths: Iterable[Path]) -> set[Path]:
        """Changed files: sync soon if any is a source or the config; return those that
        lie outside the workspace folders (nothing else in the server needs to see them)."""
        ours = {path for path in paths if matches(path, self._patterns)}
        if ours:
            self.soon()
        folders = self.ls.workspace_folders()
        return {p for p in ours if not any(p.is_relative_to(f) for f in folders)}

    def names_source(self, path: Path) -> bool:
        """Whether the sources config lists `path` (a file the person chose to index)."""
        return matches(path, self._patterns)

    def stop(self) -> None:
        """The server is shutting down: end the child (its open transaction rolls back)."""
        for timer in (self._timer, self._check_timer):
            if timer is not None:
                timer.cancel()
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
        if self._task is not None:
            self._task.cancel()

    def _paths(self) -> tuple[Path, Path]:
        settings = self.ls.settings
        return resolve_config_path(settings.config), resolve_index_path(settings.index)

    # --- one sync ---------------------------------------------------------------------------

    async def _run_until_settled(self) -> None:
        while True:
            self._again = False
            try:
                await self._sync_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed sync must never take the server down
                log.exception("background sync failed")
            if not self._again:
                return

    def repair(self, reason: str) -> None:
        """The server met a damaged index: check it in full and rebuild it, in the child.
        Reports while a repair is pending or running are the same damage, met again."""
        if not self._damage and not self._repairing:
            self._damage = reason
            self.start()

    async def _sync_once(self) -> None:
        config_path, index_path = self._used = self._paths()
        config = self._take_config(*await asyncio.to_thread(read_config, config_path))
        await self._watch(config_path, config)
        damage, self._damage = self._damage, ""
        config_option = ["--config", str(config_path)]
        if damage:  # confirmed by a full check in the child, which then rebuilds it
            self._repairing = True
            try:
                await self._run(["repair", *config_option, "--progress-json"], index_path)
            finally:
                self._repairing = False
        if config is not None and config.sources:
            await self._run(["sync", *config_option, "--progress-json"], index_path)
        # The whole file, if it changed since its last check: about 16 s for a 1.8 GB index,
        # in the child on another core, never on a request (and not during the first seconds).
        if (not damage and self._check_may_start()
                and await asyncio.to_thread(check_is_due, index_path)):  # fmt: skip
            await self._run(["repair", "--if-changed", "--progress-json"], index_path)

    def _check_may_start(self) -> bool:
        """Whether the server has run long enough for the background check; if not, come
        back when it has (once)."""
        loop = asyncio.get_running_loop()
        if self._first_run is None:
            self._first_run = loop.time()
        wait = self._first_run + self.check_delay_s - loop.time()
        if wait <= 0:
            return True
        if self._check_timer is None:
            self._check_timer = loop.call_later(wait, self.start)
        return False

    async def _run(self, arguments: list[str], index_path: Path) -> None:
        result = await self._run_child(arguments, index_path)
        log.info("%s: %d sources, %d changed, %d failed", arguments[0], result.sources,
                 result.changed, result.failed)  # fmt: skip
        if result.fatal and not result.cancelled:
            self._show_warning(f"paper-ls {arguments[0]}: {result.fatal}")
        # Sources read before a cancel are kept; a rebuilt index is another file to open.
        if result.changed or result.cancelled or result.recovered:
            self.ls.index_changed()

    def _take_config(self, config: Config | None, error: str) -> Config | None:
        if error:
            self._show_warning(error)
        elif config is not None:
            self._shown_error = ""
        return config

    def _show_warning(self, message: str) -> None:
        """One popup per distinct problem: a re-sync of the same broken file stays quiet."""
        log.warning("%s", message)
        if message != self._shown_error:
            self._shown_error = message
            self.ls.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=message)
            )

    async def _run_child(self, arguments: list[str], index: Path) -> SyncResult:
        command = [sys.executable, "-m", "paper_ls", "--index", str(index), *arguments]
        self._process = process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None and process.stderr is not None
        errors = asyncio.ensure_future(process.stderr.read())
        self._cancelled = False
        progress = SyncProgress(self.ls, on_cancel=lambda: self._cancel(process))
        summary: SyncEvent | None = None
        recovered = False
        try:
            async for raw in process.stdout:
                event = parse_event(raw.decode("utf-8", errors="replace"))
                if event is None:
                    continue
                if event.event == "done":
                    summary = event
                elif event.event == "recovered":  # what happened, where the old file is
                    recovered = True
                    self._show_warning(f"paper-ls: {event.message}")
                    self.ls.index_changed()
                elif event.event == "checked":  # sound, or unchanged since found sound
                    log.info("index check: %s", event.message or "passed")
                    self.ls.index_sound()
                else:
                    await progress.show(event)
            await process.wait()
        finally:
            if process.returncode is None:
                process.terminate()
            self._process = None
        stderr = (await errors).decode("utf-8", errors="replace").strip().splitlines()
        if summary is None:
            fatal = stderr[-1] if stderr else f"stopped with exit status {process.returncode}"
            result = SyncResult(fatal=fatal.removeprefix("paper-ls: "), cancelled=self._cancelled)
        else:
            result = SyncResult(summary.sources, summary.changed, summary.failed)
        result = replace(result, recovered=recovered)
        progress.finish(result)
        return result

    def _cancel(self, process: asyncio.subprocess.Process) -> None:
        """Interrupt the child as Ctrl-C would: the source it reads rolls back, the ones
        before stay; the queued follow-up is dropped (it would only start the same read)."""
        if process.returncode is not None:
            return
        self._cancelled, self._again = True, False
        if sys.platform == "win32":
            process.terminate()
        else:
            process.send_signal(signal.SIGINT)

    # --- watching -----------------------------------------------------------------------

    async def _watch(self, config_path: Path, config: Config | None) -> None:
        """Ask the client to report changes to the sources and the config file.

        Only clients with dynamic registration of file watchers can be asked; elsewhere a
        source is synced when the server starts (and `paper-ls sync` is there).
        """
        patterns = watch_patterns(config_path, config)
        if patterns == self._patterns:
            return
        self._patterns = patterns
        self.ls.sources_listed()  # a bibliography outside the workspace may be readable now
        workspace = self.ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched is None or not watched.dynamic_registration:
            log.info("the client cannot watch files for the server: sources sync on start")
            return
        relative = bool(watched.relative_pattern_support)
        watchers = [types.FileSystemWatcher(glob_pattern=glob_pattern(p, relative))
                    for p in patterns]  # fmt: skip
        if self._registered is not None:
            old = types.Unregistration(id=self._registered, method=REGISTRATION_METHOD)
            self._registered = None
            try:
                await self.ls.client_unregister_capability_async(types.UnregistrationParams([old]))
            except Exception as exc:  # the old watchers only cause a sync too many
                log.info("could not drop the old file watchers: %s", exc)
        registration = f"paper-ls-sources-{uuid.uuid4().hex[:8]}"
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
        try:
            await self.ls.client_register_capability_async(types.RegistrationParams(
                [types.Registration(id=registration, method=REGISTRATION_METHOD,
                                    register_options=options)]
            ))  # fmt: skip
        except Exception as exc:  # the client said no: syncing on start still works
            log.warning("could not ask the client to watch the sources: %s", exc)
            return
        self._registered = registration


class SyncProgress:
    """The child's events as `$/progress` (begun at the first real work), else log lines.

    A sync that finds nothing changed shows nothing: progress appears only once a source is
    actually being read.
    """

    def __init__(self, ls: PaperServer, on_cancel: Callable[[], None]) -> None:
        self.ls = ls
        self.on_cancel = on_cancel
        self.token: str | None = None
        self.begun = False
        window = ls.client_capabilities.window
        self.supported = bool(window and window.work_done_progress)

    async def show(self, event: SyncEvent) -> None:
        if event.event == "source" and event.skipped:
            return
        message, percentage = describe(event)
        if event.event == "error":
            self.ls.window_log_message(
                types.LogMessageParams(type=types.MessageType.Warning, message=message)
            )
        if not self.begun:
            await self._begin()
        if self.token is None:
            log.info("sync: %s", message)
            return
        self.ls.work_done_progress.report(
            self.token, types.WorkDoneProgressReport(message=message, percentage=percentage)
        )

    async def _begin(self) -> None:
        self.begun = True
        if not self.supported:
            return
        token = f"paper-ls-sync-{uuid.uuid4().hex[:8]}"
        try:
            await self.ls.work_done_progress.create_async(token)
        except Exception as exc:
            log.info("no progress in the editor (%s): logging instead", exc)
            return
        self.token = token
        cancelled = self.ls.work_done_progress.tokens.get(token)
        if cancelled is not None:  # pygls cancels this future when the editor cancels
            cancelled.add_done_callback(lambda done: self.on_cancel() if done.cancelled() else None)
        self.ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title="Importing papers", cancellable=True)
        )

    def finish(self, result: SyncResult) -> None:
        if self.token is None:
            return
        message = f"{result.changed} of {result.sources} sources changed"
        if result.failed:
            message += f", {result.failed} failed (see the log)"
        if result.fatal:
            message = f"{'cancelled' if result.cancelled else 'stopped'}: {result.fatal}"
        self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
        self.ls.work_done_progress.tokens.pop(self.token, None)
        self.token = None


def read_config(path: Path) -> tuple[Config | None, str]:
    """The config, or None and why not: no file (nothing to do) or a broken one (an error)."""
    if not path.is_file():
        log.info("no sources config at %s: nothing to sync", path)
        return None, ""
    try:
        return load_config(path), ""
    except ConfigError as exc:
        return None, str(exc)


def describe(event: SyncEvent) -> tuple[str, int | None]:
    """A short progress message, and a percentage when the source's last size is known."""
    name = Path(event.source).name or event.source
    if event.event == "progress":
        if event.expected and event.done <= event.expected:
            percent = event.done * 100 // event.expected
            return f"{name}: {event.done:,} of {event.expected:,} records", percent
        return f"{name}: {event.done:,} records", None
    if event.event == "error":
        return event.error, None
    records = "record" if event.changed == 1 else "records"
    return f"{name}: {event.changed:,} {records} added, updated or removed", None


def watch_patterns(config_path: Path, config: Config | None) -> tuple[str, ...]:
    """Absolute globs for every configured source, a Zotero database's `-wal`, the config."""
    patterns: list[str] = []
    for spec in config.sources if config is not None else []:
        pattern = spec.absolute(config_path.parent)
        patterns.append(pattern)
        if pattern.endswith(".sqlite"):  # Zotero writes to the -wal file while it runs
            patterns.append(pattern + "-wal")
    patterns.append(str(config_path))
    return tuple(dict.fromkeys(patterns))


def glob_pattern(pattern: str, relative: bool) -> types.GlobPattern:
    """An LSP glob: relative to its fixed leading folder when the client takes that (needed
    for folders outside the workspace in some editors), else the absolute glob."""
    if not relative:
        return pattern
    parts = Path(pattern).parts
    fixed = next((i for i, part in enumerate(parts) if _GLOB_CHARS & set(part)), len(parts) - 1)
    base = Path(*parts[:fixed])
    rest = "/".join(parts[fixed:])
    return types.RelativePattern(base_uri=from_fs_path(str(base)) or base.as_uri(), pattern=rest)


def matches(path: Path, patterns: Iterable[str]) -> bool:
    """Whether a changed file is named by one of the globs (`**/` also matching no folder)."""
    text = os.path.normpath(path)
    for pattern in patterns:
        if fnmatch.fnmatchcase(text, pattern) or fnmatch.fnmatchcase(
            text, pattern.replace("**/", "")
        ):
            return True
    return False
