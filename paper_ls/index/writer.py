"""Changing the index: papers, their records and their full-text rows, kept in step.

The FTS tables are contentless, so a row can only be removed by handing back exactly the
text that was indexed. Every change to a paper therefore goes `unindex -> change records ->
reindex`, and the indexed text is always derived from what is stored, never from the input.
"""

from __future__ import annotations

import json
import re
import sqlite3

from paper_ls.bibtex.latex import fold
from paper_ls.index import codec
from paper_ls.index.dedupe import merge, normalise_title, title_hash, titles_agree
from paper_ls.index.store import NAME_SEPARATOR, indexed_authors
from paper_ls.model import Paper

MIN_TITLE_FOR_DEDUPE = 12  # "Introduction" in two books is not one paper
#: The columns of `papers` that `_paper_row` fills, in its order.
PAPER_COLUMNS = (
    "key, entry_type, title, families, givens, year, venue, doi, arxiv, has_abstract, title_hash"
)
_MIN_TERM_FOR_TYPOS = 5
_TERMS_PER_QUERY = 50_000
#: Words of a title that the FTS tokenizer splits exactly as we do.
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_TITLE_WORDS_TO_MATCH = 8
_TITLE_CANDIDATES = 50


class PaperWriter:
    """Writes within an open transaction; collects title/author terms for typo lookup."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.new_terms: set[str] = set()
        #: Normalised title -> id of papers without authors; loaded on first need.
        self._authorless: dict[str, int] | None = None

    # --- finding -----------------------------------------------------------------------

    def find_same_paper(self, paper: Paper) -> int | None:
        """The id of a paper this record describes too: same DOI, arXiv id, or title+year.

        A record without authors (a copied listing) carries a year that may be the listing's
        rather than the paper's, or none at all: it matches by title alone, in both directions.
        """
        if paper.doi or paper.arxiv:
            for pid, title in self.conn.execute(
                "SELECT id, title FROM papers WHERE doi = ?1 AND doi != ''"
                " UNION ALL SELECT id, title FROM papers WHERE arxiv = ?2 AND arxiv != ''",
                (paper.doi.lower(), paper.arxiv),
            ):
                if titles_agree(title, paper.title):
                    return int(pid)
        normalised = normalise_title(paper.title)
        if len(normalised) >= MIN_TITLE_FOR_DEDUPE:
            for pid, title in self.conn.execute(
                "SELECT id, title FROM papers WHERE title_hash = ?",
                (title_hash(paper.title, paper.year),),
            ):
                if normalise_title(title) == normalised:
                    return int(pid)
            if not paper.authors:
                return self._find_by_title(paper.title, normalised)
            return self.find_authorless(normalised)
        return None

    def _find_by_title(self, title: str, normalised: str) -> int | None:
        """Any paper with this normalised title, whatever its year: found through the FTS
        title column by its longest words, then checked exactly."""
        words = sorted(set(_ASCII_WORD.findall(title.lower())), key=len, reverse=True)
        if not words:
            return None
        query = "title : (" + " ".join(f'"{w}"' for w in words[:_TITLE_WORDS_TO_MATCH]) + ")"
        for pid, stored in self.conn.execute(
            "SELECT p.id, p.title FROM papers p WHERE p.id IN"
            " (SELECT rowid FROM fts_meta WHERE fts_meta MATCH ? LIMIT ?) ORDER BY p.id",
            (query, _TITLE_CANDIDATES),
        ):
            if normalise_title(stored) == normalised:
                return int(pid)
        return None

    def find_authorless(self, normalised: str) -> int | None:
        """A paper without authors (from a listing) with this normalised title."""
        if self._authorless is None:
            self._authorless = {}
            for pid, title in self.conn.execute(
                "SELECT id, title FROM papers INDEXED BY papers_authorless WHERE families = ''"
            ):
                self._authorless.setdefault(normalise_title(title), int(pid))
        pid = self._authorless.get(normalised)
        if pid is None:
            return None
        row = self.conn.execute("SELECT families FROM papers WHERE id = ?", (pid,)).fetchone()
        if row is None or row[0]:
            del self._authorless[normalised]  # completed or removed since
            return None
        return pid

    def key_is_taken(self, key: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM papers WHERE key = ? COLLATE NOCASE LIMIT 1", (key,)
            ).fetchone()
            is not None
        )

    # --- papers ------------------------------------------------------------------------

    def insert_paper(self, paper: Paper) -> int:
        cursor = self.conn.execute(
            f"INSERT INTO papers ({PAPER_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            _paper_row(paper),
        )
        paper_id = int(cursor.lastrowid or 0)
        self._index(paper_id, paper)
        if not paper.authors and self._authorless is not None:
            self._authorless.setdefault(normalise_title(paper.title), paper_id)
        return paper_id

    def unindex(self, paper_id: int) -> None:
        """Remove a paper's FTS rows, computing the indexed text from what is stored."""
        row = self.conn.execute(
            "SELECT title, families, givens, year, venue, has_abstract FROM papers WHERE id = ?",
            (paper_id,),
        ).fetchone()
        if row is None:
            return
        title, families, givens, year, venue, has_abstract = row
        self.conn.execute(
            "INSERT INTO fts_meta (fts_meta, rowid, title, authors, year, venue)"
            " VALUES ('delete', ?, ?, ?, ?, ?)",
            (paper_id, title, indexed_authors(families, givens), year_text(year), venue),
        )
        if has_abstract:
            abstract = merge(self.records_of(paper_id)).abstract
            self.conn.execute(
                "INSERT INTO fts_abstract (fts_abstract, rowid, abstract) VALUES ('delete', ?, ?)",
                (paper_id, abstract),
            )

    def rebuild(self, paper_id: int) -> None:
        """Recompute a paper from its records (after `unindex`); drop it if none are left."""
        records = self.records_of(paper_id)
        if not records:
            self.conn.execute("DELETE FROM papers WHERE id = ?", (paper_id,))
            return
        paper = merge(records)
        self.conn.execute(
            "UPDATE papers SET key=?, entry_type=?, title=?, families=?, givens=?,"
            " year=?, venue=?, doi=?, arxiv=?, has_abstract=?,"
            " title_hash=? WHERE id = ?",
            (*_paper_row(paper), paper_id),
        )
        self._index(paper_id, paper)

    def records_of(self, paper_id: int) -> list[Paper]:
        rows = self.conn.execute(
            "SELECT data, key FROM records WHERE paper_id = ? ORDER BY id", (paper_id,)
        ).fetchall()
        return [codec.decode(blob, key=key) for blob, key in rows]

    def _index(self, paper_id: int, paper: Paper) -> None:
        self.conn.execute(
            "INSERT INTO fts_meta (rowid, title, authors, year, venue) VALUES (?,?,?,?,?)",
            (paper_id, paper.title, author_text(paper), year_text(paper.year), paper.venue),
        )
        if paper.abstract:
            self.conn.execute(
                "INSERT INTO fts_abstract (rowid, abstract) VALUES (?, ?)",
                (paper_id, paper.abstract),
            )
        self.new_terms.update(fold(paper.title).split())
        for person in paper.authors:
            self.new_terms.update(fold(person.family).split())

    # --- terms for typo correction -------------------------------------------------------

    def flush_terms(self) -> None:
        """Record new title/author words and their one-deletion variants (SymSpell style)."""
        candidates = sorted(self.new_terms)
        known: set[str] = set()
        for start in range(0, len(candidates), _TERMS_PER_QUERY):
            known.update(
                term
                for (term,) in self.conn.execute(
                    "SELECT term FROM terms WHERE term IN (SELECT value FROM json_each(?))",
                    (json.dumps(candidates[start : start + _TERMS_PER_QUERY]),),
                )
            )
        fresh = [term for term in candidates if term not in known]
        self.conn.executemany("INSERT INTO terms (term) VALUES (?)", ((t,) for t in fresh))
        self.conn.executemany(
            "INSERT OR IGNORE INTO term_variants (variant, term) VALUES (?, ?)",
            (
                (variant, term)
                for term in fresh
                if len(term) >= _MIN_TERM_FOR_TYPOS
                for variant in deletions(term)
            ),
        )
        self.new_terms.clear()


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def author_text(paper: Paper) -> str:
    return "; ".join(p.display() for p in paper.authors)


def year_text(year: int | None) -> str:
    return str(year) if year else ""


def _paper_row(paper: Paper) -> tuple[object, ...]:
    return (
        paper.key,
        paper.entry_type,
        paper.title,
        NAME_SEPARATOR.join(p.family for p in paper.authors),
        NAME_SEPARATOR.join(p.given for p in paper.authors),
        paper.year,
        paper.venue,
        paper.doi.lower(),
        paper.arxiv,
        1 if paper.abstract else 0,
        title_hash(paper.title, paper.year),
    )
