"""Store's record-level reads and writes as pydantic models, and its TinyDB view.

Kept apart from store.py so the file layer can be read on its own; everything here
goes through the Store's own `get`, `put` and `_snapshot`; `raw` is the public way to that
snapshot for bulk readers outside the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .bulk import gc_paused

if TYPE_CHECKING:
    from ..meetings.models import Client, Meeting


def _models():
    """Records become pydantic models only when asked for: the client list paints without it."""
    from ..meetings import models

    return models


def _dump(record: Any) -> dict[str, Any]:
    from ..records import dump

    return dump(record)


def tinydb_over(data: dict[str, dict[str, Any]]):
    """TinyDB over the live dict: its query API and file layout, with persistence left to
    the Store. Built on first use, so painting the client list never imports it."""
    from tinydb import TinyDB
    from tinydb.storages import Storage
    from tinydb.table import Table

    class StrTable(Table):
        document_id_class = str  # our record ids are short strings, not counters

    class Memory(Storage):
        def __init__(self, data: dict[str, dict[str, Any]]):
            self.data = data

        def read(self) -> dict[str, dict[str, Any]]:
            return self.data

        def write(self, data: dict[str, dict[str, Any]]) -> None:
            self.data = data

    db = TinyDB(storage=Memory, data=data)
    db.table_class = StrTable
    return db


class Records:
    """Mixed into Store."""

    def raw(self, table: str) -> list[dict[str, Any]]:
        """A table's stored documents as saved, unvalidated, in a new list: for bulk readers
        such as search. The documents are shared with the store: read them, never change them."""
        with self._snapshot(table) as docs:
            return docs

    def clients(self) -> list[Client]:
        with self._snapshot("clients") as docs, gc_paused():
            found = [_models().Client.model_validate(d) for d in docs]
        return sorted(found, key=lambda c: c.code.casefold())

    def client(self, client_id: str) -> Client | None:
        doc = self.get("clients", client_id)
        return _models().Client.model_validate(doc) if doc else None

    def client_by_code(self, code: str) -> Client | None:
        wanted = code.strip().casefold()
        with self._snapshot("clients") as docs:
            for doc in docs:
                if str(doc.get("code", "")).casefold() == wanted:
                    return _models().Client.model_validate(doc)
        return None

    def put_client(self, client: Client) -> None:
        self.put("clients", client.id, _dump(client))

    def meeting(self, meeting_id: str) -> Meeting | None:
        doc = self.get("meetings", meeting_id)
        return _models().Meeting.model_validate(doc) if doc else None

    def meetings(self, client_id: str | None = None) -> list[Meeting]:
        """Meetings in date order, of one client or of all."""
        if client_id is not None:
            picked: Any = self.raw_meetings_of(client_id)
        else:
            with self._snapshot("meetings") as picked:
                pass
        with gc_paused():
            found = [_models().Meeting.model_validate(d) for d in picked]
        return sorted(found, key=lambda m: (m.started, m.id))

    def exercises(self) -> list:
        """COPE exercises, newest first."""
        from ..cope.exercise import Exercise

        with self._snapshot("exercises") as docs, gc_paused():
            found = [Exercise.model_validate(d) for d in docs]
        return sorted(found, key=lambda e: (e.start, e.created), reverse=True)

    def exercise(self, exercise_id: str):
        from ..cope.exercise import Exercise

        doc = self.get("exercises", exercise_id)
        return Exercise.model_validate(doc) if doc else None

    def put_exercise(self, exercise) -> None:
        self.put("exercises", exercise.id, _dump(exercise))

    def put_meeting(self, meeting: Meeting) -> None:
        """Save a meeting; a finalised one only ever gains addenda."""
        self.put_meeting_doc(meeting.id, _dump(meeting))
