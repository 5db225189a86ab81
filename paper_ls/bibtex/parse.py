"""Reading BibTeX and BibLaTeX text: the one place that knows the syntax.

bibtexparser 2 splits the text into blocks and fields with their lines; everything it
leaves raw (string macros, `#` concatenation, month macros, `crossref` inheritance, names)
is resolved here in one linear pass, so that each value is computed once per import.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from paper_ls.bibtex.scan import ScannedEntry, SlowRegion, scan

if TYPE_CHECKING:
    from bibtexparser import model as bibmodel
    from bibtexparser.library import Library

# bibtexparser logs every failed block itself; we report failures as `file:line: reason`.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

MONTHS: dict[str, str] = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}

#: Fields a child must not take from its `crossref` parent: they identify the parent itself.
_NOT_INHERITED = frozenset(
    {
        "crossref",
        "doi",
        "url",
        "eprint",
        "eprinttype",
        "archiveprefix",
        "abstract",
        "note",
        "ids",
        "file",
        "keywords",
        "title",
        "subtitle",
        "titleaddon",
        "urldate",
    }
)
CONTAINER_TYPES = frozenset({"proceedings", "book", "collection", "mvbook", "mvproceedings"})


@dataclass(slots=True)
class RawEntry:
    """An entry with every value resolved to its LaTeX text (macros and `#` expanded)."""

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int  # 1-based line of the `@`
    end_line: int  # 1-based line of the closing brace
    inherited: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class ParseFailure:
    line: int
    message: str
    #: Set when the block is a second definition of this key (the entry itself is fine).
    duplicate_key: str = ""


@dataclass(slots=True)
class ParsedBibliography:
    entries: list[RawEntry]
    failures: list[ParseFailure]
    preambles: list[str]


#: Blocks parsed between two calls of a parse's `pause`.
PAUSE_EVERY = 8


def parse_bibtex(text: str, pause: Callable[[], None] | None = None) -> ParsedBibliography:
    """Parse a whole file; malformed blocks become failures and the rest is still read.

    `pause`, when given, is called every `PAUSE_EVERY` blocks: a language server parses in a
    background thread and lets its requests go first there."""
    parsed = parse_chunk(text, first_line=1, strings={}, pause=pause)
    apply_crossrefs(parsed.entries)
    return parsed


def parse_chunk(
    text: str,
    *,
    first_line: int,
    strings: dict[str, str],
    fast: bool = True,
    pause: Callable[[], None] | None = None,
) -> ParsedBibliography:
    """Parse a run of whole blocks that starts at `first_line` of its file.

    `strings` holds the macros defined before this text and receives the ones defined in it;
    `crossref` is left to the caller, since a parent may sit in a later chunk. Plain entries
    take the fast path of `scan` (`fast=False`: bibtexparser alone, the reference the fast
    path is tested against); everything else is split by bibtexparser.
    """
    chunk = _Chunk(strings)
    if not fast:
        chunk.add_slow(text, SlowRegion(0, len(text), first_line, len(text)))
        return ParsedBibliography(chunk.entries, chunk.failures, chunk.preambles)
    for count, block in enumerate(scan(text, first_line), 1):
        if pause is not None and count % PAUSE_EVERY == 0:
            pause()
        if isinstance(block, ScannedEntry):
            chunk.add_scanned(block)
        else:
            chunk.add_slow(text, block)
    return ParsedBibliography(chunk.entries, chunk.failures, chunk.preambles)


#: Where bibtexparser may start a block (its own pattern): every block's text begins at one.
_BLOCK_MARK = re.compile(r"@\w*[ \t]*(?=[{(])")


class _BlockLocator:
    """Where bibtexparser's blocks sit in the text, and on which line.

    bibtexparser does not count a line break that follows a backslash, so its line numbers
    drift after such a line. A block is found instead at the next place where bibtexparser
    could start one, on the line bibtexparser counted, holding the block's own text; its
    real line is then counted here.
    """

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.marks = _BLOCK_MARK.finditer(text)
        self.pos = 0
        self.line = first_line  # the real line of `pos`
        self.parser_line = 0  # bibtexparser's (0-based) line of `pos`

    def locate(self, raw: str, parser_line: int) -> tuple[int, int]:
        """(offset, line) of the block that bibtexparser saw start on `parser_line`."""
        for mark in self.marks:
            at = mark.start()
            breaks = self.text.count("\n", self.pos, at)
            self.parser_line += breaks - self.text.count("\\\n", self.pos, at)
            self.line += breaks
            self.pos = at
            if self.parser_line == parser_line and self.text.startswith(raw, at):
                return at, self.line
        return self.pos, self.line


class _Chunk:
    """What one chunk yields. Duplicate keys are judged here, across both parsers' blocks,
    by bibtexparser's rules: an entry whose field names repeat exactly is not registered,
    so a later entry may take its key; strings and entries have separate keys."""

    def __init__(self, strings: dict[str, str]) -> None:
        self.strings = strings
        self.entries: list[RawEntry] = []
        self.failures: list[ParseFailure] = []
        self.preambles: list[str] = []
        self.first_line_of: dict[str, int] = {}
        self.entry_keys: set[str] = set()
        self.string_keys: set[str] = set()

    def add_scanned(self, block: ScannedEntry) -> None:
        names = [name for name, _ in block.fields]
        if len(set(names)) < len(names):  # bibtexparser: a DuplicateFieldKeyBlock
            exact = {n for n in names if names.count(n) > 1}
            self.failures.append(_duplicate_field_failure(block.line, block.key, exact))
            return
        if not self._register(block.key, block.line):
            return
        if repeated := _repeated_fields(names):
            self.failures.append(_duplicate_field_failure(block.line, block.key, repeated))
            return
        fields: dict[str, str] = {}
        for name, value in block.fields:
            lowered = name.lower()
            fields[lowered] = resolve_value(
                value, self.strings, keep_month_macro=lowered == "month"
            )
        self._accept(RawEntry(block.key, block.entry_type, fields, block.line, block.end_line))

    def add_slow(self, text: str, region: SlowRegion) -> None:
        from bibtexparser import model as bibmodel

        sub = text[region.start : region.stop]
        locator = _BlockLocator(sub, region.first_line)
        for block in _split_blocks(sub).blocks:
            if isinstance(block, bibmodel.ImplicitComment):
                continue
            at, line = locator.locate(block.raw or "", block.start_line or 0)
            if region.start + at >= region.keep_before:
                break
            if isinstance(block, bibmodel.String):
                if block.key in self.string_keys:
                    self._duplicate(block.key, line)
                else:
                    self.string_keys.add(block.key)
                    self.strings[block.key.lower()] = resolve_value(str(block.value), self.strings)
            elif isinstance(block, bibmodel.Entry):
                if not self._register(block.key, line):
                    continue
                if repeated := _repeated_fields(f.key for f in block.fields):
                    self.failures.append(_duplicate_field_failure(line, block.key, repeated))
                    continue
                self._accept(_resolve_entry(block, self.strings, line))
            elif isinstance(block, bibmodel.Preamble):
                self.preambles.append(resolve_value(str(block.value), self.strings))
            elif isinstance(block, bibmodel.DuplicateBlockKeyBlock):
                self._duplicate(block.key, line)
            elif isinstance(block, bibmodel.DuplicateFieldKeyBlock):
                entry_block = block.ignore_error_block
                key = entry_block.key if isinstance(entry_block, bibmodel.Entry) else ""
                self.failures.append(_duplicate_field_failure(line, key, block.duplicate_keys))
            elif isinstance(block, bibmodel.ParsingFailedBlock):
                self.failures.append(ParseFailure(line, _failure_reason(block)))

    def _register(self, key: str, line: int) -> bool:
        """False (and a failure) when an earlier entry of this chunk holds the key."""
        if key in self.entry_keys:
            self._duplicate(key, line)
            return False
        self.entry_keys.add(key)
        return True

    def _accept(self, entry: RawEntry) -> None:
        self.first_line_of[entry.key] = entry.line
        self.entries.append(entry)

    def _duplicate(self, key: str, line: int) -> None:
        first = self.first_line_of.get(key)
        where = f" (first defined at line {first})" if first else ""
        message = f"duplicate key '{key}'{where}; this entry is skipped"
        self.failures.append(ParseFailure(line, message, key))


def _split_blocks(text: str) -> Library:
    """bibtexparser's splitter alone: the middlewares' work is done here, once.

    Imported on first use, so that a language server that never parses a `.bib` on its
    first request does not pay for loading bibtexparser before answering it.
    """
    import bibtexparser

    library: Library = bibtexparser.parse_string(text, parse_stack=[])  # type: ignore[attr-defined]
    return library


_BLOCK_START = "\n@"
_DEFINES_STRING = re.compile(r"@string\s*[{(]", re.IGNORECASE)


def iter_chunks(stream: TextIO, chunk_chars: int = 1 << 22) -> Iterator[tuple[str, int]]:
    """Cut a large file into runs of whole blocks, each with the file line it starts on.

    A cut is made only before an `@` at the start of a line, which bibtexparser itself
    treats as the start of a new block, so chunks parse exactly as the whole file would.
    """
    buffer = ""
    line = 1
    while True:
        data = stream.read(chunk_chars)
        if not data:
            break
        buffer += data
        cut = buffer.rfind(_BLOCK_START)
        if cut <= 0:
            continue
        chunk, buffer = buffer[: cut + 1], buffer[cut + 1 :]
        yield chunk, line
        line += chunk.count("\n")
    if buffer:
        yield buffer, line


def defines_strings(text: str) -> bool:
    return _DEFINES_STRING.search(text) is not None


def collect_strings(text: str, strings: dict[str, str]) -> None:
    """Add the `@string` macros defined in `text` to `strings`, in order."""
    from bibtexparser import model as bibmodel

    blocks = _string_blocks(text)
    for block in _split_blocks(text if blocks is None else "\n".join(blocks)).blocks:
        if isinstance(block, bibmodel.String):
            strings[block.key.lower()] = resolve_value(str(block.value), strings)


#: An `@string` that opens a line: bibtexparser starts a block there whatever came before.
_STRING_AT_LINE_START = re.compile(r"^[ \t]*@string[ \t]*[{(]", re.IGNORECASE | re.MULTILINE)
_LINE_START_BLOCK = re.compile(r"^[ \t]*@\w*[ \t]*[{(]", re.MULTILINE)


def _string_blocks(text: str) -> list[str] | None:
    """The text of each `@string` block, up to the next block: all that bibtexparser needs
    to read of a chunk of thousands of entries to find its macros. None when an `@string`
    does not open its line, and only reading the whole text can tell what it is."""
    starts = [m.start() for m in _STRING_AT_LINE_START.finditer(text)]
    if len(starts) != len(_DEFINES_STRING.findall(text)):
        return None
    blocks = []
    for start in starts:
        following = _LINE_START_BLOCK.search(text, start + 1)
        blocks.append(text[start : following.start() if following else len(text)])
    return blocks


def _resolve_entry(block: bibmodel.Entry, strings: dict[str, str], start: int) -> RawEntry:
    fields: dict[str, str] = {}
    for fld in block.fields:
        name = fld.key.lower()
        fields[name] = resolve_value(str(fld.value), strings, keep_month_macro=name == "month")
    return RawEntry(
        key=block.key,
        entry_type=block.entry_type.lower(),
        fields=fields,
        line=start,
        end_line=start + (block.raw or "").count("\n"),
    )


def _repeated_fields(names: Iterable[str]) -> list[str]:
    """Field names given twice: BibTeX field names ignore case, so `Title` repeats `title`."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for name in names:
        lowered = name.lower()
        (repeated if lowered in seen else seen).add(lowered)
    return sorted(repeated)


def _duplicate_field_failure(line: int, key: str, names: Iterable[str]) -> ParseFailure:
    unique = sorted({n.lower() for n in names})
    listed = ", ".join(f"'{n}'" for n in unique)
    noun = "fields" if len(unique) > 1 else "field"
    return ParseFailure(line, f"entry '{key}' repeats the {noun} {listed}; the entry is skipped")


def _failure_reason(block: bibmodel.ParsingFailedBlock) -> str:
    reason = getattr(block.error, "abort_reason", None) or str(block.error) or "syntax error"
    head = (block.raw or "").split("\n", 1)[0].strip()
    head = head if len(head) <= 40 else head[:37] + "..."
    reason = plain_reason(" ".join(str(reason).split()).rstrip("."))
    return f"malformed entry '{head}': {reason}; the entry is skipped"


#: bibtexparser's reasons, said as a person fixing the file needs to hear them.
_PLAIN_REASONS = (
    (re.compile(r"Unexpectedly reached end of file"),
     "the file ends before the entry is closed (a closing brace is missing)"),
    (re.compile(r"Unexpected block start: `(@\w*)`\. Was still looking for closing bracket"),
     r"a closing brace is missing: the next entry (\1) starts before this one ends"),
    (re.compile(r"Unexpected block start: `(@\w*)`\. Was still looking for field-value closing.*"),
     r"a field value is never closed (a '{' or a quote without its match) before the next"
     r" entry (\1)"),
    (re.compile(r"Expected a `=` after entry key `([^`]*)`, but found the end of the entry.*"),
     r"the field '\1' has no '= value'"),
    (re.compile(r"Expected (?:a `=` after entry key|equals sign after field key),"
                r" but found `?([^`]*)`?"),
     r"a field name is not followed by '=' (found '\1')"),
    (re.compile(r"Expected either a `,` or `.` after a closed entry field value.*"),
     "a comma is missing between two fields"),
    (re.compile(r"Expected comma after entry key, but found (.*)"),
     r"the entry's key must be followed by a comma (found '\1')"),
)  # fmt: skip


def plain_reason(reason: str) -> str:
    """bibtexparser's wording of a syntax error, in a writer's words when we know it."""
    for pattern, plain in _PLAIN_REASONS:
        match = pattern.match(reason)
        if match is not None:
            return match.expand(plain)
    return reason


def braces_balance(text: str, *, count_escaped: bool) -> bool:
    """Whether every `{` closes, in order. BibTeX and biber count `\\{` as a brace too
    (`count_escaped=True`); LaTeX and bibtexparser do not."""
    depth = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
            continue
        if char == "\\" and not count_escaped:
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def resolve_value(raw: str, strings: dict[str, str], *, keep_month_macro: bool = False) -> str:
    """Expand `@string` macros, `#` concatenation and delimiters into the LaTeX text.

    A lone month macro stays a macro name (`jun`) when asked, so export can write it bare,
    as BibTeX and biber both expect.
    """
    raw = raw.strip()
    if "#" not in raw:
        return _resolve_piece(raw, strings, keep_month_macro)
    return "".join(_resolve_piece(p, strings, False) for p in _split_concatenation(raw))


def _resolve_piece(piece: str, strings: dict[str, str], keep_month_macro: bool) -> str:
    piece = piece.strip()
    if len(piece) >= 2 and (
        (piece[0] == "{" and piece[-1] == "}") or (piece[0] == '"' and piece[-1] == '"')
    ):
        return piece[1:-1]
    if piece.isdigit():
        return piece
    name = piece.lower()
    if name in strings:
        return strings[name]
    if name in MONTHS:
        return name if keep_month_macro else MONTHS[name]
    return piece


def _split_concatenation(raw: str) -> list[str]:
    pieces: list[str] = []
    depth = 0
    in_quotes = False
    start = 0
    escaped = False
    for i, char in enumerate(raw):
        # Like bibtexparser, which delimited the value, `\{`, `\}` and `\"` are not delimiters.
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            in_quotes = not in_quotes
        elif char == "#" and depth == 0 and not in_quotes:
            pieces.append(raw[start:i])
            start = i + 1
    pieces.append(raw[start:])
    return pieces


def apply_crossrefs(entries: list[RawEntry], parents: Iterable[RawEntry] = ()) -> None:
    """Let children take missing fields from their `crossref` parent, as BibTeX/biber do."""
    by_key = {e.key.lower(): e for e in (*parents, *entries)}
    for entry in entries:
        parent_key = entry.fields.get("crossref")
        parent = by_key.get(parent_key.lower()) if parent_key else None
        if parent is None or parent is entry:
            continue
        if (
            "booktitle" not in entry.fields
            and parent.entry_type in CONTAINER_TYPES
            and "title" in parent.fields
        ):
            entry.fields["booktitle"] = parent.fields["title"]
            entry.inherited.add("booktitle")
        for name, value in parent.fields.items():
            if name not in entry.fields and name not in _NOT_INHERITED:
                entry.fields[name] = value
                entry.inherited.add(name)


# --- names -------------------------------------------------------------------------------

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class NameParts:
    """A BibTeX name: `von` particles belong with the family name for display."""

    given: str
    von: str
    last: str
    jr: str
    raw: str

    @property
    def family(self) -> str:
        family = f"{self.von} {self.last}".strip()
        return f"{family}, {self.jr}" if self.jr else family


def split_names(value: str) -> list[str]:
    """Split an `author` value on ` and ` outside braces (`{Barnes and Noble}` is one name)."""
    if "{" not in value:
        return [n.strip() for n in _AND.split(value) if n.strip()]
    names: list[str] = []
    start = 0
    for match in _AND.finditer(value):
        # A separator is whitespace, `and`, whitespace: it never contains a brace, so the
        # depth before it is the depth all through it.
        at = match.start()
        if value.count("{", 0, at) == value.count("}", 0, at):
            names.append(value[start:at].strip())
            start = match.end()
    names.append(value[start:].strip())
    return [n for n in names if n]


def parse_name(name: str) -> NameParts:
    """Split one name into given/von/last/jr the way BibTeX does.

    Plain names take a fast path (most of a large import); names with braces or
    backslashes go through bibtexparser's faithful implementation.
    """
    if "{" in name or "\\" in name:
        from bibtexparser.middlewares.names import parse_single_name_into_parts

        parts = parse_single_name_into_parts(name, strict=False)
        return NameParts(
            " ".join(parts.first),
            " ".join(parts.von),
            " ".join(parts.last),
            " ".join(parts.jr),
            name,
        )
    if "," in name:
        pieces = [p.strip() for p in name.split(",")]
        last_words = pieces[0].split()
        given = pieces[-1] if len(pieces) > 1 else ""
        jr = pieces[1] if len(pieces) > 2 else ""
        # "von Last": von runs up to the last lowercase word before the final one.
        n_von = max((i + 1 for i, w in enumerate(last_words[:-1]) if w[:1].islower()), default=0)
        last = " ".join(last_words[n_von:])
        return NameParts(given, " ".join(last_words[:n_von]), last, jr, name)
    words = name.split()
    if len(words) == 1:
        return NameParts("", "", words[0], "", name)
    first_von = next((i for i, w in enumerate(words[:-1]) if w[:1].islower()), None)
    if first_von is None:
        return NameParts(" ".join(words[:-1]), "", words[-1], "", name)
    last_von = max(i for i, w in enumerate(words[:-1]) if w[:1].islower())
    return NameParts(
        " ".join(words[:first_von]),
        " ".join(words[first_von : last_von + 1]),
        " ".join(words[last_von + 1 :]),
        "",
        name,
    )
