"""Keeping the interpreter's own housekeeping off the request path: the collector and the GIL.

Garbage collection. A server holding a parsed 5,000-entry bibliography has around a million
long-lived Python objects. Each full collection walks all of them, tens of milliseconds with
the GIL held, and one lands on an unlucky keystroke every few seconds of typing: it was most
of completion's p99. Objects built to live (a parsed bibliography, the loaded modules) are
moved out of the collector's sight once made, and the youngest generation is collected less
often, since a ranking allocates thousands of short-lived tuples that reference counting
frees anyway. Frozen objects are never examined for reference cycles; that is safe because
the models frozen hold none: a replaced bibliography is freed by reference counting alone,
as tests/server/test_runtime.py checks. While a bibliography is parsed, the collector is off
altogether: a full collection would walk the half-built parse on a keystroke's time.

The GIL. While a background thread parses a large .bib (or checks a thesis, or scans the
workspace), the completion thread has to win the GIL back after every SQLite call, and by
default it waits up to 5 ms each time: a ten-statement search took 20 ms at the median and
400 ms at p99 during a parse. A 0.5 ms switch interval brings that to 9 / 56 ms on a busy
2-core machine; with no thread waiting, the interval costs nothing. Better still, a
background parse steps aside: between small pieces of work it waits while a request is
being answered (`RequestGate`), so that the request has the interpreter to itself.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while building something long-lived (see the module's text)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: The longest a background thread waits for requests at one pause: a client typing
#: without a break must still see its .bib parsed.
MAX_PAUSE_S = 0.05
#: After a message from the client, background work keeps out of the way this long: the
#: request that a `didChange` announces arrives right behind it.
QUIET_AFTER_MESSAGE_S = 0.02


class RequestGate:
    """Lets background work give way to the client's messages and the requests in flight.

    Every message marks the client as active for `QUIET_AFTER_MESSAGE_S`; a request holds
    the gate while it computes (`request`). A background thread calls `pause` between small
    pieces of work and waits there while either lasts (`MAX_PAUSE_S` at most), so that
    reading, answering and writing a message never waits for the GIL behind a parse.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._idle = threading.Event()
        self._idle.set()
        self._quiet_from = 0.0

    def touch(self) -> None:
        """A message arrived: keep background work paused for a moment."""
        self._quiet_from = time.monotonic() + QUIET_AFTER_MESSAGE_S

    @contextmanager
    def request(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
            self._idle.clear()
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._idle.set()
            self.touch()

    def pause(self) -> None:
        """Called by a background thread between pieces of work: returns once the client
        is quiet and no request is in flight, or after `MAX_PAUSE_S`."""
        now = time.monotonic()
        deadline = now + MAX_PAUSE_S
        while now < deadline:
            if not self._idle.is_set():
                self._idle.wait(deadline - now)
            elif now < self._quiet_from:
                time.sleep(min(self._quiet_from, deadline) - now)
            else:
                return
            now = time.monotonic()
