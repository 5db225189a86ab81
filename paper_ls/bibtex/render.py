"""Writing a paper as a clean BibTeX entry that both bibtex and biber accept.

Fields come out in a stable, conventional order with aligned `=`; values keep the LaTeX they
were read with, and values known only in decoded form (from non-BibTeX sources) are escaped.
"""

from __future__ import annotations

import re

from paper_ls.bibtex.parse import MONTHS, braces_balance
from paper_ls.model import Paper, Person

FIELD_ORDER = (
    "author",
    "editor",
    "title",
    "subtitle",
    "journal",
    "journaltitle",
    "booktitle",
    "series",
    "edition",
    "volume",
    "number",
    "pages",
    "chapter",
    "school",
    "institution",
    "organization",
    "publisher",
    "address",
    "location",
    "howpublished",
    "type",
    "year",
    "month",
    "date",
    "note",
    "isbn",
    "issn",
    "doi",
    "eprint",
    "eprinttype",
    "archiveprefix",
    "primaryclass",
    "url",
    "urldate",
    "keywords",
    "abstract",
)
_ORDER = {name: i for i, name in enumerate(FIELD_ORDER)}
#: Fields that belong to the file they came from and mean nothing elsewhere.
_DROPPED = frozenset({"crossref", "file", "owner", "timestamp", "groups", "ids"})
_NAME_SEPARATOR = re.compile(r",|\sand\s", re.IGNORECASE)
_LATEX_SPECIAL = re.compile(r"([&%$#_{}~^\\])")
_ESCAPES = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}
_LONE_BRACE_ESCAPES = {**_ESCAPES, "{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


def render_entry(paper: Paper, key: str | None = None) -> str:
    """The entry text, ending with a newline, for `key` (the paper's own key by default)."""
    fields = export_fields(paper)
    names = sorted(fields, key=lambda n: (_ORDER.get(n, len(_ORDER)), n))
    width = max((len(n) for n in names), default=0)
    lines = [f"@{paper.entry_type or 'misc'}{{{key or paper.key},"]
    for name in names:
        lines.append(f"  {name.ljust(width)} = {_format_value(name, fields[name])},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def export_fields(paper: Paper) -> dict[str, str]:
    """Original fields where we have them; typed values, escaped, fill what is missing."""
    fields = {
        name: value
        for name, value in paper.fields.items()
        if name not in _DROPPED and value.strip()
    }
    if "author" not in fields and "editor" not in fields and paper.authors:
        fields["author"] = " and ".join(p.raw or _typed_name(p) for p in paper.authors)
    typed = {
        "title": paper.title,
        "year": str(paper.year or ""),
        "doi": paper.doi,
        "url": paper.url,
        "abstract": paper.abstract,
    }
    for name, value in typed.items():
        if value and name not in fields and not (name == "year" and "date" in fields):
            fields[name] = value if name in ("doi", "url", "year") else escape_latex(value)
    if paper.arxiv and "eprint" not in fields:
        fields["eprint"] = paper.arxiv
        fields["archiveprefix"] = "arXiv"
    return fields


def _typed_name(person: Person) -> str:
    """`Family, Given`, bracing what BibTeX would otherwise split or reorder."""
    family = escape_latex(person.family)
    # `Barnes and Noble` would be two people, `Smith, Jr.` a Jr part, and a given-less
    # `World Health Organization` a person called Organization.
    if _NAME_SEPARATOR.search(family) or (not person.given and " " in family.strip()):
        family = "{" + family + "}"
    if not person.given:
        return family
    given = escape_latex(person.given)
    if _NAME_SEPARATOR.search(given):
        given = "{" + given + "}"
    return f"{family}, {given}"


def escape_latex(text: str) -> str:
    # bibtex and biber count `\{` and `\}` as braces too: lone ones must be spelled out.
    escapes = _ESCAPES if braces_balance(text, count_escaped=True) else _LONE_BRACE_ESCAPES
    return _LATEX_SPECIAL.sub(lambda m: escapes[m.group(1)], text)


def _format_value(name: str, value: str) -> str:
    if name == "month" and value.lower() in MONTHS:
        return value.lower()
    if not braces_balance(value, count_escaped=False):
        value = escape_latex(value)
    return "{" + value + "}"
