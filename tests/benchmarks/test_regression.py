"""The CI performance check's verdict: what counts as a regression, and what does not.

The measuring itself is `benchmarks/regression.py` run by `scripts/test.sh`; here only the
comparison with the baseline, which decides whether CI fails.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def regression() -> ModuleType:
    """benchmarks/ is not a package, and its scripts import each other by name."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import regression as module
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


def baseline(regression: ModuleType) -> dict[str, float]:
    values = {m.name: 10.0 for m in regression.METRICS}
    values["import papers/s"] = 3000.0
    return values


def test_numbers_within_the_factor_pass(regression: ModuleType) -> None:
    base = baseline(regression)
    measured = {**base, "completion p99": 29.0, "import papers/s": 1001.0}
    assert regression.regressions(measured, base, 3.0) == []


def test_slower_latency_beyond_the_factor_fails_naming_the_metric(regression: ModuleType) -> None:
    base = baseline(regression)
    found = regression.regressions({**base, "completion p99": 31.0}, base, 3.0)
    assert len(found) == 1
    assert "completion p99 is 31.0 ms against a baseline of 10.0 ms (3.1x worse" in found[0]


def test_lower_throughput_beyond_the_factor_fails(regression: ModuleType) -> None:
    base = baseline(regression)
    found = regression.regressions({**base, "import papers/s": 900.0}, base, 3.0)
    assert [line.split(" is ")[0] for line in found] == ["PERFORMANCE REGRESSION: import papers/s"]


def test_the_committed_baseline_has_every_metric(regression: ModuleType) -> None:
    import json

    committed = json.loads(regression.BASELINE.read_text())
    assert {m.name for m in regression.METRICS} <= committed.keys()
    assert committed["machine"]
