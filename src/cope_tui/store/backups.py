"""Rotating backups of the DB file, kept beside it in NAME.json.backups/.

Three kinds live in that folder (0700, every file 0600):

  NAME-20261124T071530.123456Z.full.zst                     a point: the compacted file, compressed
  NAME-20261124T071530.123456Z.seg.zst                      a point: the journal folded in since the one before
  NAME-20261124T071530.123456Z-before-upgrade-from-0.json   a copy kept for a reason

(and, from cope-tui before compressed points, NAME-TIME.json: a full copy, still listed,
checked, restored and rotated like any point). See backup_points.py for the points.

Names carry the UTC time (the `Z`), so they sort in time order whatever the clock's
daylight-saving jumps; the report shows local time. Points rotate (`prune`), keeping
whatever a kept point is rebuilt from; copies kept for a reason never do. Nothing here
deletes or overwrites a DB file: a restore moves it aside.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson

from ..paths import db_command, real_db_path
from . import backup_points as points
from . import summary
from . import crypto
from .backup_check import check_file
from .diskio import Journal, LockFile, PlantedLink, ensure_private_dir, fsync_dir, remove_stale_temps, write_private
from .errors import DatabaseLocked, StoreError

SNAPSHOT = "snapshot"
KEEP_NEWEST = 10  # the newest snapshots, whatever their age
KEEP_DAYS = 14  # plus the newest snapshot of each of the 14 most recent days that have one
_STAMP = "%Y%m%dT%H%M%S.%f"
_NAME_RE = re.compile(
    r"^(?P<stem>.*)-(?P<ts>\d{8}T\d{6}\.\d{6})(?P<utc>Z?)(?:-(?P<reason>[A-Za-z0-9._-]+?))?"
    r"(?:\.json|(?P<point>\.full\.zst|\.seg\.zst))$"
)
_STALE_TMP_SECONDS = 3600


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


def own_folder(db_path: Path) -> Path | None:
    """The backups folder to read, rewrite or clean: None when there is none, or when a
    link stands in its place (planted_backups): erase, encrypt and decrypt rewrote every
    file in the folder it pointed at, and left plain copies there."""
    folder = backup_dir(db_path)
    return folder if folder.is_dir() and not folder.is_symlink() else None


def planted_backups(folder: Path) -> str:
    """A link where the backups folder should be: followed, it put full copies of the
    records in a folder of someone else's choosing (and made that folder 0700)."""
    return (
        f"'{folder}' is a symbolic link, not the backups folder, so no backup is written or read "
        "through it. Remove the link (someone else may have put it there); the next save makes "
        "the folder anew"
    )


def _abs(path: Path | str) -> Path:
    return real_db_path(path)  # a linked DB's backups live beside the real file


def _stem(db: Path) -> str:
    return db.name[: -len(".json")] if db.name.endswith(".json") and len(db.name) > 5 else db.name


def _clean_reason(reason: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", reason.strip()).strip("-.")
    return cleaned or "copy"


def clock() -> datetime:
    """Now, in UTC: the time a backup is named by (the week-of-use benchmark moves it on)."""
    return datetime.now(UTC)


def backup_name(
    db_path: Path, when: datetime | None = None, reason: str | None = None, ext: str = ".json"
) -> str:
    """The file name of a backup taken at `when` (naive means local time)."""
    when = (when or clock()).astimezone(UTC)
    extra = f"-{_clean_reason(reason)}" if reason else ""
    return f"{_stem(_abs(db_path))}-{when.strftime(_STAMP)}Z{extra}{ext}"


def _parse_name(name: str) -> tuple[datetime, str] | None:
    found = _NAME_RE.match(name)
    if not found:
        return None
    try:
        moment = datetime.strptime(found["ts"], _STAMP)
    except ValueError:
        return None
    moment = moment.replace(tzinfo=UTC).astimezone() if found["utc"] else moment.astimezone()
    if found["point"] and found["reason"]:
        return None  # a point is never kept for a reason
    return moment, found["reason"] or SNAPSHOT


def _ensure_dir(folder: Path) -> Path:
    if folder.is_symlink():  # (a backup is never worth a save: after_compaction swallows this)
        raise PlantedLink(errno.ELOOP, planted_backups(folder))
    ensure_private_dir(folder)
    if stat.S_IMODE(folder.stat().st_mode) != 0o700:  # ours, whoever made it: keep it private
        os.chmod(folder, 0o700)
    return folder


def _free_path(folder: Path, db: Path, reason: str | None, ext: str = ".json", after: datetime | None = None) -> Path:
    """A name no file has, at now or just after `after` (a point never sorts before the
    one it follows, even when the clock was set back)."""
    when = clock()
    if after is not None and when <= after:
        when = after.astimezone(UTC) + timedelta(microseconds=1)
    while True:
        target = folder / backup_name(db, when, reason, ext)
        if not os.path.lexists(target):
            return target
        when += timedelta(microseconds=1)


# ---- listing -----------------------------------------------------------------------------


def list_backups(db_path: Path) -> list[Backup]:
    """Every backup of the DB, newest first; an absent folder means none."""
    folder = own_folder(db_path)
    found: list[Backup] = []
    if folder is None:
        return found  # (none; or a link: whoever made it chose what is there, nothing is offered)
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


# ---- points after compaction ---------------------------------------------------------------


def after_compaction(
    db_path: Path,
    blob: bytes | None = None,
    codec=None,
    folded: points.Fold | None = None,
    before: list[int] | None = None,
) -> None:
    """Keep a point of the freshly compacted file; must be cheap and never raise.

    `blob` is the file's content before sealing and `codec` what sealed it; `folded` the
    journal lines this compaction folded in (sealed as in the journal), when they are
    exactly what changed since the file `before` (backup_points.identity) described.
    """
    try:
        db = _abs(db_path)
        if blob is None:  # nothing handed over: a plain file can still be copied
            blob = db.read_bytes()
            if crypto.looks_sealed(blob):
                return
            codec = None
        _write_point(db, blob, codec or crypto.PlainCodec(), folded, before)
    except Exception:  # a failed backup must never fail a save
        pass


def _write_point(db: Path, blob: bytes, codec, folded: points.Fold | None, before: list[int] | None) -> Path | None:
    folder = _ensure_dir(backup_dir(db))
    chain = points.Chain.read(folder)
    after = _parse_name(chain.newest)[0] if chain is not None and _parse_name(chain.newest) else None
    known = folded is not None and folded.lines is not None
    follows = chain is not None and known and chain.can_follow(folder, before, 0)
    # Settled only when a segment can follow the chain: a first team pull folds in
    # 10,000 meetings, and parsing them all for nothing costs about a second.
    lines = points.settle(points.open_lines(folded.lines, codec)) if follows else None
    if chain is not None and lines is not None:
        if not lines.strip():  # nothing changed since the newest point: it still describes the file
            chain.main = points.identity(db) or chain.main
            _write_chain(folder, chain)
            return None
        encoded = points.encode(points.segment_payload(chain.newest, folded, lines), codec)
        if chain.can_follow(folder, before, len(encoded)):
            target = _free_path(folder, db, None, points.SEGMENT, after)
            write_private(target, encoded)
            chain.newest, chain.main = target.name, points.identity(db) or []
            chain.chain_bytes += len(encoded)
            chain.segments += 1
            _write_chain(folder, chain)
            prune(db, keep=[target])
            return target
    encoded = points.encode(points.full_payload(blob), codec)
    target = _free_path(folder, db, None, points.FULL, after)
    write_private(target, encoded)
    _write_chain(folder, points.Chain(target.name, points.identity(db) or [], len(encoded), 0, 0))
    prune(db, keep=[target])
    return target


def _write_chain(folder: Path, chain: points.Chain) -> None:
    write_private(folder / points.CHAIN_FILE, orjson.dumps(asdict(chain)))


def point_paths(db_path: Path) -> list[Path]:
    """The folder's points, oldest first (the order a chain is read in)."""
    return sorted((b.path for b in list_backups(db_path) if points.is_point(b.path)), key=lambda p: p.name)


def materialise(db_path: Path, backup: Backup | Path, keys=None) -> tuple[bytes, bytes]:
    """The DB file and journal bytes a backup restores (a point is rebuilt from its chain);
    StoreError when it cannot be rebuilt exactly."""
    source = backup.path if isinstance(backup, Backup) else Path(backup)
    if not points.is_point(source):
        journal = b""
        try:
            journal = journals_of(source)[1].read_bytes()
        except FileNotFoundError:
            pass
        return source.read_bytes(), journal
    return points.as_db_files(_rebuild(source, keys))


def _rebuild(source: Path, keys) -> points.Materialised:
    try:
        return points.materialise(source, keys)
    except (points.PointProblem, crypto.CryptoError, OSError) as exc:
        why = exc.problem if isinstance(exc, crypto.CryptoError) else str(exc)
        raise StoreError(f"The backup '{source}' cannot be rebuilt: {why}. Nothing has been changed.") from None


def prune(
    db_path: Path, *, keep: Iterable[Path] = (), newest: int = KEEP_NEWEST, days: int = KEEP_DAYS
) -> list[Path]:
    """Delete the snapshots the policy does not keep; returns what was deleted.

    Kept: the `newest` newest snapshots (points, or full copies from before points), plus
    the newest of each of the `days` most recent days that have one, plus `keep`, plus
    the full copy and segments each kept point is rebuilt from. Copies kept for a reason
    (before an upgrade, ...) and any other file are never touched.
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
    ordered = point_paths(db_path)
    for path in [p for p in kept if p in ordered]:  # a kept point keeps what it is rebuilt from
        kept.update(points.chain_of(path, ordered))
    deleted = []
    for backup in snapshots:
        if backup.path not in kept:
            try:
                backup.path.unlink()
                deleted.append(backup.path)
            except OSError:
                pass
    if (folder := own_folder(db_path)) is not None:
        _remove_stale_temps(folder)
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


def _refuse_plain_over_sealed(db: Path, source: Path, data: bytes) -> None:
    """A backup taken before the database was encrypted: put back, the records were plain
    text again beside sealed journals and log, readable with no passphrase, unsaid."""
    if crypto.is_encrypted(db) and not crypto.looks_sealed(data):
        raise StoreError(
            f"The backup '{source.name}' is not encrypted, and '{db.name}' is: restoring it would put the "
            f"records back as plain text. Decrypt the database first ('{db_command(db, 'decrypt')}'), "
            f"restore, then encrypt it again. Nothing has been changed."
        )


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
    held = None  # the change number and gaps of a segment (its file's are the full copy's)
    if points.is_point(source):  # the chain's full copy, and its segments as the journal
        state = _rebuild(source, keys)
        data, journal = points.as_db_files(state)
        wanted, held = [b"", journal], ((state.seq, state.lost) if state.lines else None)
    else:
        data = source.read_bytes()
        wanted = []  # the backup's own journals, if it has any (copies kept for a reason may)
        for copy in journals_of(source):
            try:
                wanted.append(copy.read_bytes())
            except FileNotFoundError:
                wanted.append(b"")
    _refuse_plain_over_sealed(db, source, data)
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
        # The client-list summary and the search index's text described the old file;
        # the summary would be ignored (size and mtime differ), but leave nothing stale.
        summary.forget(db)
        from . import anchor  # a chosen rollback: the next open anchors what it finds

        anchor.after_restore(db, data, keys, held)
        problem = _log_restore(db, source, source.read_bytes(), keys)
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
