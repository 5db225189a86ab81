"""Tests for paper_ls.bibtex.latex."""

from __future__ import annotations

import random
import re

import pytest

from paper_ls.bibtex import latex
from paper_ls.bibtex.latex import fold, latex_to_markdown, latex_to_text

# --------------------------------------------------------------------------- latex_to_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # accents and special letters
        (r"{\"u}", "ü"),
        (r"\"{u}", "ü"),
        (r"\"u", "ü"),
        (r"{\L}ukasz", "Łukasz"),
        (r"\L ukasz", "Łukasz"),
        (r"{\o}", "ø"),
        (r"{\ss}", "ß"),
        (r"\ss{}e", "ße"),
        (r"\'{e}", "é"),
        (r"{\'e}", "é"),
        (r"{\'\i}", "í"),
        (r"\'{\i}", "í"),
        (r"\"{\i}", "ï"),
        (r"\c{c}", "ç"),
        (r"\v{s}", "š"),
        (r"\~n", "ñ"),
        (r"\H{o}", "ő"),
        (r"\k{a}", "ą"),
        (r"{\aa}ngstr{\"o}m", "ångström"),
        (r"\ae{}\oe", "æœ"),
        # dashes and spaces
        ("1990--2000", "1990\u20132000"),
        ("a---b", "a—b"),
        ("a -- b", "a \u2013 b"),
        ("Pre-training", "Pre-training"),
        ("a~b", "a b"),
        ("a~~b", "a b"),
        # escaped specials
        (r"\&", "&"),
        (r"R\&D", "R&D"),
        (r"\%", "%"),
        (r"50\% off", "50% off"),
        (r"\_", "_"),
        (r"\$", "$"),
        (r"\#1", "#1"),
        # unescaped specials are literal in field values
        ("50% of the {data}", "50% of the data"),
        ("a & b {c}", "a & b c"),
        # protective braces
        ("{BERT}: Pre-training", "BERT: Pre-training"),
        ("{{Deep}} {L}earning", "Deep Learning"),
        # font macros keep their text
        (r"\emph{very}", "very"),
        (r"\textit{x}", "x"),
        (r"\textbf{x}", "x"),
        (r"{\em x}", "x"),
        (r"{\it x} {\bf y}", "x y"),
        (r"\texttt{x}", "x"),
        (r"\textsf{x}", "x"),
        (r"\textsc{x}", "x"),
        (r"\mbox{x y}", "x y"),
        (r"\LaTeX{} rocks", "LaTeX rocks"),
        (r"ex\-ample", "example"),
        # URLs are verbatim
        (r"\url{http://x}", "http://x"),
        (r"\url{http://x.org/~a/b%20c#f_1}", "http://x.org/~a/b%20c#f_1"),
        (r"\url{http://x.org/a\%20b\_c}", "http://x.org/a%20b_c"),
        (r"\href{http://x}{the site}", "the site (http://x)"),
        # math stays source
        (r"$\alpha$-divergence", r"$\alpha$-divergence"),
        ("$O(n^2)$", "$O(n^2)$"),
        (r"$\"u$ and \"u", r"$\"u$ and ü"),
        (r"{Fast} $\{x\}$ sets", r"Fast $\{x\}$ sets"),
        # quotes
        ("``quoted''", "“quoted”"),
        # whitespace
        ("  a  \n\t b  ", "a b"),
        ("a\u00a0b", "a b"),
        # unknown macros keep their argument text
        (r"\foo{bar}", "bar"),
        (r"\foo{bar} baz", "bar baz"),
        # plain text is returned as is
        ("Attention Is All You Need", "Attention Is All You Need"),
        ("it's O'Brien's", "it's O'Brien's"),
        ("", ""),
    ],
)
def test_latex_to_text(value: str, expected: str) -> None:
    assert latex_to_text(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "{unbalanced",
        "unbal}anced",
        "}{",
        "{{{",
        "\\",
        "trailing\\",
        "\\emph{",
        "\\url{http://x",
        "\\href{a}",
        "$unclosed math",
        "$$",
        "\\begin{foo}x",
        "\\end{foo}",
        "\\\\",
        "x^",
        "%",
        '\\"',
        "\\c",
        "\\verb",
        "\\verb|x",
        "\\footnote",
        "\\frac",
        "\\input",
        "\\input{/etc/passwd}",
    ],
)
def test_malformed_input_never_raises(value: str) -> None:
    assert isinstance(latex_to_text(value), str)
    assert isinstance(latex_to_markdown(value), str)


def test_random_garbage_never_raises() -> None:
    atoms = [
        *"\\{}$%&#_^~`'\"-[]()<>*!.,: \naZ\u00e9\t",
        r"\emph", r"\url", r"\href", r"\begin", r"\end", r"\verb", r"\\", r"\em", r"\bf",
        r"\texttt", r"\(", r"\)", r"\[", r"\]", "$$", r"\c", r"\'", r"\item", r"\footnote",
        r"\frac", r"\cite", r"\input", r"\include", r"\newcommand", r"\def", "\ue000",
    ]  # fmt: skip
    rng = random.Random(1)
    for _ in range(1500):
        value = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 25)))
        assert isinstance(latex_to_text(value), str)
        assert isinstance(latex_to_markdown(value), str)


def test_unbalanced_braces_keep_the_words() -> None:
    assert latex_to_text("{unbalanced title") == "unbalanced title"
    assert latex_to_text("unbal}anced") == "unbalanced"


def test_parser_failure_falls_back_to_stripping(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(value: str) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(latex, "_parse", broken)
    assert latex_to_text(r"\emph{Deep} {L}earning \& more $x$") == "Deep Learning & more $x$"
    assert latex_to_markdown(r"\emph{a} [b]") == r"a \[b\]"


# --------------------------------------------------------------------------- quick path


def _random_simple_value(rng: random.Random) -> str:
    atoms = [
        "a", "Z", "é", "ü", "1", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\u00a0", "-", "--",
        "---", "~", "'", "''", "``", "`", "!", "?", ":", ",", "{", "}", "{}", "{BERT}",
        r"\"u", r"\"{u}", r"{\"u}", r"\'e", r"\'{E}", r"\'\i", r"{\'\i}", r"\'{\i}", r"\'\j",
        r"\`a", r"\^o", r"\~n", r"\=a", r"\.z", r"\c{c}", r"\c{\i}", r"\v{s}", r"\H{o}",
        r"\k{a}", r"\u{g}", r"\r{a}", r"\d{s}", r"\ss", r"\ss{}", r"{\ss}", r"\o", r"{\o}",
        r"\O", r"\L", r"{\L}", r"\l", r"\ae", r"\AE", r"\oe", r"\OE", r"\aa", r"\AA", r"\i",
        r"\j", r"\&", r"\%", r"\_", r"\$", r"\#", "\\", "%", "&", "#", "_", "^",
        "$", "$$", "$x$", r"$\alpha$", "$O(n^2)$", r"$\{x\}$", "${a}$", "$a}$", "${a$", "$a%b$",
        r"$\"u$", "$a~b--c$", r"\(x\)", r"\emph{", r"\emph", r"\textbf {", r"\textit ",
        r"\textsc", r"\texttt{", r"\mbox{", r"{\em ", r"\em", r"\bf ", r"\itshape", r"\emphx",
        r"\normalfont", r"\textnormal{", r"\emph\o",
    ]  # fmt: skip
    return "".join(rng.choice(atoms) for _ in range(rng.randint(1, 12)))


def test_quick_path_agrees_with_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20240601)
    values = [_random_simple_value(rng) for _ in range(3000)]
    quick = {v: latex._quick_decode(v) for v in values}
    covered = [v for v in values if quick[v] is not None]
    assert len(covered) > 1000  # the quick path must actually cover these cases
    markdown = {v: latex_to_markdown(v) for v in covered}

    monkeypatch.setattr(latex, "_quick_decode", lambda value, **kwargs: None)
    for v in covered:
        assert latex._collapse(quick[v] or "") == latex_to_text(v), v
        assert markdown[v] == latex_to_markdown(v), v


@pytest.mark.parametrize(
    "value",
    [
        r"Gr{\"o}{\ss}e",
        r"{\L}ukasz Sch{\"a}fer",
        "{BERT}: a--b",
        r"Jos{\'e} Mu{\~n}oz",
        r"An $O(n \log n)$ algorithm for {\'e}tale $\mathcal{C}$-sheaves",
        r"A \emph{very} {\bf bold} \textsc{Claim}",
    ],
)
def test_common_title_constructs_take_the_quick_path(value: str) -> None:
    assert latex._quick_decode(value) is not None


@pytest.mark.parametrize(
    "value",
    [r"\emph x", r"a\\b", r"\c c", r"\"{ab}", "`x'", r"\{x\}", "$$x$$", "$x", r"$x$ \$", "${x$"],
)
def test_other_constructs_go_to_the_parser(value: str) -> None:
    assert latex._quick_decode(value) is None


def test_markdown_leaves_font_macros_to_the_parser() -> None:
    assert latex._quick_decode(r"\emph{x}", drop_fonts=False) is None
    assert latex._quick_decode(r"{\bf x}", drop_fonts=False) is None


def test_plain_text_does_no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(value: str) -> list[object]:
        raise AssertionError("parser called for plain text")

    monkeypatch.setattr(latex, "_parse", forbidden)
    abstract = "We propose a model (with 95% accuracy) & more: x_1, y^2, #3; it's 'fine'. " * 12
    assert latex_to_text(abstract) == abstract.strip()
    latex_to_markdown(abstract)


# --------------------------------------------------------------------------- latex_to_markdown


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (r"{\"u}ber {\L}ukasz", "über Łukasz"),
        (r"\emph{very}", "*very*"),
        (r"\textit{x}", "*x*"),
        (r"{\em x}", "*x*"),
        (r"{\it x}", "*x*"),
        (r"a {\em b c} d", "a *b c* d"),
        (r"\textbf{x}", "**x**"),
        (r"{\bf x}", "**x**"),
        (r"\texttt{x}", "`x`"),
        (r"\texttt{a_b*c}", "`a_b*c`"),
        (r"\texttt{a`b}", "``a`b``"),
        (r"\texttt{`}", "`` ` ``"),
        (r"\textit{\textbf{x}}", "***x***"),
        (r"\emph{a \emph{b} c}", "*a b c*"),
        (r"\textbf{a}\textbf{b}", "**ab**"),
        (r"a \emph{ b } c", "a *b* c"),
        (r"a \emph{} b", "a b"),
        ("{BERT}: Pre-training", "BERT: Pre-training"),
        (r"R\&D", r"R\&D"),
        (r"snake\_case", r"snake\_case"),
        ("1990--2000", "1990\u20132000"),
        ("``quoted''", "“quoted”"),
        (r"\url{http://x.org/a_b}", r"http://x.org/a\_b"),
        # math source is kept, escaped so it shows exactly as written
        (r"$\alpha$-divergence", r"\$\\alpha\$-divergence"),
        ("$O(n^2)$", r"\$O(n^2)\$"),
    ],
)
def test_latex_to_markdown(value: str, expected: str) -> None:
    assert latex_to_markdown(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert(1)\>"),
        ("{x} <img src=x onerror=alert(1)>", r"x \<img src=x onerror=alert(1)\>"),
        ("[click](http://evil)", r"\[click\](http://evil)"),
        (r"\emph{[click](http://evil)}", r"*\[click\](http://evil)*"),
        ("![img](http://evil/x.png)", r"!\[img\](http://evil/x.png)"),
        ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
        ("<http://evil>", r"\<http://evil\>"),
        ("[a][ref]", r"\[a\]\[ref\]"),
        ("&lt;b&gt;", r"\&lt;b\&gt;"),
        ("**bold** _it_ `code`", r"\*\*bold\*\* \_it\_ \`code\`"),
        (r"\textbf{**x**}", r"**\*\*x\*\***"),
        ("# heading", r"\# heading"),
        ("> quote", r"\> quote"),
        ("- item", r"\- item"),
        ("+ item", r"\+ item"),
        ("* item", r"\* item"),
        ("1. First", r"1\. First"),
        ("2019) x", r"2019\) x"),
        ("a | b", r"a \| b"),
        ("~~strike~~ {x}", "strike x"),
        ("a\\\\b", "a b"),
        (r"back\textbackslash{}slash", r"back\\slash"),
        ("x\ue000y\ue001", "xy"),  # our private sentinels cannot be smuggled in
        (r"\texttt{<b>x</b>}", "`<b>x</b>`"),  # inert inside a code span
    ],
)
def test_markdown_injection_is_inert(value: str, expected: str) -> None:
    assert latex_to_markdown(value) == expected


# With [ and ] escaped no link can form, so ( ) and ! may stay as they are.
_UNESCAPED = re.compile(r"(?<!\\)(?:\\\\)*[<\[\]&`]")


@pytest.mark.parametrize(
    "value",
    [
        "<img src=x onerror=alert(1)>",
        "[click](http://evil)",
        r"\emph{<a href='x'>y</a>}",
        r"{\bf ![x](y)} \url{javascript:alert(1)}",
        "a\\<b",
        "\\\\<b>",
        r"\foo{<b>} \& \textbf{[x]}",
    ],
)
def test_markdown_never_leaves_active_characters_unescaped(value: str) -> None:
    out = latex_to_markdown(value)
    assert not _UNESCAPED.search(out), out


# --------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Łukasz Müller-Schäfer", "lukasz muller schafer"),
        ("Straße", "strasse"),
        ("Søren Ørsted", "soren orsted"),
        ("Æsir œuvre", "aesir oeuvre"),
        ("Đorđe", "dorde"),
        ("Þór", "thor"),
        ("José Muñoz", "jose munoz"),
        ("Ångström", "angstrom"),
        ("Y\u0131ld\u0131z", "yildiz"),
        ("O'Brien", "obrien"),
        ("O\u2019Brien", "obrien"),
        ("Smith,  J.", "smith j"),
        ("A\u2014B x\u2013y", "a b x y"),
        ("ﬁne", "fine"),
        ("東京 Tokyo", "tokyo"),
        ("  BERT: Pre-training  ", "bert pre training"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_matches_across_encodings() -> None:
    nfd = "Mu\u0308ller"
    assert fold(nfd) == fold("Müller") == fold(latex_to_text(r"M{\"u}ller")) == "muller"
