"""Settings with a `[keys]` table, as a user's config.toml gives them."""

from __future__ import annotations

from pathlib import Path

from cope_tui.settings import Settings, load_settings


def keys_settings(folder: Path, keys: str) -> Settings:
    """`keys`: the lines of the [keys] table, written to a config.toml in `folder`."""
    path = folder / "config.toml"
    path.write_text("[keys]\n" + keys, encoding="utf-8")
    return load_settings(env={}, path=path)
