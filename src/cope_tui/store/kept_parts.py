"""What search and the follow-through board ask of the store (mixed into Store): the
file's meetings by client, a version of each client's meetings, and what those readers
worked out per client, kept between sessions (kept.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from . import kept
from .lazy_meetings import FileMeetings, LazyMeetings
from .load import fingerprint


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
        file.wait_digests()  # (taken in a thread just after load)
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

    def touched_clients(self) -> set[str]:
        """The clients with a meeting saved or deleted since the file was read (the
        journal, this session's saves): nothing kept for them by their lines holds."""
        with self._mutex:
            table = self._data["meetings"]
            return table.touched_clients() if isinstance(table, LazyMeetings) else set(self._data["clients"])

    def keep(self, kind: str, tag: str, parts: Iterable[tuple[str, tuple[str, Any]]] | kept.Kept, *, meeting_ids: bool = False) -> None:
        """Keep them for the next session: only clients still here (with `meeting_ids`,
        each part a list whose rows start with a meeting id, or a Blob of such rows: only
        meetings still here).
        Written outside the store's lock (a second or so at 50,000 meetings, and saves
        would wait), and put in place under it only if nothing was erased meanwhile: an
        erasure removes these files, and a late write must never bring them back. A
        read-only store (the CLI's export, a viewer) holds no lock on the DB: it writes,
        then takes its file back unless the DB file is still the one it read and no
        erasure is under way, since whatever replaces or erases the file removes the kept
        files only after it has done so."""
        with self._mutex:
            table: Any = self._data["meetings"]
            if not isinstance(table, LazyMeetings) or self.codec.sealed or self.encrypted:
                return
            if not self.read_only and self.lock.fd is None:
                return  # (a writer after close: another process may hold the DB now)
            clients, erasures = set(self._data["clients"]), self._erasures

        def still_here() -> Iterator[tuple[str, tuple[str, Any]]]:
            for cid, (digest, part) in parts.items() if isinstance(parts, Mapping) else parts:
                rows = part[0] if isinstance(part, kept.Blob) else part
                if cid in clients and (not meeting_ids or all(row[0] in table for row in rows)):
                    yield cid, (digest, part)

        @contextmanager
        def still_wanted() -> Iterator[bool]:  # (asked, and the file put in place, under the store's lock)
            with self._mutex:
                yield self._erasures == erasures and (self.read_only or self.lock.fd is not None)

        kept.write(self.path, kind, tag, still_here(), table.file.stamp, still_wanted)
        if self.read_only and not self._still_as_read():
            kept.sidecar(self.path, kind).unlink(missing_ok=True)

    def _still_as_read(self) -> bool:
        from .erase import marker_path

        try:
            erasing = marker_path(self.path).exists()
        except OSError:
            return False
        return not erasing and self._read_main_id is not None and fingerprint(self.path, self.journal)[0] == self._read_main_id
