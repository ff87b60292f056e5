"""What a backup holds, read back the way a restore would put it in place: its DB file and
journal written to a scratch folder and opened there read-only."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import orjson

from cope_tui.store import backups
from cope_tui.store.format import TABLES
from cope_tui.store.store import Store

CONTENT_TABLES = [t for t in TABLES if t != "meta"]


def state_of(db: Path, backup: Any, passphrase: str | None = None) -> dict[str, dict[str, Any]]:
    """The records (every table but meta) a restore of `backup` opens with."""
    from cope_tui.store.crypto import Keyring

    main, journal = backups.materialise(db, backup, Keyring(passphrase))
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / db.name
        copy.write_bytes(main)
        if journal:
            copy.with_name(copy.name + ".journal").write_bytes(journal)
        store = Store(copy, read_only=True, passphrase=passphrase)
        try:
            store.wait_ready()
            return {t: dict(store._data[t]) for t in CONTENT_TABLES}
        finally:
            store.close()


def records_now(db: Path, passphrase: str | None = None) -> dict[str, dict[str, Any]]:
    """The records the DB opens with now (read-only, beside any writer)."""
    store = Store(db, read_only=True, passphrase=passphrase)
    try:
        store.wait_ready()
        return {t: dict(store._data[t]) for t in CONTENT_TABLES}
    finally:
        store.close()


def same_bytes(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> bool:
    """Byte-identical records, table by table and id by id."""
    dump = lambda tables: orjson.dumps(tables, option=orjson.OPT_SORT_KEYS)  # noqa: E731
    return dump(a) == dump(b)


def codes_at(db: Path, backup: Any, passphrase: str | None = None) -> list[str]:
    return sorted(doc["code"] for doc in state_of(db, backup, passphrase)["clients"].values())
