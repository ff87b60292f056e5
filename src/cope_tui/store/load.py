"""How the store reads its files: one consistent moment of the main file and its
journals, parsed, and every record checked before the store keeps any of it.

Mixed into `store.Store`. Nothing here writes a file: a load that finds anything it
cannot read raises with a message naming the file (and the line), and the files stay
exactly as they were, so nothing bad is ever folded into the main file or a backup.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from . import crypto, file_form, format, record_check, summary
from .bulk import gc_paused
from .diskio import Journal, JournalDamaged, PlantedLink, read_held, read_identified
from .errors import CorruptDatabase, ForeignDatabase, StoreError, UnreadableRecords, sealed_error
from .lazy_meetings import FileMeetings, LazyMeetings
from ..paths import db_command
from .record_lines import MeetingLines

# A reader retries when a writer compacted while it read; each try reads bytes only (no
# parsing), so a few milliseconds each: a writer compacting this often never stops.
READ_TRIES = 50


class Moment(NamedTuple):
    """The main file's bytes as on disk (bytes, or a read-only mmap), the journals'
    bytes, and (for a choosing load) the sha256 naming what was read."""

    main: Any
    journals: list[tuple[Path, bytes]]
    identity: Any
    held: Any = None  # the main file left open (the app's lazy load), to read lines again


def fingerprint(path: Path, journal: Journal) -> tuple[Any, ...]:
    """What a compaction changes: it replaces the main file and renames the journal.
    Appends to the current journal are left out: a reader sees a prefix of its lines."""

    def ident(target: Path, whole: bool) -> tuple[int, ...] | None:
        try:
            st = os.stat(target)
        except FileNotFoundError:
            return None
        if not whole:
            return st.st_dev, st.st_ino
        return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns

    return ident(path, True), ident(journal.old_path, True), ident(journal.path, False)


def journal_message(exc: JournalDamaged, db: Path) -> str:
    """What the store says about a bad journal line (doctor says it in its own words)."""
    from .set_aside import set_aside_command  # only when there is a bad line to tell of

    if exc.sealed:
        what = f"The journal '{exc.path}' does not decrypt (damaged or changed) at line {exc.line}."
    else:
        what = f"The journal '{exc.path}' is damaged at line {exc.line}: {exc.problem}."
    return (
        f"{what} Neither it nor the database has been changed. '{set_aside_command(db)}' keeps "
        "every bad line in a file of its own (never deleted) and lets everything else open; "
        f"run it without --set-aside first to see what it finds."
    )


class _Stamper:
    """record_check.stamp of the main file's bytes, in a thread while they are parsed
    (sha256 lets go of the GIL: at 85 MB that is 0.04 s off the load on a second core).
    A mapping is hashed at once instead: the parse may close it."""

    def __init__(self, main: Any):
        self._stamp = ""
        self._thread = None
        if not len(main):
            return
        if not isinstance(main, bytes):
            self._stamp = record_check.stamp(main)
            return
        self._thread = threading.Thread(target=self._run, args=(main,), name="cope-stamp", daemon=True)
        self._thread.start()

    def _run(self, main: bytes) -> None:
        self._stamp = record_check.stamp(main)

    def result(self) -> str:
        if self._thread is not None:
            self._thread.join()
        return self._stamp


def _close(main: Any, held: Any = None) -> None:
    if not isinstance(main, bytes):
        main.close()
    if held is not None:
        held.close()


class Loading:
    """The store's load: `_load()` returns the checked tables, or raises a StoreError."""

    # The main file as it was read (fingerprint's first part): what a read-only store keeps
    # beside it is let stand only while the file is still that one (kept_parts.py).
    _read_main_id: tuple[int, ...] | None = None
    _let_go_lines = True  # see Store(let_go_lines=...)

    def _load(self) -> dict[str, dict[str, Any]]:
        self._held_taken = False
        moment = self._read_moment()
        try:
            return self._load_moment(moment)
        finally:
            if moment.held is not None and not self._held_taken:
                moment.held.close()

    def _load_moment(self, moment: Moment) -> dict[str, dict[str, Any]]:
        from . import backups, migrations

        stamper = _Stamper(moment.main)  # hashes beside the parse (it lets go of the GIL)
        data, lines, raw, version = self._parse_main(moment)
        schema = format.SCHEMA
        self._replay(data, moment, records=version == schema)
        if moment.identity is not None:
            self.read_identity = moment.identity.digest()
        held = self._held_lazily(lines, data, version, stamper, moment.held) if lines is not None else None
        if held is not None:
            data["meetings"] = held
        elif lines is not None:
            choose = self._choose if version == schema else None  # else migrate all
            try:
                with gc_paused(freeze=True):
                    data["meetings"] = lines.meetings(data, choose, lean=version >= file_form.LEAN_SCHEMA)
            except orjson.JSONDecodeError:
                raise self._not_json() from None
            except file_form.FormDamaged as exc:
                raise self._damaged(str(exc)) from None
        data["meta"].setdefault("app", {"app": format.APP_ID, "schema": schema})
        if version < schema:
            data = migrations.upgrade(data, version, schema, self.path)
            data["meta"]["app"]["schema"] = schema
            self.migrated_from = version
        self._check_stored(data, raw, version, stamper.result())
        if lines is None and not raw and self._lazily_from_nothing(version):
            # After the check, which reads plain tables (a new DB killed before its first
            # fold was refused at the next start). Last, as a file holds them:
            # record_lines.dump_tables writes them line by line then.
            data["meetings"] = LazyMeetings(FileMeetings.empty(self.path), data.pop("meetings", {}), set())
        if self.migrated_from is not None and not self.read_only:  # (viewers write nothing)
            backups.keep_copy(self.path, reason=f"before-upgrade-from-{version}")  # the file as it is
        if version > schema:
            self.read_only = True
            self.read_only_reason = (
                f"'{self.path}' was written by a newer cope-tui (format {version}); "
                "it is open read-only. Update cope-tui to edit it."
            )
        return data

    def _held_lazily(self, lines: MeetingLines, data: dict[str, Any], version: int, stamper: _Stamper, handle: Any) -> Any:
        """The app's meetings kept as the file's lines (lazy_meetings.py), or None to parse
        them all now. Only for a file a store checked and stamped, with its summary: its
        records need no check here, and the client list counts meetings from the summary."""
        if not self._lazy or self._choose is not None or version != format.SCHEMA or self.codec.sealed:
            return None
        stamp = stamper.result()
        if not stamp or summary.checked(self.path, self.codec) != stamp:
            return None
        found = summary.read(self.path, self.codec, stamp=stamp)
        if found is None:
            return None
        stats = {s.id: (s.meetings, s.last, s.draft) for s in found}
        held = FileMeetings.of(self.path, lines.raw, lines.spans, stats, stamp, handle)
        if held is None:
            return None
        self._held_taken = handle is not None
        if self._let_go_lines:
            threading.Thread(target=held.let_go, name="cope-digest", daemon=True).start()
        else:
            held.keep_whole()
        replayed = data["meetings"]
        return LazyMeetings(held, replayed, replayed.deleted)

    def _lazily_from_nothing(self, version: int) -> bool:
        """A DB with no main file yet (a new one; a new member's, before the team's first
        pull) holds its meetings as a lazy table too, with no lines under it: what is
        saved is kept packed like any saved since a file (a first pull of 10,000 meetings
        held them all as Python objects, 360 MB for the rest of the session)."""
        return self._lazy and self._choose is None and not self.codec.sealed and version == format.SCHEMA

    def _read_moment(self) -> Moment:
        """The main file and the journals as they were at one moment: read again when a
        writer's compaction moved them in between (the journal lines it folded would
        otherwise be in neither what was read of the file nor of the journals)."""
        for _ in range(READ_TRIES):
            before = fingerprint(self.path, self.journal)
            main, identity, held = self._read_main()
            try:
                journals = self.journal.read_all()
            except PlantedLink as exc:
                _close(main, held)
                raise StoreError(f"{exc.strerror}.") from None
            except OSError as exc:
                _close(main, held)
                raise StoreError(f"Cannot read '{exc.filename}': {exc.strerror}.") from exc
            if fingerprint(self.path, self.journal) == before:
                self._read_main_id = before[0]
                return Moment(main, journals, identity, held)
            _close(main, held)
        raise StoreError(
            f"'{self.path}' kept changing while it was read (another cope-tui is saving to it "
            "and folding its journal in). Nothing was changed; try again."
        )

    def _read_main(self) -> tuple[Any, Any, Any]:
        """(the file's bytes or mapping, its identity for a choosing load, the file left
        open for a lazy load to read a client's lines from later)."""
        try:
            if self._choose is not None:
                return (*read_identified(self.path), None)  # mapped, not copied: only the chosen lines are read
            if self._lazy and not self.codec.sealed:
                raw, held = read_held(self.path)
                return raw, None, held
            return self.path.read_bytes(), None, None
        except FileNotFoundError:
            return b"", None, None
        except OSError as exc:
            raise StoreError(f"Cannot read '{self.path}': {exc.strerror}.") from exc

    def _parse_main(self, moment: Moment) -> tuple[dict[str, Any], MeetingLines | None, Any, int]:
        """The main file's tables (for a choosing load of a plain file: all but the meetings,
        which `MeetingLines` parses once the journal is replayed), its plain bytes and its
        format version."""
        raw, lines = moment.main, None
        if not self.codec.sealed and (self._choose is not None or (self._lazy and isinstance(raw, bytes))):
            lines = MeetingLines.index(raw)
        if lines is None and not isinstance(raw, bytes):
            raw = bytes(raw[:])
            _close(moment.main)
        data: Any = {}
        if lines is not None:
            data = lines.tables()
        elif raw and not raw.isspace():  # (strip() would copy the whole file)
            if self.codec.sealed or crypto.looks_sealed(raw):  # damaged, cut off, or sealed since we looked
                raw = self._open_sealed(raw)
            try:
                with gc_paused(freeze=True):
                    data = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise self._not_json() from None
        form = record_check.identify(data)
        if not form.ours:
            raise ForeignDatabase(
                f"'{self.path}' holds data that is not a cope-tui database. It has not been "
                "changed. Choose another file with --db PATH (or COPE_TUI_DB)."
            )
        if form.problem:
            raise self._damaged(form.problem)
        return data, lines, raw, form.schema

    def _damaged(self, problem: str) -> Exception:
        return CorruptDatabase(
            f"'{self.path}' is damaged: {problem}. It has not been changed. Run "
            f"'{db_command(self.path, 'doctor')}' to check it and restore a backup."
        )

    def _not_json(self) -> Exception:
        return CorruptDatabase(
            f"'{self.path}' is not a readable cope-tui database (it is not valid JSON). "
            f"It has not been changed. Run '{db_command(self.path, 'doctor')}' to check it and restore a "
            "backup, or open another file with --db PATH."
        )

    def _open_sealed(self, raw: bytes) -> bytes:
        if not self.codec.sealed:
            raise sealed_error(self.path, crypto.problem_of(raw))
        try:
            return self.codec.open_file(raw)
        except crypto.CryptoError as exc:
            raise sealed_error(self.path, exc) from None

    def _replay(self, data: dict[str, Any], moment: Moment, *, records: bool) -> None:
        """Every journal line is checked before it touches `data`; a file of an older
        format has its lines' records checked once it is upgraded, with everything else.
        The change numbers are followed on from the main file's (anchor.py)."""
        check = record_check.entry_problem if records else record_check.entry_shape_problem
        track = self._follow_sequence(data)
        try:
            self.journal.replay(data, moment.identity, files=moment.journals, check=check, track=track)
        except JournalDamaged as exc:
            raise UnreadableRecords(journal_message(exc, self.path)) from None

    def _check_stored(self, data: dict[str, Any], raw: Any, version: int, stamp: str) -> None:
        """Check every stored record, unless the file is exactly the one a store checked and
        stamped before (see record_check.stamp): that costs a hash, not a validation."""
        self._stamp = stamp
        self._stamp_trusted = bool(stamp) and version == format.SCHEMA and summary.checked(self.path, self.codec) == stamp
        if self._stamp_trusted:
            return
        bad = next(record_check.table_problems(data), None)
        if bad is None:
            return
        if version > format.SCHEMA:
            raise StoreError(
                f"'{self.path}' was written by a newer cope-tui (format {version}) and holds records "
                f"this version cannot read ({bad}). It has not been changed. Update cope-tui to open it."
            )
        from .set_aside import set_aside_command  # only when there is a bad record to tell of

        where = _where(raw, bad, sealed=self.codec.sealed)
        raise UnreadableRecords(
            f"'{self.path}' holds a record cope-tui cannot read{where}: {bad}. It has not been "
            f"changed. '{set_aside_command(self.path)}' keeps every such record in a file of its own "
            "(never deleted) and lets everything else open; run it without --set-aside first to "
            "see what it finds."
        )


def _where(raw: Any, bad: record_check.Bad, *, sealed: bool) -> str:
    """The line of a plain main file that holds the record (each meeting has its own)."""
    if sealed or not len(raw):
        return ""
    if bad.table != "meetings":
        return " (line 1)"
    at = raw.find(b'":{"id":"' + bad.key.encode("utf-8", "replace") + b'"')  # numbered or not
    if at < 0:
        return ""
    newlines = raw.count(b"\n", 0, at) if isinstance(raw, bytes) else bytes(raw[:at]).count(b"\n")
    return f" (line {newlines + 1})"
