"""Property tests: any text, however broken, parses to entries and located failures.

No input makes the parser raise, the fast path always agrees with bibtexparser alone, and
every entry and failure points at a line that exists.
"""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from paper_ls.bibtex.parse import parse_bibtex, parse_chunk
from paper_ls.sources import Problem
from paper_ls.sources.bibtex import read

_PIECES = [
    "@article{", "@misc(", "@string{", "@preamble{", "@comment{", "k1", "k2", ",", " ",
    "title", "author", "=", "{", "}", "(", ")", '"', "#", "\\", "\\{", "\\}", "{\"}", "\n",
    "\r\n", "%", "jan", "2020", "and", "é", "\x00", "@", "x" * 300,
]  # fmt: skip

bib_texts = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@settings(max_examples=500, deadline=None)
@given(bib_texts)
def test_any_text_parses_and_every_line_exists(text: str) -> None:
    parsed = parse_bibtex(text)
    last_line = text.count("\n") + 1
    for entry in parsed.entries:
        assert 1 <= entry.line <= entry.end_line <= last_line
    for failure in parsed.failures:
        assert 1 <= failure.line <= last_line and failure.message


@settings(max_examples=500, deadline=None)
@given(bib_texts)
def test_the_fast_path_agrees_with_bibtexparser(text: str) -> None:
    fast = parse_chunk(text, first_line=1, strings={})
    slow = parse_chunk(text, first_line=1, strings={}, fast=False)
    assert (fast.entries, fast.failures, fast.preambles) == (
        slow.entries,
        slow.failures,
        slow.preambles,
    )


def test_invalid_utf8_and_nul_bytes_are_read_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "broken.bib"
    path.write_bytes(
        b"@article{good, title = {Caf\xe9 \x00 culture}, year = 2001}\n"
        b"@article{bad, title = {unclosed\n"
        b"@misc{after, title = {\xff\xfe still here}}\n"
    )
    records = list(read(path))
    keys = [r.key for r in records if not isinstance(r, Problem)]
    problems = [r for r in records if isinstance(r, Problem)]
    assert keys == ["good", "after"]
    assert [p.line for p in problems] == [2]


def test_a_100_kb_field_binary_garbage_and_a_truncated_entry(tmp_path: Path) -> None:
    """What a broken export or a mis-saved file looks like: the good entries all arrive,
    the huge field whole, and the rest is reported at its lines."""
    abstract = "word " * 20_000  # 100 KB
    garbage = random.Random(3).randbytes(4096).replace(b"@", b"#")
    path = tmp_path / "mixed.bib"
    path.write_bytes(
        b"@article{huge, title = {Huge}, abstract = {"
        + abstract.encode()
        + b"}}\n"
        + garbage
        + b"\n@misc{middle, title = {After the garbage}, year = 2020}\n"
        + b"@article{cut, title = {Truncated in the mid"
    )
    records = list(read(path))
    papers = {r.key: r for r in records if not isinstance(r, Problem)}
    problems = [r for r in records if isinstance(r, Problem)]
    assert list(papers) == ["huge", "middle"]
    assert papers["huge"].abstract == abstract.strip()
    # Text between entries is a comment to BibTeX, garbage included; the cut entry is not.
    last_line = path.read_bytes().count(b"\n") + 1
    assert [(p.line, "the file ends before the entry is closed" in p.message)
            for p in problems] == [(last_line, True)]  # fmt: skip
