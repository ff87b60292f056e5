"""Team sync as the app runs it: connected on first use, one sync at a time, every
outcome a value to show (never an exception for the UI to catch).

The app calls `run()` in a worker thread and shows what comes back; offline is an
ordinary outcome ("offline, will sync"), not an error. The login comes from
COPE_TUI_SYNC_USER / COPE_TUI_SYNC_PASSWORD and the team passphrase from
COPE_TUI_TEAM_PASSPHRASE or from the app's prompt; none is kept beyond the open app.
Starting a team is left to `cope-tui sync` at a terminal, where the passphrase is typed
twice.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import AuthFailed, Cancelled, NeedInput, NoTeamYet, Offline, SyncError, WrongTeamPassphrase
from .parts import part_name

if TYPE_CHECKING:  # the engine and its HTTP client load with the first sync, not with the CLI
    from ..store.store import Store
    from .couch import Couch
    from .engine import Conflict, SyncEngine, SyncReport, SyncStatus
    from .prepared import Prepared
    from .seal import TeamKey

ENV_USER = "COPE_TUI_SYNC_USER"
ENV_PASSWORD = "COPE_TUI_SYNC_PASSWORD"
ENV_TEAM = "COPE_TUI_TEAM_PASSPHRASE"
SWITCH_SECONDS = 0.0005
APP_PULL_BATCH = 100  # records per pulled batch beside the app: shorter steps (see pull.Pulling)
BEHIND = 10  # the sync thread's nice value: a lower priority than the app's UI
# Giving way to a typist (see Runner.give_way): a key within TYPING_PAUSE seconds means
# someone is typing; the sync then waits at most GIVE_WAY_MAX for a pause, and works at
# least WORK_SLICE before it waits again, so steady typing slows it to about 5%.
TYPING_PAUSE = 0.3
GIVE_WAY_MAX = 1.0
WORK_SLICE = 0.05


_switching = threading.Lock()
_short_holders = 0
_interval_before = 0.0


@contextmanager
def short_switches() -> Iterator[None]:
    """A sync (or the look back at start) is Python work in a thread: the UI's thread
    waits for the interpreter's lock at each of its steps, up to a switch interval each
    time. Shorter while one runs, so typing keeps its pace (the work gets a little slower
    instead). Counted: the look back and a sync may overlap, and the interval set
    before the first of them comes back after the last."""
    global _short_holders, _interval_before
    with _switching:
        if not _short_holders:
            _interval_before = sys.getswitchinterval()
            sys.setswitchinterval(min(_interval_before, SWITCH_SECONDS))
        _short_holders += 1
    try:
        yield
    finally:
        with _switching:
            _short_holders -= 1
            if not _short_holders:
                sys.setswitchinterval(_interval_before)


@dataclass(frozen=True)
class Outcome:
    kind: str  # synced, offline, passphrase (the team passphrase is needed), login, no team, failed
    message: str = ""
    report: SyncReport | None = None
    changed: list[tuple[str, str]] = field(default_factory=list)


class Runner:
    """One open DB's team sync, for the app."""

    def __init__(self, store: Store, remote: str, user: str, *, team_passphrase: str | None = None):
        self.store, self.remote, self.user = store, remote, user
        self.team_passphrase = team_passphrase or os.environ.get(ENV_TEAM) or None
        # A team passphrase typed twice in the app: the next sync starts the team with it
        # when the server holds none yet (see _start_team).
        self.new_team: str | None = None
        # The login at the server: from the variables, or typed in the app when the server
        # asks for one (see _run); in memory only, like the passphrases.
        user, password = os.environ.get(ENV_USER) or None, os.environ.get(ENV_PASSWORD) or None
        self.login: tuple[str, str] | None = (user, password) if user and password else None
        self._started = ""  # said once, with the sync that started the team
        self.engine: SyncEngine | None = None
        self._couch: Couch | None = None
        self._lock = threading.Lock()
        self.open_records: Callable[[], set[tuple[str, str]]] = set
        self.offer_open: Callable[[list], set[tuple[str, str]]] = lambda items: set()
        self.last: Outcome | None = None
        self.earlier: SyncStatus | None = None  # what look_back found
        self._prepared: Prepared | None = None  # look_back's reading, until a sync takes it
        self._prepare_lock = threading.Lock()
        self._cancel = threading.Event()
        # When the app last had a key (time.monotonic()), read from the sync's thread;
        # None: no app, nobody to give way to.
        self.last_input: Callable[[], float] | None = None
        self._slice_start: float | None = None

    @property
    def closing(self) -> bool:
        """Asked to stop: a sync waiting for the app's answer stops waiting."""
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def run(self) -> Outcome:
        """One sync (blocking: call it in a worker thread); "busy" when one is running."""
        if self._cancel.is_set() or not self._lock.acquire(blocking=False):
            return Outcome("busy", "A sync is running already.")
        try:
            with short_switches():
                done: list[Outcome | BaseException] = []
                thread = threading.Thread(target=self._run_behind, args=(done,), name="cope-sync", daemon=True)
                thread.start()
                thread.join()
            if isinstance(done[0], BaseException):
                raise done[0]  # to the caller, as if it had run there
            self.last = done[0]
            return self.last
        finally:
            self._lock.release()

    def _run_behind(self, done: list[Outcome | BaseException]) -> None:
        """On a thread of its own that the system runs after the app's when both are ready
        (on Linux, where a thread can have its own priority): on a 2-core machine the
        server, the sync and the app's UI often want the cores at once. The thread the
        DB's fold-in starts from here inherits it; the sync waits for that fold-in, so it
        also runs under the short switch interval."""
        if sys.platform == "linux":
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BEHIND)
            except OSError:
                pass  # not allowed here: the sync runs at the app's priority
        try:
            outcome = self._run()
            self.store.wait_for_compaction()
            done.append(outcome)
        except BaseException as exc:
            done.append(exc)

    def give_way(self) -> None:
        """Between two records of a sync: while someone types, wait for a pause. The
        sync's every step takes the interpreter and a core from the app, and even with
        no long step a busy sync thread doubled the time the slowest keys took; a
        background sync can wait, a typist should not. Never starves the sync: after
        GIVE_WAY_MAX of waiting it works WORK_SLICE before it waits again."""
        last = self.last_input
        if last is None or self._cancel.is_set():
            return
        now = time.monotonic()
        if now - last() >= TYPING_PAUSE:
            self._slice_start = None
            return
        if self._slice_start is not None and now - self._slice_start < WORK_SLICE:
            return
        end = now + GIVE_WAY_MAX
        quiet = now - last()
        while quiet < TYPING_PAUSE and now < end and not self._cancel.is_set():
            time.sleep(max(0.01, min(TYPING_PAUSE - quiet, end - now)))
            now = time.monotonic()
            quiet = now - last()
        self._slice_start = now if quiet < TYPING_PAUSE else None

    def _run(self) -> Outcome:
        try:
            engine = self._engine()
            report = engine.sync(cancel=self._cancel)
        except Offline as exc:
            self._drop_connection(keep_reading=True)
            return Outcome("offline", str(exc))
        except NoTeamYet as exc:
            self._drop_connection()
            return Outcome("no team", str(exc))
        except (WrongTeamPassphrase, NeedInput) as exc:
            self.team_passphrase = None
            self._drop_connection()
            return Outcome("passphrase", str(exc))
        except AuthFailed as exc:  # none given, or not accepted: the app asks for one
            self.login = None
            self._drop_connection()
            return Outcome("login", str(exc))
        except SyncError as exc:
            self._drop_connection()
            return Outcome("failed", str(exc))
        started, self._started = self._started, ""
        return Outcome("synced", started, report=report, changed=list(report.changed))

    def _engine(self) -> SyncEngine:
        if self.engine is not None:
            return self.engine
        from .couch import Couch
        from .engine import SyncEngine
        from .seal import open_team
        from .team import read_team

        couch = Couch(self.remote, auth=self.login)
        try:
            doc = read_team(couch)
            if doc is None:
                team = self._start_team(couch)
            elif self.team_passphrase is None:
                raise NeedInput(f"The team passphrase for {couch.shown} is needed to sync.")
            else:
                team = open_team(doc, self.team_passphrase)
            with self._prepare_lock:  # a look back under way is waited for, then taken over
                prepared, self._prepared = self._prepared, None
                engine = SyncEngine(self.store, couch, team, self.user, prepared=prepared)
        except BaseException:
            couch.close()
            raise
        engine.open_records = lambda: self.open_records()
        engine.overlap = False  # beside the app: one busy thread, so typing keeps its pace
        engine.pull_batch = APP_PULL_BATCH
        engine.give_way = self.give_way
        engine.offer_open = lambda items: self.offer_open(items)
        self._couch, self.engine = couch, engine
        return engine

    def _start_team(self, couch: Couch) -> TeamKey:
        """The server holds no team yet: started with the passphrase typed twice in the
        app (`new_team`), asked for first (NoTeamYet). Two members starting at the same
        moment: the server keeps the first key document, and the other is asked for
        that team's passphrase instead."""
        from .team import start_team

        phrase, self.new_team = self.new_team, None
        if phrase is None:
            raise NoTeamYet(f"{couch.shown} holds no team yet.")
        team = start_team(couch, lambda: phrase)
        if team is None:
            self.team_passphrase = None
            raise NeedInput(f"Another member started the team at {couch.shown} a moment ago: type the passphrase they chose.")
        self.team_passphrase = phrase
        self._started = (f"Started the team at {couch.shown}. Give the team passphrase to each member in person, "
                         "never by e-mail or chat: whoever has it can read the team's records.")
        return team

    def _drop_connection(self, *, keep_reading: bool = False) -> None:
        """After a failure, the next sync connects afresh (the server may be back, or
        another). `keep_reading`: offline, the engine's state and look at the DB are kept
        for the next one (see SyncEngine.hand_back)."""
        if self.engine is not None and keep_reading and not self._cancel.is_set():
            with self._prepare_lock:
                self._prepared = self.engine.hand_back()
        elif self.engine is not None:
            self.engine.close()
        if self._couch is not None:
            self._couch.close()
        self.engine = self._couch = None

    def look_back(self, read: Callable[[], None] = lambda: None) -> SyncStatus | None:
        """When this DB last synced, its open conflicts and what waits to go, as the last
        session left them (blocking: a worker thread calls it at the app's start).
        Without it the header said "not synced yet" until the first sync of the session,
        which waits for the team passphrase. `read` is called once the state is read
        (the last sync and the conflicts are known); counting what waits takes longer.
        Asks no server and writes nothing; what it finds is handed to the first sync
        (see prepared.py), which waits for it."""
        from .prepared import prepare

        # Reading the state holds the interpreter for most of a second at 50,000 meetings:
        # not while someone types (the app's start is when a code is typed to find a client).
        self.give_way()
        with self._prepare_lock, short_switches():
            if self.engine is not None or self._prepared is not None or self.closing:
                return self.status()
            try:
                prepared = prepare(self.store)
            except SyncError:  # a damaged state: the first sync says what to do about it
                return None
            if prepared is None:
                return None
            self._prepared, self.earlier = prepared, prepared.status()
        # Outside the lock: `read` waits for the UI thread, which may be waiting for this
        # lock (Runner.close as the app leaves).
        read()
        with self._prepare_lock, short_switches():
            if self._prepared is not prepared:  # taken by a sync, or let go as the app closes
                return self.status()
            try:
                prepared.look(self.give_way, self._cancel)
            except BaseException as exc:  # the app closing, or a fault: the first sync looks again
                self._prepared = None
                prepared.close()
                if isinstance(exc, Cancelled):
                    return None
                raise
        return self.status()

    def status(self) -> SyncStatus | None:
        if self.engine is not None:
            return self.engine.status()
        prepared = self._prepared
        return prepared.status() if prepared is not None else self.earlier

    def conflicts(self) -> list[Conflict]:
        return self.engine.conflicts() if self.engine is not None else []

    def parts_in_conflict(self, table: str, record_id: str) -> list[str]:
        """The parts of one record kept in two versions (from the state as the last sync or
        the last session left it). Cheap enough for the UI thread: one pass over a copy
        of the state's records, opening none."""
        engine, prepared = self.engine, self._prepared
        state = engine.state if engine is not None else prepared.state if prepared is not None else None
        if state is None:
            return []
        return [
            (part_name(table, c["path"]) if c["kind"] == "field" else "") or "the whole record"
            for rec in list(state.records.values())
            if rec["conflicts"] and rec["id"] == record_id and rec["t"] == table
            for c in rec["conflicts"]
        ]

    def choose(self, conflict_id: str, *, take_other: bool, both: bool = False) -> str:
        """Settle a conflict (blocking: it waits for a running sync); "" or why not."""
        if self.engine is None:
            return "Sync once first: the conflicts are known after a sync."
        from .merge import CannotChoose

        try:
            self.engine.choose(conflict_id, take_other=take_other, both=both)
        except CannotChoose as exc:
            return str(exc)
        except SyncError as exc:
            return str(exc)
        return ""

    def close(self) -> None:
        """Stop a running sync between two batches (what it did is kept) and let go of
        the server and the state files; the DB can then be closed."""
        self._cancel.set()
        with self._lock:
            self._drop_connection()
        with self._prepare_lock:  # a look back under way stops at its next record
            if self._prepared is not None:
                self._prepared.close()
                self._prepared = None


TABLE_WORDS = {"clients": "client", "meetings": "meeting", "exercises": "COPE exercise"}


def describe(conflict: Conflict, *, named: bool = False) -> str:
    """One line about a conflict: which record, what part, who; never the content, except
    the record's label where `named` (the app's screen, which shows those anyway)."""
    from ..store.record_check import shown

    # A member's name, a record's id and a conflict's id came in a team member's sealed
    # payload: escaped like any stored text before they reach a terminal (the CLI prints this).
    what = TABLE_WORDS.get(conflict.table, shown(conflict.table))
    where = part_name(conflict.table, conflict.path)
    by = shown(conflict.by)
    if conflict.kind == "finalised":
        how = f"another version of this finalised meeting (by {by}) is kept beside it"
    elif conflict.kind == "deleted":
        how = f"deleted by {by} but changed elsewhere: kept"
    else:
        # Not "changed here and by X": the conflict travels with the record, and on X's
        # own machine the version in the record may be the other worker's.
        how = f"{where or 'the record'} in two versions, one by {by}; both are kept"
    which = conflict.label if named and conflict.label else shown(conflict.record_id[:8])
    return f"{what} {which}: {how} (conflict {shown(conflict.id)})"
