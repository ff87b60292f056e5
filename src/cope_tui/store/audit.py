"""The tamper-evident record: a hash for each finalised meeting and a hash-chained log.

NAME.json.audit, beside the DB, gets one line per finalise, addendum, export, restore,
encrypt and decrypt. Each entry holds the hash of the entry before it and a hash of
itself, so an entry edited, removed, inserted or moved breaks the chain where it
happened; `audit_check.verify` walks it for `cope-tui doctor`. Every line passes
through the DB's codec, so an encrypted DB's log is sealed like its journal.

Entries name records by id and hold hashes; never client content.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ..paths import db_command
from ..meetings.signing import addendum_hash, canonical, content_hash, sha256
from . import crypto
from .diskio import ensure_private_dir, fsync_dir, open_own

Entry = dict[str, Any]
KINDS = ("finalise", "addendum", "export", "restore", "encrypt", "decrypt")


def codec_of(store: Any = None) -> Any:
    """The codec the DB's lines pass through (an unencrypted DB's passes them unchanged)."""
    return getattr(store, "codec", None) or crypto.PlainCodec()


def entry_hash(entry: Entry, codec: Any = None) -> str | None:
    """The entry's link in the chain. An encrypted DB's entries name their key ("mac") and
    are an HMAC under it; None when `codec` does not hold that key (the entry was keyed
    before a decrypt or a new passphrase: it cannot be checked any more)."""
    body = canonical({k: v for k, v in entry.items() if k != "entry_hash"})
    if "mac" not in entry:
        return sha256(body)
    if codec is None or getattr(codec, "chain_key_id", None) != entry["mac"]:
        return None
    return codec.chain_mac(body)


class FormChanged(Exception):
    """The log or the DB is no longer in the form this process writes: nothing is written."""


def log_path(db_path: Path | str) -> Path:
    db = Path(db_path).expanduser().absolute()
    return db.with_name(db.name + ".audit")


def _stamp(at: datetime | str | None) -> str:
    if isinstance(at, str):
        return at
    return (at or datetime.now()).replace(microsecond=0).isoformat()


def make_entry(kind: str, *, at: datetime | str | None = None, **fields: Any) -> Entry:
    """An entry before chaining; fields left as None are not written."""
    entry = {"kind": kind, "at": _stamp(at)}
    entry.update({k: v for k, v in fields.items() if v is not None})
    return entry


def finalise_entry(doc: dict[str, Any]) -> Entry:
    return make_entry(
        "finalise",
        at=doc.get("finalised_at"),
        meeting_id=doc.get("id"),
        client_id=doc.get("client_id"),
        by=doc.get("finalised_by"),
        hash=doc.get("content_hash"),
    )


def addendum_entry(doc: dict[str, Any], addendum: dict[str, Any]) -> Entry:
    return make_entry(
        "addendum",
        at=addendum.get("at"),
        meeting_id=doc.get("id"),
        client_id=doc.get("client_id"),
        by=addendum.get("by"),
        hash=addendum_hash(addendum),
    )


def seal(doc: dict[str, Any]) -> list[Entry]:
    """Give a finalised meeting's stored form its hash; the entries that record it.

    For records written in bulk (demo data): the caller saves `doc`, then appends these.
    """
    if not doc.get("finalised_at"):
        return []
    doc["content_hash"] = content_hash(doc)
    return [finalise_entry(doc)] + [addendum_entry(doc, a) for a in doc.get("addenda") or []]


# ---- appending ---------------------------------------------------------------------------


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _last_line(fd: int, size: int) -> tuple[bytes | None, int]:
    """The last whole line of the log and where whole lines end (a torn tail lies past it)."""
    chunk, pos, buf = 4096, size, b""
    while True:
        step = min(chunk, pos)
        pos -= step
        buf = os.pread(fd, step, pos) + buf
        end = buf.rfind(b"\n")
        start = buf.rfind(b"\n", 0, end) if end > 0 else -1
        if pos == 0 or start >= 0:
            break
        chunk *= 2
    if end < 0:
        return None, 0
    return buf[start + 1 : end], pos + end + 1


def _chain_point(line: bytes | None, codec: Any) -> tuple[int, str]:
    """(seq, entry_hash) of the last entry; (0, "") for a new log or an unreadable entry,
    which doctor reports on its own."""
    if line is None:
        return 0, ""
    try:
        entry = orjson.loads(codec.open_line(line))
        return int(entry["seq"]), str(entry["entry_hash"])
    except Exception:  # any failure to open or parse: damage, reported by verify
        return 0, ""


def _first_line(fd: int) -> bytes:
    head = os.pread(fd, 1 << 16, 0)
    return head.split(b"\n", 1)[0]


def _check_form(db: Path, fd: int, codec: Any) -> None:
    """Refuse (FormChanged) to chain onto a log in another form than this process writes.

    Checked under the log's flock, which encrypt and decrypt hold while they convert it:
    a process that opened the DB before it was encrypted (a read-only window left open,
    an export) would otherwise add a plain line, with names in it, to a sealed log."""
    if crypto.marker_path(db).exists():
        raise FormChanged("an encrypt or decrypt of the database is under way; run it again to finish it first")
    if not crypto.same_form(db, codec):
        raise FormChanged(
            "the database was encrypted, decrypted or given a new passphrase since this program opened it. "
            "Nothing was written; close cope-tui and open the database again"
        )
    first = _first_line(fd)
    if not first.strip():
        return
    plain = first.lstrip().startswith(b"{")
    try:
        fits = plain if not codec.sealed else not plain and bool(codec.open_line(first))
    except Exception:  # a sealed line that does not open with this key
        fits = False
    if not fits:
        raise FormChanged(
            "the log is not in the database's form (sealed with another key, or plain beside an encrypted "
            f"database, or its first line is damaged). Nothing was written; run '{db_command(db, 'doctor')}'"
        )


def _open_locked(path: Path) -> int:
    """The log, opened and flocked; opened again if encrypt/decrypt replaced the file
    meanwhile (rekey.py rewrites it under this same flock)."""
    while True:
        fd = open_own(path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
        try:
            os.fchmod(fd, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def append(db_path: Path | str, entries: Iterable[Entry], codec: Any = None) -> list[Entry]:
    """Chain the entries onto the log and append them; durable when this returns.

    The flock is on the log itself, so a read-only CLI export can append while the app
    holds the DB. A torn last line (a writer killed mid-append) was never reported
    written: it is cut off before appending, so it cannot end up inside the chain.
    """
    from . import anchor

    codec = codec or crypto.PlainCodec()
    path = log_path(db_path)
    db = path.with_name(path.name[: -len(".audit")])
    ensure_private_dir(path.parent)
    new = not path.exists()
    fd = _open_locked(path)
    try:
        size = os.fstat(fd).st_size
        try:
            _check_form(db, fd, codec)
        except FormChanged:
            if not size:  # the empty log just created for this entry: leave nothing behind
                path.unlink(missing_ok=True)
            raise
        last, end = _last_line(fd, size) if size else (None, 0)
        seq, prev = _chain_point(last, codec)
        # Entries this computer saw written and the log has lost (a cut tail, a deleted
        # log): numbered past them, so the gap stays in the log as evidence.
        seq = max(seq, (anchor.read_audit(db) or {}).get("seq", 0))
        chained, lines = [], []
        for raw in entries:
            seq += 1
            entry = {**raw, "seq": seq, "prev": prev}
            if codec.chain_key_id:
                entry["mac"] = codec.chain_key_id
            entry["entry_hash"] = prev = entry_hash(entry, codec)
            chained.append(entry)
            lines.append(codec.seal_line(canonical(entry)) + b"\n")
        if not lines:
            return []
        if end < size:
            os.ftruncate(fd, end)
        try:
            _write_all(fd, b"".join(lines))
            os.fsync(fd)
        except OSError:
            try:  # leave no torn line behind a failed write
                os.ftruncate(fd, end)
            except OSError:
                pass
            raise
        if new:
            fsync_dir(path.parent)
        anchor.write_audit(db, seq, prev)  # under the flock, after the fsync: never ahead
    finally:
        os.close(fd)  # releases the flock
    return chained


def record(store: Any, kind: str, **fields: Any) -> str | None:
    """Append one entry for `store`'s DB; a message instead of an exception when the disk
    refuses, since the action itself (an export, say) has already happened."""
    return record_at(store.path, codec_of(store), kind, **fields)


def record_at(db_path: Path | str, codec: Any, kind: str, **fields: Any) -> str | None:
    try:
        append(db_path, [make_entry(kind, **fields)], codec)
    except OSError as exc:
        return f"the audit log '{log_path(db_path)}' could not be written ({exc.strerror or exc})."
    except FormChanged as exc:
        return f"the audit log '{log_path(db_path)}' was not written: {exc}."
    return None


def log_bulk(store: Any, entries: list[Entry]) -> None:
    """Entries for records written in bulk (demo data): in time order, one append."""
    append(store.path, sorted(entries, key=lambda e: e["at"]), codec_of(store))


# ---- the events --------------------------------------------------------------------------


class NotSavedYet(OSError):
    """The audit entry waits for the meeting's own save; the saver retries it."""


def entry_writer(store: Any, doc: dict[str, Any], addendum: dict[str, Any] | None = None) -> tuple[str, Callable[[], None]]:
    """The audit entry of a just-finalised meeting's stored form `doc` (or of its new
    `addendum`), as a key for the saver and the job that appends it.

    The job raises NotSavedYet until the stored meeting holds what the entry records, so
    the saver runs it again after the meeting's own save; under its own key, no later save
    of the meeting can replace it.
    """
    entry = finalise_entry(doc) if addendum is None else addendum_entry(doc, addendum)

    def saved(stored: dict[str, Any]) -> bool:
        if addendum is None:
            return bool(stored.get("finalised_at")) and stored.get("content_hash") == entry["hash"]
        return any(addendum_hash(a) == entry["hash"] for a in stored.get("addenda") or [])

    def write() -> None:
        if not saved(store.get("meetings", doc["id"]) or {}):
            raise NotSavedYet("the audit entry waits for the meeting to be saved")
        append(store.path, [entry], codec_of(store))

    return f"audit:{doc['id']}:{entry['kind']}:{entry['hash']}", write


def log_export(
    store: Any,
    *,
    what: str,
    target: str,
    data: str | bytes | None,
    client_id: str | None = None,
    meeting_id: str | None = None,
) -> str | None:
    """Note an export: what it covered, the file name it went to and the hash of the file
    (none when it was streamed without being held whole)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if raw is not None and not raw.endswith(b"\n"):
        raw += b"\n"  # as `write_export` writes it: the hash is the file's
    digest = sha256(raw) if raw is not None else None
    return record(store, "export", what=what, target=target, hash=digest, client_id=client_id, meeting_id=meeting_id)


def log_cli_export(store: Any, args: Any, data: str | bytes | None) -> str | None:
    """`cope-tui export`: the same entry as the app's, from the command's arguments."""
    if getattr(args, "exercise", None) is not None:
        what = f"exercise {args.exercise}"
    elif getattr(args, "handover", None) is not None:
        what = f"handover {args.handover}"
    elif getattr(args, "all", False):
        what = "everything (all clients and COPE exercises)"
    elif getattr(args, "client", None) is not None:
        what = f"client {args.client}"
    else:
        what = f"meeting {getattr(args, 'meeting', '?')}"
    target = Path(args.output).name if getattr(args, "output", None) else "standard output"
    return log_export(store, what=what, target=target, data=data)


def log_restore(db_path: Path | str, source: Path, data: bytes, codec: Any = None) -> str | None:
    """Note that a backup replaced the DB. An encrypted DB's log needs its codec; without
    one nothing is written rather than a plain line in a sealed log."""
    path = log_path(db_path)
    if codec is None and sealed_log(path):
        return f"the restore was not written to the sealed audit log '{path}'."
    return record_at(db_path, codec, "restore", target=Path(source).name, hash=sha256(data))


def sealed_log(path: Path) -> bool:
    """Is the log at `path` sealed (an encrypted DB's)? False when there is none yet."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline()
    except OSError:
        return False
    return bool(first.strip()) and not first.lstrip().startswith(b"{")
