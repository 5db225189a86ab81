"""Stopping completion work: a newer request or a cancellation ends the older ranking.

The worker runs rankings on its own thread; these tests use rankings that wait for their
stop event, so that "the older one stopped" is observed rather than timed.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from paper_ls.index.store import Index
from paper_ls.server.completion import CompletionWorker


def waits_for_stop(seen: list[bool]):  # type: ignore[no-untyped-def]
    """A ranking that works until told to stop (bounded, so a failure cannot hang)."""

    def ranking(_: Index | None, stop: threading.Event) -> str:
        seen.append(stop.wait(timeout=5))
        return "old"

    return ranking


async def test_a_newer_request_for_the_same_document_stops_the_older() -> None:
    worker = CompletionWorker()
    seen: list[bool] = []
    older = asyncio.create_task(worker.run("file:///a.tex", None, waits_for_stop(seen)))
    await asyncio.sleep(0.05)  # the older ranking is running on the worker
    newer = await worker.run("file:///a.tex", None, lambda _index, _stop: "new")
    assert newer == "new"
    assert await older is None  # superseded: its answer is not used
    assert seen == [True]  # and it was told to stop, not left to finish
    worker.shutdown()


async def test_a_request_for_another_document_does_not_stop_it() -> None:
    worker = CompletionWorker()
    release = threading.Event()

    def slow(_: Index | None, stop: threading.Event) -> bool:
        release.wait(timeout=5)
        return stop.is_set()

    first = asyncio.create_task(worker.run("file:///a.tex", None, slow))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(worker.run("file:///b.md", None, lambda _i, s: s.is_set()))
    await asyncio.sleep(0.05)
    release.set()
    assert await first is False and await second is False
    worker.shutdown()


async def test_cancelling_the_request_stops_its_ranking() -> None:
    worker = CompletionWorker()
    seen: list[bool] = []
    task = asyncio.create_task(worker.run("file:///a.tex", None, waits_for_stop(seen)))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(100):
        if seen:
            break
        await asyncio.sleep(0.01)
    assert seen == [True]
    worker.shutdown()


async def test_the_worker_opens_its_own_connection_to_the_index(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    Index.open(path).close()
    worker = CompletionWorker()
    other_thread = await worker.run(
        "file:///a.tex", path, lambda index, _stop: index is not None and index.path == path
    )
    missing = await worker.run("file:///a.tex", tmp_path / "none.sqlite3", lambda i, _s: i)
    assert other_thread is True and missing is None
    worker.shutdown()
