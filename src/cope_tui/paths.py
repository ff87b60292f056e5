"""Where the DB lives: --db, then COPE_TUI_DB, then the platform data dir."""

from __future__ import annotations

import errno
import os
import stat
import shlex
from pathlib import Path

from .errors import Failure

ENV_DB = "COPE_TUI_DB"
ENV_PASSPHRASE = "COPE_TUI_PASSPHRASE"  # for scripts, on an encrypted DB
DEFAULT_NAME = "cope-tui.json"


class LinkProblem(Failure):
    """The DB's path is a link that leads nowhere cope-tui can use; nothing was created."""


def db_command(db: Path | str, command: str = "", *rest: str) -> str:
    """A cope-tui command line for this very database, ready to paste: the DB named with
    --db (absolute, quoted for the shell). Advice that said 'cope-tui doctor' sent a user
    who had opened another file with --db to check the default database instead, which
    could answer "Healthy"."""
    where = shlex.quote(str(Path(db).expanduser().absolute()))
    return " ".join(word for word in ("cope-tui", command, "--db", where, *rest) if word)


def default_db_path() -> Path:
    from platformdirs import user_data_path  # only when no --db or COPE_TUI_DB says where

    return user_data_path("cope-tui", appauthor=False) / DEFAULT_NAME


def export_folder() -> Path:
    """Where a written export is proposed: the user's documents folder, else home (the
    folder the app was started from is often a checkout or /tmp, no place for records)."""
    from platformdirs import user_documents_path

    documents = user_documents_path()
    return documents if documents.is_dir() else Path.home()


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    if cli_value:
        return real_db_path(cli_value)
    env = os.environ.get(ENV_DB)
    if env:
        return real_db_path(env)
    return real_db_path(default_db_path())


def real_db_path(given: str | os.PathLike[str]) -> Path:
    """The DB file's real path, links followed: every file of the DB (journal, lock,
    summary, audit log, backups, damaged copies, the encrypt/decrypt marker) is named
    after it and lives beside it, and the main file is replaced there, never the link.

    A link to a file not made yet is followed when the folder it points into exists (a
    new DB is created there). A link into a folder that does not exist (a vault not
    mounted, a path mistyped) or a loop of links raises LinkProblem: cope-tui would
    otherwise make a new, empty DB somewhere the user never chose.
    """
    path = Path(given).expanduser().absolute()
    try:
        found = Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        pass
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise LinkProblem(
            f"'{path}' is a symbolic link that leads round in a loop, never to a file. Nothing "
            "was created. Point --db (or COPE_TUI_DB) at the database file itself, or fix the link."
        ) from None
    else:
        if not stat.S_ISREG(mode := os.stat(found).st_mode) and not stat.S_ISDIR(mode):
            # A pipe waited for a writer for ever; a device (/dev/zero) was read without end.
            raise LinkProblem(
                f"'{path}' is not a file (it is a pipe, a device or a socket). Point --db "
                "(or COPE_TUI_DB) at the database file itself."
            )
        return found
    real = Path(os.path.realpath(path))
    # Folders that are plainly missing are made at open; a link that points nowhere is not.
    deepest = next(p for p in (path, *path.parents) if os.path.lexists(p))
    if not deepest.exists() and (deepest != path or not real.parent.is_dir()):
        raise LinkProblem(
            f"'{path}' leads through a symbolic link to '{real}', but the folder '{real.parent}' "
            "does not exist. Nothing was created. Mount or create that folder, or point --db "
            "(or COPE_TUI_DB) at the database file itself."
        )
    return real


def ensure_private_dir(path: Path) -> None:
    """Create the folder, and every missing folder above it, readable by its owner only.

    Each is made 0700 whatever the umask (parents made by `mkdir(parents=True)` follow the
    umask: 0777 under umask 000, and their names can tell who the records are about).
    Folders that exist already are left as they are: they are the user's.
    """
    missing = []
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue  # made meanwhile by someone else: not ours to change
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            os.fchmod(fd, 0o700)  # the umask may have taken bits from the owner too
        finally:
            os.close(fd)
