"""The VS Code extension in a real VS Code: the suggestion widget, accept, BibTeX insertion, hover.

`editors/vscode/test/e2e/install.sh` installs code-server 4.100.3 (VS Code 1.100.3), playwright-core
and Debian's Chromium (once; later runs find them installed); `editors/vscode/scripts/build.sh`
packages the extension into a .vsix as its README says. `driver.js` installs that .vsix into a fresh
extensions dir, opens this test's project in VS Code in headless Chromium, types as a writer would
and reports what the screen showed as JSON; the assertions are here. Screenshots of the completion
widget land in `editors/vscode/test/e2e/output/`. Nothing here skips: a missing tool is a failure
that says what is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.editors.projects import REFS_BIB

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
E2E = EXTENSION / "test" / "e2e"
TOOLS = Path(os.environ.get("PAPER_LS_VSCODE_TOOLS", E2E / ".tools"))
OUTPUT = E2E / "output"
BIN = Path(sys.executable).parent
SAMPLE = REPO / "paper_ls" / "data" / "sample.bib"

MAIN_TEX = """\\documentclass{article}
\\begin{document}
See .
Also \\cite{lecun1998gradient}.
Recurrent nets~

\\bibliographystyle{plain}
\\bibliography{refs}
\\end{document}
"""

NOTES_MD = """---
title: Notes
bibliography: notes.bib
---

See .
"""

# `networks` is a title word of krizhevsky2012imagenet and of many others; no key starts with it.
LATEX = {"name": "latex", "file": "main.tex", "line": 3, "column": 5, "type": "\\cite{networks",
         "autoTrigger": True}  # fmt: skip
# `[@` then a title word: the brackets close themselves as a person types them.
MARKDOWN = {"name": "markdown", "file": "notes.md", "line": 6, "column": 5, "type": "[@memory",
            "autoTrigger": True}  # fmt: skip
# The commands, from the command palette by their titles.
ADD_ENTRY = {"name": "add-entry", "kind": "command", "file": "main.tex", "line": 4, "column": 15,
             "command": "Paper: Add BibTeX entry for key under cursor"}  # fmt: skip
SEARCH = {"name": "search", "kind": "command", "file": "main.tex", "line": 5, "column": 16,
          "command": "Paper: Search the index and cite", "pick": "Cite:",
          "inputs": [{"title": "Search the paper index", "text": "short term memory"}]}  # fmt: skip
RESTART = {"name": "restart", "kind": "command", "command": "Paper: Restart server", "quiet": True}
EXTRA_BIB = """@article{cover1967nearest,
  author  = {Cover, Thomas and Hart, Peter},
  title   = {Nearest Neighbor Pattern Classification},
  journal = {IEEE Transactions on Information Theory},
  year    = {1967},
}
"""


def run(command: list[str], what: str, timeout: float, **kwargs: Any) -> str:
    """Runs a set-up step; a failure fails the test with the step's own last words."""
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{what} took over {timeout:.0f}s: {exc.stderr!r}")
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        pytest.fail(f"{what} failed (exit {done.returncode}):\n" + "\n".join(tail))
    return done.stdout


def paper_ls() -> str:
    script = BIN / "paper-ls"
    assert script.exists(), f"no {script}: run scripts/setup.sh"
    return str(script)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One VS Code session over a fresh project: what it showed, and the project folder."""
    for tool in ("node", "npm", "bash"):
        assert shutil.which(tool), f"`{tool}` is not installed: the VS Code test needs Node 20+"
    run(["bash", str(E2E / "install.sh"), str(TOOLS)], "installing code-server", 1200)
    run(["bash", str(EXTENSION / "scripts" / "build.sh")], "building the .vsix", 600)
    version = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))["version"]
    vsix = EXTENSION / f"paper-ls-{version}.vsix"

    tmp = tmp_path_factory.mktemp("vscode")
    project = tmp / "paper"
    project.mkdir()
    for name, text in [("main.tex", MAIN_TEX), ("refs.bib", REFS_BIB), ("notes.md", NOTES_MD),
                       ("notes.bib", REFS_BIB)]:  # fmt: skip
        (project / name).write_text(text, encoding="utf-8")
    index = tmp / "index.sqlite3"
    run([paper_ls(), "add", str(SAMPLE), "--index", str(index)], "paper-ls add", 120)
    extra = tmp / "library" / "extra.bib"
    extra.parent.mkdir()
    extra.write_text(EXTRA_BIB, encoding="utf-8")
    add_to_index = {"name": "add-to-index", "kind": "command",
                    "command": "Paper: Add a bibliography file to the index",
                    "inputs": [{"title": "Add bibliography files", "text": str(extra),
                                "replace": True}]}  # fmt: skip

    shutil.rmtree(OUTPUT, ignore_errors=True)
    config = {
        "tools": str(TOOLS),
        "vsix": str(vsix),
        "project": str(project),
        "workdir": str(tmp / "vscode"),
        "output": str(OUTPUT),
        "result": str(tmp / "result.json"),
        "settings": {
            "paper-ls.serverPath": paper_ls(),
            "paper-ls.index": str(index),
            "workbench.startupEditor": "none",
        },
        # The restart comes before the Markdown scenario, which then needs the new server.
        "scenarios": [LATEX, ADD_ENTRY, SEARCH, add_to_index, RESTART, MARKDOWN],
        "watch": ["refs.bib", "notes.bib"],
    }
    config_file = tmp / "config.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    env = {
        **os.environ,
        # Only the `paper-ls.index` setting may lead the server to the index.
        "PAPER_LS_INDEX": str(tmp / "absent.sqlite3"),
        # code-server writes its own config under these; keep the user's home untouched.
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_DATA_HOME": str(tmp / "data"),
    }
    run(["node", str(E2E / "driver.js"), str(config_file)], "driving VS Code", 300, env=env)
    report: dict[str, Any] = json.loads((tmp / "result.json").read_text(encoding="utf-8"))
    (OUTPUT / "result.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    assert report["error"] is None, report["error"]
    return {**report, "project": project, "index": index, "version": version}


def search_keys(index: Path, query: str) -> list[str]:
    """The one ranking, asked through the command line."""
    out = run([paper_ls(), "search", query, "--json", "-n", "50", "--index", str(index)],
              "paper-ls search", 60)  # fmt: skip
    return [hit["key"] for hit in json.loads(out)]


def labels(rows: list[dict[str, Any]]) -> list[str]:
    """The keys of suggestion rows, top to bottom."""
    return [row["label"] for row in rows]


def test_the_packaged_extension_is_installed(session: dict[str, Any]) -> None:
    assert session["installed"] == [f"paper-ls.paper-ls-{session['version']}"]


def test_latex_widget_shows_the_server_order(session: dict[str, Any]) -> None:
    """Issue 3: a paper matched on a title word, not its key, is the first row a person sees."""
    shown = labels(session["scenarios"]["latex"]["rows"])
    assert shown[0] == "krizhevsky2012imagenet"
    assert session["scenarios"]["latex"]["rows"][0]["focused"] is True  # Enter takes this one
    assert len(shown) >= 8
    assert shown == search_keys(session["index"], "networks")[: len(shown)]
    assert shown != sorted(shown, key=str.lower)  # VS Code did not sort by label
    assert not any(label.lower().startswith("networks") for label in shown)
    # The list opened by itself on `{` and followed the typing to the same rows.
    assert labels(session["scenarios"]["latex"]["autoRows"]) == shown
    assert (OUTPUT / "completion-latex.png").stat().st_size > 1000


def test_latex_accept_inserts_the_key_and_the_entry_once(session: dict[str, Any]) -> None:
    project: Path = session["project"]
    assert session["scenarios"]["latex"]["line"] == "See \\cite{krizhevsky2012imagenet}."
    refs = (project / "refs.bib").read_text(encoding="utf-8")
    assert refs.startswith(REFS_BIB)
    assert refs.count("{krizhevsky2012imagenet,") == 1
    # VS Code saved the server's edits itself, before the person saved anything.
    assert session["beforeSave"]["refs.bib"] == refs
    main = (project / "main.tex").read_text(encoding="utf-8").splitlines()
    assert main[2] == "See \\cite{krizhevsky2012imagenet}."


def test_latex_hover_shows_the_abstract(session: dict[str, Any]) -> None:
    hover = session["scenarios"]["latex"]["hover"]
    assert "ImageNet Classification with Deep Convolutional Neural Networks" in hover
    assert "1.2 million high-resolution images" in hover
    assert "refs.bib:" in hover  # the entry now lives in the document's bibliography


def test_markdown_cites_with_pandoc_syntax(session: dict[str, Any]) -> None:
    project: Path = session["project"]
    markdown = session["scenarios"]["markdown"]
    shown = labels(markdown["rows"])
    assert shown[0] == "hochreiter1997long"
    assert shown == search_keys(session["index"], "memory")[: len(shown)]
    # The list opened by itself on `@` and followed the typing to the same first row.
    assert labels(markdown["autoRows"])[:1] == ["hochreiter1997long"]
    assert markdown["line"] == "See [@hochreiter1997long]."
    assert "constant error flow" in markdown["hover"]
    notes = (project / "notes.bib").read_text(encoding="utf-8")
    assert notes.startswith(REFS_BIB)
    assert notes.count("{hochreiter1997long,") == 1
    notes_md = (project / "notes.md").read_text(encoding="utf-8")
    assert notes_md.endswith("See [@hochreiter1997long].\n")
    assert (OUTPUT / "completion-markdown.png").stat().st_size > 1000


def test_add_entry_for_the_key_under_the_cursor(session: dict[str, Any]) -> None:
    project: Path = session["project"]
    seen = session["scenarios"]["add-entry"]
    assert "paper-ls: added lecun1998gradient to refs.bib" in seen["notifications"]
    refs = (project / "refs.bib").read_text(encoding="utf-8")
    assert refs.count("{lecun1998gradient,") == 1


def test_search_and_cite_offers_title_authors_year(session: dict[str, Any]) -> None:
    project: Path = session["project"]
    seen = session["scenarios"]["search"]
    first = seen["picks"][0]
    assert first["label"] == "Long Short-Term Memory"
    assert first["description"] == "Hochreiter & Schmidhuber, 1997"
    assert first["detail"].startswith("hochreiter1997long")
    offered = [pick["detail"].split(" · ")[0] for pick in seen["picks"]]
    assert offered == search_keys(session["index"], "short term memory")[: len(offered)]
    assert seen["line"] == "Recurrent nets~\\cite{hochreiter1997long}"
    assert "paper-ls: added hochreiter1997long to refs.bib" in seen["notifications"]
    refs = (project / "refs.bib").read_text(encoding="utf-8")
    assert refs.count("{hochreiter1997long,") == 1
    main = (project / "main.tex").read_text(encoding="utf-8").splitlines()
    assert main[4] == "Recurrent nets~\\cite{hochreiter1997long}"


def test_add_a_file_to_the_index(session: dict[str, Any]) -> None:
    seen = session["scenarios"]["add-to-index"]
    assert "paper-ls: indexed extra.bib." in seen["notifications"]
    assert "extra.bib: 1 entries (1 added" in session["output"]  # `paper-ls add` in the channel
    assert search_keys(session["index"], "nearest neighbor")[0] == "cover1967nearest"


def test_restart_starts_a_new_server(session: dict[str, Any]) -> None:
    """Two starts in the output channel, and the Markdown scenario ran on the second server."""
    assert session["output"].count("paper-ls: starting ") == 2
    assert "found via setting paper-ls.serverPath" in session["output"]
