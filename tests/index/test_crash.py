"""A `paper-ls add` killed with SIGKILL mid-import leaves the index exactly as before it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parents[2] / "paper_ls" / "data" / "sample.bib"


def paper_ls(index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paper_ls", "--index", str(index), *args],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def big_bib(path: Path, entries: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(entries):
            out.write(
                f"@article{{crash{i},\n  author = {{Author{i % 97}, Ann and Writer{i % 89}, Bo}},\n"
                f"  title = {{Resilient indexing of record number {i} under sudden failure}},\n"
                f"  journal = {{Journal of Tests}},\n  year = {{{1990 + i % 35}}},\n"
                f"  abstract = {{An abstract long enough to make the write ahead log grow"
                f" quickly: record {i} of a file that is killed before its import ends.}},\n}}\n\n"
            )
    return path


def state(index: Path) -> tuple[list[tuple[str, int]], int]:
    sources = json.loads(paper_ls(index, "sources", "--json").stdout)
    papers = json.loads(paper_ls(index, "stats", "--json").stdout)["papers"]
    return sorted((Path(s["path"]).name, s["entries"]) for s in sources), papers


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")
def test_sigkill_during_an_import_leaves_the_previous_state(tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite3"
    assert paper_ls(index, "add", str(SAMPLE)).returncode == 0
    before = state(index)
    bib = big_bib(tmp_path / "big.bib", 60_000)

    process = subprocess.Popen(
        [sys.executable, "-m", "paper_ls", "--index", str(index), "add", str(bib)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    wal = Path(f"{index}-wal")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        # The page cache (32 MB) spills into the WAL well before the import ends.
        if wal.exists() and wal.stat().st_size > 1 << 20:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    with sqlite3.connect(index) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert state(index) == before

    small = big_bib(tmp_path / "small.bib", 50)
    finished = paper_ls(index, "add", str(small))
    assert finished.returncode == 0, finished.stderr
    assert state(index) == (sorted([*before[0], ("small.bib", 50)]), before[1] + 50)
