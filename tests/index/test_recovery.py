"""A damaged index is found, moved aside and rebuilt from its sources, never served.

Every test damages a real index file the way disks and stray programs do (tests/index/
corrupt.py), runs `paper-ls` as a person would, and checks the one line they read, that the
damaged file is kept, and that the answers afterwards are the ones from before the damage.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from paper_ls.demo import sample_library
from paper_ls.index import integrity
from paper_ls.index.recovery import recover
from tests.conftest import CliResult
from tests.index import corrupt

Cli = Callable[..., CliResult]
Damage = Callable[[Path], str]

EXTRA = """@article{okafor2021tidal,
  author = {Okafor, Chidi and Lindqvist, Maja},
  title = {Tidal Forcing of Estuarine Sediment Plumes},
  journal = {Coastal Dynamics},
  year = {2021}
}
"""


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The sample library and one more .bib; no config file unless a test writes one."""
    monkeypatch.setenv("PAPER_LS_CONFIG", str(tmp_path / "config.toml"))
    sample = tmp_path / "sample.bib"
    shutil.copy(sample_library(), sample)
    extra = tmp_path / "extra.bib"
    extra.write_text(EXTRA, encoding="utf-8")
    return sample, extra


def contents(cli: Cli) -> tuple[object, list[str]]:
    """What a person can see of the index: its counts and every paper's key."""
    stats = cli("stats", "--json").json()
    assert isinstance(stats, dict)
    keys = cli("search", "a", "-n", "500", "--json").json()
    assert isinstance(keys, list)
    return ({k: stats[k] for k in ("papers", "records", "sources")},
            sorted(hit["key"] for hit in keys))  # fmt: skip


def aside(index_path: Path) -> list[Path]:
    return sorted(p for p in index_path.parent.glob(index_path.name + ".corrupt-*")
                  if not p.name.endswith(("-wal", "-shm")))  # fmt: skip


def recorded_paths(index: Path) -> list[str]:
    conn = sqlite3.connect(f"{index.as_uri()}?mode=ro", uri=True)
    try:
        return [str(p) for (p,) in conn.execute("SELECT path FROM sources ORDER BY id")]
    finally:
        conn.close()


DAMAGE: list[Damage] = [corrupt.zero_header, corrupt.truncate, corrupt.garbage_pages]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda d: d.__name__)
def test_search_on_a_damaged_index_says_so_rebuilds_and_answers_right(
    damage: Damage, cli: Cli, index_path: Path, library: tuple[Path, Path], tmp_path: Path
) -> None:
    sample, extra = library
    # A config file as well: with the header gone, the index cannot say what it held.
    (tmp_path / "config.toml").write_text(f'sources = ["{sample}", "{extra}"]\n')
    assert cli("add", str(sample), str(extra)).code == 0
    before = contents(cli)
    damage(index_path)
    damaged_bytes = index_path.read_bytes()

    found = cli("search", "vaswani", "attention")

    assert found.code == 0, found.err
    assert found.out.splitlines()[0].startswith("vaswani2017attention")
    (line,) = found.err.splitlines()
    (kept,) = aside(index_path)
    assert line.startswith(f"paper-ls: the index {index_path} was damaged (")
    assert f"moved to {kept}" in line and "2 of 2 sources read" in line
    assert kept.read_bytes() == damaged_bytes  # kept exactly as found
    assert contents(cli) == before


def test_the_sources_recorded_in_the_damaged_index_are_read_again_without_a_config(
    cli: Cli, index_path: Path, library: tuple[Path, Path]
) -> None:
    sample, extra = library
    cli("add", str(sample))
    cli("add", str(extra))
    before = contents(cli)
    corrupt.garbage_pages(index_path)

    stats = cli("stats")

    assert stats.code == 0
    assert "from its recorded sources: 2 of 2 sources read" in stats.err
    assert "papers:    50 (" in stats.out
    assert contents(cli) == before


def test_a_zeroed_header_still_leaves_the_recorded_sources_readable(
    cli: Cli, index_path: Path, library: tuple[Path, Path]
) -> None:
    cli("add", str(library[0]))
    before = contents(cli)
    corrupt.zero_header(index_path)
    damaged = index_path.read_bytes()
    stats = cli("stats")
    assert "from its recorded sources: 1 of 1 sources read" in stats.err
    assert contents(cli) == before
    (old,) = aside(index_path)
    assert old.read_bytes() == damaged  # read through a header put back afterwards


def test_with_neither_recorded_nor_configured_sources_the_message_says_to_add_them(
    cli: Cli, index_path: Path, library: tuple[Path, Path]
) -> None:
    cli("add", str(library[0]))
    corrupt.zero_start(index_path)
    stats = cli("stats", "--json")
    assert stats.code == 0
    assert "no sources were recorded or configured; add them again with 'paper-ls add'" in (
        stats.err
    )
    assert json.loads(stats.out)["papers"] == 0
    assert len(aside(index_path)) == 1


def test_a_source_gone_from_disk_is_named_and_its_papers_stay_in_the_kept_file(
    cli: Cli, index_path: Path, library: tuple[Path, Path]
) -> None:
    sample, extra = library
    cli("add", str(sample), str(extra))
    extra.unlink()
    corrupt.garbage_pages(index_path)

    found = cli("search", "tidal", "estuarine")

    assert "1 of 2 sources read; not read: " in found.err and "extra.bib" in found.err
    assert found.out == "no papers match\n"
    (kept,) = aside(index_path)
    # The kept file still says what it held (read with SQLite alone: paper-ls would not
    # serve it, it would rebuild it).
    assert [Path(p).name for p in recorded_paths(kept)] == ["sample.bib", "extra.bib"]


def test_a_large_index_is_checked_in_full_by_sync_check_not_on_every_command(
    cli: Cli, index_path: Path, library: tuple[Path, Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Damage only a full read finds, in an index over the inline limit: a command that
    does not read the damaged pages does not see it (a 1.8 GB index takes 16 s to check),
    `sync --check` (what the server runs in the background) does and rebuilds."""
    sample, extra = library
    config = tmp_path / "config.toml"
    config.write_text(f'sources = ["{sample}", "{extra}"]\n')
    assert cli("sync").code == 0
    before = contents(cli)
    monkeypatch.setattr(integrity, "INLINE_CHECK_BYTES", 4096)
    corrupt.garbage_pages(index_path, seed=7)
    mangled = index_path.read_bytes()

    listed = cli("sources")  # reads only the intact pages; too large to check inline
    assert listed.code == 0 and listed.err == "" and "extra.bib" in listed.out

    synced = cli("sync", "--check")
    assert synced.code == 0, synced.err
    assert "was damaged (" in synced.err and "2 of 2 sources read" in synced.err
    (kept,) = aside(index_path)
    assert kept.read_bytes() == mangled
    assert contents(cli) == before
    assert not integrity.check_is_due(index_path)  # the rebuilt index was checked


def test_a_passed_check_is_not_repeated_until_the_file_changes(
    cli: Cli, index_path: Path, library: tuple[Path, Path]
) -> None:
    cli("add", str(library[0]))
    cli("stats")
    stamp = integrity.read_stamp(index_path)
    assert stamp is not None and not integrity.check_is_due(index_path)
    cli("search", "attention")
    assert integrity.read_stamp(index_path) == stamp
    cli("add", str(library[1]))
    assert integrity.check_is_due(index_path)
    cli("stats")
    assert integrity.read_stamp(index_path) != stamp


def test_repair_checks_a_sound_index_and_rebuilds_a_damaged_one(
    cli: Cli, index_path: Path, library: tuple[Path, Path]
) -> None:
    cli("add", str(library[0]))
    sound = cli("repair")
    assert sound.code == 0 and sound.out == f"{index_path}: sound (checked in 0.0 s)\n"
    assert cli("repair", "--if-changed").out == f"{index_path}: unchanged since its last check\n"
    corrupt.garbage_pages(index_path, seed=3)
    repaired = cli("repair")
    assert repaired.code == 0 and "1 of 1 sources read" in repaired.err
    assert repaired.out.startswith(f"{index_path}: sound")


def test_a_second_process_finding_the_same_damage_leaves_the_rebuilt_index_alone(
    cli: Cli, index_path: Path, library: tuple[Path, Path]
) -> None:
    cli("add", str(library[0]))
    corrupt.garbage_pages(index_path)
    first = recover(index_path, "zeroed", config_path=None)
    assert first is not None and first.outcomes[0].report is not None
    second = recover(index_path, "zeroed", config_path=None)  # found the damage too, earlier
    assert second is None
    assert len(aside(index_path)) == 1
    assert contents(cli)[0] == {"papers": 49, "records": 49, "sources": 1}


def test_two_commands_meeting_the_damage_at_once_rebuild_it_once(
    index_path: Path, library: tuple[Path, Path]
) -> None:
    sample, _ = library
    command = [sys.executable, "-m", "paper_ls", "--index", str(index_path)]
    subprocess.run([*command, "add", str(sample)], check=True, capture_output=True)
    corrupt.garbage_pages(index_path)
    running = [subprocess.Popen([*command, "stats", "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(3)]  # fmt: skip
    results = [process.communicate(timeout=120) for process in running]
    assert [process.returncode for process in running] == [0, 0, 0], results
    assert [json.loads(out)["papers"] for out, _ in results] == [49, 49, 49], results
    told = [err for _, err in results if "was damaged" in err]
    assert len(told) == 1, results  # one of them rebuilt it, the others found it sound
    assert len(aside(index_path)) == 1


def test_a_file_that_never_was_an_index_is_left_alone(cli: Cli, index_path: Path) -> None:
    """`--index refs.bib` by mistake: an error, and the file is neither moved nor replaced."""
    text = "@article{a, title = {Not an index}}\n" * 40
    index_path.write_text(text)
    stats = cli("stats")
    assert stats.code == 1
    assert stats.err.startswith(f"paper-ls: {index_path} is not a readable paper-ls index (")
    assert index_path.read_text() == text and aside(index_path) == []


def random_damage(path: Path, seed: int) -> str:
    """One of the damages above at a random place: pages of garbage, zeroed pages, or the
    file cut at a random page."""
    noise = random.Random(seed)
    pages = corrupt.page_count(path)
    kind = noise.choice(["garbage", "zeros", "truncate"])
    if kind == "truncate":
        os.truncate(path, noise.randrange(1, pages) * corrupt.PAGE)
        return f"truncated at page {path.stat().st_size // corrupt.PAGE}"
    first, count = noise.randrange(0, pages), noise.randint(1, 4)
    with path.open("r+b") as file:
        for page in range(first, min(first + count, pages)):
            file.seek(page * corrupt.PAGE)
            file.write(noise.randbytes(corrupt.PAGE) if kind == "garbage" else bytes(corrupt.PAGE))
    return f"{kind} over pages {first + 1}-{min(first + count, pages)}"


CASES = 30


def test_random_damage_is_never_served(
    cli: Cli, index_path: Path, library: tuple[Path, Path], tmp_path: Path
) -> None:
    """Whatever pages are hit, what a person sees afterwards is the index as it was: either
    the damage is reported and the index rebuilt, or it hit nothing SQLite reads. (The
    config names the sources too, for damage to the page that lists them.)"""
    (tmp_path / "config.toml").write_text(f'sources = ["{library[0]}", "{library[1]}"]\n')
    cli("add", *map(str, library))
    before = contents(cli)
    pristine = index_path.read_bytes()
    reported = 0
    for seed in range(CASES):
        index_path.write_bytes(pristine)
        damage = random_damage(index_path, seed)
        shown = contents(cli)
        told = cli("stats").err
        assert shown == before, f"case {seed} ({damage}): the index answered wrongly"
        kept = aside(index_path)
        reported += len(kept)
        for old in kept:  # each case starts afresh
            old.unlink()
        assert told == ""  # the second command finds the rebuilt index sound
    assert reported >= CASES * 2 // 3  # most damage is found, not merely harmless
