"""THE ranking: how a paper is found from whatever the writer remembers.

`paper-ls search` and the language server's completion both call `search`; the server also
scores its documents' own bibliography entries with `score`, so one function decides order
everywhere.

FTS5's `ORDER BY rank` would score every match (hundreds of thousands for "wang" in a large
index), so candidates are gathered unranked in cheap, bounded stages — key prefix, metadata
words, abstract words, typo corrections — and only a few hundred are scored here. A deadline,
enforced inside SQLite by a progress handler, bounds every stage.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import OSA

from paper_ls.bibtex.latex import fold
from paper_ls.index.store import NAME_SEPARATOR

_TOKEN = re.compile(r"[a-z0-9]+")
_CANDIDATES_PER_STAGE = 80
_KEY_CANDIDATES = 40
#: Authors beyond this many rarely decide a search, and papers with hundreds exist.
_AUTHORS_SCORED = 30
_MIN_TYPO_LENGTH = 5
#: Abstract matching gets this long; then the candidates found so far are used.
_ABSTRACT_BUDGET_S = 0.008
#: A half-typed word shorter than this is not looked up in abstracts.
_MIN_ABSTRACT_WORD = 4
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "we",
        "were",
        "which",
        "with",
        "our",
        "these",
        "their",
        "than",
        "can",
        "also",
    ]
)
DEFAULT_DEADLINE_S = 0.050


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    tokens: tuple[str, ...]
    #: The last word may still be being typed, so it also matches as a prefix.
    last_is_prefix: bool

    @property
    def compact(self) -> str:
        """The query as a key prefix: lowercased, no spaces."""
        return "".join(self.text.split()).lower()


@dataclass(slots=True)
class Candidate:
    """What scoring needs of a paper, from the index or from a document's .bib."""

    key: str
    title: str
    families: list[str]
    givens: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    matched_abstract: bool = False
    paper_id: int | None = None
    doi: str = ""
    arxiv: str = ""
    #: Words of the title and family names, when computed ahead of time (a document's
    #: .bib is tokenised once when parsed, not on every keystroke).
    title_words: list[str] | None = None
    family_words: list[list[str]] | None = None
    #: All searchable words joined, for a cheap substring prefilter.
    haystack: str = ""

    @classmethod
    def prepared(cls, **values: object) -> Candidate:
        """A candidate with its words computed now, for reuse across many searches."""
        cand = cls(**values)  # type: ignore[arg-type]
        cand.title_words = words(cand.title)
        cand.family_words = [words(f) for f in cand.families[:_AUTHORS_SCORED]]
        families = " ".join(w for ws in cand.family_words for w in ws)
        cand.haystack = " ".join(
            [cand.key.lower(), " ".join(cand.title_words), families, str(cand.year or ""),
             " ".join(words(cand.venue))]
        )  # fmt: skip
        return cand


@dataclass(frozen=True, slots=True)
class Hit:
    paper_id: int | None
    key: str
    title: str
    authors: list[tuple[str, str]]
    year: int | None
    venue: str
    score: float
    doi: str = ""
    arxiv: str = ""


def hit_json(hit: Hit) -> dict[str, object]:
    """A hit as `paper-ls search --json` and the server's `paper-ls.search` command give it."""
    return {
        "key": hit.key,
        "title": hit.title,
        "authors": [{"family": f, "given": g} for f, g in hit.authors],
        "year": hit.year,
        "venue": hit.venue,
        "score": hit.score,
    }


@dataclass(slots=True)
class SearchResult:
    hits: list[Hit]
    #: True when the deadline cut a stage short: these are the best found in time.
    timed_out: bool = False


def parse_query(text: str) -> Query:
    tokens = tuple(words(text))
    return Query(text=text, tokens=tokens, last_is_prefix=not text.endswith(" "))


def search(
    conn: sqlite3.Connection,
    text: str,
    *,
    limit: int = 20,
    abstracts: bool = True,
    deadline_s: float = DEFAULT_DEADLINE_S,
    extra: Iterable[Candidate] = (),
    preferred_keys: frozenset[str] = frozenset(),
    stop: threading.Event | None = None,
) -> SearchResult:
    """Rank papers for a query; `extra` candidates (a document's own entries) compete too.

    Setting `stop` (from another thread) ends the search at once, SQLite statement included:
    a language server sets it when a newer request makes this one pointless.
    """
    query = parse_query(text)
    gatherer = _Gatherer(conn, query, deadline_s, stop)
    if query.tokens or query.compact:
        gatherer.run(abstracts=abstracts, wanted=limit)
    if stop is not None and stop.is_set():
        return SearchResult([], timed_out=True)
    candidates = gatherer.load()
    by_key = {c.key: c for c in candidates}
    for cand in extra:
        found = by_key.get(cand.key)
        cand.matched_abstract = cand.matched_abstract or bool(found and found.matched_abstract)
        by_key[cand.key] = cand
    ranked = rank(query, by_key.values(), preferred_keys)[:limit]
    return SearchResult(ranked, timed_out=gatherer.timed_out)


def rank(
    query: Query, candidates: Iterable[Candidate], preferred_keys: frozenset[str] = frozenset()
) -> list[Hit]:
    matches = WordMatches(query)
    scored = [(score(query, c, matches), c) for c in candidates]
    scored = [(s, c) for s, c in scored if s > 0 or not query.tokens]
    scored.sort(
        key=lambda sc: (-sc[0], sc[1].key not in preferred_keys, -(sc[1].year or 0), sc[1].key)
    )
    return [
        Hit(
            c.paper_id,
            c.key,
            c.title,
            list(zip(c.families, c.givens or [""] * len(c.families), strict=False)),
            c.year,
            c.venue,
            round(s, 3),
            c.doi,
            c.arxiv,
        )
        for s, c in scored
    ]


def score(query: Query, cand: Candidate, matches: WordMatches | None = None) -> float:
    """How well a paper answers a query: higher is better, 0 or less is no match.

    A key typed from its start wins outright; otherwise each query word earns what its best
    field gives (first author > other author > title > year > venue > abstract), typo'd words
    earn less than exact ones, and a word found nowhere costs.
    """
    if matches is None:
        matches = WordMatches(query)
    key_lower = cand.key.lower()
    total = 0.0
    compact = query.compact
    if compact and key_lower.startswith(compact):
        total += 120.0 if key_lower == compact else 100.0 + 10.0 * len(compact) / len(key_lower)
    if not query.tokens:
        return total
    title_words = cand.title_words if cand.title_words is not None else words(cand.title)
    family_words = (
        cand.family_words
        if cand.family_words is not None
        else [words(f) for f in cand.families[:_AUTHORS_SCORED]]
    )
    title_set = set(title_words)
    given_words: set[str] | None = None
    venue_words = set(words(cand.venue))
    year = str(cand.year) if cand.year else ""
    key_words = _TOKEN.findall(key_lower)
    matched_title: set[str] = set()
    last = len(query.tokens) - 1
    for i, token in enumerate(query.tokens):
        prefix_ok = query.last_is_prefix and i == last
        memo = matches.memo[i]
        # A short word that is not being typed can only match exactly: no loops needed.
        exact_only = not prefix_ok and len(token) < _MIN_TYPO_LENGTH
        best = _author_points(token, family_words, prefix_ok, memo, exact_only)
        if token in title_set:
            title_points, word = 8.0, token
        elif exact_only:
            title_points, word = 0.0, ""
        else:
            title_points, word = _title_points(token, title_words, prefix_ok, memo)
        if title_points > best:
            best = title_points
        if word:
            matched_title.add(word)
        if token == year:
            best = max(best, 7.0)
        if token in venue_words or (prefix_ok and any(v.startswith(token) for v in venue_words)):
            best = max(best, 3.0)
        if any(k.startswith(token) for k in key_words):
            best = max(best, 3.0 if len(token) < 3 else 5.0)
        if best == 0.0:
            if given_words is None:
                given_words = {w for g in cand.givens[:_AUTHORS_SCORED] for w in words(g)}
            if token in given_words:
                best = 2.0
            elif cand.matched_abstract:
                best = 2.5
        total += best if best > 0 else -4.0
    if title_words and matched_title:
        total += 1.5 * len(matched_title) / len(title_set)
    return total


def words(text: str) -> list[str]:
    """Lowercase ASCII words, as the FTS tokenizer sees them (fast for ASCII text)."""
    if text.isascii():
        return _TOKEN.findall(text.lower())
    return _TOKEN.findall(fold(text))


_NONE, _TYPO, _PREFIX, _EXACT = 0, 1, 2, 3


class WordMatches:
    """How each query word matches each word it meets, computed once per search.

    The candidates of one search share most of their title and name words, so a memo per
    query word turns most typo distance computations into a dictionary lookup.
    """

    __slots__ = ("memo",)

    def __init__(self, query: Query) -> None:
        self.memo: list[dict[str, int]] = [{} for _ in query.tokens]


def _match(token: str, word: str, prefix_ok: bool, memo: dict[str, int]) -> int:
    kind = memo.get(word)
    if kind is None:
        if word == token:
            kind = _EXACT
        elif prefix_ok and word.startswith(token):
            kind = _PREFIX
        elif len(token) >= _MIN_TYPO_LENGTH and OSA.distance(token, word, score_cutoff=1) <= 1:
            kind = _TYPO
        else:
            kind = _NONE
        memo[word] = kind
    return kind


def _author_points(
    token: str,
    family_words: list[list[str]],
    prefix_ok: bool,
    memo: dict[str, int],
    exact_only: bool,
) -> float:
    if exact_only:
        for position, family in enumerate(family_words):
            if token in family:
                return 14.0 if position == 0 else 10.0
        return 0.0
    best = 0.0
    for position, family in enumerate(family_words):
        weight = 14.0 if position == 0 else 10.0
        for word in family:
            kind = _match(token, word, prefix_ok, memo)
            if kind == _EXACT:
                return weight if position == 0 else max(best, weight)
            if kind == _PREFIX and len(token) >= 2:
                best = max(best, weight * 0.6)
            elif kind == _TYPO:
                best = max(best, weight * 0.5)
    return best


def _title_points(
    token: str, title_words: list[str], prefix_ok: bool, memo: dict[str, int]
) -> tuple[float, str]:
    best, matched = 0.0, ""
    for word in title_words:
        kind = _match(token, word, prefix_ok, memo)
        if kind == _EXACT:
            return 8.0, word
        if kind == _PREFIX:
            points = 5.0 + 2.0 * len(token) / len(word)
        elif kind == _TYPO:
            points = 5.0
        else:
            continue
        if points > best:
            best, matched = points, word
    return best, matched


# --- gathering candidates ---------------------------------------------------------------


class _WordCache:
    """Title and name words of the papers searched lately, by their text.

    Typing a query one letter at a time meets the same candidates again and again; their
    words are split once. Keyed by the text itself, an entry can never be stale. A search
    meets at most a few hundred papers, so the last few searches' papers are all it needs:
    when full, the quarter used longest ago goes. About 2 KB an entry, so at most 4 MB,
    reached within minutes of typing and then flat (the soak test measures that).
    """

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.words: dict[tuple[str, str], tuple[list[str], list[list[str]]]] = {}

    def of(self, title: str, families: str, names: list[str]) -> tuple[list[str], list[list[str]]]:
        key = (title, families)
        found = self.words.pop(key, None)
        if found is None:
            if len(self.words) >= self.size:
                for old in list(itertools.islice(self.words, self.size // 4)):
                    del self.words[old]
            found = (words(title), [words(f) for f in names[:_AUTHORS_SCORED]])
        self.words[key] = found  # last in order: used most recently
        return found


_WORDS = _WordCache()


class _Deadline(Exception):
    pass


class _Gatherer:
    """Collects candidate ids stage by stage until enough are found or time is up."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        query: Query,
        deadline_s: float,
        stop: threading.Event | None = None,
    ) -> None:
        self.stop = stop
        self.conn = conn
        self.query = query
        self.deadline = time.perf_counter() + deadline_s
        self.ids: dict[int, bool] = {}  # paper id -> matched through the abstract
        self.timed_out = False
        self.stage_deadline = self.deadline

    def run(self, *, abstracts: bool, wanted: int) -> None:
        try:
            self._key_prefix()
            if not self.query.tokens:
                return
            self._fts("fts_meta", self._match_all(self.query.tokens))
            if abstracts and (len(self.ids) < wanted or len(self.query.tokens) >= 3):
                self._abstracts()
            if len(self.ids) < wanted:
                self._typos()
            if len(self.ids) < wanted and len(self.query.tokens) > 1:
                self._fts("fts_meta", self._match_any(self.query.tokens))
        except _Deadline:
            self.timed_out = True

    def load(self) -> list[Candidate]:
        if not self.ids:
            return []
        ids = list(self.ids)
        rows = self.conn.execute(
            f"SELECT id, key, title, families, givens, year, venue, doi, arxiv FROM papers"
            f" WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
        candidates = []
        for pid, key, title, families, givens, year, venue, doi, arxiv in rows:
            names = families.split(NAME_SEPARATOR) if families else []
            title_words, family_words = _WORDS.of(title, families, names)
            candidates.append(
                Candidate(
                    key=key,
                    title=title,
                    families=names,
                    givens=givens.split(NAME_SEPARATOR) if families else [],
                    year=year,
                    venue=venue,
                    matched_abstract=self.ids[pid],
                    paper_id=pid,
                    doi=doi,
                    arxiv=arxiv,
                    title_words=title_words,
                    family_words=family_words,
                )
            )
        return candidates

    def _key_prefix(self) -> None:
        compact = self.query.compact
        if not compact or " " in self.query.text.strip():
            return
        rows = self._query(
            "SELECT id FROM papers WHERE key >= ? COLLATE NOCASE AND key < ? COLLATE NOCASE"
            " LIMIT ?",
            (compact, compact + "\U0010ffff", _KEY_CANDIDATES),
        )
        for (pid,) in rows:
            self.ids.setdefault(pid, False)

    def _fts(
        self, table: str, expression: str, *, abstract: bool = False, budget_s: float | None = None
    ) -> int:
        rows = self._query(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT ?",
            (expression, _CANDIDATES_PER_STAGE),
            budget_s,
        )
        for (pid,) in rows:
            if abstract:
                self.ids[pid] = True
            else:
                self.ids.setdefault(pid, False)
        return len(rows)

    def _abstracts(self) -> None:
        """Whole, meaningful words of the abstract, within their own time budget.

        The abstract table has no prefix index (it would double its size), so a half-typed
        word is left to the ranking; stopwords match nearly every abstract and only cost.
        """
        tokens = [
            t for t in self.query.tokens if (len(t) > 1 or t.isdigit()) and t not in _STOPWORDS
        ]
        typing = self.query.last_is_prefix and tokens and tokens[-1] == self.query.tokens[-1]
        if typing and len(tokens[-1]) < _MIN_ABSTRACT_WORD:
            tokens.pop()
        if not tokens:
            return
        found = self._fts(
            "fts_abstract", " AND ".join(_quote(t) for t in tokens), abstract=True,
            budget_s=_ABSTRACT_BUDGET_S,
        )  # fmt: skip
        if not found and typing and len(tokens) > 1:
            # The word being typed may not be whole yet: try the words before it.
            self._fts(
                "fts_abstract", " AND ".join(_quote(t) for t in tokens[:-1]), abstract=True,
                budget_s=_ABSTRACT_BUDGET_S,
            )  # fmt: skip

    def _typos(self) -> None:
        """Replace each long word the index has never seen by its one-edit neighbours."""
        groups: list[list[str]] = []
        corrected = False
        for i, token in enumerate(self.query.tokens):
            is_last_prefix = self.query.last_is_prefix and i == len(self.query.tokens) - 1
            options = [token]
            if len(token) >= _MIN_TYPO_LENGTH and not self._known_term(token):
                options += self._neighbours(token)
                corrected = corrected or len(options) > 1
            groups.append(
                [_quote(o) + ("*" if is_last_prefix and o == token else "") for o in options]
            )
        if corrected:
            expression = " AND ".join("(" + " OR ".join(g) + ")" for g in groups)
            self._fts("fts_meta", expression)

    def _known_term(self, token: str) -> bool:
        return bool(self._query("SELECT 1 FROM terms WHERE term = ?", (token,)))

    def _neighbours(self, token: str) -> list[str]:
        variants = sorted({token[:i] + token[i + 1 :] for i in range(len(token))})
        marks = ",".join("?" * len(variants))
        rows = self._query(
            f"SELECT term FROM term_variants WHERE variant IN (?, {marks})"
            f" UNION SELECT term FROM terms WHERE term IN ({marks}) LIMIT 20",
            (token, *variants, *variants),
        )
        return [t for (t,) in rows if OSA.distance(token, t, score_cutoff=1) <= 1]

    def _match_all(self, tokens: tuple[str, ...]) -> str:
        return " AND ".join(self._term(i, t) for i, t in enumerate(tokens))

    def _match_any(self, tokens: tuple[str, ...]) -> str:
        return " OR ".join(self._term(i, t) for i, t in enumerate(tokens) if len(t) > 1)

    def _term(self, i: int, token: str) -> str:
        prefix = self.query.last_is_prefix and i == len(self.query.tokens) - 1
        return _quote(token) + ("*" if prefix else "")

    def _query(
        self, sql: str, params: tuple[object, ...], budget_s: float | None = None
    ) -> list[tuple[Any, ...]]:
        """Run a read under the deadline; SQLite itself is interrupted when time is up.

        Rows found before the interruption are kept: a stage cut short still contributes
        its best-effort candidates, and the search reports that it timed out.
        """
        now = time.perf_counter()
        if now > self.deadline or (self.stop is not None and self.stop.is_set()):
            raise _Deadline
        self.stage_deadline = (
            self.deadline if budget_s is None else min(self.deadline, now + budget_s)
        )
        rows: list[tuple[Any, ...]] = []
        self.conn.set_progress_handler(self._past_deadline, 1000)
        try:
            rows.extend(self.conn.execute(sql, params))
        except sqlite3.OperationalError as exc:
            if "interrupt" not in str(exc):
                raise
            self.timed_out = True  # keep the rows found so far; the next stage will stop
        finally:
            self.conn.set_progress_handler(None, 0)
        return rows

    def _past_deadline(self) -> int:
        if self.stop is not None and self.stop.is_set():
            return 1
        return 1 if time.perf_counter() > self.stage_deadline else 0


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'
