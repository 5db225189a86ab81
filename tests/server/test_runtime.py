"""The garbage collector is kept off the request path without leaking bibliographies.

`runtime.settle()` freezes what is alive, so frozen objects are never checked for cycles: that
is only safe while a replaced bibliography is freed by reference counting alone.
"""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from paper_ls.documents.project import BibliographyCache, parse_bib_text, read_text
from paper_ls.server import runtime
from paper_ls.server.server import PaperServer

ENTRY = """@article{{key{n},
  author = {{M{{\\"u}}ller, Anna and Li, Wei}},
  title = {{A Study of Thing {n}}},
  journal = {{Journal of Things}},
  year = {{2020}},
  abstract = {{Words about thing {n} and more words.}},
}}

"""


@pytest.fixture
def bib(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text("".join(ENTRY.format(n=n) for n in range(300)), encoding="utf-8")
    return path


@pytest.fixture
def no_collector() -> Iterator[None]:
    """Only reference counting frees memory while a test runs, as for frozen objects."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_a_dropped_bibliography_is_freed_without_the_collector(
    bib: Path, no_collector: None
) -> None:
    text = read_text(bib)
    parse_bib_text(bib, text, None)  # imports and warms caches: not what is measured
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        parsed = parse_bib_text(bib, text, None)
        held, _ = tracemalloc.get_traced_memory()
        del parsed
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held - before > 200_000  # 300 parsed entries really were held
    assert after - before < (held - before) / 20  # and all of it went with the last reference


def test_a_new_parse_is_taken_out_of_the_collectors_way(bib: Path) -> None:
    gc.unfreeze()
    server = PaperServer()
    server.bibs = BibliographyCache(lambda path: None)  # no editor: files are read from disk
    try:
        first = server.refresh_bib(bib)
        assert len(first.entries) == 300
        frozen = gc.get_freeze_count()
        assert frozen > 0
        gc.unfreeze()
        assert server.refresh_bib(bib) is first  # unchanged: nothing parsed, nothing frozen
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
        server.parser.shutdown()


def test_the_collector_is_off_while_a_parse_runs_and_back_on_after() -> None:
    assert gc.isenabled()
    with runtime.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), runtime.collector_paused():
        raise RuntimeError("a parse that fails")
    assert gc.isenabled()


def test_a_background_pause_waits_for_the_request_in_flight_and_no_longer() -> None:
    gate = runtime.RequestGate()
    started = time.perf_counter()
    gate.pause()  # nothing in flight: no wait at all
    assert time.perf_counter() - started < runtime.MAX_PAUSE_S
    resumed: list[float] = []
    with gate.request():
        pausing = threading.Thread(target=lambda: (gate.pause(), resumed.append(1.0)))
        pausing.start()
        time.sleep(runtime.MAX_PAUSE_S / 5)
        assert not resumed  # still waiting while the request is answered
    pausing.join(timeout=5)
    assert resumed
    gate.touch()  # a message just arrived: background work waits a moment
    started = time.perf_counter()
    gate.pause()
    waited = time.perf_counter() - started
    assert runtime.QUIET_AFTER_MESSAGE_S * 0.5 <= waited < runtime.MAX_PAUSE_S * 2
    with gate.request():  # a request that never ends holds a pause for MAX_PAUSE_S at most
        started = time.perf_counter()
        gate.pause()
        assert time.perf_counter() - started >= runtime.MAX_PAUSE_S * 0.9


def test_parsing_pauses_every_few_blocks() -> None:
    from paper_ls.bibtex.parse import PAUSE_EVERY, parse_bibtex

    calls: list[int] = []
    text = "".join(f"@misc{{k{i}, title={{T{i}}}}}\n" for i in range(PAUSE_EVERY * 3))
    parsed = parse_bibtex(text, pause=lambda: calls.append(1))
    assert len(parsed.entries) == PAUSE_EVERY * 3
    assert len(calls) == 3
