"""`paper-ls check` as CI runs it: compiler-style lines, --json, the exit status, --fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from paper_ls.bibtex.parse import parse_bibtex
from paper_ls.index.store import Index
from tests.conftest import CliResult

Cli = Callable[..., CliResult]

MAIN = """\\documentclass{book}
\\begin{document}
\\include{chapters/one}
\\input{chapters/two}
\\bibliography{refs,more}
\\end{document}
"""
REFS = "@article{smith2020graphs,\n  title = {Sparse Graphs},\n  year = {2020},\n}\n"
MORE = "@book{knuth1984texbook,\n  title = {The {\\TeX}book},\n  year = {1984},\n}\n"
ONE = "See \\cite{smith2020graphs} and \\citep{vaswani2017attention}.\n"
TWO = "Typo: \\cite{vaswani2017attn}; unknown: \\cite{nobody1999}.\n"


@pytest.fixture
def thesis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_index: Index) -> Path:
    for name, text in (("main.tex", MAIN), ("refs.bib", REFS), ("more.bib", MORE),
                       ("chapters/one.tex", ONE), ("chapters/two.tex", TWO)):  # fmt: skip
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_lines_follow_includes_and_exit_one_on_error(cli: Cli, thesis: Path) -> None:
    result = cli("check", "main.tex")
    assert result.code == 1
    assert result.out.splitlines() == [
        "chapters/one.tex:1:39: warning: vaswani2017attention is not in refs.bib or more.bib,"
        " but the index has it: add its entry",
        "chapters/two.tex:1:13: error: vaswani2017attn is not defined in refs.bib or more.bib"
        " nor in the index; did you mean vaswani2017attention?",
        "chapters/two.tex:1:46: error: nobody1999 is not defined in refs.bib or more.bib"
        " nor in the index",
    ]


def test_a_chapter_is_checked_as_part_of_its_root(cli: Cli, thesis: Path) -> None:
    alone = cli("check", "chapters/one.tex")
    together = cli("check", "chapters/one.tex", "main.tex", "chapters/two.tex")
    assert alone.out == together.out
    assert alone.out.count("\n") == 3


def test_json_for_machines(cli: Cli, thesis: Path) -> None:
    result = cli("check", "main.tex", "--json")
    assert result.code == 1
    report = result.json()
    assert isinstance(report, dict)
    assert report["added"] == []
    typo = report["findings"][1]
    assert typo == {
        "file": str(thesis / "chapters/two.tex"),
        "line": 1,
        "column": 13,
        "endLine": 1,
        "endColumn": 28,
        "severity": "error",
        "code": "undefined-key",
        "message": "vaswani2017attn is not defined in refs.bib or more.bib nor in the index;"
        " did you mean vaswani2017attention?",
        "key": "vaswani2017attn",
        "suggestions": ["vaswani2017attention"],
    }


def test_warnings_alone_pass(cli: Cli, thesis: Path) -> None:
    (thesis / "chapters/two.tex").write_text("Nothing cited here.\n")
    result = cli("check", "main.tex")
    assert result.code == 0
    assert "warning: vaswani2017attention" in result.out


def test_fix_adds_what_the_index_knows(cli: Cli, thesis: Path) -> None:
    result = cli("check", "main.tex", "--fix")
    assert "added vaswani2017attention to refs.bib" in result.out.splitlines()
    assert "warning" not in result.out  # fixed, so no longer reported
    assert result.code == 1  # the typo and the unknown key remain errors
    written = (thesis / "refs.bib").read_text()
    assert written.startswith(REFS + "\n@inproceedings{vaswani2017attention,\n")
    parsed = parse_bibtex(written)
    assert [e.key for e in parsed.entries] == ["smith2020graphs", "vaswani2017attention"]
    assert parsed.failures == []
    assert (thesis / "more.bib").read_text() == MORE
    again = cli("check", "main.tex", "--fix")
    assert "added" not in again.out
    assert (thesis / "refs.bib").read_text() == written


def test_fix_creates_and_declares_a_bibliography(
    cli: Cli, tmp_path: Path, sample_index: Index
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("---\ntitle: Notes\n---\n\nAs [@vaswani2017attention; @kingma2015adam].\n")
    result = cli("check", str(notes), "--fix", "--json")
    assert result.code == 0
    report = result.json()
    assert isinstance(report, dict)
    assert [(a["cited"], a["declaredIn"]) for a in report["added"]] == [
        ("vaswani2017attention", str(notes)),
        ("kingma2015adam", str(notes)),
    ]
    assert report["findings"] == []
    assert notes.read_text().startswith("---\ntitle: Notes\nbibliography: references.bib\n---\n")
    created = parse_bibtex((tmp_path / "references.bib").read_text())
    assert [e.key for e in created.entries] == ["vaswani2017attention", "kingma2015adam"]


def test_bibliography_problems_and_unused_entries(cli: Cli, thesis: Path) -> None:
    (thesis / "more.bib").write_text(
        MORE + "@misc{smith2020graphs, title = {Again}}\n@misc{broken,\n  title = {x\n"
    )
    (thesis / "chapters/two.tex").write_text("\\cite{vaswani2017attention}\n")
    lines = cli("check", "main.tex", "--unused").out.splitlines()
    assert "more.bib:1:7: hint: knuth1984texbook is not cited by any document" in lines
    assert (
        "more.bib:5:7: warning: smith2020graphs is defined 2 times (more.bib:5, refs.bib:1)"
        in lines
    )
    assert (
        "refs.bib:1:10: warning: smith2020graphs is defined 2 times (more.bib:5, refs.bib:1)"
        in lines
    )
    assert (
        "more.bib:6:1: error: malformed entry '@misc{broken,': the file ends before the entry"
        " is closed (a closing brace is missing); the entry is skipped"
    ) in lines
    assert not any("hint" in line for line in cli("check", "main.tex").out.splitlines())


def test_missing_files_are_one_line_errors(cli: Cli, thesis: Path) -> None:
    missing = cli("check", "nothere.tex")
    assert (missing.code, missing.err) == (1, "paper-ls: nothere.tex: no such file\n")
    (thesis / "notes.txt").write_text("x")
    wrong = cli("check", "notes.txt")
    assert wrong.code == 1
    assert "notes.txt: not a LaTeX or Markdown document" in wrong.err
    (thesis / "more.bib").unlink()
    gone = cli("check", "main.tex").out.splitlines()
    assert "main.tex:5:20: error: bibliography file more.bib does not exist" in gone


def test_without_an_index_keys_are_checked_against_the_files(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "refs.bib").write_text(REFS)
    (tmp_path / "doc.tex").write_text(
        "\\cite{smith2020graphs,smith2020graph}\n\\bibliography{refs}\n"
    )
    monkeypatch.chdir(tmp_path)
    result = cli("check", "doc.tex", "--fix")
    assert result.code == 1
    assert result.err.startswith("paper-ls: no index at ")
    assert result.out == (
        "doc.tex:1:23: error: smith2020graph is not defined in refs.bib;"
        " did you mean smith2020graphs?\n"
    )
