"""Import and re-import: the index follows its sources exactly, one transaction at a time."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from paper_ls.errors import IndexStoreError, SourceError
from paper_ls.index.importer import add_source, list_sources, remove_source
from paper_ls.index.reader import find_paper, stats
from paper_ls.index.search import search
from paper_ls.index.store import SCHEMA_VERSION, Index

WriteBib = Callable[[str, str], Path]

TWO_ENTRIES = """
@article{smith2020graphs,
  author = {Smith, Ann and M{\\"u}ller, Hans},
  title = {Sparse Graphs and Their Spectra},
  journal = {Journal of Graph Theory},
  year = {2020},
  doi = {10.1000/graphs.2020}
}

@inproceedings{lee2019tokens,
  author = {Lee, Min},
  title = {Counting Tokens Quickly},
  booktitle = {Proceedings of ACL},
  year = 2019
}
"""


def keys_in(index: Index) -> set[str]:
    return {k for (k,) in index.conn.execute("SELECT key FROM papers")}


def touch_later(path: Path) -> None:
    """Make sure the file looks changed even on filesystems with coarse timestamps."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_import_stores_decoded_fields_and_provenance(index: Index, write_bib: WriteBib) -> None:
    path = write_bib("refs.bib", TWO_ENTRIES)
    report = add_source(index, path)
    assert (report.added, report.problems) == (2, [])
    stored = find_paper(index.conn, "smith2020graphs")
    assert stored is not None
    assert [a.family for a in stored.paper.authors] == ["Smith", "Müller"]
    assert stored.paper.venue == "Journal of Graph Theory"
    assert stored.paper.fields["author"] == 'Smith, Ann and M{\\"u}ller, Hans'
    assert stored.provenances[0].path == str(path.resolve())
    assert stored.provenances[0].line == 2


def test_reimport_updates_changes_and_drops_removed(index: Index, write_bib: WriteBib) -> None:
    path = write_bib("refs.bib", TWO_ENTRIES)
    add_source(index, path)
    changed = TWO_ENTRIES.replace("Counting Tokens Quickly", "Counting Tokens Slowly")
    changed = changed.split("@inproceedings")[0].replace("2020}", "2021}") + (
        "@inproceedings" + changed.split("@inproceedings")[1]
    )
    changed = changed.replace("@article{smith2020graphs", "@article{smith2021graphs")
    path.write_text(changed)
    touch_later(path)
    report = add_source(index, path)
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    assert keys_in(index) == {"smith2021graphs", "lee2019tokens"}
    assert search(index.conn, "slowly").hits[0].key == "lee2019tokens"
    assert search(index.conn, "quickly").hits == []
    assert stats(index.conn, index.path).papers == 2


def test_unchanged_file_is_skipped_without_reading(index: Index, write_bib: WriteBib) -> None:
    path = write_bib("refs.bib", TWO_ENTRIES)
    add_source(index, path)
    report = add_source(index, path)
    assert report.skipped
    assert stats(index.conn, index.path).records == 2


def test_same_file_twice_never_duplicates(index: Index, write_bib: WriteBib) -> None:
    path = write_bib("refs.bib", TWO_ENTRIES)
    add_source(index, path)
    report = add_source(index, path, force=True)
    assert (report.added, report.unchanged) == (0, 2)
    assert stats(index.conn, index.path).papers == 2


def test_malformed_entry_is_reported_and_the_rest_imported(
    index: Index, write_bib: WriteBib
) -> None:
    text = (
        TWO_ENTRIES.replace("year = 2019\n}", "year = 2019\n") + "\n@misc{after, title={After}}\n"
    )
    path = write_bib("broken.bib", "@misc{first, title={First}}\n" + text)
    report = add_source(index, path)
    assert "first" in keys_in(index)
    assert "smith2020graphs" in keys_in(index)
    assert len(report.problems) >= 1
    message = str(report.problems[0])
    assert message.startswith(f"{path.resolve()}:")
    assert "lee2019tokens" in message or "inproceedings" in message


def test_same_paper_from_two_sources_is_one_paper(index: Index, write_bib: WriteBib) -> None:
    mine = write_bib("mine.bib", TWO_ENTRIES)
    theirs = write_bib(
        "theirs.bib",
        """@article{other_key,
  author = {Smith, A.},
  title = {Sparse graphs and their spectra},
  year = {2020},
  abstract = {We bound the spectra of sparse graphs.},
  doi = {https://doi.org/10.1000/GRAPHS.2020}
}
""",
    )
    add_source(index, mine)
    add_source(index, theirs)
    assert stats(index.conn, index.path).papers == 2
    stored = find_paper(index.conn, "other_key")
    assert stored is not None
    assert stored.paper.key == "smith2020graphs"  # the first source names the key
    assert stored.paper.abstract == "We bound the spectra of sparse graphs."  # richer wins
    assert stored.paper.authors[0].given == "Ann"  # the fuller author list wins
    assert {p.path for p in stored.provenances} == {str(mine.resolve()), str(theirs.resolve())}
    assert search(index.conn, "spectra bound").hits[0].key == "smith2020graphs"


def test_title_and_year_match_merges_without_ids(index: Index, write_bib: WriteBib) -> None:
    add_source(index, write_bib("a.bib", "@misc{a1, title={On the Origin of Species}, year=1859}"))
    add_source(
        index,
        write_bib("b.bib", "@book{b1, title={On the {O}rigin of {S}pecies}, year={1859}}"),
    )
    assert stats(index.conn, index.path).papers == 1
    stored = find_paper(index.conn, "b1")
    assert stored is not None and stored.paper.entry_type == "book"


def test_removing_a_source_keeps_papers_other_sources_know(
    index: Index, write_bib: WriteBib
) -> None:
    mine = write_bib("mine.bib", TWO_ENTRIES)
    theirs = write_bib(
        "theirs.bib",
        "@article{x, title={Sparse Graphs and Their Spectra}, year=2020, "
        "abstract={Only here.}, doi={10.1000/graphs.2020}}\n"
        "@misc{solo, title={Only In Theirs}, year=2001}\n",
    )
    add_source(index, mine)
    add_source(index, theirs)
    assert remove_source(index, "theirs.bib") == 2
    assert keys_in(index) == {"smith2020graphs", "lee2019tokens"}
    stored = find_paper(index.conn, "smith2020graphs")
    assert stored is not None and stored.paper.abstract == ""
    assert search(index.conn, "only").hits == []
    assert [s.path for s in list_sources(index)] == [str(mine.resolve())]


def test_remove_unknown_source_says_so(index: Index) -> None:
    with pytest.raises(SourceError, match="no source"):
        remove_source(index, "nowhere.bib")


def test_failed_import_leaves_index_as_it_was(
    index: Index, write_bib: WriteBib, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_bib("refs.bib", TWO_ENTRIES)
    add_source(index, path)
    path.write_text(TWO_ENTRIES.replace("Sparse", "Dense"))
    touch_later(path)

    def disk_full(*_: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("paper_ls.index.writer.PaperWriter.flush_terms", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        add_source(index, path)
    assert search(index.conn, "sparse").hits[0].key == "smith2020graphs"
    assert search(index.conn, "dense").hits == []


def test_index_from_a_newer_version_is_refused(index_path: Path) -> None:
    with Index.open(index_path) as index:
        index.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(IndexStoreError, match="newer paper-ls"):
        Index.open(index_path)


def test_foreign_sqlite_file_is_not_taken_for_an_index(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(IndexStoreError, match="not a paper-ls index"):
        Index.open(path)


def test_keyless_records_get_scholar_keys(index: Index, write_bib: WriteBib) -> None:
    from paper_ls.index.keys import generate_key
    from paper_ls.model import Paper, Person

    paper = Paper(
        key="", title="Attention Is All You Need", year=2017, authors=[Person("Vaswani", "Ashish")]
    )
    taken = {"vaswani2017attention", "vaswani2017attentiona"}
    assert generate_key(paper, lambda k: False) == "vaswani2017attention"
    assert generate_key(paper, taken.__contains__) == "vaswani2017attentionb"
    accented = Paper(key="", title="The Łódź Data", year=2020, authors=[Person("Müller")])
    assert generate_key(accented, lambda k: False) == "muller2020lodz"


def test_shared_doi_with_different_titles_is_two_papers(index: Index, write_bib: WriteBib) -> None:
    """A proceedings' DOI copied onto each of its papers must not merge them."""
    bib = write_bib(
        "proc.bib",
        "@inproceedings{a, title={Sparse Graphs and Their Spectra}, doi={10.1/proc}, year=2020}\n"
        "@inproceedings{b, title={Counting Tokens Quickly}, doi={10.1/proc}, year=2020}\n",
    )
    add_source(index, bib)
    assert stats(index.conn, index.path).papers == 2
    assert keys_in(index) == {"a", "b"}


# --- batches: what a record sees of the records before it -------------------------------


def arxiv_line(
    arxiv_id: str, title: str, authors: str = "Wei Wang", doi: str = "", year: int = 2020
) -> str:
    return json.dumps(
        {
            "id": arxiv_id,
            "authors": authors,
            "title": title,
            "abstract": f"About {title.lower()}.",
            "doi": doi or None,
            "versions": [{"version": "v1", "created": f"Mon, 6 Jan {year} 10:00:00 GMT"}],
        }
    )


SNAPSHOT = [
    arxiv_line("2001.00001", "Deep Graphs for Everyone", doi="10.1/graphs"),
    arxiv_line("2001.00002", "Deep Graphs for Everyone, Extended", doi="10.1/graphs"),
    arxiv_line("2001.00003", "Deep Tokens Counted Quickly"),
    arxiv_line("2001.00004", "Deep Sparse Spectra of Graphs"),
    arxiv_line("2001.00005", "Deep Graphs for everyone"),  # same title and year as the first
    arxiv_line("2001.00006", "Deep Graphs for Everyone", authors=""),  # no authors: by title
    arxiv_line("2001.00007", "Deep Learning of Many Things"),
    arxiv_line("2001.00008", "Sparse Matrices in Practice"),
    # No authors, another year: found only through the full-text title index.
    arxiv_line("2001.00009", "Sparse Matrices in Practice", authors="", year=2021),
]


def papers_and_records(index: Index) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    papers = index.conn.execute("SELECT * FROM papers ORDER BY id").fetchall()
    records = index.conn.execute(
        "SELECT key, paper_id, line, digest FROM records ORDER BY key"
    ).fetchall()
    return papers, records


def test_records_join_papers_added_earlier_in_the_same_batch_or_before(
    tmp_path: Path, index: Index, write_bib: WriteBib, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("paper_ls.index.importer.BATCH", 3)
    # A key another source holds is skipped by the generated ones.
    add_source(index, write_bib("held.bib", "@misc{wang2020deepa, title={Held Elsewhere}}"))
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text("\n".join(SNAPSHOT) + "\n")
    report = add_source(index, snapshot)
    assert (report.added, report.problems) == (9, [])
    keys = [k for (k,) in index.conn.execute("SELECT key FROM records ORDER BY line")]
    assert keys[1:] == [
        "wang2020deep",
        "wang2020deepb",
        "wang2020deepc",
        "wang2020deepd",
        "wang2020deepe",
        "deep2020",  # no authors: title word and year
        "wang2020deepf",
        "wang2020sparse",
        "sparse2021",
    ]
    first = find_paper(index.conn, "wang2020deep")
    assert first is not None
    # The DOI twin (same batch), the title twin (next batch) and the authorless record
    # (matched by title alone) are all the first paper.
    assert sorted(Path(p.path).name for p in first.provenances) == ["snapshot.jsonl"] * 4
    assert stats(index.conn, index.path).papers == 1 + 5
    sparse = find_paper(index.conn, "sparse2021")
    assert sparse is not None and sparse.keys == ["wang2020sparse", "sparse2021"]


def test_the_batch_size_changes_nothing_in_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text("\n".join(SNAPSHOT * 3) + "\n")  # repeated ids and titles too
    bib = tmp_path / "refs.bib"
    bib.write_text(TWO_ENTRIES)
    results = []
    for batch in (1, 2, 5, 2000):
        monkeypatch.setattr("paper_ls.index.importer.BATCH", batch)
        with Index.open(tmp_path / f"batch-{batch}.sqlite3") as index:
            add_source(index, bib)
            report = add_source(index, snapshot)
            results.append(((report.added, len(report.problems)), papers_and_records(index)))
    assert all(result == results[0] for result in results[1:])
    assert results[0][0] == (27, 0)


def test_reimport_in_batches_updates_moves_and_drops(
    index: Index, write_bib: WriteBib, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("paper_ls.index.importer.BATCH", 2)
    entries = [
        f"@misc{{k{i}, title={{Title number {i} of the file}}, year=2020}}" for i in range(7)
    ]
    path = write_bib("refs.bib", "\n".join(entries) + "\n")
    add_source(index, path)
    entries[3] = entries[3].replace("number 3", "number three")
    del entries[5]
    entries.insert(0, "@misc{new, title={A New First Entry Here}, year=2021}")
    path.write_text("\n".join(entries) + "\n")
    touch_later(path)
    report = add_source(index, path)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 5)
    lines = dict(index.conn.execute("SELECT key, line FROM records").fetchall())
    assert lines == {"new": 1, "k0": 2, "k1": 3, "k2": 4, "k3": 5, "k4": 6, "k6": 7}
    assert [h.key for h in search(index.conn, "three").hits] == ["k3"]
    assert search(index.conn, "number 5").hits == [] or all(
        h.key != "k5" for h in search(index.conn, "number 5").hits
    )
    assert stats(index.conn, index.path).papers == 7


def test_a_generated_key_avoids_a_key_of_the_same_batch_in_another_case(
    tmp_path: Path, index: Index
) -> None:
    def item(title: str, **extra: object) -> dict[str, object]:
        return {
            "type": "article-journal",
            "title": title,
            "author": [{"family": "Smith", "given": "Ann"}],
            "issued": {"date-parts": [[2020]]},
            **extra,
        }

    library = tmp_path / "library.json"
    library.write_text(
        json.dumps([item("Deep Things Known", id="Smith2020Deep"), item("Deep Other Things")])
    )
    report = add_source(index, library, "csl-json")
    assert (report.added, report.problems) == (2, [])
    assert keys_in(index) == {"Smith2020Deep", "smith2020deepa"}
