"""Would the app open this DB file, or this backup, with every record intact?

The checks `cope-tui doctor` and the backup list run; they never change a file. A
sealed (encrypted) file is opened with the codec a `crypto.Keyring` finds for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import crypto, migrations, storage
from .diskio import Journal, JournalDamaged, gc_paused


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    clients: int = 0
    meetings: int = 0
    problem: str = ""
    schema: int | None = None
    unchecked: bool = False  # encrypted, and no passphrase given: neither good nor bad
    seq: int | None = None  # the number of the last change folded into it (anchor.py)
    lost: tuple[tuple[int, int], ...] = ()  # runs of changes it is known to lack


@dataclass(frozen=True)
class JournalScan:
    entries: int = 0  # lines applied
    torn: list[Path] = field(default_factory=list)  # journals whose last line a kill cut off (harmless)
    damaged: Path | None = None  # a journal with a bad line before its last one
    damaged_line: int | None = None
    sealed: bool = False  # the damaged line is an encrypted one that does not decrypt


# ---- checking ------------------------------------------------------------------------------


def replay_journal(data: dict[str, Any], db_path: Path, codec=None, track=None) -> JournalScan:
    """Apply the DB's journals to `data` exactly as the store does when it opens it
    (`codec` opens the lines of an encrypted DB's journal; `track` follows the change
    numbers, see anchor.Sequence)."""
    journal = Journal(Path(db_path).with_name(Path(db_path).name + ".journal"), codec)
    try:
        applied = journal.replay(data, track=track)
    except JournalDamaged as exc:
        return JournalScan(damaged=exc.path, damaged_line=exc.line, sealed=exc.sealed)
    torn = []
    for path in (journal.old_path, journal.path):
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        if _torn_tail(raw, journal.codec):
            torn.append(path)
    return JournalScan(entries=applied, torn=torn)


def _torn_tail(raw: bytes, codec=None) -> bool:
    """Does the last line fail to parse? (Journal.replay skips such a line: a kill cut it.)"""
    codec = codec or crypto.PlainCodec()
    if codec.sealed and raw.endswith(b"\n"):
        return False  # a whole sealed line is never torn: the replay judged it already
    lines = raw.split(b"\n")
    tail = lines[-1] if lines[-1].strip() else (lines[-2] if len(lines) > 1 else b"")
    if not tail.strip():
        return False
    try:
        entry = orjson.loads(codec.open_line(tail))
        # The same shape test as the replay: a table, an id, and a doc unless deleting.
        entry["t"], entry["id"]
        if not entry.get("del"):
            entry["doc"]
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError, crypto.CryptoError):
        return True
    return False


def is_ours(data: Any) -> bool:
    """The same test the store applies: our meta record and only our tables."""
    if not isinstance(data, dict):
        return False
    if not data:
        return True
    meta = data.get("meta", {})
    app = meta.get("app") if isinstance(meta, dict) else None
    return isinstance(app, dict) and app.get("app") == storage.APP_ID and set(data) <= set(storage.TABLES)


def validate_records(data: dict[str, Any], limit: int = 5) -> tuple[int, int, list[str]]:
    """Count clients and meetings and say which records do not validate (at most `limit`)."""
    problems: list[str] = []
    bad = 0
    counts = []
    from pydantic import ValidationError

    from .models import Client, Meeting

    for table, model, label in (("clients", Client, "client"), ("meetings", Meeting, "meeting")):
        docs = data.get(table, {})
        if not isinstance(docs, dict):
            problems.append(f"the '{table}' table is not a table of records")
            bad += 1
            counts.append(0)
            continue
        counts.append(len(docs))
        with gc_paused():
            for doc_id, doc in docs.items():
                try:
                    model.model_validate(doc)
                except ValidationError as exc:
                    bad += 1
                    if len(problems) < limit:
                        first = exc.errors()[0]
                        where = ".".join(str(part) for part in first.get("loc", ())) or "record"
                        problems.append(f"{label} {doc_id}: {where}: {first.get('msg', 'invalid')}")
    if bad > len(problems):
        problems.append(f"... {bad - len(problems)} more invalid record(s)")
    return counts[0], counts[1], problems


def check_file(path: Path, keys: crypto.Keyring | None = None) -> CheckResult:
    """Would the app open this file with every record intact? Never changes anything.

    A journal beside it (PATH.journal) is replayed first, as the store would. An
    encrypted file needs `keys` (a Keyring holding the passphrase) to be checked.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return CheckResult(False, problem=f"cannot read it: {exc.strerror or exc}")
    if not raw.strip():
        return CheckResult(False, problem="the file is empty")
    codec = None
    if crypto.looks_sealed(raw):
        if keys is None or keys.passphrase is None and not keys.knows(raw):
            return CheckResult(False, problem="encrypted, and no passphrase was given", unchecked=True)
        try:
            codec = keys.codec_for(raw)
            raw = codec.open_file(raw)
        except crypto.CryptoError as exc:
            return CheckResult(False, problem=f"encrypted, and {exc.problem}")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return CheckResult(False, problem=f"not valid JSON ({exc})")
    if not is_ours(data):
        return CheckResult(False, problem="not a cope-tui database")
    if not data:
        return CheckResult(False, problem="the file holds no database")
    for name in storage.TABLES:
        data.setdefault(name, {})
    scan = replay_journal(data, path, codec)
    if scan.damaged is not None:
        how = "has a line that does not decrypt (damaged or changed)" if scan.sealed else "is damaged"
        return CheckResult(False, problem=f"its journal {scan.damaged.name} {how} at line {scan.damaged_line}")
    try:
        schema = int(data["meta"].get("app", {}).get("schema", 0))
    except (TypeError, ValueError, AttributeError):
        return CheckResult(False, problem="its format version is not a number")
    if schema < storage.SCHEMA:
        try:
            data = migrations.upgrade(data, schema, storage.SCHEMA)
        except storage.StoreError as exc:
            return CheckResult(False, schema=schema, problem=str(exc))
    clients, meetings, problems = validate_records(data)
    if problems:
        problem = "; ".join(problems)
        if schema > storage.SCHEMA:
            problem = f"written by a newer cope-tui (format {schema}): {problem}"
        return CheckResult(False, clients, meetings, problem, schema)
    from .anchor import file_seq, lost_in

    return CheckResult(True, clients, meetings, "", schema, seq=file_seq(data), lost=lost_in(data))
