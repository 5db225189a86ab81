"""Property tests: whatever a CSL-JSON, arXiv, Hugging Face, listing or Zotero file holds,
reading and importing it ends with papers and located problems, or one clear error.

Values of every JSON type go where the format expects a string, a list or a date; fields go
missing; Zotero databases come with other schemas and with values of the wrong SQLite type.
An exception other than `PaperLsError` (the one that `paper-ls` turns into a clear message)
fails the test, as does a paper whose displayed fields are not text.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paper_ls.errors import PaperLsError
from paper_ls.index.importer import add_source
from paper_ls.index.store import Index
from paper_ls.model import Paper
from paper_ls.sources import Problem, reader_for
from tests.sources.test_zotero import ZOTERO_SCHEMA, Library

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def objects_with(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects with some of the format's keys, each holding any JSON value."""
    return st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys))


CSL_KEYS = ["id", "type", "title", "author", "editor", "issued", "DOI", "URL", "abstract",
            "container-title", "citation-key", "page", "volume", "issue", "publisher", "note",
            "literal", "family", "given", "date-parts"]  # fmt: skip
ARXIV_KEYS = ["id", "submitter", "authors", "title", "comments", "journal-ref", "doi",
              "report-no", "categories", "license", "abstract", "versions", "update_date",
              "authors_parsed"]  # fmt: skip
HF_KEYS = ["paper", "id", "title", "summary", "authors", "publishedAt", "name", "upvotes"]

#: Readable fragments of a copied paper listing, mixed at random.
LISTING_LINES = ["", "Title of a Paper on Graphs", "Abstract: we study graphs.", "Sep 25",
                 "Sep 25, 2024", "Authors: A. Smith, B. Jones", "arXiv:2401.01234",
                 "Submitted on 3 Jan 2024", "·", "▲ 12", "x" * 200, "\x00", "é中文🙂"]  # fmt: skip


def check_outcome(path: Path, format_name: str) -> None:
    """Read the file, then import it into a fresh index: results or one clear error."""
    try:
        records = list(reader_for(format_name)(path))
    except PaperLsError:
        return
    for record in records:
        assert isinstance(record, Paper | Problem)
        if isinstance(record, Paper):
            assert all(isinstance(v, str) for v in (record.key, record.title, record.venue,
                                                    record.abstract, record.doi))  # fmt: skip
            assert all(isinstance(a.family, str) and isinstance(a.given, str)
                       for a in record.authors)  # fmt: skip
            assert record.year is None or isinstance(record.year, int)
    with tempfile.TemporaryDirectory() as tmp, Index.open(Path(tmp) / "index.sqlite3") as index:
        try:
            report = add_source(index, path, format_name)
        except PaperLsError:
            return
        papers = index.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        assert report.entries >= papers


fuzz = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@fuzz
@given(st.lists(objects_with(CSL_KEYS) | json_values, max_size=6))
def test_csl_json_with_any_values(tmp_path: Path, items: list[Any]) -> None:
    path = tmp_path / "library.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    check_outcome(path, "csl-json")


def with_id(record: dict[str, Any]) -> dict[str, Any]:
    """Most lines get a real id, so that the rest of the record is read, not refused."""
    return {**record, "id": "2401.00001"}


@fuzz
@given(st.lists(objects_with(ARXIV_KEYS).map(with_id) | objects_with(ARXIV_KEYS) | json_values,
                max_size=6))  # fmt: skip
def test_arxiv_lines_with_any_values(tmp_path: Path, records: list[Any]) -> None:
    path = tmp_path / "arxiv-metadata.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    check_outcome(path, "arxiv")


@fuzz
@given(st.lists(objects_with(HF_KEYS) | json_values, max_size=6))
def test_hugging_face_with_any_values(tmp_path: Path, items: list[Any]) -> None:
    path = tmp_path / "daily_papers.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    check_outcome(path, "huggingface")


@fuzz
@given(st.lists(st.sampled_from(LISTING_LINES) | st.text(max_size=40), max_size=30))
def test_listings_of_any_lines(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "listing.txt"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    check_outcome(path, "listing")


sqlite_values = (
    st.none() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False)
    | st.text(max_size=20) | st.binary(max_size=20)
)  # fmt: skip


@fuzz
@given(st.lists(st.tuples(st.sampled_from(["creators", "itemData", "itemDataValues",
                                           "items", "tags", "collections"]),
                          st.lists(sqlite_values, min_size=5, max_size=5)),
                max_size=12))  # fmt: skip
def test_zotero_with_values_of_any_type(
    tmp_path: Path, rows: list[tuple[str, list[object]]]
) -> None:
    """The real schema, with a good item and rows whose values have any SQLite type."""
    path = tmp_path / "zotero.sqlite"
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as conn:
        library = Library(conn)
        library.item("journalArticle", {"title": "A Good Paper", "date": "2020"},
                     [("author", "Ann", "Smith")])  # fmt: skip
        for table, values in rows:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            count = min(len(columns), len(values))
            marks = ",".join("?" * count)
            try:
                conn.execute(f"INSERT OR IGNORE INTO {table} ({','.join(columns[:count])})"
                             f" VALUES ({marks})", values[:count])  # fmt: skip
            except sqlite3.IntegrityError:
                continue  # a rowid must be an integer: SQLite itself refuses the row
    check_outcome(path, "zotero")


OTHER_SCHEMAS = {
    "empty database": "",
    "items without itemTypeID": "CREATE TABLE items (itemID INTEGER PRIMARY KEY, key TEXT);",
    "fields table missing": ZOTERO_SCHEMA.replace("CREATE TABLE fields ", "CREATE TABLE gone "),
    "creators renamed columns": ZOTERO_SCHEMA.replace("lastName", "surname"),
}


@pytest.mark.parametrize("schema", OTHER_SCHEMAS.values(), ids=OTHER_SCHEMAS.keys())
def test_zotero_database_with_another_schema_is_one_clear_error(
    tmp_path: Path, schema: str
) -> None:
    path = tmp_path / "zotero.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(schema)
    with pytest.raises(PaperLsError, match="not a Zotero database"):
        list(reader_for("zotero")(path))


def test_zotero_path_that_is_not_sqlite_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "zotero.sqlite"
    path.write_bytes(b"this is not a database\x00" * 100)
    with pytest.raises(PaperLsError):
        list(reader_for("zotero")(path))
