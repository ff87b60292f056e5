"""Everything a running app needs apart from the UI: store, meeting guide, saver.

The CLI and the tests build one of these and hand it to `create_app`, so both
run the same wiring. The functions at the end apply the meeting rules to a store:
the rules are pure (meetings/), the store only saves (store/); here they meet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .store.autosave import SaveStatus, Saver
from .store.store import Store

if TYPE_CHECKING:
    from .content.meeting_guide import MeetingGuide
    from .meetings.models import Addendum, Client, Meeting, MeetingMode


class Session:
    def __init__(self, store: Store, meeting_guide: MeetingGuide | None = None, saver: Saver | None = None):
        self.store = store
        self.unlock_note = ""  # why the unlock screen asks, when there is more to say
        self.saver = saver or Saver()
        self._meeting_guide = meeting_guide
        self._meeting_guide_lock = threading.Lock()

    @classmethod
    def open(
        cls,
        db: Path,
        *,
        read_only: bool = False,
        meeting_guide: MeetingGuide | None = None,
        lazy: bool = True,
        passphrase: str | None = None,
    ) -> Session:
        """Open the DB; with `lazy`, the app parses it after the client list is painted.
        An encrypted DB without `passphrase` opens locked (`store.locked`) until unlocked."""
        return cls(Store(db, read_only=read_only, lazy=lazy, passphrase=passphrase), meeting_guide)

    @property
    def meeting_guide(self) -> MeetingGuide:
        """The meeting guide, validated on first use (the app asks right after the first paint)."""
        if self._meeting_guide is None:
            with self._meeting_guide_lock:
                if self._meeting_guide is None:
                    from .content.meeting_guide import load_meeting_guide

                    self._meeting_guide = load_meeting_guide()
        return self._meeting_guide

    def watch(self, callback: Callable[[SaveStatus], None] | None) -> None:
        self.saver.on_status = callback

    def save_meeting(self, meeting: Meeting, *, at_once: bool = False) -> None:
        """Queue a snapshot of the meeting as it is now; written off the UI thread, when
        typing pauses or, `at_once`, for a save the user asked for (autosave.py)."""
        if self.store.read_only:
            return
        from .records import dump

        doc = dump(meeting)
        self.saver.submit(f"meeting:{meeting.id}", lambda: self.store.put_meeting_doc(meeting.id, doc), at_once=at_once)

    def save_client(self, client: Client, *, at_once: bool = False) -> None:
        if self.store.read_only:
            return
        from .records import dump

        doc = dump(client)
        self.saver.submit(f"client:{client.id}", lambda: self.store.put("clients", client.id, doc), at_once=at_once)

    def save_exercise(self, exercise, *, at_once: bool = False) -> None:
        """Queue a snapshot of a COPE exercise; written off the UI thread."""
        if self.store.read_only:
            return
        from .records import dump

        doc = dump(exercise)
        self.saver.submit(f"exercise:{exercise.id}", lambda: self.store.put("exercises", exercise.id, doc), at_once=at_once)

    def save_signed(self, meeting: Meeting, addendum: Addendum | None = None) -> None:
        """Queue a just-finalised meeting (or its new addendum), then its audit entry,
        written only once the stored meeting holds what the entry records."""
        self.save_meeting(meeting, at_once=True)
        if self.store.read_only:
            return
        from .records import dump
        from .store.audit import entry_writer

        key, write = entry_writer(self.store, dump(meeting), None if addendum is None else dump(addendum))
        self.saver.submit(key, write, at_once=True)

    def keep_left_open(
        self, key: str, title: str, client_id: str | None, fields: list[tuple[str, str]], where: str = "",
        form: str = "",
    ) -> None:
        """Queue the words of a form still open as the app stops (store/left_open.py);
        the same key again replaces them (a hang-up saves twice)."""
        if self.store.read_only:
            return
        from datetime import datetime

        from .store import left_open

        at = datetime.now().astimezone().isoformat(timespec="minutes")
        doc = left_open.as_doc(title, client_id, at, fields, where, form)
        self.saver.submit(f"left_open:{key}", lambda: self.store.put(left_open.TABLE, left_open.PREFIX + key, doc))

    def left_open(self) -> list:
        """The forms whose words are kept, oldest first (store/left_open.py's LeftOpen)."""
        from .store import left_open

        return left_open.kept(self.store)

    def forget_left_open(self, keys: list[str]) -> bool:
        """The user has these words back: they go, as a deletion in the journal. False
        when the DB is open read-only (they stay)."""
        from .store import left_open

        if self.store.read_only:
            return False
        for key in keys:
            self.saver.submit(f"left_open:{key}", partial(self.store.delete, left_open.TABLE, left_open.PREFIX + key),
                              last=True)
        return True

    def unsaved(self, table: str, record_id: str) -> bool:
        """Does an edit of this record wait for the saver (typed, not written yet)?"""
        key = {"meetings": "meeting", "clients": "client", "exercises": "exercise"}.get(table, table)
        return self.saver.has_pending(f"{key}:{record_id}")

    def flush(self) -> bool:
        return self.saver.flush()

    def close(self) -> bool:
        """Write what is pending and release the DB; False if something could not be saved."""
        ok = self.saver.close()
        self.store.close()  # a failed compaction loses nothing: the journal is durable
        return ok


# ---- the meeting rules applied to a store ---------------------------------------------------
# Imported when called (in the direction of the layers): the app paints its client list
# before pydantic and the records are loaded.


def create_client(
    store: Store, code: str, *, note: str = "", others: list[str] | None = None, by: str | None = None
) -> Client:
    """Add a client and save it; empty or duplicate codes are refused with a message.
    `by`: the worker's name ([user] name), kept on the record for the team."""
    from .meetings.models import Client, check_code

    code = check_code(code)
    if store.client_by_code(code) is not None:
        raise ValueError(f"A client with the code '{code}' already exists; open it or pick another code.")
    client = Client(code=code, note=note, significant_others=others or [], created_by=by or None)
    store.put_client(client)
    return client


def rename_client(store: Store, client: Client, code: str) -> None:
    """Give the client a new code (the caller saves it); a code another client has is refused."""
    from .meetings.models import check_code

    if code.strip() == client.code:  # kept as stored, even from before today's rules
        return
    code = check_code(code)
    other = store.client_by_code(code)
    if other is not None and other.id != client.id:
        raise ValueError(f"A client with the code '{code}' already exists; pick another code.")
    client.code = code


def start_meeting(
    store: Store,
    meeting_guide: MeetingGuide,
    client: Client,
    *,
    mode: MeetingMode | None = None,
    present: list[str] | None = None,
    by: str | None = None,
) -> Meeting:
    """Start and save the client's next meeting: first for a new client, review after,
    with the lists carried from the last one; `by` as for create_client."""
    from .meetings.models import MeetingMode
    from .meetings.rules import new_meeting
    from .meetings.stages import ensure_open

    ensure_open(client)  # before reading the client's meetings: a closed client gets none
    earlier = store.meetings(client.id)
    meeting = new_meeting(
        meeting_guide, client, earlier[-1] if earlier else None, mode=mode or MeetingMode.IN_PERSON, present=present
    )
    meeting.created_by = by or None
    store.put_meeting(meeting)
    return meeting


# ---- undoing a mistake ---------------------------------------------------------------------
# Through the saver under the record's own key, so a save still waiting for that record is
# replaced, never written after the deletion. The audit entry holds ids, never content.


def delete_client(session: Session, client: Client, *, by: str) -> list[str]:
    """Delete a client added by mistake, with its draft meetings (their ids are returned).
    A client with a finalised meeting is refused: a signed record is never deleted."""
    from .store import audit

    meetings = session.store.meetings(client.id)
    if any(m.finalised for m in meetings):
        raise ValueError(
            f"{client.code} has a finalised meeting, and a signed record is never deleted. "
            "To end the work with this client, close them from the handover (h on the client)."
        )
    store, ids = session.store, [m.id for m in meetings]

    def write() -> None:
        for meeting_id in ids:
            store.delete("meetings", meeting_id)
        store.delete("clients", client.id)
        audit.record(store, "delete-client", client_id=client.id, meeting_ids=ids, by=by)

    for meeting_id in ids:
        session.saver.submit(f"meeting:{meeting_id}", lambda: None)
    session.saver.submit(f"client:{client.id}", write)
    return ids


def discard_meeting(session: Session, meeting: Meeting, *, by: str) -> None:
    """Discard a draft meeting started by mistake; a finalised one is refused."""
    from .store import audit

    if meeting.finalised:
        raise ValueError("A finalised meeting is a signed record and is never discarded; add an addendum instead.")
    store = session.store

    def write() -> None:
        store.delete("meetings", meeting.id)
        audit.record(store, "discard-meeting", meeting_id=meeting.id, client_id=meeting.client_id, by=by)

    session.saver.submit(f"meeting:{meeting.id}", write)
