"""Tests for paper_ls.documents.latex and the UTF-16 helpers of paper_ls.documents.model.

Documents are written with markers: ``‸`` is the cursor and ``«…»`` the range a completion
replaces (for `cite_context`) or each key's range (for `find_citations`). The helpers below
turn them into positions with their own UTF-16 arithmetic, independent of the code under test.
"""

from __future__ import annotations

import pytest

from paper_ls.documents import latex
from paper_ls.documents.model import (
    Citation,
    CiteContext,
    LineIndex,
    Position,
    Range,
    from_utf16,
    is_key_char,
    iter_lines,
    split_lines,
    to_utf16,
    utf16_length,
)
from tests.documents.marked import RecordingLines, parse

DBLP = "DBLP:conf/nips/VaswaniSPUJGKP17"


def context(marked: str, extra: frozenset[str] = frozenset()) -> CiteContext | None:
    lines, cursor, _ = parse(marked)
    assert cursor is not None
    return latex.cite_context(lines, cursor, extra)


def expect(
    marked: str,
    prefix: str,
    keys_before: tuple[str, ...] = (),
    command: str = "cite",
    extra: frozenset[str] = frozenset(),
) -> None:
    lines, cursor, ranges = parse(marked)
    assert cursor is not None and len(ranges) == 1
    assert latex.cite_context(lines, cursor, extra) == CiteContext(
        prefix=prefix,
        replace=ranges[0],
        keys_before=keys_before,
        command=command,
        language="latex",
    )


def found(marked: str, extra: frozenset[str] = frozenset()) -> list[tuple[str, Range]]:
    lines, _, ranges = parse(marked)
    text = "\n".join(lines)
    citations = latex.find_citations(text, extra)
    assert [c.range for c in citations] == ranges  # every marked key, nothing else
    return [(c.key, c.range) for c in citations]


def keys_of(marked: str, extra: frozenset[str] = frozenset()) -> list[str]:
    return [key for key, _ in found(marked, extra)]


# --------------------------------------------------------------------------- model: UTF-16


@pytest.mark.parametrize(
    ("line", "index", "units"),
    [
        ("abc", 2, 2),
        ("é", 1, 1),
        ("éa", 2, 2),
        ("中文x", 2, 2),
        ("中文x", 3, 3),
        ("🙂", 1, 2),
        ("🙂x", 2, 3),
        ("a🙂b🙂c", 4, 6),
        ("é中🙂x", 4, 5),
        ("abc", 0, 0),
        ("abc", 10, 3),
    ],
)
def test_to_and_from_utf16(line: str, index: int, units: int) -> None:
    assert to_utf16(line, index) == units
    assert from_utf16(line, units) == min(index, len(line))


def test_from_utf16_clamps_and_rounds_down_inside_a_surrogate_pair() -> None:
    assert from_utf16("ab", 99) == 2
    assert from_utf16("🙂🙂", 99) == 2
    assert from_utf16("x🙂", 2) == 1  # between the two halves of the emoji
    assert from_utf16("abc", -1) == 0


def test_utf16_length() -> None:
    assert utf16_length("") == 0
    assert utf16_length("abc") == 3
    assert utf16_length("é中文🙂") == 5


@pytest.mark.parametrize("char", ["a", "Z", "0", ":", "/", ".", "-", "_", "+", "é", "ß", "中"])
def test_key_characters(char: str) -> None:
    assert is_key_char(char)


@pytest.mark.parametrize("char", [" ", ",", "{", "}", "%", "@", "[", "]", ";", "'", "🙂", "#"])
def test_not_key_characters(char: str) -> None:
    assert not is_key_char(char)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\nb", ["a", "b"]),
        ("a\r\nb", ["a", "b"]),
        ("a\rb", ["a", "b"]),
        ("a\n", ["a", ""]),
        ("a\x0cb\u2028c", ["a\x0cb\u2028c"]),  # only \r\n, \r and \n break lines in LSP
        ("", [""]),
    ],
)
def test_split_lines_counts_lines_like_lsp(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines
    assert list(iter_lines(text)) == lines


def test_line_index_maps_offsets_in_any_order() -> None:
    text = "ab\r\n🙂cd\rx"
    index = LineIndex(text)
    assert index.position(text.index("c")) == Position(1, 2)
    assert index.position(text.index("x")) == Position(2, 0)
    assert index.position(1) == Position(0, 1)  # earlier again: recounts from the top


# --------------------------------------------------------------------------- cite_context

NATBIB = [
    "cite",
    "citep",
    "citet",
    "citealp",
    "citealt",
    "citeauthor",
    "citeyear",
    "citeyearpar",
    "citenum",
    "Citep",
    "Citet",
    "Citealp",
    "Citealt",
    "Citeauthor",
]
BIBLATEX = [
    "autocite",
    "Autocite",
    "parencite",
    "Parencite",
    "textcite",
    "Textcite",
    "footcite",
    "Footcite",
    "footcitetext",
    "smartcite",
    "Smartcite",
    "supercite",
    "fullcite",
    "footfullcite",
    "nocite",
    "citetitle",
    "citeurl",
    "citedate",
]
MULTICITE = [
    "cites",
    "parencites",
    "autocites",
    "textcites",
    "footcites",
    "smartcites",
    "supercites",
]


@pytest.mark.parametrize("name", NATBIB + BIBLATEX)
def test_every_citation_command(name: str) -> None:
    expect(f"See \\{name}{{«vas‸»}}.", "vas", command=name)


@pytest.mark.parametrize("name", ["citep*", "citet*", "Citep*", "citetitle*", "citeauthor*"])
def test_starred_commands_keep_their_star(name: str) -> None:
    expect(f"\\{name}[p.~4]{{«k‸»}}", "k", command=name)


@pytest.mark.parametrize("name", MULTICITE)
def test_every_multicite_command(name: str) -> None:
    expect(f"\\{name}(pre)(post)[p.~2]{{a}}[3]{{b, «‸»}}", "", ("a", "b"), name)


@pytest.mark.parametrize(
    ("marked", "prefix", "keys_before", "command"),
    [
        ("\\cite{«‸»}", "", (), "cite"),
        ("\\cite{«‸»", "", (), "cite"),
        ("\\cite{«‸abc»}", "", (), "cite"),
        ("\\cite{«ab‸c»}", "ab", (), "cite"),
        ("\\citep{«Vas‸wani2017»}", "Vas", (), "citep"),
        ("\\citep{«vaswani2017‸»}", "vaswani2017", (), "citep"),
        # optional arguments before the brace
        ("\\citep[see][p.~4]{«‸»", "", (), "citep"),
        ("\\citep[see][p.~4]{«he‸»}", "he", (), "citep"),
        ("\\citep[p.~{4}]{«he‸»}", "he", (), "citep"),
        ("\\citep[{]}]{«he‸»}", "he", (), "citep"),
        ("\\parencite[50\\%]{«he‸»}", "he", (), "parencite"),
        # several keys
        ("\\cite{a, b, «‸»}", "", ("a", "b"), "cite"),
        ("\\cite{a,b,«c‸»}", "c", ("a", "b"), "cite"),
        ("\\cite{a, «‸b»}", "", ("a",), "cite"),
        ("\\cite{a, «b‸», c}", "b", ("a",), "cite"),
        ("\\cite{a,«‸»,c}", "", ("a",), "cite"),
        # spaces between the command and its arguments, and inside the braces
        ("\\cite {  «a‸» }", "a", (), "cite"),
        ("\\citep [see] [p.~4] {«a‸»}", "a", (), "citep"),
        # multicite: (pre)(post), repeated [..][..]{keys}, keys of earlier groups count
        ("\\cites(pre)(post)[p.~2]{a}[3]{b, «‸»}", "", ("a", "b"), "cites"),
        ("\\autocites(See)()[12]{a}{«‸»}", "", ("a",), "autocites"),
        ("\\textcites{a, b}[p.~1][]{«c‸»}", "c", ("a", "b"), "textcites"),
        ("\\cites{a} {«b‸»}", "b", ("a",), "cites"),
        ("\\cites(pre){«‸»}", "", (), "cites"),
        # a citation inside another's optional argument
        ("\\citep[see \\citet{x}]{a, «‸»}", "", ("a",), "citep"),
        ("\\citep[see \\citet{«x‸»}]{a}", "x", (), "citet"),
        # what precedes the command does not matter
        ("50\\% of \\cite{«a‸»}", "a", (), "cite"),
        ("line\\\\\\cite{«a‸»}", "a", (), "cite"),
        ("\\verb|x| \\cite{«a‸»}", "a", (), "cite"),
        ("\\cite{a} and \\cite{«b‸»}", "b", (), "cite"),
        ("% \\begin{verbatim}\n\\cite{«a‸»}", "a", (), "cite"),
        ("\\begin{verbatim}\n\\cite{x}\n\\end{verbatim}\n\\cite{«a‸»}", "a", (), "cite"),
        ("\\begin{lstlisting}x\\end{lstlisting} \\cite{«a‸»}", "a", (), "cite"),
        ("\\cite{a}\\begin{figure}\\cite{«b‸»}", "b", (), "cite"),
        # keys beyond ASCII letters
        (
            "\\cite{«DBLP:conf/nips/VaswaniSPUJGKP17‸»}",
            "DBLP:conf/nips/VaswaniSPUJGKP17",
            (),
            "cite",
        ),
        ("\\cite{«DBLP:conf/nips/Vas‸waniSPUJGKP17»}", "DBLP:conf/nips/Vas", (), "cite"),
        ("\\cite{«DBLP:‸conf/nips/VaswaniSPUJGKP17», b}", "DBLP:", (), "cite"),
        ("\\cite{«müller‸»}", "müller", (), "cite"),
        ("\\cite{«smith_2020+x.y-z‸»}", "smith_2020+x.y-z", (), "cite"),
    ],
)
def test_cite_context(marked: str, prefix: str, keys_before: tuple[str, ...], command: str) -> None:
    expect(marked, prefix, keys_before, command)


@pytest.mark.parametrize(
    ("marked", "prefix", "keys_before", "command"),
    [
        ("\\citep[see][p.~4]{\n  vaswani2017,\n  «he‸»", "he", ("vaswani2017",), "citep"),
        ("\\citep[see][p.~4]{vaswani2017,\n  «he‸»}", "he", ("vaswani2017",), "citep"),
        ("\\textcite\n  [p.~3]\n  {«a‸»}", "a", (), "textcite"),
        ("\\cite{a, % the first one\n  «b‸»}", "b", ("a",), "cite"),
        ("\\cite % why\n{«b‸»}", "b", (), "cite"),
        ("\\cites(pre)\n(post)\n[p.~2]{a}\n[3]{\nb,\n«‸»}", "", ("a", "b"), "cites"),
        ("\\cite{a,\n" + "b,\n" * 18 + "«c‸»}", "c", ("a",) + ("b",) * 18, "cite"),
    ],
)
def test_cite_context_over_several_lines(
    marked: str, prefix: str, keys_before: tuple[str, ...], command: str
) -> None:
    expect(marked, prefix, keys_before, command)


def test_extra_commands_by_name() -> None:
    expect("\\mycite{«a‸»}", "a", command="mycite", extra=frozenset({"mycite"}))
    expect("\\mycite[p.~2]{x, «‸»}", "", ("x",), "mycite", frozenset({"mycite"}))
    assert context("\\mycite{a‸}") is None
    assert context("\\mycitex{a‸}", frozenset({"mycite"})) is None


@pytest.mark.parametrize(
    "marked",
    [
        # comments (but \% is no comment: see test_cite_context)
        "% \\cite{a‸",
        "% \\cite{a‸}",
        "text % \\cite{a‸}",
        "\\cite{a} % \\cite{b‸}",
        "\\\\% \\cite{a‸}",
        "\\cite{a, % b‸",
        # verbatim-like environments, opened on the cursor line or above
        "\\begin{verbatim}\n\\cite{a‸}",
        "\\begin{verbatim*}\n\\cite{a‸}",
        "\\begin{Verbatim}[numbers=left]\n\\cite{a‸}",
        "\\begin{lstlisting}\n\\cite{a‸}",
        "\\begin{minted}{latex}\n\\cite{a‸}",
        "\\begin{comment}\n\\cite{a‸}",
        "\\begin{verbatim} \\cite{a‸}",
        "\\begin{verbatim}\n" + "x\n" * 40 + "\\cite{a‸}",
        "\\begin{verbatim}\n\\cite{a,\n" + "x\n" * 30 + "b‸}",
        # \verb
        "\\verb|\\cite{a‸|",
        "\\verb+\\cite{a‸+",
        "\\verb*|\\cite{a‸|",
        "\\verb|\\cite{a‸",
        "\\verb!x! \\verb|\\cite{a‸",
        # the cursor is in an argument that holds no keys
        "\\citep[se‸e]{a}",
        "\\citep[see][p.~‸4]{a}",
        "\\citep[see‸",
        "\\cites(pr‸e)(post){a}",
        "\\cites(pre)(po‸st){a}",
        "\\citep[see \\citet{x}]‸",
        # the cursor is not in an argument at all
        "\\cite‸{a}",
        "\\cite‸",
        "\\cite ‸",
        "\\cite{a}‸",
        "\\cite{a} text ‸",
        "\\cite{a}\n‸",
        "\\cites{a}{b} ‸",
        "\\cite\n\n{a‸",
        "\\citep[see]\n\n{a‸",
        "\\cite{a,\n\nb‸",
        "\\citep[see\n\n]{a‸",
        # not a citation command
        "\\ref{fig‸}",
        "\\label{a‸}",
        "\\citetext{a‸}",
        "\\bibliography{refs‸}",
        "\\citex{a‸}",
        "\\\\cite{a‸",
        "cite{a‸",
        # the text before the cursor is no key
        "\\cite{a&b‸",
        "\\cite{\\foo‸",
        "\\cite{#1‸",
        "\\cite{a{b‸",
        # the command is further up than the bounded window reads
        "\\cite{a,\n" + "b,\n" * 25 + "c‸}",
    ],
)
def test_no_cite_context(marked: str) -> None:
    assert context(marked) is None


def test_no_cite_context_outside_the_document() -> None:
    assert latex.cite_context(["\\cite{a}"], Position(3, 0)) is None
    assert latex.cite_context([], Position(0, 0)) is None


def test_cite_context_clamps_a_column_past_the_line_end() -> None:
    assert latex.cite_context(["\\cite{ab"], Position(0, 99)) == CiteContext(
        "ab", Range(Position(0, 6), Position(0, 8)), (), "cite", "latex"
    )


def test_cite_context_ignores_line_terminators_from_the_editor() -> None:
    lines = ["\\cite{a,\r\n", "  b\r\n", "}\r\n"]
    assert latex.cite_context(lines, Position(1, 3)) == CiteContext(
        "b", Range(Position(1, 2), Position(1, 3)), ("a",), "cite", "latex"
    )


@pytest.mark.parametrize(
    ("marked", "start", "cursor", "end"),
    [
        ("é \\cite{«ab‸»}", 8, 10, 10),
        ("中文 \\cite{«ab‸c»}", 9, 11, 12),
        ("🙂 \\cite{«ab‸»}", 9, 11, 11),
        ("🙂🙂 \\cite{x, «é‸t»}", 14, 15, 16),
        ("é中🙂 \\citep[🙂]{«DBLP:conf/‸nips/V»}", 16, 26, 32),
    ],
)
def test_cite_context_columns_are_utf16(marked: str, start: int, cursor: int, end: int) -> None:
    lines, position, ranges = parse(marked)
    assert position == Position(0, cursor)
    result = latex.cite_context(lines, Position(0, cursor))
    assert result is not None
    assert result.replace == ranges[0] == Range(Position(0, start), Position(0, end))


def test_cite_context_reads_a_bounded_window() -> None:
    lines = RecordingLines(["Some text \\cite{x} and more % comment"] * 50_000)
    lines.lines[30_000] = "\\citep[see][p.~4]{a, vas"
    assert latex.cite_context(lines, Position(30_000, 24)) is not None
    assert min(lines.read) >= 30_000 - latex.ENVIRONMENT_LOOKBACK
    assert max(lines.read) == 30_000
    lines.read.clear()
    assert latex.cite_context(lines, Position(30_001, 20)) is None
    assert min(lines.read) >= 30_001 - latex.CONTEXT_LINES


# --------------------------------------------------------------------------- find_citations


def test_find_citations_ranges_and_commands() -> None:
    text = "See \\citep[p.~4]{«a», «DBLP:conf/nips/VaswaniSPUJGKP17»} and \\Textcite{«b»}."
    assert found(text) == [
        ("a", Range(Position(0, 17), Position(0, 18))),
        ("DBLP:conf/nips/VaswaniSPUJGKP17", Range(Position(0, 20), Position(0, 51))),
        ("b", Range(Position(0, 67), Position(0, 68))),
    ]
    commands = [c.command for c in latex.find_citations(parse(text)[0][0])]
    assert commands == ["citep", "citep", "Textcite"]


@pytest.mark.parametrize("name", NATBIB + BIBLATEX + MULTICITE)
def test_find_citations_every_command(name: str) -> None:
    text = f"x \\{name}[see][p.~1]{{a, b}} y"
    assert [(c.key, c.command) for c in latex.find_citations(text)] == [("a", name), ("b", name)]


@pytest.mark.parametrize(
    ("marked", "keys"),
    [
        ("\\cite{«a»,«b»}", ["a", "b"]),
        ("\\cite{ «a» , «b» }", ["a", "b"]),
        ("\\citep*[see]{«a»}", ["a"]),
        ("\\citep[see][p.~4]{\n  «a»,\n  «b»\n}", ["a", "b"]),
        ("\\textcite\n  [p.~3]\n  {«a»}", ["a"]),
        ("\\cite{«a», % old: \\cite{x}\n «b»}", ["a", "b"]),
        ("\\cites(pre)(post)[p.~2]{«a»}[3]{«b», «c»}", ["a", "b", "c"]),
        ("\\cites{«a»}{«b»} {«c»}", ["a", "b", "c"]),
        ("\\citep[see \\citet{«x»}]{«a»}", ["x", "a"]),
        ("50\\% \\cite{«a»}", ["a"]),
        ("\\\\\\cite{«a»}", ["a"]),
        ("\\nocite{*}", []),
        ("\\nocite{*, «a»}", ["a"]),
        ("\\cite{«müller»} \\cite{«é»}", ["müller", "é"]),
        # skipped: comments, verbatim, \verb, things that are no citation
        ("% \\cite{x}\n\\cite{«a»} % \\cite{y}", ["a"]),
        ("\\\\% \\cite{x}", []),
        ("\\begin{verbatim}\n\\cite{x}\n\\end{verbatim}\n\\cite{«a»}", ["a"]),
        ("\\begin{Verbatim}\\cite{x}\\end{Verbatim}\\cite{«a»}", ["a"]),
        ("\\begin{lstlisting}[language=TeX]\n\\cite{x}\n\\end{lstlisting}", []),
        ("\\begin{minted}{latex}\n\\cite{x}\n\\end{minted}", []),
        ("\\begin{comment}\n\\cite{x}\n\\end{comment}", []),
        ("\\begin{verbatim}\n\\cite{x}", []),
        ("% \\begin{verbatim}\n\\cite{«a»}", ["a"]),
        ("\\verb|\\cite{x}| \\cite{«a»}", ["a"]),
        ("\\verb+\\cite{x}+", []),
        ("\\newcommand{\\mine}[1]{\\cite{#1}}", []),
        ("\\cite{a", []),
        ("\\citep[see]", []),
        ("\\citep[see] text {a}", []),
        ("\\cite\n\n{a}", []),
        ("\\cite{a,\n\nText }", []),
        ("\\citep[see\n  \n x]{a}", []),
        ("\\citetext{a} \\ref{b} \\citex{c} \\\\cite{d}", []),
        ("\\cite{\\foo}", []),
    ],
)
def test_find_citations(marked: str, keys: list[str]) -> None:
    assert keys_of(marked) == keys


def test_find_citations_extra_commands() -> None:
    assert keys_of("\\mycite{«a»} \\cite{«b»}", frozenset({"mycite"})) == ["a", "b"]
    assert keys_of("\\mycite{a} \\cite{«b»}") == ["b"]


def test_find_citations_ranges_are_utf16() -> None:
    text = "é中🙂 \\cite{a}\n🙂 \\citep{x, 🙂b}"
    assert [(c.key, c.range) for c in latex.find_citations(text)] == [
        ("a", Range(Position(0, 11), Position(0, 12))),
        ("x", Range(Position(1, 10), Position(1, 11))),
        ("🙂b", Range(Position(1, 13), Position(1, 16))),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_find_citations_lines_with_any_line_break(newline: str) -> None:
    text = newline.join(["intro", "\\cite{a,", "  b}", "", "\\cite{c}"])
    assert latex.find_citations(text) == [
        Citation("a", Range(Position(1, 6), Position(1, 7)), "cite"),
        Citation("b", Range(Position(2, 2), Position(2, 3)), "cite"),
        Citation("c", Range(Position(4, 6), Position(4, 7)), "cite"),
    ]


def test_find_citations_in_a_long_document() -> None:
    paragraph = "As \\citet{a, b} show, 50\\% hold % \\cite{c}\n" + "Plain \\emph{text}.\n" * 9
    citations = latex.find_citations(paragraph * 1_000)
    assert len(citations) == 2_000
    assert citations[-1] == Citation("b", Range(Position(9_990, 13), Position(9_990, 14)), "citet")


# --------------------------------------------------------------------------- project files


@pytest.mark.parametrize(
    ("text", "files"),
    [
        ("\\bibliography{refs}", ["refs"]),
        ("\\bibliography{a,b}", ["a", "b"]),
        ("\\bibliography{ a , b.bib }", ["a", "b.bib"]),
        ("\\bibliography{../bib/refs}", ["../bib/refs"]),
        ("\\addbibresource{refs.bib}", ["refs.bib"]),
        ("\\addbibresource[location=remote]{http://x.org/y.bib}", ["http://x.org/y.bib"]),
        ("\\addbibresource [label=x] {refs.bib}", ["refs.bib"]),
        ("\\addglobalbib{global.bib}", ["global.bib"]),
        ("\\addbibresource{a.bib}\n\\addbibresource{b.bib}", ["a.bib", "b.bib"]),
        ("% \\bibliography{old}\n\\bibliography{new}", ["new"]),
        ("text % \\addbibresource{old.bib}", []),
        ("\\begin{verbatim}\\bibliography{x}\\end{verbatim}", []),
        ("\\bibliographystyle{plain}", []),
        ("\\bibliography", []),
        ("", []),
    ],
)
def test_find_bibliographies(text: str, files: list[str]) -> None:
    assert latex.find_bibliographies(text) == files


@pytest.mark.parametrize(
    ("text", "files"),
    [
        ("\\input{chapter1}", ["chapter1"]),
        ("\\include{chapters/two.tex}", ["chapters/two.tex"]),
        ("\\subfile{sections/a}", ["sections/a"]),
        ("\\import{dir/}{x}", ["dir/x"]),
        ("\\subimport{sub/dir/}{x.tex}", ["sub/dir/x.tex"]),
        ("\\subimport{dir}{x}", ["dir/x"]),
        ("\\import{}{x}", ["x"]),
        ("\\input{a}\n\\include{b}\n\\subfile{c}", ["a", "b", "c"]),
        ("% \\input{a}\n\\input{ b }", ["b"]),
        ("\\includegraphics{fig} \\inputencoding{utf8} \\includeonly{x}", []),
        ("\\input", []),
    ],
)
def test_find_includes(text: str, files: list[str]) -> None:
    assert latex.find_includes(text) == files


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("% !TEX root = main.tex\n\\section{A}", "main.tex"),
        ("%!TEX root=main.tex", "main.tex"),
        ("% !TeX root = ../main.tex", "../main.tex"),
        ("%  ! tex  ROOT  =  thesis/main.tex  ", "thesis/main.tex"),
        ("% !TEX root = my thesis.tex", "my thesis.tex"),
        ('% !TEX root = "main.tex"', "main.tex"),
        ("\n" * 19 + "% !TEX root = late.tex", "late.tex"),
        ("\n" * 20 + "% !TEX root = too-late.tex", None),
        ("% !TEX program = lualatex", None),
        ("% !TEX root =", None),
        ("\\input{x} % !TEX root = main.tex", None),
        ("", None),
    ],
)
def test_magic_root(text: str, root: str | None) -> None:
    assert latex.magic_root(text) == root


@pytest.mark.parametrize(
    ("text", "uses"),
    [
        ("\\usepackage[style=authoryear,backend=biber]{biblatex}", True),
        ("\\usepackage{biblatex}", True),
        ("\\usepackage[\n  style=numeric,\n]{biblatex}", True),
        ("\\usepackage{csquotes, biblatex}", True),
        ("\\RequirePackage{biblatex}", True),
        ("% \\usepackage{biblatex}\n\\usepackage{natbib}", False),
        ("\\usepackage{natbib}", False),
        ("\\usepackage{biblatex2}", False),
        ("\\usepackage[authordate]{biblatex-chicago}", True),
        ("\\begin{verbatim}\\usepackage{biblatex}\\end{verbatim}", False),
        ("", False),
    ],
)
def test_uses_biblatex(text: str, uses: bool) -> None:
    assert latex.uses_biblatex(text) is uses


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("\\begin{document}\nText.\n\\end{document}\n", Position(2, 0)),
        ("\\begin{document}\r\nText.\r\n  \\end{document}", Position(2, 0)),
        ("a\n% \\end{document}\n\\end {document}", Position(2, 0)),
        ("\\begin{verbatim}\n\\end{document}\n\\end{verbatim}\n\\end{document}", Position(3, 0)),
        ("\\end{itemize}\n", None),
        ("", None),
    ],
)
def test_end_document_position(text: str, position: Position | None) -> None:
    assert latex.end_document_position(text) == position
