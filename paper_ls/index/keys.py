"""Citation keys for records that come without one, in the style people already know.

Google Scholar's `vaswani2017attention` (first author's family name, year, first significant
title word, lowercase ASCII) is the style most researchers have typed for years.
"""

from __future__ import annotations

from collections.abc import Callable

from paper_ls.bibtex.latex import fold
from paper_ls.model import Paper

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "and",
        "with",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "be",
        "via",
        "towards",
        "toward",
        "into",
        "using",
        "do",
        "does",
        "we",
        "our",
        "its",
        "it",
        "this",
        "that",
        "what",
        "when",
        "how",
        "why",
    ]
)


def generate_key(
    paper: Paper, is_taken: Callable[[str], bool], skip: dict[str, int] | None = None
) -> str:
    """`family + year + word`, then `a`, `b`, ..., `zz`, `aaa`... until `is_taken` says free.

    `skip` remembers, per base, how many candidates were found taken, for callers whose taken
    keys only ever grow (one import): a snapshot with thousands of `wang2020deep` papers must
    not probe every earlier suffix again for each of them. A base whose first candidate was
    free is not remembered (nearly every base: that would hold every key of a snapshot in
    memory); the next paper with it asks about that candidate again, once.
    """
    return generate_key_from(base_key(paper), is_taken, skip)


def generate_key_from(
    base: str, is_taken: Callable[[str], bool], skip: dict[str, int] | None = None
) -> str:
    """`generate_key` for a paper whose `base_key` is `base`."""
    tried = skip.get(base, 0) if skip is not None else 0
    while True:
        candidate = base + suffix_at(tried)
        tried += 1
        if not is_taken(candidate):
            if skip is not None and tried > 1:
                skip[base] = tried
            return candidate


def base_key(paper: Paper) -> str:
    return base_key_of(
        fold(paper.first_author_family()).split(), paper.year, fold(paper.title).split()
    )


def base_key_of(family_words: list[str], year: int | None, title_words: list[str]) -> str:
    """`base_key` from the folded words of the first family name and of the title."""
    family = family_words[-1] if family_words else ""
    year_text = str(year) if year else ""
    words = _significant(title_words)
    word = words[0] if words else ""
    if family:
        return f"{family}{year_text}{word}"
    if year_text:
        return f"{word}{year_text}" if word else f"paper{year_text}"
    # Neither authors nor year (a copied listing): two title words tell papers apart.
    return "".join(words[:2]) or "paper"


def first_significant_word(title: str) -> str:
    words = significant_words(title)
    return words[0] if words else ""


def significant_words(title: str) -> list[str]:
    """Title words that say something: no stopwords, and no bare numbers ("4+3 Phases")
    unless the title has nothing else, since a key should not start with a digit."""
    return _significant(fold(title).split())


def _significant(folded: list[str]) -> list[str]:
    words = [w for w in folded if w not in _STOPWORDS]
    worded = [w for w in words if not w.isdigit()]
    return worded or words


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def suffix_at(n: int) -> str:
    """The n-th of '', 'a'..'z', 'aa'..'zz', 'aaa'...: computed, not counted to, so that
    the 20,000th `smith2021structure` of an import costs what the second one did."""
    if n <= len(_LETTERS):  # nearly every key: '' or one letter
        return _LETTERS[n - 1] if n else ""
    length, first = 0, 0
    while n >= first + 26**length:
        first += 26**length
        length += 1
    rest, letters = n - first, []
    for _ in range(length):
        rest, digit = divmod(rest, 26)
        letters.append(_LETTERS[digit])
    return "".join(reversed(letters))
