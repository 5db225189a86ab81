"""The `paper-ls` command: fill the index, query it, export from it, serve it.

Every subcommand takes `--index PATH` (also honoured before the subcommand) and errors are
printed as one line with a non-zero exit: a person should never see a traceback.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from paper_ls import __version__
from paper_ls.bibtex.render import render_entry
from paper_ls.config import resolve_config_path, resolve_index_path
from paper_ls.errors import IndexCorruptError, PaperLsError
from paper_ls.index import integrity
from paper_ls.index.importer import ImportReport, add_source, list_sources, remove_source
from paper_ls.index.reader import StoredPaper, find_paper, stats
from paper_ls.index.search import Hit, hit_json, search
from paper_ls.index.store import Index, translate_error
from paper_ls.sources import FORMATS, ReadOptions

if TYPE_CHECKING:
    from paper_ls.sync import Config

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # `--index` may stand before or after the command; absent in both, the default applies.
    args.index = getattr(args, "index", None)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return run_recovering(handler, args)
    except Interrupted as exc:
        print(f"paper-ls: {exc}", file=sys.stderr)
        return 130
    except PaperLsError as exc:
        print(f"paper-ls: {exc}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:
        print(f"paper-ls: {translate_error(exc, resolve_index_path(args.index))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("paper-ls: interrupted; the index is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def run_recovering(handler: Handler, args: argparse.Namespace) -> int:
    """Run a command; if it finds the index damaged, rebuild the index and run it once more.

    A damaged index is never served: whatever command meets the damage moves the file aside,
    rebuilds it from its sources, says so in one line, and then does what it was asked.
    """
    try:
        return handler(args)
    except (IndexCorruptError, sqlite3.DatabaseError) as exc:
        if isinstance(exc, IndexCorruptError):
            path, reason = Path(str(exc.path)), exc.reason
        elif integrity.is_corruption(exc):
            path, reason = resolve_index_path(args.index), str(exc)
        else:
            raise
    recover_index(args, path, reason)
    return handler(args)


def recover_index(args: argparse.Namespace, path: Path, reason: str) -> None:
    """Move the damaged index aside and rebuild it, with progress; then one line saying so
    (on stderr, or as a `recovered` event for `--progress-json`)."""
    from paper_ls.index.recovery import recover

    config_path = resolve_config_path(getattr(args, "config", None))
    if getattr(args, "progress_json", False):
        from paper_ls.sync import outcome_line, progress_line

        def emit(line: str) -> None:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

        def json_progress(source: Path) -> Callable[[int, int | None], None]:
            return lambda done, expected: emit(progress_line(source, done, expected))

        recovery = recover(path, reason, config_path=config_path, progress=json_progress,
                           on_outcome=lambda outcome: emit(outcome_line(outcome)))  # fmt: skip
        if recovery is not None:
            event = {"event": "recovered", "index": str(path),
                     "moved_to": str(recovery.moved_to), "message": recovery.message()}  # fmt: skip
            emit(json.dumps(event))
        return
    lines: list[ProgressLine] = []

    def progress(source: Path) -> ProgressLine:
        for line in lines:
            line.clear()
        lines[:] = [ProgressLine(f"rebuilding the index: {source.name}", sys.stderr)]
        return lines[0]

    recovery = recover(path, reason, config_path=config_path, progress=progress)
    for line in lines:
        line.clear()
    if recovery is not None:
        print(f"paper-ls: {recovery.message()}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--index",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="index file (default: $PAPER_LS_INDEX, else the per-user data directory)",
    )
    parser = argparse.ArgumentParser(
        prog="paper-ls",
        parents=[common],
        description="A local index of papers, and a language server that cites them.",
    )
    parser.add_argument("--version", action="version", version=f"paper-ls {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command(
        "add",
        cmd_add,
        "import (or refresh) sources: BibTeX, CSL-JSON, Zotero, arXiv, Hugging Face, listings",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=list(FORMATS), help="the files' format (default: detected)")
    p.add_argument(
        "--year",
        type=int,
        metavar="YEAR",
        help="for listings: the year they were copied, for dates without one (default: file date)",
    )
    p.add_argument("--force", action="store_true", help="re-read even if unchanged on disk")

    p = command("sync", cmd_sync, "re-read the sources listed in config.toml that changed")
    p.add_argument("--config", metavar="PATH", help="config file (default: the per-user one)")
    p.add_argument("--force", action="store_true", help="re-read every source, changed or not")
    p.add_argument(
        "--progress-json", action="store_true",
        help="print progress and results as one JSON object per line (for programs)",
    )  # fmt: skip
    p.add_argument(
        "--check",
        action="store_true",
        help="then check the whole index file if it changed since its last check",
    )

    p = command(
        "repair", cmd_repair,
        "check the whole index file now; if it is damaged, rebuild it from its sources",
    )  # fmt: skip
    p.add_argument("--config", metavar="PATH", help="config file, for sources to rebuild from")
    p.add_argument(
        "--if-changed", action="store_true", help="only if it changed since its last check"
    )
    p.add_argument("--progress-json", action="store_true", help="JSON lines (for programs)")

    p = command("remove", cmd_remove, "remove a source and the papers only it knew")
    p.add_argument("source", help="the source's path, or its file name if unique")

    p = command("sources", cmd_sources, "list the sources with entry counts")
    p.add_argument("--json", action="store_true")

    p = command("search", cmd_search, "find papers by key, authors, title words, year, abstract")
    p.add_argument("query", nargs="+")
    p.add_argument("-n", "--limit", type=int, default=10)
    p.add_argument("--no-abstracts", action="store_true", help="do not search abstracts")
    p.add_argument("--json", action="store_true")

    p = command("show", cmd_show, "print everything known about a paper")
    p.add_argument("key")
    p.add_argument("--json", action="store_true")

    p = command("bibtex", cmd_bibtex, "print clean BibTeX entries for keys")
    p.add_argument("keys", nargs="+", metavar="KEY")

    p = command("stats", cmd_stats, "print counts and the index size")
    p.add_argument("--json", action="store_true")

    p = command(
        "check", cmd_check,
        "report undefined, duplicate and malformed citations and entries; exit 1 on an error",
    )  # fmt: skip
    p.add_argument("files", nargs="+", metavar="FILE", help="LaTeX or Markdown documents")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--fix", action="store_true", help="add the entries the index knows to the bibliography"
    )
    p.add_argument("--unused", action="store_true", help="also report entries no document cites")
    p.add_argument(
        "--bibliography", action="append", default=[], metavar="FILE",
        help="bibliography for documents that declare none (repeatable)",
    )  # fmt: skip

    p = command("serve", cmd_serve, "run the language server (stdio by default)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead, for debugging")
    p.add_argument("--log-level", default="WARNING", help="server log level on stderr")
    p.add_argument(
        "--timings", metavar="FILE", type=Path,
        help="append each completion's server-side milliseconds to FILE (for benchmarks)",
    )  # fmt: skip

    p = command(
        "demo", cmd_demo, "index the bundled sample library in a temporary index and query it"
    )
    return parser


def open_index(args: argparse.Namespace, *, create: bool = False) -> Index:
    """The index, checked: cheaply always, in full when it is small and changed since its
    last check (a large one is checked by `sync --check`, `repair` and the server)."""
    from paper_ls.index.recovery import no_rebuild_running

    path = resolve_index_path(args.index)
    with no_rebuild_running(path):
        index = Index.open(path, create=create)
    index.on_wait = lambda: print(
        f"paper-ls: waiting for another paper-ls process to finish writing {index.path}",
        file=sys.stderr,
        flush=True,
    )
    try:
        size = path.stat().st_size
        if size <= integrity.INLINE_CHECK_BYTES and integrity.check_is_due(path):
            check_fully(index)
    except BaseException:
        index.close()
        raise
    return index


def check_fully(index: Index) -> float:
    """`PRAGMA quick_check` over the whole file, stamped when it passes; its duration."""
    started = time.monotonic()
    problem = integrity.check_and_stamp(index.path, index.conn)
    if problem is not None:
        raise IndexCorruptError(index.path, problem)
    return time.monotonic() - started


# --- commands ----------------------------------------------------------------------------


def cmd_add(args: argparse.Namespace) -> int:
    options = ReadOptions(capture_year=args.year)
    with open_index(args, create=True) as index:
        for name in args.files:
            path = Path(name)
            try:
                with ProgressLine(path.name, sys.stderr) as progress:
                    report = add_source(
                        index,
                        path,
                        args.format,
                        force=args.force,
                        options=options,
                        progress=progress,
                    )
            except KeyboardInterrupt:
                raise Interrupted(path) from None
            print_report(report)
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from paper_ls.sync import load_config

    config = load_config(resolve_config_path(args.config))
    if not config.sources and not args.progress_json:
        print(f"{config.path} lists no sources; add [[sources]] entries with a path")
        return 0
    if args.progress_json:
        return _sync_as_json(args, config)
    return _sync_for_people(args, config)


def _sync_for_people(args: argparse.Namespace, config: Config) -> int:
    from paper_ls.sync import sync

    failed = 0
    current: list[tuple[Path, ProgressLine]] = []

    def progress(path: Path) -> ProgressLine:
        current[:] = [(path, ProgressLine(path.name, sys.stderr))]
        return current[0][1]

    with open_index(args, create=True) as index:
        try:
            for outcome in sync(index, config, force=args.force, progress=progress):
                if current:
                    current[0][1].clear()
                if outcome.report is not None:
                    print_report(outcome.report)
                else:
                    failed += 1
                    print(f"paper-ls: {outcome.error}", file=sys.stderr)
        except KeyboardInterrupt:
            raise Interrupted(current[0][0] if current else None) from None
        if args.check and integrity.check_is_due(index.path):
            check_fully(index)
    return 1 if failed else 0


def _sync_as_json(args: argparse.Namespace, config: Config) -> int:
    """`sync --progress-json`: the events of `paper_ls.sync`, one line each, flushed at once."""
    from paper_ls.sync import outcome_line, progress_line, summary_line, sync

    def emit(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    outcomes = []
    reading: list[Path] = []

    def progress(path: Path) -> Callable[[int, int | None], None]:
        reading[:] = [path]
        return lambda done, expected: emit(progress_line(path, done, expected))

    with open_index(args, create=True) as index:
        try:
            for outcome in sync(index, config, force=args.force, progress=progress):
                outcomes.append(outcome)
                emit(outcome_line(outcome))
        except KeyboardInterrupt:
            raise Interrupted(reading[0] if reading else None) from None
        if args.check and integrity.check_is_due(index.path):
            seconds = check_fully(index)
            emit(json.dumps({"event": "checked", "index": str(index.path), "seconds": seconds}))
    emit(summary_line(outcomes))
    return 1 if any(o.report is None for o in outcomes) else 0


def cmd_repair(args: argparse.Namespace) -> int:
    """The full check on demand (the server runs it in the background when no sources are
    configured); a damaged index is rebuilt by `run_recovering`, like any command's."""
    path = resolve_index_path(args.index)
    if not path.exists():
        raise PaperLsError(f"no index at {path}; nothing to check")
    if args.if_changed and not integrity.check_is_due(path):
        message = f"{path}: unchanged since its last check"
    else:
        from paper_ls.index.recovery import no_rebuild_running

        with no_rebuild_running(path):
            index = Index.open(path, create=False)
        with index:
            seconds = check_fully(index)
        message = f"{path}: sound (checked in {seconds:.1f} s)"
    if args.progress_json:
        from paper_ls.sync import summary_line

        print(json.dumps({"event": "checked", "index": str(path), "message": message}))
        print(summary_line([]), flush=True)
    else:
        print(message)
    return 0


def print_report(report: ImportReport) -> None:
    for problem in report.problems:
        print(f"warning: {problem}", file=sys.stderr)
    if report.skipped:
        print(f"{report.source}: unchanged since last import, skipped")
        return
    print(
        f"{report.source}: {report.entries} entries ({report.added} added, "
        f"{report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged)"
        + (f", {len(report.problems)} skipped with errors" if report.problems else "")
    )


class Interrupted(Exception):
    """Ctrl-C during one source: that source rolled back, the ones before it stay."""

    def __init__(self, path: Path | None) -> None:
        where = f" while reading {path}" if path is not None else ""
        super().__init__(
            f"interrupted{where}; that source is as it was before, sources read earlier are kept"
        )


class ProgressLine:
    """Progress of a long import: a count rewritten in place on a terminal, a plain line
    every few seconds otherwise (logs, CI). Quiet for imports that finish in a second.
    A source read before shows a bar against its previous size."""

    BAR_WIDTH = 24

    def __init__(
        self,
        label: str,
        stream: TextIO,
        *,
        tty: bool | None = None,
        quiet_s: float = 1.0,
        every_s: float | None = None,
    ) -> None:
        self.label = label
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.every_s = every_s if every_s is not None else (0.2 if self.tty else 5.0)
        self.started = time.monotonic()
        self.next_at = self.started + quiet_s
        self.shown = False

    def __call__(self, count: int, expected: int | None = None) -> None:
        now = time.monotonic()
        if now < self.next_at:
            return
        self.next_at = now + self.every_s
        rate = count / max(now - self.started, 1e-9)
        text = f"{self.label}: {count:,} records read ({rate:,.0f}/s)"
        if expected and count <= expected:
            # The count the source had last time: a fair guess at how far along we are.
            filled = round(self.BAR_WIDTH * count / expected)
            bar = "#" * filled + "-" * (self.BAR_WIDTH - filled)
            share = f"{count / expected:4.0%} {count:,}/{expected:,}"
            text = f"{self.label} [{bar}] {share} ({rate:,.0f}/s)"
        if self.tty:
            self.stream.write(f"\r\x1b[K{text}")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.clear()


def cmd_remove(args: argparse.Namespace) -> int:
    with open_index(args) as index:
        count = remove_source(index, args.source)
    print(f"removed {args.source} ({count} entries)")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    with open_index(args) as index:
        sources = list_sources(index)
    if args.json:
        _print_json([asdict(s) for s in sources])
        return 0
    if not sources:
        print("no sources yet; add one with 'paper-ls add FILE.bib'")
    for s in sources:
        problems = f", {s.problems} with errors" if s.problems else ""
        print(f"{s.path}  [{s.kind}]  {s.entries} entries{problems}, read {s.read_at}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    with open_index(args) as index:
        result = search(
            index.conn,
            " ".join(args.query),
            limit=args.limit,
            abstracts=not args.no_abstracts,
            deadline_s=1.0,
        )
    if args.json:
        _print_json([hit_json(h) for h in result.hits])
    elif not result.hits:
        print("no papers match")
    else:
        print_hits(result.hits)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with open_index(args) as index:
        stored = find_paper(index.conn, args.key)
    if stored is None:
        raise PaperLsError(f"no paper with key {args.key!r}; try 'paper-ls search {args.key}'")
    if args.json:
        _print_json(stored_json(stored))
    else:
        print(describe(stored))
    return 0


def cmd_bibtex(args: argparse.Namespace) -> int:
    with open_index(args) as index:
        found = [(key, find_paper(index.conn, key)) for key in args.keys]
    missing = [key for key, stored in found if stored is None]
    entries = [render_entry(stored.paper, key) for key, stored in found if stored is not None]
    print("\n".join(entries), end="")
    if missing:
        raise PaperLsError(f"not in the index: {', '.join(missing)}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    with open_index(args) as index:
        s = stats(index.conn, index.path)
    if args.json:
        _print_json(asdict(s))
    else:
        print(f"index:     {s.path}")
        print(f"papers:    {s.papers} ({s.with_abstract} with abstracts)")
        print(f"records:   {s.records} from {s.sources} sources")
        print(f"size:      {s.index_bytes / 1e6:.1f} MB")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from paper_ls.check_cli import run_check

    return run_check(
        [Path(f) for f in args.files], resolve_index_path(args.index), sys.stdout,
        as_json=args.json, fix=args.fix, unused=args.unused, configured=args.bibliography,
    )  # fmt: skip


def cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from paper_ls.server.startup import import_protocol_types

    import_protocol_types()  # before pygls loads it: a third of the start otherwise
    from paper_ls.server import runtime
    from paper_ls.server.server import server

    runtime.tune()
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="paper-ls %(levelname)s %(name)s: %(message)s")  # fmt: skip
    if args.index:
        server.apply_settings({"index": args.index})
    if args.timings:
        server.timings = args.timings.open("a", encoding="utf-8", buffering=1)
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        from paper_ls.server.stdio import serve_stdio

        serve_stdio(server)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from paper_ls.demo import run_demo

    return run_demo(sys.stdout)


# --- output ------------------------------------------------------------------------------


def print_hits(hits: Sequence[Hit], stream: TextIO | None = None) -> None:
    width = shutil.get_terminal_size((120, 20)).columns
    key_width = min(max(len(h.key) for h in hits), 36)
    for hit in hits:
        who = _authors_short(hit.authors)
        year = str(hit.year or "")
        head = f"{hit.key[:key_width].ljust(key_width)}  {year:4}  {who[:22].ljust(22)}  "
        title = hit.title
        room = max(20, width - len(head))
        print(head + (title if len(title) <= room else title[: room - 1] + "…"), file=stream)


def _authors_short(authors: Sequence[tuple[str, str]]) -> str:
    if not authors:
        return ""
    if len(authors) == 1:
        return authors[0][0]
    if len(authors) == 2:
        return f"{authors[0][0]} & {authors[1][0]}"
    return f"{authors[0][0]} et al."


def stored_json(stored: StoredPaper) -> dict[str, object]:
    p = stored.paper
    return {
        "key": p.key,
        "keys": stored.keys,
        "type": p.entry_type,
        "title": p.title,
        "authors": [{"family": a.family, "given": a.given} for a in p.authors],
        "year": p.year,
        "venue": p.venue,
        "abstract": p.abstract,
        "doi": p.doi,
        "arxiv": p.arxiv,
        "url": p.url,
        "fields": p.fields,
        "sources": [
            {"source": v.source, "path": v.path, "line": v.line} for v in stored.provenances
        ],
        "bibtex": render_entry(p),
    }


def describe(stored: StoredPaper) -> str:
    p = stored.paper
    lines = [p.title or "(untitled)", ""]
    if p.authors:
        lines.append("authors:  " + "; ".join(a.display() for a in p.authors))
    for label, value in (
        ("year", p.year),
        ("venue", p.venue),
        ("type", p.entry_type),
        ("key", p.key),
        ("doi", p.doi),
        ("arxiv", p.arxiv),
        ("url", p.url),
    ):
        if value:
            lines.append(f"{label + ':':9} {value}")
    if len(stored.keys) > 1:
        lines.append(f"{'also:':9} {', '.join(k for k in stored.keys if k != p.key)}")
    for prov in stored.provenances:
        where = f"{prov.path}:{prov.line}" if prov.line else prov.path
        lines.append(f"{'from:':9} {where} [{prov.source}]")
    if p.abstract:
        lines += ["", p.abstract]
    lines += ["", render_entry(p).rstrip()]
    return "\n".join(lines)


def _print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    sys.exit(main())
