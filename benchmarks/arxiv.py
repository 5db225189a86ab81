"""arXiv scale (issue 7): the whole arXiv metadata snapshot, about 2.5M papers, on a laptop.

Reproduce with:   .venv/bin/python benchmarks/arxiv.py --size 2500000     (not part of CI)

The corpus is `generate.py --format jsonl` (arXiv-shaped JSON lines, seed 1), cached under
`benchmarks/.work/`. Measured, each in a fresh process: `paper-ls add` of the whole file
(time, peak RSS of the importing process, index size against the raw JSON); `run.py`'s
search keystroke replay, which counts the searches whose deadline cut them short; and
completion through a real LSP client (`lsp_replay.py`) with that index and a 100-entry
document `.bib`: every keystroke's latency end to end and as the server timed it, the first
completion after the process starts, and the server's peak RSS. Results go to their own
section of `benchmarks/RESULTS.md`, raw numbers to `benchmarks/.work/arxiv-<size>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lsp_replay
import run

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
SECTION_START = "<!-- arxiv: start -->"
SECTION_END = "<!-- arxiv: end -->"
DOC_BIB_SIZE = 100
LSP_QUERIES = 60
COMMAND = ".venv/bin/python benchmarks/arxiv.py --size {size}"


def corpus(work: Path, size: int) -> tuple[Path, Path]:
    jsonl = work / f"corpus-{size}.jsonl"
    queries = work / f"queries-{size}.json"
    if not jsonl.exists() or not queries.exists():
        work.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--format", "jsonl", "--count", str(size),
             "--seed", "1", "--out", str(jsonl), "--queries", str(queries), "--query-count",
             str(run.QUERY_COUNT)],
            check=True,
        )  # fmt: skip
    return jsonl, queries


def measure_import(work: Path, size: int, jsonl: Path) -> tuple[Path, dict[str, Any]]:
    index = work / f"index-arxiv-{size}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    # `add_source`, as `paper-ls add` runs it, with the importing process's SQLite time
    # recorded apart: the floor under this import however fast its parsing became.
    seconds, rss, out = run.run_measured(
        [sys.executable, str(HERE / "sqlite_floor.py"), "--import", str(jsonl), "--index",
         str(index)]
    )  # fmt: skip
    spent = json.loads(out.strip().splitlines()[-1])
    with sqlite3.connect(index) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    raw_mb, index_mb = jsonl.stat().st_size / 1e6, index.stat().st_size / 1e6
    return index, {
        "papers": papers,
        "seconds": round(seconds, 1),
        "per_second": round(size / seconds),
        "peak_rss_mb": round(rss),
        "raw_mb": round(raw_mb, 1),
        "index_mb": round(index_mb, 1),
        "ratio": round(index_mb / raw_mb, 3),
        "sqlite_seconds": round(spent["sqlite"], 1),
        "sqlite_parts": {k: round(v, 1) for k, v in spent.items() if k not in _NOT_PARTS},
    }


_NOT_PARTS = ("papers", "seconds", "sqlite")


def keyed_queries(index: Path, queries: Path, out: Path) -> Path:
    """The query set with each target (an arXiv id) replaced by the key paper-ls gave it, so
    that the LSP replay can tell whether the paper was listed."""
    raw = json.loads(queries.read_text())
    with sqlite3.connect(index) as conn:
        for q in raw:
            row = conn.execute("SELECT key FROM papers WHERE arxiv = ?", (q["target"],)).fetchone()
            q["target"] = row[0] if row else q["target"]
    out.write_text(json.dumps(raw))
    return out


def serve(index: Path, queries: Path, size: int) -> lsp_replay.RunResult:
    doc_bib = lsp_replay.LSP_WORK / f"docbib-{DOC_BIB_SIZE}.bib"
    lsp_replay.generate(doc_bib, DOC_BIB_SIZE, 2, None, 0)
    chosen = lsp_replay.load_queries(queries, LSP_QUERIES)
    setup = f"{size / 1e6:g}M arXiv index + {DOC_BIB_SIZE}-entry .bib"
    spec = lsp_replay.paper_ls_spec(setup, index, chosen)
    doc_keys = lsp_replay.bib_keys(doc_bib, 10)
    spec.hover_keys = doc_keys + [q.target for q in chosen[:50]]
    options = argparse.Namespace(timeout=10.0, startup=120.0, set_budget=120.0)
    return lsp_replay.run_one(spec, DOC_BIB_SIZE, doc_bib, doc_keys[0], options)


def summarise(served: lsp_replay.RunResult) -> dict[str, Any]:
    latencies = sorted(ms for s in served.sets for ms in s.latencies)
    server = sorted(served.server_ms)
    hovers = sorted(ms for t in served.hover.values() for ms in t.ms)
    pct = run._percentile
    return {
        "completions": len(latencies),
        "p50_ms": round(pct(latencies, 50), 2),
        "p99_ms": round(pct(latencies, 99), 2),
        "max_ms": round(latencies[-1], 2) if latencies else None,
        "server_p50_ms": round(pct(server, 50), 2),
        "server_p99_ms": round(pct(server, 99), 2),
        "first_ms": served.first_ms,
        "hover_p99_ms": round(pct(hovers, 99), 2),
        "rss_mb": served.rss_mb,
        "listed": sum(s.listed for s in served.sets),
        "queries": sum(s.queries_done for s in served.sets),
        "failures": served.failures,
    }


def targets(size: int, imported: dict[str, Any], search: Any, lsp: dict[str, Any]) -> list[str]:
    label = f"{size / 1e6:g}M"
    checks = [
        (f"import of {label} records <= 5 min", f"{imported['seconds'] / 60:.1f} min",
         imported["seconds"] <= 300),
        ("import peak memory <= 500 MB", f"{imported['peak_rss_mb']} MB",
         imported["peak_rss_mb"] <= 500),
        ("index <= 1.0x the raw JSON", f"{imported['ratio']}x", imported["ratio"] <= 1.0),
        ("completion server time p50 <= 5 ms", f"{lsp['server_p50_ms']} ms",
         lsp["server_p50_ms"] <= 5),
        ("completion server time p99 <= 20 ms", f"{lsp['server_p99_ms']} ms",
         lsp["server_p99_ms"] <= 20),
        ("first completion <= 1 s after start", f"{lsp['first_ms']:,.0f} ms",
         (lsp["first_ms"] or 1e9) <= 1000),
        ("server peak RSS <= 200 MB", f"{lsp['rss_mb']} MB", (lsp["rss_mb"] or 1e9) <= 200),
        ("abstract search bounded (searches cut by the deadline are counted)",
         f"{search.timed_out} of {search.searches:,} cut", True),
    ]  # fmt: skip
    lines = ["| target (issue 7) | measured | met |", "|---|---:|:---:|"]
    lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in checks]
    return lines


def write_section(result: dict[str, Any]) -> None:
    size, imp, rep, lsp = result["size"], result["import"], result["search"], result["lsp"]
    search = argparse.Namespace(**rep)
    lines = [
        SECTION_START,
        f"## arXiv scale: {size:,} arXiv-shaped records (issue 7)",
        "",
        f"Measured {result['when']} UTC on: {result['machine']}; 1-minute load average "
        f"{result['load'][0]} before and {result['load'][1]} after, on 2 cores.",
        "",
        f"Reproduce: `{COMMAND.format(size=size)}` (corpus: `generate.py --format jsonl`, "
        "seed 1; raw numbers in `benchmarks/.work/arxiv-<size>.json`). Not part of CI.",
        "",
        "| import s | papers/s | peak RSS MB | raw JSON MB | index MB | index/raw |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {imp['seconds']:,} | {imp['per_second']:,} | {imp['peak_rss_mb']} | "
        f"{imp['raw_mb']:,} | {imp['index_mb']:,} | {imp['ratio']} |",
        *(["", imp["note"]] if imp.get("note") else []),
        *(
            [
                "",
                f"Of the import's {imp['seconds']:,} s, the importing process spent "
                f"{imp['sqlite_seconds']:,} s in SQLite ("
                + ", ".join(f"{k} {v:,} s" for k, v in imp["sqlite_parts"].items())
                + "). SQLite has one writer, so this much of the import stays whatever "
                "parses the records: at most "
                f"{imp['papers'] / imp['sqlite_seconds']:,.0f} papers/s into this schema.",
            ]
            if imp.get("sqlite_seconds")
            else []
        ),
        "",
        f"Search keystroke replay ({search.searches:,} searches, limit 20): p50 "
        f"{search.p50_ms} ms, p99 {search.p99_ms} ms, max {search.max_ms} ms; first search "
        f"after opening {search.first_ms} ms; {search.timed_out} searches cut short by the "
        f"deadline (their best candidates so far returned); peak RSS {search.peak_rss_mb} MB.",
        "",
        f"Completion through a real LSP client ({lsp['queries']} queries typed keystroke by "
        f"keystroke, {lsp['completions']:,} requests, index plus a {DOC_BIB_SIZE}-entry "
        f".bib): end to end p50 {lsp['p50_ms']} ms, p99 {lsp['p99_ms']} ms, max "
        f"{lsp['max_ms']} ms; server time p50 {lsp['server_p50_ms']} ms, p99 "
        f"{lsp['server_p99_ms']} ms; hover p99 {lsp['hover_p99_ms']} ms; target listed "
        f"after the last keystroke for {lsp['listed']} of {lsp['queries']}; first completion "
        f"{lsp['first_ms']:,.0f} ms after the process started; server peak RSS "
        f"{lsp['rss_mb']} MB." + (f" Failures: {lsp['failures']}." if lsp["failures"] else ""),
        "",
        *targets(size, imp, search, lsp),
        SECTION_END,
    ]
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = "\n".join(lines)
    if SECTION_START in text and SECTION_END in text:
        before, rest = text.split(SECTION_START, 1)
        text = before + section + rest.split(SECTION_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def main() -> None:
    run.compile_package()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=2_500_000)
    parser.add_argument("--work", type=Path, default=run.DEFAULT_WORK)
    parser.add_argument("--skip-import", action="store_true",
                        help="reuse the index a previous run built")  # fmt: skip
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    jsonl, queries = corpus(args.work, args.size)
    index = args.work / f"index-arxiv-{args.size}.sqlite3"
    raw_path = args.work / f"arxiv-{args.size}.json"
    if args.skip_import and raw_path.exists():
        imported = json.loads(raw_path.read_text())["import"]
    else:
        print(f"[{args.size:,}] importing {jsonl.name} ...", file=sys.stderr, flush=True)
        index, imported = measure_import(args.work, args.size, jsonl)
    print(f"[{args.size:,}] import: {imported}", file=sys.stderr, flush=True)
    keyed = keyed_queries(index, queries, args.work / f"queries-{args.size}-keys.json")
    search = run.measure_replay(index, keyed)
    print(f"[{args.size:,}] search: {search}", file=sys.stderr, flush=True)
    lsp = summarise(serve(index, keyed, args.size))
    print(f"[{args.size:,}] lsp: {lsp}", file=sys.stderr, flush=True)
    result = {
        "size": args.size,
        "when": f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
        "machine": run.machine(),
        "load": (round(load_before, 2), round(os.getloadavg()[0], 2)),
        "import": imported,
        "search": asdict(search),
        "lsp": lsp,
    }
    raw_path.write_text(json.dumps(result, indent=1))
    write_section(result)
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
