"""Pandoc citations (``[@key]``, ``@key``, ``-@key``, ``@{odd key}``) in Markdown documents.

Pandoc, Quarto and R Markdown share the syntax. Pure functions over text:
:func:`cite_context` runs on every keystroke and reads only the cursor line, at most
:data:`CONTEXT_LINES` lines above it for a bracketed citation split over lines, and, once it
has found a citation, one regex search over at most :data:`BLOCK_LOOKBACK` lines above it to
rule out a code block or the front matter. :func:`find_citations` is one pass over the lines
with compiled regexes.

Code is recognised as Pandoc does where it matters most: fenced blocks (backtick or tilde
fences, at any indentation so that fences inside list items count) and inline code spans.
Indented code blocks are best effort: four columns of indentation after a blank line, unless
the paragraph above belongs to a list (then it is a continuation paragraph, as in Pandoc).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paper_ls.documents.model import (
    KEY_CHAR_CLASS,
    Citation,
    CiteContext,
    Position,
    Range,
    from_utf16,
    is_key_char,
    iter_lines,
    split_lines,
    to_utf16,
)

__all__ = [
    "BLOCK_LOOKBACK",
    "CONTEXT_LINES",
    "cite_context",
    "find_citations",
    "front_matter_bibliographies",
    "front_matter_end",
    "has_front_matter",
]

#: Lines above the cursor searched for the ``[`` of a bracketed citation (within a paragraph).
CONTEXT_LINES = 20

#: Lines above the cursor searched for an open code fence, front matter or code block.
BLOCK_LOOKBACK = 1000

# Pandoc's key: starts with a letter, digit or "_"; punctuation only inside, i.e. followed by a
# letter, digit or "_" ("@smith2020." and "@smith2020:" end before the punctuation), except
# ":" or "/" before "/" (URLs as keys). \w is Unicode-aware; U+0300-U+036F are combining marks.
_WORD = r"[\w\u0300-\u036f]"
_KEY = rf"{_WORD}(?:{_WORD}|[:/.+\-](?={_WORD})|[:/](?=/))*"
_WORD_RX = re.compile(_WORD)
_KEY_CHARS = re.compile(rf"[{KEY_CHAR_CLASS}]*")

# One pass over a line: escapes (so "\[" and "\@" are text), brackets (to know whether a key
# sits in a "[...]" group) and "@" followed by a key. Every alternative starts with a literal
# character, which lets the regex engine skip other text in C; whether the "@" may start a
# citation is checked on the character before it (see _starts_citation).
_LINE_TOKEN = re.compile(
    r"\\."
    r"|\[(?P<open>)"
    r"|\](?P<close>)"
    rf"|@(?:\{{(?P<braced>[^\s{{}}]*)\}}|(?P<key>{_KEY}))"
)
_BRACKET = re.compile(r"\\.|[\[\]]")
_BACKTICKS = re.compile(r"`+")
_FENCE = re.compile(r"[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>.*)")
# Searched in "\n" + the lines joined: a literal first character lets the engine skip fast.
_FENCE_LINE = re.compile(r"\n[ \t]*(`{3,}|~{3,})([^\n]*)")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_TRAILING_PUNCTUATION = ":/.-+"


# --------------------------------------------------------------------------- line helpers


def _line(text_lines: Sequence[str], number: int) -> str:
    # pygls hands out lines with their terminators; nothing here wants them.
    return text_lines[number].rstrip("\r\n")


def _code_spans(line: str) -> tuple[list[tuple[int, int]], int | None]:
    """Inline code spans of ``line`` as ``[start, end)``, and where an unclosed run starts.

    A run of N backticks opens a span closed by the next run of exactly N (CommonMark).
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line)]
    spans: list[tuple[int, int]] = []
    unclosed: int | None = None
    current = 0
    while current < len(runs):
        start, end = runs[current]
        width = end - start
        for later in range(current + 1, len(runs)):
            if runs[later][1] - runs[later][0] == width:
                spans.append((start, runs[later][1]))
                current = later + 1
                break
        else:
            if unclosed is None:
                unclosed = start
            current += 1
    return spans, unclosed


def _inside(spans: list[tuple[int, int]], index: int) -> bool:
    return any(start <= index < end for start, end in spans)


def _in_url(line: str, at: int) -> bool:
    """True if the ``@`` at ``at`` belongs to a URL (``https://x.org/a;@b``)."""
    start = at
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    return "://" in line[start:at]


def _indent(line: str) -> int:
    """Columns of leading indentation, tabs to multiples of four, counted up to four."""
    column = 0
    for char in line:
        if char == " ":
            column += 1
        elif char == "\t":
            column += 4 - column % 4
        else:
            break
        if column >= 4:
            break
    return column


@dataclass(frozen=True, slots=True)
class _Fence:
    char: str
    length: int
    info: bool


def _fence(line: str) -> _Fence | None:
    """The code fence ``line`` is, if it is one."""
    stripped = line.lstrip(" \t")
    if not stripped.startswith(("```", "~~~")):
        return None
    match = _FENCE.match(line)
    assert match is not None
    return _fence_from(match.group("fence"), match.group("info"))


def _fence_from(marks: str, info: str) -> _Fence | None:
    info = info.strip()
    if marks[0] == "`" and "`" in info:  # ```code``` on one line is inline code
        return None
    return _Fence(marks[0], len(marks), bool(info))


def _closes(opening: _Fence, fence: _Fence | None) -> bool:
    return (
        fence is not None
        and fence.char == opening.char
        and fence.length >= opening.length
        and not fence.info
    )


# --------------------------------------------------------------------------- front matter


def _front_matter(lines: Iterable[str]) -> list[str] | None:
    """The lines between the ``---`` opening the document and the ``---``/``...`` closing it."""
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None or first.lstrip("\ufeff").rstrip() != "---":
        return None
    content: list[str] = []
    for line in iterator:
        stripped = line.rstrip()
        if stripped in ("---", "..."):
            return content
        if not content and not stripped:
            return None  # "---" then a blank line is a horizontal rule, not metadata
        content.append(line)
    return None


def has_front_matter(text: str) -> bool:
    """True if the document opens with a closed YAML metadata block."""
    return _front_matter(iter_lines(text)) is not None


def front_matter_end(text: str) -> Position | None:
    """Start of the line that closes the front matter: insert new keys there."""
    content = _front_matter(iter_lines(text))
    return None if content is None else Position(len(content) + 1, 0)


_BIBLIOGRAPHY_KEY = re.compile(r"bibliography[ \t]*:(?P<value>.*)$")
_LIST_ITEM_VALUE = re.compile(r"[ \t]*-(?:[ \t]+(?P<value>.*))?$")


def front_matter_bibliographies(text: str) -> list[str]:
    """The files named by the front matter's top-level ``bibliography`` key, as written.

    Reads the forms people write (``refs.bib``, ``"refs.bib"``, ``[a.bib, b.bib]`` and a
    block list); enough YAML for that, and no dependency.
    """
    content = _front_matter(iter_lines(text))
    if content is None:
        return []
    found: list[str] = []
    number = 0
    while number < len(content):
        match = _BIBLIOGRAPHY_KEY.match(content[number])
        number += 1
        if match is None:
            continue
        value = _strip_yaml_comment(match.group("value")).strip()
        if not value:
            while number < len(content):
                stripped = content[number].strip()
                if stripped and not stripped.startswith("#"):
                    item = _LIST_ITEM_VALUE.match(content[number])
                    if item is None:
                        break
                    found.append(_yaml_scalar(_strip_yaml_comment(item.group("value") or "")))
                number += 1
        elif value.startswith("["):
            while "]" not in value and number < len(content):
                value += " " + _strip_yaml_comment(content[number]).strip()
                number += 1
            found.extend(_yaml_scalar(item) for item in _split_flow(value))
        else:
            found.append(_yaml_scalar(value))
    return [name for name in found if name]


def _strip_yaml_comment(value: str) -> str:
    """``value`` without a trailing ``# comment`` (a ``#`` after a blank, outside quotes)."""
    if "#" not in value:
        return value
    quote = ""
    for index, char in enumerate(value):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or value[index - 1] in " \t"):
            return value[:index]
    return value


def _split_flow(value: str) -> list[str]:
    """The items of a flow sequence ``[a, "b, c"]``, split on commas outside quotes."""
    inner = value.strip()[1:]
    items: list[str] = []
    current: list[str] = []
    quote = ""
    for char in inner:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in ",]":
            items.append("".join(current))
            current = []
            if char == "]":
                return items
            continue
        current.append(char)
    items.append("".join(current))
    return items


def _yaml_scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


# --------------------------------------------------------------------------- cite_context


def cite_context(text_lines: Sequence[str], position: Position) -> CiteContext | None:
    """The citation key under the cursor, or None if the cursor is not in a citation key.

    Also answers right after a bare ``@`` (the completion trigger) with an empty prefix.
    """
    number = position.line
    if not 0 <= number < len(text_lines):
        return None
    line = _line(text_lines, number)
    index = from_utf16(line, position.character)
    found = _key_start(line, index)
    if found is None:
        return None
    at, key_start, braced = found
    if not _starts_citation(line, at):
        return None
    start = at - 1 if at > 0 and line[at - 1] == "-" else at
    if "`" in line:
        spans, unclosed = _code_spans(line)
        # An unclosed backtick before the "@" is most likely inline code still being typed.
        if _inside(spans, at) or (unclosed is not None and unclosed < at):
            return None
    if _in_url(line, at):
        return None
    if (
        _in_front_matter(text_lines, number)
        or _in_fence(text_lines, number)
        or _in_indented_code(text_lines, number)
    ):
        return None
    opening = _open_bracket(text_lines, number, start)
    keys = _keys_between(text_lines, opening, number, start) if opening is not None else ()
    return CiteContext(
        prefix=line[key_start:index],
        replace=Range(
            Position(number, to_utf16(line, key_start)),
            Position(number, to_utf16(line, _key_end(line, index, braced))),
        ),
        keys_before=keys,
        command="[@" if opening is not None else "@",
        language="markdown",
    )


def _key_start(line: str, index: int) -> tuple[int, int, bool] | None:
    """Where the ``@`` and the key before the cursor start, and whether the key is braced."""
    start = index
    while start > 0 and line[start - 1] not in "{}@" and not line[start - 1].isspace():
        start -= 1
    if start >= 2 and line[start - 1] == "{" and line[start - 2] == "@":
        return start - 2, start, True
    start = index
    while start > 0 and is_key_char(line[start - 1]):
        start -= 1
    if start == 0 or line[start - 1] != "@":
        return None
    if start < index and not _WORD_RX.match(line[start]):
        return None  # "@.x" or "@-x": Pandoc reads no citation there
    return start - 1, start, False


def _key_end(line: str, index: int, braced: bool) -> int:
    """End of the key after the cursor, without the trailing punctuation Pandoc leaves out."""
    end = index
    if braced:
        while end < len(line) and line[end] not in "{}" and not line[end].isspace():
            end += 1
        return end
    match = _KEY_CHARS.match(line, index)
    assert match is not None
    end = match.end()
    while end > index and line[end - 1] in _TRAILING_PUNCTUATION:
        end -= 1
    return end


def _open_bracket(text_lines: Sequence[str], number: int, before: int) -> tuple[int, int] | None:
    """The unmatched ``[`` before the citation, within its paragraph and the context window."""
    depth = 0
    for current in range(number, max(-1, number - CONTEXT_LINES - 1), -1):
        line = _line(text_lines, current)
        if current != number and not line.strip():
            return None
        end = before if current == number else len(line)
        spans = _code_spans(line)[0] if "`" in line else []
        marks = [
            m
            for m in _BRACKET.finditer(line, 0, end)
            if len(m.group()) == 1 and not _inside(spans, m.start())
        ]
        for mark in reversed(marks):
            if mark.group() == "]":
                depth += 1
            elif depth:
                depth -= 1
            else:
                return current, mark.start()
    return None


def _keys_between(
    text_lines: Sequence[str], opening: tuple[int, int], number: int, before: int
) -> tuple[str, ...]:
    """The citation keys from the ``[`` at ``opening`` up to the cursor's citation."""
    keys: list[str] = []
    first, column = opening
    for current in range(first, number + 1):
        line = _line(text_lines, current)
        start = column + 1 if current == first else 0
        end = before if current == number else len(line)
        keys.extend(key for key, _, _ in _line_citations(line, start, end))
    return tuple(keys)


def _line_citations(line: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """The citation keys of ``line[start:end]`` with their spans, outside code and URLs."""
    spans = _code_spans(line)[0] if "`" in line else []
    found: list[tuple[str, int, int]] = []
    for match in _LINE_TOKEN.finditer(line, start, end):
        citation = _citation(line, match, spans)
        if citation is not None:
            found.append(citation)
    return found


def _citation(
    line: str, match: re.Match[str], spans: list[tuple[int, int]]
) -> tuple[str, int, int] | None:
    group = "braced" if match.group("braced") is not None else "key"
    key = match.group(group)
    if not key:
        return None
    at = match.start()
    if not _starts_citation(line, at) or (spans and _inside(spans, at)) or _in_url(line, at):
        return None
    return key, match.start(group), match.end(group)


def _starts_citation(line: str, at: int) -> bool:
    """True if the ``@`` at ``at`` may start a citation, which rules out e-mail addresses.

    The ``@``, or the ``-`` of ``-@``, must follow the start of the line, a blank, ``[``,
    ``;`` or ``(``.
    """
    before = at - 1
    if before >= 0 and line[before] == "-":
        before -= 1
    return before < 0 or line[before].isspace() or line[before] in "[;("


def _in_front_matter(text_lines: Sequence[str], number: int) -> bool:
    if number > BLOCK_LOOKBACK:
        return False
    lines = (_line(text_lines, n) for n in range(min(len(text_lines), BLOCK_LOOKBACK + 2)))
    content = _front_matter(lines)
    return content is not None and number <= len(content) + 1


def _in_fence(text_lines: Sequence[str], number: int) -> bool:
    """True if ``number`` is a fence line or inside a fenced code block.

    Replays the fences found at most :data:`BLOCK_LOOKBACK` lines up. When that does not reach
    the top of the document, the replay starts at the first fence with an info string (only
    an opening fence can have one), or assumes prose at the window's edge.
    """
    if _fence(_line(text_lines, number)) is not None:
        return True
    low = max(0, number - BLOCK_LOOKBACK)
    if low == 0:
        content = _front_matter(_line(text_lines, n) for n in range(number))
        low = 0 if content is None else len(content) + 2
    # One C-level join and regex scan beat a Python loop over a thousand lines.
    above = "\n" + "\n".join(text_lines[low:number])
    if "```" not in above and "~~~" not in above:
        return False
    fences = _FENCE_LINE.findall(above)
    if number > BLOCK_LOOKBACK:  # start at a fence that can only be an opening one
        fences = fences[next((i for i, (_, info) in enumerate(fences) if info.strip()), 0) :]
    opening = ""
    for marks, info in fences:
        if marks[0] == "`" and "`" in info:
            continue  # ```code``` on one line is inline code
        if not opening:
            opening = marks
        elif marks[0] == opening[0] and len(marks) >= len(opening) and not info.strip():
            opening = ""
    return bool(opening)


def _in_indented_code(text_lines: Sequence[str], number: int) -> bool:
    """Best effort: is ``number`` in an indented code block? Twin of :class:`_IndentedCode`."""
    if _indent(_line(text_lines, number)) < 4:
        return False
    low = max(0, number - BLOCK_LOOKBACK)
    anchor = number - 1
    while anchor >= low:
        line = _line(text_lines, anchor)
        if line.strip() and _indent(line) < 4:
            break
        anchor -= 1
    else:
        return low == 0  # indented text at the very top is code; past the window, assume prose
    if _line(text_lines, anchor + 1).strip():
        return False  # the indented text continues the paragraph above (lazy continuation)
    current = anchor
    while current >= low:
        line = _line(text_lines, current)
        if not line.strip():
            break
        if _indent(line) > 0 or _LIST_ITEM.match(line):
            return False  # a list's continuation paragraph, not code
        current -= 1
    return True


class _IndentedCode:
    """Forward twin of :func:`_in_indented_code`, fed every line of the document in order."""

    __slots__ = ("after_anchor", "anchor_in_list", "anchor_seen", "blank_after", "in_list")

    def __init__(self) -> None:
        self.anchor_seen = False  # a non-blank line indented less than four columns
        self.anchor_in_list = False  # ... whose paragraph belongs to a list
        self.after_anchor = False  # the previous line was that anchor
        self.blank_after = False  # the line after the anchor was blank
        self.in_list = False  # the current paragraph so far belongs to a list

    def feed(self, line: str) -> bool:
        """Take the next line; True if it is in an indented code block."""
        if line and line[0] not in " \t":
            if not self.in_list and line[0] in "-*+0123456789":
                self.in_list = _LIST_ITEM.match(line) is not None
            self._anchor()
            return False
        if not line.strip():
            if self.after_anchor:
                self.blank_after = True
            self.after_anchor = False
            self.in_list = False
            return False
        indent = _indent(line)
        if indent >= 4:
            code = not self.anchor_seen or (self.blank_after and not self.anchor_in_list)
            self.after_anchor = False
            self.in_list = True
            return code
        self.in_list = True  # indented by one to three columns: inside a list item
        self._anchor()
        return False

    def _anchor(self) -> None:
        self.anchor_seen = True
        self.anchor_in_list = self.in_list
        self.after_anchor = True
        self.blank_after = False


# --------------------------------------------------------------------------- find_citations


def find_citations(text: str) -> list[Citation]:
    """Every ``@key`` citation in the document, outside front matter, code, e-mails and URLs.

    ``command`` is ``[@`` for a key inside a bracketed citation and ``@`` for an in-text one.
    """
    lines = split_lines(text)
    content = _front_matter(lines)
    body = 0 if content is None else len(content) + 2
    blocks = _IndentedCode()
    opening: _Fence | None = None
    depth = 0
    found: list[Citation] = []
    for number, line in enumerate(lines):
        indented = blocks.feed(line)
        if number < body:
            continue
        if opening is not None:
            if _closes(opening, _fence(line)):
                opening = None
            continue
        if indented:
            continue
        fence = _fence(line)
        if fence is not None:
            opening = fence
            depth = 0
            continue
        if "@" not in line and "[" not in line and "]" not in line:
            if not line.strip():
                depth = 0
            continue
        depth = _scan_line(line, number, depth, found)
    return found


def _scan_line(line: str, number: int, depth: int, found: list[Citation]) -> int:
    """Add the citations of one prose line to ``found``; returns the bracket depth after it."""
    spans = _code_spans(line)[0] if "`" in line else []
    ascii_only = line.isascii()  # then Python indices are UTF-16 columns already
    for match in _LINE_TOKEN.finditer(line):
        if match.group()[0] == "@":
            citation = _citation(line, match, spans)
            if citation is not None:
                key, start, end = citation
                if not ascii_only:
                    start, end = to_utf16(line, start), to_utf16(line, end)
                key_range = Range(Position(number, start), Position(number, end))
                found.append(Citation(key, key_range, "[@" if depth else "@"))
        elif spans and _inside(spans, match.start()):
            continue
        elif match.group("open") is not None:
            depth += 1
        elif match.group("close") is not None:
            depth = max(0, depth - 1)
    return depth
