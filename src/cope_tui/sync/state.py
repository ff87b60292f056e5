"""What this DB last synced with its team, kept beside the DB.

  NAME.json.sync          the whole state, written atomically (temp file, fsync, rename)
  NAME.json.sync.journal  one fsynced line per step committed since

Both pass through the DB's codec, so in an encrypted DB they are sealed like the
journal and the main file (`cope-tui encrypt` and `decrypt` convert them too). They
hold, per record, the revision it was last synced at, that version (the base of the
next three-way merge), its hash, its conflicts and its revision history; and the pull
checkpoint, this replica's id and the team key's fingerprint. Never a login, a
passphrase or a key.

A step (a batch of records and the checkpoint that goes with it) is one line: all of
it is kept or none of it. A kill at any moment leaves files that open with every step
that was committed; a torn last line was never reported committed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import orjson

from ..background import let_others_run
from ..store.bulk import no_full_collection
from ..store import crypto
from ..store.diskio import Journal, JournalDamaged, write_private
from . import body
from .errors import FormChanged, StateDamaged

SUFFIX = ".sync"
COMPACT_BYTES = 4 * 1024 * 1024  # or the size of the whole state, whichever is more
SLICE = 200  # records serialised between two chances for other threads to run


def state_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def step_problem(entry: Any) -> str | None:
    """What is wrong with one line of the state's journal (None: it is a step as `commit`
    writes it). Its lines are steps, not DB records: the DB's record check would refuse
    every one of them."""
    if not isinstance(entry, dict) or entry.get("t") != "step" or not isinstance(entry.get("id"), str):
        return "it is not a sync step"
    step = entry.get("doc")
    if not isinstance(step, dict) or not isinstance(step.get("r", {}), dict) or not isinstance(step.get("m", {}), dict):
        return "its step is not a set of records and values"
    if not all(rec is None or isinstance(rec, dict) for rec in step.get("r", {}).values()):
        return "a record of its step is not a JSON object"
    return None


class SyncState:
    """The state of one DB's sync, in memory and on disk; one writer (the DB's lock)."""

    def __init__(
        self, db: Path, codec: crypto.PlainCodec | crypto.SealedCodec, *, read_only: bool = False,
        path: Path | None = None,
    ):
        """`read_only`: read what is there (doctor), write nothing, not even a replica id.
        `path`: another state than the DB's own (a team passphrase change builds one)."""
        self.db = db
        self.path = path or state_path(db)
        self.codec = codec
        self.journal = Journal(self.path.with_name(self.path.name + ".journal"), codec, check=_read_step)
        self.meta: dict[str, Any] = {}
        self.records: dict[str, dict[str, Any]] = {}
        # Conflicts open in `records`, kept as they change (records change only in
        # _load and _apply): the app's header asks every 2 s on its UI thread, and
        # counting them there walked every record (1.6-6.5 ms at 50,000 meetings).
        self.conflict_count = 0
        self._main_size = 0
        self._written = 0  # record versions in the journal (see compact_if_due)
        self._touched: set[str] = set()  # the records they are of
        # A state written before versions were kept as bytes (body.py) is a million
        # objects at 10,000 meetings, made bytes as they are read: with the GC's full
        # collections walking the growing heap meanwhile, it took 1.6 s instead of 0.5.
        with no_full_collection():
            self._load()
        if not read_only:
            self.open_for_writing()

    def open_for_writing(self) -> None:
        """A state read read-only becomes the one a sync writes (the app reads it at its
        start and hands it to its first sync: no second read). Only the DB's writer
        writes it, and that is this process for as long as it holds the DB, so what was
        read is still what the files say."""
        if self.journal.fd is None:  # not when handed back by an engine (Runner, offline)
            self.journal.open()
        if "replica" not in self.meta:  # names this DB's checkpoint on the server
            self.commit(meta={"replica": secrets.token_hex(8)})

    def _damaged(self, why: str) -> StateDamaged:
        return StateDamaged(
            f"The sync state '{self.path}' {why}. It holds no record that is not also in the "
            f"database: move it aside (for example: mv '{self.path}' '{self.path}.old', and the same for "
            f"'{self.journal.path}') and sync again. Records that differ from the team's copies are "
            "then kept side by side as conflicts; nothing is lost."
        )

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raw = b""
        except OSError as exc:
            raise StateDamaged(f"Cannot read the sync state '{self.path}': {exc.strerror}.") from None
        self._main_size = len(raw)
        if raw:
            try:
                data = orjson.loads(self.codec.open_file(raw) if self.codec.sealed else raw)
                self.meta = dict(data["meta"])
                self.records = {rid: _held(rec) if isinstance(rec, dict) else rec for rid, rec in data["records"].items()}
                self.conflict_count = sum(_open_in(rec) for rec in self.records.values())
            except crypto.CryptoError as exc:
                raise self._damaged(f"cannot be opened ({exc.problem})") from None
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
                raise self._damaged("is damaged or was written while the database was encrypted") from None
        steps: dict[str, dict[str, Any]] = {}
        try:
            self.journal.replay(steps)
        except JournalDamaged as exc:
            raise self._damaged(f"has a damaged journal (line {exc.line}: {exc.problem})") from None
        except OSError as exc:
            raise StateDamaged(f"Cannot read '{self.journal.path}': {exc.strerror}.") from None
        for step in steps.get("step", {}).values():
            self._apply(step)
            self._count(step)

    def _count(self, step: dict[str, Any]) -> None:
        records = step.get("r", {})
        self._written += len(records)
        self._touched.update(records)

    def _apply(self, step: dict[str, Any]) -> None:
        for rid, rec in step.get("r", {}).items():
            self.conflict_count -= _open_in(self.records.get(rid))
            if rec is None:
                self.records.pop(rid, None)
            else:
                self.records[rid] = rec  # its versions are bytes already (_held)
                self.conflict_count += _open_in(rec)
        self.meta.update(step.get("m", {}))

    def commit(
        self, records: dict[str, dict[str, Any] | None] | None = None, meta: dict[str, Any] | None = None,
        *, durable: bool = True,
    ) -> None:
        """Keep these records (None: forget one) and meta values, all or nothing; durable
        when this returns (without `durable`: kept if the process is killed, see
        Journal.append_many)."""
        step = {"r": records or {}, "m": meta or {}}
        if not step["r"] and not step["m"]:
            return
        self._still_writable()
        for rec in step["r"].values():
            if rec is not None:
                _held(rec)
        written = {"r": {rid: body.as_written(rec) for rid, rec in step["r"].items()}, "m": step["m"]}
        # Each line has an id of its own: replay keeps the lines in the order written.
        self.journal.append({"t": "step", "id": secrets.token_hex(8), "doc": written}, durable=durable)
        self._apply(step)
        self._count(step)

    def compact_if_due(self) -> None:
        """Once the journal outgrows the whole file and mostly holds versions written over
        since. A journal of records each written once or twice (a first pull: 10,000 of
        them, 100 MB) opens as fast as the file it would become, so it is not rewritten
        for nothing at the end of the sync."""
        if self.journal.size > max(COMPACT_BYTES, self._main_size) and self._written > 2 * len(self._touched):
            self.compact()

    def compact(self) -> None:
        """Fold the journal into the whole file; a kill in between leaves both, and the
        journal's steps replayed over the new file give the same state."""
        self._still_same_form()
        sealed = self.codec.seal_file(self._whole())
        write_private(self.path, sealed)
        self._main_size = len(sealed)
        self.journal.truncate()
        self._written, self._touched = 0, set()

    def _whole(self) -> bytes:
        """The whole state as one JSON object, serialised a slice of records at a time
        with the interpreter's lock let go between slices: in one call, 10,000 records
        hold it for a tenth of a second, and the app's typing waits that long."""
        parts = [b'{"meta":', orjson.dumps(self.meta), b',"records":{']
        items = list(self.records.items())
        for start in range(0, len(items), SLICE):
            if start:
                parts.append(b",")
                let_others_run()
            parts.append(b",".join(orjson.dumps(k) + b":" + orjson.dumps(body.as_written(v)) for k, v in items[start : start + SLICE]))
        parts.append(b"}}")
        return b"".join(parts)

    def _still_writable(self) -> None:
        """Before a step: the DB in the form this state writes, and its journal the file it
        opened. One deleted or moved aside in the same form gets a fresh one, after the
        whole state is written out (what the lost file held is not lost)."""
        self._still_same_form()
        if self.journal.replaced():
            self.journal.close()
            self.journal.open()
            self.compact()

    def _still_same_form(self) -> None:
        """The state holds every record's last synced text: once the DB was encrypted,
        decrypted or given a new key by another process (past a deleted lock file), a step
        written in the old form would leave that text plain, or unreadable, beside it."""
        if not crypto.same_form(self.db, self.codec):
            raise FormChanged(
                f"The files of '{self.db}' were encrypted, decrypted or replaced by another program while this "
                "sync had them open, so it wrote nothing more to its state. What it took into the database "
                "is kept; close cope-tui, open the database again and sync again."
            )

    def close(self) -> None:
        self.journal.close()

    def start_over(self) -> SyncState:
        """A fresh state in place of this one, which is kept whole beside it (`.replaced`):
        after a team passphrase change every record has new ids, so nothing here applies;
        records that differ from the team's are then kept side by side as conflicts."""
        self._still_same_form()
        self.compact()
        self.close()
        os.replace(self.path, self.path.with_name(self.path.name + ".replaced"))
        self.journal.path.unlink(missing_ok=True)  # empty: compacted just now
        return SyncState(self.db, self.codec, path=self.path)

    def open_conflicts(self) -> list[tuple[str, str, str]]:
        """(table, record id, kind) of every conflict waiting for a choice."""
        return [(rec["t"], rec["id"], c.get("kind", "field")) for rec in self.records.values() for c in rec.get("conflicts", [])]


def _open_in(rec: Any) -> int:
    """How many conflicts a record's state holds open (none for a record not there)."""
    return len(rec.get("conflicts") or ()) if isinstance(rec, dict) else 0


def _read_step(entry: Any) -> str | None:
    """step_problem(), and a good step's versions made bytes as its line is read: the
    text read from a journal of 50,000 meetings (500 MB) is let go line by line instead
    of all being held until the last line is read."""
    problem = step_problem(entry)
    if problem is None:
        for rec in entry["doc"].get("r", {}).values():
            if rec is not None:
                _held(rec)
    return problem


def _held(rec: dict[str, Any]) -> dict[str, Any]:
    """A record's state with its bodies as bytes (see body.py), as read or as committed."""
    if "body" in rec and not isinstance(rec["body"], bytes):
        rec["body"] = body.held(rec["body"])
    older = rec.get("older")
    if older and not all(isinstance(kept, bytes) for _, kept in older):
        rec["older"] = [[rev, body.held(kept)] for rev, kept in older]
    return rec
