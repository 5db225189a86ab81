"""Where things live: the index path and its precedence, in one place for CLI and server."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

INDEX_ENV = "PAPER_LS_INDEX"
APP_NAME = "paper-ls"


def default_index_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "index.sqlite3"


def resolve_index_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """An explicit `--index` wins, then `$PAPER_LS_INDEX`, then the per-user data dir.

    Tests, benchmarks and users with several libraries all need to point elsewhere without
    touching the real index, so every entry point goes through here.
    """
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(INDEX_ENV)
    if env:
        return Path(env).expanduser()
    return default_index_path()


CONFIG_ENV = "PAPER_LS_CONFIG"


def resolve_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--config`, then `$PAPER_LS_CONFIG`, then `config.toml` in the per-user config dir."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"
