"""User settings: how long the app may sit idle before it locks the screen, the keys
the user rebinds in the `[keys]` table, and the theme chosen in the palette (`[ui]`).

Read from the config file, then the environment, then the command line, each
overriding the one before. A bad file or variable never stops the app: it is
named in a warning and the value below it is used.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENV_LOCK_MINUTES = "COPE_TUI_LOCK_MINUTES"
# The themes offered (the palette's "Theme: ..."): two of Textual's own and two in the
# terminal's own colours, each readable with 16 colours.
THEMES = ("dark", "light", "ansi-dark", "ansi-light")
DEFAULT_IDLE_MINUTES = 10
MAX_IDLE_MINUTES = 24 * 60  # a day; longer is the same as never, which 0 says plainly


class SettingsError(ValueError):
    """A setting that cannot be used; the message says what to write instead."""


@dataclass(frozen=True)
class KeySetting:
    """One line of `[keys]`: a binding id and the keys it should answer instead."""

    binding_id: str
    keys: str
    line: int  # in config.toml, so a warning can say where to look


@dataclass(frozen=True)
class Settings:
    idle_minutes: int = DEFAULT_IDLE_MINUTES  # 0: never lock
    source: str = "default"
    warnings: tuple[str, ...] = field(default=())
    keys: tuple[KeySetting, ...] = field(default=())
    keys_file: str = ""  # where `keys` came from, for the app's own warnings about them
    theme: str | None = None  # one of THEMES; None: the app's default
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


_MOST = 1 << 20  # bytes: a settings file is a few lines


def config_text(path: Path) -> str | None:
    """The file's text (None when there is none); SettingsError when it is not a settings
    file: not UTF-8 (it stopped the app as "a fault in cope-tui"), a pipe (the start
    waited forever) or a device such as /dev/zero (it read until memory ran out)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SettingsError(f"cannot read '{path}': {exc.strerror or exc}.") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MOST:
            what = "larger than a settings file can be" if stat.S_ISREG(info.st_mode) else "not a file"
            raise SettingsError(f"'{path}' is {what}. Remove it or put a settings file there.")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(_MOST + 1)
    except OSError as exc:
        raise SettingsError(f"cannot read '{path}': {exc.strerror or exc}.") from None
    finally:
        os.close(fd)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SettingsError(f"'{path}' is not text (UTF-8). Fix or remove the file.") from None


def _document(path: Path) -> dict | None:
    """The whole file parsed (None when there is no file); SettingsError when it cannot be
    read or is not TOML, and then nothing in it can be used."""
    text = config_text(path)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"'{path}' is not valid TOML ({exc}). Fix or remove the file.") from None


def _table(path: Path, name: str) -> dict | None:
    """The file's `[name]` table ({} when the file has none, None when there is no file);
    SettingsError when the file is unusable or `name` is not a table."""
    data = _document(path)
    if data is None:
        return None
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


def _flat(table: dict, prefix: str = "") -> dict[str, object]:
    """Binding ids hold dots, so `meeting.next = "f6"` unquoted is a nested TOML table."""
    found: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            found.update(_flat(value, f"{prefix}{key}."))
        else:
            found[f"{prefix}{key}"] = value
    return found


def _key_lines(path: Path) -> dict[str, int]:
    """The line of each entry of `[keys]` (tomllib keeps no positions)."""
    lines: dict[str, int] = {}
    in_keys = False
    for number, line in enumerate((config_text(path) or "").splitlines(), 1):
        header = re.match(r"\s*\[\s*([^\]]*?)\s*\]", line)
        if header:
            in_keys = header.group(1) == "keys"
            continue
        entry = re.match(r"""\s*((?:"[^"]*"|'[^']*'|[^=\s"']+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[^=\s."']+))*)\s*=""", line)
        if in_keys and entry:
            lines[re.sub(r"""["'\s]""", "", entry.group(1))] = number
    return lines


def _keys_from_file(path: Path) -> tuple[list[KeySetting], list[str]]:
    """The `[keys]` entries that are text, and a warning naming the line of each that is not."""
    table = _table(path, "keys")
    if not table:
        return [], []
    lines = _key_lines(path)
    found, warnings = [], []
    for binding_id, value in _flat(table).items():
        line = lines.get(binding_id, 0)
        if isinstance(value, str) and value.strip():
            found.append(KeySetting(binding_id, value.strip(), line))
        else:
            warnings.append(
                f"'{path}' line {line}: [keys] {binding_id} needs its key in quotes, for example "
                f'"{binding_id}" = "f8". The line is ignored.'
            )
    return found, warnings


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
    found, keys = _lock_and_keys(file, warnings)
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
    theme = _theme(file, warnings)
    remote, user, every = _sync_settings(file, warnings)
    return Settings(
        minutes, source, tuple(warnings), tuple(keys), str(file) if keys else "", theme, remote, user, every
    )


def _lock_and_keys(file: Path, warnings: list[str]) -> tuple[int | None, list[KeySetting]]:
    """The file's lock minutes and keys, each on its own: a lock value out of range
    used to drop the user's [keys] too, while the warning said the whole file was
    ignored (the team settings in it were not)."""
    try:
        _document(file)
    except SettingsError as exc:  # unreadable, or not TOML: nothing in it can be used
        warnings.append(f"{exc} The file is ignored until it is fixed.")
        return None, []
    found: int | None = None
    keys: list[KeySetting] = []
    try:
        found = _from_file(file)
    except SettingsError as exc:
        warnings.append(f"{exc} That setting is ignored until it is fixed.")
    try:
        keys, key_warnings = _keys_from_file(file)
        warnings += key_warnings
    except SettingsError as exc:
        warnings.append(f"{exc} Your keys are ignored until it is fixed.")
    return found, keys


def _theme(path: Path, warnings: list[str]) -> str | None:
    try:
        theme = text_setting("ui", "theme", path=path)
    except SettingsError as exc:
        if "not valid TOML" not in str(exc) and "cannot read" not in str(exc):  # said once already
            warnings.append(f"{exc} The default theme is used.")
        return None
    if theme is not None and theme not in THEMES:
        warnings.append(f"'{path}' [ui] theme: '{theme}' is not one of {', '.join(THEMES)}. The default theme is used.")
        return None
    return theme


def _sync_settings(file: Path, warnings: list[str]) -> tuple[str | None, str | None, int]:
    """[sync] remote and every_minutes and [user] name; a bad one is named in a warning
    and left unset (the app then syncs only when asked, or not at all)."""
    try:
        _document(file)
    except SettingsError:
        return None, None, 0  # the whole file is unusable: named once, by the lock setting
    try:
        sync = _table(file, "sync") or {}
    except SettingsError as exc:  # `sync = 5`: said, as `user = 5` is
        warnings.append(f"{exc} Team sync is off until it is fixed.")
        return None, None, 0
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


def retention_years(*, path: Path | None = None) -> int | None:
    """`[retention] closed_years`: after how many years a closed client's record is due to
    be erased (it is only listed: nothing is erased by itself). None when not set;
    SettingsError when the file or the value is unusable."""
    file = path or config_path()
    found = _table(file, "retention")
    value = None if found is None else found.get("closed_years")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise SettingsError(f"'{file}' [retention] closed_years: expected a whole number of years from 1 to 100.")
    return value


def user_name() -> str:
    """Who is at the keyboard, for the audit log: `[user] name`, else the login name."""
    try:
        name = text_setting("user", "name")
    except SettingsError:
        name = None
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment (a bare container)
        return "unknown"


def save_setting(table: str, key: str, value: str, *, path: Path | None = None) -> None:
    """Set `[table] key = "value"` in config.toml, leaving every other line (comments
    included) as it was; SettingsError, and the file untouched, when it cannot be read
    as TOML or written."""
    file = path or config_path()
    text = config_text(file) or ""
    if text:
        _table(file, table)  # refuses a file that is not TOML
    lines = text.splitlines(keepends=True)
    entry = f'{key} = "{value}"\n'
    start = next((i for i, line in enumerate(lines) if re.match(rf"\s*\[\s*{re.escape(table)}\s*\]", line)), None)
    if start is None:
        lines += (["\n"] if text and not text.endswith("\n\n") else []) + [f"[{table}]\n", entry]
    else:
        end = next((i for i in range(start + 1, len(lines)) if re.match(r"\s*\[", lines[i])), len(lines))
        at = next((i for i in range(start + 1, end) if re.match(rf"\s*{re.escape(key)}\s*=", lines[i])), None)
        if at is None:
            lines.insert(start + 1, entry)
        else:
            lines[at] = entry
    new = "".join(lines if not lines or lines[-1].endswith("\n") else [*lines[:-1], lines[-1] + "\n"])
    try:
        tomllib.loads(new)
        from .paths import ensure_private_dir

        ensure_private_dir(file.parent)  # each folder made 0700: mkdir's parents follow the umask
        _replace(file, new, keep_mode=bool(text))
    except tomllib.TOMLDecodeError:
        raise SettingsError(f"'{file}' could not keep [{table}] {key}; nothing was changed.") from None
    except OSError as exc:
        raise SettingsError(f"cannot write '{file}': {exc.strerror or exc}.") from None


def _replace(file: Path, text: str, *, keep_mode: bool) -> None:
    """Write beside the file under an unpredictable name (O_EXCL, 0600) and rename over
    it, so another user's link planted at a guessable name is never written through and a
    crash leaves the old file whole."""
    fd, name = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if keep_mode:
            os.chmod(name, file.stat().st_mode & 0o777)  # a [user] name stays as private as it was
        os.replace(name, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
