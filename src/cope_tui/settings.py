"""User settings: how long the app may sit idle before it locks the screen.

Read from the config file, then the environment, then the command line, each
overriding the one before. A bad file or variable never stops the app: it is
named in a warning and the value below it is used.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENV_LOCK_MINUTES = "COPE_TUI_LOCK_MINUTES"
DEFAULT_IDLE_MINUTES = 10
MAX_IDLE_MINUTES = 24 * 60  # a day; longer is the same as never, which 0 says plainly


class SettingsError(ValueError):
    """A setting that cannot be used; the message says what to write instead."""


@dataclass(frozen=True)
class Settings:
    idle_minutes: int = DEFAULT_IDLE_MINUTES  # 0: never lock
    source: str = "default"
    warnings: tuple[str, ...] = field(default=())
    sync_remote: str | None = None  # [sync] remote: the team's database, for the app's sync key
    user_name: str | None = None  # [user] name: recorded on what this worker syncs
    sync_every_minutes: int = 0  # [sync] every_minutes: background sync, 0 = only on request

    @property
    def idle_seconds(self) -> float | None:
        """None when the screen never locks by itself."""
        return self.idle_minutes * 60.0 if self.idle_minutes else None


def config_path() -> Path:
    from platformdirs import user_config_path  # only when settings are read

    return user_config_path("cope-tui", appauthor=False) / "config.toml"


def check_minutes(value: object, where: str) -> int:
    """A whole number of minutes from 0 (never) to a day, or a SettingsError naming `where`."""
    where = f"{where}: " if where else ""
    if isinstance(value, bool):
        value = None  # TOML true/false is not a number of minutes
    elif isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, int):
        raise SettingsError(
            f"{where}expected a whole number of minutes (0 = never lock), for example 10."
        )
    if not 0 <= value <= MAX_IDLE_MINUTES:
        raise SettingsError(
            f"{where}{value} is out of range; use 0 (never lock) to {MAX_IDLE_MINUTES} minutes."
        )
    return value


def _table(path: Path, name: str) -> dict | None:
    """The file's `[name]` table ({} when the file has none, None when there is no file);
    SettingsError when the file is unusable."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SettingsError(f"cannot read '{path}': {exc.strerror or exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"'{path}' is not valid TOML ({exc}). Fix or remove the file.") from None
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise SettingsError(f"'{path}': '{name}' must be a table, written as [{name}] on a line of its own.")
    return table


def _from_file(path: Path) -> int | None:
    """The file's `[lock] idle_minutes`, None when it is absent; SettingsError when unusable."""
    lock = _table(path, "lock")
    if lock is None or "idle_minutes" not in lock:
        return None
    return check_minutes(lock["idle_minutes"], f"'{path}' [lock] idle_minutes")


def load_settings(
    *,
    flag: int | None = None,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Settings:
    """File, then COPE_TUI_LOCK_MINUTES, then the --lock-after flag (already checked by the CLI)."""
    env = os.environ if env is None else env
    warnings: list[str] = []
    minutes, source = DEFAULT_IDLE_MINUTES, "default"
    file = path or config_path()
    try:
        found = _from_file(file)
    except SettingsError as exc:
        warnings.append(f"{exc} The file is ignored until it is fixed.")
    else:
        if found is not None:
            minutes, source = found, str(file)
    raw = env.get(ENV_LOCK_MINUTES)
    if raw is not None and raw.strip():
        try:
            minutes, source = check_minutes(raw, ENV_LOCK_MINUTES), ENV_LOCK_MINUTES
        except SettingsError as exc:
            warnings.append(f"{exc} The variable is ignored until it is fixed.")
    if flag is not None:
        minutes, source = check_minutes(flag, "--lock-after"), "--lock-after"
    remote, user, every = _sync_settings(file, warnings)
    return Settings(minutes, source, tuple(warnings), remote, user, every)


def _sync_settings(file: Path, warnings: list[str]) -> tuple[str | None, str | None, int]:
    """[sync] remote and every_minutes and [user] name; a bad one is named in a warning
    and left unset (the app then syncs only when asked, or not at all)."""
    try:
        sync = _table(file, "sync") or {}
    except SettingsError:
        return None, None, 0  # the whole file is unusable: named once, by the lock setting
    found: list[str | None] = []
    for table, key in (("sync", "remote"), ("user", "name")):
        try:
            found.append(text_setting(table, key, path=file))
        except SettingsError as exc:
            warnings.append(f"{exc} Team sync is off until it is fixed.")
            found.append(None)
    every = sync.get("every_minutes", 0)
    if isinstance(every, bool) or not isinstance(every, int) or not 0 <= every <= MAX_IDLE_MINUTES:
        warnings.append(
            f"'{file}' [sync] every_minutes: expected a whole number of minutes from 0 (sync only when asked) "
            f"to {MAX_IDLE_MINUTES}, for example 15. Background sync is off until it is fixed."
        )
        every = 0
    return found[0], found[1], every


def text_setting(table: str, key: str, *, path: Path | None = None) -> str | None:
    """A text value such as `[sync] remote` or `[user] name`; None when it is not set.
    SettingsError (naming the file and the key) when the file or the value is unusable."""
    file = path or config_path()
    found = _table(file, table)
    value = None if found is None else found.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"'{file}' [{table}] {key}: expected text in quotes, for example {key} = \"...\".")
    return value.strip()
