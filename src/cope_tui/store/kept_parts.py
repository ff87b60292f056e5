"""What search and the follow-through board ask of the store (mixed into Store): the
file's meetings by client, a version of each client's meetings, and what those readers
worked out per client, kept between sessions (kept.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import kept
from .lazy_meetings import FileMeetings, LazyMeetings


class KeptParts:
    """Mixed into Store; uses its mutex, data, codec, lock and path."""

    def file_meetings(self) -> FileMeetings | None:
        """The file's meetings as the app holds them (by client, with digests once taken),
        or None when they were all parsed at load (the CLI, an encrypted DB)."""
        self.wait_ready()
        with self._mutex:
            table = self._data["meetings"]
            return table.file if isinstance(table, LazyMeetings) else None

    def client_versions(self) -> dict[str, object] | None:
        """Client id -> a version of all their meetings: the digest of their file lines
        while every one is as the file holds it, else a new object at each call (equal to
        nothing). None when the meetings were all parsed at load."""
        file = self.file_meetings()
        if file is None:
            return None
        file.digested.wait()  # (the digests are taken in a thread just after load)
        with self._mutex:
            touched = self._data["meetings"].touched_clients()
        found: dict[str, object] = {cid: file.digests.get(cid) or object() for cid in file.groups}
        for cid in touched:
            found[cid] = object()
        return found

    def kept(self, kind: str, tag: str) -> Iterator[tuple[str, str, Any]]:
        """What a reader kept last session, a client at a time: (client id, digest of
        their lines then, part). Nothing for an encrypted DB."""
        file = self.file_meetings()
        if file is None:
            return iter(())
        return kept.each(self.path, kind, tag, file.stamp)

    def keep(self, kind: str, tag: str, parts: kept.Kept, *, meeting_ids: bool = False) -> None:
        """Keep them for the next session: only clients still here (with `meeting_ids`,
        each part a list whose rows start with a meeting id: only meetings still here),
        checked and written under the store's lock, so an erasure made meanwhile (which
        removes the files) is never undone by a late write."""
        with self._mutex:
            table: Any = self._data["meetings"]
            if not isinstance(table, LazyMeetings) or self.codec.sealed or self.read_only or self.lock.fd is None:
                return  # (not while another process may hold the DB: after close, or read-only)
            clients = self._data["clients"]
            found = {
                cid: (digest, part)
                for cid, (digest, part) in parts.items()
                if cid in clients and (not meeting_ids or all(row[0] in table for row in part))
            }
            kept.write(self.path, kind, tag, found, table.file.stamp)
