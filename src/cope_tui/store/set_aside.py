"""`cope-tui doctor --set-aside`: keep what the app cannot read in files of its own, so
everything else opens.

What it moves: journal lines the store refuses (a table name with a flipped bit, a
record of the wrong shape or types, a sealed line that does not decrypt, a whole line
that is not JSON) and records of the main file the app cannot read. A backup cannot mend
these without losing every good save made since it; this loses nothing: each file that
changes is first kept whole beside the DB as NAME.damaged-TIME (a hard link to the very
bytes, else a copy), and only then rewritten without what was set aside, atomically and
0600. The DB's lock is held throughout, so no app has it open meanwhile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import anchor, backups, crypto, format, record_check, summary
from .diskio import Journal, JournalDamaged, fsync_dir, write_private
from .record_lines import dump_tables
from ..paths import db_command
from ..words import counted


def set_aside_command(db: Path) -> str:
    """The command that does this, for messages about a bad line or record."""
    return db_command(db, "doctor", "--set-aside")


class SetAsideError(Exception):
    """Nothing was set aside; the message says why and what to do instead."""


@dataclass
class Found:
    lines: dict[Path, list[JournalDamaged]] = field(default_factory=dict)  # bad lines, per journal
    records: list[record_check.Bad] = field(default_factory=list)  # bad records of the main file
    blocked: str = ""  # why nothing can be set aside (then lines and records are empty)
    main_name: str = ""
    numbers: list[anchor.Gap] = field(default_factory=list)  # the change numbers only bad lines hold

    @property
    def empty(self) -> bool:
        return not self.lines and not self.records

    def key(self) -> tuple[Any, ...]:
        lines = tuple((str(p), tuple(b.line for b in bad)) for p, bad in sorted(self.lines.items()))
        return lines, tuple(self.records), self.blocked

    def describe(self) -> list[str]:
        """One line per file: what would be set aside from it."""
        out = [f"{counted(len(self.records), 'record')} of {self.main_name}: {_listed(map(str, self.records))}"] if self.records else []
        for path, bad in sorted(self.lines.items()):
            numbers = ", ".join(str(b.line) for b in bad)
            out.append(f"{counted(len(bad), 'line')} of {path.name}: line {numbers}")
        return out


def _listed(items) -> str:
    items = list(items)
    shown = "; ".join(items[:5])
    return shown + (f"; and {len(items) - 5} more" if len(items) > 5 else "")


def _main_data(db: Path, codec: Any) -> tuple[dict[str, Any] | None, str]:
    """The main file's tables (None when there is no file yet), or why it cannot be used."""
    try:
        raw = db.read_bytes()
    except FileNotFoundError:
        return None, ""
    if not raw.strip():
        return None, ""
    if crypto.looks_sealed(raw):
        try:
            raw = codec.open_file(raw)
        except crypto.CryptoError as exc:
            return None, f"the file itself {exc.problem}: restore a backup instead"
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None, "the file itself is not valid JSON: restore a backup instead"
    form = record_check.identify(data)
    if form.problem:
        return None, f"the file itself is damaged ({form.problem}): restore a backup instead"
    if form.schema != format.SCHEMA:
        return None, "the file is of another format version: open it with the cope-tui that wrote it"
    return data, ""


def find(db: Path, codec: Any = None) -> Found:
    """What `set_aside` would move; changes nothing. An encrypted DB needs `codec`."""
    db = Path(db).expanduser().absolute()
    if codec is None and crypto.is_encrypted(db):
        return Found(blocked="the database is encrypted: give its passphrase (at a terminal, or in COPE_TUI_PASSPHRASE)")
    data, why = _main_data(db, codec)
    if why:
        return Found(blocked=why)
    found = Found(main_name=db.name)
    if data is not None:
        found.records = list(record_check.table_problems(data))
    bad: list[JournalDamaged] = []
    seqs = anchor.Sequence.of(data or {}, db)  # as the next open will follow them

    def on_bad(damage: JournalDamaged) -> None:
        bad.append(damage)
        seqs.unreadable(damage)

    Journal(db.with_name(db.name + ".journal"), codec).replay({}, on_bad=on_bad, track=seqs.see)
    for damage in bad:
        found.lines.setdefault(damage.path, []).append(damage)
    found.numbers = anchor.unreadable_gaps(db, seqs)
    return found


def set_aside(db: Path, codec: Any = None, expect: Found | None = None) -> list[tuple[Path, Path]]:
    """Set aside what `find` finds, holding the DB's lock; returns each changed file with
    where it is kept as it was. `expect` (what the user agreed to) must still be what is
    found, or nothing is done."""
    db = Path(db).expanduser().absolute()
    with backups.hold_lock(db):
        found = find(db, codec)
        if found.blocked:
            raise SetAsideError(f"nothing was set aside: {found.blocked}.")
        if expect is not None and found.key() != expect.key():
            raise SetAsideError("the database changed since it was checked; nothing was set aside. Run the command again.")
        targets = ([db] if found.records else []) + sorted(found.lines)
        asides = backups.aside_names(targets)
        # First: the numbers of the lines about to go are no missing changes (a kill
        # before the rewrite leaves the bad lines where they were, still reported).
        kept = ", ".join(f"'{a.name}'" for t, a in zip(targets, asides, strict=True) if t != db)
        anchor.record_set_aside(db, found.numbers, kept)
        done = []
        for target, aside in zip(targets, asides, strict=True):
            raw = target.read_bytes()
            if target == db:
                kept = _without_records(db, codec, found.records)
            else:
                kept = _without_lines(raw, {b.line for b in found.lines[target]})
            _keep_as_it_was(target, aside, raw)
            write_private(target, kept)
            done.append((target, aside))
        if found.records:  # it described the old file (and would be ignored): leave nothing stale
            summary.forget(db)
        fsync_dir(db.parent)
    return done


def _keep_as_it_was(target: Path, aside: Path, raw: bytes) -> None:
    try:
        os.link(target, aside)  # the very bytes; the rewrite below replaces the name, not them
    except OSError:
        write_private(aside, raw)


def _without_lines(raw: bytes, numbers: set[int]) -> bytes:
    """The journal without its lines `numbers` (1-based); every other byte as it was."""
    return b"\n".join(line for number, line in enumerate(raw.split(b"\n"), 1) if number not in numbers)


def _without_records(db: Path, codec: Any, bad: list[record_check.Bad]) -> bytes:
    data, _ = _main_data(db, codec)
    assert data is not None  # find() had it, under the same lock
    for item in bad:
        data.get(item.table, {}).pop(item.key, None)
    blob = dump_tables(data)
    return codec.seal_file(blob) if codec is not None and codec.sealed else blob
