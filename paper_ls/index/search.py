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
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from paper_ls.bibtex.latex import fold
from paper_ls.index.store import NAME_SEPARATOR

_TOKEN = re.compile(r"[a-z0-9]+")
#: Candidates each stage gathers, unranked. Every candidate costs scoring time on every
#: keystroke; at 1M papers, 60 and 30 instead of 80 and 40 made the keystroke replay 23%
#: faster (p50 3.80 -> 2.91 ms) and moved the target paper out of the top five for 2 of
#: 300 queries (top-1: 44 -> 43), since the unranked stages pick among equals anyway.
_CANDIDATES_PER_STAGE = 60
_KEY_CANDIDATES = 30
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
#: The longest prefix `fts_meta` has an index for (`prefix='1 2 3 4'` in the schema).
_PREFIX_INDEXED = 4
#: A longer prefix is spelled out as the words it starts when they are at most this many.
_PREFIX_SPELLED_OUT = 24


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    tokens: tuple[str, ...]
    #: The last word may still be being typed, so it also matches as a prefix.
    last_is_prefix: bool
    #: The query as a key prefix: lowercased, no spaces.
    compact: str


@dataclass(frozen=True, slots=True)
class PaperWords:
    """A paper's words as scoring looks at them: split once per paper, not once per search.

    The sets let a query word that touches none of a paper's words be dismissed with one
    set operation in C, which is the common case for most words of most candidates. Scoring
    tells the first author from the others, nothing finer, so names are kept as two sets.
    """

    title: tuple[str, ...]
    title_set: frozenset[str]
    #: Family-name words of the first author, and of the others (up to `_AUTHORS_SCORED`).
    first_family: frozenset[str]
    other_families: frozenset[str]
    family_set: frozenset[str]
    venue_set: frozenset[str]
    #: Venue words joined by spaces: a substring test before looking word by word.
    venue_text: str
    key_words: tuple[str, ...]
    key_lower: str
    #: Given-name words: a query word found nowhere else may still be a first name.
    given_set: frozenset[str]

    @classmethod
    def of(
        cls, key: str, title: str, families: list[str], givens: list[str], venue: str
    ) -> PaperWords:
        return cls.of_joined(
            key, title, NAME_SEPARATOR.join(families), NAME_SEPARATOR.join(givens), venue
        )

    @classmethod
    def of_joined(cls, key: str, title: str, families: str, givens: str, venue: str) -> PaperWords:
        """From names joined by `NAME_SEPARATOR`, as the index stores them: one split of
        each field rather than one per author, since a search meets hundreds of papers."""
        title_words = tuple(words(title))
        first, _, others = families.partition(NAME_SEPARATOR)
        if others.count(NAME_SEPARATOR) >= _AUTHORS_SCORED - 1:
            others = NAME_SEPARATOR.join(others.split(NAME_SEPARATOR, _AUTHORS_SCORED - 1)[:-1])
            givens = NAME_SEPARATOR.join(givens.split(NAME_SEPARATOR, _AUTHORS_SCORED)[:-1])
        first_family = frozenset(words(first))
        other_families = frozenset(words(others))
        venue_words = words(venue)
        key_lower = key.lower()
        return cls(
            title=title_words,
            title_set=frozenset(title_words),
            first_family=first_family,
            other_families=other_families,
            family_set=first_family | other_families,
            venue_set=frozenset(venue_words),
            venue_text=" ".join(venue_words),
            key_words=tuple(_TOKEN.findall(key_lower)),
            key_lower=key_lower,
            given_set=frozenset(words(givens)),
        )


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
    #: The paper's words, when computed ahead of time (a document's .bib is tokenised once
    #: when parsed, index papers once per text by `_WordCache`).
    paper_words: PaperWords | None = None
    #: All searchable words joined, for a cheap substring prefilter.
    haystack: str = ""

    @classmethod
    def prepared(cls, **values: object) -> Candidate:
        """A candidate with its words computed now, for reuse across many searches."""
        cand = cls(**values)  # type: ignore[arg-type]
        pw = cand.words_for_scoring()
        families = " ".join(words(" ".join(cand.families[:_AUTHORS_SCORED])))
        cand.haystack = " ".join(
            [pw.key_lower, " ".join(pw.title), families, str(cand.year or ""), pw.venue_text]
        )
        return cand

    def words_for_scoring(self) -> PaperWords:
        if self.paper_words is None:
            self.paper_words = PaperWords.of(
                self.key, self.title, self.families, self.givens, self.venue
            )
        return self.paper_words


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
    return Query(
        text=text,
        tokens=tokens,
        last_is_prefix=not text.endswith(" "),
        compact="".join(text.split()).lower(),
    )


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
    for cand in extra:  # shared with other searches: copied, never changed
        found = by_key.get(cand.key)
        if found is not None and found.matched_abstract and not cand.matched_abstract:
            cand = replace(cand, matched_abstract=True)
        by_key[cand.key] = cand
    ranked = rank(query, by_key.values(), preferred_keys, limit)
    return SearchResult(ranked, timed_out=gatherer.timed_out)


def rank(
    query: Query,
    candidates: Iterable[Candidate],
    preferred_keys: frozenset[str] = frozenset(),
    limit: int | None = None,
) -> list[Hit]:
    """The candidates that match, best first (the first `limit` of them)."""
    pool = list(candidates)
    matches = WordMatches(query, [c.words_for_scoring() for c in pool])
    scored = [(score(query, c, matches), c) for c in pool]
    scored = [(s, c) for s, c in scored if s > 0 or not query.tokens]
    scored.sort(
        key=lambda sc: (-sc[0], sc[1].key not in preferred_keys, -(sc[1].year or 0), sc[1].key)
    )
    if limit is not None:
        del scored[limit:]
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
    paper = cand.words_for_scoring()
    if matches is None:
        matches = WordMatches(query, [paper])
    key_lower = paper.key_lower
    total = 0.0
    compact = query.compact
    if compact and key_lower.startswith(compact):
        total += 120.0 if key_lower == compact else 100.0 + 10.0 * len(compact) / len(key_lower)
    if not query.tokens:
        return total
    year = str(cand.year) if cand.year else ""
    matched_title: set[str] = set()
    last = len(query.tokens) - 1
    for i, token in enumerate(query.tokens):
        prefix_ok = query.last_is_prefix and i == last
        kinds, hits = matches.kinds[i], matches.hits[i]
        best = _author_points(token, paper, kinds, hits)
        title_points, word = _title_points(token, paper, kinds, hits)
        if title_points > best:
            best = title_points
        if word:
            matched_title.add(word)
        if token == year:
            best = max(best, 7.0)
        if token in paper.venue_text and (
            token in paper.venue_set
            or (prefix_ok and any(v.startswith(token) for v in paper.venue_set))
        ):
            best = max(best, 3.0)
        if token in key_lower and any(k.startswith(token) for k in paper.key_words):
            best = max(best, 3.0 if len(token) < 3 else 5.0)
        if best == 0.0:
            if token in paper.given_set:
                best = 2.0
            elif cand.matched_abstract:
                best = 2.5
        total += best if best > 0 else -4.0
    if paper.title and matched_title:
        total += 1.5 * len(matched_title) / len(paper.title_set)
    return total


def words(text: str) -> list[str]:
    """Lowercase ASCII words, as the FTS tokenizer sees them (fast for ASCII text)."""
    if text.isascii():
        return _TOKEN.findall(text.lower())
    return _TOKEN.findall(fold(text))


_TYPO, _PREFIX, _EXACT = 1, 2, 3


class WordMatches:
    """Which title and name words each query word matches, and how: worked out once per
    search over the words of all its candidates, so that scoring a candidate is mostly a
    set intersection. A short word that is not being typed can only match exactly."""

    __slots__ = ("hits", "kinds")

    def __init__(self, query: Query, papers: Iterable[PaperWords]) -> None:
        vocabulary: set[str] = set()
        for paper in papers:
            vocabulary |= paper.title_set
            vocabulary |= paper.family_set
        last = len(query.tokens) - 1
        #: Per query word: each matching word and its kind (exact, prefix, typo).
        self.kinds: list[dict[str, int]] = [
            _word_kinds(token, vocabulary, query.last_is_prefix and i == last)
            for i, token in enumerate(query.tokens)
        ]
        self.hits: list[frozenset[str]] = [frozenset(k) for k in self.kinds]


def _word_kinds(token: str, vocabulary: set[str], prefix_ok: bool) -> dict[str, int]:
    kinds: dict[str, int] = {}
    if len(token) >= _MIN_TYPO_LENGTH:
        for word, _, _ in process.extract(
            token, vocabulary, scorer=OSA.distance, score_cutoff=1, limit=None
        ):
            kinds[word] = _TYPO
    if prefix_ok:
        for word in vocabulary:
            if word.startswith(token):
                kinds[word] = _PREFIX
    if token in vocabulary:
        kinds[token] = _EXACT
    return kinds


def _author_points(
    token: str, paper: PaperWords, kinds: dict[str, int], hits: frozenset[str]
) -> float:
    """14 for the first author's family name, 10 for another's; a prefix (of two letters
    or more) earns 60% of that, a typo half."""
    common = paper.family_set & hits
    if not common:
        return 0.0
    best = 0.0
    for weight, names in ((14.0, paper.first_family), (10.0, paper.other_families)):
        for word in common & names:
            kind = kinds[word]
            if kind == _EXACT:
                return max(best, weight)
            if kind == _PREFIX and len(token) >= 2:
                best = max(best, weight * 0.6)
            elif kind == _TYPO:
                best = max(best, weight * 0.5)
    return best


def _title_points(
    token: str, paper: PaperWords, kinds: dict[str, int], hits: frozenset[str]
) -> tuple[float, str]:
    if token in paper.title_set:
        return 8.0, token
    common = paper.title_set & hits
    if not common:
        return 0.0, ""
    best, matched = 0.0, ""
    for word in paper.title:
        if word not in common:
            continue
        # A typo earns 5; exact matches were taken above.
        points = 5.0 + 2.0 * len(token) / len(word) if kinds[word] == _PREFIX else 5.0
        if points > best:
            best, matched = points, word
    return best, matched


# --- gathering candidates ---------------------------------------------------------------


class _WordCache:
    """The words of the papers searched lately, by their text.

    Typing a query one letter at a time meets the same candidates again and again; their
    words are split once. Keyed by the text itself, an entry can never be stale. A search
    meets at most a few hundred papers, so the last few searches' papers are all it needs:
    when full, the quarter used longest ago goes. About 2 KB an entry, so at most 4 MB,
    reached within minutes of typing and then flat (the soak test measures that).
    """

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.words: dict[tuple[str, str, str, str, str], PaperWords] = {}

    def of(self, key: str, title: str, families: str, givens: str, venue: str) -> PaperWords:
        text = (key, title, families, givens, venue)
        found = self.words.pop(text, None)
        if found is None:
            if len(self.words) >= self.size:
                for old in list(itertools.islice(self.words, self.size // 4)):
                    del self.words[old]
            found = PaperWords.of_joined(key, title, families, givens if families else "", venue)
        self.words[text] = found  # last in order: used most recently
        return found


def _names(joined: str) -> list[str]:
    return joined.split(NAME_SEPARATOR) if joined else []


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
            candidates.append(
                Candidate(
                    key=key,
                    title=title,
                    families=_names(families),
                    givens=_names(givens) if families else [],
                    year=year,
                    venue=venue,
                    matched_abstract=self.ids[pid],
                    paper_id=pid,
                    doi=doi,
                    arxiv=arxiv,
                    paper_words=_WORDS.of(key, title, families, givens, venue),
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
                [self._prefix(o) if is_last_prefix and o == token else _quote(o) for o in options]
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
        return self._prefix(token) if prefix else _quote(token)

    def _prefix(self, token: str) -> str:
        """`token*` as FTS5 answers it fast. A prefix longer than the table's longest prefix
        index makes FTS5 merge the whole doclist of every word it starts before it can return
        one row (`learn*` at 1M papers: 13 ms, where `lear*` takes 0.1 ms). Such a prefix is
        spelled out as the indexed words it starts, or, when there are too many (or none:
        a given name is in no word list), cut to the indexed length; scoring then keeps only
        the papers that match the whole prefix."""
        if len(token) <= _PREFIX_INDEXED:
            return _quote(token) + "*"
        started = self._query(
            "SELECT term FROM terms WHERE term >= ? AND term < ? LIMIT ?",
            (token, token + "\uffff", _PREFIX_SPELLED_OUT + 1),
        )
        if 0 < len(started) <= _PREFIX_SPELLED_OUT:
            return "(" + " OR ".join(_quote(term) for (term,) in started) + ")"
        return _quote(token[:_PREFIX_INDEXED]) + "*"

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
