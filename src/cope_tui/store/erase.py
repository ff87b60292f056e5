"""Erasing a client: their record and every meeting of theirs, from every file that held them.

The right to erasure means no copy may be left behind: the DB file and its journals, the
client-list summary, what search and the follow-through board kept (kept.py), every
backup (points, older full copies, copies kept for a reason and their journals), the
copies kept aside as damaged, and team sync's state (which
keeps every record's last synced version: there the record is kept without its content,
so that the next sync sends its deletion to the team). The audit log gets one entry
that says who erased how many records and when, and nothing about whom.

All or nothing across a kill: the ids to erase are written first, sealed like the rest,
to NAME.json.erasing. Until that file is durable nothing has changed; once it is, the
erasure is decided, and the next writer to open the DB (or the erase command run again)
finishes it before anything else. It is removed when every file has been rewritten.
A sealed copy that this key cannot open (nor any other way tell apart) is deleted whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import backup_points as points
from . import backups, crypto, kept, record_check
from .diskio import Journal, remove_stale_temps, write_private

Ids = set[tuple[str, str]]
SUFFIX = ".erasing"
SYNC_SUFFIXES = (".sync", ".sync.journal")
# An erased record's hash in the sync state: the push sends its deletion marked as an
# erasure, which every member's DB takes (even over a finalised meeting).
ERASED = "erased"


@dataclass
class Erasure:
    records: int = 0
    meetings: int = 0
    rewritten: list[Path] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)


def marker_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def ids_of_client(data: dict[str, dict[str, Any]], client_id: str) -> Ids:
    """The client's record, every meeting that names them, and the words of a form typed
    for them that was left open (left_open.py)."""
    from . import left_open

    found = {("clients", client_id)}
    found |= {("meetings", mid) for mid, doc in data.get("meetings", {}).items() if doc.get("client_id") == client_id}
    found |= left_open.ids_of_client(data.get("meta", {}), client_id)
    return found


def decide(db: Path, ids: Ids, codec: Any) -> None:
    """Write the list of ids to erase: from here on the erasure is going to happen."""
    body = orjson.dumps({"ids": sorted([t, i] for t, i in ids)})
    write_private(marker_path(db), codec.seal_file(body))


def pending(db: Path, codec: Any) -> Ids | None:
    """The ids of an erasure a kill cut short (None: none is waiting)."""
    try:
        raw = marker_path(db).read_bytes()
    except FileNotFoundError:
        return None
    try:
        listed = orjson.loads(codec.open_file(raw) if crypto.looks_sealed(raw) else raw)["ids"]
        return {(t, i) for t, i in listed}
    except (crypto.CryptoError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def scrub_files(db: Path, ids: Ids, codec: Any, progress: Callable[[str], None] = lambda what: None) -> Erasure:
    """Every file beside the DB but the DB itself and its journals (the store rewrites those)."""
    done = Erasure()
    # A temp file a killed writer left may hold them; we hold the lock, so none is in use.
    remove_stale_temps(db.parent, f".{db.name}")
    folder = backups.own_folder(db)
    if folder is not None:
        remove_stale_temps(folder)
    keys = crypto.Keyring(None, codec if codec.sealed else None)
    kept_files = [
        path for path in (sorted(folder.glob("*")) if folder is not None else [])
        if path.is_file() and not path.name.endswith(".tmp") and path.name != points.CHAIN_FILE
    ]
    for number, path in enumerate(kept_files, 1):
        progress(f"backup {number} of {len(kept_files)}")
        _scrub(path, ids, keys, codec, done)
    for path in sorted(db.parent.glob(f"{_escape(db.name)}*.damaged-*")):
        if path.is_file():
            _scrub(path, ids, keys, codec, done)
    progress("team sync's state")
    _scrub_sync_state(db, ids, codec, done)
    return done


def finish(db: Path) -> None:
    marker_path(db).unlink(missing_ok=True)
    backups.fsync_dir(db.parent)


def _escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _scrub(path: Path, ids: Ids, keys: crypto.Keyring, codec: Any, done: Erasure) -> None:
    try:
        raw = path.read_bytes()
        new = _without(path, raw, ids, keys, codec)
    except (crypto.CryptoError, points.PointProblem, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        # It cannot be read with this key, or is damaged: the records cannot be cut out.
        if not _may_hold(raw, ids):
            return
        path.unlink()
        done.deleted.append(path)
        return
    if new is not None and new != raw:
        write_private(path, new)
        done.rewritten.append(path)


def _may_hold(raw: bytes, ids: Ids) -> bool:
    """Could these bytes hold one of the records? Sealed or compressed ones may; plain text
    only when it names one of them."""
    if crypto.looks_sealed(raw) or raw.startswith(b"\x28\xb5\x2f\xfd"):
        return True
    return any(i.encode() in raw for _, i in ids)


def _without(path: Path, raw: bytes, ids: Ids, keys: crypto.Keyring, codec: Any) -> bytes | None:
    """The file's bytes with the records erased, in the same form; None: nothing to do."""
    name = path.name
    if points.is_point(path):
        payload, codec = points.read_payload(path, keys)
        if name.endswith(points.SEGMENT):
            head, _, lines = payload.partition(b"\n")
            return points.encode(head + b"\n" + _lines_without(lines, ids, crypto.PlainCodec()), codec)
        return points.encode(_tables_without(payload, ids), codec)
    if ".journal" in name or name.endswith(".audit"):
        if name.endswith(".audit"):
            return None  # the audit log names no content: its chain is evidence, kept whole
        sealed = crypto.line_form(raw) == "sealed"
        if sealed and not codec.sealed:
            raise crypto.BadPassphrase("no passphrase was given")
        return _lines_without(raw, ids, codec if sealed else crypto.PlainCodec())
    if not raw.strip():
        return None
    whole = keys.codec_for(raw)
    return whole.seal_file(_tables_without(whole.open_file(raw), ids))


def _tables_without(payload: bytes, ids: Ids) -> bytes:
    from .record_lines import dump_tables

    data = orjson.loads(payload)
    form = record_check.identify(data)  # a lean file's records back by id, as the store keeps them
    if form.problem:
        raise ValueError(form.problem)  # cannot be cut: the caller deletes it whole
    for table, record_id in ids:
        if isinstance(data.get(table), dict):
            data[table].pop(record_id, None)
    return dump_tables(data)


def _lines_without(raw: bytes, ids: Ids, codec: Any) -> bytes:
    """Each line of an erased record becomes a deletion of it, with its change number: a
    replay ends the same way and sees no number missing. A line that cannot be read is
    dropped when it might be one of them (sealed, or naming one)."""
    out = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            entry = orjson.loads(codec.open_line(line))
            key = (entry.get("t"), entry.get("id"))
        except (crypto.CryptoError, orjson.JSONDecodeError, AttributeError):
            if not codec.sealed and not _may_hold(line, ids):
                out.append(line)
            continue
        if key in ids:
            gone = {"t": key[0], "id": key[1], "del": True} | ({"seq": entry["seq"]} if "seq" in entry else {})
            line = codec.seal_line(orjson.dumps(gone))
        out.append(line)
    return b"".join(line + b"\n" for line in out)


# ---- team sync's state -----------------------------------------------------------------------


def _scrub_sync_state(db: Path, ids: Ids, codec: Any, done: Erasure) -> None:
    """Keep each erased record's sync entry without its content (its revision stays, so the
    next sync sends its deletion), written whole; the journal's steps are folded in."""
    state = db.with_name(db.name + SYNC_SUFFIXES[0])
    journal = Journal(db.with_name(db.name + SYNC_SUFFIXES[1]), codec, check=lambda entry: None)
    if not state.exists() and not journal.path.exists():
        return
    raw = state.read_bytes() if state.exists() else b""
    whole = orjson.loads(codec.open_file(raw)) if raw else {"meta": {}, "records": {}}
    steps: dict[str, dict[str, Any]] = {}
    journal.replay(steps)
    for step in steps.get("step", {}).values():  # as SyncState replays them, in the order written
        for rid, rec in step.get("r", {}).items():
            if rec is None:
                whole["records"].pop(rid, None)
            else:
                whole["records"][rid] = rec
        whole["meta"].update(step.get("m", {}))
    touched = False
    for rid, rec in list(whole["records"].items()):
        if (rec.get("t"), rec.get("id")) in ids:
            whole["records"][rid] = _content_free(rec)
            touched = True
    if touched or steps:
        write_private(state, codec.seal_file(orjson.dumps(whole)))
        done.rewritten.append(state)
    if journal.path.exists() and journal.path.stat().st_size:
        with open(journal.path, "r+b") as fh:
            fh.truncate(0)
            os.fsync(fh.fileno())
        done.rewritten.append(journal.path)


def _content_free(rec: dict[str, Any]) -> dict[str, Any]:
    """Its revision and branches stay (the deletion is sent as their child); its versions,
    and even their hash (which could confirm a guess of the text), go. A hash that matches
    nothing makes the next sync see the record as changed here: deleted."""
    kept = {k: rec[k] for k in ("t", "id", "rev", "hist", "close", "leaves") if k in rec}
    return kept | {"body": {"doc": None, "conflicts": []}, "hash": ERASED, "conflicts": [], "older": []}


def run(
    db: Path, ids: Ids, codec: Any, rewrite_db: Callable[[Ids], None], audit: Callable[[int, list[str]], None],
    progress: Callable[[str], None] | None = None,
) -> Erasure:
    """The whole erasure once decided: the store's own files (`rewrite_db`), then every other
    file, then the audit entry (how many records, and the ids of the meetings: the log
    names those of finalised ones already, and doctor must know they left on purpose);
    the marker goes last."""
    progress = progress or (lambda what: None)
    progress("the database")
    rewrite_db(ids)
    for path in kept.sidecars(db):  # worked out again without them
        path.unlink(missing_ok=True)
    done = scrub_files(db, ids, codec, progress)
    done.records = sum(1 for t, _ in ids if t != "meta")  # a kept form (left_open.py) is no record of the client's
    done.meetings = sum(1 for t, _ in ids if t == "meetings")
    audit(done.records, sorted(rid for table, rid in ids if table == "meetings"))
    finish(db)
    return done
