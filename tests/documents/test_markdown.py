"""Tests for paper_ls.documents.markdown (Pandoc, Quarto and R Markdown citations).

Documents are written with markers: ``‸`` is the cursor and ``«…»`` the range a completion
replaces (for `cite_context`) or each key's range (for `find_citations`). The helpers below
turn them into positions with their own UTF-16 arithmetic, independent of the code under test.
"""

from __future__ import annotations

import pytest

from paper_ls.documents import markdown
from paper_ls.documents.model import Citation, CiteContext, Position, Range
from tests.documents.marked import RecordingLines, parse

DBLP = "DBLP:conf/nips/VaswaniSPUJGKP17"


def context(marked: str) -> CiteContext | None:
    lines, cursor, _ = parse(marked)
    assert cursor is not None
    return markdown.cite_context(lines, cursor)


def expect(marked: str, prefix: str, keys_before: tuple[str, ...] = (), command: str = "@") -> None:
    lines, cursor, ranges = parse(marked)
    assert cursor is not None and len(ranges) == 1
    assert markdown.cite_context(lines, cursor) == CiteContext(
        prefix=prefix,
        replace=ranges[0],
        keys_before=keys_before,
        command=command,
        language="markdown",
    )


def found(marked: str) -> list[tuple[str, str]]:
    """(key, command) of every citation found; their ranges must be exactly the marked ones."""
    lines, _, ranges = parse(marked)
    citations = markdown.find_citations("\n".join(lines))
    assert [c.range for c in citations] == ranges
    return [(c.key, c.command) for c in citations]


# --------------------------------------------------------------------------- cite_context


@pytest.mark.parametrize(
    ("marked", "prefix", "keys_before", "command"),
    [
        # bracketed citations
        ("[@«smi‸th»]", "smi", (), "[@"),
        ("[@«smith‸»]", "smith", (), "[@"),
        ("[@«‸smith»]", "", (), "[@"),
        ("[@«‸»", "", (), "[@"),
        ("[@«‸»]", "", (), "[@"),
        ("[see @doe, p. 33; -@«oth‸er»]", "oth", ("doe",), "[@"),
        ("[see @doe, p. 33; -@«‸»]", "", ("doe",), "[@"),
        ("[@a;@«b‸»]", "b", ("a",), "[@"),
        ("[@a; @b; @«‸»", "", ("a", "b"), "[@"),
        ("[-@«a‸»]", "a", (), "[@"),
        ("[@{x:y}; @«‸»]", "", ("x:y",), "[@"),
        ("[mail me@x.org or see https://x.org/@u; @«‸»]", "", (), "[@"),
        ("[see `@code`; @«a‸»]", "a", (), "[@"),
        ("[@a, p. [33]; @«b‸»]", "b", ("a",), "[@"),
        ("[@a] and [see @«b‸»", "b", (), "[@"),
        ("\\[@a] [@«b‸»", "b", (), "[@"),
        # in-text citations
        ("@«‸»", "", (), "@"),
        ("@«a‸»", "a", (), "@"),
        ("As @«smi‸th2020» says", "smi", (), "@"),
        ("As @«smith2020‸» says", "smith2020", (), "@"),
        ("-@«smith‸»", "smith", (), "@"),
        ("(@«smith‸»)", "smith", (), "@"),
        ("x;@«smith‸»", "smith", (), "@"),
        ("text\t@«smith‸»", "smith", (), "@"),
        ("[@a] and @«b‸»", "b", (), "@"),
        ("[@a]\n@«b‸»", "b", (), "@"),
        ("[unclosed\n\n@«b‸»", "b", (), "@"),
        ("`code` @«a‸»", "a", (), "@"),
        ("@«‸»🙂", "", (), "@"),
        # trailing punctuation is not part of the key that gets replaced
        ("@«smi‸th2020».", "smi", (), "@"),
        ("@«smith2020‸».", "smith2020", (), "@"),
        ("@«smi‸th2020»: yes", "smi", (), "@"),
        ("@«smi‸th2020»,", "smi", (), "@"),
        ("[@«smi‸th2020»]", "smi", (), "[@"),
        ("@«smith2020.‸»", "smith2020.", (), "@"),  # typed, so it is the prefix
        ("@«a‸.b»", "a", (), "@"),
        # keys beyond ASCII letters
        (f"@«{DBLP}‸»", DBLP, (), "@"),
        ("@«DBLP:conf/nips/Vas‸waniSPUJGKP17».", "DBLP:conf/nips/Vas", (), "@"),
        ("[@«DBLP:‸conf/nips/VaswaniSPUJGKP17»]", "DBLP:", (), "[@"),
        ("@«müller‸»", "müller", (), "@"),
        ("@«_x‸»", "_x", (), "@"),
        # braced keys: the brace is not part of the prefix
        ("@{«key.with:od‸d/chars»}", "key.with:od", (), "@"),
        ("@{«‸»}", "", (), "@"),
        ("@{«‸»", "", (), "@"),
        ("[@a; @{«b‸»}]", "b", ("a",), "[@"),
        ("@{«a‸b»} text", "a", (), "@"),
    ],
)
def test_cite_context(marked: str, prefix: str, keys_before: tuple[str, ...], command: str) -> None:
    expect(marked, prefix, keys_before, command)


@pytest.mark.parametrize(
    ("marked", "prefix", "keys_before", "command"),
    [
        ("[see @a,\n  @b; @«c‸»]", "c", ("a", "b"), "[@"),
        ("[see\n@«c‸»]", "c", (), "[@"),
        ("[@a;\n" + "@b;\n" * 15 + "@«‸»]", "", ("a",) + ("b",) * 15, "[@"),
        ("```\ncode\n```\n@«a‸»", "a", (), "@"),
        ("~~~ {.python}\n@x\n~~~\n[@«a‸»]", "a", (), "[@"),
        ("````\n```\n@x\n````\n@«a‸»", "a", (), "@"),
        ("---\ntitle: x\n---\n@«ab‸»", "ab", (), "@"),
        ("---\ntitle: x\n...\n\n@«ab‸»", "ab", (), "@"),
        ("- item\n\n    @«cont‸»", "cont", (), "@"),
        ("1. item\n\n    continued [@«a‸»]", "a", (), "[@"),
        ("Paragraph\n    @«lazy‸»", "lazy", (), "@"),
        ("    code\n\nprose @«a‸»", "a", (), "@"),
    ],
)
def test_cite_context_in_a_document(
    marked: str, prefix: str, keys_before: tuple[str, ...], command: str
) -> None:
    expect(marked, prefix, keys_before, command)


@pytest.mark.parametrize(
    "marked",
    [
        # e-mail addresses and URLs
        "me@‸",
        "me@exam‸ple.com",
        "write to me@example.com‸",
        "https://x.org/@us‸er",
        "see https://x.org/a;@us‸er",
        "<https://x.org/(@us‸er)>",
        # the "@" must follow a blank, "[", ";", "(" or "-" (which itself follows one of those)
        "x-@a‸",
        "\\@a‸",
        "a.@b‸",
        "'@a‸",
        # no key can start with punctuation
        "@.‸",
        "@.x‸",
        "@-x‸",
        # the cursor is not after an "@"
        "plain text‸",
        "[see p. 3‸]",
        "@a b‸",
        "@a, ‸",
        "@{a}‸",
        "@{a b‸",
        # inline code
        "`@x‸`",
        "`@‸`",
        "`` a @x‸ ``",
        "`@x‸",
        "text `see @x‸",
        # fenced code blocks, with and without info strings, any fence length
        "```\n@x‸\n```",
        "```python\n@decorator‸\n```",
        "```{r}\n@x‸",
        "~~~\n@x‸\n~~~",
        "~~~ {.python}\n@x‸",
        "````\n```\n@x‸\n```\n````",
        "```\n\n\n@x‸",
        "- item\n\n    ```python\n    @decorator‸\n    ```",
        "```\n" + "code\n" * 50 + "@x‸",
        "```@x‸",
        # indented code blocks
        "    @x‸",
        "Text.\n\n    @x‸",
        "Text.\n\n    code\n\n    @x‸",
        # YAML front matter
        "---\nnocite: @x‸\n---\n",
        "---\ntitle: x\nauthor: @‸\n---\nText",
        "---\nnocite: |\n  @a, @b‸\n...\n",
    ],
)
def test_no_cite_context(marked: str) -> None:
    assert context(marked) is None


def test_no_cite_context_outside_the_document() -> None:
    assert markdown.cite_context(["@a"], Position(5, 0)) is None
    assert markdown.cite_context([], Position(0, 0)) is None


def test_cite_context_ignores_line_terminators_from_the_editor() -> None:
    lines = ["[see @a;\r\n", "@bc]\r\n"]
    assert markdown.cite_context(lines, Position(1, 2)) == CiteContext(
        "b", Range(Position(1, 1), Position(1, 3)), ("a",), "[@", "markdown"
    )


@pytest.mark.parametrize(
    ("marked", "start", "cursor", "end"),
    [
        ("é [@«smi‸th»]", 4, 7, 9),
        ("中文 @«k‸»", 4, 5, 5),
        ("🙂 [@«k‸ey»]", 5, 6, 8),
        ("🙂🙂 @{«é‸🙂x»}", 7, 8, 11),
        ("é中🙂 [see @a; -@«DBLP:‸conf»]", 16, 21, 25),
    ],
)
def test_cite_context_columns_are_utf16(marked: str, start: int, cursor: int, end: int) -> None:
    lines, position, ranges = parse(marked)
    assert position == Position(0, cursor)
    result = markdown.cite_context(lines, Position(0, cursor))
    assert result is not None
    assert result.replace == ranges[0] == Range(Position(0, start), Position(0, end))


def test_cite_context_reads_a_bounded_window() -> None:
    lines = RecordingLines(["Some text [@x] and `code` more"] * 50_000)
    lines.lines[30_000] = "As [see @a; @vas"
    assert markdown.cite_context(lines, Position(30_000, 16)) is not None
    assert min(lines.read) >= 30_000 - markdown.BLOCK_LOOKBACK
    assert max(lines.read) == 30_000
    lines.read.clear()
    assert markdown.cite_context(lines, Position(30_001, 7)) is None
    assert lines.read == {30_001}


def test_fence_far_above_is_judged_by_its_info_string() -> None:
    # Beyond the look-back the first fence with an info string is taken as an opening one.
    filler = ["text"] * (markdown.BLOCK_LOOKBACK + 10)
    inside = ["```", "x", "```", *filler, "```python", "code", "@a"]
    assert markdown.cite_context(inside, Position(len(inside) - 1, 2)) is None
    after = ["```", "x", "```", *filler, "```python", "code", "```", "@a"]
    assert markdown.cite_context(after, Position(len(after) - 1, 2)) is not None


# --------------------------------------------------------------------------- find_citations


@pytest.mark.parametrize(
    ("marked", "citations"),
    [
        ("[@«a»; -@«b», p. 3]", [("a", "[@"), ("b", "[@")]),
        ("[see @«doe», p. 33; also -@«other»]", [("doe", "[@"), ("other", "[@")]),
        ("As @«smith2020» says [p. 4]", [("smith2020", "@")]),
        ("-@«smith»", [("smith", "@")]),
        ("(@«a»)", [("a", "@")]),
        # Pandoc's rule: punctuation ends a key unless a letter, digit or _ follows
        ("See @«smith2020».", [("smith2020", "@")]),
        ("See @«smith2020»: yes", [("smith2020", "@")]),
        ("@«a», @«b»; @«c»!", [("a", "@"), ("b", "@"), ("c", "@")]),
        ("@«a.b» @«a-b_c+d» @«a»..b", [("a.b", "@"), ("a-b_c+d", "@"), ("a", "@")]),
        ("@«x»'s book", [("x", "@")]),
        ("@«a_»", [("a_", "@")]),
        (f"[@«{DBLP}»]. And @«{DBLP}».", [(DBLP, "[@"), (DBLP, "@")]),
        ("@«http://x.org/y»", [("http://x.org/y", "@")]),
        ("@«müller»", [("müller", "@")]),
        # braced keys
        ("@{«odd:key/x»}", [("odd:key/x", "@")]),
        ("[@{«a.b.»}]", [("a.b.", "[@")]),
        ("@{}", []),
        # brackets across lines, reset by a blank line
        ("[see\n@«a»]", [("a", "[@")]),
        ("[unclosed\n\n@«a»", [("a", "@")]),
        ("[@«a»] @«b»", [("a", "[@"), ("b", "@")]),
        ("\\[@«a»", [("a", "@")]),
        # not citations
        ("me@example.com, <me@x.org>", []),
        ("https://x.org/@user and https://x.org/a;@b", []),
        ("x-@a \\@b a.@c", []),
        ("@ @. @-x", []),
        ("`@code` ``a @b`` @«c»", [("c", "@")]),
        ("```\n@a\n```\n~~~ {.r}\n@b\n~~~\n@«c»", [("c", "@")]),
        ("````\n```\n@a\n```\n````\n@«c»", [("c", "@")]),
        ("```python\n@a", []),
        ("Text\n\n    @code\n\n@«c»", [("c", "@")]),
        ("    @code", []),
        ("- item\n\n    @«continued»", [("continued", "@")]),
        ("Para\n    @«lazy»", [("lazy", "@")]),
        ("- item\n\n    ```\n    @a\n    ```\n@«c»", [("c", "@")]),
        ("---\ntitle: x\nnocite: '@a'\n---\n@«b»", [("b", "@")]),
        ("---\n\n@«a»\n---", [("a", "@")]),  # a rule, not front matter
        ("Text\n---\n@«a»\n---", [("a", "@")]),
    ],
)
def test_find_citations(marked: str, citations: list[tuple[str, str]]) -> None:
    assert found(marked) == citations


def test_find_citations_ranges_are_utf16() -> None:
    text = "é中🙂 [@a; @🙂]\n🙂 @{x🙂y} @bé"
    assert markdown.find_citations(text) == [
        Citation("a", Range(Position(0, 7), Position(0, 8)), "[@"),
        Citation("x🙂y", Range(Position(1, 5), Position(1, 9)), "@"),
        Citation("bé", Range(Position(1, 12), Position(1, 14)), "@"),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_find_citations_with_any_line_break(newline: str) -> None:
    text = newline.join(["---", "title: x", "---", "[see", "@a]", "", "```", "@x", "```", "@b"])
    assert markdown.find_citations(text) == [
        Citation("a", Range(Position(4, 1), Position(4, 2)), "[@"),
        Citation("b", Range(Position(9, 1), Position(9, 2)), "@"),
    ]


def test_find_citations_in_a_long_document() -> None:
    block = "See [@a; -@b, p. 3] and @c.\n\n```python\n@decorator\n```\n\n" + "Plain text.\n" * 4
    citations = markdown.find_citations(block * 1_000)
    assert len(citations) == 3_000
    assert citations[-1] == Citation("c", Range(Position(9_990, 25), Position(9_990, 26)), "@")


# --------------------------------------------------------------------------- front matter


@pytest.mark.parametrize(
    ("text", "files"),
    [
        ("---\nbibliography: refs.bib\n---\n", ["refs.bib"]),
        ('---\nbibliography: "refs.bib"\n---\n', ["refs.bib"]),
        ("---\nbibliography: 'my refs.bib'\n---\n", ["my refs.bib"]),
        ("---\nbibliography: refs.bib # the main one\n---\n", ["refs.bib"]),
        ("---\nbibliography: [a.bib, b.bib]\n---\n", ["a.bib", "b.bib"]),
        ("---\nbibliography: [\"a.bib\", 'b, c.bib']\n---\n", ["a.bib", "b, c.bib"]),
        ("---\nbibliography: [a.bib,\n  b.bib]\n---\n", ["a.bib", "b.bib"]),
        ("---\nbibliography:\n  - a.bib\n  - b.bib\n---\n", ["a.bib", "b.bib"]),
        ("---\nbibliography:\n- a.bib\n- 'b.bib'\ncsl: x.csl\n---\n", ["a.bib", "b.bib"]),
        (
            "---\nbibliography:\n  # first\n  - a.bib  # main\n\n  - b.bib\n---\n",
            ["a.bib", "b.bib"],
        ),
        (
            "---\ntitle: T\nauthor:\n  - A\nbibliography: refs.bib\nlink-citations: true\n...\n",
            ["refs.bib"],
        ),
        ("---\nformat:\n  pdf:\n    bibliography: nested.bib\n---\n", []),
        ("---\ntitle: x\n---\nbibliography: body.bib\n", []),
        ("bibliography: no.bib\n", []),
        ("Text\n---\nbibliography: x.bib\n---\n", []),
        ("---\nbibliography: unclosed.bib\n", []),
        ("---\nbibliography:\n---\n", []),
        ("", []),
    ],
)
def test_front_matter_bibliographies(text: str, files: list[str]) -> None:
    assert markdown.front_matter_bibliographies(text) == files


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("---\ntitle: x\n---\nText", Position(2, 0)),
        ("---\ntitle: x\nauthor: y\n...\n", Position(3, 0)),
        ("---\r\ntitle: x\r\n---\r\n", Position(2, 0)),
        ("\ufeff---\ntitle: x\n---", Position(2, 0)),
        ("---\n---\n", Position(1, 0)),
        ("---\n\ntitle: x\n---\n", None),  # "---" then a blank line is a rule
        ("---\ntitle: x\n", None),
        ("Text\n---\ntitle: x\n---\n", None),
        ("", None),
    ],
)
def test_front_matter_end(text: str, end: Position | None) -> None:
    assert markdown.front_matter_end(text) == end
    assert markdown.has_front_matter(text) is (end is not None)
