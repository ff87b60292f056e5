"""Erasing a client from an open store (mixed into Store): the records leave memory and
the DB file at once, then every other file goes through erase.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import anchor, summary
from .backup_points import Fold
from .bulk import gc_paused
from .errors import StoreError
from .record_lines import dump_tables


class Erasing:
    """Mixed into Store; uses its mutex, data, codec, journal and compaction's file writer."""

    _erasures = 0  # erasures so far: a kept file written meanwhile is not put in place (kept_parts.py)
    # Records of an erasure cut short that this open finished: a command that opens the
    # DB for some other job says so rather than "nothing has been changed".
    resumed_erasure = 0

    def erase_client(self, client_id: str, by: str | None = None, progress: Callable[[str], None] | None = None) -> Any:
        """Remove a client and all their meetings from every file that held them; complete
        and durable when this returns (an erase.Erasure says what was done). `progress`
        hears which file it is at (tens of seconds with many backups)."""
        from . import erase

        self.wait_ready()
        self._join_compactor()
        with self._mutex:
            self._writable()
            if client_id not in self._data["clients"]:
                raise StoreError(f"Nothing erased from '{self.path}': it holds no client with id {client_id}.")
            ids = erase.ids_of_client(self._data, client_id)
            erase.decide(self.path, ids, self.codec)
            self._erasures += 1  # (what search and the board are keeping meanwhile is not put in place)
            return erase.run(
                self.path, ids, self.codec, self._drop_and_rewrite, lambda n, gone: self._log_erasure(n, gone, by), progress
            )

    def _resume_erasure(self) -> None:
        """An erasure a kill cut short is finished before anything else is written (by a
        writer: a read-only open hides what it takes instead, _hide_pending_erasure)."""
        from . import erase

        if self.read_only:
            return
        ids = erase.pending(self.path, self.codec)
        if ids is not None:
            with self._mutex:
                self._erasures += 1
                self.resumed_erasure = len(ids)
                erase.run(self.path, ids, self.codec, self._drop_and_rewrite, lambda n, gone: self._log_erasure(n, gone, None))

    def _hide_pending_erasure(self) -> None:
        """A read-only open cannot finish an erasure cut short, but never shows what it
        erases: after ctrl+c on `erase`, `export --client` printed the whole record."""
        from . import erase

        if not self.read_only:
            return  # a writer finishes it instead (_resume_erasure)
        for table, record_id in erase.pending(self.path, self.codec) or ():
            self._data.get(table, {}).pop(record_id, None)

    def _drop_and_rewrite(self, ids: set[tuple[str, str]]) -> None:
        for table, record_id in ids:
            self._data.get(table, {}).pop(record_id, None)
            self._clear_query_cache(table)
            self._changed(table, record_id)  # team sync sends the deletion
        anchor.stamp(self._data, self.seq)
        with gc_paused():
            blob = dump_tables(self._data)
            summaries = summary.summarise(self._data)
        self._write_main(blob, summaries, Fold(None))  # its backup point is a full copy without them
        self.journal.truncate()

    def _log_erasure(self, records: int, meetings: list[str], by: str | None) -> None:
        """The meetings' ids are opaque, and the log's own finalise entries hold them: the
        entry says nothing more about whom than the log did, and lets doctor tell the
        erased finalised meetings from ones deleted behind the app's back."""
        from .audit import record_at

        problem = record_at(
            self.path, self.codec if self.codec.sealed else None, "erase", records=records, meetings=meetings or None, by=by
        )
        if problem:
            self.integrity_notes.append(problem)  # shown by the app; the erasure itself is done
