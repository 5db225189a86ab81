"""Stopping completion work: cancelling a request ends its ranking.

The worker runs rankings on its own thread; these tests use rankings that wait for their
stop event, so that "the ranking stopped" is observed rather than timed.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from paper_ls.index.store import Index
from paper_ls.server.completion import CompletionWorker


async def test_cancelling_the_request_stops_its_ranking() -> None:
    worker = CompletionWorker()
    seen: list[bool] = []

    def ranking(_: Index | None, stop: threading.Event) -> str:
        seen.append(stop.wait(timeout=5))  # bounded: a failure cannot hang the suite
        return "done"

    task = asyncio.create_task(worker.run(None, ranking))
    await asyncio.sleep(0.05)  # the ranking is running on the worker thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(100):
        if seen:
            break
        await asyncio.sleep(0.01)
    assert seen == [True]  # told to stop, not left to run out its time
    worker.shutdown()


async def test_the_event_loop_stays_free_while_a_ranking_runs() -> None:
    worker = CompletionWorker()
    release = threading.Event()
    task = asyncio.create_task(worker.run(None, lambda _i, _s: release.wait(timeout=5)))
    await asyncio.sleep(0.05)
    assert not task.done()  # still ranking, and yet this coroutine runs
    release.set()
    assert await task is True
    worker.shutdown()


async def test_the_worker_opens_its_own_connection_to_the_index(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    Index.open(path).close()
    worker = CompletionWorker()
    opened = await worker.run(path, lambda index, _stop: index is not None and index.path == path)
    missing = await worker.run(tmp_path / "none.sqlite3", lambda index, _stop: index)
    assert opened is True and missing is None
    worker.shutdown()
