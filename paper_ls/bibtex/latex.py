"""LaTeX in BibTeX field values -> text people read.

Every display or search path goes through this module so that a title imported
from one source and typed by hand in another end up identical. Three outputs:

* :func:`latex_to_text` -- Unicode plain text (display, search index).
* :func:`latex_to_markdown` -- the same decoding, with emphasis kept and every
  character taken from the data escaped, for editor hovers.
* :func:`fold` -- lowercase ASCII, for citation keys and fuzzy matching.

Values without LaTeX skip decoding. Values using only accents, special letters,
protective braces, dashes, quotes, font commands and inline math (most titles,
names and abstracts that need decoding at all) take a regex quick path, because
pylatexenc costs ~0.15 ms per construct and ~5 ms per kilobyte.
Everything else is pylatexenc's, which stays the reference (tests check the
quick path against it). The local additions to pylatexenc only cover where its
defaults do not suit bibliographic data: ``\\url`` must be verbatim, a bare
``%`` in an abstract is a percent sign rather than a comment, ``&`` is an
ampersand rather than a column separator, and font macros it does not know
(``\\texttt``, ``\\textsf``, ``\\mbox``...) must keep their argument instead
of swallowing it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from pylatexenc import latexwalker
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    SpecialsTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import MacroSpec, MacroStandardArgsParser, ParsedMacroArgs

from paper_ls.bibtex.parse import braces_balance

__all__ = ["fold", "latex_to_markdown", "latex_to_text", "latex_to_text_recent"]


# --------------------------------------------------------------------------- fast path


def _needs_parsing(value: str) -> bool:
    # Characters (and pairs) that can change the meaning of a field value under
    # LaTeX; a value containing none of them decodes to itself, which is the
    # overwhelmingly common case at import time. Unrolled ``in`` tests are
    # C-level substring scans, several times faster than one regex search or an
    # any() over a tuple. ``$ % & # _ ^`` are not triggers: with the rules
    # below, text containing only those decodes to itself anyway.
    return (
        "\\" in value
        or "{" in value
        or "}" in value
        or "~" in value
        or "`" in value
        or "--" in value
        or "''" in value
    )


def _collapse(text: str) -> str:
    # Every whitespace character other than the ASCII space is non-printable, so
    # printable text without double spaces only needs stripping (5x faster).
    if text.isprintable() and "  " not in text:
        return text.strip(" ")
    # str.split() splits on every Unicode space, including the no-break space
    # that ``~`` decodes to, which we show as a plain space.
    return " ".join(text.split())


# --------------------------------------------------------------------------- parsing

# Backslash count parity decides whether ``%`` is already escaped (``\%``) or
# follows a line break (``\\%``).
_BARE_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")


def _escape_bare_percent(value: str) -> str:
    # Abstracts say "improves by 5%" far more often than anyone writes a LaTeX
    # comment in a .bib field; a comment would silently drop the rest of the line.
    if "%" not in value:
        return value
    return _BARE_PERCENT.sub(r"\1\\%", value)


class _VerbatimBraceArgsParser(MacroStandardArgsParser):  # type: ignore[misc]
    """Reads the first ``n_verbatim`` brace arguments without interpreting them.

    URLs are full of ``~``, ``%``, ``#`` and ``_``; parsed as LaTeX they would
    turn into spaces, comments and subscripts. hyperref reads them verbatim, so
    do we. Later arguments (``\\href``'s link text) are parsed normally.
    """

    def __init__(self, argspec: str, n_verbatim: int) -> None:
        super().__init__(argspec=argspec)
        self._n_verbatim = n_verbatim

    def parse_args(self, w: Any, pos: int, parsing_state: Any = None) -> tuple[Any, int, int]:
        if parsing_state is None:
            parsing_state = w.make_parsing_state()
        s: str = w.s
        p = pos
        argnlist: list[Any] = []
        for _ in range(self._n_verbatim):
            q = p
            while q < len(s) and s[q].isspace():
                q += 1
            if q >= len(s) or s[q] != "{":
                # Not a braced argument: let the standard parser cope with it.
                break
            end = _matching_brace(s, q)
            argnlist.append(
                w.make_node(
                    latexwalker.LatexCharsNode,
                    parsing_state=parsing_state,
                    chars=_URL_ESCAPE.sub(r"\1", s[q + 1 : end]),
                    pos=q + 1,
                    len=end - q - 1,
                )
            )
            p = min(end + 1, len(s))
        rest = self.argspec[len(argnlist) :]
        if rest:
            more, mpos, mlen = MacroStandardArgsParser(argspec=rest).parse_args(
                w, p, parsing_state=parsing_state
            )
            argnlist.extend(more.argnlist)
            p = mpos + mlen
        return ParsedMacroArgs(argspec=self.argspec, argnlist=argnlist), pos, p - pos


# hyperref accepts (and .bib files written for use inside other macros need)
# these escapes in URLs; they stand for the bare character.
_URL_ESCAPE = re.compile(r"\\([%#_&$~])")


def _matching_brace(s: str, open_pos: int) -> int:
    """Index of the brace closing ``s[open_pos]``, or ``len(s)`` if unbalanced."""
    depth = 0
    for i in range(open_pos, len(s)):
        c = s[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(s)


def _build_walker_context() -> Any:
    db = latexwalker.get_default_latex_context_db()
    db.add_context_category(
        "paper-ls-verbatim-urls",
        prepend=True,
        macros=[
            MacroSpec("url", args_parser=_VerbatimBraceArgsParser("{", 1)),
            MacroSpec("href", args_parser=_VerbatimBraceArgsParser("{{", 1)),
        ],
        environments=[],
        specials=[],
    )
    return db


_WALKER_CONTEXT: Any = _build_walker_context()


def _parse(value: str) -> list[Any]:
    walker = latexwalker.LatexWalker(
        _escape_bare_percent(value), latex_context=_WALKER_CONTEXT, tolerant_parsing=True
    )
    nodes: list[Any] = walker.get_latex_nodes()[0]
    return nodes


# --------------------------------------------------------------------------- quick path

# pylatexenc costs ~150 us per braced group or accent, and most titles and
# author lists that need decoding at all only use accents, special letters,
# protective braces and dashes. Those are decoded here with regexes; any other
# construct (and anything these rules leave behind) goes to the parser, which
# stays the reference: tests check both paths agree.

_COMBINING_FOR: dict[str, str] = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "v": "\u030c",
    "H": "\u030b",
    "k": "\u0328",
    "u": "\u0306",
    "r": "\u030a",
    "d": "\u0323",
}
# A control word ends at the first non-letter (the parser, like XeTeX, counts
# any Unicode letter) and swallows the spaces after it, as in TeX ("\\L ukasz"),
# but not a blank line (a paragraph break).
_END_OF_WORD = r"(?![^\W\d_])[^\S\r\n]*(?:\r?\n[^\S\r\n]*)?"
# \"u  \"{u}  \'\i  \'{\i}  \c{c}  (letter accents only with braces: "\cc" is
# another macro, and "\c c" is rare enough to leave to the parser).
_QUICK_ACCENT = re.compile(
    r"\\(?:([\"'`^~=.])"
    r"(?:([A-Za-z])|\{([A-Za-z])\}|\\([ij])" + _END_OF_WORD + r"|\{\\([ij])\})"
    r"|([cvHkurd])\{(?:([A-Za-z])|\\([ij]))\})"
)
_QUICK_LETTERS: dict[str, str] = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "i": "\u0131",
    "j": "\u0237",
}
_QUICK_LETTER = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|[oOlLij])" + _END_OF_WORD)
# Font changes, which plain text drops: commands with a braced argument
# (``\\emph{x}`` -> ``{x}``) and declarations (``{\\em x}`` -> ``{x}``). They
# become ``{}`` so that the text around them cannot join into a ``--`` or ``''``.
_QUICK_FONT = re.compile(
    r"\\(?:emph|text(?:it|bf|sl|sc|rm|sf|tt|up|md|normal)|mbox)[ \t]*(?=\{)"
    r"|\\(?:em|it|bf|sl|sc|rm|sf|tt|itshape|bfseries|slshape|scshape|upshape|mdseries"
    r"|ttfamily|sffamily|rmfamily|normalfont)" + _END_OF_WORD
)
_BLANK_LINE = re.compile(r"\n\s*\n")
_QUICK_ESCAPE = re.compile(r"\\([&%_$#])")


def _accent_repl(m: re.Match[str]) -> str:
    accent = m.group(1) or m.group(6)
    # An accented dotless i/j is written as the plain letter plus the accent.
    base = next(g for g in m.group(2, 3, 4, 5, 7, 8) if g is not None)
    return unicodedata.normalize("NFC", base + _COMBINING_FOR[accent])


def _quick_decode(value: str, *, drop_fonts: bool = True) -> str | None:
    """Decode the common simple cases, or return None to ask for the parser.

    ``drop_fonts=False`` leaves font macros to the parser, for Markdown output
    which renders them.
    """
    if "\\\\" in value:
        return None  # line breaks are rare
    if "\n" in value and _BLANK_LINE.search(value):
        return None  # paragraph breaks interact with spacing after macros; rare
    if "$" not in value.replace("\\$", ""):
        return _quick_decode_text(value, drop_fonts)
    # Inline math (common in abstracts) is kept verbatim; only the text between
    # is decoded. Anything unusual about the math goes to the parser.
    if "$$" in value or "\\$" in value:
        return None
    parts = _MATH_SPLIT.split(value)
    if any("$" in t for t in parts[::2]) or not all(map(_simple_math, parts[1::2])):
        return None
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
            continue
        text = _quick_decode_text(part, drop_fonts)
        if text is None:
            return None
        out.append(text)
    return "".join(out)


# Inline math spans once the caller has ruled out ``$$`` and ``\$``: the odd
# elements of the split are math, and a ``$`` left in the others is unbalanced.
_MATH_SPLIT = re.compile(r"(\$[^$]*\$)")


def _simple_math(math: str) -> bool:
    # ``%`` would be escaped before parsing; unbalanced braces make the parser
    # read past the closing ``$``.
    if "%" in math:
        return False
    return braces_balance(math, count_escaped=False)


def _quick_decode_text(text: str, drop_fonts: bool) -> str | None:
    if "\\" in text:
        if drop_fonts:
            text = _QUICK_FONT.sub("{}", text)
        text = _QUICK_ACCENT.sub(_accent_repl, text)
        text = _QUICK_LETTER.sub(lambda m: _QUICK_LETTERS[m.group(1)], text)
        text = _QUICK_ESCAPE.sub(r"\1", text)
        if "\\" in text:
            return None
    if "`" in text:
        if "!`" in text or "?`" in text:  # inverted ! and ?
            return None
        text = text.replace("``", "\u201c")
        if "`" in text:
            return None
    text = text.replace("''", "\u201d").replace("---", "\u2014").replace("--", "\u2013")
    return text.replace("~", " ").replace("{", "").replace("}", "")


# --------------------------------------------------------------------------- plain text

_Repl: TypeAlias = str | Callable[..., str]


def _keep_args(node: Any, l2tobj: Any) -> str:
    args: list[Any] = node.nodeargd.argnlist if node.nodeargd else []
    return "".join(l2tobj.node_arg_to_text(node, k) for k, a in enumerate(args) if a is not None)


def _arg(node: Any, l2tobj: Any, k: int) -> str:
    text: str = l2tobj.node_arg_to_text(node, k)
    return text


def _href_text(node: Any, l2tobj: Any) -> str:
    link = _arg(node, l2tobj, 1).strip()
    url = _arg(node, l2tobj, 0).strip()
    return f"{link} ({url})" if link and link != url else url


_TEXT_MACROS: dict[str, _Repl] = {
    # Known to the parser as taking an argument but absent from pylatexenc's
    # text rules, which then drops the argument -- losing words from titles.
    **{
        name: _keep_args
        for name in ("texttt", "textsf", "textup", "textmd", "textnormal", "mbox", "verb")
    },
    "url": _keep_args,
    "href": _href_text,
    # Never read files named in the data (pylatexenc would only with an input
    # directory set, but it also crashes on a missing argument).
    "input": "",
    "include": "",
    # pylatexenc emits a soft hyphen, which would break search for the word.
    "-": "",
    # pylatexenc renders these logos as nothing, and they appear in titles.
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX",
    # Spelled-out characters: what our own export writes for text that is not LaTeX, so
    # they must read back as the characters themselves (pylatexenc drops or alters them).
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciicircum": "^",
    "textunderscore": "_",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
}

_TEXT_SPECIALS: dict[str, str] = {
    # pylatexenc treats ``&`` as a tabular column separator and pads it.
    "&": "&",
}


def _context_db(macros: dict[str, _Repl], specials: dict[str, str], name: str) -> Any:
    db = get_default_latex_context_db()
    db.add_context_category(
        name,
        prepend=True,
        macros=[MacroTextSpec(m, simplify_repl=r) for m, r in macros.items()],
        environments=[],
        specials=[SpecialsTextSpec(c, simplify_repl=r) for c, r in specials.items()],
    )
    return db


_TEXT_CONVERTER: Any = LatexNodes2Text(
    latex_context=_context_db(_TEXT_MACROS, _TEXT_SPECIALS, "paper-ls-text"),
    math_mode="verbatim",
)

# A macro name, an accent, or an escaped character.
_FALLBACK_MACRO = re.compile(r"\\(?:[A-Za-z]+\*?|([\"'`^~=.])|(.?))")


def _fallback_strip(value: str) -> str:
    """Crude decoding for input that made the parser fail: keep the words."""
    text = _QUICK_ACCENT.sub(_accent_repl, value)
    text = _QUICK_LETTER.sub(lambda m: _QUICK_LETTERS[m.group(1)], text)
    text = _FALLBACK_MACRO.sub(lambda m: m.group(2) or "", text)
    return text.replace("{", "").replace("}", "").replace("~", " ")


def latex_to_text(value: str) -> str:
    """Decode a BibTeX field value to the Unicode text a reader would see.

    Inline math stays as its ``$...$`` source: there is no faithful plain-text
    rendering of it, and the source is what people search for. Never raises.
    """
    if not _needs_parsing(value):
        return _collapse(value)
    text = _quick_decode(value)
    if text is None:
        text = _parsed_text(value)
    return _collapse(text)


@functools.lru_cache(maxsize=16)
def latex_to_text_recent(value: str) -> str:
    """`latex_to_text`, remembered for the last few values: a record's title and abstract
    are decoded when they are read and again when the index checks what it must store."""
    return latex_to_text(value)


def _parsed_text(value: str) -> str:
    try:
        text: str = _TEXT_CONVERTER.nodelist_to_text(_parse(value))
    except Exception:
        text = _fallback_strip(value)
    return text


# --------------------------------------------------------------------------- markdown

# Private-use sentinels mark the formatting *we* add, so that after decoding we
# can escape everything else (which came from the data) and still tell our own
# markers apart. Any occurrence in the input is removed first.
_EM_OPEN, _EM_CLOSE = "\ue000", "\ue001"
_STRONG_OPEN, _STRONG_CLOSE = "\ue002", "\ue003"
_CODE_OPEN, _CODE_CLOSE = "\ue004", "\ue005"
_OPENERS = _EM_OPEN + _STRONG_OPEN + _CODE_OPEN
_CLOSERS = _EM_CLOSE + _STRONG_CLOSE + _CODE_CLOSE
_SENTINELS = _OPENERS + _CLOSERS
_STRIP_SENTINELS = str.maketrans(dict.fromkeys(_SENTINELS))
_CLOSER_OF = dict(zip(_OPENERS, _CLOSERS, strict=True))


def _wrap(opener: str) -> Callable[[Any, Any], str]:
    closer = _CLOSER_OF[opener]

    def repl(n: Any, l2tobj: Any) -> str:
        return opener + _arg(n, l2tobj, 0) + closer

    return repl


_MD_MACROS: dict[str, _Repl] = {
    **_TEXT_MACROS,
    "emph": _wrap(_EM_OPEN),
    "textit": _wrap(_EM_OPEN),
    "textsl": _wrap(_EM_OPEN),
    "textbf": _wrap(_STRONG_OPEN),
    "texttt": _wrap(_CODE_OPEN),
    "verb": _wrap(_CODE_OPEN),
}

# Declarations that change the font until the end of the enclosing group.
_MD_SWITCHES: dict[str, str] = {
    "em": _EM_OPEN,
    "it": _EM_OPEN,
    "itshape": _EM_OPEN,
    "sl": _EM_OPEN,
    "slshape": _EM_OPEN,
    "bf": _STRONG_OPEN,
    "bfseries": _STRONG_OPEN,
    "tt": _CODE_OPEN,
    "ttfamily": _CODE_OPEN,
}


class _MarkdownNodes2Text(LatexNodes2Text):  # type: ignore[misc]
    """Adds font *declarations* (``{\\em x}``), which need the rest of a group."""

    def nodelist_to_text(self, nodelist: Sequence[Any]) -> str:
        for i, node in enumerate(nodelist):
            if node is not None and node.isNodeType(latexwalker.LatexMacroNode):
                opener = _MD_SWITCHES.get(node.macroname)
                if opener is not None:
                    head: str = super().nodelist_to_text(nodelist[:i])
                    tail = self.nodelist_to_text(nodelist[i + 1 :])
                    return head + opener + tail + _CLOSER_OF[opener]
        text: str = super().nodelist_to_text(nodelist)
        return text


_MD_CONVERTER: Any = _MarkdownNodes2Text(
    latex_context=_context_db(_MD_MACROS, _TEXT_SPECIALS, "paper-ls-markdown"),
    math_mode="verbatim",
)

# Everything CommonMark/GFM or inline HTML could act on inside a line. Escaping
# more would be harmless to CommonMark but not to people: Neovim's hover shows
# backslash escapes literally ("state\-of\-the\-art"). With ``[`` and ``]``
# escaped no link or image can form, so ``(``, ``)`` and ``!`` are safe; ``$``
# keeps a math-aware renderer from half-rendering math source; ``&`` stops
# entity decoding; ``~`` stops GFM strikethrough; ``|`` stops tables.
_MD_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~$&"})
# At the start of a block these begin headings, lists, quotes or rules.
_MD_LEADING_ORDERED = re.compile(r"^(\d+)([.)])")
_MD_LEADING_MARKER = re.compile(r"^([#+\-=])")
_SPACE_AFTER_OPEN = re.compile(f"([{_OPENERS}])( +)")
_SPACE_BEFORE_CLOSE = re.compile(f"( +)([{_CLOSERS}])")
_EMPTY_OR_ADJACENT = re.compile(
    "|".join(
        [f"{o}{c}" for o, c in _CLOSER_OF.items()] + [f"{c}{o}" for o, c in _CLOSER_OF.items()]
    )
)
_SPLIT_SENTINELS = re.compile(f"([{_SENTINELS}])")


def _escape_md(text: str) -> str:
    return text.translate(_MD_ESCAPES)


def _code_span(text: str) -> str:
    """A code span whose fence is longer than any backtick run inside it."""
    if not text:
        return ""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _tidy_markers(text: str) -> str:
    """Keep emphasis markers where CommonMark will honour them.

    ``* x*`` is not emphasis, so spaces move outside the markers; empty pairs
    and close-then-reopen pairs (``\\textbf{a}\\textbf{b}``) are dropped.
    """
    while True:
        new = _SPACE_AFTER_OPEN.sub(r"\2\1", text)
        new = _SPACE_BEFORE_CLOSE.sub(r"\2\1", new)
        new = _EMPTY_OR_ADJACENT.sub("", new)
        if new == text:
            return text
        text = new


def _render_markdown(text: str, at_block_start: bool) -> str:
    out: list[str] = []
    em = strong = 0
    code_depth = 0
    code_buf: list[str] = []
    for piece in _SPLIT_SENTINELS.split(text):
        if not piece:
            continue
        if code_depth:
            if piece == _CODE_OPEN:
                code_depth += 1
            elif piece == _CODE_CLOSE:
                code_depth -= 1
                if not code_depth:
                    out.append(_code_span("".join(code_buf)))
                    code_buf = []
            elif piece not in _SENTINELS:
                code_buf.append(piece)
        elif piece == _CODE_OPEN:
            code_depth = 1
        elif piece in (_EM_OPEN, _EM_CLOSE):
            # Nested emphasis toggles back to upright in LaTeX; Markdown has no
            # such notion, so only the outermost pair produces a marker.
            before = em
            em += 1 if piece == _EM_OPEN else -1
            if (before == 0) != (em == 0):
                out.append("*")
        elif piece in (_STRONG_OPEN, _STRONG_CLOSE):
            before = strong
            strong += 1 if piece == _STRONG_OPEN else -1
            if (before == 0) != (strong == 0):
                out.append("**")
        elif piece == _CODE_CLOSE:
            continue
        else:
            escaped = _escape_md(piece)
            if not out and at_block_start:
                # "1. x", "- x", "# x" at the start would become a list or heading.
                escaped = _MD_LEADING_ORDERED.sub(r"\1\\\2", escaped)
                escaped = _MD_LEADING_MARKER.sub(r"\\\1", escaped)
            out.append(escaped)
    if code_buf:
        out.append(_code_span("".join(code_buf)))
    return "".join(out)


def latex_to_markdown(value: str, *, at_block_start: bool = True) -> str:
    """Decode a BibTeX field value to Markdown that is safe to show in a hover.

    Field values come from arbitrary downloaded records, so every character of
    decoded text -- including math source -- is escaped: the result can carry
    italics, bold and code spans that we add, but never links, HTML or
    formatting of the record's own making. Never raises. Pass
    `at_block_start=False` for text placed mid-line (a link's text), where a
    leading "10." or "-" cannot start a list.
    """
    value = value.translate(_STRIP_SENTINELS)
    if not _needs_parsing(value):
        return _render_markdown(_collapse(value), at_block_start)
    # Without font macros the quick path's output is all plain text.
    quick = _quick_decode(value, drop_fonts=False)
    if quick is not None:
        return _render_markdown(_collapse(quick), at_block_start)
    try:
        text: str = _MD_CONVERTER.nodelist_to_text(_parse(value))
    except Exception:
        text = _fallback_strip(value)
    # Collapse again: moving spaces out of markers can leave doubles at the ends.
    return _render_markdown(_collapse(_tidy_markers(_collapse(text))), at_block_start)


# --------------------------------------------------------------------------- folding

# Letters NFKD leaves alone because they are not "letter + accent"; and
# typographic apostrophes, which join like the ASCII one.
_FOLD_TABLE = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "\u0131": "i",  # dotless i
        "ħ": "h",
        "Ħ": "h",
        "ŋ": "ng",
        "Ŋ": "ng",
        "\u2019": "'",  # right single quotation mark
        "\u02bc": "'",  # modifier letter apostrophe
    }
)
# Combining marks left by NFKD: the accents themselves.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
# Apostrophes join ("O'Brien" -> "obrien", as in citation keys); every other
# character that is not an ASCII letter or digit separates words -- including
# non-ASCII punctuation such as dashes, and scripts with no ASCII folding.
_APOSTROPHES = re.compile("['`]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Reduce a name or title to lowercase ASCII words for keys and matching.

    "Müller", "Muller" and "M{\\"u}ller" (after :func:`latex_to_text`) must
    collide, and punctuation must not split or merge words differently between
    sources.
    """
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_FOLD_TABLE)))
    text = text.lower()
    if "'" in text or "`" in text:
        text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_ALNUM.sub(" ", text).split())
