"""What this computer last saw of each DB, kept outside its data folder.

Every file of a DB can be valid on its own and still be an older state of it: a deleted
journal, a journal line cut out, an old backup copied over NAME.json, an audit log cut
short. Two things make that visible:

- Sequence numbers. Every journal line carries the number of the change it saves
  (`seq`, sealed with the line in an encrypted DB) and the main file carries the number
  of the last change folded into it (`meta.app.seq`). A replay that skips a number has
  lost a line; a number that comes again is an older line put back.
- Anchors, in the user's state folder (`$XDG_STATE_HOME/cope-tui/anchors`, 0700, files
  0600), keyed by the DB's real path: the highest change number seen saved, and the audit
  log's last entry (number and hash). Files that end before the anchor lost their end.

The anchor may lag behind the files, never lead them, so a kill -9 or a power cut can
never raise a false alarm: the change number is written (without fsync, one pwrite into
a file kept open) only after the journal line is fsynced, and fsynced at open and close;
the audit head only after its line is fsynced. A DB with no anchor yet (new, moved, or
written before numbers existed) gets one without a word.

Missing changes that a writer finds are recorded beside the anchor, so the warning
lasts until a restore brings them back or `cope-tui doctor --accept-missing` is run.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from .diskio import ensure_private_dir, fsync_dir, write_private
from ..paths import db_command
from ..words import agrees, counted

_SEQ = b"cope-tui seq 1 %020d"
_SEQ_BYTES = len(_SEQ % 0) + 10  # the record, a space, 8 hex digits of its crc32, a newline


def folder() -> Path:
    from platformdirs import user_state_path

    return user_state_path("cope-tui", appauthor=False) / "anchors"


def _base(db: Path | str) -> Path:
    import hashlib

    real = os.path.realpath(Path(db).expanduser())
    return folder() / hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _file(db: Path | str, suffix: str) -> Path:
    base = _base(db)
    return base.with_name(base.name + suffix)


def _now() -> str:
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


def _read_json(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def _write_json(path: Path, value: Any) -> None:
    ensure_private_dir(path.parent)
    write_private(path, orjson.dumps(value, option=orjson.OPT_INDENT_2))


# ---- the change number -------------------------------------------------------------------------


def _seq_record(seq: int) -> bytes:
    body = _SEQ % seq
    return body + b" %08x\n" % zlib.crc32(body)


def read_seq(db: Path | str) -> int | None:
    """The highest change number seen saved; None without an anchor (or an unreadable one,
    which a power cut can leave and which must never raise an alarm)."""
    try:
        raw = _file(db, ".seq").read_bytes()[:_SEQ_BYTES]
    except OSError:
        return None
    body, _, tail = raw.rstrip(b"\n").rpartition(b" ")
    try:
        if len(raw) != _SEQ_BYTES or int(tail, 16) != zlib.crc32(body):
            return None
        return int(body.rsplit(b" ", 1)[1])
    except (ValueError, IndexError):
        return None


class SeqAnchor:
    """The change number of a DB held for writing; every failure leaves it lagging, silently
    (an anchor is a check, never a reason to refuse a save)."""

    def __init__(self, db: Path | str):
        self.path = _file(db, ".seq")
        self.fd: int | None = None

    def open(self, seq: int | None) -> None:
        """`seq`: what the files hold, once they are on disk for good (after the open's
        compaction). None when that failed: a killed writer's last line may then still sit
        in the page cache only, so the anchor keeps what it said until the next tick."""
        try:
            ensure_private_dir(self.path.parent)
            new = not self.path.exists()
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            os.fchmod(self.fd, 0o600)
            if seq is not None:
                self.sync(seq)
            if new:
                fsync_dir(self.path.parent)
        except OSError:
            self.close()

    def tick(self, seq: int) -> None:
        """After each fsynced journal line: one pwrite into the page cache, no fsync. A kill
        keeps it; a power cut may lose it, leaving the anchor behind, never ahead."""
        if self.fd is not None:
            try:
                os.pwrite(self.fd, _seq_record(seq), 0)
            except OSError:
                pass

    def sync(self, seq: int) -> None:
        if self.fd is not None:
            try:
                os.pwrite(self.fd, _seq_record(seq), 0)
                os.fsync(self.fd)
            except OSError:
                pass

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def forget(db: Path | str) -> None:
    """A deliberate new start (a restore, a new DB at this path): the next open anchors
    what it finds."""
    try:
        _file(db, ".seq").unlink(missing_ok=True)
    except OSError:
        pass


def file_seq(data: dict[str, Any]) -> int | None:
    """The change number stored in a main file's data (None: written before numbers)."""
    meta = data.get("meta") if isinstance(data, dict) else None
    app = meta.get("app") if isinstance(meta, dict) else None
    seq = app.get("seq") if isinstance(app, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0 else None


def stamp(data: dict[str, Any], seq: int) -> None:
    """Write the change number into the data about to become the main file."""
    data["meta"].setdefault("app", {})["seq"] = seq


# ---- following the numbers while the journal replays -------------------------------------------


@dataclass(frozen=True)
class Gap:
    """Changes first..last that were saved once and are not in the files now."""

    first: int
    last: int
    where: str  # "journal FILE line N" (a line cut out) or "" (the files end too soon)
    noticed: str = ""
    accepted: str = ""

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def text(self, db: Path) -> str:
        changes = f"{counted(self.count, 'saved change')} (number {self.first}" + (
            f" to {self.last})" if self.count > 1 else ")"
        )
        if self.where:
            how = f"{agrees(self.count, 'is', 'are')} missing from the middle of the journal, before {self.where}: a line was cut out of it"
        else:
            how = (
                f"{agrees(self.count, 'is', 'are')} missing: this computer saw {agrees(self.count, 'it', 'them')} saved, but the files end at change {self.first - 1}. "
                f"The journal was deleted or cut short, or an older copy was put in place of '{db.name}'"
            )
        when = f" (found on {self.noticed[:16].replace('T', ' ')})" if self.noticed else ""
        return f"{changes} {how}{when}"


class Sequence:
    """Follows the change numbers of the journal lines as they replay (see Journal.replay).

    Lines without a number come from a cope-tui before numbers: applied as ever. A line at
    or below the main file's number was folded into it already (a kill between writing the
    file and emptying the journal leaves such lines) and is skipped; a number seen before
    is an older line put back, and is skipped too, so it cannot undo a newer change.

    A line that cannot be read (record_check refuses it, or it does not decrypt) is no
    missing change: it is there, reported as damage, and `doctor --set-aside` keeps it.
    A reader that goes on past such lines (doctor, set_aside) counts them with
    `unreadable` before the numbers are followed (Journal.replay reads every line before
    it applies any); a gap they can account for (no more numbers than lines not yet
    accounted for) is theirs, kept in `unread_gaps`, not in `gaps`.
    """

    def __init__(self, base: int | None, *, new_db: bool = False):
        self.base = base or 0
        self.last = self.base
        self.new_db = new_db  # no file of the DB existed: nothing to compare with
        self.gaps: list[Gap] = []
        self.repeats: list[str] = []
        self.unread = 0  # unreadable lines not yet accounted for by a gap
        self.unread_gaps: list[Gap] = []

    @classmethod
    def of(cls, data: dict[str, Any], db: Path | None = None) -> Sequence:
        """Numbers following the main file's `data`; `db` tells a brand-new DB apart."""
        return cls(file_seq(data), new_db=db is not None and brand_new(db))

    def see(self, path: Path, number: int, entry: Any) -> bool:
        """True when the line is to be applied."""
        seq = entry.get("seq") if isinstance(entry, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool):
            return True
        if seq <= self.base:
            return False
        if seq <= self.last:
            self.repeats.append(
                f"line {number} of the journal '{path.name}' repeats change {seq}: an older line was put "
                "back (it was not applied)"
            )
            return False
        if seq > self.last + 1:
            gap = Gap(self.last + 1, seq - 1, f"line {number} of '{path.name}'")
            if gap.count <= self.unread:
                self.unread_gaps.append(gap)
                self.unread -= gap.count
            else:
                self.gaps.append(gap)
        self.last = seq
        return True

    def unreadable(self, damage: Any = None) -> None:
        """A line the replay could not read (the `on_bad` of Journal.replay, beside it)."""
        self.unread += 1


# ---- what is missing ---------------------------------------------------------------------------


def _recorded(db: Path | str) -> list[Gap]:
    found = _read_json(_file(db, ".missing"))
    gaps = []
    for item in found.get("missing", []) if isinstance(found, dict) else []:
        try:
            gaps.append(Gap(**item))
        except TypeError:
            continue
    return gaps


def recorded_runs(db: Path | str) -> list[list[int]]:
    """Every run of changes recorded missing for this DB, accepted or set aside included:
    team sync compares them, since a DB that lost changes went back in time."""
    return [[g.first, g.last] for g in _recorded(db)]


def _merge(old: Iterable[Gap], new: Iterable[Gap]) -> list[Gap]:
    seen = {(g.first, g.last): g for g in old}
    for gap in new:
        seen.setdefault((gap.first, gap.last), gap)
    return sorted(seen.values(), key=lambda g: (g.first, g.last))


def _past_the_end(db: Path | str, seq: Sequence) -> Gap | None:
    """The changes the anchor saw saved after the last one the files hold."""
    seen = None if seq.new_db else read_seq(db)
    return Gap(seq.last + 1, seen, "") if seen is not None and seen > seq.last else None


def found_now(db: Path | str, seq: Sequence) -> list[Gap]:
    """Gaps in the journal, and the changes past the files' end that the anchor saw
    (unless the unreadable lines at the journal's end account for them)."""
    end = _past_the_end(db, seq)
    return list(seq.gaps) + ([end] if end is not None and end.count > seq.unread else [])


def unreadable_gaps(db: Path | str, seq: Sequence) -> list[Gap]:
    """The numbers that only unreadable lines account for: `set_aside` records them."""
    end = _past_the_end(db, seq)
    return list(seq.unread_gaps) + ([end] if end is not None and end.count <= seq.unread else [])


def record_set_aside(db: Path | str, gaps: list[Gap], kept: str) -> None:
    """`doctor --set-aside` takes unreadable lines out of the journal: the numbers they held
    are then missing from it, but on purpose and kept (in `kept`). Recorded as accepted
    (dated, with where they went), so neither the app nor doctor calls them missing, and
    --accept-missing is not needed for them."""
    if not gaps:
        return
    when = _now()
    where = f"set aside by 'cope-tui doctor --set-aside', kept in {kept}"
    aside = [Gap(g.first, g.last, where, when, when) for g in gaps]
    record(db, _merge(aside, _recorded(db)))


def missing(db: Path | str, seq: Sequence) -> list[Gap]:
    """Everything missing and not yet accepted: recorded before, and found now (reading only)."""
    recorded = [] if seq.new_db else _recorded(db)
    return [g for g in _merge(recorded, found_now(db, seq)) if not g.accepted]


def take_over(db: Path | str, seq: Sequence) -> tuple[int, list[Gap]]:
    """For the DB's writer, at open: record what is missing, and say from which number to
    go on (past anything ever seen, so no number is used twice); then SeqAnchor.open."""
    if seq.new_db:
        start_afresh(db)
    new = found_now(db, seq)
    gaps = _merge(_recorded(db), new)
    if new:
        noticed = _now()
        record(db, [g if g.noticed else Gap(g.first, g.last, g.where, noticed) for g in gaps])
    return max(seq.last, read_seq(db) or 0), [g for g in gaps if not g.accepted]


def start_afresh(db: Path | str) -> None:
    """A new DB where an old one was deleted: nothing of the old one's anchors applies (its
    audit head would number the new log's first entry past the old one's last)."""
    forget(db)
    for suffix in (".missing", ".audit"):
        try:
            _file(db, suffix).unlink(missing_ok=True)
        except OSError:
            pass


def brand_new(db: Path) -> bool:
    """No file of the DB at all (call it before the journal is opened): a new DB, perhaps
    where an old one was deleted on purpose, never a rollback."""
    names = (".journal", ".journal.old", ".audit", ".backups")
    return not db.exists() and not any(db.with_name(db.name + n).exists() for n in names)


def record(db: Path | str, gaps: list[Gap]) -> None:
    try:
        _write_json(_file(db, ".missing"), {"db": str(db), "missing": [asdict(g) for g in gaps]})
    except OSError:
        pass  # the warning is shown all the same; it is just not kept


def accept(db: Path | str) -> list[Gap]:
    """`doctor --accept-missing`: stop reporting what was found missing (kept, dated)."""
    gaps = _recorded(db)
    open_ = [g for g in gaps if not g.accepted]
    if open_:
        when = _now()
        dated = [g if g.accepted else Gap(g.first, g.last, g.where, g.noticed, when) for g in gaps]
        _write_json(_file(db, ".missing"), {"db": str(db), "missing": [asdict(g) for g in dated]})
    return open_


def after_restore(db: Path | str, data: bytes, keys: Any = None, held: tuple | None = None) -> None:
    """A backup (`data`, its file's bytes) was put back on purpose: anchor afresh at the
    next open, and drop from the missing list what the backup holds (`held`: its change
    number and gaps, when the journal put back with it goes past its file's)."""
    from . import crypto

    forget(db)
    if held is None:
        try:
            restored = orjson.loads(keys.open_file(data) if crypto.looks_sealed(data) and keys is not None else data)
        except (crypto.CryptoError, orjson.JSONDecodeError):
            return
        held = (file_seq(restored), lost_in(restored))
    gaps = _recorded(db)
    kept = [g for g in gaps if g.accepted or not holds(held[0], held[1], g)]
    if len(kept) != len(gaps):
        record(db, kept)


def lost_in(data: dict[str, Any]) -> tuple[tuple[int, int], ...]:
    """The runs of changes a main file's data is known to lack: a writer that found them
    missing numbered on past them, so a higher number alone does not mean it holds them."""
    app = (data.get("meta") or {}).get("app") if isinstance(data, dict) else None
    runs = app.get("lost") if isinstance(app, dict) else None
    pairs = [r for r in runs or () if isinstance(r, list) and len(r) == 2]
    return tuple((a, b) for a, b in pairs if isinstance(a, int) and isinstance(b, int))


def mark_lost(data: dict[str, Any], gaps: Iterable[Gap]) -> None:
    """Note in the data (the next main file, and the backups taken of it) what it lacks."""
    runs = data["meta"].setdefault("app", {}).setdefault("lost", [])
    for gap in gaps:
        if [gap.first, gap.last] not in runs:
            runs.append([gap.first, gap.last])


def holds(seq: int | None, lost: tuple[tuple[int, int], ...], gap: Gap) -> bool:
    """Does a file with this change number and these known gaps hold the changes of `gap`?"""
    return seq is not None and seq >= gap.last and not any(a <= gap.last and b >= gap.first for a, b in lost)


def doctor_findings(db: Path, seq: Sequence, backups: list[tuple[Any, Any]]) -> list[tuple[str, str]]:
    """(problem, what to do) for each run of missing changes and each line put back;
    `backups` (newest first, with their checks) may hold what is missing."""
    import shlex

    found = []
    for gap in missing(db, seq):
        holder = next(((b, c) for b, c in backups if c.ok and holds(c.seq, c.lost, gap)), None)
        if holder is not None:
            backup, check = holder
            instead = (
                f"The backup {backup.name} holds every change up to number {check.seq}. To put it back (the "
                f"current files are kept aside): {db_command(db, 'doctor', '--restore', shlex.quote(backup.name))}"
            )
        else:
            instead = (
                "No backup holds those changes. If the deleted journal or the newer file is somewhere (another "
                f"copy, a sync tool's trash), put it back. Once you have looked, '{db_command(db, 'doctor', '--accept-missing')}' "
                "stops this report (the record of it is kept)."
            )
        found.append((gap.text(db), instead))
    for text in seq.repeats:
        found.append((text, "Nothing of that line reached the records. Find out who put it there; the next open "
                      "for writing keeps the journal as it was in a '.damaged-' file, then folds it in without it."))
    return found


def missing_notice(db: Path, gaps: list[Gap], repeats: list[str]) -> str:
    """What the app says once the DB is loaded, when changes are missing."""
    parts = [g.text(db) for g in gaps] + repeats
    return (
        f"Saved changes are missing from '{db.name}': " + "; ".join(parts) + ". It is open as usual and "
        f"nothing more is lost. Run '{db_command(db, 'doctor')}' to see what is missing and which backup holds it."
    )


# ---- the audit log's head ----------------------------------------------------------------------


def read_audit(db: Path | str) -> dict[str, Any] | None:
    """{'seq', 'hash', 'at'} of the last audit entry this computer wrote or saw written."""
    found = _read_json(_file(db, ".audit"))
    if isinstance(found, dict) and isinstance(found.get("seq"), int) and isinstance(found.get("hash"), str):
        return found
    return None


def write_audit(db: Path | str, seq: int, entry_hash: str) -> None:
    """After the entry's line is fsynced (under the log's flock): never ahead of the log."""
    try:
        _write_json(_file(db, ".audit"), {"db": str(db), "seq": seq, "hash": entry_hash, "at": _now()})
    except OSError:
        pass
