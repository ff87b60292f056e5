"""What the client list shows, kept in a small file beside the DB.

The home screen needs only each client and a count of their meetings. Writing that
down at every compaction lets the list paint before the whole DB is parsed; it is
trusted only while the DB file is exactly the one it was written for and no journal
lines are waiting, and is otherwise rebuilt from the data. It holds client codes and
notes, so in an encrypted DB it is sealed with the DB's codec like the DB itself.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from .crypto import SUMMARY, CryptoError
from .diskio import write_private

VERSION = 2  # 2: stage and closed


@dataclass(frozen=True)
class ClientSummary:
    id: str
    code: str
    note: str
    others: tuple[str, ...]
    meetings: int
    last: str  # ISO start time of the latest meeting, "" if none
    draft: bool  # a meeting not yet finalised
    stage: int = 1  # the helping stage, 1-6
    closed: bool = False

    def matches(self, term: str) -> bool:
        """Search as you type: code, note and significant others, case-blind."""
        term = term.casefold()
        return not term or term in f"{self.code} {self.note} {' '.join(self.others)}".casefold()


def summarise(data: dict[str, dict[str, Any]]) -> list[ClientSummary]:
    stats: dict[str, Any] = {}
    meetings = data.get("meetings", {})
    if hasattr(meetings, "client_stats"):  # the app's lazily held meetings (lazy_meetings.py)
        meetings, stats = {}, meetings.client_stats()
    for meeting in meetings.values():
        entry = stats.setdefault(meeting.get("client_id", ""), [0, "", False])
        entry[0] += 1
        started = meeting.get("started") or ""
        if started > entry[1]:
            entry[1] = started
        if not meeting.get("finalised_at"):
            entry[2] = True
    found = []
    for doc in data.get("clients", {}).values():
        count, last, draft = stats.get(doc.get("id", ""), (0, "", False))
        found.append(
            ClientSummary(
                id=doc.get("id", ""),
                code=doc.get("code", ""),
                note=doc.get("note", ""),
                others=tuple(doc.get("significant_others", ())),
                meetings=count,
                last=last,
                draft=draft,
                stage=doc.get("stage") or 1,
                closed=bool(doc.get("closed_at")),
            )
        )
    return sorted(found, key=lambda c: c.code.casefold())


def sidecar(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".summary")


def forget(db_path: Path) -> None:
    """Remove what describes the DB file's contents beside it (this summary, what search
    and the follow-through board kept): done by whatever changes the file other than a
    compaction."""
    from . import kept

    for path in (sidecar(db_path), *kept.sidecars(db_path)):
        path.unlink(missing_ok=True)


def write(db_path: Path, summaries: list[ClientSummary], codec=None, checked: str = "") -> None:
    """Record the summary for the DB file as it is on disk right now; `checked` is the
    record_check stamp of that file, when every record in it passed the checks."""
    st = os.stat(db_path)
    body = {
        "version": VERSION,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "clients": [asdict(s) for s in summaries],
        "checked": checked,
    }
    blob = orjson.dumps(body)
    write_private(sidecar(db_path), codec.seal_file(blob, SUMMARY) if codec is not None else blob)


def read(db_path: Path, codec=None, *, stamp: str = "") -> list[ClientSummary] | None:
    """The stored summary, or None when it might not describe the DB file exactly. With
    `stamp` (record_check.stamp of the file's bytes, as just read), a summary written for
    exactly those bytes is taken whatever the file's size and mtime say (a copied file)."""
    try:
        st = os.stat(db_path)
        raw = sidecar(db_path).read_bytes()
        body = orjson.loads(codec.open_file(raw) if codec is not None else raw)
        same = (stamp and body.get("checked") == stamp) or (body["size"] == st.st_size and body["mtime_ns"] == st.st_mtime_ns)
        if body.get("version") != VERSION or not same:
            return None
        found = [ClientSummary(**{**c, "others": tuple(c["others"])}) for c in body["clients"]]
        return found if all(map(_well_typed, found)) else None
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, AttributeError, CryptoError):
        return None  # (a damaged summary is rebuilt from the data: it is never the only copy)


def _well_typed(entry: ClientSummary) -> bool:
    """The list paints these before the DB is read: a damaged file must not crash it."""
    texts = (entry.id, entry.code, entry.note, entry.last, *entry.others)
    numbers = (entry.meetings, entry.stage)
    return (
        all(isinstance(t, str) for t in texts)
        and all(isinstance(n, int) and not isinstance(n, bool) for n in numbers)
        and isinstance(entry.draft, bool)
        and isinstance(entry.closed, bool)
    )


def checked_here(db_path: Path) -> bool:
    """Was the plain DB file beside this summary checked by this version's checks? (Then a
    store opened lazily holds its meetings as the file's lines: lazy_meetings.py.)"""
    from .record_check import stamp

    found = checked(db_path)
    return bool(found) and found.split(":", 1)[0] == stamp(b"").split(":", 1)[0]


def checked(db_path: Path, codec=None) -> str:
    """The stamp of the DB file whose records all passed the checks (see write), or ""."""
    try:
        raw = sidecar(db_path).read_bytes()
        body = orjson.loads(codec.open_file(raw) if codec is not None else raw)
        found = body.get("checked") if isinstance(body, dict) else None
    except (OSError, orjson.JSONDecodeError, CryptoError):
        return ""
    return found if isinstance(found, str) else ""
