"""CSL-JSON as Zotero and Pandoc export it: names, partial dates, types, BibTeX export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paper_ls.bibtex.parse import parse_bibtex
from paper_ls.bibtex.render import render_entry
from paper_ls.index.importer import add_source
from paper_ls.index.reader import find_paper
from paper_ls.index.store import Index
from paper_ls.model import Paper
from paper_ls.sources import Problem, detect_format
from paper_ls.sources.csl_json import read

EXPORT = [
    {
        "id": "http://zotero.org/users/local/AbCd1234/items/QWERTY12",
        "type": "article-journal",
        "title": "Global report on hypertension & its 100% preventable causes",
        "author": [{"literal": "World Health Organization"}],
        "container-title": "Bulletin of the WHO",
        "volume": "98",
        "issue": 3,
        "page": "150-162",
        "issued": {"date-parts": [[2020, 3]]},
        "DOI": "https://doi.org/10.2471/BLT.19.000000",
        "URL": "https://example.org/who",
        "abstract": "A report.",
    },
    {
        "id": "beethoven1810music",
        "type": "paper-conference",
        "title": "On Music and Particles",
        "author": [
            {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
            {"family": "La Fontaine", "given": "Jean", "dropping-particle": "de"},
            {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        ],
        "container-title": "Proceedings of the Society",
        "issued": {"date-parts": [["1810"]]},
        "note": "Some remark",
    },
    {
        "id": "x",
        "citation-key": "smith2019chapter",
        "type": "chapter",
        "title": "A Chapter",
        "author": [{"family": "Smith", "given": "Ann"}],
        "editor": [{"family": "Editor", "given": "Ed"}],
        "container-title": "The Big Book",
        "publisher": "Press",
        "issued": {"raw": "2019-05-02"},
    },
    {
        "id": "lee-thesis",
        "type": "thesis",
        "genre": "Master's thesis",
        "title": "Counting Things",
        "author": [{"family": "Lee", "given": "Min"}],
        "publisher": "Some University",
        "issued": {"literal": "Spring 2018"},
    },
    {
        "id": "ITEMKEY1",
        "type": "report",
        "title": "Untitled Trends in Reports",
        "author": [{"family": "Doe", "given": "Jane"}],
        "publisher": "Institute",
        "issued": {"date-parts": [[]]},
        "note": "Citation Key: doe2017trends\nother: value",
    },
]


@pytest.fixture
def export_path(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    path.write_text(json.dumps(EXPORT, indent=2), encoding="utf-8")
    return path


def read_papers(path: Path) -> list[Paper]:
    records = list(read(path))
    assert all(isinstance(r, Paper) for r in records), records
    # In file order (items with their own keys come first from the reader).
    papers = [r for r in records if isinstance(r, Paper)]
    return sorted(papers, key=lambda p: p.provenance.line if p.provenance else 0)


def test_literal_author_partial_date_and_doi(export_path: Path) -> None:
    who = read_papers(export_path)[0]
    assert who.key == ""  # a Zotero URI is no citation key: the index generates one
    assert who.entry_type == "article"
    assert [a.display() for a in who.authors] == ["World Health Organization"]
    assert (who.year, who.venue, who.doi) == (2020, "Bulletin of the WHO", "10.2471/BLT.19.000000")
    assert who.provenance is not None and who.provenance.line == 2
    entry = render_entry(who, "who2020global")
    assert entry.startswith("@article{who2020global,")
    assert "author   = {{World Health Organization}}," in entry
    assert "journal  = {Bulletin of the WHO}," in entry
    assert "number   = {3}," in entry
    assert "pages    = {150--162}," in entry
    assert "month    = mar," in entry
    assert r"title    = {Global report on hypertension \& its 100\% preventable causes}," in entry


def test_particles_and_suffix_survive_export(export_path: Path) -> None:
    paper = read_papers(export_path)[1]
    assert paper.key == "beethoven1810music"
    assert paper.entry_type == "inproceedings"
    assert paper.year == 1810
    assert [a.display() for a in paper.authors] == [
        "Ludwig van Beethoven",
        "Jean de La Fontaine",
        "Martin Luther King",
    ]
    entry = render_entry(paper)
    assert (
        "author    = {van Beethoven, Ludwig and de La Fontaine, Jean and King, Jr., Martin Luther},"
        in entry
    )
    assert "booktitle = {Proceedings of the Society}," in entry
    assert "note      = {Some remark}," in entry
    # The exported entry reads back as the same people.
    parsed = parse_bibtex(entry).entries[0]
    assert parsed.fields["author"].count(" and ") == 2


def test_types_map_to_bibtex_entry_types(export_path: Path) -> None:
    chapter, thesis, report = read_papers(export_path)[2:]
    assert (chapter.key, chapter.entry_type, chapter.year) == (
        "smith2019chapter",
        "incollection",
        2019,
    )
    entry = render_entry(chapter)
    assert "booktitle = {The Big Book}," in entry
    assert "author    = {Smith, Ann}," in entry
    assert "editor    = {Editor, Ed}," in entry
    assert "publisher = {Press}," in entry
    assert (thesis.entry_type, thesis.year) == ("mastersthesis", 2018)
    assert "school = {Some University}," in render_entry(thesis)
    assert (report.key, report.entry_type, report.year) == ("doe2017trends", "techreport", None)
    assert "institution = {Institute}," in render_entry(report)
    assert "Citation Key" not in render_entry(report)


def test_malformed_json_is_a_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"type": "book", "title": "A"},\n  {"type": "book", "title": }\n]\n')
    records = list(read(path))
    assert len(records) == 1
    assert isinstance(records[0], Problem)
    assert str(records[0]).startswith(f"{path}:3: not valid JSON")


def test_an_item_that_is_not_an_object_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    path.write_text('[\n  "stray",\n  {"id": "ok2020", "type": "book", "title": "Fine"}\n]\n')
    first, second = list(read(path))
    assert first == Problem(str(path), 2, "a CSL item must be a JSON object")
    assert isinstance(second, Paper) and second.key == "ok2020" and second.entry_type == "book"


def test_detected_and_imported_with_a_generated_key(export_path: Path, index: Index) -> None:
    assert detect_format(export_path) == "csl-json"
    report = add_source(index, export_path)
    assert (report.added, report.problems) == (5, [])
    stored = find_paper(index.conn, "organization2020global")
    assert stored is not None
    assert stored.paper.title.startswith("Global report on hypertension")
    assert stored.provenances[0].source == "csl-json"


def test_a_generated_key_never_takes_an_items_own_key(tmp_path: Path, index: Index) -> None:
    keyless = {
        "type": "book",
        "title": "Graphs",
        "author": [{"family": "Smith", "given": "A"}],
        "issued": {"date-parts": [[2020]]},
    }
    own = {**keyless, "id": "smith2020graphs", "title": "Graphs, Second Edition"}
    path = tmp_path / "library.json"
    path.write_text(json.dumps([keyless]))
    add_source(index, path)
    assert find_paper(index.conn, "smith2020graphs") is not None
    # The item that owns the key arrives after the one whose key was generated as the same.
    path.write_text(json.dumps([keyless, own]))
    report = add_source(index, path, force=True)
    assert report.problems == []
    keys = {k: t for k, t in index.conn.execute("SELECT key, title FROM papers")}
    assert keys == {"smith2020graphs": "Graphs, Second Edition", "smith2020graphsa": "Graphs"}
    again = add_source(index, path, force=True)
    assert (again.added, again.removed, again.unchanged) == (0, 0, 2)
