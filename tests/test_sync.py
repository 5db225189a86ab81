"""`config.toml` sources and `paper-ls sync`: only changed sources are read, errors are lines."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from paper_ls.index.store import Index
from paper_ls.sync import ConfigError, load_config, sync
from tests.conftest import CliResult

ABSTRACT = "We study a thing that matters. " * 10
Cli = Callable[..., CliResult]


def bib(key: str, title: str) -> str:
    return f"@article{{{key}, author = {{Ann Smith}}, title = {{{title}}}, year = 2020}}\n"


def touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Two .bib files under papers/, a listing, and a config naming them by glob and path."""
    papers = tmp_path / "papers"
    (papers / "sub").mkdir(parents=True)
    (papers / "a.bib").write_text(bib("smith2020alpha", "Alpha Papers Considered"))
    (papers / "sub" / "b.bib").write_text(bib("smith2020beta", "Beta Papers Considered"))
    (tmp_path / "copied.data").write_text(
        f"Daily Papers\n\nA Listed Paper Title\n\n{ABSTRACT}\n  • 2 authors\n·\nSep 25\n"
    )
    config = tmp_path / "config.toml"
    config.write_text(
        '[[sources]]\npath = "papers/**/*.bib"\n\n'
        '[[sources]]\npath = "copied.data"\nformat = "listing"\nyear = 2024\n'
    )
    return config


def test_config_lists_paths_globs_formats_and_years(library: Path) -> None:
    config = load_config(library)
    assert [(s.pattern, s.format, s.year) for s in config.sources] == [
        ("papers/**/*.bib", None, None),
        ("copied.data", "listing", 2024),
    ]
    base = library.parent
    assert [p.relative_to(base).as_posix() for p in config.sources[0].paths(base)] == [
        "papers/a.bib",
        "papers/sub/b.bib",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[sources]]\npath = \n", "not valid TOML"),
        ('[[sources]]\nformat = "bibtex"\n', "source 1: needs a 'path'"),
        ('[[sources]]\npath = "a"\nformat = "endnote"\n', "unknown format 'endnote'"),
        ('[[sources]]\npath = "a"\nwatch = true\n', "unknown setting watch"),
        ('[[sources]]\npath = "a"\nyear = "2024"\n', "'year' must be a number"),
        ('sources = "a.bib"\n', "'sources' must be a list"),
    ],
)
def test_config_mistakes_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_sync_reads_only_what_changed(library: Path, index: Index) -> None:
    config = load_config(library)
    first = list(sync(index, config))
    assert [(o.path.name, o.report.added if o.report else None) for o in first] == [
        ("a.bib", 1),
        ("b.bib", 1),
        ("copied.data", 1),
    ]
    assert [o.report.skipped for o in sync(index, config) if o.report] == [True] * 3
    changed = library.parent / "papers" / "sub" / "b.bib"
    changed.write_text(bib("smith2020beta", "Beta Papers Reconsidered"))
    touch_later(changed)
    (library.parent / "papers" / "c.bib").write_text(bib("smith2020gamma", "Gamma Papers"))
    third = {o.path.name: o.report for o in sync(index, config) if o.report}
    assert {name: r.skipped for name, r in third.items()} == {
        "a.bib": True,
        "c.bib": False,
        "b.bib": False,
        "copied.data": True,
    }
    assert third["b.bib"].updated == 1
    year = index.conn.execute("SELECT year FROM papers WHERE title = 'A Listed Paper Title'")
    assert year.fetchone()[0] == 2024


def test_a_failing_source_does_not_stop_the_others(tmp_path: Path, index: Index) -> None:
    (tmp_path / "good.bib").write_text(bib("smith2020good", "Good Papers"))
    config_path = tmp_path / "config.toml"
    config_path.write_text('sources = ["missing.bib", "none/*.bib", "good.bib"]\n')
    outcomes = list(sync(index, load_config(config_path)))
    assert [o.error for o in outcomes[:2]] == [
        f"{tmp_path / 'missing.bib'}: no such file",
        "none/*.bib: matches no files",
    ]
    assert outcomes[2].report is not None and outcomes[2].report.added == 1


def test_cli_sync_reports_each_source(
    cli: Cli, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPER_LS_CONFIG", str(library))
    first = cli("sync")
    assert first.code == 0, first.err
    assert first.out.count(" added,") == 3
    again = cli("sync")
    assert again.out.count("unchanged since last import, skipped") == 3
    assert cli("search", "listed", "paper").out.startswith("listed2024")


def test_cli_sync_without_a_config_says_how_to_make_one(cli: Cli, tmp_path: Path) -> None:
    result = cli("sync", "--config", str(tmp_path / "nope.toml"))
    assert result.code == 1
    assert "no config file at" in result.err and "[[sources]]" in result.err


def arxiv_lines(count: int, word: str) -> str:
    return "".join(
        f'{{"id": "2401.{i:05d}", "title": "{word} paper number {i}",'
        f' "authors_parsed": [["Lee", "Min", ""]], "versions": [{{"created": "1 Jan 2024"}}]}}\n'
        for i in range(count)
    )


def test_ctrl_c_leaves_the_source_as_it_was(
    cli: Cli, index_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "first.bib"
    first.write_text(bib("smith2020first", "First Papers Read"))
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text(arxiv_lines(2500, "Original"))
    assert cli("add", str(snapshot)).code == 0
    snapshot.write_text(arxiv_lines(2500, "Rewritten"))
    touch_later(snapshot)

    def ctrl_c(self: object, count: int, expected: int | None) -> None:
        if count >= 2000:
            raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr("paper_ls.cli.ProgressLine.__call__", ctrl_c)
        result = cli("add", str(first), str(snapshot))
    assert result.code == 130
    assert result.err.strip() == (
        f"paper-ls: interrupted while reading {snapshot}; that source is as it was before, "
        "sources read earlier are kept"
    )
    with Index.open(index_path) as index:
        titles = [t for (t,) in index.conn.execute("SELECT title FROM papers ORDER BY id")]
    assert titles[0] == "Original paper number 0" and len(titles) == 2501
    assert "First Papers Read" in titles
    assert not any(t.startswith("Rewritten") for t in titles)
    # The source still looks changed, so the next run reads it.
    again = cli("add", str(snapshot))
    assert "2500 entries (2500 added, 0 updated, 2500 removed" in again.out


def test_progress_lines_when_not_a_terminal(tmp_path: Path) -> None:
    import io

    from paper_ls.cli import ProgressLine
    from paper_ls.index.importer import add_source

    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text(arxiv_lines(2500, "Counted"))
    stream = io.StringIO()
    with Index.open(tmp_path / "i.sqlite3") as index:
        progress = ProgressLine("snapshot.jsonl", stream, tty=False, quiet_s=0, every_s=0)
        add_source(index, snapshot, progress=progress)
    lines = stream.getvalue().splitlines()
    assert [line.split(" records")[0] for line in lines] == [
        "snapshot.jsonl: 1,000",
        "snapshot.jsonl: 2,000",
    ]


def test_progress_on_a_terminal_rewrites_one_line_and_clears_it() -> None:
    import io

    from paper_ls.cli import ProgressLine

    stream = io.StringIO()
    with ProgressLine("big.jsonl", stream, tty=True, quiet_s=0, every_s=0) as progress:
        progress(1000)
        progress(2000)
    assert stream.getvalue().count("\r\x1b[K") == 3
    assert stream.getvalue().endswith("\r\x1b[K")
    assert "big.jsonl: 2,000 records read" in stream.getvalue()


def test_progress_shows_a_bar_against_the_previous_read(tmp_path: Path) -> None:
    import io

    from paper_ls.cli import ProgressLine
    from paper_ls.index.importer import add_source

    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text(arxiv_lines(1500, "Counted"))
    stream = io.StringIO()
    with Index.open(tmp_path / "i.sqlite3") as index:
        add_source(index, snapshot)
        snapshot.write_text(arxiv_lines(2500, "Counted"))
        touch_later(snapshot)
        progress = ProgressLine("snapshot.jsonl", stream, tty=False, quiet_s=0, every_s=0)
        add_source(index, snapshot, progress=progress)
    assert (
        stream.getvalue()
        .splitlines()[0]
        .startswith("snapshot.jsonl [################--------]  67% 1,000/1,500 (")
    )
    # Past the old size there is no honest bar: back to a count.
    assert stream.getvalue().splitlines()[1].startswith("snapshot.jsonl: 2,000 records read")


def test_progress_json_prints_one_event_per_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paper_ls.sync import parse_event

    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text(arxiv_lines(2500, "Counted"))
    config = tmp_path / "config.toml"
    config.write_text('sources = ["snapshot.jsonl", "gone.bib"]\n')
    monkeypatch.setenv("PAPER_LS_CONFIG", str(config))
    result = cli("sync", "--progress-json")
    assert result.code == 1  # one source failed, and says so
    events = [json.loads(line) for line in result.out.splitlines()]
    assert events == [
        {"event": "progress", "source": str(snapshot), "done": 1000, "expected": None},
        {"event": "progress", "source": str(snapshot), "done": 2000, "expected": None},
        {"event": "source", "source": str(snapshot), "skipped": False, "added": 2500,
         "updated": 0, "removed": 0, "unchanged": 0, "problems": 0},
        {"event": "error", "source": str(tmp_path / "gone.bib"),
         "error": f"{tmp_path / 'gone.bib'}: no such file"},
        {"event": "done", "sources": 2, "changed": 1, "failed": 1},
    ]  # fmt: skip
    again = [parse_event(line) for line in cli("sync", "--progress-json").out.splitlines()]
    assert [(e.event, e.skipped, e.changed) for e in again if e is not None] == [
        ("source", True, 0),
        ("error", False, 0),
        ("done", False, 0),
    ]
    assert parse_event("paper-ls: not json") is None
