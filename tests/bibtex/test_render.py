"""Exported BibTeX: stable layout, nothing lost, and text that bibtex/biber accept."""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest

from paper_ls.bibtex.parse import RawEntry, parse_bibtex
from paper_ls.bibtex.render import render_entry
from paper_ls.model import Paper, Person
from paper_ls.sources.bibtex import paper_from_entry, records_from_text

#: Fields export leaves out on purpose: they only mean something in the file they came from.
DROPPED = {"crossref", "file", "owner", "timestamp", "groups", "ids"}

SAMPLE_TEXT = resources.files("paper_ls").joinpath("data/sample.bib").read_text("utf-8")
SAMPLE = parse_bibtex(SAMPLE_TEXT)


def paper_of(text: str) -> Paper:
    [record] = records_from_text(text, "in.bib")
    assert isinstance(record, Paper)
    return record


def reparse(rendered: str) -> RawEntry:
    parsed = parse_bibtex(rendered)
    assert parsed.failures == []
    [entry] = parsed.entries
    return entry


SCRAMBLED = """\
@InProceedings{k,
  Abstract  = {An abstract.},
  URL       = {https://example.org/k},
  file      = {:k.pdf:PDF},
  eprint    = {2101.00001},
  DOI       = {10.1/k},
  month     = jun,
  year      = 2021,
  booktitle = {Proc. of Things},
  crossref  = {proc},
  title     = {A {Title}},
  author    = {Doe, Jane},
  pages     = {1--2},
  zzextra   = {kept},
}
"""


def test_fields_come_out_in_a_stable_order_with_aligned_equals() -> None:
    assert render_entry(paper_of(SCRAMBLED)) == (
        "@inproceedings{k,\n"
        "  author    = {Doe, Jane},\n"
        "  title     = {A {Title}},\n"
        "  booktitle = {Proc. of Things},\n"
        "  pages     = {1--2},\n"
        "  year      = {2021},\n"
        "  month     = jun,\n"
        "  doi       = {10.1/k},\n"
        "  eprint    = {2101.00001},\n"
        "  url       = {https://example.org/k},\n"
        "  abstract  = {An abstract.},\n"
        "  zzextra   = {kept},\n"
        "}\n"
    )


@pytest.mark.parametrize("name", sorted(DROPPED))
def test_file_specific_fields_are_dropped(name: str) -> None:
    paper = paper_of(f"@article{{k, title = {{T}}, {name} = {{value}}}}\n")
    assert render_entry(paper) == "@article{k,\n  title = {T},\n}\n"


def test_empty_fields_are_dropped() -> None:
    paper = paper_of("@article{k, title = {T}, note = {}, pages = { }}\n")
    assert render_entry(paper) == "@article{k,\n  title = {T},\n}\n"


def test_fields_inherited_through_crossref_are_written_out() -> None:
    text = (
        "@inproceedings{c, title = {C}, crossref = {p}}\n"
        "@proceedings{p, title = {Proc}, year = 2000, doi = {10.1/p}}\n"
    )
    child = next(r for r in records_from_text(text, "in.bib") if isinstance(r, Paper))
    fields = reparse(render_entry(child)).fields
    assert fields == {"title": "C", "booktitle": "Proc", "year": "2000"}


@pytest.mark.parametrize(
    ("written", "rendered"),
    [
        ("jun", "  month = jun,"),
        ("{JUN}", "  month = jun,"),
        ("{June}", "  month = {June},"),
        ("6", "  month = {6},"),
    ],
)
def test_month_macros_are_written_bare(written: str, rendered: str) -> None:
    paper = paper_of(f"@article{{k, month = {written}}}\n")
    assert rendered in render_entry(paper).splitlines()


def test_another_key_can_be_given() -> None:
    rendered = render_entry(paper_of("@article{k, title = {T}}\n"), key="other2020")
    assert rendered.startswith("@article{other2020,\n")


# --- round trip ----------------------------------------------------------------------------


def test_the_sample_library_is_what_the_round_trip_covers() -> None:
    assert len(SAMPLE.entries) == 49
    assert SAMPLE.failures == []


@pytest.mark.parametrize("entry", SAMPLE.entries, ids=[e.key for e in SAMPLE.entries])
def test_sample_entries_round_trip(entry: RawEntry) -> None:
    rendered = render_entry(paper_from_entry(entry, "sample.bib"))
    again = reparse(rendered)
    assert (again.key, again.entry_type) == (entry.key, entry.entry_type)
    expected = {n: v for n, v in entry.fields.items() if n not in DROPPED and v.strip()}
    assert again.fields == expected
    assert braces_balance_for_bibtex(rendered)
    # Rendering what was rendered changes nothing: exports are stable.
    assert render_entry(paper_from_entry(again, "out.bib")) == rendered


def test_a_paper_known_only_by_typed_attributes_is_escaped() -> None:
    paper = Paper(
        key="x",
        title="50% of R&D_costs",
        authors=[Person("Müller", "Hans")],
        year=2020,
        arxiv="2101.00001",
    )
    rendered = render_entry(paper)
    assert rendered == (
        "@misc{x,\n"
        "  author        = {Müller, Hans},\n"
        "  title         = {50\\% of R\\&D\\_costs},\n"
        "  year          = {2020},\n"
        "  eprint        = {2101.00001},\n"
        "  archiveprefix = {arXiv},\n"
        "}\n"
    )
    back = paper_of(rendered)
    assert (back.title, back.year, back.arxiv) == ("50% of R&D_costs", 2020, "2101.00001")
    assert [(a.family, a.given) for a in back.authors] == [("Müller", "Hans")]


def braces_balance_for_bibtex(rendered: str) -> bool:
    """bibtex and biber count every brace, escaped (`\\{`) or not, when reading a value."""
    depth = 0
    for char in rendered:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def test_typed_values_with_braces_and_backslashes_survive() -> None:
    title = "Sets {a, b} and C:\\path"
    abstract = "{x} ~ y #1 costs $5 & 50% of a_b"
    rendered = render_entry(Paper(key="y", title=title, abstract=abstract))
    assert braces_balance_for_bibtex(rendered)
    back = paper_of(rendered)
    assert (back.title, back.abstract) == (title, abstract)


def test_lone_braces_are_spelled_out_so_bibtex_can_read_the_entry() -> None:
    rendered = render_entry(Paper(key="y", title="a } b {", year=2001))
    assert braces_balance_for_bibtex(rendered)
    back = reparse(rendered)
    assert back.fields == {"title": "a \\textbraceright{} b \\textbraceleft{}", "year": "2001"}


@pytest.mark.parametrize("text", ["a } b {", "z^2"])
def test_spelled_out_characters_read_back_as_typed(text: str) -> None:
    assert paper_of(render_entry(Paper(key="y", title=text))).title == text


@pytest.mark.parametrize(
    "person",
    [
        Person("Barnes and Noble"),
        Person("World Health Organization"),
        Person("van der Berg", "Jan"),
        Person("Smith, Jr.", "John"),
        Person("O'Neil & Sons", "A. B."),
    ],
    ids=str,
)
def test_typed_authors_come_back_as_the_same_people(person: Person) -> None:
    other = Person("Doe", "Jane")
    back = paper_of(render_entry(Paper(key="z", authors=[person, other])))
    assert [(a.family, a.given) for a in back.authors] == [
        (person.family, person.given),
        ("Doe", "Jane"),
    ]


def test_typed_values_do_not_override_original_fields() -> None:
    paper = paper_of("@article{k, title = {The {LaTeX} Title}, doi = {doi:10.1/K}}\n")
    rendered = render_entry(paper)
    assert "  title = {The {LaTeX} Title}," in rendered
    assert "  doi   = {doi:10.1/K}," in rendered


def test_date_without_year_does_not_get_a_year_added() -> None:
    rendered = render_entry(paper_of("@online{k, date = {2020-06-11}}\n"))
    assert "year" not in rendered
    assert "  date = {2020-06-11}," in rendered


# --- real tools --------------------------------------------------------------------------

BIBTEX = shutil.which("bibtex")
BIBER = shutil.which("biber")


def _sample_export() -> str:
    return "\n".join(render_entry(paper_from_entry(e, "sample.bib")) for e in SAMPLE.entries)


@pytest.mark.skipif(BIBTEX is None, reason="bibtex is not installed")
def test_bibtex_accepts_the_export(tmp_path: Path) -> None:
    assert BIBTEX is not None
    (tmp_path / "refs.bib").write_text(_sample_export(), encoding="utf-8")
    (tmp_path / "doc.aux").write_text(
        "\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n", encoding="utf-8"
    )
    result = subprocess.run(
        [BIBTEX, "doc"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    log = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, result.stdout + log
    assert "error message" not in log, log


@pytest.mark.skipif(BIBER is None, reason="biber is not installed")
def test_biber_accepts_the_export(tmp_path: Path) -> None:
    assert BIBER is not None
    (tmp_path / "refs.bib").write_text(_sample_export(), encoding="utf-8")
    result = subprocess.run(
        [BIBER, "--tool", "--validate-datamodel", "refs.bib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout, result.stdout
