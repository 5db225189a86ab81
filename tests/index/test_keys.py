"""Generated keys never run out, and a long run of one base key stays cheap."""

from __future__ import annotations

from paper_ls.index.keys import generate_key, suffix_at
from paper_ls.model import Paper, Person

PAPER = Paper(key="", title="Deep Learning", year=2020, authors=[Person("Wang", "Li")])


def test_suffixes_go_past_two_letters() -> None:
    taken: set[str] = set()
    for _ in range(1 + 26 + 26 * 26 + 3):
        taken.add(generate_key(PAPER, taken.__contains__))
    assert len(taken) == 1 + 26 + 26 * 26 + 3
    assert {"wang2020deep", "wang2020deepz", "wang2020deepzz", "wang2020deepaaa"} <= taken
    assert "wang2020deepaac" in taken


def test_skip_hint_avoids_probing_taken_keys_again() -> None:
    taken: set[str] = set()
    probes: list[str] = []

    def is_taken(key: str) -> bool:
        probes.append(key)
        return key in taken

    skip: dict[str, int] = {}
    for _ in range(100):
        taken.add(generate_key(PAPER, is_taken, skip))
    assert len(taken) == 100
    # One probe per key, not 1 + 2 + ... + 100; the bare key is asked about twice, as a
    # base that needed no suffix is not remembered.
    assert len(probes) == 101


def test_bases_that_needed_no_suffix_are_not_remembered() -> None:
    """A snapshot's millions of distinct bases must not each hold a hint in memory."""
    skip: dict[str, int] = {}
    for year in range(1990, 2020):
        generate_key(Paper(key="", title="Deep nets", year=year), lambda key: False, skip)
    assert skip == {}


def test_papers_without_authors_take_title_words_and_year() -> None:
    def key(title: str, year: int | None) -> str:
        return generate_key(Paper(key="", title=title, year=year), lambda k: False)

    assert key("Provable Scaling Laws of Feature Emergence", 2025) == "provable2025"
    assert key("Grams: Gradient Descent with Adaptive Momentum", None) == "gramsgradient"
    assert key("4+3 Phases of Compute-Optimal Neural Scaling Laws", 2024) == "phases2024"
    assert key("1984", None) == "1984"
    assert key("", None) == "paper"


def test_the_nth_suffix_is_the_nth_in_shortest_first_order() -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    counted = ["", *letters, *(a + b for a in letters for b in letters)]
    counted += [a + b + c for a in letters for b in letters for c in letters]
    assert [suffix_at(n) for n in range(len(counted))] == counted
