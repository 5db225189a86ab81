"""Reading a large file with worker processes, results in file order, memory bounded.

Turning text into records is pure Python and costs more than writing them, so readers of
large files hand out pieces of the file to two worker processes. Only a few pieces are in
flight at once, so a multi-gigabyte file never sits in memory.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

R = TypeVar("R")

#: Two workers: the machines this runs on have few cores, and the importing process needs
#: one of them to write.
MAX_WORKERS = 2
_IN_FLIGHT_PER_WORKER = 2


def workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def ordered_map(function: Callable[..., R], jobs: Iterable[tuple[object, ...]]) -> Iterator[R]:
    """`function(*job)` for each job, computed in worker processes, yielded in job order.

    `jobs` is consumed lazily, a few ahead of what has been yielded, so a caller may
    compute each job from what it read last. `function` and its arguments must pickle.
    """
    count = workers()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        in_flight: deque[Future[R]] = deque()
        try:
            for job in jobs:
                in_flight.append(pool.submit(function, *job))
                if len(in_flight) >= count * _IN_FLIGHT_PER_WORKER:
                    yield in_flight.popleft().result()
            while in_flight:
                yield in_flight.popleft().result()
        finally:
            for future in in_flight:  # an early stop (Ctrl-C, an error) waits for none
                future.cancel()
