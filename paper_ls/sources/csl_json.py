"""CSL-JSON (Zotero's and Pandoc's export format) as a source of papers.

CSL-JSON is plain text with structured names and dates; this module maps it onto `Paper`
and onto BibTeX fields (`fields`) so that a CSL item exports as the entry a person would
have written: `article-journal` becomes `@article` with a `journal`, and so on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paper_ls.bibtex.render import escape_latex
from paper_ls.errors import SourceError
from paper_ls.model import Paper, Person, Provenance
from paper_ls.sources import Problem, Reader, ReadOptions, Record, reading
from paper_ls.sources.bibtex import normalise_doi
from paper_ls.sources.plain import (
    add_people_fields,
    collapse,
    latex_field,
    month_macro,
    pages_field,
    usable_key,
    year_in,
)

SOURCE_KIND = "csl-json"

#: CSL item type -> BibTeX entry type.
ENTRY_TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "article": "misc",  # CSL's "article" is a preprint or working paper
    "paper-conference": "inproceedings",
    "book": "book",
    "chapter": "incollection",
    "entry-encyclopedia": "incollection",
    "entry-dictionary": "incollection",
    "entry": "incollection",
    "thesis": "phdthesis",
    "report": "techreport",
    "manuscript": "unpublished",
    "speech": "misc",
    "webpage": "misc",
    "post": "misc",
    "post-weblog": "misc",
    "dataset": "misc",
    "software": "misc",
    "standard": "techreport",
    "patent": "misc",
}
#: Which BibTeX field names the container (`container-title`) for each entry type.
_CONTAINER_FIELD = {
    "article": "journal",
    "inproceedings": "booktitle",
    "incollection": "booktitle",
    "book": "series",
}
#: CSL variables copied to BibTeX fields of another name, as plain text.
_PLAIN_FIELDS = {
    "volume": "volume",
    "issue": "number",
    "number": "number",
    "edition": "edition",
    "collection-title": "series",
    "publisher-place": "address",
    "event-place": "address",
    "ISBN": "isbn",
    "ISSN": "issn",
    "chapter-number": "chapter",
    "language": "language",
    "genre": "type",
}
_CITATION_KEY_LINE = re.compile(r"^[ \t]*Citation Key:[ \t]*(\S+)[ \t]*$", re.I | re.MULTILINE)
_MASTERS = re.compile(r"master|m\.?sc\b|\bm\.?a\b", re.IGNORECASE)


def reader(options: ReadOptions) -> Reader:
    return read


def read(path: Path) -> Iterator[Record]:
    """Yield every item of a CSL-JSON file (a list of items, or one item) in file order."""
    text = _read_text(path)
    name = str(path)
    try:
        items = list(_items_with_lines(text))
    except json.JSONDecodeError as exc:
        yield Problem(name, exc.lineno, f"not valid JSON: {exc.msg}")
        return
    keyless: list[Paper] = []
    for line, item in items:
        if not isinstance(item, dict):
            yield Problem(name, line, "a CSL item must be a JSON object")
            continue
        try:
            paper = paper_from_item(item, name, line)
        except (TypeError, ValueError, AttributeError) as exc:
            yield Problem(name, line, f"malformed CSL item ({exc})")
            continue
        if paper.key:
            yield paper
        else:
            keyless.append(paper)
    # Items with their own keys first, so that a key generated for another item can never
    # take one of theirs (generated keys reuse what this source held before).
    yield from keyless


def _read_text(path: Path) -> str:
    with reading(path):
        data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not UTF-8 text, so not CSL-JSON") from None


def _items_with_lines(text: str) -> Iterator[tuple[int, object]]:
    """Each top-level item with the line it starts on, so problems point at the right place.

    Decoding item by item (rather than `json.loads` of the whole) is what gives us lines.
    """
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if text.startswith("{", pos):
        value, _ = decoder.raw_decode(text, pos)
        if isinstance(value, dict) and isinstance(value.get("items"), list):
            # `{"items": [...]}`: some tools wrap the list.
            for item in value["items"]:
                yield 1, item
            return
        yield _line_at(text, pos), value
        return
    if not text.startswith("[", pos):
        raise json.JSONDecodeError("expected a list of CSL items", text, pos)
    pos = _skip_space(text, pos + 1)
    if text.startswith("]", pos):
        return
    line, last = 1, 0
    while True:
        line += text.count("\n", last, pos)
        last = pos
        value, pos = decoder.raw_decode(text, pos)
        yield line, value
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
        elif text.startswith("]", pos):
            return
        else:
            raise json.JSONDecodeError("expected ',' or ']' between items", text, pos)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def paper_from_item(item: dict[str, Any], path: str, line: int | None = None) -> Paper:
    entry_type = entry_type_of(item)
    fields = bibtex_fields(item, entry_type)
    container = _text(item.get("container-title"))
    authors = people(item.get("author"))
    return Paper(
        key=key_of(item),
        entry_type=entry_type,
        title=_text(item.get("title")),
        authors=authors or people(item.get("editor")),
        year=year_of(item.get("issued")),
        venue=container or _text(item.get("publisher")),
        abstract=_text(item.get("abstract")),
        doi=normalise_doi(_text(item.get("DOI"))),
        arxiv="",
        url=_text(item.get("URL")),
        fields=fields,
        provenance=Provenance(SOURCE_KIND, path, line),
    )


def entry_type_of(item: dict[str, Any]) -> str:
    csl_type = _text(item.get("type"))
    entry_type = ENTRY_TYPES.get(csl_type, "misc")
    if entry_type == "phdthesis" and re.search(
        r"master|m\.?sc|ma\b", _text(item.get("genre")), re.I
    ):
        return "mastersthesis"
    return entry_type


def key_of(item: dict[str, Any]) -> str:
    """`citation-key`, else `id` when it is a usable key (Zotero's ids are URIs), else a
    `Citation Key:` line in `note` (Better BibTeX); '' lets the index generate one."""
    for candidate in (item.get("citation-key"), item.get("id")):
        key = usable_key(_text(candidate))
        if key and not re.fullmatch(r"\d+|[A-Z0-9]{8}", key):
            return key
    match = _CITATION_KEY_LINE.search(_note(item))
    return usable_key(match.group(1)) if match else ""


def bibtex_fields(item: dict[str, Any], entry_type: str) -> dict[str, str]:
    """The CSL variables with a BibTeX home, in BibTeX's vocabulary and escaping.

    Title, authors, year, DOI, URL and abstract are left to the typed attributes, which
    export fills in; everything else a bibliography needs is kept here.
    """
    fields: dict[str, str] = {}
    container = _text(item.get("container-title"))
    if container:
        fields[_CONTAINER_FIELD.get(entry_type, "howpublished")] = latex_field(container)
    for csl_name, bib_name in _PLAIN_FIELDS.items():
        value = _text(item.get(csl_name))
        if value and bib_name not in fields:
            fields[bib_name] = latex_field(value)
    page = _text(item.get("page"))
    if page:
        fields["pages"] = pages_field(page)
    publisher = _text(item.get("publisher"))
    if publisher:
        home = {"phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}
        fields[home.get(entry_type, "publisher")] = latex_field(publisher)
    month = _month(item.get("issued"))
    if month:
        fields["month"] = month
    note = collapse(_CITATION_KEY_LINE.sub("", _note(item)))
    if note:
        fields["note"] = latex_field(note)
    add_people_fields(fields, people(item.get("author")), people(item.get("editor")))
    keywords = _text(item.get("keyword"))
    if keywords:
        fields["keywords"] = latex_field(keywords)
    return fields


def people(value: object) -> list[Person]:
    """CSL names: `family`/`given` with particles and suffix, or a `literal` name."""
    if not isinstance(value, list):
        return []
    result = []
    for name in value:
        if not isinstance(name, dict):
            continue
        literal = _text(name.get("literal"))
        family = " ".join(
            part
            for part in (
                _text(name.get("dropping-particle")),
                _text(name.get("non-dropping-particle")),
                _text(name.get("family")),
            )
            if part
        )
        if not family:
            if literal:
                result.append(Person(family=literal))
            continue
        given = _text(name.get("given"))
        suffix = _text(name.get("suffix"))
        raw = ""
        if suffix:
            # BibTeX's `von Last, Jr, First`: the only form that keeps a suffix.
            raw = f"{escape_latex(family)}, {escape_latex(suffix)}, {escape_latex(given)}"
        result.append(Person(family=family, given=given, raw=raw))
    return result


def year_of(date: object) -> int | None:
    """The year of a CSL date: `date-parts` (possibly partial), else `raw` or `literal`."""
    if not isinstance(date, dict):
        return year_in(_text(date)) if isinstance(date, str) else None
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        year = _int(parts[0][0])
        if year is not None:
            return year
    for name in ("raw", "literal", "season"):
        year = year_in(_text(date.get(name)))
        if year is not None:
            return year
    return None


def _month(date: object) -> str:
    if isinstance(date, dict):
        parts = date.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and len(parts[0]) > 1:
            month = _int(parts[0][1])
            return month_macro(month) if month is not None else ""
    return ""


def _note(item: dict[str, Any]) -> str:
    """`note` with its line breaks: Better BibTeX puts one `Key: value` per line there."""
    note = item.get("note")
    return note if isinstance(note, str) else ""


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _text(value: object) -> str:
    """A CSL variable as one line of text: numbers are allowed, lists take their first."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return collapse(value)
    return ""
