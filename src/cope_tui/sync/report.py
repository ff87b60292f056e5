"""What a sync reports, and what the app shows of a DB's sync: plain values, so the UI
and the CLI read them without the engine's machinery."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SyncReport:
    received: int = 0  # records this DB took from the team
    sent: int = 0  # revisions stored on the server
    refused: list[str] = field(default_factory=list)  # server ids of revisions that failed their check
    unstored: list[str] = field(default_factory=list)  # server ids of records this DB's checks refused
    put_back: int = 0  # records given back their synced version after the DB went back
    deferred: int = 0  # records with an unsaved edit on a screen: merged at the first sync after it is closed
    changed: list[tuple[str, str]] = field(default_factory=list)  # (table, id) of records the pull rewrote
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass(frozen=True)
class Conflict:
    id: str
    table: str
    record_id: str
    kind: str  # field, finalised, deleted
    path: list[Any]
    value: Any  # the version kept beside the record
    by: str
    current: Any = None  # what the record holds there now (the whole record for finalised, deleted)
    # Which record, as its screens name it (a client's code, a meeting's client and day):
    # content, so for the app's screen only, never for a log or the CLI's output.
    label: str = ""


@dataclass(frozen=True)
class SyncStatus:
    last_sync: str | None
    waiting: int  # records saved since the last sync (at most; some may be unchanged)
    conflicts: int
    problem: str  # the last failure's message, "" after a sync that finished
