"""The one class that touches the DB file.

Layout on disk, next to each other:
  NAME.json          TinyDB's JSON layout ({table: {doc_id: doc}}), written atomically
  NAME.json.journal  one JSON line per saved record since the last compaction, fsynced
  NAME.json.lock     who holds the DB (pid, host, since), guarded by flock

A save appends one line to the journal and fsyncs it: its cost follows the size of
the change, not of the DB. Compaction folds the journal into the JSON file by temp
file + fsync + rename, so a kill at any instant leaves a file that opens.
"""

from __future__ import annotations

import fcntl
import gc
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from . import backups, migrations
from .models import Client, Meeting, dump

APP_ID = "cope-tui"
SCHEMA = 1
TABLES = ("meta", "clients", "meetings")
COMPACT_BYTES = 8 * 1024 * 1024


class StoreError(Exception):
    """A DB problem a user can act on; the message says which file and what to do."""


class CorruptDatabase(StoreError):
    pass


class ForeignDatabase(StoreError):
    pass


class DatabaseLocked(StoreError):
    def __init__(self, message: str, holder: dict[str, Any]):
        super().__init__(message)
        self.holder = holder


class ReadOnlyDatabase(StoreError):
    pass


class RecordLocked(StoreError):
    """A finalised meeting was about to change."""


class _StrTable(Table):
    document_id_class = str  # our record ids are short strings, not counters


class _Memory(Storage):
    """Hands TinyDB the live dict; persistence is the Store's job, not TinyDB's."""

    def __init__(self, data: dict[str, dict[str, Any]]):
        self.data = data

    def read(self) -> dict[str, dict[str, Any]]:
        return self.data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = data


@contextmanager
def gc_paused() -> Iterator[None]:
    """Bulk reads build millions of small objects and the cyclic GC would rescan them
    over and over (8x slower at 10,000 meetings); reference counting still frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_private_dir(path: Path) -> None:
    """Create the data folder readable by its owner only."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
        os.chmod(path, 0o700)


def write_private(path: Path, data: bytes) -> None:
    """Write a whole file atomically, owner-only, durable before it replaces the old one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class Store:
    """Clients and meetings in one TinyDB file, saved durably record by record."""

    def __init__(self, path: Path, *, read_only: bool = False, compact_bytes: int = COMPACT_BYTES):
        self.path = Path(path).expanduser().absolute()
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.read_only = read_only
        self.compact_bytes = compact_bytes
        self.migrated_from: int | None = None
        self.read_only_reason = "opened read-only" if read_only else ""
        self._mutex = threading.RLock()
        self._journal_fd: int | None = None
        self._lock_fd: int | None = None
        self._journal_bytes = 0
        if not read_only:
            ensure_private_dir(self.path.parent)
            self._take_lock()
        try:
            self._data = self._load()
        except BaseException:
            self._release_lock()
            raise
        self.db = TinyDB(storage=_Memory, data=self._data)
        self.db.table_class = _StrTable
        if not self.read_only:
            self._open_journal()

    # ---- opening ---------------------------------------------------------------

    def _take_lock(self) -> None:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self.lock_holder(self.path) or {}
            os.close(fd)
            who = f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
            since = holder.get("since", "an unknown time")
            raise DatabaseLocked(
                f"'{self.path}' is in use by {who} since {since}. Close cope-tui there, "
                "or open this copy read-only to look without changing anything.",
                holder,
            ) from None
        # flock dies with its process, so a crashed holder never leaves a stale lock.
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now().isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, orjson.dumps(info), 0)
        self._lock_fd = fd

    @staticmethod
    def lock_holder(path: Path) -> dict[str, Any] | None:
        lock = Path(path).with_name(Path(path).name + ".lock")
        try:
            return orjson.loads(lock.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raw = b""
        except OSError as exc:
            raise StoreError(f"Cannot read '{self.path}': {exc.strerror}.") from exc
        data: Any = {}
        if raw.strip():
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise CorruptDatabase(
                    f"'{self.path}' is not a readable cope-tui database (it is not valid JSON). "
                    "It has not been changed. Move it aside and start again, or open another "
                    "file with --db PATH."
                ) from None
        if not isinstance(data, dict) or not self._ours(data):
            raise ForeignDatabase(
                f"'{self.path}' holds data that is not a cope-tui database. It has not been "
                "changed. Choose another file with --db PATH (or COPE_TUI_DB)."
            )
        for name in TABLES:
            data.setdefault(name, {})
        self._replay_journal(data)
        meta = data["meta"].setdefault("app", {"app": APP_ID, "schema": SCHEMA})
        version = int(meta.get("schema", 0))
        if version < SCHEMA:
            if not self.read_only:  # read-only viewers upgrade in memory and write nothing
                backups.keep_copy(self.path, reason=f"before-upgrade-from-{version}")
            data = migrations.upgrade(data, version, SCHEMA)
            data["meta"]["app"]["schema"] = SCHEMA
            self.migrated_from = version
        if version > SCHEMA:
            self.read_only = True
            self.read_only_reason = (
                f"'{self.path}' was written by a newer cope-tui (format {meta['schema']}); "
                "it is open read-only. Update cope-tui to edit it."
            )
        return data

    @staticmethod
    def _ours(data: dict[str, Any]) -> bool:
        if not data:
            return True
        meta = data.get("meta", {}).get("app")
        return isinstance(meta, dict) and meta.get("app") == APP_ID and set(data) <= set(TABLES)

    def _replay_journal(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            return
        lines = raw.split(b"\n")
        # The last line may be torn by a kill mid-write; it was never reported saved.
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = orjson.loads(line)
                table = data.setdefault(entry["t"], {})
                if entry.get("del"):
                    table.pop(entry["id"], None)
                else:
                    table[entry["id"]] = entry["doc"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                if number >= len(lines) - 1:
                    break
                raise CorruptDatabase(
                    f"The journal '{self.journal_path}' is damaged at line {number}. Neither "
                    "file has been changed. Move the journal aside to open the last compacted copy."
                ) from None

    def _open_journal(self) -> None:
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        self._journal_fd = fd
        self._journal_bytes = os.fstat(fd).st_size
        if self._journal_bytes or self.migrated_from is not None:
            self.compact()

    # ---- writing ---------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyDatabase(self.read_only_reason or f"'{self.path}' is open read-only.")

    def _append(self, entry: dict[str, Any]) -> None:
        assert self._journal_fd is not None
        line = orjson.dumps(entry) + b"\n"
        start = self._journal_bytes
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._journal_fd, view) :]
            os.fsync(self._journal_fd)
        except OSError:
            # Drop a partial line so the next append starts clean (disk full, I/O error).
            try:
                os.ftruncate(self._journal_fd, start)
            except OSError:
                pass
            raise
        self._journal_bytes = start + len(line)

    def put(self, table: str, doc_id: str, doc: dict[str, Any]) -> None:
        """Store one record; durable on disk when this returns."""
        with self._mutex:
            self._writable()
            self._append({"t": table, "id": doc_id, "doc": doc})
            self._data[table][doc_id] = doc
            self.db.table(table).clear_cache()
            if self._journal_bytes > self.compact_bytes:
                self.compact()

    def delete(self, table: str, doc_id: str) -> None:
        with self._mutex:
            self._writable()
            self._append({"t": table, "id": doc_id, "del": True})
            self._data[table].pop(doc_id, None)
            self.db.table(table).clear_cache()

    def compact(self) -> None:
        """Fold the journal into the JSON file; a kill at any point leaves both readable."""
        with self._mutex:
            if self.read_only or self._journal_fd is None:
                return
            write_private(self.path, orjson.dumps(self._data))
            os.ftruncate(self._journal_fd, 0)
            os.fsync(self._journal_fd)
            self._journal_bytes = 0
            backups.after_compaction(self.path)

    def close(self) -> None:
        with self._mutex:
            if self._journal_fd is not None:
                try:
                    self.compact()
                finally:
                    os.close(self._journal_fd)
                    self._journal_fd = None
            self._release_lock()

    # ---- reading ---------------------------------------------------------------

    def get(self, table: str, doc_id: str) -> dict[str, Any] | None:
        with self._mutex:
            return self._data[table].get(doc_id)

    @contextmanager
    def _snapshot(self, table: str) -> Iterator[list[dict[str, Any]]]:
        with self._mutex:
            yield list(self._data[table].values())

    # ---- records ---------------------------------------------------------------

    def clients(self) -> list[Client]:
        with self._snapshot("clients") as docs, gc_paused():
            found = [Client.model_validate(d) for d in docs]
        return sorted(found, key=lambda c: c.code.casefold())

    def client(self, client_id: str) -> Client | None:
        doc = self.get("clients", client_id)
        return Client.model_validate(doc) if doc else None

    def client_by_code(self, code: str) -> Client | None:
        wanted = code.strip().casefold()
        with self._snapshot("clients") as docs:
            for doc in docs:
                if str(doc.get("code", "")).casefold() == wanted:
                    return Client.model_validate(doc)
        return None

    def put_client(self, client: Client) -> None:
        self.put("clients", client.id, dump(client))

    def meeting(self, meeting_id: str) -> Meeting | None:
        doc = self.get("meetings", meeting_id)
        return Meeting.model_validate(doc) if doc else None

    def meetings(self, client_id: str | None = None) -> list[Meeting]:
        """Meetings in date order, of one client or of all."""
        with self._snapshot("meetings") as docs:
            picked = [d for d in docs if client_id is None or d.get("client_id") == client_id]
        with gc_paused():
            found = [Meeting.model_validate(d) for d in picked]
        return sorted(found, key=lambda m: (m.started, m.id))

    def put_meeting(self, meeting: Meeting) -> None:
        """Save a meeting; a finalised one only ever gains addenda."""
        self.put_meeting_doc(meeting.id, dump(meeting))

    def put_meeting_doc(self, meeting_id: str, doc: dict[str, Any]) -> None:
        with self._mutex:
            old = self._data["meetings"].get(meeting_id)
            if old is not None and old.get("finalised_at"):
                before = {k: v for k, v in old.items() if k != "addenda"}
                after = {k: v for k, v in doc.items() if k != "addenda"}
                old_add, new_add = old.get("addenda", []), doc.get("addenda", [])
                if before != after or new_add[: len(old_add)] != old_add:
                    raise RecordLocked(
                        "This meeting is finalised and cannot change. Add a dated addendum instead."
                    )
            self.put("meetings", meeting_id, doc)
