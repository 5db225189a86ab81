"""Keeping the index fresh: the sources a person lists in `config.toml`, re-read when changed.

The config file names sources by path or glob, each with an optional format:

    [[sources]]
    path = "~/Zotero/zotero.sqlite"

    [[sources]]
    path = "~/papers/**/*.bib"

    [[sources]]
    path = "~/listings/*.txt"
    format = "listing"
    year = 2025

`sync` imports each file whose size or modification time changed since it was last read and
skips the rest without reading them, so running it often is cheap. Each source is its own
transaction: an interrupted sync leaves the source it was reading as it was before.
"""

from __future__ import annotations

import glob
import json
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paper_ls.errors import PaperLsError
from paper_ls.index.importer import ImportReport, Progress, add_source
from paper_ls.index.store import Index
from paper_ls.sources import FORMATS, ReadOptions

_GLOB_CHARS = frozenset("*?[")


class ConfigError(PaperLsError):
    """The config file cannot be read or says something we cannot do."""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One `[[sources]]` entry: a path or glob, and what to tell its reader."""

    pattern: str
    format: str | None = None
    year: int | None = None

    def absolute(self, base: Path) -> str:
        """The path or glob with `~` expanded and made absolute against `base`."""
        pattern = str(Path(self.pattern).expanduser())
        return pattern if Path(pattern).is_absolute() else str(base / pattern)

    def paths(self, base: Path) -> list[Path]:
        """The files this entry names now (a glob may match none, or more than before)."""
        pattern = self.absolute(base)
        if not _GLOB_CHARS & set(pattern):
            return [Path(pattern)]
        return sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())


@dataclass(slots=True)
class SyncOutcome:
    """What one source came to: a report, or the one-line error that stopped it."""

    path: Path
    report: ImportReport | None = None
    error: str = ""


@dataclass(slots=True)
class Config:
    path: Path
    sources: list[SourceSpec] = field(default_factory=list)


def load_config(path: Path) -> Config:
    """Read and check the config file; every mistake is one line naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"no config file at {path}; create it with [[sources]] entries (see README)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    entries = data.get("sources", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'sources' must be a list ([[sources]] tables or paths)")
    return Config(path, [_spec(path, i, entry) for i, entry in enumerate(entries, 1)])


def _spec(path: Path, number: int, entry: Any) -> SourceSpec:
    where = f"{path}: source {number}"
    if isinstance(entry, str):
        return SourceSpec(entry)
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        raise ConfigError(f"{where}: needs a 'path' (a file or a glob)")
    unknown = set(entry) - {"path", "format", "year"}
    if unknown:
        raise ConfigError(f"{where}: unknown setting {', '.join(sorted(unknown))}")
    fmt = entry.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"{where}: unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    year = entry.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        raise ConfigError(f"{where}: 'year' must be a number such as 2025")
    return SourceSpec(entry["path"], fmt, year)


def sync(
    index: Index,
    config: Config,
    *,
    force: bool = False,
    progress: Callable[[Path], Progress | None] | None = None,
) -> Iterator[SyncOutcome]:
    """Bring every configured source up to date, one transaction each, yielding as it goes.

    A source that fails (missing, unreadable, not in its format) is reported and the others
    still sync; an interrupt propagates after the current source has rolled back.
    """
    base = config.path.parent
    for spec in config.sources:
        paths = spec.paths(base)
        if not paths:
            yield SyncOutcome(Path(spec.pattern), error=f"{spec.pattern}: matches no files")
        for path in paths:
            try:
                report = add_source(
                    index,
                    path,
                    spec.format,
                    force=force,
                    options=ReadOptions(capture_year=spec.year),
                    progress=progress(path) if progress else None,
                )
            except PaperLsError as exc:
                yield SyncOutcome(path, error=str(exc))
                continue
            yield SyncOutcome(path, report=report)


# --- machine-readable progress (`paper-ls sync --progress-json`) -------------------------
#
# One JSON object per line on stdout, for a program that runs the sync in a subprocess (the
# language server does, so that a long import never holds up its requests):
#   {"event": "progress", "source": PATH, "done": N, "expected": M or null}
#   {"event": "source", "source": PATH, "skipped": B, "added": N, "updated": N, "removed": N,
#    "unchanged": N, "problems": N}
#   {"event": "error", "source": PATH, "error": "one line"}
#   {"event": "done", "sources": N, "changed": N, "failed": N}
# and, about the index file itself (`paper_ls.index.recovery`, `paper-ls repair`):
#   {"event": "recovered", "index": PATH, "moved_to": PATH, "message": "one line"}
#   {"event": "checked", "index": PATH, "message": "one line"}


@dataclass(frozen=True, slots=True)
class SyncEvent:
    """One line of `--progress-json` output, as its reader sees it."""

    event: str
    source: str = ""
    done: int = 0
    expected: int | None = None
    #: Records added, updated or removed (a "source" event) or sources changed ("done").
    changed: int = 0
    skipped: bool = False
    error: str = ""
    failed: int = 0
    sources: int = 0
    #: A `recovered` or `checked` event's one line for people.
    message: str = ""


def progress_line(source: Path, done: int, expected: int | None) -> str:
    event = {"event": "progress", "source": str(source), "done": done, "expected": expected}
    return json.dumps(event)


def outcome_line(outcome: SyncOutcome) -> str:
    report = outcome.report
    if report is None:
        return json.dumps({"event": "error", "source": str(outcome.path), "error": outcome.error})
    return json.dumps({
        "event": "source", "source": report.source, "skipped": report.skipped,
        "added": report.added, "updated": report.updated, "removed": report.removed,
        "unchanged": report.unchanged, "problems": len(report.problems),
    })  # fmt: skip


def summary_line(outcomes: list[SyncOutcome]) -> str:
    changed = sum(1 for o in outcomes if o.report is not None and _changed(o.report))
    failed = sum(1 for o in outcomes if o.report is None)
    return json.dumps(
        {"event": "done", "sources": len(outcomes), "changed": changed, "failed": failed}
    )


def _changed(report: ImportReport) -> int:
    return report.added + report.updated + report.removed


def parse_event(line: str) -> SyncEvent | None:
    """A `--progress-json` line; None for anything else (a stray line is not an error)."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        return None

    def number(name: str) -> int:
        value = data.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    expected = data.get("expected")
    changed = number("changed") or number("added") + number("updated") + number("removed")
    return SyncEvent(
        event=data["event"], source=str(data.get("source", "")), done=number("done"),
        expected=expected if isinstance(expected, int) and expected > 0 else None,
        changed=changed, skipped=data.get("skipped") is True, error=str(data.get("error", "")),
        failed=number("failed"), sources=number("sources"), message=str(data.get("message", "")),
    )  # fmt: skip
