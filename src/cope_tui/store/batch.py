"""Writes of many records at once, and writes that happen only if a record is unchanged.

A mixin of `store.Store`. Team sync needs both: a pull of 10,000 records must not cost
10,000 fsyncs (one journal append and one fsync per batch, durable when it returns),
and a merged version must never overwrite an edit saved while the merge was worked out
(compare-and-set: the record is written only if it still is what the merge started
from; otherwise the caller merges again with the newer version).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import record_check
from .anchored import Encoded
from .lazy_meetings import LazyMeetings
from .errors import RecordLocked, StoreError
from .format import TABLES

ANY = object()  # `expected` that takes whatever the record holds now
CHANGED = "the record was saved again meanwhile"  # write_many's word for a failed compare
LOCKED = "a finalised meeting never changes"  # ... and for a change a finalised meeting refuses


def meeting_change_problem(old: dict[str, Any] | None, doc: dict[str, Any]) -> StoreError | None:
    """Why a stored meeting may not become `doc` (None: it may): it belongs to another
    client, or it is finalised and `doc` changes more than its addenda."""
    if old is None:
        return None
    if old.get("client_id") != doc.get("client_id"):
        return StoreError("This meeting id already belongs to another client; nothing was overwritten.")
    if old.get("finalised_at"):
        # An empty field and a missing one are the same: fields added since it was
        # finalised (stored without them) must not block its addenda.
        before = {k: v for k, v in old.items() if k != "addenda" and v is not None}
        after = {k: v for k, v in doc.items() if k != "addenda" and v is not None}
        old_add, new_add = old.get("addenda", []), doc.get("addenda", [])
        if before != after or new_add[: len(old_add)] != old_add:
            return RecordLocked("This meeting is finalised and cannot change. Add a dated addendum instead.")
    return None


class Batched:
    """Needs the store's wait_ready, _mutex, _writable, _data, _append_many, _changed,
    _clear_query_cache, _compact_when_due and _join_compactor."""

    _bulk_holds = 0  # bulk_writes() blocks open

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Many batches written in a row (a team sync's pull): the journal is folded into
        the file once, when the last such block ends, not each time it passes its
        threshold on the way. A compaction rewrites the whole file and keeps a backup
        point, on a thread that competes with the app's for the interpreter; a first pull
        of 10,000 meetings passed the threshold three times. Each batch is durable in
        the journal when written, as always. On leaving, the compaction that is due
        starts, in the background as ever (wait_for_compaction() waits for it)."""
        with self._mutex:
            self._bulk_holds += 1
        try:
            yield
        finally:
            with self._mutex:
                self._bulk_holds -= 1
                if not self._bulk_holds and not self.read_only and self.journal.fd is not None:
                    self._compact_when_due()

    def wait_for_compaction(self) -> None:
        """Until a compaction running in the background has written the file."""
        self._join_compactor()

    def write_many(
        self, items: list[tuple[str, str, dict[str, Any] | None, Any]], encoded: Encoded | None = None,
        versions: dict[tuple[str, str], object] | None = None,
    ) -> list[str | None]:
        """Write each (table, id, doc or None to delete, expected) whose record is still
        `expected` (ANY: whatever it is) and passes the checks a single save makes; all
        of them in one journal append and one fsync, durable when this returns.

        `encoded`: by (table, id), the doc's JSON (keys in any order) when the caller
        made it already from that very doc (a pull hashes every record it takes): checked
        and written as it is, not serialised twice more (a first pull's 90 MB).

        `versions`: filled with the version (see raw_version) of each record written or
        already so, taken under the same lock as the write: an edit saved just after it
        has another.

        One result per item: None when written (or already so), CHANGED when the record
        is no longer `expected`, LOCKED when it is a finalised meeting that must not take
        it, else what the store's checks refused, in words that name no content. Nothing
        refused is written; the others are."""
        self.wait_ready()
        # The record checks first, outside the lock: the saver's next save (typing) does
        # not wait for a whole batch to be validated.
        raw = encoded or {}
        checked = [_record_problem(table, doc_id, doc, raw.get((table, doc_id))) for table, doc_id, doc, _ in items]
        with self._mutex:
            self._writable()
            results: list[str | None] = []
            entries: list[dict[str, Any]] = []
            for (table, doc_id, doc, expected), problem in zip(items, checked, strict=True):
                problem = problem or self._batch_problem(table, doc_id, doc, expected)
                results.append(problem)
                current = self._data.get(table, {}).get(doc_id)
                if problem is None and current != doc:
                    entries.append({"t": table, "id": doc_id, "del": True} if doc is None else {"t": table, "id": doc_id, "doc": doc})
            self._append_many(entries, encoded)
            for entry in entries:
                table, doc_id = entry["t"], entry["id"]
                held = self._data[table]
                if entry.get("del"):
                    held.pop(doc_id, None)
                elif (table, doc_id) in raw and isinstance(held, LazyMeetings):
                    held.put_packed(doc_id, raw[(table, doc_id)], entry["doc"])
                else:
                    held[doc_id] = entry["doc"]
            if versions is not None:
                for (table, doc_id, _doc, _expected), problem in zip(items, results, strict=True):
                    if problem is None:
                        versions[(table, doc_id)] = self._version_held(table, doc_id)
            for table in {e["t"] for e in entries}:
                self._clear_query_cache(table)
            for entry in entries:
                self._changed(entry["t"], entry["id"])
            if entries and self.journal.size > max(self.compact_bytes, self._main_bytes()):
                # A pull of thousands of records: folding the journal in every 8 MB would
                # rewrite the whole growing file again and again (quadratic); once the
                # journal is as big as the file, the cost stays in proportion.
                self._compact_when_due()
            return results

    def _main_bytes(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def raw_version(self, table: str, doc_id: str) -> object | None:
        """The record's version, reading none (see Store.raw_versions): the same object
        until it is saved or deleted again (compare with `is`); None when not held."""
        self.wait_ready()
        with self._mutex:
            return self._version_held(table, doc_id)

    def _version_held(self, table: str, doc_id: str) -> object | None:
        held = self._data[table]
        return held.version(doc_id) if isinstance(held, LazyMeetings) else held.get(doc_id)

    def put_if_unchanged(self, table: str, doc_id: str, doc: dict[str, Any] | None, expected: Any) -> bool:
        """Compare-and-set: store `doc` (None: delete) only if the record is `expected` now
        (None: absent). False when it was saved again meanwhile; StoreError when refused."""
        problem = self.write_many([(table, doc_id, doc, expected)])[0]
        if problem is None:
            return True
        if problem == CHANGED:
            return False
        if problem == LOCKED:
            raise RecordLocked("This meeting is finalised and cannot change. Add a dated addendum instead.")
        raise StoreError(f"Not saved to '{self.path}': {problem}.")

    def _batch_problem(self, table: str, doc_id: str, doc: dict[str, Any] | None, expected: Any) -> str | None:
        """What refuses a record that passed its own check, against what is stored now."""
        current = self._data[table].get(doc_id)
        if expected is not ANY and current != expected:
            return CHANGED
        if doc is not None and table == "meetings":
            refused = meeting_change_problem(current, doc)
            if isinstance(refused, RecordLocked):
                return LOCKED
            if refused is not None:
                return f"{record_check.LABELS[table]} {record_check.shown(doc_id)}: {refused}"
        return None


def _record_problem(table: str, doc_id: str, doc: dict[str, Any] | None, encoded: bytes | None) -> str | None:
    """The checks of the record alone (no stored version needed)."""
    if table not in TABLES or table == "meta":
        return f"it keeps no table '{record_check.shown(table)}'"
    if doc is None:
        return None
    problem = record_check.record_problem(table, doc_id, doc, encoded)
    return None if problem is None else str(record_check.Bad(table, str(doc_id), problem))
