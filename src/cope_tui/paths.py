"""Where the DB lives: --db, then COPE_TUI_DB, then the platform data dir."""

from __future__ import annotations

import os
from pathlib import Path


ENV_DB = "COPE_TUI_DB"
ENV_PASSPHRASE = "COPE_TUI_PASSPHRASE"  # for scripts, on an encrypted DB
DEFAULT_NAME = "cope-tui.json"


def default_db_path() -> Path:
    from platformdirs import user_data_path  # only when no --db or COPE_TUI_DB says where

    return user_data_path("cope-tui", appauthor=False) / DEFAULT_NAME


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return default_db_path()
