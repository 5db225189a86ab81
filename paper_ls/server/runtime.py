"""Keeping the interpreter's own housekeeping off the request path: the collector and the GIL.

Garbage collection. A server holding a parsed 5,000-entry bibliography has around a million
long-lived Python objects. Each full collection walks all of them, tens of milliseconds with
the GIL held, and one lands on an unlucky keystroke every few seconds of typing: it was most
of completion's p99. Objects built to live (a parsed bibliography, the loaded modules) are
moved out of the collector's sight once made, and the youngest generation is collected less
often, since a ranking allocates thousands of short-lived tuples that reference counting
frees anyway. Frozen objects are never examined for reference cycles; that is safe because
the models frozen hold none: a replaced bibliography is freed by reference counting alone,
as tests/server/test_runtime.py checks.

The GIL. While a background thread parses a large .bib (or checks a thesis, or scans the
workspace), the completion thread has to win the GIL back after every SQLite call, and by
default it waits up to 5 ms each time: a ten-statement search took 20 ms at the median and
400 ms at p99 during a parse. A 0.5 ms switch interval brings that to 9 / 56 ms on a busy
2-core machine; with no thread waiting, the interval costs nothing.
"""

from __future__ import annotations

import gc
import sys

#: Allocations between young-generation collections (CPython's default is 700).
YOUNG_THRESHOLD = 20_000
#: How long a thread may hold the GIL while another waits for it (CPython's default: 5 ms).
SWITCH_INTERVAL_S = 0.0005


def tune() -> None:
    """Called once when the server starts."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    settle()  # the modules just loaded live as long as the server


def settle() -> None:
    """Take everything alive now out of future collections: call after building something
    long-lived, such as a freshly parsed bibliography."""
    gc.freeze()
