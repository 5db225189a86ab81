"""Citations, bibliographies and includes in LaTeX source, for completion and diagnostics.

Pure functions over text. :func:`cite_context` runs on every keystroke, so it reads only
the cursor line and at most :data:`CONTEXT_LINES` lines above it (plus, once it has found a
citation, one regex search over at most :data:`ENVIRONMENT_LOOKBACK` lines to rule out a
verbatim environment opened further up). The whole-document functions are one left-to-right
pass of one compiled regex that steps over comments, ``\\verb`` and verbatim environments, so
they stay linear in the size of the document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from paper_ls.documents.model import (
    KEY_CHAR_CLASS,
    Citation,
    CiteContext,
    LineIndex,
    Position,
    Range,
    from_utf16,
    to_utf16,
)

__all__ = [
    "BIBLATEX_COMMANDS",
    "CITE_COMMANDS",
    "CONTEXT_LINES",
    "ENVIRONMENT_LOOKBACK",
    "MULTICITE_COMMANDS",
    "NATBIB_COMMANDS",
    "VERBATIM_ENVIRONMENTS",
    "cite_context",
    "end_document_position",
    "find_bibliographies",
    "find_citations",
    "find_includes",
    "magic_root",
    "uses_biblatex",
]

#: natbib (and plain LaTeX ``\cite``). ``\citetext`` takes free text, not keys, so it is out.
NATBIB_COMMANDS = frozenset(
    {
        "cite",
        "citep",
        "citet",
        "citealp",
        "citealt",
        "citeauthor",
        "citefullauthor",
        "citeyear",
        "citeyearpar",
        "citenum",
        "Citep",
        "Citet",
        "Citealp",
        "Citealt",
        "Citeauthor",
        "nocite",
    }
)

#: biblatex commands taking one key list (optionally after ``[pre][post]``).
BIBLATEX_COMMANDS = frozenset(
    {
        "Cite",
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
        "citetitle",
        "citeauthor",
        "Citeauthor",
        "citeyear",
        "citeurl",
        "citedate",
        "citeurldate",
        "citename",
        "citelist",
        "citefield",
        "nocite",
    }
)

#: biblatex multicite commands: ``\cites(pre)(post)[pre][post]{keys}[pre][post]{keys}...``.
MULTICITE_COMMANDS = frozenset(
    {
        "cites",
        "Cites",
        "parencites",
        "Parencites",
        "autocites",
        "Autocites",
        "textcites",
        "Textcites",
        "footcites",
        "Footcites",
        "footcitetexts",
        "smartcites",
        "Smartcites",
        "supercites",
    }
)

CITE_COMMANDS = NATBIB_COMMANDS | BIBLATEX_COMMANDS | MULTICITE_COMMANDS

#: Environments whose body LaTeX does not read as commands.
VERBATIM_ENVIRONMENTS = (
    "verbatim",
    "verbatim*",
    "Verbatim",
    "Verbatim*",
    "BVerbatim",
    "LVerbatim",
    "lstlisting",
    "minted",
    "comment",
    "filecontents",
    "filecontents*",
)

#: Lines above the cursor searched for the start of a citation split over several lines.
CONTEXT_LINES = 20

#: Lines above the cursor searched for an unclosed verbatim environment.
ENVIRONMENT_LOOKBACK = 1000

_BIBLIOGRAPHY_COMMANDS = frozenset(
    {"bibliography", "nobibliography", "addbibresource", "addglobalbib", "addsectionbib"}
)
_LIST_BIBLIOGRAPHIES = frozenset({"bibliography", "nobibliography"})
_INCLUDE_COMMANDS = frozenset({"input", "include", "subfile", "import", "subimport"})
_TWO_ARGUMENT_INCLUDES = frozenset({"import", "subimport"})
_PACKAGE_COMMANDS = frozenset({"usepackage", "RequirePackage"})
_END_COMMANDS = frozenset({"end"})

# --------------------------------------------------------------------------- scanning


@lru_cache(maxsize=64)
def _scanner(names: frozenset[str]) -> re.Pattern[str]:
    """One regex that finds the commands in ``names`` and steps over what hides commands.

    Matching left to right, a comment, a ``\\verb`` span or a verbatim environment is
    consumed whole before any command inside it could match, and ``\\\\`` / ``\\%`` are
    consumed so that ``\\\\cite`` is no command and ``\\%`` no comment. Every alternative
    starts with ``%`` or a backslash, which lets the regex engine skip other text in C.
    """
    environments = "|".join(re.escape(e) for e in sorted(VERBATIM_ENVIRONMENTS, key=len)[::-1])
    commands = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(
        r"%(?P<comment>[^\n]*)"
        r"|\\(?:"
        rf"begin[ \t]*\{{(?P<env>{environments})\}}(?s:.*?)"
        rf"(?:\\end[ \t]*\{{(?P=env)\}}|(?P<env_eof>\Z))"
        r"|verb\*?(?P<delim>[^A-Za-z*\s])[^\n]*?(?:(?P<verb_end>(?P=delim))|$)"
        r"|[\\%]"
        rf"|(?P<cmd>{commands})(?![A-Za-z])(?P<star>\*?)"
        r")",
        re.MULTILINE,
    )


def _command_names(extra_commands: frozenset[str]) -> frozenset[str]:
    extra = frozenset(name.lstrip("\\") for name in extra_commands if name.lstrip("\\"))
    return CITE_COMMANDS | extra if extra else CITE_COMMANDS


def _hides_end(match: re.Match[str], length: int) -> bool:
    """True if ``match`` is a comment, ``\\verb`` or verbatim body still open at ``length``."""
    if match.end() != length:
        return False
    if match.group("comment") is not None:
        return True
    if match.group("env") is not None:
        return match.group("env_eof") is not None
    return match.group("delim") is not None and match.group("verb_end") is None


# --------------------------------------------------------------------------- arguments

# Space between a command and its arguments: blanks, line breaks and comments.
_GAP = re.compile(r"(?:\s|%[^\n]*)*")
# A blank line ends a paragraph, and with it any argument list.
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_COMMENT = re.compile(r"%[^\n]*")
# Text inside a key group up to a brace, a backslash, a macro parameter or a comment.
_KEY_RUN = re.compile(r"[^{}\\#%]*")
_KEY_TOKEN = re.compile(r"[^\s,]+")
_KEY_CHARS = re.compile(rf"[{KEY_CHAR_CLASS}]*")

_Span = tuple[str, int, int]
_Status = Literal["closed", "key", "other", "none"]
_GroupEnd = Literal["closed", "eof", "bad"]
_EOF = -1
_BAD = -2


@dataclass(slots=True)
class _Arguments:
    """What followed a citation command.

    ``status`` is ``closed`` (complete, possibly with keys), ``key`` (the text ended inside a
    key group: the cursor is there), ``other`` (the text ended elsewhere in the arguments) or
    ``none`` (the command has no key argument). ``keys`` are the keys of complete groups;
    ``open_group`` the keys read so far of the group still open when the text ended.
    """

    status: _Status
    keys: list[_Span]
    open_group: list[_Span]


def _skip_gap(text: str, index: int) -> int | None:
    match = _GAP.match(text, index)
    assert match is not None  # the pattern matches the empty string
    gap = match.group()
    if gap.count("\n") > 1 and _BLANK_LINE.search(_strip_comments(gap)):
        return None
    return match.end()


def _strip_comments(text: str) -> str:
    # Keeps the "%" so that a line holding only a comment does not look blank.
    return _COMMENT.sub("%", text) if "%" in text else text


def _without_comments(text: str) -> str:
    return _COMMENT.sub("", text) if "%" in text else text


def _skip_delimited(text: str, index: int, close: str) -> int:
    """Index after the ``[...]`` or ``(...)`` opened at ``index``; _EOF or _BAD otherwise.

    Like LaTeX, the first ``close`` outside braces ends the argument, and a blank line is
    an error (_BAD).
    """
    depth = 0
    length = len(text)
    index += 1
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "%":
            newline = text.find("\n", index)
            if newline < 0:
                return _EOF
            index = newline
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return _BAD
        elif char == close and depth == 0:
            return index + 1
        elif char == "\n" and _BLANK_LINE.match(text, index):
            return _BAD  # a runaway argument: LaTeX stops at the paragraph's end too
        index += 1
    return _EOF


def _read_key_group(text: str, index: int) -> tuple[_GroupEnd, list[_Span], int]:
    """Read the ``{a, b}`` group opened at ``index``: its keys and where it ended."""
    length = len(text)
    keys: list[_Span] = []
    index += 1
    while True:
        run = _KEY_RUN.match(text, index)
        assert run is not None
        end = run.end()
        if "\n" in run.group() and _BLANK_LINE.search(text, index, end):
            return "bad", keys, end  # a runaway argument: LaTeX stops at the paragraph's end too
        keys.extend((m.group(), m.start(), m.end()) for m in _KEY_TOKEN.finditer(text, index, end))
        if end >= length:
            return "eof", keys, end
        char = text[end]
        if char == "}":
            return "closed", keys, end + 1
        if char != "%":
            return "bad", keys, end
        newline = text.find("\n", end)
        if newline < 0:
            return "bad", keys, length  # the text ends inside a comment
        index = newline


def _parse_arguments(text: str, index: int, multicite: bool) -> _Arguments:
    """Parse the arguments of a citation command whose name ends at ``index``."""
    length = len(text)
    keys: list[_Span] = []
    groups = 0
    position = _skip_gap(text, index)
    if position is None:
        return _Arguments("none", keys, [])
    if multicite:
        for _ in range(2):
            if position < length and text[position] == "(":
                after = _skip_delimited(text, position, ")")
                if after < 0:
                    return _Arguments("other" if after == _EOF else "none", keys, [])
                position = _skip_gap(text, after)
                if position is None:
                    return _Arguments("none", keys, [])
    while True:
        while position < length and text[position] == "[":
            after = _skip_delimited(text, position, "]")
            if after == _EOF:
                return _Arguments("other", keys, [])
            if after == _BAD:
                return _Arguments("closed" if groups else "none", keys, [])
            position = _skip_gap(text, after)
            if position is None:
                return _Arguments("closed" if groups else "none", keys, [])
        if position >= length:
            return _Arguments("closed" if groups else "other", keys, [])
        if text[position] != "{":
            return _Arguments("closed" if groups else "none", keys, [])
        state, group, after = _read_key_group(text, position)
        if state == "eof":
            return _Arguments("key", keys, group)
        if state == "bad":
            return _Arguments("closed" if groups else "none", keys, [])
        keys.extend(group)
        groups += 1
        if not multicite:
            return _Arguments("closed", keys, [])
        following = _skip_gap(text, after)
        if following is None or following >= length or text[following] not in "[{":
            return _Arguments("closed", keys, [])
        position = following


# --------------------------------------------------------------------------- cite_context


def _line(text_lines: Sequence[str], number: int) -> str:
    # pygls hands out lines with their terminators; nothing here wants them.
    return text_lines[number].rstrip("\r\n")


def cite_context(
    text_lines: Sequence[str],
    position: Position,
    extra_commands: frozenset[str] = frozenset(),
) -> CiteContext | None:
    """The citation key under the cursor, or None if the cursor is not in a key argument.

    Looks at the cursor line and at most :data:`CONTEXT_LINES` lines above it, so a citation
    whose command is further up than that is not recognised.
    """
    number = position.line
    if not 0 <= number < len(text_lines):
        return None
    line = _line(text_lines, number)
    index = from_utf16(line, position.character)
    first = max(0, number - CONTEXT_LINES)
    head = "\n".join([_line(text_lines, n) for n in range(first, number)] + [line[:index]])
    length = len(head)

    scanner = _scanner(_command_names(extra_commands))
    candidates: list[re.Match[str]] = []
    for match in scanner.finditer(head):
        if match.group("cmd") is not None:
            candidates.append(match)
        elif _hides_end(match, length):
            return None

    # Last command first: in \citep[see \citet{x}]{a, |} the later \citet is closed and the
    # earlier \citep holds the cursor; in \citep[see \citet{|} it is the other way round.
    for match in reversed(candidates):
        name = match.group("cmd")
        arguments = _parse_arguments(head, match.end(), name in MULTICITE_COMMANDS)
        if arguments.status != "key":
            continue
        group = arguments.open_group
        current = group[-1] if group and group[-1][2] == length else None
        token_start = current[1] if current else length
        prefix = head[token_start:]
        if _KEY_CHARS.fullmatch(prefix) is None:
            return None
        if _inside_verbatim(text_lines, number, index):
            return None
        line_start = length - index
        start = token_start - line_start
        end_match = _KEY_CHARS.match(line, index)
        assert end_match is not None
        others = arguments.keys + (group[:-1] if current else group)
        return CiteContext(
            prefix=prefix,
            replace=Range(
                Position(number, to_utf16(line, start)),
                Position(number, to_utf16(line, end_match.end())),
            ),
            keys_before=tuple(key for key, _, _ in others),
            command=name + match.group("star"),
            language="latex",
        )
    return None


_ENVIRONMENT_MARK = re.compile(
    r"\\(?P<kind>begin|end)[ \t]*\{(?P<name>"
    + "|".join(re.escape(e) for e in sorted(VERBATIM_ENVIRONMENTS, key=len)[::-1])
    + r")\}"
)
_COMMENT_START = re.compile(r"\\.|%")


def _comment_start(line: str) -> int:
    """Index of the ``%`` that starts a comment on ``line``, or its length if none."""
    if "%" not in line:
        return len(line)
    for match in _COMMENT_START.finditer(line):
        if match.group() == "%":
            return match.start()
    return len(line)


def _inside_verbatim(text_lines: Sequence[str], number: int, index: int) -> bool:
    """True if the nearest verbatim-environment mark above the cursor is a ``\\begin``.

    Bounded by :data:`ENVIRONMENT_LOOKBACK`; ``\\begin`` in a comment does not count, while
    any ``\\end`` does (inside a verbatim body a ``%`` is no comment).
    """
    first = max(0, number - ENVIRONMENT_LOOKBACK)
    # One C-level join and regex scan beat a Python loop over a thousand lines.
    above = "\n".join(text_lines[first:number])
    for block in (_line(text_lines, number)[:index], above):
        if "\\begin" not in block and "\\end" not in block:
            continue
        for mark in reversed(list(_ENVIRONMENT_MARK.finditer(block))):
            if mark.group("kind") == "end":
                return False
            line_start = block.rfind("\n", 0, mark.start()) + 1
            if _comment_start(block[line_start : mark.start()]) == mark.start() - line_start:
                return True
    return False


# --------------------------------------------------------------------------- whole document


def find_citations(text: str, extra_commands: frozenset[str] = frozenset()) -> list[Citation]:
    """Every key of every citation in ``text``, in order, skipping comments and verbatim."""
    scanner = _scanner(_command_names(extra_commands))
    spans: list[tuple[int, int, str, str]] = []
    for match in scanner.finditer(text):
        name = match.group("cmd")
        if name is None:
            continue
        arguments = _parse_arguments(text, match.end(), name in MULTICITE_COMMANDS)
        command = name + match.group("star")
        # \nocite{*} means every entry, not a key called "*".
        spans.extend((start, end, key, command) for key, start, end in arguments.keys if key != "*")
    # A citation inside another's optional argument is found after the outer one's keys.
    if any(spans[i][0] > spans[i + 1][0] for i in range(len(spans) - 1)):
        spans.sort()
    lines = LineIndex(text)
    return [
        Citation(key, Range(lines.position(start), lines.position(end)), command)
        for start, end, key, command in spans
    ]


_ONE_ARGUMENT = re.compile(r"\s*(?:\[[^\]]*\]\s*)*\{([^{}]*)\}")
_TWO_ARGUMENTS = re.compile(r"\s*\{([^{}]*)\}\s*\{([^{}]*)\}")


def _commands(text: str, names: frozenset[str]) -> list[re.Match[str]]:
    return [m for m in _scanner(names).finditer(text) if m.group("cmd") is not None]


def find_bibliographies(text: str) -> list[str]:
    """Bibliography files named by ``\\bibliography`` and ``\\addbibresource``, as written.

    ``\\bibliography{refs}`` gives ``refs`` (BibTeX adds ``.bib`` itself; the caller knows).
    """
    found: list[str] = []
    for match in _commands(text, _BIBLIOGRAPHY_COMMANDS):
        argument = _ONE_ARGUMENT.match(text, match.end())
        if argument is None:
            continue
        value = _without_comments(argument.group(1))
        if match.group("cmd") in _LIST_BIBLIOGRAPHIES:
            found.extend(name.strip() for name in value.split(",") if name.strip())
        elif value.strip():
            found.append(value.strip())
    return found


def find_includes(text: str) -> list[str]:
    """Files pulled in by ``\\input``, ``\\include``, ``\\subfile`` and ``\\(sub)import``."""
    found: list[str] = []
    for match in _commands(text, _INCLUDE_COMMANDS):
        if match.group("cmd") in _TWO_ARGUMENT_INCLUDES:
            arguments = _TWO_ARGUMENTS.match(text, match.end())
            if arguments is None:
                continue
            directory, name = arguments.group(1).strip(), arguments.group(2).strip()
            if directory and not directory.endswith("/"):
                directory += "/"
            if name:
                found.append(directory + name)
        else:
            argument = _ONE_ARGUMENT.match(text, match.end())
            if argument is not None and argument.group(1).strip():
                found.append(argument.group(1).strip())
    return found


_MAGIC_ROOT = re.compile(r"^\s*%+\s*!\s*tex\s*root\s*=\s*(?P<root>.*?)\s*$", re.IGNORECASE)
_MAGIC_LINES = 20


def magic_root(text: str) -> str | None:
    """The file named by a ``% !TEX root = main.tex`` comment in the first 20 lines."""
    start = 0
    for _ in range(_MAGIC_LINES):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        match = _MAGIC_ROOT.match(line)
        if match is not None and match.group("root"):
            root = match.group("root")
            if len(root) > 1 and root[0] == root[-1] and root[0] in "\"'":
                root = root[1:-1]
            return root
        if end < 0:
            break
        start = end + 1
    return None


_PACKAGE_ARGUMENT = re.compile(r"\s*(?:\[[^\]]*\]\s*)?\{([^{}]*)\}")


def uses_biblatex(text: str) -> bool:
    """True if the document loads biblatex, so ``\\addbibresource`` is the way to add a file."""
    for match in _commands(text, _PACKAGE_COMMANDS):
        argument = _PACKAGE_ARGUMENT.match(text, match.end())
        if argument is None:
            continue
        packages = _without_comments(argument.group(1))
        names = [name.strip() for name in packages.split(",")]
        # Style packages such as biblatex-chicago load biblatex themselves.
        if any(name == "biblatex" or name.startswith("biblatex-") for name in names):
            return True
    return False


_DOCUMENT_ARGUMENT = re.compile(r"[ \t]*\{document\}")


def end_document_position(text: str) -> Position | None:
    """Start of the line holding ``\\end{document}``: where a ``\\bibliography`` goes."""
    for match in _commands(text, _END_COMMANDS):
        if _DOCUMENT_ARGUMENT.match(text, match.end()) is not None:
            return Position(LineIndex(text).position(match.start()).line, 0)
    return None
