"""Everything a running app needs apart from the UI: store, guide, saver.

The CLI and the tests build one of these and hand it to `create_app`, so both
run the same wiring.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .store.autosave import SaveStatus, Saver
from .store.store import Store

if TYPE_CHECKING:
    from .content.meeting_guide import MeetingGuide
    from .meetings.models import Client, Meeting


class Session:
    def __init__(self, store: Store, guide: MeetingGuide | None = None, saver: Saver | None = None):
        self.store = store
        self.unlock_note = ""  # why the unlock screen asks, when there is more to say
        self.saver = saver or Saver()
        self._guide = guide
        self._guide_lock = threading.Lock()

    @classmethod
    def open(
        cls,
        db: Path,
        *,
        read_only: bool = False,
        guide: MeetingGuide | None = None,
        lazy: bool = True,
        passphrase: str | None = None,
    ) -> Session:
        """Open the DB; with `lazy`, the app parses it after the client list is painted.
        An encrypted DB without `passphrase` opens locked (`store.locked`) until unlocked."""
        return cls(Store(db, read_only=read_only, lazy=lazy, passphrase=passphrase), guide)

    @property
    def guide(self) -> MeetingGuide:
        """The meeting guide, validated on first use (the app asks right after the first paint)."""
        if self._guide is None:
            with self._guide_lock:
                if self._guide is None:
                    from .content.meeting_guide import load_guide

                    self._guide = load_guide()
        return self._guide

    @property
    def meeting_guide(self) -> MeetingGuide:
        # the domain branch renames guide: this name is the one the UI uses
        return self.guide

    def watch(self, callback: Callable[[SaveStatus], None] | None) -> None:
        self.saver.on_status = callback

    def save_meeting(self, meeting: Meeting) -> None:
        """Queue a snapshot of the meeting as it is now; written off the UI thread."""
        if self.store.read_only:
            return
        from .records import dump

        doc = dump(meeting)
        self.saver.submit(f"meeting:{meeting.id}", lambda: self.store.put_meeting_doc(meeting.id, doc))

    def save_client(self, client: Client) -> None:
        if self.store.read_only:
            return
        from .records import dump

        doc = dump(client)
        self.saver.submit(f"client:{client.id}", lambda: self.store.put("clients", client.id, doc))

    def save_exercise(self, exercise) -> None:
        """Queue a snapshot of a COPE exercise; written off the UI thread."""
        if self.store.read_only:
            return
        from .records import dump

        doc = dump(exercise)
        self.saver.submit(f"exercise:{exercise.id}", lambda: self.store.put("exercises", exercise.id, doc))

    def flush(self) -> bool:
        return self.saver.flush()

    def close(self) -> bool:
        """Write what is pending and release the DB; False if something could not be saved."""
        ok = self.saver.close()
        self.store.close()  # a failed compaction loses nothing: the journal is durable
        return ok
