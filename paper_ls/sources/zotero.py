"""A Zotero library (`zotero.sqlite`) as a source of papers, read without disturbing Zotero.

Zotero keeps its database open with an exclusive lock and holds recent writes in the
`-wal` file, so we copy the database and its write-ahead log to a temporary directory and
read the copy; the live file is never opened. Fields are joined by their names (`title`,
`publicationTitle`...), never by numeric ids, which differ between Zotero versions.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from paper_ls.errors import SourceError
from paper_ls.model import Paper, Person, Provenance
from paper_ls.sources import Problem, Reader, ReadOptions, Record, reading
from paper_ls.sources.bibtex import arxiv_id_of, normalise_doi
from paper_ls.sources.plain import (
    add_people_fields,
    collapse,
    latex_field,
    month_macro,
    pages_field,
    usable_key,
)

SOURCE_KIND = "zotero"
BETTER_BIBTEX_DB = "better-bibtex.sqlite"

#: Zotero item type -> BibTeX entry type.
ENTRY_TYPES = {
    "journalArticle": "article",
    "magazineArticle": "article",
    "newspaperArticle": "article",
    "conferencePaper": "inproceedings",
    "book": "book",
    "bookSection": "incollection",
    "encyclopediaArticle": "incollection",
    "dictionaryEntry": "incollection",
    "thesis": "phdthesis",
    "report": "techreport",
    "manuscript": "unpublished",
    "preprint": "misc",
    "webpage": "misc",
    "blogPost": "misc",
    "dataset": "misc",
    "computerProgram": "misc",
    "presentation": "misc",
    "patent": "misc",
    "document": "misc",
}
#: Item types that are not works to cite.
_NOT_PAPERS = ("note", "attachment", "annotation")
#: Zotero fields copied to BibTeX fields, as plain text.
_PLAIN_FIELDS = {
    "volume": "volume",
    "issue": "number",
    "reportNumber": "number",
    "edition": "edition",
    "series": "series",
    "seriesTitle": "series",
    "place": "address",
    "ISBN": "isbn",
    "ISSN": "issn",
    "language": "language",
    "thesisType": "type",
    "reportType": "type",
    "university": "school",
    "institution": "institution",
}
_CONTAINER_FIELDS = ("publicationTitle", "proceedingsTitle", "bookTitle", "encyclopediaTitle",
                     "dictionaryTitle", "websiteTitle", "blogTitle", "repository")  # fmt: skip
_CONTAINER_HOME = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle"}
_AUTHOR_TYPES = ("author", "inventor", "programmer", "presenter", "artist", "director")
_EXTRA_LINE = re.compile(r"^[ \t]*([A-Za-z][A-Za-z ]*?):[ \t]*(.+?)[ \t]*$", re.MULTILINE)
_DATE = re.compile(r"^(\d{4})-(\d{2})")


def reader(options: ReadOptions) -> Reader:
    return read


@dataclass(slots=True)
class _Item:
    item_id: int
    item_type: str
    values: dict[str, str] = field(default_factory=dict)
    creators: list[tuple[str, Person]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)


def read(path: Path) -> Iterator[Record]:
    """Yield every regular item of the library (not trashed, not a note or attachment)."""
    with tempfile.TemporaryDirectory(prefix="paper-ls-zotero-") as tmp:
        copy = _copy_database(path, Path(tmp) / "zotero.sqlite")
        keys = _better_bibtex_keys(path.with_name(BETTER_BIBTEX_DB), Path(tmp))
        try:
            conn = sqlite3.connect(copy)
        except sqlite3.DatabaseError as exc:
            raise SourceError(f"{path}: cannot open as SQLite ({exc})") from exc
        try:
            items = _load_items(conn, path)
        except sqlite3.DatabaseError as exc:
            raise SourceError(f"{path}: not a Zotero database ({exc})") from exc
        finally:
            conn.close()
    keyless: list[Paper] = []
    for item in items:
        if "title" not in item.values and not item.creators:
            yield Problem(str(path), None, f"item {item.item_id} has no title or creators; skipped")
            continue
        paper = paper_from_item(item, str(path), keys.get(item.item_id, ""))
        if paper.key:
            yield paper
        else:
            keyless.append(paper)
    # Items with keys first: a generated key must never take an item's own key.
    yield from keyless


def _copy_database(path: Path, target: Path) -> Path:
    """Copy the database and its write-ahead log, so the copy sees Zotero's latest writes."""
    with reading(path):
        shutil.copyfile(path, target)
        wal = Path(f"{path}-wal")
        if wal.exists():
            shutil.copyfile(wal, Path(f"{target}-wal"))
    return target


def _table(conn: sqlite3.Connection, *names: str) -> str:
    """The first of `names` that exists: Zotero 5+ has `fieldsCombined` (with custom fields)."""
    for name in names:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone():
            return name
    return names[-1]


def _load_items(conn: sqlite3.Connection, path: Path) -> list[_Item]:
    fields = _table(conn, "fieldsCombined", "fields")
    item_types = _table(conn, "itemTypesCombined", "itemTypes")
    placeholders = ",".join("?" * len(_NOT_PAPERS))
    items = {
        int(item_id): _Item(int(item_id), str(type_name))
        for item_id, type_name in conn.execute(
            f"SELECT i.itemID, t.typeName FROM items i JOIN {item_types} t USING (itemTypeID)"
            f" WHERE t.typeName NOT IN ({placeholders})"
            " AND i.itemID NOT IN (SELECT itemID FROM deletedItems)"
            " AND i.itemID NOT IN (SELECT itemID FROM itemNotes)"
            " AND i.itemID NOT IN (SELECT itemID FROM itemAttachments)"
            " ORDER BY i.itemID",
            _NOT_PAPERS,
        )
    }
    for item_id, name, value in conn.execute(
        f"SELECT d.itemID, f.fieldName, v.value FROM itemData d"
        f" JOIN {fields} f USING (fieldID) JOIN itemDataValues v USING (valueID)"
    ):
        item = items.get(int(item_id))
        if item is not None and value is not None and str(value).strip():
            item.values[str(name)] = str(value)
    for item_id, first, last, mode, kind in conn.execute(
        "SELECT ic.itemID, c.firstName, c.lastName, c.fieldMode, ct.creatorType"
        " FROM itemCreators ic JOIN creators c USING (creatorID)"
        " JOIN creatorTypes ct USING (creatorTypeID) ORDER BY ic.itemID, ic.orderIndex"
    ):
        item = items.get(int(item_id))
        if item is not None:
            person = (
                Person(family=collapse(last or ""))
                if mode == 1
                else Person(family=collapse(last or ""), given=collapse(first or ""))
            )
            if person.family or person.given:
                item.creators.append((str(kind), person))
    for item_id, name in conn.execute(
        "SELECT it.itemID, t.name FROM itemTags it JOIN tags t USING (tagID) ORDER BY t.name"
    ):
        if int(item_id) in items:
            items[int(item_id)].tags.append(str(name))
    for item_id, name in conn.execute(
        "SELECT ci.itemID, c.collectionName FROM collectionItems ci"
        " JOIN collections c USING (collectionID) ORDER BY c.collectionName"
    ):
        if int(item_id) in items:
            items[int(item_id)].collections.append(str(name))
    return list(items.values())


def _better_bibtex_keys(path: Path, tmp: Path) -> dict[int, str]:
    """Better BibTeX's pinned or generated keys, from its own database beside Zotero's."""
    if not path.exists():
        return {}
    try:
        copy = _copy_database(path, tmp / BETTER_BIBTEX_DB)
        conn = sqlite3.connect(copy)
        try:
            rows = conn.execute("SELECT itemID, citationKey FROM citationkey").fetchall()
        finally:
            conn.close()
    except (sqlite3.DatabaseError, SourceError):
        return {}  # an older Better BibTeX layout: fall back to Extra or generated keys
    return {int(item_id): str(key) for item_id, key in rows if key}


def paper_from_item(item: _Item, path: str, better_bibtex_key: str = "") -> Paper:
    values = item.values
    entry_type = _entry_type(item)
    extra_text = values.get("extra", "")
    extra = _extra_lines(extra_text)
    authors = [p for kind, p in item.creators if kind in _AUTHOR_TYPES]
    editors = [p for kind, p in item.creators if kind == "editor"]
    fields = _bibtex_fields(item, entry_type)
    add_people_fields(fields, authors, editors)
    venue = next((values[n] for n in _CONTAINER_FIELDS if n in values), "")
    doi = normalise_doi(values.get("DOI", "") or extra.get("doi", ""))
    return Paper(
        key=_key(values, better_bibtex_key, extra),
        entry_type=entry_type,
        title=collapse(values.get("title", "")),
        authors=authors or editors or [p for _, p in item.creators],
        year=_year(values.get("date", "")),
        venue=collapse(venue or values.get("publisher", "")),
        abstract=collapse(values.get("abstractNote", "")),
        doi=doi,
        arxiv=arxiv_id_of(
            {
                "eprint": values.get("archiveID", ""),
                "url": values.get("url", ""),
                "note": extra_text,
            }
        ),
        url=values.get("url", "").strip(),
        fields=fields,
        provenance=Provenance(SOURCE_KIND, path, None),
    )


def _entry_type(item: _Item) -> str:
    entry_type = ENTRY_TYPES.get(item.item_type, "misc")
    if entry_type == "phdthesis" and "master" in item.values.get("thesisType", "").lower():
        return "mastersthesis"
    return entry_type


def _key(values: dict[str, str], better_bibtex_key: str, extra: dict[str, str]) -> str:
    """Zotero 7's own citation key, else Better BibTeX's, else `Citation Key:` in Extra."""
    for candidate in (
        values.get("citationKey", ""),
        better_bibtex_key,
        extra.get("citation key", ""),
    ):
        key = usable_key(candidate)
        if key:
            return key
    return ""


def _extra_lines(extra: str) -> dict[str, str]:
    """`Key: value` lines of the Extra field, with lower-case keys."""
    return {m.group(1).strip().lower(): m.group(2) for m in _EXTRA_LINE.finditer(extra)}


def _bibtex_fields(item: _Item, entry_type: str) -> dict[str, str]:
    values = item.values
    fields: dict[str, str] = {}
    container = next((values[n] for n in _CONTAINER_FIELDS if n in values), "")
    if container:
        fields[_CONTAINER_HOME.get(entry_type, "howpublished")] = latex_field(container)
    for zotero_name, bib_name in _PLAIN_FIELDS.items():
        if zotero_name in values and bib_name not in fields:
            fields[bib_name] = latex_field(values[zotero_name])
    if "pages" in values:
        fields["pages"] = pages_field(values["pages"])
    if "publisher" in values:
        home = "school" if entry_type.endswith("thesis") else "publisher"
        if entry_type == "techreport":
            home = "institution"
        fields.setdefault(home, latex_field(values["publisher"]))
    date = _DATE.match(values.get("date", ""))
    if date and month_macro(int(date.group(2))):
        fields["month"] = month_macro(int(date.group(2)))
    if item.tags:
        fields["keywords"] = latex_field(", ".join(item.tags))
    if item.collections:
        # JabRef's `groups` field; export leaves it out, as it means nothing elsewhere.
        fields["groups"] = latex_field(", ".join(item.collections))
    return fields


def _year(date: str) -> int | None:
    """Zotero stores dates as `2020-05-00 May 2020` (SQL form, then as typed)."""
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", date)
    return int(match.group(1)) if match else None
