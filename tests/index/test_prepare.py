"""A prepared record carries exactly the rows the writer would derive from the paper."""

from __future__ import annotations

import pytest

from paper_ls.bibtex.latex import fold
from paper_ls.index.keys import base_key
from paper_ls.index.prepare import prepare
from paper_ls.index.writer import _paper_row, author_text
from paper_ls.model import Paper, Person
from paper_ls.sources import Problem
from paper_ls.sources.bibtex import records_from_text

BIB = r"""
@article{m, author={M{\"u}ller, Hans and O'Brien, Pat and {Barnes and Noble}},
  title={{BERT}: Pre-training of Deep {\L}ukasz Models}, year=2019, doi={10.1/ABC},
  abstract={Up to 6\% better, $O(n^2)$.}, journal={Journal of Things}}
@misc{n, title={Untitled Notes}}
@book{o, editor={Knuth, Donald E.}, title={The {\TeX}book}, year=1984}
"""


def papers() -> list[Paper]:
    keyless = Paper(
        key="",
        title="Attention Is All You Need",
        year=2017,
        authors=[Person("Vaswani", "Ashish"), Person("van der Berg", "Jan")],
    )
    read = [r for r in records_from_text(BIB, "x.bib") if not isinstance(r, Problem)]
    return [*read, keyless]


@pytest.mark.parametrize("paper", papers(), ids=lambda p: p.key or "keyless")
def test_prepared_rows_are_the_writers(paper: Paper) -> None:
    prepared = prepare(paper)
    assert prepared.paper_row(paper.key) == _paper_row(paper)
    assert prepared.authors_text == author_text(paper)
    expected_terms = fold(paper.title).split() + [
        word for person in paper.authors for word in fold(person.family).split()
    ]
    assert prepared.terms.split() == expected_terms
    assert prepared.base_key == ("" if paper.key else base_key(paper))
    back = prepared.paper(key=paper.key or "generated2017key")
    assert (back.title, back.authors, back.abstract, back.fields) == (
        paper.title,
        paper.authors,
        paper.abstract,
        paper.fields,
    )
    assert back.key == (paper.key or "generated2017key")
