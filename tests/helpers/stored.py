"""What is on disk, read back as a second, read-only opener beside the app would, and
small DBs built for a test."""

from __future__ import annotations

from pathlib import Path

from cope_tui.meetings.models import Client
from cope_tui.store.store import Store


def one_client_db(folder: Path, code: str, note: str) -> Path:
    """`folder/cope.json`, plain, holding one client."""
    db = folder / "cope.json"
    store = Store(db)
    store.put_client(Client(code=code, note=note))
    store.close()
    return db


def add_clients(db: Path, *codes: str, **store_options) -> None:
    """Clients with these codes saved into `db` (created if need be), then closed."""
    store = Store(db, **store_options)
    try:
        for code in codes:
            store.put_client(Client(code=code))
    finally:
        store.close()


def opening_notes(db: Path, passphrase: str | None = None) -> str:
    """The opening step's notes of the DB's only meeting, as stored now."""
    store = Store(db, read_only=True, passphrase=passphrase)
    try:
        (meeting,) = store.meetings()
        return meeting.peek("opening").notes
    finally:
        store.close()


def all_notes(db: Path) -> str:
    """Every step's notes of every meeting, as stored now (file and journal)."""
    store = Store(db, read_only=True)
    try:
        return " ".join(s.notes for m in store.meetings() for s in m.steps.values())
    finally:
        store.close()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def holding(folder: Path, marker: str) -> list[str]:
    """The files under `folder` whose bytes hold `marker` as plain text."""
    needle = marker.encode()
    return [name for name, data in snapshot(folder).items() if needle in data]


def file_tables(db: Path) -> dict:
    """The main file's tables as the store keeps them (by record id, every meeting whole),
    read without opening the DB: the file keeps them numbered and lean (file_form.py)."""
    import orjson

    from cope_tui.store import record_check

    data = orjson.loads(db.read_bytes())
    assert not record_check.identify(data).problem
    return data


def write_tables(db: Path, data: dict) -> None:
    """Write tables as the store keeps them into the main file, in the file's own form,
    as a hand edit of the file would leave them."""
    from cope_tui.store.record_lines import dump_tables

    db.write_bytes(dump_tables(data))


def review_with_open_areas(folder: Path, code: str = "C-1") -> Path:
    """`folder/cope.json` with the client `code`'s first meeting, finalised with its
    boundaries not agreed, and a review meeting after it, whose opening brings the areas
    back: what a facilitator meets at the start of most meetings."""
    from cope_tui.meetings.rules import finalise
    from cope_tui.session import Session, create_client, start_meeting

    db = folder / "cope.json"
    session = Session.open(db)
    try:
        client = create_client(session.store, code)
        first = start_meeting(session.store, session.meeting_guide, client)
        finalise(first, "worker")
        session.store.put_meeting(first)
        start_meeting(session.store, session.meeting_guide, client)
    finally:
        session.close()
    return db
