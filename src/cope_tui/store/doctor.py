"""`cope-tui doctor`: check a DB file, its journal, lock and backups; pick a backup to restore.

Reading only: nothing here creates, changes or deletes a file. Restoring is
`backups.restore`, setting bad lines and records aside is `set_aside`; the CLI calls
them after asking.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from . import anchor, backups, crypto, format, migrations, record_check
from .backup_check import CheckResult, replay_journal
from .backups import Backup
from .bulk import gc_paused
from .diskio import LockFile
from .errors import StoreError
from .format import TABLES
from .set_aside import set_aside_command
from ..paths import db_command
from ..words import counted

OK, NOTE, WARN, PROBLEM = "ok", "note", "warn", "problem"
# How a backup point is shown (backup_points.py): a compressed full copy, or the changes since the one before.
# Short, so a backup's line fits 80 columns with 10,000 clients in its count (the file
# name, on the line below, says the rest).
_KINDS = {"full": "full copy", "seg": "changes"}
ERASE_FINISH = ("erase", "--retention")  # a command that opens the DB for writing and lists only


class DoctorError(Exception):
    """A restore request that cannot be carried out; the message says why."""


@dataclass
class Finding:
    level: str  # OK, NOTE, WARN (worth knowing) or PROBLEM (the exit status is 1)
    text: str
    instead: str = ""  # what to do rather than restore a backup, when a backup cannot mend this

    @property
    def mended_by_restore(self) -> bool:
        return not self.instead


# No backup of the DB file holds the log, and a newer cope-tui's file is not damaged.
KEEP_THE_LOG = (
    "Restoring a backup of the database does not mend the audit log. Keep the log as it "
    "is: it is the evidence that it was changed. Find out who changed it, and when."
)
FIND_THE_LOG = (
    "Restoring a backup does not help here: the backups hold the same meetings, and the "
    "log is kept beside the database, not in them. Look for the database's '.audit' file "
    "where it came from and put it back beside it."
)
# Audit findings no backup of the database can mend, by how their text starts.
_LOG_CURES = (
    ("audit log", KEEP_THE_LOG),
    ("not in the audit log", FIND_THE_LOG),
    ("the audit log is missing", FIND_THE_LOG),
)
BAD_BACKUP = (
    "A damaged backup cannot be mended, and the others do not depend on it: move it out of the "
    "backups folder (keep it if you want to find out what happened to it)."
)
UPDATE_INSTEAD = (
    "An older backup lacks what the newer cope-tui saved: update cope-tui rather than restore one."
)


@dataclass
class Report:
    db: Path
    findings: list[Finding] = field(default_factory=list)
    backups: list[tuple[Backup, CheckResult]] = field(default_factory=list)
    holder: dict[str, Any] | None = None  # who holds the DB now, if anyone
    aside: list[Path] = field(default_factory=list)  # files moved aside by earlier restores
    codec: Any = None  # what opened an encrypted DB's files (None: plain, or not opened)
    refused: bool = False  # passphrases were typed at a terminal and none opened it

    @property
    def healthy(self) -> bool:
        return not any(f.level == PROBLEM for f in self.findings)

    @property
    def newest_good(self) -> tuple[Backup, CheckResult] | None:
        return next(((b, c) for b, c in self.backups if c.ok), None)

    def add(self, level: str, text: str, *, instead: str = "") -> None:
        self.findings.append(Finding(level, text, instead))


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} kB"
    return f"{n / 1024 / 1024:.1f} MB"


def when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def restore_command(db: Path) -> str:
    return db_command(db, "doctor", "--restore-newest")


def set_aside_cure(db: Path) -> str:
    """For a bad journal line or record: a backup would lose every good save made since it."""
    return (
        "Restoring a backup would lose the good saves made since it. Instead, keep the bad "
        "lines and records aside (each file they are in is kept whole as a '.damaged-' file, "
        f"never deleted) and open everything else:\n  {set_aside_command(db)}"
    )


def lock_holder(db_path: Path) -> dict[str, Any] | None:
    """Who holds the DB's writer lock right now; None if nobody does.

    The lock file keeps the last holder's details after it exits, so the flock itself
    is tested: a shared, non-blocking attempt that is let go at once.
    """
    db = Path(db_path).expanduser().absolute()
    lock = db.with_name(db.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return LockFile(lock).holder() or {}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def diagnose(db_path: Path, keys: crypto.Keyring | None = None, progress: Callable[[str], None] | None = None) -> Report:
    """Check everything the app needs to open the DB with every record intact; an
    encrypted DB and its backups are opened with `keys` (holding the passphrase).
    `progress` hears what is being checked: at 10,000 meetings each backup point takes
    seconds, and a terminal that shows nothing for half a minute looks hung."""
    # The backup points share most records with the DB; each is a whole DB built and
    # dropped at once, which the cyclic GC would rescan over and over.
    with record_check.remembering(), gc_paused():
        return _diagnose(Path(db_path).expanduser().absolute(), keys, progress or (lambda what: None))


def _diagnose(db: Path, keys: crypto.Keyring | None, progress: Callable[[str], None]) -> Report:
    progress("the database")
    report = Report(db=db, refused=bool(keys and keys.refused))
    pending = crypto.rekey_pending(db)
    if pending:
        # Half its files in one form and half in the other: checked, the converted half
        # reads as damage, and the set-aside or restore advised on it lost the latest
        # change. Finishing the conversion is the one thing to do; then check again.
        command = "decrypt" if "'decrypt'" in pending else "encrypt"
        report.add(PROBLEM, pending, instead=f"Run '{db_command(db, command)}' again, then '{db_command(db, 'doctor')}'.")
        report.holder = lock_holder(db)
        return report
    data = _check_main(db, report, keys)
    _check_erasing(db, report)
    seqs = None
    if data is not None:
        seqs = anchor.Sequence.of(data, db)  # the change numbers: rollback and cut-out lines
        _check_journal(db, data, report, seqs)
        data = _check_schema_and_records(db, data, report)
        from .audit_check import verify  # the audit chain and every finalised meeting's hash

        for level, text in verify(db, data, report.codec).findings:
            instead = next((cure for start, cure in _LOG_CURES if text.startswith(start)), "")
            report.add(level, text, instead=instead)
    report.holder = lock_holder(db)
    if report.holder is not None:
        h = report.holder
        by = f" ({h['by']})" if h.get("by") else ""
        report.add(
            NOTE,
            f"in use by process {h.get('pid', '?')} on {h.get('host', '?')} since {h.get('since', '?')}{by}",
        )
    else:
        report.add(OK, "not in use by any cope-tui")
    found = backups.list_backups(db)
    report.backups = []
    for number, backup in enumerate(found, 1):
        progress(f"backup {number} of {len(found)}")
        report.backups.append((backup, backups.check_file(backup.path, keys)))
    for backup, check in report.backups:
        if not check.ok and not check.unchecked:
            report.add(PROBLEM, f"the backup '{backup.name}' is damaged: {check.problem}", instead=BAD_BACKUP)
    if seqs is not None:
        for text, instead in anchor.doctor_findings(db, seqs, report.backups):
            report.add(PROBLEM, text, instead=instead)
    report.aside = sorted(p for p in db.parent.glob(f"{_glob_escape(db.name)}*.damaged-*") if p.is_file())
    return report


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _check_main(db: Path, report: Report, keys: crypto.Keyring | None = None) -> dict[str, Any] | None:
    try:
        info = db.stat()
    except FileNotFoundError:
        if any(p.exists() for p in backups.journals_of(db)):
            report.add(NOTE, "no compacted file yet: everything saved so far is in the journal")
            return {name: {} for name in TABLES}
        if backups.list_backups(db):
            report.add(PROBLEM, f"the database file '{db}' is missing, but there are backups of it")
        else:
            report.add(PROBLEM, f"there is no database at '{db}'")
        return None
    except OSError as exc:
        report.add(PROBLEM, f"cannot look at '{db}': {exc.strerror}")
        return None
    mode = stat.S_IMODE(info.st_mode)
    private = "readable by you only (0600)" if mode == 0o600 else f"mode {mode:04o}"
    report.add(OK, f"file present, {_size(info.st_size)}, {private}")
    if mode & 0o077:
        report.add(WARN, f"others can read or change it (mode {mode:04o}); fix with: chmod 600 {shlex.quote(str(db))}")
    _check_folders(db, report)
    try:
        raw = db.read_bytes()
    except OSError as exc:
        report.add(PROBLEM, f"cannot read '{db}': {exc.strerror}")
        return None
    if crypto.looks_sealed(raw):
        raw = _open_sealed(db, raw, report, keys)
        if raw is None:
            return None
    if not raw.strip():
        report.add(NOTE, "the file is empty: a new database")
        return {name: {} for name in TABLES}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        report.add(PROBLEM, f"'{db}' is not valid JSON ({exc}); the app will not open it")
        return None
    form = record_check.identify(data)
    if not form.ours:
        held = record_check.tables_held(data)
        report.add(PROBLEM, f"'{db}' is JSON but not a cope-tui database (it holds: {held})")
        return None
    if form.problem:
        report.add(PROBLEM, f"'{db}' is a cope-tui database, but damaged: {form.problem}; the app will not open it")
        return None
    report.add(OK, "valid JSON, a cope-tui database")
    return data


def _open_sealed(db: Path, raw: bytes, report: Report, keys: crypto.Keyring | None) -> bytes | None:
    """The plain bytes of an encrypted DB file, or None after saying why not."""
    try:
        header = crypto.parse_header(raw)
    except crypto.CryptoError as exc:
        newer = isinstance(exc, crypto.NewerVersion)
        report.add(PROBLEM, crypto.describe(db, exc, doctor=False), instead=UPDATE_INSTEAD if newer else "")
        return None
    report.add(OK, f"encrypted ({crypto.CIPHER}: N=2^{header.log2n}, r={header.r}, p={header.p})")
    if keys is None or (keys.passphrase is None and not keys.knows(raw)):
        if keys is not None and keys.refused:  # (three were typed at a terminal)
            report.add(PROBLEM, "its records were not checked: no passphrase typed opened it. Run this "
                                "again with the right one.")
        else:
            report.add(PROBLEM, "its records were not checked: the passphrase is needed. Run this at a "
                                "terminal to be asked for it, or set COPE_TUI_PASSPHRASE.")
        return None
    try:
        report.codec = keys.codec_for(raw)
        return report.codec.open_file(raw)
    except crypto.CryptoError as exc:
        report.add(PROBLEM, crypto.describe(db, exc, doctor=False))
        return None


def _check_folders(db: Path, report: Report) -> None:
    """The DB's folder and its backups': with others allowed to write there, they can put
    a file of their own in place of the database or a backup, whatever the files' modes."""
    kept = backups.backup_dir(db)
    if kept.is_symlink():
        report.add(PROBLEM, backups.planted_backups(kept))
    for folder in (db.parent, kept) if not kept.is_symlink() else (db.parent,):
        try:
            mode = stat.S_IMODE(folder.stat().st_mode)
        except OSError:
            continue
        if mode & 0o022 and mode & stat.S_ISVTX:  # /tmp: shared, but no one replaces another's file
            report.add(WARN, f"'{folder}' is a folder others share (mode {mode:04o}); keep records in a folder of your own")
        elif mode & 0o022:
            report.add(
                WARN,
                f"others can add, replace or delete files in the folder '{folder}' (mode {mode:04o}); "
                f"fix with: chmod 700 {shlex.quote(str(folder))}",
            )


def _check_erasing(db: Path, report: Report) -> None:
    """An erasure cut short (erase.py), or a marker of one that cannot be read: no writer
    finishes that one, and "open the database for writing" left doctor failing for good."""
    from . import erase

    marker = erase.marker_path(db)
    if not marker.exists():
        return
    try:
        sealed = crypto.looks_sealed(marker.read_bytes())
    except OSError:
        sealed = False
    if (report.codec is not None or not sealed) and erase.pending(db, report.codec or crypto.PlainCodec()) is None:
        report.add(
            PROBLEM,
            f"'{marker.name}' says an erasure was cut short, but it cannot be read, so no writer can finish it",
            instead=f"Erase the client again ('{db_command(db, 'erase', 'CODE')}'), then remove '{marker}'. "
            "If no client was being erased, remove it.",
        )
        return
    report.add(
        PROBLEM,
        "an erasure of a client was cut short: some files may still hold their records",
        instead=f"Open the database for writing once (the app, or '{db_command(db, *ERASE_FINISH)}'); "
        "the erasure is finished before anything else is written.",
    )


def _check_journal(db: Path, data: dict[str, Any], report: Report, seqs: Any = None) -> None:
    old, journal = backups.journals_of(db)
    if old.exists():
        report.add(NOTE, f"'{old.name}' is waiting: a compaction was cut off. It is folded in at the next open: harmless")
    current = record_check.schema_of(data) == format.SCHEMA
    scan = replay_journal(data, db, report.codec, records=current, seqs=seqs)
    for bad in scan.bad:
        how = "has a line that does not decrypt (damaged or changed) at" if bad.sealed else "is damaged at"
        why = "" if bad.sealed else f" ({bad.problem})"
        report.add(
            PROBLEM,
            f"the journal '{bad.path}' {how} line {bad.line}{why}; the app will not open the database",
            instead=set_aside_cure(db),
        )
    if scan.entries:
        report.add(OK, f"journal: {counted(scan.entries, 'saved change')} not yet folded into the file (normal while in use)")
    elif (journal.exists() or old.exists()) and not scan.bad:
        report.add(OK, "journal: nothing waiting")
    for path in scan.torn:
        report.add(
            NOTE,
            f"journal: the last line of '{path.name}' is torn (a write cut off by a kill or power loss). "
            "It was never reported saved and is ignored: harmless",
        )


def _check_schema_and_records(db: Path, data: dict[str, Any], report: Report) -> dict[str, Any]:
    """Reports the format and every record the app could not read; returns the records it can."""
    version, schema = record_check.schema_of(data), format.SCHEMA
    if version == schema:
        report.add(OK, f"format {version} (current)")
    elif version < schema:
        try:
            data = migrations.upgrade(data, version, schema)
        except StoreError as exc:
            report.add(PROBLEM, str(exc))
            return {name: {} for name in TABLES}
        report.add(NOTE, f"format {version}: upgraded to {schema} when next opened (a copy is kept first)")
    else:
        report.add(WARN, f"format {version}, from a newer cope-tui: it opens read-only here")
    found = list(record_check.table_problems(data))
    for bad in found[:20]:
        cure = set_aside_cure(db) if version == schema else UPDATE_INSTEAD if version > schema else ""
        report.add(PROBLEM, f"invalid record: {bad} (in '{db.name}')", instead=cure)
    if len(found) > 20:
        report.add(PROBLEM, f"... and {counted(len(found) - 20, 'more invalid record')}", instead=set_aside_cure(db))
    if not found:
        counts = [len(data.get(t) or {}) for t in ("clients", "meetings")]
        report.add(OK, f"{counted(counts[0], 'client')} and {counted(counts[1], 'meeting')}, all valid")
    bad_keys = {(bad.table, bad.key) for bad in found}
    return {t: {k: v for k, v in docs.items() if (t, k) not in bad_keys} for t, docs in data.items()}


def _kind(backup: backups.Backup) -> str:
    """A kept point's form, or the reason a copy was kept (e.g. before-upgrade-from-1)."""
    if backup.kind != backups.SNAPSHOT:
        return backup.kind
    return _KINDS.get(backup.path.name.rsplit(".", 2)[-2], backup.kind)


def format_report(report: Report, *, suggest: bool = True) -> str:
    """The report as text; `suggest` adds the command that restores the newest good backup."""
    out = [f"Database {report.db}"]
    for finding in report.findings:
        out.append(f"  {finding.level:<8}{finding.text}")
    folder = backups.backup_dir(report.db)
    if report.backups:
        out += ["", f"Backups in {folder} (newest first)"]
        kinds = [_kind(backup) for backup, _ in report.backups]
        width = max(map(len, kinds))
        for (backup, check), kind in zip(report.backups, kinds, strict=True):
            if check.ok:
                status = f"ok: {counted(check.clients, 'client')}, {counted(check.meetings, 'meeting')}"
            else:
                status = f"not checked: {check.problem}" if check.unchecked else f"BAD: {check.problem}"
            out.append(f"  {when(backup.taken)}  {kind:<{width}} {_size(backup.size):>9}  {status}")
            out.append(f"      {backup.name}")
    else:
        out += ["", f"No backups yet in {folder} (one is kept each time the app saves its file)."]
    if report.aside:
        out += ["", "Kept aside by earlier restores and set-asides (never deleted; remove them yourself when sure):"]
        out += [f"  {p}" for p in report.aside]
    out.append("")
    if report.healthy:
        warned = sum(1 for f in report.findings if f.level == WARN)
        out.append(f"Healthy, but see the {counted(warned, 'warning')} above." if warned else "Healthy.")
    else:
        problems = [f for f in report.findings if f.level == PROBLEM]
        out.append(f"{counted(len(problems), 'problem')} found.")
        good = report.newest_good
        aside = set_aside_cure(report.db)
        if any(f.instead == aside for f in problems) and any(f.mended_by_restore for f in problems):
            out.append(aside)  # what can be set aside, whatever else a backup must mend
        if not any(f.mended_by_restore for f in problems):
            out.extend(dict.fromkeys(f.instead for f in problems))
        elif suggest and good:
            backup, check = good
            out.append(
                f"The newest good backup is from {when(backup.taken)} ({counted(check.clients, 'client')}, "
                f"{counted(check.meetings, 'meeting')}). To restore it (the current file is kept aside):"
            )
            out.append(f"  {restore_command(report.db)}")
        elif suggest and any(c.unchecked for _, c in report.backups) and report.refused:
            out.append("The backups are encrypted: run this again with the right passphrase to check "
                       "them and see which one to restore.")
        elif suggest and any(c.unchecked for _, c in report.backups):
            out.append(
                "The backups are encrypted: give the passphrase (at a terminal, or in "
                "COPE_TUI_PASSPHRASE) to check them and see which one to restore."
            )
        elif suggest:
            out.append("There is no good backup to restore.")
    return "\n".join(out)


def find_backup(db_path: Path, text: str) -> Backup:
    """A backup named by its path or by its file name inside the backups folder."""
    db = Path(db_path).expanduser().absolute()
    known = backups.list_backups(db)
    given = Path(text).expanduser()
    candidates = [given] if given.is_absolute() or os.sep in text else [backups.backup_dir(db) / text, given]
    for candidate in candidates:
        target = candidate.absolute()
        for backup in known:
            if backup.path.absolute() == target:
                return backup
        if target.is_file():  # a file elsewhere, e.g. a copy you kept yourself
            info = target.stat()
            taken = datetime.fromtimestamp(info.st_mtime).astimezone()
            return Backup(path=target, taken=taken, size=info.st_size, kind="file")
    raise DoctorError(
        f"there is no backup '{text}'. Give a path, or a file name listed by '{db_command(db, 'doctor')}'."
    )
