"""The DB's own sibling files, opened as its own: never through a link, and a journal
read only from a regular file this user owns. In a folder others can write to, a link
or file planted at one of these names may be another user's way into a file of yours,
or into your records; refused, with a message, never followed."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class PlantedLink(OSError):
    """A link where cope-tui creates one of a DB's own files. Refused, never followed: in
    a folder others can write to, it may be another user's way into a file of yours."""


def open_own(path: Path, flags: int, mode: int = 0o600) -> int:
    """os.open for the DB's own sibling files (journal, lock, audit log): never through a link."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW, mode)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise PlantedLink(
            errno.ELOOP,
            f"'{path}' is a symbolic link where cope-tui keeps a file of its own, so it was not "
            "followed. Remove the link (someone else may have put it there) and try again",
        ) from None


def read_own(path: Path) -> bytes:
    """The bytes of one of the DB's journals: read through no link, only from a file, and
    only if this user owns it. In a folder others can write to, a journal planted beside
    the DB (a link, a file of their own, a FIFO that hung the start) was read, and its
    lines offered to the replay."""
    fd = open_own(path, os.O_RDONLY | os.O_NONBLOCK)  # (a FIFO put there would hang the open)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PlantedLink(
                errno.EINVAL,
                f"'{path}' is not a file, where cope-tui keeps a journal of its own, so it was not "
                "read. Move it away (someone else may have put it there) and try again",
            )
        if info.st_uid != os.geteuid():
            raise PlantedLink(
                errno.EPERM,
                f"'{path}' belongs to another user, where cope-tui keeps a file of its own, so it "
                "was not read. Move it away (someone else may have put it there) and try again",
            )
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read()
    finally:
        os.close(fd)
