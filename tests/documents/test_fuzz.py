"""Property tests: the citation finders answer for any text, and what they answer is true.

Random documents built from the characters that matter to LaTeX and Markdown (braces,
brackets, `@`, `%`, backslashes, backticks, line breaks of every kind, NUL, non-BMP text)
must never raise, and every citation found must cover exactly its key in the text.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given, settings
from hypothesis import strategies as st

import paper_ls.documents.latex as latex
import paper_ls.documents.markdown as markdown
from paper_ls.documents.model import Citation, Position, from_utf16, split_lines

_PIECES = [
    "\\cite{", "\\citep[p.~3]{", "\\autocite", "\\cites(a)(b)[2]{", "}", "{", ",", " ", "a",
    "vaswani2017", "DBLP:conf/x", "%", "\\verb|", "|", "\\begin{verbatim}", "\\end{verbatim}",
    "\n", "\r\n", "\r", "[@", "@", "@{odd.key}", "; -@", "]", "`", "```\n", "me@example.org",
    "https://x.org/@a", "---\n", "bibliography: refs.bib\n", "\\bibliography{a,b}",
    "é", "中文", "😀", "\x00", "\t", "\\", "[see ",
]  # fmt: skip

documents = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


def text_at(lines: list[str], citation: Citation) -> str:
    start, end = citation.range.start, citation.range.end
    assert start.line == end.line, "a key never spans lines"
    line = lines[start.line]
    return line[from_utf16(line, start.character) : from_utf16(line, end.character)]


@contextmanager
def at_most(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: a finder must stay linear on a pathological line."""

    def stop(*_: object) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_latex_citations_cover_their_keys(text: str) -> None:
    lines = split_lines(text)
    for citation in latex.find_citations(text):
        assert citation.key and text_at(lines, citation) == citation.key


@settings(max_examples=400, deadline=None)
@given(documents)
def test_markdown_citations_cover_their_keys(text: str) -> None:
    lines = split_lines(text)
    for citation in markdown.find_citations(text):
        assert citation.key and text_at(lines, citation) == citation.key


@settings(max_examples=300, deadline=None)
@given(documents, st.integers(min_value=-2, max_value=45), st.integers(min_value=-2, max_value=400))
def test_completion_context_anywhere_is_none_or_around_the_cursor(
    text: str, line: int, character: int
) -> None:
    lines = split_lines(text)
    at = Position(line, character)
    for context in (latex.cite_context(lines, at), markdown.cite_context(lines, at)):
        if context is None:
            continue
        start, end = context.replace.start, context.replace.end
        assert start.line == end.line == line
        assert start.character <= end.character
        current = lines[line]
        typed = current[from_utf16(current, start.character) : from_utf16(current, character)]
        assert context.prefix == typed


@settings(max_examples=300, deadline=None)
@given(documents)
def test_bibliography_and_root_readers_accept_anything(text: str) -> None:
    latex.find_bibliographies(text)
    latex.find_includes(text)
    latex.magic_root(text)
    markdown.front_matter_bibliographies(text)


def test_a_one_megabyte_line_is_read_in_linear_time() -> None:
    noise = "{\\cite{a" * 60_000 + "[@b " * 60_000 + "%{" * 60_000
    lines = split_lines(noise)
    with at_most(20):
        latex.find_citations(noise)
        markdown.find_citations(noise)
        latex.cite_context(lines, Position(0, len(noise) // 2))
        markdown.cite_context(lines, Position(0, len(noise) - 1))
