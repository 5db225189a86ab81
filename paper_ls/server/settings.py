"""The server's settings, read from `initializationOptions` and `workspace/configuration`.

Editors send settings in many shapes (nested under `paper-ls`, flat, with wrong types from a
hand-edited JSON file); `Settings.merged` takes what it understands and keeps the rest as it
was, so one bad value never stops the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

SECTION = "paper-ls"


@dataclass(frozen=True, slots=True)
class Settings:
    #: Index file; None means $PAPER_LS_INDEX or the per-user default.
    index: str | None = None
    #: The sources config (`config.toml`) synced in the background; None means
    #: $PAPER_LS_CONFIG or the per-user default, as for `paper-ls sync`.
    config: str | None = None
    #: Bibliography files for documents that name none themselves.
    bibliography: tuple[str, ...] = ()
    #: Extra LaTeX citation commands, without the backslash.
    citation_commands: frozenset[str] = field(default_factory=frozenset)
    max_items: int = 50
    search_abstracts: bool = True
    #: Hints on bibliography entries that no document cites (`diagnostics.unusedEntries`).
    unused_entries: bool = False
    #: Read any bibliography file a document names, also outside the workspace
    #: (`readOutsideWorkspace`). Off, such a file is read only if the `bibliography` setting
    #: or the sources config lists it: a document cannot make the server read
    #: `../../etc/passwd` or someone's private notes just by naming them.
    read_outside_workspace: bool = False

    def merged(self, raw: Any) -> Settings:
        """These settings updated by what `raw` (a JSON object) says."""
        if not isinstance(raw, dict):
            return self
        if isinstance(raw.get(SECTION), dict):
            raw = raw[SECTION]
        changes: dict[str, Any] = {}
        index = raw.get("index", raw.get("indexPath"))
        if isinstance(index, str):
            changes["index"] = index or None
        config = raw.get("config", raw.get("configPath"))
        if isinstance(config, str):
            changes["config"] = config or None
        bibliography = raw.get("bibliography")
        if isinstance(bibliography, str):
            changes["bibliography"] = (bibliography,) if bibliography else ()
        elif isinstance(bibliography, list):
            changes["bibliography"] = tuple(b for b in bibliography if isinstance(b, str))
        commands = raw.get("citationCommands", raw.get("citation_commands"))
        if isinstance(commands, list):
            changes["citation_commands"] = frozenset(
                c.lstrip("\\") for c in commands if isinstance(c, str) and c.strip()
            )
        max_items = raw.get("maxItems", raw.get("max_items"))
        if isinstance(max_items, int) and not isinstance(max_items, bool) and max_items > 0:
            changes["max_items"] = min(max_items, 200)
        abstracts = raw.get("searchAbstracts", raw.get("search_abstracts"))
        if isinstance(abstracts, bool):
            changes["search_abstracts"] = abstracts
        diagnostics = raw.get("diagnostics")
        unused = raw.get("unusedEntries", raw.get("diagnostics.unusedEntries"))
        if isinstance(diagnostics, dict):
            unused = diagnostics.get("unusedEntries", unused)
        if isinstance(unused, bool):
            changes["unused_entries"] = unused
        outside = raw.get("readOutsideWorkspace", raw.get("read_outside_workspace"))
        if isinstance(outside, bool):
            changes["read_outside_workspace"] = outside
        return replace(self, **changes)
