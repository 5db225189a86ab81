"""The fast path must read every file exactly as bibtexparser alone reads it.

Each test parses the same text twice, through the regex fast path and through bibtexparser
only (`fast=False`), and compares entries, failures (lines and messages) and preambles.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from paper_ls.bibtex.parse import ParsedBibliography, parse_chunk
from paper_ls.bibtex.scan import ScannedEntry, SlowRegion, scan

SAMPLE = Path(__file__).parents[2] / "paper_ls" / "data" / "sample.bib"


def both(text: str) -> tuple[ParsedBibliography, ParsedBibliography]:
    fast = parse_chunk(text, first_line=1, strings={})
    slow = parse_chunk(text, first_line=1, strings={}, fast=False)
    return fast, slow


def assert_same(text: str) -> ParsedBibliography:
    fast, slow = both(text)
    assert fast.entries == slow.entries, text
    assert fast.failures == slow.failures, text
    assert fast.preambles == slow.preambles, text
    return fast


def test_plain_entries_take_the_fast_path() -> None:
    text = "@article{a,\n  title = {One {Nested} Title},\n  year = 2020,\n}\n\n@misc{b, note = x}\n"
    blocks = list(scan(text))
    assert [type(b) for b in blocks] == [ScannedEntry, ScannedEntry]
    parsed = assert_same(text)
    assert [(e.key, e.line, e.end_line) for e in parsed.entries] == [("a", 1, 4), ("b", 6, 6)]


def test_string_macros_go_through_bibtexparser_and_still_apply() -> None:
    text = '@string{nips = "NeurIPS"}\n@inproceedings{a, booktitle = nips # { 2017}}\n'
    assert isinstance(next(iter(scan(text))), SlowRegion)
    parsed = assert_same(text)
    assert parsed.entries[0].fields["booktitle"] == "NeurIPS 2017"


@pytest.mark.parametrize(
    "text",
    [
        '@article{a, title = "Quoted {"} with a brace quote", year = {2001}}',
        '@article{a, title = "M\\"uller and {B}races", year = 1999}',
        "@article{a, title = {Escaped \\} brace}}\n@misc{b, title = {ok}}",
        "@article{a, title = {Unclosed\n@misc{b, title = {after the broken one}}",
        "@article{a, title = {x}}\n@article{a, title = {again}}\n",
        "@article{a, title = {x}, Title = {y}}",
        "@article(a, title = {paren delimited})",
        "@article{a}",
        "@article{a,}",
        "@article{a, title = {x},, year = 2000}",
        "@article{a, title = {x} junk}",
        "@article{a, title = {x}} trailing @misc{b, title = {mid-line block}}",
        "@article{a, note = {mail me@example.org}}",
        "@article{a, abstract = {line one\n@ not a block start\nline three}}",
        "@article{a, title = {Deep {{{{{{{{nesting}}}}}}}} here}}",
        "@article{a, title = {x}, year = 20 20}",
        "@article{a, % comment\n title = {x}}",
        "@comment{@article{hidden, title = {no}}}\n@article{b, title = {yes}}",
        "junk before @article{a, title = {x}}",
        "@article{a, title = {x}\n",
        '@article{a, title = "unclosed quote}\n@misc{b, title = {y}}',
        "@ARTICLE{Upper, TITLE = {Case}, MONTH = jun}",
        "@article{a, month = jun # {~1}, pages = 1--2}",
        "@article{a,\r\n  title = {CRLF},\r\n  year = 2020\r\n}\r\n",
        "\n\n% header\n@book{k:with/odd.chars+1, title = {T}}",
        # Found by hypothesis: a line break after a backslash, which bibtexparser does not
        # count as a line; lines now come from where a block sits in the text.
        "\\\n@article{",
        "@article{\\\n@article{",
        "@article{a, title = {x \\\n y}}\n@misc{b, title = {after}}\n@misc{c, title = {",
        "@article{@article{\n@article{",
        "@preamble{@article{\n@article{",
    ],
)
def test_edge_cases_read_as_bibtexparser_reads_them(text: str) -> None:
    assert_same(text)


def test_the_bundled_sample_library_reads_the_same() -> None:
    parsed = assert_same(SAMPLE.read_text(encoding="utf-8"))
    assert len(parsed.entries) == 49


_PIECES = [
    "@article{k{n}, title = {T{n}},\n  year = {2000}}\n",
    "@inproceedings{k{n},\n  author = {A, B and C, D},\n  booktitle = nips # {~2017},\n}\n",
    '@misc{k{n}, title = "Q {"} {n}", note = bare{n}}\n',
    "@article{k{n}, title = {unclosed {n}\n",
    "@article{k{n}, title = {x} y = {z}}\n",
    "@article{k1, title = {duplicate key}}\n",
    "% a comment line\n",
    "@string{nips = {NeurIPS}}\n",
    "@preamble{{\\newcommand{\\x}{y}}}\n",
    "@article{k{n}, abstract = {has\n@ an at line}}\n",
    "@article{k{n}, title = {a}, title = {b}}\n",
    "stray text @misc{k{n}, title = {t}}\n",
    "@book(k{n}, title = {paren})\n",
    "@article{k{n}, title = {\\{escaped\\} {n}}, year = 2001,}\n",
    "\n",
]


def test_random_files_built_from_awkward_pieces_read_the_same() -> None:
    rng = random.Random(7)
    for _ in range(400):
        pieces = rng.choices(_PIECES, k=rng.randint(1, 8))
        text = "".join(p.replace("{n}", str(rng.randint(0, 5))) for p in pieces)
        assert_same(text)
