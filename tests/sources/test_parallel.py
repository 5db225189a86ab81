"""Worker processes read pieces of a large file: results in order, a few pieces at a time."""

from __future__ import annotations

from collections.abc import Iterator

from paper_ls.sources import parallel


def test_results_come_in_job_order_and_jobs_are_taken_a_few_ahead() -> None:
    pulled: list[int] = []

    def jobs() -> Iterator[tuple[object, ...]]:
        for i in range(40):
            pulled.append(i)
            yield i, 2

    results = parallel.ordered_map(pow, jobs())
    first = next(results)
    ahead = len(pulled)
    assert first == 0
    assert ahead <= parallel.workers() * 2  # the rest of the file is not read yet
    assert [first, *results] == [i * i for i in range(40)]
    assert len(pulled) == 40
