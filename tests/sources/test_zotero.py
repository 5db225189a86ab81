"""A Zotero library read from a copy: fields by name, creators in order, keys, WAL, trash."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from paper_ls.bibtex.render import render_entry
from paper_ls.index.importer import add_source
from paper_ls.index.reader import find_paper
from paper_ls.index.store import Index
from paper_ls.model import Paper
from paper_ls.sources import Problem, detect_format
from paper_ls.sources.zotero import read

#: Zotero 5-7's layout for the tables we read (from its `system.sql` and `userdata.sql`).
ZOTERO_SCHEMA = """
CREATE TABLE libraries (libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL,
    filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0, storageVersion INT NOT NULL
    DEFAULT 0, lastSync INT NOT NULL DEFAULT 0, archived INT NOT NULL DEFAULT 0);
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT,
    templateItemTypeID INT, display INT DEFAULT 1);
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE items (itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
    dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    libraryID INT NOT NULL, key TEXT NOT NULL, version INT NOT NULL DEFAULT 0,
    synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE itemNotes (itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT);
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT,
    contentType TEXT, charsetID INT, path TEXT, syncState INT DEFAULT 0,
    storageModTime INT, storageHash TEXT, lastProcessedModificationTime INT);
CREATE TABLE tags (tagID INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE itemTags (itemID INT NOT NULL, tagID INT NOT NULL, type INT NOT NULL,
    PRIMARY KEY (itemID, tagID));
CREATE TABLE creators (creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT,
    fieldMode INT, UNIQUE (lastName, firstName, fieldMode));
CREATE TABLE itemCreators (itemID INT NOT NULL, creatorID INT NOT NULL,
    creatorTypeID INT NOT NULL DEFAULT 1, orderIndex INT NOT NULL DEFAULT 0,
    PRIMARY KEY (itemID, orderIndex), UNIQUE (itemID, creatorID, creatorTypeID));
CREATE TABLE collections (collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL,
    parentCollectionID INT DEFAULT NULL,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL,
    key TEXT NOT NULL, version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0,
    UNIQUE (libraryID, key));
CREATE TABLE collectionItems (collectionID INT NOT NULL, itemID INT NOT NULL,
    orderIndex INT NOT NULL DEFAULT 0, PRIMARY KEY (collectionID, itemID));
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY,
    dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
"""
#: Deliberately not Zotero's numbering: the reader must join on names.
ITEM_TYPES = {
    "note": 31,
    "attachment": 32,
    "journalArticle": 40,
    "conferencePaper": 41,
    "bookSection": 42,
    "thesis": 43,
    "preprint": 44,
}
FIELDS = [
    "title",
    "abstractNote",
    "publicationTitle",
    "proceedingsTitle",
    "bookTitle",
    "date",
    "DOI",
    "url",
    "volume",
    "issue",
    "pages",
    "publisher",
    "university",
    "thesisType",
    "extra",
    "citationKey",
    "archiveID",
    "repository",
]
CREATOR_TYPES = {"author": 8, "editor": 9, "contributor": 10}


class Library:
    """Builds a Zotero database item by item, the way Zotero stores it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.executescript(ZOTERO_SCHEMA)
        conn.execute("INSERT INTO libraries VALUES (1, 'user', 1, 1, 0, 0, 0, 0)")
        conn.executemany(
            "INSERT INTO itemTypes (itemTypeID, typeName) VALUES (?, ?)",
            [(i, n) for n, i in ITEM_TYPES.items()],
        )
        conn.executemany(
            "INSERT INTO fields (fieldID, fieldName) VALUES (?, ?)",
            [(100 + 7 * i, n) for i, n in enumerate(FIELDS)],
        )
        conn.executemany(
            "INSERT INTO creatorTypes VALUES (?, ?)", [(i, n) for n, i in CREATOR_TYPES.items()]
        )
        self.next_item = 500

    def item(
        self,
        item_type: str,
        fields: dict[str, str],
        creators: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
        tags: list[str] = (),  # type: ignore[assignment]
        collections: list[str] = (),  # type: ignore[assignment]
    ) -> int:
        item_id = self.next_item
        self.next_item -= 3  # ids not in insertion order either
        key = hashlib.md5(str(item_id).encode()).hexdigest()[:8].upper()
        self.conn.execute(
            "INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, ?, 1, ?)",
            (item_id, ITEM_TYPES[item_type], key),
        )
        for name, value in fields.items():
            self.conn.execute("INSERT OR IGNORE INTO itemDataValues (value) VALUES (?)", (value,))
            (value_id,) = self.conn.execute(
                "SELECT valueID FROM itemDataValues WHERE value = ?", (value,)
            ).fetchone()
            (field_id,) = self.conn.execute(
                "SELECT fieldID FROM fields WHERE fieldName = ?", (name,)
            ).fetchone()
            self.conn.execute(
                "INSERT INTO itemData VALUES (?, ?, ?)", (item_id, field_id, value_id)
            )
        # Inserted in reverse so that only orderIndex gives the order.
        for order, (kind, first, last) in reversed(list(enumerate(creators))):
            mode = 1 if not first else 0
            self.conn.execute(
                "INSERT OR IGNORE INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, ?)",
                (first, last, mode),
            )
            (creator_id,) = self.conn.execute(
                "SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ?", (first, last)
            ).fetchone()
            self.conn.execute(
                "INSERT INTO itemCreators VALUES (?, ?, ?, ?)",
                (item_id, creator_id, CREATOR_TYPES[kind], order),
            )
        for tag in tags:
            self.conn.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (tag,))
            self.conn.execute(
                "INSERT INTO itemTags SELECT ?, tagID, 0 FROM tags WHERE name = ?", (item_id, tag)
            )
        for name in collections:
            row = self.conn.execute(
                "SELECT collectionID FROM collections WHERE collectionName = ?", (name,)
            ).fetchone()
            if row is None:
                self.conn.execute(
                    "INSERT INTO collections (collectionName, libraryID, key) VALUES (?, 1, ?)",
                    (name, name[:8].upper()),
                )
                row = self.conn.execute("SELECT last_insert_rowid()").fetchone()
            self.conn.execute("INSERT INTO collectionItems VALUES (?, ?, 0)", (row[0], item_id))
        return item_id


@pytest.fixture
def zotero_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "Zotero"
    directory.mkdir()
    return directory


@pytest.fixture
def library(zotero_dir: Path) -> Iterator[Library]:
    """A library in WAL mode whose connection stays open, as while Zotero runs."""
    conn = sqlite3.connect(zotero_dir / "zotero.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    yield Library(conn)
    conn.close()


def fill(lib: Library) -> dict[str, int]:
    ids = {}
    ids["article"] = lib.item(
        "journalArticle",
        {
            "title": "Sparse Graphs and Their Spectra",
            "publicationTitle": "Journal of Graphs",
            "date": "2020-05-00 May 2020",
            "DOI": "10.1000/graphs",
            "volume": "12",
            "issue": "3",
            "pages": "1-20",
            "citationKey": "smith2020sparse",
            "abstractNote": "We study graphs.",
        },
        [("author", "Ann", "Smith"), ("author", "Hans", "Müller"), ("editor", "Ed", "Itor")],
        tags=["graphs", "spectra"],
        collections=["Thesis", "Reading"],
    )
    ids["paper"] = lib.item(
        "conferencePaper",
        {
            "title": "Counting Tokens Quickly",
            "proceedingsTitle": "Proceedings of ACL",
            "date": "2019",
            "extra": "Citation Key: lee2019counting\ntex.note: x",
        },
        [("author", "", "World Health Organization"), ("author", "Min", "Lee")],
    )
    ids["chapter"] = lib.item(
        "bookSection",
        {
            "title": "A Chapter Without a Key",
            "bookTitle": "The Big Book",
            "date": "2018-01-00",
            "publisher": "Press",
        },
        [("author", "Jo", "Park")],
    )
    ids["preprint"] = lib.item(
        "preprint",
        {
            "title": "Attention Is All You Need",
            "date": "2017-06-12",
            "archiveID": "arXiv:1706.03762",
            "repository": "arXiv",
        },
        [("author", "Ashish", "Vaswani")],
    )
    ids["trashed"] = lib.item("journalArticle", {"title": "Deleted Paper About Trash"})
    lib.conn.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (ids["trashed"],))
    ids["note"] = lib.item("note", {})
    lib.conn.execute(
        "INSERT INTO itemNotes VALUES (?, ?, '<p>my note</p>', 'my note')",
        (ids["note"], ids["article"]),
    )
    ids["pdf"] = lib.item("attachment", {"title": "Full Text PDF"})
    lib.conn.execute(
        "INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path)"
        " VALUES (?, ?, 1, 'application/pdf', 'storage:x.pdf')",
        (ids["pdf"], ids["article"]),
    )
    return ids


def papers_of(path: Path) -> dict[str, Paper]:
    records = list(read(path))
    assert [r for r in records if isinstance(r, Problem)] == []
    return {r.title: r for r in records if isinstance(r, Paper)}


def test_items_fields_creators_tags_and_collections(library: Library, zotero_dir: Path) -> None:
    fill(library)
    found = papers_of(zotero_dir / "zotero.sqlite")
    assert set(found) == {
        "Sparse Graphs and Their Spectra",
        "Counting Tokens Quickly",
        "A Chapter Without a Key",
        "Attention Is All You Need",
    }
    article = found["Sparse Graphs and Their Spectra"]
    assert article.key == "smith2020sparse"
    assert [a.display() for a in article.authors] == ["Ann Smith", "Hans Müller"]
    assert (article.year, article.venue, article.doi) == (
        2020,
        "Journal of Graphs",
        "10.1000/graphs",
    )
    entry = render_entry(article)
    assert entry.startswith("@article{smith2020sparse,")
    for line in (
        "author   = {Smith, Ann and Müller, Hans},",
        "editor   = {Itor, Ed},",
        "journal  = {Journal of Graphs},",
        "volume   = {12},",
        "number   = {3},",
        "pages    = {1--20},",
        "month    = may,",
        "keywords = {graphs, spectra},",
    ):
        assert line in entry
    assert article.fields["groups"] == "Reading, Thesis"
    assert "groups" not in entry


def test_keys_come_from_zotero_then_better_bibtex_then_extra(
    library: Library, zotero_dir: Path
) -> None:
    ids = fill(library)
    bbt = sqlite3.connect(zotero_dir / "better-bibtex.sqlite")
    bbt.execute(
        "CREATE TABLE citationkey (itemID NOT NULL PRIMARY KEY, itemKey NOT NULL,"
        " libraryID NOT NULL, citationKey NOT NULL, pinned)"
    )
    bbt.executemany(
        "INSERT INTO citationkey VALUES (?, 'K', 1, ?, 0)",
        [(ids["article"], "ignoredBecauseZoteroHasOne"), (ids["chapter"], "park2018chapter")],
    )
    bbt.commit()
    bbt.close()
    found = papers_of(zotero_dir / "zotero.sqlite")
    assert found["Sparse Graphs and Their Spectra"].key == "smith2020sparse"
    assert found["A Chapter Without a Key"].key == "park2018chapter"
    paper = found["Counting Tokens Quickly"]
    assert (paper.key, paper.entry_type, paper.year) == ("lee2019counting", "inproceedings", 2019)
    assert [a.display() for a in paper.authors] == ["World Health Organization", "Min Lee"]
    assert "author    = {{World Health Organization} and Lee, Min}," in render_entry(paper)
    preprint = found["Attention Is All You Need"]
    assert (preprint.key, preprint.arxiv, preprint.entry_type) == ("", "1706.03762", "misc")


def test_reads_recent_writes_from_the_wal_and_leaves_the_live_file_alone(
    library: Library, zotero_dir: Path
) -> None:
    fill(library)
    database = zotero_dir / "zotero.sqlite"
    wal = Path(f"{database}-wal")
    assert wal.stat().st_size > 0  # the items live only in the write-ahead log so far
    before = (database.read_bytes(), wal.read_bytes())
    assert len(papers_of(database)) == 4
    assert (database.read_bytes(), wal.read_bytes()) == before
    assert not list(zotero_dir.glob("*.sqlite-journal"))


def test_import_through_the_index_with_a_generated_key(
    library: Library, zotero_dir: Path, index: Index
) -> None:
    fill(library)
    database = zotero_dir / "zotero.sqlite"
    assert detect_format(database) == "zotero"
    report = add_source(index, database)
    assert (report.added, report.problems) == (4, [])
    stored = find_paper(index.conn, "vaswani2017attention")
    assert stored is not None and stored.provenances[0].source == "zotero"
    # A write Zotero keeps in the WAL changes the source's stamp, so `add` re-reads it.
    library.item(
        "journalArticle",
        {"title": "A Later Addition to the Library", "date": "2024"},
        [("author", "Kim", "Young")],
    )
    again = add_source(index, database)
    assert (again.skipped, again.added, again.unchanged) == (False, 1, 4)


def test_not_a_zotero_database_is_one_clear_error(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(Exception, match="not a Zotero database"):
        list(read(other))


def test_a_better_bibtex_key_change_alone_is_seen_by_the_next_import(
    library: Library, zotero_dir: Path, index: Index
) -> None:
    ids = fill(library)
    database = zotero_dir / "zotero.sqlite"
    assert add_source(index, database).added == 4
    assert find_paper(index.conn, "park2018chapter") is not None  # generated
    bbt = sqlite3.connect(zotero_dir / "better-bibtex.sqlite")
    bbt.execute("CREATE TABLE citationkey (itemID PRIMARY KEY, citationKey)")
    bbt.execute("INSERT INTO citationkey VALUES (?, 'ParkChapter2018')", (ids["chapter"],))
    bbt.commit()
    bbt.close()
    report = add_source(index, database)
    assert (report.skipped, report.added, report.removed) == (False, 1, 1)
    assert find_paper(index.conn, "ParkChapter2018") is not None
