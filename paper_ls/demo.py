"""The main job with no editor and no set-up: index the bundled sample library and query it.

Each step is a small function over a shared context so later capabilities (the language
server's completion, hover and insertion) add steps without touching the others.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TextIO

from paper_ls.bibtex.render import render_entry
from paper_ls.index.importer import add_source
from paper_ls.index.reader import find_paper, stats
from paper_ls.index.search import search
from paper_ls.index.store import Index


@dataclass(slots=True)
class DemoContext:
    index: Index
    sample: Path
    out: TextIO

    def say(self, text: str = "") -> None:
        print(text, file=self.out)


Step = Callable[[DemoContext], None]

#: What a writer remembers of a paper, and what paper-ls finds from it.
QUERIES: tuple[tuple[str, str], ...] = (
    ("an author and a year", "vaswani 2017"),
    ("title words, any order, last one half typed", "residual deep learn"),
    ("a typo in a title word", "atention need"),
    ("a phrase of the abstract", "sequence transduction recurrence"),
    ("the start of a Better BibTeX key", "heDeep"),
    ("an accented name typed plainly", "erdos renyi"),
)


def sample_library() -> Path:
    return Path(str(resources.files("paper_ls") / "data" / "sample.bib"))


def step_import(ctx: DemoContext) -> None:
    started = time.perf_counter()
    report = add_source(ctx.index, ctx.sample)
    elapsed = (time.perf_counter() - started) * 1000
    s = stats(ctx.index.conn, ctx.index.path)
    ctx.say(f"Indexed {report.entries} entries from the sample library in {elapsed:.0f} ms")
    ctx.say(f"  -> {s.papers} papers ({s.with_abstract} with abstracts) in {ctx.index.path}")
    for problem in report.problems:
        ctx.say(f"  warning: {problem}")


def step_search(ctx: DemoContext) -> None:
    ctx.say("\nSearching as a person remembers a paper:")
    for what, query in QUERIES:
        started = time.perf_counter()
        result = search(ctx.index.conn, query, limit=3)
        elapsed = (time.perf_counter() - started) * 1000
        ctx.say(f"\n  {what}: '{query}'  ({elapsed:.1f} ms)")
        for hit in result.hits:
            who = (
                hit.authors[0][0] + (" et al." if len(hit.authors) > 1 else "")
                if hit.authors
                else ""
            )
            ctx.say(f"    {hit.key:38} {hit.year or '':<5} {who:18.18} {hit.title[:60]}")
        if not result.hits:
            ctx.say("    (nothing found)")


def step_export(ctx: DemoContext) -> None:
    stored = find_paper(ctx.index.conn, "vaswani2017attention")
    if stored is None:
        ctx.say("\n(vaswani2017attention is not in the sample library)")
        return
    ctx.say("\nIts BibTeX, ready to paste or to be inserted by the language server:\n")
    ctx.say(render_entry(stored.paper).rstrip())


def step_server(ctx: DemoContext) -> None:
    from paper_ls.demo_server import step_language_server

    step_language_server(ctx)


STEPS: list[Step] = [step_import, step_search, step_export, step_server]


def run_demo(out: TextIO) -> int:
    with tempfile.TemporaryDirectory(prefix="paper-ls-demo-") as tmp:
        index = Index.open(Path(tmp) / "index.sqlite3")
        with index:
            ctx = DemoContext(index, sample_library(), out)
            for step in STEPS:
                step(ctx)
    return 0
