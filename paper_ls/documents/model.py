"""Positions, ranges and citation records shared by the LaTeX and Markdown readers.

Plain frozen data plus the UTF-16 arithmetic LSP imposes: the readers stay pure functions
over text, and the server converts to lsprotocol types in one place. Columns are UTF-16
code units because that is what every LSP client sends unless told otherwise; Python
indexes code points, so each reader converts at its edges with the helpers below.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "KEY_CHAR_CLASS",
    "KEY_PUNCTUATION",
    "Citation",
    "CiteContext",
    "Language",
    "LineIndex",
    "Position",
    "Range",
    "from_utf16",
    "is_key_char",
    "iter_lines",
    "split_lines",
    "to_utf16",
    "utf16_length",
]

Language = Literal["latex", "markdown"]

#: Punctuation allowed in a citation key besides letters and digits (DBLP keys use ``:`` and
#: ``/``; Google-Scholar-style keys are plain; ``.``, ``-``, ``_`` and ``+`` are common).
KEY_PUNCTUATION = ":/.-_+"

#: The same set for use inside a regex character class. ``\w`` is Unicode-aware (any letter
#: or digit, and ``_``); U+0300-U+036F adds combining accents so NFD-decomposed names such
#: as ``Mu\u0308ller`` stay one key.
KEY_CHAR_CLASS = r"\w:/.+\-\u0300-\u036f"


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """Zero-based line and UTF-16 column, exactly as LSP sends and expects them."""

    line: int
    character: int


@dataclass(frozen=True, slots=True)
class Range:
    """Half-open span ``[start, end)``, as in LSP."""

    start: Position
    end: Position


@dataclass(frozen=True, slots=True)
class CiteContext:
    """What completion needs to know when the cursor sits in a citation key.

    ``prefix`` is what has been typed of the key under the cursor; ``replace`` covers the
    whole key (also the part after the cursor) so accepting a completion replaces the word
    rather than splicing into it; ``keys_before`` are the keys that precede it in the same
    citation, so they can be ranked down or left out.
    """

    prefix: str
    replace: Range
    keys_before: tuple[str, ...]
    command: str
    language: Language


@dataclass(frozen=True, slots=True)
class Citation:
    """One key of one citation in a document, with the range of the key itself."""

    key: str
    range: Range
    command: str


def is_key_char(char: str) -> bool:
    """True for a character that may appear in a citation key (one character)."""
    return char.isalnum() or char in KEY_PUNCTUATION or "\u0300" <= char <= "\u036f"


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (characters beyond U+FFFF count twice)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def to_utf16(line: str, index: int) -> int:
    """UTF-16 column of the Python index ``index`` within ``line``."""
    return utf16_length(line[: max(index, 0)])


def from_utf16(line: str, character: int) -> int:
    """Python index within ``line`` of the UTF-16 column ``character``.

    Columns past the end clamp to the line length (LSP says so); a column that falls
    between the two halves of a surrogate pair rounds down to the start of that character.
    """
    if character <= 0:
        return 0
    if line.isascii():
        return min(character, len(line))
    units = 0
    for index, char in enumerate(line):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > character:
            return index
        units += width
    return len(line)


# LSP counts "\r\n", "\r" and "\n" as line breaks, and nothing else: str.splitlines() would
# also split on form feeds, U+2028 and friends and disagree with the client's line numbers.
_NEWLINE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their terminators, numbered as LSP numbers them."""
    if "\r" not in text:
        return text.split("\n")
    return _NEWLINE.split(text)


def iter_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time, for readers that stop early (front matter)."""
    start = 0
    for match in _NEWLINE.finditer(text):
        yield text[start : match.start()]
        start = match.end()
    yield text[start:]


class LineIndex:
    """Maps offsets into a whole text to LSP positions, for ranges found by a regex scan.

    Scans produce offsets in increasing order, so each lookup only counts the line breaks
    since the previous one (C-level ``str.count``): linear over a whole scan, with no table
    of line starts built for documents that hold few citations.
    """

    __slots__ = ("_carriage", "_line", "_line_start", "_offset", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._carriage = "\r" in text
        self._offset = self._line = self._line_start = 0

    def position(self, offset: int) -> Position:
        """The position of the Python offset ``offset`` into the text."""
        text = self._text
        if offset < self._offset:  # out of order: count again from the top
            self._offset = self._line = self._line_start = 0
        if self._carriage:
            for match in _NEWLINE.finditer(text, self._offset, offset):
                self._line += 1
                self._line_start = match.end()
        else:
            breaks = text.count("\n", self._offset, offset)
            if breaks:
                self._line += breaks
                self._line_start = text.rfind("\n", 0, offset) + 1
        self._offset = offset
        return Position(self._line, utf16_length(text[self._line_start : offset]))
