"""Where an export may not be written: over the database's own files, or over a device.

An export is written whole to a temporary file and renamed over its target (diskio's
write_private). Named after the database (`-o x.json`, or its journal or audit log), it
replaced the records with Markdown and said "Wrote x.json"; naming a device or a pipe
(`-o /dev/full`, run as root) replaced the device with a file of client records. Both
are refused here, before anything is written, in the app and on the command line alike.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class ExportRefused(OSError):
    """The target is refused; `strerror` says why, to follow "cannot write 'PATH': "."""

    def __init__(self, why: str):
        super().__init__(errno.EPERM, why)


def export_target_problem(path: Path, db: Path | None) -> str | None:
    """Why an export must not be written at `path`, else None. `db` is the open database
    (None: no database to protect). A link at `path` is fine: the link is replaced, never
    what it points to; the folders on the way are followed, as the rename follows them."""
    path = Path(path).expanduser().absolute()
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        mode = None  # not there yet (or not reachable: the write itself will say so)
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
        return "it is a device, a pipe or a socket, not a file; name a file for the export"
    if db is None:
        return None
    where = Path(os.path.realpath(path.parent)) / path.name
    real_db = Path(os.path.realpath(db))
    home, name = real_db.parent, real_db.name
    for part in (where, *where.parents):
        own = part.name == name or part.name.startswith((f"{name}.", f".{name}."))
        if part.parent == home and own:
            return (
                f"it is one of the database's own files ('{name}' and those beside it named "
                f"'{name}.*'), and the export would replace it; name another file"
            )
    return None


def check_export_target(path: Path, db: Path | None) -> None:
    problem = export_target_problem(path, db)
    if problem:
        raise ExportRefused(problem)
