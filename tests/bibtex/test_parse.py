"""BibTeX syntax: macros, concatenation, months, crossref, failures with lines, names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paper_ls.bibtex.parse import (
    ParsedBibliography,
    RawEntry,
    collect_strings,
    parse_bibtex,
    parse_chunk,
    parse_name,
    resolve_value,
    split_names,
)


def only_entry(text: str) -> RawEntry:
    parsed = parse_bibtex(text)
    assert parsed.failures == []
    assert len(parsed.entries) == 1
    return parsed.entries[0]


def by_key(parsed: ParsedBibliography) -> dict[str, RawEntry]:
    return {e.key: e for e in parsed.entries}


# --- macros and concatenation ------------------------------------------------------------


def test_string_macros_are_case_insensitive_and_may_use_earlier_macros() -> None:
    entry = only_entry(
        "@STRING{ACM = {Association for Computing Machinery}}\n"
        '@string{acmpress = acm # " Press"}\n'
        "@article{a, publisher = AcmPress, journal = ACM}\n"
    )
    assert entry.fields["publisher"] == "Association for Computing Machinery Press"
    assert entry.fields["journal"] == "Association for Computing Machinery"


def test_concatenation_mixes_quotes_braces_macros_and_numbers() -> None:
    entry = only_entry(
        '@string{conf = "Conference"}\n'
        '@article{a, booktitle = "Proc. " # {of the} # " " # conf # " " # 2020 # {, {NY}}}\n'
    )
    assert entry.fields["booktitle"] == "Proc. of the Conference 2020, {NY}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{C# in Depth}", "C# in Depth"),  # `#` inside braces is text
        ('"C# in " # {Depth}', "C# in Depth"),  # ... and inside quotes
        ('{a "quoted" # word}', 'a "quoted" # word'),
        ('"M{\\"u}ller"', 'M{\\"u}ller'),  # a braced quote does not end the string
        ("{x \\} y \\#1 \\{z}", "x \\} y \\#1 \\{z"),  # escaped braces are not delimiters
        ("  {padded}  ", "padded"),
        ("2020", "2020"),
        ("undefinedmacro", "undefinedmacro"),  # kept as written rather than lost
    ],
)
def test_resolve_value_delimiters_and_hash(value: str, expected: str) -> None:
    assert resolve_value(value, {}) == expected


def test_resolve_value_uses_the_macros_given() -> None:
    assert resolve_value('pub # ", " # 1999', {"pub": "Springer"}) == "Springer, 1999"
    assert resolve_value("PUB", {"pub": "Springer"}) == "Springer"


# --- month macros ------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["jun", "JUN", "Jun", "{jun}", '"jun"'])
def test_month_field_keeps_the_month_macro_name(written: str) -> None:
    entry = only_entry(f"@article{{a, month = {written}}}\n")
    assert entry.fields["month"] == "jun"


def test_month_macro_in_a_concatenation_becomes_the_month_name() -> None:
    entry = only_entry('@article{a, month = jun # "~11", note = "Published " # dec}\n')
    assert entry.fields["month"] == "June~11"
    assert entry.fields["note"] == "Published December"


def test_month_macro_outside_the_month_field_is_expanded() -> None:
    assert only_entry("@article{a, note = sep}\n").fields["note"] == "September"
    assert resolve_value("sep", {}) == "September"
    assert resolve_value("sep", {}, keep_month_macro=True) == "sep"


# --- crossref ----------------------------------------------------------------------------

CROSSREF = """\
@inproceedings{child,
  author   = {Doe, Jane},
  title    = {The Child Paper},
  pages    = {1--10},
  crossref = {Proc2019}
}

@proceedings{proc2019,
  title     = {Proceedings of the Conference},
  editor    = {Roe, Richard},
  year      = 2019,
  publisher = {ACL},
  address   = {Florence},
  pages     = {1--500},
  doi       = {10.1/proceedings},
  url       = {https://example.org/proceedings},
}
"""


def test_crossref_child_inherits_from_a_parent_defined_after_it() -> None:
    entries = by_key(parse_bibtex(CROSSREF))
    child = entries["child"]
    assert child.fields["booktitle"] == "Proceedings of the Conference"
    assert child.fields["year"] == "2019"
    assert child.fields["publisher"] == "ACL"
    assert child.fields["address"] == "Florence"
    assert child.inherited == {"booktitle", "editor", "year", "publisher", "address"}


def test_crossref_child_keeps_its_own_identity_and_values() -> None:
    child = by_key(parse_bibtex(CROSSREF))["child"]
    assert child.fields["title"] == "The Child Paper"
    assert child.fields["pages"] == "1--10"  # its own value wins over the parent's
    assert "doi" not in child.fields
    assert "url" not in child.fields


def test_crossref_leaves_the_parent_untouched() -> None:
    parent = by_key(parse_bibtex(CROSSREF))["proc2019"]
    assert "booktitle" not in parent.fields
    assert parent.inherited == set()


def test_crossref_explicit_booktitle_is_not_replaced() -> None:
    text = CROSSREF.replace("pages    = {1--10},", "booktitle = {Short Name},")
    child = by_key(parse_bibtex(text))["child"]
    assert child.fields["booktitle"] == "Short Name"
    assert "booktitle" not in child.inherited


def test_crossref_to_a_missing_parent_keeps_the_entry() -> None:
    entry = only_entry("@inproceedings{a, title = {T}, crossref = {nowhere}}\n")
    assert entry.fields == {"title": "T", "crossref": "nowhere"}
    assert entry.inherited == set()


# --- failures ----------------------------------------------------------------------------


def test_unclosed_brace_is_reported_at_its_line_and_the_next_entry_still_parsed() -> None:
    parsed = parse_bibtex(
        "@article{good1,\n"
        "  title = {Fine}\n"
        "}\n"
        "@article{broken,\n"
        "  title = {Never closed,\n"
        "  year = 2020\n"
        "\n"
        "@article{good2,\n"
        "  title = {Also fine}\n"
        "}\n"
    )
    assert [e.key for e in parsed.entries] == ["good1", "good2"]
    assert parsed.entries[1].line == 8
    [failure] = parsed.failures
    assert failure.line == 4
    assert "@article{broken" in failure.message
    assert "skipped" in failure.message


def test_unclosed_brace_at_end_of_file_says_so() -> None:
    parsed = parse_bibtex("@article{a, title = {ok}}\n\n@article{b,\n  title = {x\n")
    assert [e.key for e in parsed.entries] == ["a"]
    [failure] = parsed.failures
    assert failure.line == 3
    assert "the file ends before the entry is closed" in failure.message


def test_missing_comma_after_key_is_reported() -> None:
    parsed = parse_bibtex("\n@article{nocomma\n  title = {x}\n}\n@article{ok, title = {y}}\n")
    assert [e.key for e in parsed.entries] == ["ok"]
    [failure] = parsed.failures
    assert failure.line == 2
    assert "the entry's key must be followed by a comma (found '=')" in failure.message


def test_duplicate_key_names_the_line_of_the_first_definition() -> None:
    parsed = parse_bibtex(
        "% header\n@article{dup,\n  title = {First}\n}\n\n@book{dup,\n  title = {Second}\n}\n"
    )
    [entry] = parsed.entries
    assert entry.fields["title"] == "First"
    [failure] = parsed.failures
    assert failure.line == 6
    assert "duplicate key 'dup'" in failure.message
    assert "first defined at line 2" in failure.message


@pytest.mark.parametrize("second", ["title", "Title"])
def test_a_field_given_twice_is_reported_whatever_its_case(second: str) -> None:
    parsed = parse_bibtex(
        f"@article{{a,\n  title = {{x}},\n  {second} = {{y}}\n}}\n@article{{b, title = {{z}}}}\n"
    )
    assert [e.key for e in parsed.entries] == ["b"]
    [failure] = parsed.failures
    assert failure.line == 1
    assert failure.message == "entry 'a' repeats the field 'title'; the entry is skipped"


def test_failure_messages_are_single_line_and_readable() -> None:
    parsed = parse_bibtex("@article{a,\n  title {missing equals}\n}\n")
    [failure] = parsed.failures
    assert "\n" not in failure.message
    assert "a field name is not followed by '=' (found '{')" in failure.message
    assert ".;" not in failure.message


def test_several_failures_each_get_their_own_line() -> None:
    parsed = parse_bibtex(
        "@article{a,\n title = {A}}\n"
        "@article{b\n title = {B}}\n"
        "@article{c,\n title = {C}}\n"
        "@article{a,\n title = {A again}}\n"
        "@article{d,\n title = {D}}\n"
    )
    assert [e.key for e in parsed.entries] == ["a", "c", "d"]
    assert [f.line for f in parsed.failures] == [3, 7]


# --- what is not an entry ----------------------------------------------------------------


def test_comments_preambles_and_junk_between_entries_are_ignored() -> None:
    parsed = parse_bibtex(
        "Notes about this file; mail me@example.com\n"
        "@comment{jabref-meta: @article{fake, title = {not an entry}}}\n"
        '@preamble{ "\\providecommand{\\noopsort}[1]{}" }\n'
        "% a percent comment\n"
        "@article{real,\n  title = {Real}\n}\n"
        "trailing junk {with braces}\n"
    )
    assert [e.key for e in parsed.entries] == ["real"]
    assert parsed.failures == []
    assert parsed.preambles == ["\\providecommand{\\noopsort}[1]{}"]


def test_entry_types_and_field_names_are_lowercased_but_keys_are_not() -> None:
    entry = only_entry("@InProceedings{Smith2020X, TITLE = {T}, BookTitle = {B}}\n")
    assert entry.entry_type == "inproceedings"
    assert entry.key == "Smith2020X"
    assert entry.fields == {"title": "T", "booktitle": "B"}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_entry_line_and_end_line_are_one_based(newline: str) -> None:
    lines = [
        "% preamble",
        "",
        "@article{a,",
        "  title = {T},",
        "  year = 2000",
        "}",
        "",
        "@misc{b, title = {one line}}",
    ]
    parsed = parse_bibtex(newline.join(lines) + newline)
    a, b = parsed.entries
    assert (a.line, a.end_line) == (3, 6)
    assert (b.line, b.end_line) == (8, 8)


def test_parenthesised_entries_are_read() -> None:
    entry = only_entry("@article(a, title = {Parens (and) more})\n")
    assert entry.fields["title"] == "Parens (and) more"


@pytest.mark.parametrize(
    "text",
    [
        "@article{a, title={A}}\n@string{jml = {J. Mach. Learn.}}\n@article{b, journal=jml}\n"
        "  @STRING(full = jml # { Research})\n@article{c, title={C}}\n",
        "@article{a, note={mentions @string{x = {y}} mid-line}}\n@string{z = {w}}\n",
        "@string{broken = {never closed}\n@string{ok = {fine}}\n@misc{m, title={M}}\n",
        "@comment{x}\n@string{a = {1}}\n@string{a = {2}}\n",
    ],
)
def test_collect_strings_reads_macros_as_the_whole_parse_does(text: str) -> None:
    expected: dict[str, str] = {}
    parse_chunk(text, first_line=1, strings=expected, fast=False)
    found: dict[str, str] = {}
    collect_strings(text, found)
    assert found == expected
    assert found  # every case defines at least one macro


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Doe, Jane and Roe, Richard", ["Doe, Jane", "Roe, Richard"]),
        ("A AND B And C", ["A", "B", "C"]),
        ("{Barnes and Noble} and Smith, J.", ["{Barnes and Noble}", "Smith, J."]),
        ("Alexander Anderson and Brandon", ["Alexander Anderson", "Brandon"]),
        ("Doe, Jane and\n  Roe, Richard", ["Doe, Jane", "Roe, Richard"]),
        ("Kaiser, {\\L}ukasz and others", ["Kaiser, {\\L}ukasz", "others"]),
        ("", []),
    ],
)
def test_split_names(value: str, names: list[str]) -> None:
    assert split_names(value) == names


def _split_names_by_scanning(value: str) -> list[str]:
    """The reference: one character at a time, tracking the brace depth."""
    names, depth, start, i = [], 0, 0, 0
    while i < len(value):
        char = value[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and char.isspace():
            match = re.compile(r"\s+and\s+", re.IGNORECASE).match(value, i)
            if match:
                names.append(value[start:i].strip())
                start = i = match.end()
                continue
        i += 1
    names.append(value[start:].strip())
    return [n for n in names if n]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "And", " and ", " ", "\n", "{", "}", "x y", ","]), max_size=14)
)
def test_split_names_agrees_with_a_character_scan(parts: list[str]) -> None:
    value = "{" + "".join(parts)  # braces present: the path that tracks depth
    assert split_names(value) == _split_names_by_scanning(value)


@pytest.mark.parametrize(
    ("name", "given", "family"),
    [
        ("Jane Doe", "Jane", "Doe"),
        ("Doe, Jane", "Jane", "Doe"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("van der Berg, Jan", "Jan", "van der Berg"),
        ("Jan van der Berg", "Jan", "van der Berg"),
        ("de la Fontaine, Jean", "Jean", "de la Fontaine"),
        ("Der van Berg, Jan", "Jan", "Der van Berg"),
        ("Smith, Jr., John", "John", "Smith, Jr."),
        ("Plato", "", "Plato"),
        ("{Barnes and Noble}", "", "{Barnes and Noble}"),
        ("Kaiser, {\\L}ukasz", "{\\L}ukasz", "Kaiser"),
        ("{\\L}ukasz Kaiser", "{\\L}ukasz", "Kaiser"),
        (
            "Charles Louis Xavier Joseph de la Vall{\\'e}e Poussin",
            "Charles Louis Xavier Joseph",
            "de la Vall{\\'e}e Poussin",
        ),
    ],
)
def test_parse_name(name: str, given: str, family: str) -> None:
    parts = parse_name(name)
    assert (parts.given, parts.family) == (given, family)
    assert parts.raw == name


def test_parse_name_keeps_von_and_jr_apart() -> None:
    parts = parse_name("van der Berg, Jr., Jan")
    assert (parts.von, parts.last, parts.jr, parts.given) == ("van der", "Berg", "Jr.", "Jan")
