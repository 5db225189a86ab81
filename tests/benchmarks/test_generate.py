"""The benchmark corpus generator: same seed, same bytes; output real parsers accept.

Small counts only: speed is measured by `benchmarks/run.py`, not here.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import bibtexparser
import pytest

GENERATE = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
COUNT = 200
ARXIV_KEYS = [
    "id", "submitter", "authors", "title", "comments", "journal-ref", "doi", "report-no",
    "categories", "license", "abstract", "versions", "update_date", "authors_parsed",
]  # fmt: skip


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    """benchmarks/ is not a package: load the script by path."""
    spec = importlib.util.spec_from_file_location("_paper_ls_bench_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def run(gen: ModuleType, fmt: str, seed: int = 1, **kwargs: Any) -> tuple[bytes, Any]:
    out = io.BytesIO()
    result = gen.generate(fmt, kwargs.pop("count", COUNT), seed, out, **kwargs)
    return out.getvalue(), result


@pytest.mark.parametrize("fmt", ["bib", "jsonl"])
def test_same_seed_same_bytes_other_seed_other_bytes(gen: ModuleType, fmt: str) -> None:
    first, result = run(gen, fmt)
    again, _ = run(gen, fmt)
    other, _ = run(gen, fmt, seed=2)
    assert first == again
    assert first != other
    assert result.records == COUNT and result.bytes == len(first)


def test_bib_parses_without_failures_and_keys_are_unique(gen: ModuleType) -> None:
    data, _ = run(gen, "bib")
    library = bibtexparser.parse_string(data.decode("utf-8"))
    assert library.failed_blocks == []
    assert len(library.entries) == COUNT
    keys = [entry.key.lower() for entry in library.entries]
    assert len(set(keys)) == COUNT
    assert library.strings, "the @string macros at the top"
    for entry in library.entries:
        fields = {f.key.lower() for f in entry.fields}
        assert {"title", "author", "year"} <= fields, entry.key
    types = {entry.entry_type.lower() for entry in library.entries}
    assert {"article", "inproceedings", "misc"} <= types
    assert any(key.startswith("dblp:") for key in keys)
    assert any(re.fullmatch(r"[a-z]+\d{4}[a-z]+", key) for key in keys)  # Google Scholar
    assert "\n\n@" in data.decode() and "\n\n\n" not in data.decode()


def test_jsonl_lines_have_the_arxiv_snapshot_shape(gen: ModuleType) -> None:
    data, _ = run(gen, "jsonl")
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == COUNT
    records = [json.loads(line) for line in lines]
    assert all(list(record) == ARXIV_KEYS for record in records)
    assert len({record["id"] for record in records}) == COUNT
    pattern = re.compile(r"\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7}")
    assert all(pattern.fullmatch(record["id"]) for record in records)
    assert any("/" in record["id"] for record in records), "some old-style ids"
    for record in records:
        assert record["abstract"].startswith("  ") and record["abstract"].endswith("\n")
        assert record["versions"][0]["version"] == "v1"
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", record["update_date"])
        assert record["authors_parsed"]
        assert all(len(name) == 3 for name in record["authors_parsed"])
    assert any("\n  " in record["title"] for record in records), "wrapped long titles"


def test_queries_have_every_kind_and_point_at_generated_records(gen: ModuleType) -> None:
    plain, _ = run(gen, "bib")
    data, result = run(gen, "bib", query_count=80)
    assert data == plain, "asking for queries must not change the corpus"
    keys = {entry.key for entry in bibtexparser.parse_string(data.decode()).entries}
    assert {q["kind"] for q in result.queries} == set(gen.QUERY_KINDS)
    assert len(result.queries) == 80
    for query in result.queries:
        assert query["query"].strip() and query["target"] in keys, query
        if query["kind"] == "short-prefix":
            assert 1 <= len(query["query"]) <= 2
        if query["kind"] == "common-name":
            assert query["query"] in {"wang", "li", "zhang", "liu", "chen"}


def test_cli_writes_corpus_and_queries(gen: ModuleType, tmp_path: Path, capsys: Any) -> None:
    out, queries = tmp_path / "corpus.jsonl", tmp_path / "queries.json"
    args = ["--format", "jsonl", "--count", "50", "--seed", "3", "--out", str(out)]
    assert gen.main([*args, "--queries", str(queries), "--query-count", "16"]) == 0
    assert "wrote 50 records" in capsys.readouterr().err
    ids = {json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()}
    loaded = json.loads(queries.read_text(encoding="utf-8"))
    assert len(loaded) == 16 and {q["target"] for q in loaded} <= ids


def test_worker_processes_do_not_change_the_bytes(gen: ModuleType) -> None:
    count = 2 * gen._CHUNK + 10  # three chunks: enough for the parallel path
    alone, _ = run(gen, "bib", count=count, workers=1)
    parallel, _ = run(gen, "bib", count=count, workers=2)
    assert alone == parallel
