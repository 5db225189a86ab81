"""`paper-ls check`: the findings of `paper_ls.check` for people (one line each) and for CI.

Lines read `file:line:column: severity: message`, as compilers print them, so editors'
quickfix lists and CI annotations pick them up; `--json` gives the same with ranges and
suggested keys. The exit status is 1 when any error remains (after `--fix`).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from paper_ls.check import (
    Added,
    Finding,
    IndexKeys,
    Project,
    check_project,
    fix_project,
    load_project,
)
from paper_ls.documents.project import BibFile, BibliographyCache
from paper_ls.documents.workspace import language_of
from paper_ls.errors import PaperLsError
from paper_ls.index.store import Index

_SEVERITY_ORDER = {"error": 0, "warning": 1, "information": 2, "hint": 3}


def run_check(
    files: Sequence[Path],
    index_path: Path,
    out: TextIO,
    *,
    as_json: bool = False,
    fix: bool = False,
    unused: bool = False,
    configured: Sequence[str] = (),
) -> int:
    """Check each file's project once; print the findings; 1 if any is an error."""
    projects = _projects(files, configured)
    index = Index.open(index_path, create=False) if index_path.exists() else None
    try:
        keys = IndexKeys(index.conn if index is not None else None)
        findings = _findings(projects, keys, unused=unused)
        added: list[Added] = []
        if fix and index is None:
            print(f"paper-ls: no index at {index_path}: --fix has nothing to add from",
                  file=sys.stderr)  # fmt: skip
        if fix and index is not None:
            for project, bibs, found in _by_project(projects, findings):
                added.extend(fix_project(project, bibs, index.conn, found))
            if added:
                findings = _findings(projects, keys, unused=unused)
    finally:
        if index is not None:
            index.close()
    ordered = sorted(set(findings), key=_order)
    if as_json:
        json.dump({"findings": [finding_json(f) for f in ordered],
                   "added": [added_json(a) for a in added]},
                  out, ensure_ascii=False, indent=2)  # fmt: skip
        out.write("\n")
    else:
        for finding in ordered:
            out.write(finding_line(finding) + "\n")
        for entry in added:
            out.write(added_line(entry) + "\n")
    return 1 if any(f.severity == "error" for f in ordered) else 0


def _projects(files: Sequence[Path], configured: Sequence[str]) -> list[Project]:
    """One project per root: two chapters of one thesis are checked once."""
    projects: dict[Path, Project] = {}
    for file in files:
        path = Path(os.path.abspath(file))
        if not path.is_file():
            raise PaperLsError(f"{file}: no such file")
        if language_of(path) is None:
            raise PaperLsError(f"{file}: not a LaTeX or Markdown document (.tex, .md, .qmd, .Rmd)")
        project = load_project(path, _not_open, configured=configured)
        known = projects.get(project.root)
        if known is None:
            projects[project.root] = project
        else:
            seen = {d.path for d in known.documents}
            known.documents.extend(d for d in project.documents if d.path not in seen)
    return list(projects.values())


def _not_open(_: Path) -> str | None:
    return None


def _bibs(project: Project) -> list[BibFile]:
    cache = BibliographyCache(_not_open)
    return [cache.refresh(path) for path in project.bibliography.files]


def _findings(projects: Sequence[Project], keys: IndexKeys, *, unused: bool) -> list[Finding]:
    found: list[Finding] = []
    for project in projects:
        found.extend(check_project(project, _bibs(project), keys, unused=unused))
    return found


def _by_project(
    projects: Sequence[Project], findings: Sequence[Finding]
) -> list[tuple[Project, list[BibFile], list[Finding]]]:
    grouped = []
    for project in projects:
        paths = {d.path for d in project.documents}
        grouped.append((project, _bibs(project), [f for f in findings if f.path in paths]))
    return grouped


def _order(finding: Finding) -> tuple[str, int, int, int, str]:
    start = finding.range.start
    return (str(finding.path), start.line, start.character,
            _SEVERITY_ORDER[finding.severity], finding.message)  # fmt: skip


def display_path(path: Path) -> str:
    """Relative to the working directory when below it, as compilers print paths."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def finding_line(finding: Finding) -> str:
    start = finding.range.start
    where = f"{display_path(finding.path)}:{start.line + 1}:{start.character + 1}"
    return f"{where}: {finding.severity}: {finding.message}"


def finding_json(finding: Finding) -> dict[str, object]:
    start, end = finding.range.start, finding.range.end
    return {
        "file": str(finding.path),
        "line": start.line + 1,
        "column": start.character + 1,
        "endLine": end.line + 1,
        "endColumn": end.character + 1,
        "severity": finding.severity,
        "code": finding.code,
        "message": finding.message,
        "key": finding.key or None,
        "suggestions": list(finding.near),
    }


def added_line(entry: Added) -> str:
    where = display_path(entry.file)
    named = f" as {entry.key}" if entry.key != entry.cited else ""
    line = f"added {entry.cited}{named} to {where}"
    if entry.declared_in is not None:
        line += f" (declared in {display_path(entry.declared_in)})"
    return line


def added_json(entry: Added) -> dict[str, object]:
    return {
        "cited": entry.cited,
        "key": entry.key,
        "file": str(entry.file),
        "declaredIn": str(entry.declared_in) if entry.declared_in else None,
    }
