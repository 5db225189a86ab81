"""The CI-sized performance check: 100k papers; fails loudly when latency regresses 3x.

Run by `scripts/test.sh` (so by CI) and by hand:   .venv/bin/python benchmarks/regression.py
After a deliberate change of speed, on the machine RESULTS.md names:   ... --update

It builds the 100k corpus and index (cached under `benchmarks/.work/`), then measures the
numbers users feel, with the code of `run.py` and `lsp_replay.py` so that they mean the same
thing there and here: import throughput; the search function's keystroke replay; completion
through a real LSP client with the 100k index plus a 1,000-entry document `.bib`, including
the first completion after the server starts and hover. Each is compared with
`benchmarks/baseline-100k.json`; anything more than `--factor` times worse (slower, or
fewer papers a second) fails the run with one line per regression. The factor is wide
because CI machines are shared: it catches a lost index or an accidental table scan, not
noise. Finer trends belong in RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import lsp_replay
import run

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline-100k.json"
SIZE = 100_000
DOC_BIB_SIZE = 1_000
QUERY_COUNT = 30


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    #: True when a larger value is better (throughput); latencies are better smaller.
    higher_is_better: bool = False


METRICS = (
    Metric("import papers/s", "papers/s", higher_is_better=True),
    Metric("search p50", "ms"),
    Metric("search p99", "ms"),
    Metric("completion p50", "ms"),
    Metric("completion p99", "ms"),
    Metric("first completion", "ms"),
    Metric("hover p99", "ms"),
)


def measure(work: Path) -> dict[str, float]:
    bib, queries = run.corpus(work, SIZE)
    print(f"[regression] importing {SIZE:,} papers ...", file=sys.stderr, flush=True)
    index, imported = run.measure_import(work, SIZE, bib)
    print(f"[regression] {imported}", file=sys.stderr, flush=True)
    replayed = run.measure_replay(index, queries)
    print(f"[regression] search: {replayed.p50_ms} / {replayed.p99_ms} ms", file=sys.stderr)
    served = serve(index, queries)
    latencies = sorted(ms for s in served.sets for ms in s.latencies)
    hovers = sorted(ms for t in served.hover.values() for ms in t.ms)
    if served.failures or not latencies or not hovers or served.first_ms is None:
        raise SystemExit(f"[regression] the server run failed: {served.failures}")
    return {
        "import papers/s": imported.per_second,
        "search p50": replayed.p50_ms,
        "search p99": replayed.p99_ms,
        "completion p50": round(run._percentile(latencies, 50), 2),
        "completion p99": round(run._percentile(latencies, 99), 2),
        "first completion": round(served.first_ms, 1),
        "hover p99": round(run._percentile(hovers, 99), 2),
    }


def serve(index: Path, queries_path: Path) -> lsp_replay.RunResult:
    """paper-ls over stdio, typing the first queries of the corpus keystroke by keystroke."""
    doc_bib = lsp_replay.LSP_WORK / f"docbib-{DOC_BIB_SIZE}.bib"
    lsp_replay.generate(doc_bib, DOC_BIB_SIZE, 2, None, 0)
    queries = lsp_replay.load_queries(queries_path, QUERY_COUNT)
    spec = lsp_replay.paper_ls_spec(f"100k index + {DOC_BIB_SIZE:,}-entry .bib", index, queries)
    doc_keys = lsp_replay.bib_keys(doc_bib, 10)
    spec.hover_keys = doc_keys + [q.target for q in queries[:10]]
    options = argparse.Namespace(timeout=10.0, startup=120.0, set_budget=60.0)
    return lsp_replay.run_one(spec, DOC_BIB_SIZE, doc_bib, doc_keys[0], options)


def regressions(measured: dict[str, float], baseline: dict[str, float], factor: float) -> list[str]:
    found = []
    for metric in METRICS:
        now, then = measured[metric.name], baseline[metric.name]
        worse = then / now if metric.higher_is_better else now / then
        if worse > factor:
            found.append(
                f"PERFORMANCE REGRESSION: {metric.name} is {now:,} {metric.unit} against a baseline"
                f" of {then:,} {metric.unit} ({worse:.1f}x worse; the limit is {factor:g}x)"
            )
    return found


def report(measured: dict[str, float], baseline: dict[str, float]) -> str:
    lines = [f"{'metric':<18} {'measured':>12} {'baseline':>12}"]
    for metric in METRICS:
        lines.append(
            f"{metric.name:<18} {measured[metric.name]:>12,} {baseline[metric.name]:>12,}"
            f"  {metric.unit}"
        )
    return "\n".join(lines)


def main() -> int:
    run.compile_package()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=run.DEFAULT_WORK)
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument("--factor", type=float, default=3.0)
    parser.add_argument("--update", action="store_true", help="write the baseline from this run")
    args = parser.parse_args()
    started = time.perf_counter()
    measured = measure(args.work)
    if args.update:
        record = {"machine": run.machine(), "measured": time.strftime("%Y-%m-%d %H:%M UTC",
                  time.gmtime()), **measured}  # fmt: skip
        args.baseline.write_text(json.dumps(record, indent=1) + "\n")
        print(f"[regression] wrote {args.baseline}", file=sys.stderr)
        return 0
    baseline = json.loads(args.baseline.read_text())
    print(report(measured, baseline))
    found = regressions(measured, baseline, args.factor)
    for line in found:
        print(line, file=sys.stderr)
    seconds = time.perf_counter() - started
    verdict = "FAILED" if found else "passed"
    print(f"[regression] {verdict} in {seconds:.0f} s (baseline: {baseline['machine']})",
          file=sys.stderr)  # fmt: skip
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
