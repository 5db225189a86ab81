"""BibTeX files as a source: what a person sees of each entry, and of each broken one."""

from __future__ import annotations

from pathlib import Path

import pytest

from paper_ls.bibtex.parse import parse_bibtex
from paper_ls.errors import SourceError
from paper_ls.model import Paper, Person, Provenance
from paper_ls.sources import Problem, Record
from paper_ls.sources.bibtex import paper_from_entry, read, records_from_text


def write(tmp_path: Path, text: str, name: str = "refs.bib", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def papers(records: list[Record]) -> list[Paper]:
    return [r for r in records if isinstance(r, Paper)]


def one_paper(body: str, entry_type: str = "article") -> Paper:
    """The paper read from one entry with the given fields."""
    [record] = records_from_text(f"@{entry_type}{{k,\n{body}\n}}\n", "refs.bib")
    assert isinstance(record, Paper)
    return record


# --- the file as a whole -----------------------------------------------------------------

MIXED = """\
@article{first,
  title = {First}
}

@article{broken,
  title = {Never closed

@article{second,
  title = {Second}
}
@article{first,
  title = {Again}
}
@article{third, title = {Third}}
"""


def test_problems_come_interleaved_in_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, MIXED)
    records = list(read(path))
    kinds = [r.key if isinstance(r, Paper) else f"problem@{r.line}" for r in records]
    assert kinds == ["first", "problem@5", "second", "problem@11", "third"]


def test_problem_text_is_path_line_reason(tmp_path: Path) -> None:
    path = write(tmp_path, MIXED)
    problems = [r for r in read(path) if isinstance(r, Problem)]
    assert [str(p) for p in problems] == [
        f"{path}:5: {problems[0].message}",
        f"{path}:11: duplicate key 'first' (first defined at line 1); this entry is skipped",
    ]
    assert "broken" in problems[0].message


def test_provenance_points_at_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, MIXED)
    third = papers(list(read(path)))[-1]
    assert third.provenance == Provenance("bibtex", str(path), 14)


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(read(tmp_path / "absent.bib"))


def test_a_directory_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory"):
        list(read(tmp_path))


def test_plain_text_is_not_taken_for_bibtex(tmp_path: Path) -> None:
    path = write(tmp_path, "Just some notes.\nNo entries here, {not} one.\n", "notes.txt")
    with pytest.raises(SourceError, match=r"not a BibTeX file \(no @entries found\)"):
        list(read(path))


@pytest.mark.parametrize("text", ["", "\n\n", "% only a comment @ here\n"])
def test_an_empty_bib_file_gives_no_records(tmp_path: Path, text: str) -> None:
    assert list(read(write(tmp_path, text))) == []


def test_latin1_file_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path, "@article{k, author = {Müller, Jürgen}, title = {Über}}\n", encoding="latin-1"
    )
    [paper] = papers(list(read(path)))
    assert paper.title == "Über"
    assert paper.authors == [Person("Müller", "Jürgen", "Müller, Jürgen")]


def test_utf8_file_with_bom_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff@article{k, title = {Ångström}}\n")
    [paper] = papers(list(read(path)))
    assert (paper.key, paper.title) == ("k", "Ångström")


# --- decoded text and original fields ----------------------------------------------------


def test_text_is_decoded_and_fields_keep_the_latex() -> None:
    paper = one_paper(
        '  author = {M{\\"u}ller, Hans and Kaiser, {\\L}ukasz},\n'
        '  title = {{BERT} and the {\\"U}ber--Model},\n'
        "  journal = {Journal of {\\AA}rhus},\n"
        "  abstract = {Costs fell by 5\\% --- see {R\\&D}.}"
    )
    assert paper.title == "BERT and the Über\u2013Model"  # en dash
    assert [(a.family, a.given) for a in paper.authors] == [
        ("Müller", "Hans"),
        ("Kaiser", "Łukasz"),
    ]
    assert paper.authors[1].raw == "Kaiser, {\\L}ukasz"
    assert paper.venue == "Journal of Århus"
    assert paper.abstract == "Costs fell by 5% — see R&D."
    assert paper.fields["title"] == '{BERT} and the {\\"U}ber--Model'
    assert paper.fields["author"] == 'M{\\"u}ller, Hans and Kaiser, {\\L}ukasz'


def test_names_with_particles_suffixes_and_braces() -> None:
    paper = one_paper(
        "  author = {van der Berg, Jan and Smith, Jr., John and {Barnes and Noble} and others}"
    )
    assert [(a.family, a.given) for a in paper.authors] == [
        ("van der Berg", "Jan"),
        ("Smith, Jr.", "John"),
        ("Barnes and Noble", ""),
    ]


def test_editors_stand_in_when_there_is_no_author() -> None:
    paper = one_paper("  editor = {Knuth, Donald E. and Others},\n  title = {T}", "book")
    assert [(a.family, a.given) for a in paper.authors] == [("Knuth", "Donald E.")]


def test_authors_are_preferred_to_editors() -> None:
    paper = one_paper("  author = {Doe, Jane},\n  editor = {Roe, Richard}", "incollection")
    assert [a.family for a in paper.authors] == ["Doe"]


def test_macros_and_crossref_reach_the_paper() -> None:
    text = (
        '@string{acl = "Association for Computational Linguistics"}\n'
        "@inproceedings{child, title = {Child}, crossref = {proc}}\n"
        "@proceedings{proc, title = {Proc. of {ACL}}, publisher = acl, year = 2019}\n"
    )
    child = papers(list(records_from_text(text, "x.bib")))[0]
    assert (child.venue, child.year) == ("Proc. of ACL", 2019)
    assert child.fields["publisher"] == "Association for Computational Linguistics"


# --- year ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "year"),
    [
        ("year = 2017", 2017),
        ("year = {2017}", 2017),
        ("date = {2020-06-11}", 2020),
        ("date = {2020/2021}", 2020),
        ("year = 2019, date = {2020-01}", 2019),
        ("year = {in press}", None),
        ("title = {No year}", None),
    ],
)
def test_year(body: str, year: int | None) -> None:
    assert one_paper(body).year == year


# --- venue ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "venue"),
    [
        ("journal = {J}, booktitle = {B}, publisher = {P}", "J"),
        ("journaltitle = {JT}, publisher = {P}", "JT"),
        ("booktitle = {B}, publisher = {P}, organization = {O}", "B"),
        ("publisher = {P}, school = {S}", "P"),
        ("school = {MIT}", "MIT"),
        ("institution = {CERN}", "CERN"),
        ("howpublished = {Blog post}", "Blog post"),
        ("title = {Nothing else}", ""),
    ],
)
def test_venue_precedence(body: str, venue: str) -> None:
    assert one_paper(body).venue == venue


# --- identifiers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "arxiv"),
    [
        ("eprint = {1706.03762}", "1706.03762"),
        ("eprint = {1706.03762v5}, archiveprefix = {arXiv}", "1706.03762"),
        ("eprint = {1706.03762}, eprinttype = {arxiv}", "1706.03762"),
        ("eprint = {arXiv:1706.03762}", "1706.03762"),
        ("eprint = {hep-th/9901001}, archivePrefix = {arXiv}", "hep-th/9901001"),
        ("eprint = {math.GT/0309136}", "math.GT/0309136"),
        ("url = {https://arxiv.org/abs/1706.03762v2}", "1706.03762"),
        ("url = {http://arxiv.org/pdf/1706.03762.pdf}", "1706.03762"),
        ("journal = {arXiv preprint arXiv:1706.03762}", "1706.03762"),
        ("journal = {{arXiv} preprint {arXiv}:1706.03762}", "1706.03762"),
        ("journal = {CoRR}, volume = {abs/1706.03762}", "1706.03762"),
        ("journal = {CoRR abs/1706.03762}", "1706.03762"),
        ("eprint = {12345678}, eprinttype = {pubmed}", ""),
        ("journal = {Nature}, volume = {521}", ""),
    ],
)
def test_arxiv_id(body: str, arxiv: str) -> None:
    assert one_paper(body).arxiv == arxiv


@pytest.mark.parametrize(
    ("written", "doi"),
    [
        ("10.1038/nature14539", "10.1038/nature14539"),
        ("https://doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("http://dx.doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("https://www.doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("doi:10.1038/nature14539", "10.1038/nature14539"),
        ("DOI: 10.1038/nature14539", "10.1038/nature14539"),
        ("  10.1038/nature14539  ", "10.1038/nature14539"),
        ("10.1145/3292500.3330701\\_x", "10.1145/3292500.3330701_x"),
    ],
)
def test_doi_is_normalised(written: str, doi: str) -> None:
    paper = one_paper(f"doi = {{{written}}}")
    assert paper.doi == doi
    assert paper.fields["doi"] == written  # the original stays for export


def test_paper_from_entry_maps_a_parsed_entry() -> None:
    [entry] = parse_bibtex(
        "@Online{k,\n  title = {T},\n  date = {2021},\n  url = { u }\n}\n"
    ).entries
    paper = paper_from_entry(entry, "lib.bib")
    assert (paper.key, paper.entry_type, paper.title, paper.year) == ("k", "online", "T", 2021)
    assert paper.url == "u"
    assert paper.provenance == Provenance("bibtex", "lib.bib", 1)
    assert paper.fields is not entry.fields  # a copy: the paper owns its fields
