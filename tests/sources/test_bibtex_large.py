"""Large files stream through worker processes and read exactly as a small file would."""

from __future__ import annotations

from pathlib import Path

import pytest

from paper_ls.model import Paper
from paper_ls.sources import Problem, bibtex

LIBRARY = """@string{jgt = {Journal of Graph Theory}}

@article{first, author = {Smith, Ann}, title = {First Paper}, journal = jgt # { Letters},
  year = 2001}

@inproceedings{child, author = {Lee, Min}, title = {A Child Paper}, crossref = {parent}}

@article{broken, title = {Never closed
@misc{after, title = {After the Broken One}, year = {2003}}

@string{late = {Defined Late}}

@misc{uses_late, title = late, year = 2004}

@proceedings{parent, title = {Proceedings of Things}, year = 2002, publisher = {ACM}}
"""


def summarise(records: list[object]) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for r in records:
        if isinstance(r, Paper):
            out.append(
                ("paper", r.key, r.title, r.venue, r.year, r.provenance and r.provenance.line)
            )
        elif isinstance(r, Problem):
            # The reason may differ (a chunk ends where the next block would start).
            out.append(("problem", r.line, r.message.split(":")[0]))
    return sorted(out, key=repr)


def test_chunked_parallel_read_matches_whole_file_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.bib"
    path.write_text(LIBRARY)
    whole = list(bibtex.records_from_text(LIBRARY, str(path)))
    monkeypatch.setattr(bibtex, "PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr(bibtex, "CHUNK_CHARS", 64)  # forces many chunks
    chunked = list(bibtex.read(path))
    assert summarise(chunked) == summarise(whole)
    child = next(r for r in chunked if isinstance(r, Paper) and r.key == "child")
    assert (child.venue, child.year) == ("Proceedings of Things", 2002)
    first = next(r for r in chunked if isinstance(r, Paper) and r.key == "first")
    assert first.venue == "Journal of Graph Theory Letters"
    late = next(r for r in chunked if isinstance(r, Paper) and r.key == "uses_late")
    assert late.title == "Defined Late"
    problem = next(r for r in chunked if isinstance(r, Problem))
    assert problem.line == 8


def test_large_file_that_is_not_bibtex_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("plain notes\n" * 50)
    monkeypatch.setattr(bibtex, "PARALLEL_THRESHOLD", 0)
    with pytest.raises(bibtex.SourceError, match="not a BibTeX file"):
        list(bibtex.read(path))
