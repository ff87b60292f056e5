"""The one class that touches the DB file.

Layout on disk, side by side:
  NAME.json          TinyDB's JSON layout ({table: {doc_id: doc}}), written atomically
  NAME.json.journal  one JSON line per saved record since the last compaction, fsynced
  NAME.json.lock     who holds the DB (pid, host, since), guarded by flock
  NAME.json.summary  what the client list shows, for painting before the full load
  NAME.json.search   search's text of the file's meetings, by client (plain DBs only)
  NAME.json.board    the follow-through board's part of each client (plain DBs only)
  NAME.json.export   each client's Markdown as `export --all` rendered it (plain DBs only)

An encrypted DB seals the main file and the summary whole and each journal line on its
own (see crypto.py); the store opens locked until `unlock()` derives the key.

A save appends one line to the journal and fsyncs it: its cost follows the size of
the change, not of the DB. Compaction folds the journal into the JSON file by temp
file + fsync + rename, off the saving path, so a kill at any instant leaves files
that open with everything that was reported saved.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from ..paths import LinkProblem, real_db_path
from . import anchor, crypto, record_check, summary
from .anchored import Anchored, FilesReplaced
from .backup_points import Fold
from .batch import Batched, meeting_change_problem
from .bulk import gc_paused
from .changes import ChangeListeners
from .erasing import Erasing
from .diskio import Journal, LockFile, PlantedLink, ensure_private_dir, remove_stale_temps, write_private
from .errors import (
    CorruptDatabase,
    DatabaseLocked,
    ForeignDatabase,
    NewerEncryption,
    ReadOnlyDatabase,
    RecordLocked,
    StoreError,
    UnreadableRecords,
    WrongPassphrase,
    sealed_error,
)
from .format import TABLES
from .lazy_meetings import LazyMeetings
from .load import Loading
from .record_lines import Chooser, dump_tables
from .records import Records, tinydb_over
from .kept_parts import KeptParts


# The store's errors and helpers other packages use with it (defined where they live).
__all__ = [
    "Store",
    "StoreError",
    "CorruptDatabase",
    "UnreadableRecords",
    "ForeignDatabase",
    "DatabaseLocked",
    "ReadOnlyDatabase",
    "WrongPassphrase",
    "NewerEncryption",
    "RecordLocked",
    "FilesReplaced",
    "gc_paused",
    "write_private",
    "ensure_private_dir",
]

# By default the journal may grow to 16 MB or a quarter of the file, whichever is more (see
# _compact_threshold); until issue 14 it was a fixed 8 MB.
COMPACT_BYTES = 16 * 1024 * 1024
COMPACT_SHARE = 4
_UNREAD = object()  # put(): the caller has not read the record held now


def _frozen(table: Any) -> Any:
    """A table as it is now, for a compaction that encodes it outside the lock."""
    return table.frozen() if isinstance(table, LazyMeetings) else dict(table)


class Store(Loading, Records, Anchored, Erasing, Batched, ChangeListeners, KeptParts):
    """Clients and meetings in one TinyDB file, saved durably record by record.

    With `lazy=True` and a valid summary beside the file, the constructor returns at
    once and `start_loading()` parses the file in a thread; every read waits for it,
    except `client_summaries()`, which the home screen paints from.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        read_only: bool = False,
        compact_bytes: int = COMPACT_BYTES,
        lazy: bool = False,
        passphrase: str | None = None,
        choose_meetings: Chooser | None = None,
        let_go_lines: bool = True,
    ):
        """`choose_meetings` (read-only stores): parse only the meetings of the clients it
        picks (see record_lines); `read_identity` then names exactly what was read.
        `let_go_lines=False`: the meetings lazily held stay the file's bytes and their
        digests are taken only when asked (for a reader done in a second, a thread hashing
        them would only compete with its work)."""
        try:  # resolved once: every file of the DB lives beside the real one, never a link
            self.path = real_db_path(path)
        except LinkProblem as exc:
            raise StoreError(str(exc)) from None
        self.codec: crypto.PlainCodec | crypto.SealedCodec = crypto.PlainCodec()
        self.journal = Journal(self.path.with_name(self.path.name + ".journal"), self.codec)
        self.journal_path = self.journal.path
        self.lock = LockFile(self.path.with_name(self.path.name + ".lock"))
        self.lock_path = self.lock.path
        self.read_only = read_only
        self.read_only_reason = "opened read-only" if read_only else ""
        self.compact_bytes = compact_bytes
        self._main_size = 0  # of the file as last written or opened: see _compact_threshold
        self._fold_exact = True  # the journals hold every change since the file (else: a full backup)
        self.migrated_from: int | None = None
        self._mutex = threading.RLock()
        self._ready = threading.Event()
        self._load_error: BaseException | None = None
        self._compactor: threading.Thread | None = None
        self._loader: threading.Thread | None = None
        self._summaries: list[summary.ClientSummary] | None = None
        self._data: dict[str, dict[str, Any]] = {name: {} for name in TABLES}
        self._db = None
        self._lazy, self._let_go_lines = lazy, let_go_lines
        self._choose = choose_meetings if read_only else None
        self.read_identity = b""  # a sha256 of what a choosing load read
        self._stamp, self._stamp_trusted = "", False  # see record_check.stamp
        self._init_anchor()
        pending = crypto.rekey_pending(self.path)
        if pending:
            raise StoreError(pending)
        self.encrypted = self.locked = crypto.is_encrypted(self.path)
        if not read_only:
            ensure_private_dir(self.path.parent)
            self._take_lock()
            self._remove_stale_temp()
        try:
            if not self.encrypted:
                self._open_contents()
            elif passphrase is not None:
                self.unlock(passphrase)
        except BaseException:
            self.lock.release()
            raise

    def _open_contents(self) -> None:
        if self._lazy and not self.journal.pending():
            self._summaries = summary.read(self.path, self.codec)
        if self._summaries is None:
            self._finish_loading()

    def unlock(self, passphrase: str) -> None:
        """Derive the key (scrypt: slow, run it in a thread) and open the DB as an
        unencrypted one opens; WrongPassphrase leaves everything as it was."""
        if not self.locked:
            return
        try:
            codec = crypto.unlock(crypto.read_header(self.path), passphrase)
        except crypto.CryptoError as exc:
            raise sealed_error(self.path, exc) from None
        except OSError as exc:
            raise StoreError(f"Cannot read '{self.path}': {exc.strerror}.") from exc
        self.codec = self.journal.codec = codec
        self.locked = False
        try:
            self._open_contents()
        except BaseException:
            self.codec = self.journal.codec = crypto.PlainCodec()
            self.locked = True
            raise

    def check_passphrase(self, passphrase: str) -> bool:
        """Does it open this DB? (For the idle lock; slow like unlock.) Always true when
        the DB is not encrypted: no passphrase guards it."""
        if not self.encrypted:
            return True
        try:
            if self.locked:
                return crypto.unlock(crypto.read_header(self.path), passphrase) is not None
            key, check = crypto.derive(passphrase, self.codec.params)
        except (crypto.CryptoError, OSError):
            return False
        return self.codec.matches(key + check)

    # ---- opening ---------------------------------------------------------------

    @property
    def db(self):
        """TinyDB's query API over the stored tables (`store.db.table("meetings").search(...)`)."""
        self.wait_ready()
        if self._db is None:
            self._db = tinydb_over(self._data)
        return self._db

    def _clear_query_cache(self, table: str) -> None:
        if self._db is not None:
            self._db.table(table).clear_cache()

    def _take_lock(self) -> None:
        try:
            acquired = self.lock.acquire()
        except PlantedLink as exc:
            raise StoreError(f"{exc.strerror}.") from None
        if not acquired:
            holder = self.lock.holder() or {}
            who = f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
            since = holder.get("since", "an unknown time")
            raise DatabaseLocked(
                f"'{self.path}' is in use by {who} since {since}. Close cope-tui there, "
                "or open this copy read-only to look without changing anything.",
                holder,
            )

    def _remove_stale_temp(self) -> None:
        """Temp files of a writer killed mid-write: we hold the lock, so nobody owns them."""
        remove_stale_temps(self.path.parent, f".{self.path.name}")

    @staticmethod
    def lock_holder(path: Path | str) -> dict[str, Any] | None:
        path = Path(path)
        return LockFile(path.with_name(path.name + ".lock")).holder()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def start_loading(self) -> threading.Thread | None:
        """Parse the file in the background (after the first paint); reads wait for it."""
        if self._ready.is_set():
            return None
        self._loader = threading.Thread(target=self._load_quietly, name="cope-load", daemon=True)
        self._loader.start()
        return self._loader

    def _load_quietly(self) -> None:
        try:
            self._finish_loading()
        except BaseException as exc:  # surfaced to the next reader by wait_ready()
            self._load_error = exc
            self._ready.set()

    def _finish_loading(self) -> None:
        with self._mutex:
            if self._ready.is_set():
                return
            data = self._load()
            try:
                self._main_size = self.path.stat().st_size
            except OSError:
                pass
            self._data.clear()
            self._data.update(data)
            self._fold_exact = self.migrated_from is None  # an upgrade changes what no journal line says
            if not self.read_only:
                try:
                    self.journal.open()
                except PlantedLink as exc:
                    raise StoreError(f"{exc.strerror}.") from None
            self._check_sequence()
            self._hide_pending_erasure()  # read-only: what a decided erasure takes is not shown
            self._ready.set()
            self._resume_erasure()
            try:
                if not self.read_only and (self.journal.pending() or self.migrated_from is not None):
                    self.compact()
                elif not self.read_only and (self._summaries is None or not self._stamp_trusted):
                    self._write_summary()  # with the stamp of the file just checked in full
            except OSError:
                # Loaded all the same: a full disk must not make every later read and save
                # fail. The journal still holds every save; the next compaction folds it in.
                pass
            self._open_anchor()

    def wait_ready(self) -> None:
        if self.locked:
            raise StoreError(f"'{self.path}' is encrypted and not unlocked yet.")
        if not self._ready.is_set() and self._loader is None:
            self._finish_loading()  # nobody started a background load: do it here
        self._ready.wait()
        if self._load_error is not None:
            raise self._load_error

    # ---- writing ---------------------------------------------------------------

    def _writable(self) -> None:
        # Callers wait for the load *before* taking the mutex: the loader holds it.
        if self.read_only:
            raise ReadOnlyDatabase(self.read_only_reason or f"'{self.path}' is open read-only.")

    def put(self, table: str, doc_id: str, doc: dict[str, Any], current: Any = _UNREAD) -> None:
        """Store one record; durable on disk when this returns. A record the next open could not read
        is refused (StoreError), nothing written. `current`: the record held, if the caller read it."""
        self.wait_ready()
        problem = record_check.record_problem(table, doc_id, doc)
        if problem is not None:
            raise StoreError(
                f"Not saved to '{self.path}': {record_check.Bad(table, str(doc_id), problem)}. "
                "This is a fault in cope-tui; please report it."
            )
        with self._mutex:
            self._writable()
            if (self._data[table].get(doc_id) if current is _UNREAD else current) == doc:
                return  # on disk as it is (a screen saves what it shows): no fsync, no change to sync
            self._append({"t": table, "id": doc_id, "doc": doc})
            self._data[table][doc_id] = doc
            self._clear_query_cache(table)
            self._changed(table, doc_id)  # team sync notes it
            self._compact_when_due()

    def delete(self, table: str, doc_id: str) -> None:
        self.wait_ready()
        if table not in TABLES or (table == "meta" and doc_id == "app"):
            raise StoreError(f"Nothing deleted from '{self.path}': it keeps no table '{record_check.shown(table)}'.")
        with self._mutex:
            self._writable()
            self._append({"t": table, "id": doc_id, "del": True})
            self._data[table].pop(doc_id, None)
            self._clear_query_cache(table)
            self._changed(table, doc_id)
            self._compact_when_due()

    def _compact_when_due(self) -> None:
        if self._bulk_holds:
            return  # folded in once, when the bulk writes end (batch.bulk_writes)
        if self.journal.size > self._compact_threshold() and (self._compactor is None or not self._compactor.is_alive()):
            self._compactor = threading.Thread(target=self._compact_in_background, name="cope-compact", daemon=True)
            self._compactor.start()

    def _compact_threshold(self) -> int:
        """The journal's size that starts a compaction. By default it grows with the file
        (a quarter of it, at least COMPACT_BYTES): each compaction rewrites the whole file,
        so a fixed threshold makes the bytes written per byte saved grow with the record."""
        if self.compact_bytes != COMPACT_BYTES:
            return self.compact_bytes  # set on purpose (tests, tools): taken as it is
        return max(COMPACT_BYTES, self._main_size // COMPACT_SHARE)

    def _compact_in_background(self) -> None:
        """Snapshot and rotate under the mutex (short); write the big file outside it.

        The snapshot holds every line of the old journal, so once the main file is
        durable the old journal can go; the fresh one keeps what came after.
        """
        try:
            with self._mutex:
                if self.journal.fd is None:
                    return
                anchor.stamp(self._data, self.seq)
                # The tables as they are now (a save replaces a record, never changes one
                # in place): encoding them lean (file_form.py) then needs no lock.
                tables = {name: _frozen(table) for name, table in self._data.items()}
                tables["meta"] = orjson.loads(orjson.dumps(self._data["meta"]))
                rotated = self.journal.rotate()
                exact, self._fold_exact = self._fold_exact, True  # the fresh journal starts exact
                held = anchor.file_seq(self._data), anchor.lost_in(self._data)
            with gc_paused():
                blob = dump_tables(tables)
                summaries = summary.summarise(tables)
            # A clean rotation leaves exactly the lines this file folds in: the backup point.
            folded = self.journal.old_path.read_bytes() if rotated and exact else None
            self._write_main(blob, summaries, Fold(folded, *held))
            self.journal.drop_old()
        except OSError:
            pass  # the journals still hold everything; the next compaction tries again

    def _write_main(self, blob: bytes, summaries: list[summary.ClientSummary], folded: Fold) -> None:
        """`folded`: the journal lines this file folds in, when exactly those, for its backup."""
        from . import backup_points, backups

        self._still_same_form()  # else FilesReplaced: the journals keep everything, nothing plain lands
        sealed = self.codec.seal_file(blob)
        before = backup_points.identity(self.path)
        write_private(self.path, sealed)
        self._main_size = len(sealed)
        try:  # every record in memory was checked (at load, replay or save): stamp the file
            summary.write(self.path, summaries, self.codec, checked=record_check.stamp(sealed))
        except OSError:
            summary.sidecar(self.path).unlink(missing_ok=True)
        backups.after_compaction(self.path, blob, self.codec, folded, before)

    def _write_summary(self) -> None:
        try:
            if self.path.exists():
                summary.write(self.path, summary.summarise(self._data), self.codec, checked=self._stamp)
        except OSError:
            pass

    def compact(self) -> None:
        """Fold the journal into the JSON file now; a kill at any point leaves both readable."""
        self._join_compactor()
        with self._mutex:
            if self.read_only or self.journal.fd is None:
                return
            if not self.journal.pending() and self.path.exists() and self.migrated_from is None:
                return  # nothing since the last compaction: no 77 MB rewrite on every close
            anchor.stamp(self._data, self.seq)
            with gc_paused():
                blob = dump_tables(self._data)
                summaries = summary.summarise(self._data)
            # Lines left by a compaction cut short may be in the file already: no segment then.
            exact, self._fold_exact = self._fold_exact and not self.journal.old_path.exists(), True
            folded = self.journal.path.read_bytes() if exact else None
            self._write_main(blob, summaries, Fold(folded, anchor.file_seq(self._data), anchor.lost_in(self._data)))
            self.journal.truncate()

    def _join_compactor(self) -> None:
        compactor = self._compactor
        if compactor is not None and compactor is not threading.current_thread():
            compactor.join()

    def close(self) -> bool:
        """Compact and release the DB; False if compaction failed (the journal still holds
        every save, and the next open folds it in)."""
        if self._loader is not None:
            self._loader.join()  # never leave a half-loaded store writing without its lock
        compacted = True
        if self._ready.is_set() and self._load_error is None:
            try:
                self.compact()
            except OSError:
                compacted = False
        self._close_anchor()
        self.journal.close()
        self.lock.release()
        return compacted

    # ---- reading ---------------------------------------------------------------

    def client_summaries(self) -> list[summary.ClientSummary]:
        """The home screen's list: from the summary file while the DB is still loading."""
        if not self._ready.is_set() and self._summaries is not None:
            return self._summaries
        self.wait_ready()
        with self._mutex:
            return summary.summarise(self._data)

    def get(self, table: str, doc_id: str) -> dict[str, Any] | None:
        self.wait_ready()
        with self._mutex:
            return self._data[table].get(doc_id)

    @contextmanager
    def _snapshot(self, table: str) -> Iterator[list[dict[str, Any]]]:
        self.wait_ready()
        with self._mutex:
            docs = self._data[table]
            yield docs.snapshot() if isinstance(docs, LazyMeetings) else list(docs.values())

    def raw_meetings(self) -> Sequence[dict[str, Any]]:
        """Every stored meeting as saved, unvalidated: for fast bulk work like export. Walk
        it once rather than keep it: in the app it decodes a client's meetings at a time."""
        with self._snapshot("meetings") as docs:
            return docs

    # ---- records ---------------------------------------------------------------

    def raw_versions(self, table: str) -> list[tuple[str, object]]:
        """(record id, version) of every record of a table, reading none: a version is
        the same object until the record is saved or deleted again (compare with `is`)."""
        with self._snapshot_of(table) as docs:
            if isinstance(docs, LazyMeetings):
                return docs.versions()
            return [(key, doc) for key, doc in docs.items()]

    def raw_meetings_of(self, client_id: str) -> list[dict[str, Any]]:
        """One client's stored meetings (in the app, only that client's lines are decoded)."""
        with self._snapshot_of("meetings") as docs:
            if isinstance(docs, LazyMeetings):
                return docs.of_client(client_id)
            return [d for d in docs.values() if d.get("client_id") == client_id]

    @contextmanager
    def _snapshot_of(self, table: str) -> Iterator[Any]:
        self.wait_ready()
        with self._mutex:
            yield self._data[table]

    def put_meeting_doc(self, meeting_id: str, doc: dict[str, Any]) -> None:
        self.wait_ready()
        with self._mutex:
            current = self._data["meetings"].get(meeting_id)  # read once: a packed one is decoded
            refused = meeting_change_problem(current, doc)
            if isinstance(refused, RecordLocked):
                raise refused
            if refused is not None:
                raise StoreError(f"Meeting id {meeting_id} already belongs to another client; nothing was overwritten.")
            self.put("meetings", meeting_id, doc, current)
