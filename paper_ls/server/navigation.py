"""Go to definition, find references, rename, and symbols for citation keys.

A key is defined by its entry in one of the document's bibliography files and used by
citations anywhere in the workspace, open or not (`paper_ls.documents.workspace`). These
functions compute LSP answers from that; `server.py` wires them to requests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path

from paper_ls.documents.model import Range, is_key_char, split_lines
from paper_ls.documents.project import BibEntry, BibFile, read_text
from paper_ls.index.reader import paper_ids_for_key
from paper_ls.index.search import Candidate, Hit, parse_query, rank, search
from paper_ls.server.completion import local_candidates
from paper_ls.server.diagnostics import client_range

if TYPE_CHECKING:
    from paper_ls.server.server import PaperServer

WORKSPACE_SYMBOLS = 100


class RenameRefused(JsonRpcException):
    """LSP's RequestFailed: the client shows the message to the writer."""

    CODE = types.LSPErrorCodes.RequestFailed.value


def uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def to_client_range(
    ls: PaperServer, path: Path, rng: Range, lines: Sequence[str] | None = None
) -> types.Range:
    """A model range of any workspace file, open or not, in the client's units."""
    document = ls.workspace.text_documents.get(uri_of(path))
    codec = document.position_codec if document is not None else ls.workspace.position_codec
    if codec.encoding == types.PositionEncodingKind.Utf16:
        return client_range(rng, (), codec)  # the model's own units: no line needed
    if document is not None:
        lines = document.lines
    elif lines is None:
        try:
            lines = split_lines(read_text(path))
        except OSError:
            lines = []
    return client_range(rng, lines, codec)


def definitions(bibs: Iterable[BibFile], key: str) -> list[tuple[BibFile, BibEntry]]:
    """The entries defining `key` in these files (one per file; more means duplicates)."""
    found = []
    for bib in {b.path: b for b in bibs}.values():
        entry = bib.find(key)
        if entry is not None:
            found.append((bib, entry))
    return found


def definition(
    ls: PaperServer, key: str, bibs: Sequence[BibFile], conn: sqlite3.Connection | None
) -> list[types.Location]:
    """The entry's exact range in the .bib; else where the index read it, if still on disk."""
    found = [
        types.Location(uri_of(bib.path), to_client_range(ls, bib.path, bib.entry_range(entry),
                                                          bib.lines))
        for bib, entry in definitions(bibs, key)
    ]  # fmt: skip
    if found or conn is None:
        return found
    return index_source(conn, key)


def index_source(conn: sqlite3.Connection, key: str) -> list[types.Location]:
    """The source file and line the index read `key` from, when that file still exists."""
    ids = paper_ids_for_key(conn, key)
    if not ids:
        return []
    rows = conn.execute(
        "SELECT s.path, r.line FROM records r JOIN sources s ON s.id = r.source_id"
        " WHERE r.paper_id = ? ORDER BY r.id",
        (ids[0],),
    ).fetchall()
    for path, line in rows:
        if Path(path).is_file():
            at = types.Position(max((line or 1) - 1, 0), 0)
            return [types.Location(uri_of(Path(path)), types.Range(at, at))]
    return []


def references(
    ls: PaperServer, key: str, bibs: Sequence[BibFile], include_declaration: bool
) -> list[types.Location]:
    """Every citation of `key` in the workspace, and its definitions when asked."""
    found = [
        types.Location(uri_of(path), to_client_range(ls, path, citation.range))
        for path, citation in ls.citations.citations_of(key)
    ]
    if include_declaration:
        found = definition(ls, key, bibs, None) + found
    return found


# --- rename -------------------------------------------------------------------------------


def check_new_key(old: str, new: str, bibs: Sequence[BibFile]) -> None:
    """Refuse a key that BibTeX or Pandoc would not read as one, or that is taken."""
    if not new or not all(is_key_char(c) for c in new) or not (new[0].isalnum() or new[0] == "_"):
        raise RenameRefused(
            f"'{new}' is not a valid citation key: use letters, digits and : / . - _ +,"
            f" starting with a letter or digit"
        )
    if not (new[-1].isalnum() or new[-1] == "_"):
        raise RenameRefused(
            f"'{new}' is not a valid citation key: it must not end with '{new[-1]}'"
        )
    if new.lower() == old.lower():
        return
    for bib, entry in definitions(bibs, new):
        raise RenameRefused(
            f"cannot rename {old} to {new}: {entry.key} is already defined at"
            f" {bib.path.name}:{entry.line}"
        )


def rename_edit(
    ls: PaperServer, old: str, new: str, bibs: Sequence[BibFile]
) -> types.WorkspaceEdit:
    """One workspace edit: the entry's key in each .bib defining it, and every citation."""
    edits: dict[Path, list[types.TextEdit]] = {}
    for bib, entry in definitions(bibs, old):
        rng = to_client_range(ls, bib.path, bib.key_range(entry.key, entry.line), bib.lines)
        edits.setdefault(bib.path, []).append(types.TextEdit(rng, new))
    for path, citation in ls.citations.citations_of(old):
        edits.setdefault(path, []).append(
            types.TextEdit(to_client_range(ls, path, citation.range), new)
        )
    changes: list[types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile]
    changes = []
    for path, text_edits in edits.items():
        uri = uri_of(path)
        document = ls.workspace.text_documents.get(uri)
        version = document.version if document is not None else None
        changes.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=version
                ),
                edits=list(text_edits),
            )
        )
    return types.WorkspaceEdit(document_changes=changes)


# --- symbols ------------------------------------------------------------------------------


def document_symbols(ls: PaperServer, bib: BibFile) -> list[types.DocumentSymbol]:
    """One symbol per entry of a .bib file: its key, with type and title beside it."""
    symbols = []
    for entry in bib.entries.values():
        paper = entry.paper
        detail = f"@{paper.entry_type}" + (f" · {paper.title}" if paper.title else "")
        symbols.append(
            types.DocumentSymbol(
                name=entry.key,
                detail=detail,
                kind=types.SymbolKind.Key,
                range=to_client_range(ls, bib.path, bib.entry_range(entry), bib.lines),
                selection_range=to_client_range(
                    ls, bib.path, bib.key_range(entry.key, entry.line), bib.lines
                ),
            )
        )
    return symbols


def workspace_symbols(
    ls: PaperServer, query: str, bibs: Sequence[BibFile], conn: sqlite3.Connection | None
) -> list[types.WorkspaceSymbol]:
    """Papers of the workspace bibliographies and the index, ranked by the shared search."""
    extra: list[Candidate] = list(local_candidates(query, bibs))
    preferred = frozenset(c.key for c in extra)
    if conn is not None and query.strip():
        hits = search(conn, query, limit=WORKSPACE_SYMBOLS, extra=extra,
                      preferred_keys=preferred).hits  # fmt: skip
    else:
        hits = rank(parse_query(query), extra, preferred, WORKSPACE_SYMBOLS)
    symbols = []
    for hit in hits:
        location = _hit_location(ls, hit, bibs, conn)
        if location is not None:
            symbols.append(
                types.WorkspaceSymbol(
                    name=hit.key,
                    kind=types.SymbolKind.Key,
                    location=location,
                    container_name=_container(hit),
                )
            )
    return symbols


def _hit_location(
    ls: PaperServer, hit: Hit, bibs: Sequence[BibFile], conn: sqlite3.Connection | None
) -> types.Location | None:
    found = definition(ls, hit.key, bibs, conn)
    return found[0] if found else None


def _container(hit: Hit) -> str:
    who = hit.authors[0][0] if hit.authors else ""
    parts = [p for p in (who, str(hit.year or ""), hit.title) if p]
    return " · ".join(parts)
