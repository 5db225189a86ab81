"""Benchmarks for the index: import throughput, search latency, index size, peak memory.

Reproduce with:   python benchmarks/run.py --sizes 100000,1000000
Results are written to benchmarks/RESULTS.md with the machine they ran on. Each measurement
runs in its own process so that peak memory (ru_maxrss) belongs to that job alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_WORK = HERE / ".work"
QUERY_COUNT = 300


@dataclass
class ImportResult:
    papers: int
    seconds: float
    per_second: float
    peak_rss_mb: float
    raw_mb: float
    index_mb: float
    ratio: float


@dataclass
class ReplayResult:
    searches: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    first_ms: float
    open_ms: float
    timed_out: int
    top1: float
    top5: float
    peak_rss_mb: float
    by_kind: dict[str, dict[str, float]]


def run_measured(args: list[str]) -> tuple[float, float, str]:
    """Run a child process; return wall seconds, its peak RSS in MB, and its stdout."""
    elapsed, rss, _, out = run_measured_cpu(args)
    return elapsed, rss, out


def run_measured_cpu(args: list[str]) -> tuple[float, float, float, str]:
    """`run_measured`, with the CPU seconds (user + system) of the child and the workers it
    waited for: on a machine shared with other jobs, wall time alone says little."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args)}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, out


def compile_package() -> None:
    """Bytecode for paper-ls, as an installed package has it: a checkout run with
    PYTHONDONTWRITEBYTECODE set would otherwise compile every module at every server start,
    which the start-up figures would measure instead of paper-ls."""
    import compileall

    compileall.compile_dir(ROOT / "paper_ls", quiet=1)


def corpus(work: Path, size: int, fmt: str = "bib") -> tuple[Path, Path]:
    suffix = "" if fmt == "bib" else f"-{fmt}"
    bib = work / f"corpus-{size}.{fmt}"
    queries = work / f"queries-{size}{suffix}.json"
    if not bib.exists() or not queries.exists():
        work.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--format",
                fmt,
                "--count",
                str(size),
                "--seed",
                "1",
                "--out",
                str(bib),
                "--queries",
                str(queries),
                "--query-count",
                str(QUERY_COUNT),
            ],
            check=True,
        )
    return bib, queries


def measure_import(work: Path, size: int, bib: Path) -> tuple[Path, ImportResult]:
    index = work / f"index-{size}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    seconds, rss, _ = run_measured(
        [sys.executable, "-m", "paper_ls", "--index", str(index), "add", str(bib)]
    )
    with sqlite3.connect(index) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    raw_mb = bib.stat().st_size / 1e6
    index_mb = index.stat().st_size / 1e6
    return index, ImportResult(
        papers,
        round(seconds, 1),
        round(size / seconds),
        round(rss),
        round(raw_mb, 1),
        round(index_mb, 1),
        round(index_mb / raw_mb, 2),
    )


def measure_replay(index: Path, queries: Path) -> ReplayResult:
    _, rss, out = run_measured(
        [
            sys.executable,
            str(HERE / "run.py"),
            "replay",
            "--index",
            str(index),
            "--queries",
            str(queries),
        ]
    )
    data = json.loads(out)
    data["peak_rss_mb"] = round(rss)
    return ReplayResult(**data)


def replay(index_path: Path, queries_path: Path) -> dict[str, object]:
    """Type each query keystroke by keystroke; every prefix is one search, as in an editor."""
    from paper_ls.index.reader import paper_ids_for_key
    from paper_ls.index.search import search
    from paper_ls.index.store import Index

    queries = json.loads(queries_path.read_text())
    started = time.perf_counter()
    index = Index.open(index_path, create=False)
    open_ms = (time.perf_counter() - started) * 1000
    first_ms = -1.0
    timings: list[float] = []
    by_kind: dict[str, list[float]] = {}
    timed_out = 0
    top1 = top5 = 0
    kind_hits: dict[str, list[bool]] = {}
    for q in queries:
        text = q["query"]
        for end in range(1, len(text) + 1):
            prefix = text[:end]
            if prefix.endswith(" "):
                continue
            t0 = time.perf_counter()
            result = search(index.conn, prefix, limit=20)
            elapsed = (time.perf_counter() - t0) * 1000
            if first_ms < 0:
                first_ms = elapsed
            timings.append(elapsed)
            by_kind.setdefault(q["kind"], []).append(elapsed)
            timed_out += result.timed_out
        # The target may have been merged with a duplicate and be listed under its key.
        wanted = set(paper_ids_for_key(index.conn, q["target"]))
        found = [h.paper_id in wanted for h in result.hits]
        top1 += any(found[:1])
        top5 += any(found[:5])
        kind_hits.setdefault(q["kind"], []).append(any(found[:1]))
    timings.sort()
    return {
        "searches": len(timings),
        "p50_ms": round(_percentile(timings, 50), 2),
        "p99_ms": round(_percentile(timings, 99), 2),
        "max_ms": round(timings[-1], 2),
        "first_ms": round(first_ms, 2),
        "open_ms": round(open_ms, 2),
        "timed_out": timed_out,
        "top1": round(top1 / len(queries), 3),
        "top5": round(top5 / len(queries), 3),
        "by_kind": {
            kind: {
                "p50_ms": round(_percentile(sorted(v), 50), 2),
                "p99_ms": round(_percentile(sorted(v), 99), 2),
                "top1": round(sum(kind_hits[kind]) / len(kind_hits[kind]), 3),
            }
            for kind, v in sorted(by_kind.items())
        },
    }


def targets(rows: list[tuple[int, ImportResult, ReplayResult]]) -> list[str]:
    """Each target of the index issue beside what was measured, met or not."""
    by_size = {size: (imp, rep) for size, imp, rep in rows}
    largest = max(by_size)
    imp, rep = by_size[largest]
    import_rate = by_size.get(100_000, (imp, rep))[0].per_second
    checks = [
        ("BibTeX import >= 20,000 entries/s (100k)", f"{import_rate:,}/s", import_rate >= 20_000),
        (f"search p99 <= 20 ms ({largest:,})", f"{rep.p99_ms} ms", rep.p99_ms <= 20),
        (f"index <= 1.5x raw input ({largest:,})", f"{imp.ratio}x", imp.ratio <= 1.5),
        (
            f"search process peak memory <= 200 MB ({largest:,})",
            f"{rep.peak_rss_mb} MB",
            rep.peak_rss_mb <= 200,
        ),
    ]
    lines = ["| target | measured | met |", "|---|---:|:---:|"]
    lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in checks]
    return lines


def _percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}"
    )


#: Sections other benchmarks write into RESULTS.md between these markers survive a rerun.
_KEPT = re.compile(r"\n*(<!-- [\w-]+: start -->.*?<!-- [\w-]+: end -->)", re.DOTALL)


def _kept_sections(path: Path) -> str:
    """Other benchmarks' sections of the file, to write back after this one's tables."""
    if not path.exists():
        return ""
    return "".join("\n\n" + m.group(1) for m in _KEPT.finditer(path.read_text()))


def write_results(
    path: Path, command: str, rows: list[tuple[int, ImportResult, ReplayResult]]
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on: {machine()}.",
        "",
        f"Reproduce: `{command}` (corpora from `benchmarks/generate.py`, seed 1, "
        "cached under `benchmarks/.work/`).",
        "",
        "## Import (BibTeX, one `paper-ls add` process with its two parse workers)",
        "",
        "| papers | seconds | papers/s | peak RSS MB | raw MB | index MB | index/raw |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, imp, _ in rows:
        lines.append(
            f"| {size:,} | {imp.seconds} | {imp.per_second:,} | {imp.peak_rss_mb} | "
            f"{imp.raw_mb} | {imp.index_mb} | {imp.ratio} |"
        )
    lines += [
        "",
        f"## Search, keystroke replay ({QUERY_COUNT} queries; every prefix is one search, "
        "limit 20)",
        "",
        "`first` is the first search in a fresh process right after opening the index; "
        "`timed out` counts searches cut by the deadline (best candidates so far returned); "
        "`top-1`/`top-5` is how often the query's target paper is first / in the first five "
        "once the whole query is typed.",
        "",
        "| papers | searches | p50 ms | p99 ms | max ms | open ms | first ms | timed out | "
        "top-1 | top-5 | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, _, rep in rows:
        lines.append(
            f"| {size:,} | {rep.searches:,} | {rep.p50_ms} | {rep.p99_ms} | {rep.max_ms} | "
            f"{rep.open_ms} | {rep.first_ms} | {rep.timed_out} | {rep.top1:.0%} | "
            f"{rep.top5:.0%} | {rep.peak_rss_mb} |"
        )
    lines += [
        "",
        "### By query kind: p50 / p99 ms, and how often the target came first",
        "",
        "Kinds such as `common-name` (just `wang`), `short-prefix` (one or two letters) and",
        "`key-prefix` match thousands of papers equally well; their target is one arbitrary",
        "paper among them, so their top-1 rate measures luck, not ranking.",
        "",
    ]
    kinds = sorted({k for _, _, rep in rows for k in rep.by_kind})
    lines.append("| papers | " + " | ".join(kinds) + " |")
    lines.append("|---:|" + "---:|" * len(kinds))
    for size, _, rep in rows:
        cells = [
            f"{rep.by_kind[k]['p50_ms']} / {rep.by_kind[k]['p99_ms']} ms, "
            f"{rep.by_kind[k]['top1']:.0%}"
            if k in rep.by_kind
            else ""
            for k in kinds
        ]
        lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    lines += ["", "## Against the targets (issue 2, 2-core machine)", ""]
    lines += targets(rows)
    lines += ["", "Raw numbers:", "", "```json"]
    lines.append(
        json.dumps(
            [{"size": s, "import": asdict(i), "search": asdict(r)} for s, i, r in rows], indent=1
        )
    )
    lines += ["```", ""]
    path.write_text("\n".join(lines) + _kept_sections(path))


def measure_imports(work: Path, sizes: list[int]) -> list[dict[str, object]]:
    """Import each size as BibTeX and as arXiv-style JSON lines, each in a fresh index."""
    rows: list[dict[str, object]] = []
    for size in sizes:
        for fmt in ("bib", "jsonl"):
            source, _ = corpus(work, size, fmt)
            index = work / f"index-import-{size}-{fmt}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{index}{suffix}").unlink(missing_ok=True)
            load = os.getloadavg()[0]
            seconds, rss, cpu, _ = run_measured_cpu(
                [sys.executable, "-m", "paper_ls", "--index", str(index), "add", str(source)]
            )
            with sqlite3.connect(index) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw_mb = source.stat().st_size / 1e6
            index_mb = index.stat().st_size / 1e6
            rows.append(
                {
                    "papers": size,
                    "format": fmt,
                    "seconds": round(seconds, 1),
                    "per_second": round(size / seconds),
                    "cpu_seconds": round(cpu, 1),
                    "peak_rss_mb": round(rss),
                    "raw_mb": round(raw_mb, 1),
                    "index_mb": round(index_mb, 1),
                    "ratio": round(index_mb / raw_mb, 2),
                    "load_before": round(load, 2),
                    "load_after": round(os.getloadavg()[0], 2),
                }
            )
            print(f"[{size:,} {fmt}] {rows[-1]}", file=sys.stderr)
    return rows


_IMPORT_SECTION = re.compile(
    r"\n*<!-- import-only: start -->.*?<!-- import-only: end -->", re.DOTALL
)


def write_import_results(path: Path, command: str, rows: list[dict[str, object]]) -> None:
    """Replace this mode's own section of RESULTS.md; leave every other measurement as it is."""
    lines = [
        "<!-- import-only: start -->",
        "## Import only: BibTeX and arXiv-style JSON lines",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on: {machine()}. "
        f"Reproduce: `{command}`. One `paper-ls add` process with its two worker processes; "
        "`CPU s` is theirs together (user + system), `peak RSS` the largest one's. The machine "
        "is shared with other jobs: "
        "`load` is the 1-minute load average before and after each import (2 cores), and wall "
        "times under a load above 2 are upper bounds.",
        "",
        "| papers | format | seconds | papers/s | CPU s | peak RSS MB | raw MB | index MB "
        "| index/raw | load |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['papers']:,} | {r['format']} | {r['seconds']} | {r['per_second']:,} | "
            f"{r['cpu_seconds']} | {r['peak_rss_mb']} | {r['raw_mb']} | {r['index_mb']} | "
            f"{r['ratio']} | {r['load_before']} → {r['load_after']} |"
        )
    lines.append("<!-- import-only: end -->")
    section = "\n".join(lines)
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if _IMPORT_SECTION.search(text):
        text = _IMPORT_SECTION.sub(lambda _: "\n\n" + section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    rep = sub.add_parser("replay", help="(internal) replay queries against an index")
    rep.add_argument("--index", type=Path, required=True)
    rep.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="measure only imports, of BibTeX and of JSON lines, into their own section",
    )
    args = parser.parse_args()
    if args.command == "replay":
        json.dump(replay(args.index, args.queries), sys.stdout)
        return
    if args.import_only:
        rows = measure_imports(args.work, [int(s) for s in args.sizes.split(",")])
        command = f"python benchmarks/run.py --import-only --sizes {args.sizes}"
        write_import_results(args.out, command, rows)
        print(f"wrote {args.out}", file=sys.stderr)
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        bib, queries = corpus(args.work, size)
        print(f"[{size:,}] importing {bib.name} ...", file=sys.stderr)
        index, imported = measure_import(args.work, size, bib)
        print(f"[{size:,}] {imported}", file=sys.stderr)
        replayed = measure_replay(index, queries)
        print(f"[{size:,}] {replayed}", file=sys.stderr)
        rows.append((size, imported, replayed))
    command = "python benchmarks/run.py --sizes " + args.sizes
    write_results(args.out, command, rows)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
