"""Writing a bibliography file ourselves: every old byte kept, nothing written over an edit.

The server writes only when the editor cannot apply edits, and `paper-ls check --fix`
always does; both go through `write_atomically` with the text they computed from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paper_ls.model import Paper, Person
from paper_ls.server.insertion import ChangedOnDisk, entry_edit, write_atomically

PAPER = Paper(
    key="vaswani2017attention",
    entry_type="inproceedings",
    title="Attention Is All You Need",
    authors=[Person("Vaswani", "Ashish")],
    year=2017,
)


def add_entry(path: Path, old_text: str) -> bytes:
    _, added = entry_edit(old_text, PAPER, PAPER.key)
    write_atomically(path, old_text + added, based_on=old_text)
    return path.read_bytes()


def test_a_latin1_crlf_file_keeps_every_byte_and_its_line_endings(tmp_path: Path) -> None:
    original = b"% Sch\xf6n\r\n@book{knuth1984, title = {The \\TeX book}}\r\n  \t% odd spacing"
    path = tmp_path / "refs.bib"
    path.write_bytes(original)
    after = add_entry(path, original.decode("latin-1"))
    assert after.startswith(original)
    added = after[len(original) :]
    assert b"@inproceedings{vaswani2017attention," in added
    assert b"\n" not in added.replace(b"\r\n", b"")  # CRLF only, like the file
    assert added.startswith(b"\r\n\r\n@")  # one blank line before the entry


def test_a_utf8_file_with_a_byte_order_mark_keeps_it(tmp_path: Path) -> None:
    original = "\ufeff@misc{a, title = {Café}}\n".encode()
    path = tmp_path / "refs.bib"
    path.write_bytes(original)
    after = add_entry(path, original.decode("utf-8-sig"))
    assert after.startswith(original) and after.count(b"\xef\xbb\xbf") == 1
    assert after[len(original) :].startswith(b"\n@inproceedings{vaswani2017attention,")


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@misc{a, title = {As read}}\n")
    read = path.read_text()
    path.write_text("@misc{a, title = {As read}}\n@misc{b, title = {Saved meanwhile}}\n")
    saved = path.read_bytes()
    _, added = entry_edit(read, PAPER, PAPER.key)
    with pytest.raises(ChangedOnDisk, match="changed on disk"):
        write_atomically(path, read + added, based_on=read)
    assert path.read_bytes() == saved
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]  # no temporary left behind


def test_a_new_file_is_created_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "references.bib"
    after = add_entry(path, "")
    assert after.startswith(b"@inproceedings{vaswani2017attention,")
