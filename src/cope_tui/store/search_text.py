"""What search asks of the store (mixed into Store): the file's meetings by client, and
the index's text kept between sessions (search_cache.py)."""

from __future__ import annotations

from typing import Any

from . import search_cache
from .lazy_meetings import FileMeetings, LazyMeetings


class SearchText:
    """Mixed into Store; uses its mutex, data and path."""

    def file_meetings(self) -> FileMeetings | None:
        """The file's meetings as the app holds them (by client, with digests once packed),
        or None when they were all parsed at load (the CLI, an encrypted DB)."""
        self.wait_ready()
        with self._mutex:
            table = self._data["meetings"]
            return table.file if isinstance(table, LazyMeetings) else None

    def kept_search_text(self) -> search_cache.Cached:
        """The search index's text as the last session kept it (nothing for an encrypted DB)."""
        if self.file_meetings() is None:
            return {}
        return search_cache.read(self.path)

    def keep_search_text(self, cached: search_cache.Cached) -> None:
        """Keep it for the next session: only clients still here, only meetings never erased
        or deleted since, checked and written under the store's lock, so an erasure made
        meanwhile (which removes the file) is never undone by a late write."""
        with self._mutex:
            table: Any = self._data["meetings"]
            if not isinstance(table, LazyMeetings) or self.codec.sealed or self.read_only or self.lock.fd is None:
                return  # (not while another process may hold the DB: after close, or read-only)
            clients = self._data["clients"]
            kept = {
                cid: (digest, rows)
                for cid, (digest, rows) in cached.items()
                if cid in clients and all(row[0] in table for row in rows)
            }
            search_cache.write(self.path, kept)
