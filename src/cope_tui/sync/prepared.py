"""The app's look back at its start: the DB's sync state and its first look, made before
any sync, without the server or the team passphrase, then handed to the first sync.

The header says at once when the DB last synced, how many conflicts wait for a choice
and how many records wait to go to the team (saved since the last sync, offline or in
an earlier session). The state read and the look at every record are what the
session's first sync would do first anyway; made here, that sync does neither again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..background import let_others_run
from ..store.store import Store
from .errors import Cancelled
from .local import Key, LocalSide
from .push import differs
from .report import SyncStatus
from .state import SyncState


@dataclass
class Prepared:
    state: SyncState  # read-only until a sync takes it (SyncState.open_for_writing)
    local: LocalSide  # listening to the DB's saves from the state's reading on
    looked: bool = False  # the first look is done: what waits is counted

    @property
    def last_sync(self) -> str:
        return str(self.state.meta.get("last_sync") or "")

    def status(self) -> SyncStatus:
        """As SyncEngine.status() counts them (asked from the UI thread); nothing waits
        until the look has counted it."""
        waiting = self.local.waiting + len(self.state.meta.get("deferred", {})) if self.looked else 0
        return SyncStatus(self.last_sync or None, waiting, self.state.conflict_count, "")

    def look(self, give_way: Callable[[], None], cancel: threading.Event) -> None:
        """The first look at every record (blocking, and at 50,000 meetings some seconds:
        a worker thread, giving way to typing). Stops with Cancelled once `cancel` is set.

        The state keys records by their id on the server, a keyed hash that needs the
        team key; each record's state also names its table and id, which is all the look
        needs."""
        synced: dict[Key, dict[str, Any]] = {(rec["t"], rec["id"]): rec for rec in list(self.state.records.values())}

        def differs_here(table: str, record_id: str, version: object) -> bool:
            if cancel.is_set():
                raise Cancelled("The app is closing.")
            give_way()
            let_others_run()  # the UI thread's steps wait no longer than this one's
            doc = self.local.doc(table, record_id)
            return doc is None or differs(synced.get((table, record_id)), doc)

        self.local.look_first(lambda: list(synced), differs_here)
        self.looked = True

    def close(self) -> None:
        self.local.detach()
        self.state.close()


def prepare(store: Store) -> Prepared | None:
    """The DB's state, read (blocking: a worker thread), and a listener to its saves from
    now on; None for a DB that never synced (its first sync has nothing to look back
    on). StateDamaged (a SyncError) is left for the first sync to explain."""
    state = SyncState(store.path, store.codec, read_only=True)
    if not state.meta.get("last_sync"):
        state.close()
        return None
    return Prepared(state, LocalSide(store))
