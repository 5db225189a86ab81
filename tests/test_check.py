"""The findings themselves: bounded key look-ups in a real index, duplicates, unused entries."""

from __future__ import annotations

from pathlib import Path

from paper_ls.check import (
    PREFIX_SQL,
    IndexKeys,
    bib_findings,
    citation_findings,
    unused_findings,
)
from paper_ls.documents.model import Citation, Position, Range
from paper_ls.documents.project import parse_bib_text
from paper_ls.index.store import Index

AT = Range(Position(0, 0), Position(0, 1))


def test_index_knows_keys_and_suggests_near_ones(sample_index: Index) -> None:
    keys = IndexKeys(sample_index.conn)
    assert keys.knows("vaswani2017attention")
    assert keys.knows("VASWANI2017ATTENTION")  # keys compare without case, as BibTeX does
    assert not keys.knows("vaswani2017attn")
    assert keys.near("vaswani2017attn") == ("vaswani2017attention",)
    assert keys.near("kingma2015adm") == ("kingma2015adam",)
    assert keys.near("zzz") == ()


def test_near_keys_come_from_the_bibliography_too() -> None:
    keys = IndexKeys(None)
    assert not keys.available and not keys.knows("anything")
    assert keys.near("smith2020graph", ["smith2020graphs", "jones2019trees"]) == (
        "smith2020graphs",
    )


def test_one_finding_per_citation_and_a_verdict_per_key(sample_index: Index) -> None:
    bib = parse_bib_text(Path("refs.bib"), "@misc{here, title={x}}\n", None)
    citations = [Citation(k, AT, "cite") for k in ("here", "kingma2015adam", "gone", "gone")]
    found = citation_findings(Path("a.tex"), citations, [bib], IndexKeys(sample_index.conn))
    assert [(f.key, f.severity, f.code) for f in found] == [
        ("kingma2015adam", "warning", "not-in-bibliography"),
        ("gone", "error", "undefined-key"),
        ("gone", "error", "undefined-key"),
    ]


def test_duplicates_within_and_across_files() -> None:
    one = parse_bib_text(Path("one.bib"), "@misc{a, title={x}}\n@misc{a, title={y}}\n", None)
    two = parse_bib_text(Path("two.bib"), "@misc{A, title={z}}\n@misc{b, title={w}}\n", None)
    found = bib_findings([one, two, one])
    assert sorted((f.path.name, f.range.start.line, f.message) for f in found) == [
        ("one.bib", 0, "a is defined 3 times (one.bib:1, one.bib:2, two.bib:1)"),
        ("one.bib", 1, "a is defined 3 times (one.bib:1, one.bib:2, two.bib:1)"),
        ("two.bib", 0, "A is defined 3 times (one.bib:1, one.bib:2, two.bib:1)"),
    ]
    unused = unused_findings([two], {"a"})
    assert [(f.key, f.severity) for f in unused] == [("b", "hint")]


def test_near_key_probes_use_the_key_index(sample_index: Index) -> None:
    plan = sample_index.conn.execute(
        "EXPLAIN QUERY PLAN " + PREFIX_SQL, ("vas", "vas\U0010ffff", 200)
    ).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING" in details and "INDEX papers_key" in details, details
    assert "SCAN" not in details
