"""Which bibliography files a document uses, found as a writer lays out a project."""

from __future__ import annotations

from pathlib import Path

import pytest

from paper_ls.documents.project import (
    BibFile,
    BibliographyCache,
    bibliography_for,
    entry_offsets,
    grep_bib,
    grep_bib_key,
)


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def not_open(_: Path) -> str | None:
    return None


def latex_of(path: Path, configured: tuple[str, ...] = ()) -> tuple[Path, tuple[Path, ...], bool]:
    found = bibliography_for(path, path.read_text(), "latex", not_open, configured)
    return found.root, found.files, found.declared


def test_bibliography_command_with_and_without_suffix(tmp_path: Path) -> None:
    main = write(tmp_path, "main.tex", "\\documentclass{article}\n\\bibliography{refs,more.bib}\n")
    assert latex_of(main) == (main, (tmp_path / "refs.bib", tmp_path / "more.bib"), True)


def test_addbibresource_and_biblatex(tmp_path: Path) -> None:
    main = write(
        tmp_path,
        "main.tex",
        "\\documentclass{article}\n\\usepackage[style=apa]{biblatex}\n"
        "\\addbibresource{bib/refs.bib}\n",
    )
    found = bibliography_for(main, main.read_text(), "latex", not_open)
    assert found.files == (tmp_path / "bib" / "refs.bib",)
    assert found.biblatex


def test_magic_root_comment_gives_the_roots_bibliography(tmp_path: Path) -> None:
    main = write(tmp_path, "main.tex", "\\documentclass{book}\n\\bibliography{thesis}\n")
    chapter = write(tmp_path, "chapters/one.tex", "% !TEX root = ../main.tex\n\\chapter{One}\n")
    assert latex_of(chapter) == (main, (tmp_path / "thesis.bib",), True)


@pytest.mark.parametrize("command", ["\\input{chapters/two}", "\\include{chapters/two}",
                                     "\\subfile{chapters/two.tex}"])  # fmt: skip
def test_included_file_finds_its_root(tmp_path: Path, command: str) -> None:
    main = write(
        tmp_path, "main.tex", f"\\documentclass{{book}}\n{command}\n\\bibliography{{thesis}}\n"
    )
    chapter = write(tmp_path, "chapters/two.tex", "\\section{Two}\n")
    assert latex_of(chapter) == (main, (tmp_path / "thesis.bib",), True)


def test_setting_then_references_bib_as_fallbacks(tmp_path: Path) -> None:
    lone = write(tmp_path, "notes.tex", "\\documentclass{article}\n")
    assert latex_of(lone) == (lone, (tmp_path / "references.bib",), False)
    assert latex_of(lone, ("lib/all.bib",)) == (lone, (tmp_path / "lib" / "all.bib",), False)


@pytest.mark.parametrize(
    "front_matter",
    [
        "bibliography: refs.bib",
        'bibliography: "refs.bib"',
        "bibliography: [refs.bib, extra.bib]",
        "bibliography:\n  - refs.bib\n  - extra.bib",
    ],
)
def test_markdown_front_matter(tmp_path: Path, front_matter: str) -> None:
    doc = write(tmp_path, "paper.md", f"---\ntitle: X\n{front_matter}\n---\n\nText [@a].\n")
    found = bibliography_for(doc, doc.read_text(), "markdown", not_open)
    assert found.declared
    assert found.files[0] == tmp_path / "refs.bib"


def test_quarto_project_file(tmp_path: Path) -> None:
    write(tmp_path, "_quarto.yml", "project:\n  type: book\nbibliography: book.bib\n")
    doc = write(tmp_path, "chapters/intro.qmd", "# Intro\n\nAs @a showed.\n")
    found = bibliography_for(doc, doc.read_text(), "markdown", not_open, (), tmp_path)
    assert found.files == (tmp_path / "book.bib",)


def test_cache_parses_once_and_again_after_a_change(tmp_path: Path) -> None:
    bib = write(tmp_path, "refs.bib", "@misc{a, title={One}}\n")
    cache = BibliographyCache(not_open)
    assert cache.get(bib) is None  # nothing parsed on the caller's thread
    first = cache.refresh(bib)
    assert cache.refresh(bib) is first
    bib.write_text("@misc{a, title={One}}\n@misc{b, title={Two}}\n")
    second = cache.refresh(bib)
    assert list(second.entries) == ["a", "b"]
    assert second.entries["b"].line == 2


def test_editor_text_wins_over_disk(tmp_path: Path) -> None:
    bib = write(tmp_path, "refs.bib", "@misc{a, title={On disk}}\n")
    cache = BibliographyCache(lambda p: "@misc{z, title={Unsaved}}\n" if p == bib else None)
    assert list(cache.refresh(bib).entries) == ["z"]


def test_missing_file_is_known_as_missing(tmp_path: Path) -> None:
    cache = BibliographyCache(not_open)
    assert cache.refresh(tmp_path / "nope.bib").exists is False


def test_a_remembered_root_is_dropped_when_it_stops_including(tmp_path: Path) -> None:
    chapter = write(tmp_path, "chapters/intro.tex", "\\cite{a}\n")
    book = "\\documentclass{book}\n"
    write(tmp_path, "a.tex", book + "\\include{chapters/intro}\n\\bibliography{x}\n")
    assert latex_of(chapter)[1] == (tmp_path / "x.bib",)
    write(tmp_path, "a.tex", "\\documentclass{book}\n\\bibliography{x}\n")
    write(tmp_path, "b.tex", "\\documentclass{book}\n\\input{chapters/intro}\n\\bibliography{y}\n")
    assert latex_of(chapter)[:2] == (tmp_path / "b.tex", (tmp_path / "y.bib",))
    (tmp_path / "b.tex").unlink()
    assert latex_of(chapter)[0] == chapter


def _long_bib(count: int) -> str:
    return "".join(
        f"@article{{key{i:05d},\n  title = {{Paper number {i} about sparse coding}},\n"
        f"  author = {{Ada Lovelace and Alan Turing}},\n  year = {{2020}},\n}}\n\n"
        for i in range(count)
    )


def test_a_long_file_read_first_is_published_as_a_first_look_then_whole(tmp_path: Path) -> None:
    """Completion may show the start of a long .bib at once; nothing else sees that start."""
    bib = write(tmp_path, "refs.bib", _long_bib(3000))
    published: list[tuple[bool, int, BibFile | None]] = []

    class Watched(BibliographyCache):
        def _publish(self, path: Path, parsed: BibFile) -> None:
            published.append((parsed.partial, len(parsed.entries), self.get(path)))
            super()._publish(path, parsed)

    cache = Watched(not_open)
    waiting = cache.first_look(bib)
    assert not waiting.done()
    whole = cache.refresh(bib)
    (partial, head_count, seen_by_get), (last_partial, count, _) = published
    assert partial and not last_partial
    assert 0 < head_count < 3000 and count == 3000
    assert "key00000" in waiting.result().entries
    assert seen_by_get is None  # `get` (hover, diagnostics) never returned the first look
    assert cache.get(bib) is whole and cache.get_or_first_look(bib) is whole
    assert cache.first_look(bib).result() is whole


def test_a_short_file_and_a_reparse_have_no_first_look(tmp_path: Path) -> None:
    bib = write(tmp_path, "refs.bib", _long_bib(20))
    cache = BibliographyCache(not_open)
    assert not cache.refresh(bib).partial
    long_bib = write(tmp_path, "long.bib", _long_bib(3000))
    cache.refresh(long_bib)
    long_bib.write_text(_long_bib(3001), encoding="utf-8")
    published: list[bool] = []
    original = cache._publish

    def watch(path: Path, parsed: BibFile) -> None:
        published.append(parsed.partial)
        original(path, parsed)

    cache._publish = watch  # type: ignore[method-assign]
    assert len(cache.refresh(long_bib).entries) == 3001
    assert published == [False]  # the old parse stands until the new one is whole


def test_grep_finds_the_entries_that_hold_every_word_with_their_lines() -> None:
    text = (
        "@string{nips = {NeurIPS}}\n\n"
        "@article{a1,\n  title = {Sparse coding},\n  author = {Lovelace, Ada},\n}\n\n"
        "@article{b2,\n  title = {Dense coding},\n  author = {Turing, Alan},\n}\n"
        "@article{c3,\n  title = {sparse graphs},\n  author = {Hopper, Grace},\n}\n"
    )
    path = Path("refs.bib")
    found = grep_bib(path, text, ("sparse",), limit=10)
    assert [(e.key, e.line) for e in found.entries.values()] == [("a1", 3), ("c3", 12)]
    assert list(grep_bib(path, text, ("sparse", "hopper"), limit=10).entries) == ["c3"]
    assert list(grep_bib(path, text, ("sparse",), limit=1).entries) == ["a1"]
    assert not grep_bib(path, text, ("zebra",), limit=10).entries
    assert found.candidates[0].key == "a1"  # ready for ranking, like a parsed file


def test_grep_by_key_finds_the_one_entry_whatever_the_case_and_spacing() -> None:
    text = (
        "@article{a1,\n  title = {Cites b2 in its note},\n  note = {see b2, too},\n}\n\n"
        "@Book( B2 ,\n  title = {The book},\n  author = {Turing, Alan},\n)\n"
        "@article{c3,\n  crossref = {b2},\n  title = {A chapter},\n}\n"
    )
    path, offsets = Path("refs.bib"), entry_offsets(text)
    assert list(offsets) == ["a1", "b2", "c3"]  # "b2," in a1's note is no entry
    found = grep_bib_key(path, text, "b2", offsets)
    assert [(e.key, e.line) for e in found.entries.values()] == [("B2", 6)]
    entry = found.find("b2")
    assert entry is not None and entry.paper.title == "The book"
    assert not grep_bib_key(path, text, "c3", offsets).entries  # parent fields not applied
    assert not grep_bib_key(path, text, "a", offsets).entries  # a key prefix is not the key
    assert not grep_bib_key(path, text, "zz", offsets).entries


def test_a_key_looked_for_during_the_first_parse_is_settled_by_the_text_while_it_is_current(
    tmp_path: Path,
) -> None:
    """Hover trusts a key's absence from a file being read only while that text is still
    the file's: once the file changes, the answer must wait for the new parse."""
    bib = write(tmp_path, "refs.bib", _long_bib(3000))
    seen: list[tuple[bool, bool, bool]] = []
    cache: BibliographyCache

    def look_while_parsing() -> None:
        if seen or cache.reading_size(bib) is None:
            return
        looked = [cache.grep_key(bib, key) for key in ("KEY02999", "nokey")]
        assert looked[0] is not None and looked[1] is not None
        seen.append((bool(looked[0][0].entries), looked[1][1], bool(looked[1][0].entries)))
        bib.write_text(_long_bib(3000) + "@misc{nokey,\n  title = {Added},\n}\n")
        changed = cache.grep_key(bib, "nokey")
        assert changed is not None
        seen.append((False, changed[1], bool(changed[0].entries)))

    cache = BibliographyCache(not_open, pause=look_while_parsing)
    cache.refresh(bib)
    assert seen == [(True, True, False), (False, False, False)]
    assert cache.grep_key(bib, "nokey") is None  # read whole: nothing left to look in
    assert not cache.is_current(bib)
    cache.refresh(bib)
    assert cache.is_current(bib)
