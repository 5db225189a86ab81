"""Hugging Face daily papers (the API's JSON list) as a source of papers.

Each item is `{"paper": {"id", "title", "summary", "authors": [{"name"}], "publishedAt",
"upvotes"}, ...}` (the `/api/papers` form without the `paper` wrapper is read too). The id is
an arXiv id, which is what lets these records merge with the same paper from elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paper_ls.errors import SourceError
from paper_ls.model import Paper, Provenance
from paper_ls.sources import Problem, Reader, ReadOptions, Record, reading
from paper_ls.sources.plain import collapse, person_from_full_name, year_in

SOURCE_KIND = "huggingface"


def reader(options: ReadOptions) -> Reader:
    return read


def read(path: Path) -> Iterator[Record]:
    name = str(path)
    with reading(path):
        raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        yield Problem(name, exc.lineno, f"not valid JSON: {exc.msg}")
        return
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not UTF-8 text, so not Hugging Face JSON") from None
    if not isinstance(data, list):
        raise SourceError(f"{path}: expected a JSON list of daily papers")
    for number, item in enumerate(data, 1):
        paper = item.get("paper", item) if isinstance(item, dict) else None
        if not isinstance(paper, dict) or not isinstance(paper.get("title"), str):
            yield Problem(name, None, f"item {number}: not a paper (no 'paper.title')")
            continue
        yield paper_from_item(paper, name)


def paper_from_item(paper: dict[str, Any], path: str) -> Paper:
    arxiv_id = paper.get("id")
    authors = paper.get("authors")
    return Paper(
        key="",
        entry_type="misc",
        title=collapse(paper["title"]),
        authors=[
            person_from_full_name(a["name"])
            for a in (authors if isinstance(authors, list) else [])
            if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()
        ],
        year=year_in(str(paper.get("publishedAt") or "")),
        abstract=collapse(str(paper.get("summary") or "")),
        arxiv=arxiv_id.strip() if isinstance(arxiv_id, str) else "",
        provenance=Provenance(SOURCE_KIND, path, None),
    )
