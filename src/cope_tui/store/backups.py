"""Rotating backups of the DB file, kept beside it in NAME.json.backups/.

Two kinds live in that folder (0700, every file 0600):

  NAME-20261124T071530.123456Z.json                         a snapshot after a compaction
  NAME-20261124T071530.123456Z-before-upgrade-from-0.json   a copy kept for a reason

Names carry the UTC time (the `Z`), so they sort in time order whatever the clock's
daylight-saving jumps; the report shows local time. A snapshot is a full copy of the
freshly compacted file, independent of the live one. Snapshots rotate (`prune`); copies kept for a reason
never do. Nothing here deletes or overwrites a DB file: a restore moves it aside.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ..paths import real_db_path
from .backup_check import check_file
from .diskio import Journal, LockFile, ensure_private_dir, fsync_dir, remove_stale_temps, write_private
from .errors import DatabaseLocked

SNAPSHOT = "snapshot"
KEEP_NEWEST = 10  # the newest snapshots, whatever their age
KEEP_DAYS = 14  # plus the newest snapshot of each of the 14 most recent days that have one
_STAMP = "%Y%m%dT%H%M%S.%f"
_NAME_RE = re.compile(
    r"^(?P<stem>.*)-(?P<ts>\d{8}T\d{6}\.\d{6})(?P<utc>Z?)(?:-(?P<reason>[A-Za-z0-9._-]+?))?\.json$"
)
_STALE_TMP_SECONDS = 3600
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime  # aware, in local time
    size: int
    kind: str  # SNAPSHOT, or the reason the copy was kept (e.g. "before-upgrade-from-0")

    @property
    def name(self) -> str:
        return self.path.name


# ---- names and folder --------------------------------------------------------------------


def backup_dir(db_path: Path) -> Path:
    db = _abs(db_path)
    return db.with_name(db.name + ".backups")


def _abs(path: Path | str) -> Path:
    return real_db_path(path)  # a linked DB's backups live beside the real file


def _stem(db: Path) -> str:
    return db.name[: -len(".json")] if db.name.endswith(".json") and len(db.name) > 5 else db.name


def _clean_reason(reason: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", reason.strip()).strip("-.")
    return cleaned or "copy"


def backup_name(db_path: Path, when: datetime | None = None, reason: str | None = None) -> str:
    """The file name of a backup taken at `when` (naive means local time)."""
    when = (when or datetime.now(UTC)).astimezone(UTC)
    extra = f"-{_clean_reason(reason)}" if reason else ""
    return f"{_stem(_abs(db_path))}-{when.strftime(_STAMP)}Z{extra}.json"


def _parse_name(name: str) -> tuple[datetime, str] | None:
    found = _NAME_RE.match(name)
    if not found:
        return None
    try:
        moment = datetime.strptime(found["ts"], _STAMP)
    except ValueError:
        return None
    moment = moment.replace(tzinfo=UTC).astimezone() if found["utc"] else moment.astimezone()
    return moment, found["reason"] or SNAPSHOT


def _ensure_dir(folder: Path) -> Path:
    ensure_private_dir(folder)
    if stat.S_IMODE(folder.stat().st_mode) != 0o700:  # ours, whoever made it: keep it private
        os.chmod(folder, 0o700)
    return folder


def _free_path(folder: Path, db: Path, reason: str | None) -> Path:
    when = datetime.now(UTC)
    while True:
        target = folder / backup_name(db, when, reason)
        if not os.path.lexists(target):
            return target
        when += timedelta(microseconds=1)


# ---- listing -----------------------------------------------------------------------------


def list_backups(db_path: Path) -> list[Backup]:
    """Every backup of the DB, newest first; an absent folder means none."""
    folder = backup_dir(db_path)
    found: list[Backup] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        parsed = _parse_name(entry.name)
        if parsed is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        found.append(Backup(path=Path(entry.path), taken=parsed[0], size=info.st_size, kind=parsed[1]))
    found.sort(key=lambda b: (b.taken, b.path.name), reverse=True)
    return found


# ---- snapshots after compaction ------------------------------------------------------------


def after_compaction(db_path: Path) -> None:
    """Keep a snapshot of the freshly compacted file; must be cheap and never raise."""
    try:
        _snapshot(_abs(db_path))
    except Exception:  # a failed backup must never fail a save
        pass


def _snapshot(db: Path) -> Path | None:
    main = os.stat(db)
    folder = _ensure_dir(backup_dir(db))
    newest = next((b for b in list_backups(db) if b.kind == SNAPSHOT), None)
    if newest is not None and _same_content(newest.path, db, main):
        return None  # nothing changed since the last snapshot: keep the older one's date
    target = _free_path(folder, db, None)
    # A real copy, not a hard link: a link would share the live file's fate if anything
    # ever wrote into it in place (a stray editor, a sync tool, a bad disk block).
    write_private(target, db.read_bytes())
    prune(db, keep=[target])
    return target


def _same_content(a: Path, b: Path, b_stat: os.stat_result) -> bool:
    try:
        a_stat = os.stat(a)
        if (a_stat.st_dev, a_stat.st_ino) == (b_stat.st_dev, b_stat.st_ino):
            return True
        if a_stat.st_size != b_stat.st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                left, right = fa.read(_CHUNK), fb.read(_CHUNK)
                if left != right:
                    return False
                if not left:
                    return True
    except OSError:
        return False


def prune(
    db_path: Path, *, keep: Iterable[Path] = (), newest: int = KEEP_NEWEST, days: int = KEEP_DAYS
) -> list[Path]:
    """Delete the snapshots the policy does not keep; returns what was deleted.

    Kept: the `newest` newest snapshots, plus the newest snapshot of each of the `days`
    most recent days that have a snapshot, plus `keep`. Copies kept for a reason (before
    an upgrade, ...) and any other file are never touched.
    """
    snapshots = [b for b in list_backups(db_path) if b.kind == SNAPSHOT]
    kept = {Path(p) for p in keep} | {b.path for b in snapshots[:newest]}
    seen: set[date] = set()
    for backup in snapshots:  # newest first, so the first of a day is that day's newest
        day = backup.taken.date()
        if day in seen:
            continue
        if len(seen) >= days:
            break
        seen.add(day)
        kept.add(backup.path)
    deleted = []
    for backup in snapshots:
        if backup.path not in kept:
            try:
                backup.path.unlink()
                deleted.append(backup.path)
            except OSError:
                pass
    _remove_stale_temps(backup_dir(db_path))
    return deleted


def _remove_stale_temps(folder: Path) -> None:
    """A copy cut off by a kill leaves `.NAME.*.tmp` (see diskio.write_private); one still
    being written by a live writer is young, so only old ones go."""
    remove_stale_temps(folder, older_than=_STALE_TMP_SECONDS)


# ---- copies kept for a reason --------------------------------------------------------------


def keep_copy(db_path: Path, reason: str) -> Path | None:
    """Keep a full copy of the DB file as it is now (e.g. before a migration).

    Journal lines not yet folded in (NAME.json.journal and .journal.old) are copied
    beside it as COPY.journal and COPY.journal.old, so the copy holds every saved change;
    `check_file` and `restore` take them into account. Returns the copy's path, or None
    when there is no DB file.
    """
    db = _abs(db_path)
    try:
        data = db.read_bytes()
    except FileNotFoundError:
        return None
    folder = _ensure_dir(backup_dir(db))
    target = _free_path(folder, db, reason)
    for source, copy in zip(journals_of(db), journals_of(target), strict=True):
        try:
            pending = source.read_bytes()
        except FileNotFoundError:
            continue
        if pending:
            write_private(copy, pending)
    write_private(target, data)
    return target


def journals_of(path: Path) -> tuple[Path, Path]:
    """The journal that an interrupted compaction left (replayed first), and the current one."""
    journal = Journal(path.with_name(path.name + ".journal"))
    return journal.old_path, journal.path


def newest_good(db_path: Path, keys=None) -> Backup | None:
    """The newest backup that check_file passes (encrypted ones need `keys`), or None."""
    for backup in list_backups(db_path):
        if check_file(backup.path, keys).ok:
            return backup
    return None


# ---- restoring -----------------------------------------------------------------------------


@contextmanager
def hold_lock(db_path: Path) -> Iterator[None]:
    """Hold the DB's writer lock (the flock the store takes); DatabaseLocked if taken."""
    db = _abs(db_path)
    ensure_private_dir(db.parent)
    lock = LockFile(db.with_name(db.name + ".lock"))
    if not lock.acquire():
        holder = lock.holder() or {}
        who = f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
        raise DatabaseLocked(
            f"'{db}' is in use by {who} since {holder.get('since', 'an unknown time')}. "
            "Close cope-tui there first; nothing has been changed.",
            holder,
        )
    try:
        yield
    finally:
        lock.release()


def restore(
    db_path: Path, backup: Backup | Path, keys=None, on_note: Callable[[str], None] | None = None
) -> Path | None:
    """Put a backup in place of the DB; the current file and journals are moved aside.

    They become NAME.json.damaged-<ts>, NAME.json.journal.damaged-<ts> and
    NAME.json.journal.old.damaged-<ts> (never deleted; an empty journal stays put). Returns the path the DB file was
    moved to (None when there was no DB file). Raises DatabaseLocked while another
    process holds the DB; the lock is held for the whole restore. The audit log gets a
    "restore" entry, sealed with the restored file's key when `keys` (a crypto.Keyring)
    can open it; `on_note` hears why, if the entry could not be written.
    """
    db = _abs(db_path)
    source = backup.path if isinstance(backup, Backup) else Path(backup)
    data = source.read_bytes()
    wanted = []  # the backup's own journals, if it has any (copies kept for a reason may)
    for copy in journals_of(source):
        try:
            wanted.append(copy.read_bytes())
        except FileNotFoundError:
            wanted.append(b"")
    current = [db, *journals_of(db)]
    with hold_lock(db):
        asides = aside_names(current)
        if os.path.lexists(db):
            try:
                os.link(db, asides[0])  # the damaged bytes stay in place until replaced below
            except OSError:
                os.rename(db, asides[0])
        for journal, aside in zip(current[1:], asides[1:], strict=True):
            try:
                if os.lstat(journal).st_size:  # an empty journal holds nothing: it can stay
                    os.rename(journal, aside)
            except FileNotFoundError:
                pass
        fsync_dir(db.parent)
        # Journals first: a kill before the main file is replaced leaves a DB that does
        # not open (restore again), never one that opens with part of the backup.
        for journal, content in zip(current[1:], wanted, strict=True):
            if content:
                write_private(journal, content)
        write_private(db, data)
        # The client-list summary described the old file; it would be ignored (size and
        # mtime differ), but leave nothing stale behind.
        db.with_name(db.name + ".summary").unlink(missing_ok=True)
        from . import anchor  # a chosen rollback: the next open anchors what it finds

        anchor.after_restore(db, data, keys)
        problem = _log_restore(db, source, data, keys)
    if problem and on_note is not None:
        on_note(problem)
    moved = [p for p in asides if p.exists()]
    return moved[0] if moved else None


def aside_names(paths: list[Path]) -> list[Path]:
    """Where to keep each of `paths` aside: PATH.damaged-TIME, one free TIME for them all."""
    stamp = datetime.now(UTC).strftime(_STAMP) + "Z"
    n = 0
    while True:
        suffix = f"damaged-{stamp}" + (f"-{n}" if n else "")
        asides = [p.with_name(f"{p.name}.{suffix}") for p in paths]
        if not any(os.path.lexists(p) for p in asides):
            return asides
        n += 1


def _log_restore(db: Path, source: Path, data: bytes, keys) -> str | None:
    """The restore's audit entry, sealed with the restored file's key; an encrypted DB's
    log never gets a plain line, so without the key nothing is written (and it says so)."""
    from . import crypto
    from .audit import log_restore

    codec = None
    if crypto.looks_sealed(data):
        try:
            codec = keys.codec_for(data) if keys is not None else None
        except crypto.CryptoError:
            pass
        if codec is None:
            return "the restore is not in the audit log: an encrypted database's log needs the passphrase, and none was given."
    return log_restore(db, source, data, codec)
