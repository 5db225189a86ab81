"""Finding the paper a writer means, from whatever they remember, on the sample library."""

from __future__ import annotations

import threading

import pytest

from paper_ls.index.search import Candidate, _WordCache, parse_query, rank, score, search
from paper_ls.index.store import Index


def top(index: Index, query: str, n: int = 1) -> list[str]:
    return [hit.key for hit in search(index.conn, query, limit=n).hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vaswani2017", "vaswani2017attention"),  # key prefix
        ("heDeep", "heDeepResidualLearning2016"),  # Better BibTeX key, mixed case
        ("DBLP:conf/nips/Good", "DBLP:conf/nips/GoodfellowPMXWOCB14"),  # DBLP key
        ("vaswani", "vaswani2017attention"),  # author family name
        ("vaswani 2017", "vaswani2017attention"),  # author and year
        ("need attention", "vaswani2017attention"),  # title words in any order
        ("residual learning rec", "heDeepResidualLearning2016"),  # last word a prefix
        ("atention need", "vaswani2017attention"),  # one typo in a five-letter word
        ("hochreiter shortterm memmory", "hochreiter1997long"),  # typo with author
        ("sequence transduction recurrence", "vaswani2017attention"),  # abstract words
        ("erdos renyi", "erdos1959random"),  # accents typed plainly
        ("Erdős", "erdos1959random"),  # accents typed as such
        ("kaiser polosukhin", "vaswani2017attention"),  # non-first authors
        ("resolution adapter diffusion", "resadapter2024"),  # a listing paper, no authors
    ],
)
def test_finds_the_paper_first(sample_index: Index, query: str, expected: str) -> None:
    assert top(sample_index, query) == [expected]


def test_first_author_beats_coauthor_beats_title_word() -> None:
    query = parse_query("hinton")
    first = Candidate(key="first", title="Deep Belief Nets", families=["Hinton", "Osindero"])
    coauthor = Candidate(key="co", title="Dropout", families=["Srivastava", "Hinton"])
    in_title = Candidate(key="title", title="Hinton Diagrams Revisited", families=["Doe"])
    ranked = [h.key for h in rank(query, [in_title, coauthor, first])]
    assert ranked == ["first", "co", "title"]


def test_no_match_gives_nothing(sample_index: Index) -> None:
    assert search(sample_index.conn, "zzzqqq xylophonic").hits == []


def test_empty_query_returns_without_error(sample_index: Index) -> None:
    assert search(sample_index.conn, "").hits == []


def test_fts_syntax_in_query_is_harmless(sample_index: Index) -> None:
    for query in ['"unbalanced', "a AND OR NOT", "title:foo", "*", "NEAR(x y)", "(-)"]:
        search(sample_index.conn, query)  # must not raise


def test_results_carry_what_a_person_reads(sample_index: Index) -> None:
    hit = search(sample_index.conn, "vaswani2017attention").hits[0]
    assert hit.title == "Attention Is All You Need"
    assert hit.year == 2017
    assert hit.authors[0] == ("Vaswani", "Ashish")
    assert ("Kaiser", "Łukasz") in hit.authors
    assert hit.score > 0


def test_deadline_returns_what_was_found_and_says_so(sample_index: Index) -> None:
    result = search(sample_index.conn, "learning", deadline_s=0.0)
    assert result.timed_out


def test_extra_candidates_compete_and_preferred_keys_win_ties() -> None:
    query = parse_query("graph spectra")
    a = Candidate(key="a2020", title="Graph Spectra", families=["Doe"], year=2020)
    b = Candidate(key="b2020", title="Graph Spectra", families=["Doe"], year=2020)
    assert score(query, a) == score(query, b)
    assert [h.key for h in rank(query, [a, b], frozenset({"b2020"}))] == ["b2020", "a2020"]


def test_exact_key_beats_longer_key_with_same_prefix() -> None:
    query = parse_query("smith2020")
    exact = Candidate(key="smith2020", title="X", families=["Smith"], year=2020)
    longer = Candidate(key="smith2020graphs", title="Y", families=["Smith"], year=2020)
    assert [h.key for h in rank(query, [longer, exact])] == ["smith2020", "smith2020graphs"]


def test_a_stopped_search_returns_at_once_with_nothing(sample_index: Index) -> None:
    stop = threading.Event()
    assert search(sample_index.conn, "vaswani attention", stop=stop).hits  # not set: found
    stop.set()
    result = search(sample_index.conn, "vaswani attention", stop=stop)
    assert result.hits == [] and result.timed_out


def test_the_word_cache_stays_bounded_and_keeps_what_was_used_last() -> None:
    """Memory stays flat over hours of typing: old papers go, the ones in use stay."""
    cache = _WordCache(size=8)
    attention = ("vaswani2017", "Attention Is All You Need", "Vaswani", "Ashish", "NeurIPS")
    for n in range(50):
        cache.of(f"p{n}", f"Paper number {n}", f"Author{n}", "", "")
        words = cache.of(*attention)
        assert words.title == ("attention", "is", "all", "you", "need")
        assert words.first_family == {"vaswani"} and not words.other_families
        assert len(cache.words) <= 8
    assert attention in cache.words
    assert ("p49", "Paper number 49", "Author49", "", "") in cache.words
    assert ("p0", "Paper number 0", "Author0", "", "") not in cache.words
