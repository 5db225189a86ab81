"""Documents written with markers, as an editor shows them: `‸` is the cursor, `«…»` a range.

The helpers do their own UTF-16 arithmetic, independent of the code under test.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from paper_ls.documents.model import Position, Range

CURSOR, START, END = "‸", "«", "»"


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse(marked: str) -> tuple[list[str], Position | None, list[Range]]:
    """Lines without markers, the cursor, and the «…» ranges in document order."""
    lines: list[str] = []
    cursor: Position | None = None
    ranges: list[Range] = []
    start: Position | None = None
    for number, raw in enumerate(marked.split("\n")):
        clean = ""
        for char in raw:
            here = Position(number, _units(clean))
            if char == CURSOR:
                cursor = here
            elif char == START:
                start = here
            elif char == END:
                assert start is not None
                ranges.append(Range(start, here))
            else:
                clean += char
        lines.append(clean)
    return lines, cursor, ranges


class RecordingLines(Sequence[str]):
    """A document that remembers which lines were read."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.read: set[int] = set()

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            numbers = range(*index.indices(len(self.lines)))
            self.read.update(numbers)
            return [self.lines[n] for n in numbers]
        self.read.add(index % len(self.lines))
        return self.lines[index]

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("cite_context must not iterate over the whole document")
