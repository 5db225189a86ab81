"""The workspace's citations: found on disk, replaced by editor text, released on close."""

from __future__ import annotations

from pathlib import Path

from paper_ls.documents.workspace import CitationIndex, find_citations, language_of


def test_scan_reads_documents_and_skips_hidden_and_build_folders(tmp_path: Path) -> None:
    (tmp_path / "ch").mkdir()
    (tmp_path / "ch/one.tex").write_text("\\cite{a,b}\n")
    (tmp_path / "notes.qmd").write_text("See @a and @fig-plot.\n")
    (tmp_path / "refs.bib").write_text("@misc{a, title={x}}\n")
    for hidden in (".git", "node_modules"):
        (tmp_path / hidden).mkdir()
        (tmp_path / hidden / "x.tex").write_text("\\cite{a}\n")
    index = CitationIndex()
    assert index.scan([tmp_path]) == 2
    assert sorted((p.name, c.key) for p, c in index.citations_of("a")) == [
        ("notes.qmd", "a"),
        ("one.tex", "a"),
    ]
    assert index.bib_files() == [tmp_path / "refs.bib"]
    assert index.cited_keys() == {"a", "b"}


def test_editor_text_wins_until_the_document_is_closed(tmp_path: Path) -> None:
    path = tmp_path / "one.tex"
    path.write_text("\\cite{a}\n")
    index = CitationIndex()
    index.scan([tmp_path])
    index.update(path, "\\cite{b}\n", "latex", 3)
    index.read_file(path)  # a watched-file event while open changes nothing
    assert [c.key for _, c in index.citations_of("b")] == ["b"]
    index.release(path)
    assert index.citations_of("b") == []
    assert [c.key for _, c in index.citations_of("a")] == ["a"]


def test_nocite_star_means_every_entry_is_cited(tmp_path: Path) -> None:
    (tmp_path / "main.tex").write_text("\\nocite{*}\n")
    index = CitationIndex()
    index.scan([tmp_path])
    assert index.cited_keys() is None


def test_languages_and_crossrefs() -> None:
    assert language_of(Path("a.Rmd")) == "markdown"
    assert language_of(Path("a.ltx")) == "latex"
    assert language_of(Path("a.txt")) is None
    keys = [
        c.key for c in find_citations("@sec-intro, @tbl-x and [@real]", "markdown", frozenset())
    ]
    assert keys == ["real"]
