"""Hugging Face daily papers JSON: papers keyed by arXiv id, merged with the arXiv record."""

from __future__ import annotations

import json
from pathlib import Path

from paper_ls.index.importer import add_source
from paper_ls.index.reader import find_paper
from paper_ls.index.store import Index
from paper_ls.model import Paper
from paper_ls.sources import Problem, detect_format
from paper_ls.sources.huggingface import read

DAILY = [
    {
        "paper": {
            "id": "2403.02084",
            "authors": [
                {"_id": "a1", "name": "Jiaxiang Cheng", "hidden": False},
                {"_id": "a2", "name": "Pan Xie", "hidden": False},
                {"_id": "a3", "name": "Jan van der Berg", "hidden": False},
            ],
            "publishedAt": "2024-03-04T14:19:38.000Z",
            "title": "ResAdapter: Domain Consistent Resolution Adapter\n for Diffusion Models",
            "summary": "Recent advancement in text-to-image models\nenables individuals.",
            "upvotes": 15,
        },
        "publishedAt": "2024-03-05T02:00:00.000Z",
        "title": "ResAdapter: Domain Consistent Resolution Adapter for Diffusion Models",
        "numComments": 2,
    },
    {"paper": {"id": "2403.00000"}},
]


def write_daily(tmp_path: Path) -> Path:
    path = tmp_path / "daily_papers.json"
    path.write_text(json.dumps(DAILY), encoding="utf-8")
    return path


def test_daily_papers_are_read_with_authors_year_and_arxiv_id(tmp_path: Path) -> None:
    path = write_daily(tmp_path)
    paper, problem = list(read(path))
    assert isinstance(paper, Paper)
    assert paper.title == "ResAdapter: Domain Consistent Resolution Adapter for Diffusion Models"
    assert paper.abstract == "Recent advancement in text-to-image models enables individuals."
    assert [(a.family, a.given) for a in paper.authors] == [
        ("Cheng", "Jiaxiang"),
        ("Xie", "Pan"),
        ("van der Berg", "Jan"),
    ]
    assert (paper.year, paper.arxiv) == (2024, "2403.02084")
    assert problem == Problem(str(path), None, "item 2: not a paper (no 'paper.title')")


def test_detected_by_content_and_merged_with_the_arxiv_record(tmp_path: Path, index: Index) -> None:
    path = write_daily(tmp_path)
    assert detect_format(path) == "huggingface"
    snapshot = tmp_path / "arxiv.jsonl"
    snapshot.write_text(
        json.dumps(
            {
                "id": "2403.02084",
                "title": "ResAdapter: Domain Consistent Resolution Adapter for Diffusion Models",
                "authors_parsed": [["Cheng", "Jiaxiang", ""], ["Xie", "Pan", ""]],
                "categories": "cs.CV",
                "versions": [{"version": "v1", "created": "Mon, 4 Mar 2024 14:19:38 GMT"}],
            }
        )
        + "\n"
    )
    add_source(index, snapshot)
    report = add_source(index, path)
    assert report.added == 1
    assert index.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 1
    stored = find_paper(index.conn, "cheng2024resadapter")
    assert stored is not None
    assert {p.source for p in stored.provenances} == {"arxiv", "huggingface"}
    assert stored.paper.abstract.startswith("Recent advancement")
    assert len(stored.paper.authors) == 3
