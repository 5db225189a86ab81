"""Records survive storage exactly, whatever was decoded from their LaTeX."""

from __future__ import annotations

import json

import pytest

from paper_ls.index import codec
from paper_ls.model import Paper, Person
from paper_ls.sources.bibtex import records_from_text


@pytest.mark.parametrize(
    "bib",
    [
        "@article{a, title={Plain Title}, abstract={Plain abstract.}, author={Doe, Jane}}",
        "@article{a, title={Wrapped\n   Title}, abstract={Line one\n  line two.}}",
        "@article{a, title={{BERT}: Pre-training}, abstract={Up to 6\\% better, $O(n^2)$.},"
        ' author={M{\\"u}ller, Hans and {Barnes and Noble} and others}}',
        "@book{a, editor={Knuth, Donald E.}, title={The {\\TeX}book}}",
    ],
)
def test_round_trip(bib: str) -> None:
    (paper,) = [r for r in records_from_text(bib, "x.bib") if isinstance(r, Paper)]
    back = codec.decode(codec.encode(paper))
    assert back.title == paper.title
    assert back.abstract == paper.abstract
    assert back.authors == paper.authors
    assert back.fields == paper.fields
    assert codec.EncodedRecord(back).digest == codec.EncodedRecord(paper).digest


def test_typed_record_without_fields_round_trips() -> None:
    paper = Paper(key="k", title="T", abstract="A", authors=[Person("Li", "Wei", "Li, Wei")])
    back = codec.decode(codec.encode(paper))
    assert (back.title, back.abstract, back.authors) == ("T", "A", paper.authors)


def test_digests_are_those_of_the_standard_librarys_json() -> None:
    """Digests stored by versions that wrote JSON with the standard library must still match,
    or every record of every source would look changed on its next import."""
    paper = Paper(
        key="k",
        title='Control \x01 and "quotes" \\ tab\t, é, 中文, 😀, \u2028',
        authors=[Person("Müller", "Hans", 'M{\\"u}ller, Hans')],
        year=2020,
        fields={"note": "line\nbreak", "zeta": "last", "Ünïcode": "key"},
    )
    data = json.loads(codec._dumps(paper))
    stdlib = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    assert codec.EncodedRecord(paper).digest == codec.stable_hash(stdlib)
