"""How a record is stored: compressed JSON, with decoded text kept only where it differs.

Most abstracts and titles contain no LaTeX, so the decoded view equals the raw field; storing
it once keeps the index smaller than the files it was read from.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from typing import Any

from paper_ls.model import Paper, Person, Provenance

_SAME = 0  # marker: the decoded value equals the raw field of the same name


class EncodedRecord:
    """A record serialised once: its digest decides whether the compressed blob is needed."""

    __slots__ = ("_text", "digest")

    def __init__(self, paper: Paper) -> None:
        self._text = _dumps(paper)
        self.digest = stable_hash(self._text)

    def blob(self) -> bytes:
        return zlib.compress(self._text.encode("utf-8"), 6)


def encode(paper: Paper) -> bytes:
    return EncodedRecord(paper).blob()


def decode(blob: bytes, provenance: Provenance | None = None) -> Paper:
    data: dict[str, Any] = json.loads(zlib.decompress(blob).decode("utf-8"))
    fields: dict[str, str] = data["f"]

    def text(name: str, field_name: str) -> str:
        value = data.get(name, "")
        return fields.get(field_name, "") if value == _SAME else str(value)

    return Paper(
        key=data["k"],
        entry_type=data["t"],
        title=text("ti", "title"),
        authors=[Person(f, g, r) for f, g, r in data.get("a", [])],
        year=data.get("y"),
        venue=data.get("v", ""),
        abstract=text("ab", "abstract"),
        doi=data.get("doi", ""),
        arxiv=data.get("ax", ""),
        url=data.get("u", ""),
        fields=fields,
        provenance=provenance,
    )


def stable_hash(text: str) -> int:
    """A 63-bit hash that is the same in every process (unlike `hash`), to fit SQLite's INTEGER."""
    raw = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(raw, "big") >> 1


def _dumps(paper: Paper) -> str:
    fields = paper.fields
    data: dict[str, Any] = {"k": paper.key, "t": paper.entry_type, "f": fields}
    for name, field_name, text in (
        ("ti", "title", paper.title),
        ("ab", "abstract", paper.abstract),
    ):
        if text:
            data[name] = _SAME if fields.get(field_name) == text else text
    if paper.authors:
        data["a"] = [[p.family, p.given, p.raw] for p in paper.authors]
    for name, value in (
        ("y", paper.year),
        ("v", paper.venue),
        ("doi", paper.doi),
        ("ax", paper.arxiv),
        ("u", paper.url),
    ):
        if value:
            data[name] = value
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
