"""The fast path of `parse.py`: plain entries split by regular expressions instead of
bibtexparser's character-by-character splitter.

bibtexparser's splitter costs about 450 µs per entry here, more than everything else an
import does. Nearly every entry of a real `.bib` file has one shape: `@type{key,` then
`name = value` fields whose values are braced, quoted or bare words joined by `#`. This
module recognises exactly that shape, and hands any block it is not sure about back to
bibtexparser, so that what is read, and every message about a malformed entry, stays the
one parser's. The rules below mirror bibtexparser 2's splitter: a delimiter preceded by a
backslash is not a delimiter; inside `"..."` braces do not nest, except the `{"}` escape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: A block starts at an `@type{` or `@type(` that opens a line (bibtexparser treats such an
#: `@` as a new block even inside an unclosed one, which keeps chunks independent).
_BLOCK_START = re.compile(r"^[ \t]*@\w*[ \t]*[{(]", re.MULTILINE)

_HEAD = re.compile(r"[ \t]*@(\w+)[ \t]*\{\s*([^\s,{}()\"=\\@#%]+)\s*,")
_SPECIAL_TYPES = frozenset({"comment", "preamble", "string"})


def _braced(depth: int) -> str:
    """`{...}` with up to `depth` levels of nested braces; deeper values take the slow path."""
    inner = r"(?>[^{}\\]+|\\[{}]?)"
    pattern = r"\{" + inner + r"*\}"
    for _ in range(depth - 1):
        pattern = r"\{(?:" + inner + "|" + pattern + r")*\}"
    return pattern


_QUOTED = r'"(?>[^"\\{]+|\\"?|\{"\}|\{)*"'
_BARE = r"[A-Za-z0-9_.:+/'\-]+"
_PART = "(?:" + _braced(6) + "|" + _QUOTED + "|" + _BARE + ")"
_FIELD = re.compile(
    r"\s*([A-Za-z0-9_\-:.+/]+)\s*=\s*(" + _PART + r"(?:\s*\#\s*" + _PART + r")*)\s*([,}])"
)
_CLOSE = re.compile(r"\s*\}")


@dataclass(slots=True)
class ScannedEntry:
    """An entry as bibtexparser would split it: raw values, delimiters kept."""

    entry_type: str
    key: str
    fields: list[tuple[str, str]]
    line: int  # 1-based
    end_line: int


@dataclass(frozen=True, slots=True)
class SlowRegion:
    """Text the fast path declined: bibtexparser must split `text[start:stop]`, and only
    its blocks that begin before offset `keep_before` belong to this region (`stop` reaches
    one block further, so that an unclosed entry fails as it would in the whole file: at
    the next block's `@`). `first_line` is the line `start` is on."""

    start: int
    stop: int
    first_line: int
    keep_before: int


Scanned = ScannedEntry | SlowRegion


def scan(text: str, first_line: int = 1) -> Iterator[Scanned]:
    """Every block of `text`, in order: entries read here, or regions for bibtexparser."""
    starts = [m.start() for m in _BLOCK_START.finditer(text)]
    if not starts or "@" in text[: starts[0]]:  # no block, or an `@` mid-line before one
        if "@" in text:
            yield SlowRegion(0, len(text), first_line, len(text))
        return
    line = first_line + text.count("\n", 0, starts[0])
    bounds = [*starts, len(text)]
    for i, start in enumerate(starts):
        stop = bounds[i + 1]
        next_line = line + text.count("\n", start, stop)
        entry = _scan_entry(text, start, stop, line)
        if entry is not None:
            yield entry
        else:
            yield SlowRegion(start, bounds[min(i + 2, len(starts))], line, stop)
        line = next_line


def _scan_entry(text: str, start: int, stop: int, line: int) -> ScannedEntry | None:
    head = _HEAD.match(text, start, stop)
    if head is None or head.group(1).lower() in _SPECIAL_TYPES:
        return None
    fields: list[tuple[str, str]] = []
    pos = head.end()
    while True:
        field = _FIELD.match(text, pos, stop)
        if field is None:
            close = _CLOSE.match(text, pos, stop)
            if close is None:
                return None
            end = close.end()
            break
        fields.append((field.group(1), field.group(2)))
        pos = field.end()
        if field.group(3) == "}":
            end = pos
            break
    if "@" in text[end:stop]:  # bibtexparser would start a block there
        return None
    return ScannedEntry(
        entry_type=head.group(1).lower(),
        key=head.group(2),
        fields=fields,
        line=line,
        end_line=line + text.count("\n", start, end),
    )
