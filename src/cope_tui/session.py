"""Everything a running app needs apart from the UI: store, guide, saver.

The CLI and the tests build one of these and hand it to `create_app`, so both
run the same wiring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .autosave import SaveStatus, Saver
from .guide import MeetingGuide, load_guide
from .models import Client, Meeting, dump
from .storage import Store


@dataclass
class Session:
    store: Store
    guide: MeetingGuide
    saver: Saver = field(default_factory=Saver)

    @classmethod
    def open(
        cls, db: Path, *, read_only: bool = False, guide: MeetingGuide | None = None, lazy: bool = True
    ) -> Session:
        """Open the DB; with `lazy`, the app parses it after the client list is painted."""
        store = Store(db, read_only=read_only, lazy=lazy)
        try:
            return cls(store=store, guide=guide or load_guide())
        except BaseException:
            store.close()
            raise

    def watch(self, callback: Callable[[SaveStatus], None] | None) -> None:
        self.saver.on_status = callback

    def save_meeting(self, meeting: Meeting) -> None:
        """Queue a snapshot of the meeting as it is now; written off the UI thread."""
        if self.store.read_only:
            return
        doc = dump(meeting)
        self.saver.submit(f"meeting:{meeting.id}", lambda: self.store.put_meeting_doc(meeting.id, doc))

    def save_client(self, client: Client) -> None:
        if self.store.read_only:
            return
        doc = dump(client)
        self.saver.submit(f"client:{client.id}", lambda: self.store.put("clients", client.id, doc))

    def flush(self) -> bool:
        return self.saver.flush()

    def close(self) -> bool:
        """Write what is pending and release the DB; False if something could not be saved."""
        ok = self.saver.close()
        self.store.close()  # a failed compaction loses nothing: the journal is durable
        return ok
