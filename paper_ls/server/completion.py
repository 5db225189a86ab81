"""Citation completion: the shared ranking, delivered so that every client keeps its order.

Clients filter and sort items themselves. To make the server's ranking reach the screen —
a paper found by a title word or an author, whose key shares nothing with what was typed —
each item's `filterText` is exactly the typed query (so every client's filter keeps it),
`sortText` is its rank, and a `textEdit` replaces the whole key under the cursor.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types

from paper_ls.documents.model import CiteContext
from paper_ls.documents.project import BibEntry, BibFile
from paper_ls.errors import IndexCorruptError, PaperLsError
from paper_ls.index.integrity import is_corruption
from paper_ls.index.search import Candidate, Hit, parse_query, rank, search
from paper_ls.index.store import Index, file_identity

log = logging.getLogger(__name__)
T = TypeVar("T")

_LOCAL_PREFILTER = 150


@dataclass(frozen=True, slots=True)
class Ranked:
    hit: Hit
    #: The document's own entry for this paper, if it has one (under any key).
    local: BibEntry | None
    bib: BibFile | None

    @property
    def key(self) -> str:
        """What accepting the item inserts: the document's own key when it has the paper."""
        return self.local.key if self.local is not None else self.hit.key


def rank_for_completion(
    context: CiteContext,
    bibs: Sequence[BibFile],
    index: Index | None,
    *,
    limit: int,
    abstracts: bool,
    stop: threading.Event | None = None,
) -> list[Ranked]:
    """Local entries and index papers ranked together by the one search function."""
    extra = list(local_candidates(context.prefix, bibs))
    preferred = frozenset(c.key for c in extra)  # only these can tie with an index paper
    if index is not None and context.prefix.strip():
        hits = search(
            index.conn, context.prefix, limit=limit, abstracts=abstracts, extra=extra,
            preferred_keys=preferred, stop=stop,
        ).hits  # fmt: skip
    else:
        query = parse_query(context.prefix)
        hits = rank(query, extra, preferred, limit)
    ranked: list[Ranked] = []
    seen: set[str] = set()
    for hit in hits:
        found = _entry_in(bibs, hit.key) or _same_paper_in(bibs, hit)
        entry = Ranked(hit, found[0] if found else None, found[1] if found else None)
        if entry.key not in seen:
            seen.add(entry.key)
            ranked.append(entry)
    return ranked


class CompletionWorker:
    """Ranks on one thread with its own index connection, so that requests can be stopped.

    On the event loop a ranking would hold up every message behind it, `$/cancelRequest`
    included. Here the loop stays free, and cancelling a request sets its ranking's stop
    event, which ends its SQLite statement (the search's progress handler) and its stages.
    Editors cancel the completion requests they no longer need (VS Code does on every
    keystroke); a newer request does not cancel an older one by itself, because an answer
    cut short would be shown as "no suggestions" by a client still waiting for it. The
    connection is the worker's alone: a progress handler belongs to a connection. A damaged
    index is reported (`on_damage`) and left out of the answer; the worker's connection
    follows the index to its new file once it is rebuilt.
    """

    def __init__(
        self,
        on_damage: Callable[[str], None] | None = None,
        gate: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paper-ls-rank")
        #: Held while ranking, so that background parses step aside (`runtime.RequestGate`).
        self._gate = gate
        self._index: Index | None = None
        #: Told (on the event loop) when the index turns out to be damaged.
        self._on_damage = on_damage
        #: Damage met on the worker thread, not yet reported.
        self._damage: str | None = None
        #: The damaged file (device, inode), not opened again: its rebuild will be another.
        self._damaged_file: tuple[int, int] | None = None

    async def run(
        self,
        index_path: Path | None,
        ranking: Callable[[Index | None, threading.Event], T],
        stop: threading.Event | None = None,
    ) -> T:
        """`ranking(index, stop)` on the worker; cancelling the caller, or setting `stop`
        from elsewhere, stops the ranking."""
        stop = stop or threading.Event()
        future = self._executor.submit(self._call, index_path, ranking, stop)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            stop.set()
            raise
        finally:
            damage, self._damage = self._damage, None
            if damage is not None and self._on_damage is not None:
                self._on_damage(damage)

    def _call(
        self,
        index_path: Path | None,
        ranking: Callable[[Index | None, threading.Event], T],
        stop: threading.Event,
    ) -> T:
        with self._gate():
            return self._rank(index_path, ranking, stop)

    def _rank(
        self,
        index_path: Path | None,
        ranking: Callable[[Index | None, threading.Event], T],
        stop: threading.Event,
    ) -> T:
        index = self._index_at(index_path)
        try:
            return ranking(index, stop)
        except sqlite3.DatabaseError as exc:
            if index is None or not is_corruption(exc):
                raise
            # Never served damaged: answer from the document's .bib alone while it is rebuilt.
            self._damage = str(exc)
            self._damaged_file = index.identity
            index.close()
            self._index = None
            return ranking(None, stop)

    def forget_damage(self) -> None:
        """The file was checked in full and found sound: read it again."""
        self._damaged_file = None

    def _index_at(self, path: Path | None) -> Index | None:
        """The worker's connection to the index at `path`, reopened when the path changes or
        another file takes its place; an index that does not exist yet is looked for again
        on the next request."""
        if self._index is not None and (self._index.path != path or self._index.replaced()):
            self._index.close()
            self._index = None
        if self._index is None and path is not None:
            if self._damaged_file is not None and file_identity(path) == self._damaged_file:
                return None  # not again until it is rebuilt
            try:
                self._index = Index.open(path, create=False)
            except IndexCorruptError as exc:
                self._damage, self._damaged_file = exc.reason, file_identity(path)
            except PaperLsError as exc:
                log.debug("completion without the index: %s", exc)
        return self._index

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _same_paper_in(bibs: Sequence[BibFile], hit: Hit) -> tuple[BibEntry, BibFile] | None:
    for bib in bibs:
        entry = bib.find_same_paper(hit.doi, hit.arxiv)
        if entry is not None:
            return entry, bib
    return None


def _entry_in(bibs: Sequence[BibFile], key: str) -> tuple[BibEntry, BibFile] | None:
    for bib in bibs:
        entry = bib.entries.get(key)
        if entry is not None:
            return entry, bib
    return None


def local_candidates(prefix: str, bibs: Sequence[BibFile]) -> Iterable[Candidate]:
    """Entries whose words contain every query word: a scan of precomputed strings, so a
    5,000-entry .bib costs about a millisecond per keystroke."""
    tokens = parse_query(prefix).tokens
    count = 0
    seen: set[str] = set()
    for bib in bibs:
        for cand in bib.matching(tokens):
            if cand.key in seen:
                continue
            seen.add(cand.key)
            yield cand
            count += 1
            if count >= _LOCAL_PREFILTER:
                return


#: Item kind "Reference", as its number: items are written as JSON, see `completion_items`.
_REFERENCE = int(types.CompletionItemKind.Reference)


def completion_items(
    context: CiteContext,
    ranked: Sequence[Ranked],
    uri: str,
    target_bib: Path | None,
    replace: types.Range,
) -> list[dict[str, Any]]:
    """The items as LSP JSON objects, built directly.

    A response goes out on every keystroke; building lsprotocol objects and unstructuring
    them through cattrs cost a third as much as finding the papers, for fifty plain records.
    `replace` is the key's range in the client's position encoding.
    """
    edit_range = {
        "start": {"line": replace.start.line, "character": replace.start.character},
        "end": {"line": replace.end.line, "character": replace.end.character},
    }
    items: list[dict[str, Any]] = []
    for position, entry in enumerate(ranked):
        hit = entry.hit
        data: dict[str, object] = {"key": entry.key, "uri": uri}
        if entry.local is not None and entry.bib is not None:
            data["bib"] = str(entry.bib.path)
            where = f"{entry.bib.path.name}:{entry.local.line}"
        else:
            data["paper_id"] = hit.paper_id
            where = "index"
        item: dict[str, Any] = {
            "label": entry.key,
            "kind": _REFERENCE,
            "labelDetails": {"description": _description(hit)},
            "detail": f"{hit.title} ({where})" if hit.title else where,
            "filterText": context.prefix,
            "sortText": f"{position:04d}",
            "textEdit": {"range": edit_range, "newText": entry.key},
            "data": data,
        }
        if entry.local is None and target_bib is not None:
            item["command"] = {
                "title": f"Add BibTeX entry for {entry.key}",
                "command": "paper-ls.insertBibtex",
                "arguments": [entry.key, uri],
            }
        items.append(item)
    return items


def _description(hit: Hit) -> str:
    parts = []
    if hit.authors:
        first = hit.authors[0][0]
        parts.append(first + (" et al." if len(hit.authors) > 2 else "")
                     + (f" and {hit.authors[1][0]}" if len(hit.authors) == 2 else ""))  # fmt: skip
    if hit.year:
        parts.append(str(hit.year))
    if hit.venue:
        parts.append(hit.venue if len(hit.venue) <= 40 else hit.venue[:39] + "…")
    return ", ".join(parts)
