"""The protocol-types cache: a faster start that must never change what the types do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from pathlib import Path
from paper_ls.server.startup import cache_file, import_protocol_types
import_protocol_types(Path(sys.argv[1]))
from lsprotocol import types
a = types.Position(line=1, character=2)
assert a == types.Position(1, 2) and a != types.Position(1, 3), "eq broken"
assert "label='k'" in repr(types.CompletionItem(label="k")), "repr broken"
item = types.CompletionItem(label="k", sort_text="0001")
assert item.sort_text == "0001"
print(cache_file(Path(sys.argv[1])).name)
"""


def run_probe(cache_dir: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(cache_dir)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_first_start_writes_the_cache_and_later_starts_use_it(tmp_path: Path) -> None:
    name = run_probe(tmp_path)
    cache = tmp_path / name
    assert cache.is_file() and cache.stat().st_size > 100_000
    written = cache.stat().st_mtime_ns
    run_probe(tmp_path)  # served from the cache: nothing new to write
    assert cache.stat().st_mtime_ns == written


def test_a_corrupt_cache_is_ignored_and_replaced(tmp_path: Path) -> None:
    name = run_probe(tmp_path)
    (tmp_path / name).write_bytes(b"\x00garbage")
    run_probe(tmp_path)
    assert (tmp_path / name).stat().st_size > 100_000


def test_an_unwritable_cache_directory_does_not_stop_the_start(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    run_probe(blocker / "cache")


def test_old_cache_files_of_other_environments_are_pruned(tmp_path: Path) -> None:
    for n in range(5):
        (tmp_path / f"protocol-types-old-{n}.marshal").write_bytes(b"x")
    name = run_probe(tmp_path)
    left = sorted(p.name for p in tmp_path.glob("protocol-types-*.marshal"))
    assert name in left and len(left) == 3
