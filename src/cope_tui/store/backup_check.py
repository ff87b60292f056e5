"""Would the app open this DB file, or this backup, with every record intact?

The checks `cope-tui doctor` and the backup list run; they never change a file. A
sealed (encrypted) file is opened with the codec a `crypto.Keyring` finds for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from . import backup_points as points
from . import crypto, format, migrations, record_check
from .bulk import gc_paused
from .diskio import Journal, JournalDamaged
from .errors import StoreError
from ..words import counted


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
    bad: list[JournalDamaged] = field(default_factory=list)  # every line the store would refuse

    @property
    def damaged(self) -> Path | None:
        """The journal of the first bad line (None: every line is good)."""
        return self.bad[0].path if self.bad else None

    @property
    def damaged_line(self) -> int | None:
        return self.bad[0].line if self.bad else None

    @property
    def sealed(self) -> bool:
        """The first bad line is an encrypted one that does not decrypt."""
        return bool(self.bad) and self.bad[0].sealed


# ---- checking ------------------------------------------------------------------------------


def replay_journal(
    data: dict[str, Any], db_path: Path, codec=None, *, records: bool = True, seqs=None, files=None
) -> JournalScan:
    """Apply the DB's journals to `data` as the store does when it opens it, with the same
    checks (`codec` opens the lines of an encrypted DB's journal; `seqs`, an
    anchor.Sequence, follows the change numbers); the bad lines are listed and left out,
    where the store would refuse to open (and `seqs` is told of each). `files` are the
    journals' (path, bytes) when they are not on disk (a backup point's segments)."""
    journal = Journal(Path(db_path).with_name(Path(db_path).name + ".journal"), codec)
    bad: list[JournalDamaged] = []

    def on_bad(damage: JournalDamaged) -> None:
        bad.append(damage)
        if seqs is not None:
            seqs.unreadable(damage)

    check = record_check.entry_problem if records else record_check.entry_shape_problem
    track = seqs.see if seqs is not None else None
    applied = journal.replay(data, files=files, check=check, on_bad=on_bad, track=track)
    torn = []
    for path, raw in journal.read_all() if files is None else files:
        if _torn_tail(raw, journal.codec):
            torn.append(path)
    return JournalScan(entries=applied, torn=torn, bad=bad)


def _torn_tail(raw: bytes, codec=None) -> bool:
    """Are there bytes after the last newline that are not a good line? (A kill cut them
    off; the replay skips them. A bad line that ends with its newline is damage instead.)"""
    codec = codec or crypto.PlainCodec()
    tail = raw[raw.rfind(b"\n") + 1 :]
    if not tail.strip():
        return False
    try:
        return record_check.entry_shape_problem(orjson.loads(codec.open_line(tail))) is not None
    except (orjson.JSONDecodeError, crypto.CryptoError):
        return True


def validate_records(data: dict[str, Any], limit: int = 5) -> tuple[int, int, list[str]]:
    """Count clients and meetings and say which records of any table the app could not
    read (at most `limit`, then how many more)."""
    problems: list[str] = []
    bad = 0
    for found in record_check.table_problems(data):
        bad += 1
        if len(problems) < limit:
            problems.append(str(found))
    if bad > len(problems):
        problems.append(f"... {counted(bad - len(problems), 'more invalid record')}")
    count = [len(t) if isinstance(t, dict) else 0 for t in (data.get("clients"), data.get("meetings"))]
    return count[0], count[1], problems


def check_file(path: Path, keys: crypto.Keyring | None = None) -> CheckResult:
    """Would the app open this file with every record intact? Never changes anything.

    A journal beside it (PATH.journal) is replayed first, as the store would. An
    encrypted file needs `keys` (a Keyring holding the passphrase) to be checked.
    """
    path = Path(path)
    if points.is_point(path):
        return _check_point(path, keys)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return CheckResult(False, problem=f"cannot read it: {exc.strerror or exc}")
    if not raw.strip():
        return CheckResult(False, problem="the file is empty")
    codec = None
    if crypto.looks_sealed(raw):
        if keys is None or keys.passphrase is None and not keys.knows(raw):
            return CheckResult(False, problem=_without_key(keys), unchecked=True)
        try:
            codec = keys.codec_for(raw)
            raw = codec.open_file(raw)
        except crypto.BadPassphrase as exc:  # not the file's fault: see _check_point
            return CheckResult(False, problem=f"encrypted, and {exc.problem}", unchecked=True)
        except crypto.CryptoError as exc:
            return CheckResult(False, problem=f"encrypted, and {exc.problem}")
    return _check_contents(path, raw, codec)


def _without_key(keys: crypto.Keyring | None) -> str:
    if keys is not None and keys.refused:
        return "encrypted, and no passphrase typed opened it"
    return "encrypted, and no passphrase was given"


def _check_point(path: Path, keys: crypto.Keyring | None) -> CheckResult:
    """A backup point, rebuilt from its chain and checked as the DB it restores."""
    try:
        state = points.materialise(path, keys)
    except crypto.BadPassphrase as exc:
        if keys is None or keys.passphrase is None:
            return CheckResult(False, problem=_without_key(keys), unchecked=True)
        # A wrong passphrase (in COPE_TUI_PASSPHRASE, say) is no damage of the backup's:
        # called BAD, every good backup looked like one to move out of the folder.
        return CheckResult(False, problem=f"encrypted, and {exc.problem}", unchecked=True)
    except crypto.CryptoError as exc:
        return CheckResult(False, problem=f"encrypted, and {exc.problem}")
    except points.PointProblem as exc:
        return CheckResult(False, problem=str(exc))
    except OSError as exc:
        return CheckResult(False, problem=f"cannot read it: {exc.strerror or exc}")
    files = [(path.with_name(path.name + ".journal"), state.lines)] if state.lines else []
    found = _check_contents(path, state.main, None, files)
    if found.ok and files:  # a segment: the numbers are the point's, not its full copy's
        return replace(found, seq=state.seq, lost=state.lost)
    return found


def _check_contents(path: Path, raw: bytes, codec, files=None) -> CheckResult:
    """The checks of an opened file's bytes and its journals (`files`, or those beside it).
    A whole DB's records are built and dropped at once: the cyclic GC, left on, rescans
    them over and over (it took most of a 10,000-meeting point's check)."""
    with gc_paused():
        return _checked_contents(path, raw, codec, files)


def _checked_contents(path: Path, raw: bytes, codec, files=None) -> CheckResult:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return CheckResult(False, problem=f"not valid JSON ({exc})")
    form = record_check.identify(data)
    if form.problem:
        return CheckResult(False, problem=form.problem if form.ours else "not a cope-tui database")
    if form.new:
        return CheckResult(False, problem="the file holds no database")
    schema, current = form.schema, format.SCHEMA
    scan = replay_journal(data, path, codec, records=schema == current, files=files)
    if scan.bad:
        first = scan.bad[0]
        how = "has a line that does not decrypt (damaged or changed) at" if first.sealed else "is damaged at"
        why = "" if first.sealed else f" ({first.problem})"
        return CheckResult(False, problem=f"its journal {first.path.name} {how} line {first.line}{why}")
    if schema < current:
        try:
            data = migrations.upgrade(data, schema, current)
        except StoreError as exc:
            return CheckResult(False, schema=schema, problem=str(exc))
    clients, meetings, problems = validate_records(data)
    if problems:
        problem = "; ".join(problems)
        if schema > current:
            problem = f"written by a newer cope-tui (format {schema}): {problem}"
        return CheckResult(False, clients, meetings, problem, schema)
    from .anchor import file_seq, lost_in

    return CheckResult(True, clients, meetings, "", schema, seq=file_seq(data), lost=lost_in(data))
