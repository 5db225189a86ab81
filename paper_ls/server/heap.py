"""Keeping the garbage collector off the request path.

A server holding a parsed 5,000-entry bibliography has around a million long-lived Python
objects. Each full collection walks all of them, tens of milliseconds with the GIL held, and
one lands on an unlucky keystroke every few seconds of typing: it was the whole p99 of
completion. Objects that are built to live (a parsed bibliography, the loaded modules) are
moved out of the collector's sight once made, and the youngest generation is collected less
often, since a ranking allocates thousands of short-lived tuples that reference counting
frees anyway.

Frozen objects are never examined for reference cycles. That is safe here because the
models frozen (bibliographies, candidates) hold no cycles: a replaced bibliography is freed
by reference counting alone, as tests/server/test_heap.py checks.
"""

from __future__ import annotations

import gc

#: Allocations between young-generation collections (CPython's default is 700).
YOUNG_THRESHOLD = 20_000


def tune_collector() -> None:
    """Collect the young generation less often; called once when the server starts."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def settle() -> None:
    """Take everything alive now out of future collections: call after building something
    long-lived, such as a freshly parsed bibliography."""
    gc.freeze()
