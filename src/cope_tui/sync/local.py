"""The DB's side of a sync: which records may have changed, and writing what arrives.

The store tells us every record it saves (Store.add_change_listener), so a sync only
looks at those. Once per engine, at its first sync, every record is looked at instead:
the app or another command may have saved records while no engine was listening.
Looking means comparing a hash with the one of the last synced version, so a record
saved but not changed costs nothing on the network.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from ..store.anchored import Encoded
from ..store.batch import CHANGED, LOCKED
from ..store.store import Store
from .merge import finalised, signed_part
from .versions import TABLES

Key = tuple[str, str]  # (table, record id)
FINALISED = LOCKED  # the store's word and ours: the meeting keeps its version (a pin)
__all__ = ["CHANGED", "FINALISED", "LocalSide"]


class LocalSide:
    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._noted: set[Key] = set()
        self._scanned = False
        self._place: dict[Key, int] = {}  # where the first look found each record
        store.add_change_listener(self._note)

    def detach(self) -> None:
        self.store.remove_change_listener(self._note)

    def _note(self, table: str, doc_id: str) -> None:
        if table in TABLES:
            with self._lock:
                self._noted.add((table, doc_id))

    def take_changed(
        self, known: Callable[[], Iterable[Key]], differs: Callable[[str, str, object], bool] | None = None
    ) -> set[Key]:
        """Records saved since the last call, and at the first call those look_first finds."""
        self.look_first(known, differs)
        with self._lock:
            taken, self._noted = self._noted, set()
        return taken

    def look_first(
        self, known: Callable[[], Iterable[Key]], differs: Callable[[str, str, object], bool] | None = None
    ) -> None:
        """Once: every record is looked at, and those `differs` says differ from what was
        last synced (all, without it; it is given the record's version, see
        Store.raw_version, and reads the record only if it must), and every `known()`
        one the DB no longer holds (deleted meanwhile), count as saved since. The app's
        look at its start does it before any sync (the header counts what waits), then
        hands this side to the engine. Records are looked at in the order the DB keeps
        them: the app's store decodes a client's meetings together, and asking for them
        one id at a time, in id order, decoded each client again for each of its
        meetings (a sync with nothing to send took 6.6 s of the app's CPU at 10,000
        meetings)."""
        if self._scanned:
            return
        self._scanned = True
        found = set()
        for table in TABLES:
            for record_id, version in self.store.raw_versions(table):
                if isinstance(record_id, str):
                    self._place[(table, record_id)] = len(self._place)
                    if differs is None or differs(table, record_id, version):
                        found.add((table, record_id))
        found.update(key for key in known() if key not in self._place)
        with self._lock:
            self._noted |= found

    def note_again(self, keys: Iterable[Key]) -> None:
        """Records taken but not sent (a sync cut off offline): waiting again."""
        with self._lock:
            self._noted.update(keys)

    def in_order(self, keys: Iterable[Key]) -> list[Key]:
        """Records in the order the DB keeps them (as the first look found them), then
        the others by id: the same order for the same DB, and a client's meetings
        together, so a push of thousands decodes each client once."""
        last = len(self._place)
        return sorted(keys, key=lambda key: (self._place.get(key, last), key))

    @property
    def waiting(self) -> int:
        """Saved since the last sync (an upper bound: some may be saved unchanged)."""
        with self._lock:
            return len(self._noted)

    def doc(self, table: str, record_id: str) -> dict[str, Any] | None:
        return self.store.get(table, record_id)

    def version(self, table: str, record_id: str) -> object | None:
        """The record's version, reading none (Store.raw_version)."""
        return self.store.raw_version(table, record_id)

    def apply(
        self, wanted: list[tuple[str, str, dict[str, Any] | None, Any]], encoded: Encoded | None = None,
        versions: dict[Key, object] | None = None, erasures: dict[Key, str] | None = None,
    ) -> list[str | None]:
        """Make the DB hold each (table, id, doc) (None: delete the record) if the record is
        still `expected` (what the merge started from), in one batch: one journal append
        and one fsync. One result each: None when it holds it; FINALISED for one it must
        not take (a finalised meeting never changes here, whatever arrives); CHANGED when
        the record was saved meanwhile (the caller merges again with that edit); else why
        the store's own checks refused it (naming no content).

        A meeting that arrives finalised (or with new addenda) gets this DB's audit
        entries too, marked as arrived by sync, so doctor vouches for it here as well.
        They are written first, all in one fsynced append: a kill before the records
        follow leaves entries that the next sync's writes match, never a finalised
        meeting that no entry vouches for. `encoded`, `versions`: see Store.write_many
        (`versions` names only the records written here). `erasures`: deletions a member's
        erasure sent (with who erased), taken even over a finalised meeting, with an audit
        entry naming the meetings as the erasure's own does: doctor knows they left on
        purpose, and the log says who took them from this DB."""
        entries = []
        results: list[str | None] = [None] * len(wanted)
        batch, where = [], []
        erased: dict[str, list[str]] = {}
        for n, (table, record_id, doc, expected) in enumerate(wanted):
            current = self.store.get(table, record_id)
            if current == doc:
                continue
            if erasures and (table, record_id) in erasures:
                if table == "meetings":
                    erased.setdefault(erasures[table, record_id], []).append(record_id)
            elif table == "meetings" and _refuses(current, doc):
                results[n] = FINALISED
                continue
            elif table == "meetings":
                entries += _arrival_entries(current, doc)
            batch.append((table, record_id, doc, expected))
            where.append(n)
        if erased:
            from ..store.audit import make_entry

            entries += [make_entry("erase", records=len(ids), meetings=sorted(ids), by=by, via="sync") for by, ids in erased.items()]
        if entries:
            from ..store.audit import append, codec_of

            append(self.store.path, entries, codec_of(self.store))
        if batch:
            for n, result in zip(where, self.store.write_many(batch, encoded, versions), strict=True):
                results[n] = result
        return results


def refuses(table: str, current: dict[str, Any] | None, doc: dict[str, Any] | None) -> bool:
    """Would the DB refuse to take `doc` over `current` (a finalised meeting keeps its own)?"""
    return table == "meetings" and _refuses(current, doc)


def _refuses(current: dict[str, Any] | None, doc: dict[str, Any] | None) -> bool:
    """Would taking `doc` change a finalised meeting (more than by new addenda)?"""
    if not finalised(current):
        return False
    return doc is None or not finalised(doc) or signed_part(doc) != signed_part(current)


def _arrival_entries(before: dict[str, Any] | None, doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not finalised(doc):
        return []
    from ..store.audit import addendum_entry, addendum_hash, finalise_entry

    entries = [] if finalised(before) else [{**finalise_entry(doc), "via": "sync"}]
    had = {addendum_hash(a) for a in (before or {}).get("addenda") or [] if isinstance(a, dict)}
    for addendum in doc.get("addenda") or []:
        if isinstance(addendum, dict) and addendum_hash(addendum) not in had:
            entries.append({**addendum_entry(doc, addendum), "via": "sync"})
    return entries
