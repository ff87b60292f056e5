"""What search and the follow-through board ask of the store (mixed into Store): the
file's meetings by client, a version of each client's meetings, and what those readers
worked out per client, kept between sessions (kept.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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

    def keep(self, kind: str, tag: str, parts: Iterable[tuple[str, tuple[str, Any]]], *, meeting_ids: bool = False) -> None:
        """Keep them for the next session: only clients still here (with `meeting_ids`,
        each part a list whose rows start with a meeting id: only meetings still here).
        Written outside the store's lock (a second or so at 50,000 meetings, and saves
        would wait), and put in place under it only if nothing was erased meanwhile: an
        erasure removes these files, and a late write must never bring them back."""
        with self._mutex:
            table: Any = self._data["meetings"]
            if not isinstance(table, LazyMeetings) or self.codec.sealed or self.read_only or self.lock.fd is None:
                return  # (not while another process may hold the DB: after close, or read-only)
            clients, erasures = set(self._data["clients"]), self._erasures

        def still_here() -> Iterator[tuple[str, tuple[str, Any]]]:
            for cid, (digest, part) in parts.items() if isinstance(parts, Mapping) else parts:
                if cid in clients and (not meeting_ids or all(row[0] in table for row in part)):
                    yield cid, (digest, part)

        def still() -> bool:  # (asked, and the file put in place, under the store's lock)
            return self._erasures == erasures and self.lock.fd is not None

        kept.write(self.path, kind, tag, still_here(), table.file.stamp, self._mutex, still)
