"""App mixin for team sync: the header's word on it, F10 to sync now, F11 for the
conflicts, and the background sync every `[sync] every_minutes`.

Typing never waits for the network: the sync runs in a worker thread (sync/runner.py)
and hands its outcome back as a message; the UI thread only reads the engine's status,
which never waits for a running sync. Offline is an ordinary state, shown in the header
as "offline, will sync", never as an error dialog.

A record open on a screen takes what the sync merged when that screen has no unsaved
edit (a client being looked at, a finalised meeting being read, a draft not typed in
since its last save): the screen shows the merged version, on the UI thread, before the
DB holds it, so no key typed afterwards edits the older copy. A screen with an unsaved
edit (or a dialog open over it) keeps its version; the record is merged once the screen
is closed (the app syncs again then), and the header counts it as waiting meanwhile.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from textual.message import Message
from textual.widgets import Header

from ..paths import db_command
from ..settings import config_path
from ..sync.runner import Outcome, Runner
from ..words import counted
from ..dialogs.key_names import with_keys
from .team_prompts import TeamPrompts

STATUS_SECONDS = 2.0  # how often the header's counts are looked at again
LOOK_BACK_AFTER = 2.0  # seconds of the app's start left to it before the look back
LOOKING = "{app.sync|F10} syncs"  # the header's word on the sync until the look back has answered
OFFER_SECONDS = 5.0  # a sync waits this long for the screens' answer, then leaves them be
KEYS = {"meeting_id": "meetings", "exercise_id": "exercises", "client_id": "clients"}
HEADER_SIDES = 4  # the title bar's icon (3) and clock space (1) columns, as app.tcss sets them


class SyncFinished(Message):
    """A sync's outcome, handed from its worker thread to the UI's."""

    def __init__(self, outcome: Outcome):
        super().__init__()
        self.outcome = outcome


class Offer:
    """Merged versions of open records, asked of the screens by the sync's thread. The
    lock makes the answer and giving up on it exclusive: a screen never shows a version
    the sync has stopped waiting for (and so will not write)."""

    def __init__(self, items: list[tuple[str, str, object]]):
        self.items = items
        self.taken: set[tuple[str, str]] = set()
        self.lock = threading.Lock()
        self.answered = threading.Event()
        self.expired = False


class SyncOffer(Message):
    def __init__(self, offer: Offer):
        super().__init__()
        self.offer = offer


def _when(iso: str | None) -> str:
    if not iso:
        return "never"
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        return "?"
    return at.strftime("%H:%M") if at.date() == datetime.now().date() else at.strftime("%d %b %H:%M")


class TeamSync(TeamPrompts):
    """App mixin. Needs the app's session, settings, screen_stack, capture_all, notify."""

    sync_runner: Runner | None = None
    sync_text = ""
    sync_short = ""  # the same without "F10 syncs", where the whole leaves no room (format_title)
    look_back_after = LOOK_BACK_AFTER
    _look_back_done = False  # the look back at the app's start has answered (see _looked_back)
    _sync_every_timer = None
    _kept_on_screen: frozenset[tuple[str, str]] = frozenset()  # records the last sync left to their screens
    _conflicts_after_sync = False  # F11 before the session's first sync: the chooser follows it
    _ask_if_needed = False  # F10 pressed: what the sync needs is asked for once the server has answered

    def start_team_sync(self) -> None:
        """Once the DB is open (and unlocked): nothing happens without `[sync] remote`."""
        remote, user = self.settings.sync_remote, self.settings.user_name
        if not remote or self.sync_runner is not None or self.session.store.read_only:
            return
        if not user:
            self.notify(not_set_up(remote, user), title="Team sync", severity="warning", timeout=15)
            return
        self.sync_runner = Runner(self.session.store, remote, user)
        self.sync_runner.open_records = self.open_records
        self.sync_runner.offer_open = self.offer_synced
        self.sync_runner.last_input = lambda: self._last_input  # the sync gives way to a typist
        self._set_sync_text(with_keys(self, LOOKING))
        self.run_worker(self._look_back, thread=True, group="sync-look", exit_on_error=False)
        self.set_interval(STATUS_SECONDS, self._refresh_sync_status)
        self.sync_every_seconds = self.settings.sync_every_minutes * 60.0

    @property
    def sync_every_seconds(self) -> float | None:
        return getattr(self, "_sync_every", None)

    @sync_every_seconds.setter
    def sync_every_seconds(self, seconds: float | None) -> None:
        """Background sync period (None or 0: only on request); tests set a tiny one."""
        self._sync_every = seconds or None
        if self._sync_every_timer is not None:
            self._sync_every_timer.stop()
            self._sync_every_timer = None
        if self._sync_every:
            self._sync_every_timer = self.set_interval(self._sync_every, self._background_sync)
            self.call_after_refresh(self._background_sync)  # and once now

    def _look_back(self) -> None:
        """The header says when the DB last synced as soon as that is read, and what
        waits once it is counted. Not at once: at 50,000 meetings the look back takes
        the interpreter for a second or more, and run beside the app's start, the client
        list a code was typed for at once showed after 1.9-2.7 s instead of 0.3-0.6. So
        the app's start gets LOOK_BACK_AFTER to itself, and the look back then waits for
        a pause in any typing. (Waiting for the DB's loading here made it worse: its
        last part then ran at once, in this thread, beside the start.)"""
        runner = self.sync_runner
        if runner is None:
            return
        start = time.monotonic()
        while time.monotonic() - start < self.look_back_after and not runner.closing:
            time.sleep(0.05)
        try:
            runner.look_back(read=self._looked_back)
        finally:
            self._looked_back()

    def _looked_back(self) -> None:
        """From the look back's thread: the header may say what it knows (until then it
        claims nothing: "not synced yet" for a DB that synced yesterday alarmed)."""
        self._look_back_done = True
        self._refresh_from_thread()

    def _refresh_from_thread(self) -> None:
        try:
            self.call_from_thread(self._refresh_sync_status)
        except RuntimeError:
            pass  # the app closed meanwhile

    def open_records(self) -> set[tuple[str, str]]:
        """(table, id) of every record open on a screen. Called from the sync's thread: a
        copy of the stack (one step) and plain attribute reads."""
        return {key for screen in self.screen_stack for key in _holds(screen)}

    def offer_synced(self, items: list[tuple[str, str, object]]) -> set[tuple[str, str]]:
        """From the sync's thread: which of these merged versions the screens took."""
        offer = Offer(items)
        try:
            if not self.post_message(SyncOffer(offer)):
                return set()  # the app is closing: nothing is shown, nothing taken
        except RuntimeError:
            return set()
        end = time.monotonic() + OFFER_SECONDS
        while not offer.answered.wait(0.05):
            runner = self.sync_runner
            if time.monotonic() > end or runner is None or runner.closing:
                with offer.lock:
                    offer.expired = not offer.answered.is_set()
                break
        if offer.expired:  # left to their screens, as if refused: merged once they are closed
            self._kept_on_screen |= {(table, rid) for table, rid, _doc in items}
            return set()
        return offer.taken

    def on_sync_offer(self, message: SyncOffer) -> None:
        offer = message.offer
        with offer.lock:
            if offer.expired:
                return
            try:
                offer.taken = {(table, rid) for table, rid, doc in offer.items if self._screens_take(table, rid, doc)}
                self._kept_on_screen |= {(table, rid) for table, rid, _doc in offer.items} - offer.taken
            finally:
                offer.answered.set()

    def _screens_take(self, table: str, record_id: str, doc) -> bool:
        """Every screen showing the record must take it; one that cannot keeps it for all."""
        showing = [s for s in self.screen_stack if (table, record_id) in _holds(s)]
        if not all(callable(getattr(s, "take_synced", None)) for s in showing):
            return False
        return all(s.take_synced(table, doc) for s in showing)

    def _show_synced(self, changed: list[tuple[str, str]]) -> None:
        """Screens that read their record from the DB show what the sync wrote there, and
        so do those listing a table the sync brought records of (`lists`)."""
        tables = {table for table, _rid in changed}
        for screen in self.screen_stack:
            show = getattr(screen, "show_synced", None)
            if show is None:
                continue
            if tables.intersection(getattr(screen, "lists", ())) or any(
                getattr(screen, attr, None) == rid and KEYS[attr] == t for t, rid in changed for attr in KEYS
            ):
                show()

    def stop_team_sync(self) -> None:
        """Before the DB closes: a running sync stops after its current batch."""
        if self.sync_runner is not None:
            self.sync_runner.close()

    # ---- syncing -------------------------------------------------------------------

    def _background_sync(self) -> None:
        # Under the idle lock too: a sync shows no record.
        if self.sync_runner is not None and not self.sync_runner.running:
            if self.sync_runner.team_passphrase is not None:  # never a prompt out of the blue
                self._run_sync()

    def action_sync_now(self) -> None:
        runner = self.sync_runner
        if runner is None and self.session.store.read_only:
            self.notify("This database is open read-only: a sync would write what it receives, so it does not run.",
                        title="Team sync", timeout=8)
            return
        if runner is None:
            self.notify(not_set_up(self.settings.sync_remote, self.settings.user_name), title="Team sync", timeout=15)
            return
        if runner.running:
            self.notify("A sync is running already.", title="Team sync", timeout=4)
            return
        # The server is asked first: a database with no team yet, or no network, is said
        # so before anyone types a passphrase for nothing. Whatever the sync then needs
        # (a passphrase not given yet, or changed by a member) is asked for at once.
        self._ask_if_needed = True
        self._run_sync()

    def _run_sync(self) -> None:
        self.capture_all()  # everything typed goes into the DB, and from there to the team
        self._set_sync_text("syncing…")
        # A thread of its own, not a Textual worker: the app's exit waits for every worker
        # thread, and one waiting on a server that does not answer left a blank terminal
        # for most of a minute. The command line stops it after the app, and says so.
        self.sync_thread = threading.Thread(target=self._sync_in_thread, name="cope-sync", daemon=True)
        self.sync_thread.start()

    def _sync_in_thread(self) -> None:
        self._kept_on_screen = frozenset()
        started = time.monotonic()
        try:
            self.session.flush()
            outcome = self.sync_runner.run()
        except Exception as exc:  # noqa: BLE001 - as a worker's error would be: said, not raised
            outcome = Outcome("failed", f"The sync stopped: {exc}")
        self._last_sync_seconds = time.monotonic() - started
        try:
            self.post_message(SyncFinished(outcome))
        except RuntimeError:
            pass  # the app stopped meanwhile: the next start syncs again

    def on_sync_finished(self, message: SyncFinished) -> None:
        outcome = message.outcome
        asked, self._ask_if_needed = self._ask_if_needed, False
        if outcome.kind == "busy":
            return
        chooser = self._conflicts_after_sync
        self._conflicts_after_sync = chooser and outcome.kind == "passphrase" and asked  # kept past the prompt
        if chooser and outcome.kind == "synced":
            self.call_after_refresh(self.action_conflicts)
        elif chooser and outcome.kind == "offline":
            self.notify(with_keys(self, "The conflicts left from an earlier sync open once a sync reaches the team "
                                        "({app.sync|F10}, {app.conflicts|F11})."),
                        title="Conflicts", timeout=8)
        if outcome.kind == "login" and asked:
            self._ask_login()
        elif outcome.kind == "login":
            self._tell_once(outcome.message + with_keys(self, " Press {app.sync|F10} to log in."), "warning")
        elif outcome.kind == "no team" and asked:
            self._start_team()
        elif outcome.kind == "no team":
            self._tell_once(outcome.message + with_keys(self, " Press {app.sync|F10} to start it."), "information")
        elif outcome.kind == "passphrase" and asked:
            self._ask_team_passphrase(outcome.message)  # F10 was pressed for this sync
        elif outcome.kind == "passphrase":
            self._tell_once(outcome.message + with_keys(self, " Press {app.sync|F10} to type it."), "warning")
        elif outcome.kind == "failed":
            self._tell_once(outcome.message, "warning", timeout=15, again=asked)  # F10 always answers
        if outcome.kind == "synced":
            self._told_in_background = ""  # the next problem is news again
        if outcome.kind == "synced" and outcome.report is not None:
            if outcome.message:  # the team was started by this sync
                self.notify(outcome.message, title="Team sync", timeout=15)
            report = outcome.report
            self._tell_unused(report, asked)
            self._tell_new_conflicts(report)
            if report.received:
                self._repaint_home(counts=True)
                self._show_synced(outcome.changed)
        self._refresh_sync_status()

    sync_thread: threading.Thread | None = None  # the last sync started (_run_sync)
    _told_in_background = ""
    _told_unused: tuple[str, ...] = ()
    _conflicts_known: set[str] | None = None  # the open conflicts after the last sync

    def _tell_new_conflicts(self, report) -> None:
        """Said once, as they arrive. Found with two workers: the notes being typed were
        replaced by the other worker's version (the two kept as a conflict), and only the
        header's count said why."""
        ids = {c.id for c in report.conflicts}
        before, self._conflicts_known = self._conflicts_known, ids
        if before is None:  # the session's first sync: those the last session left are not news
            earlier = self.sync_runner.earlier if self.sync_runner is not None else None
            new = len(ids) - (earlier.conflicts if earlier is not None else 0)
        else:
            new = len(ids - before)
        if new > 0:
            self.notify(f"{counted(new, 'new conflict')}: two versions of a part are kept. "
                        + with_keys(self, "{app.conflicts|F11} shows them, to choose which stays."),
                        title="Team sync", severity="warning", timeout=12)

    def _tell_unused(self, report, asked: bool) -> None:
        """Records from the team this DB could not use (a version that fails its check
        stays on the server until a good one replaces it): said when they are news, and
        whenever F10 asks, not again at every background sync while they stay the same."""
        unused = tuple(sorted([*report.refused, *report.unstored]))
        if unused and (asked or unused != self._told_unused):
            self.notify(f"{counted(len(unused), 'record')} from the team could not be used here; run "
                        f"`{db_command(self.session.store.path, 'sync')}` at a terminal for the details.",
                        title="Team sync", severity="warning", timeout=15)
        self._told_unused = unused

    def _tell_once(self, text: str, severity: str, timeout: float = 10, again: bool = False) -> None:
        """A problem a background sync meets is said once, not at every interval: the
        header keeps saying it. Said again only after a sync got through, or when it is
        another problem."""
        if text == self._told_in_background and not again:
            return
        self._told_in_background = text
        self.notify(text, title="Team sync", severity=severity, timeout=timeout)

    # ---- what the header says --------------------------------------------------------

    def _refresh_sync_status(self) -> None:
        runner = self.sync_runner
        if runner is not None and getattr(self, "_titled_width", None) != self.size.width:
            self._retitle()  # the terminal was resized
        if runner is None or runner.running:
            return
        last = runner.last
        if self._closed_since_sync(last):  # what was left to its screen is merged now
            self._run_sync()
            return
        status = runner.status()
        if last is None and status is not None:  # synced in an earlier session
            text = f"synced {_when(status.last_sync)} · {{app.sync|F10}} syncs"
        elif last is None and not self._look_back_done:
            text = LOOKING
        elif last is None:
            text = "not synced yet · {app.sync|F10} syncs"
        elif last.kind == "offline":
            text = "offline, will sync"
        elif last.kind == "passphrase":
            text = "team passphrase needed · {app.sync|F10}"
        elif last.kind == "login":
            text = "login needed · {app.sync|F10}"
        elif last.kind == "no team":
            text = "no team yet · {app.sync|F10} starts it"
        elif last.kind == "failed":
            text = "sync failed · {app.sync|F10} retries"
        else:  # the footer leaves F10 out (show=False): the header is where it is named
            text = f"synced {_when(status.last_sync if status else None)} · {{app.sync|F10}} syncs"
        extra = ""
        if status is not None and status.waiting:
            extra += f" · {status.waiting} waiting"
        if status is not None and status.conflicts:
            extra += f" · {counted(status.conflicts, 'conflict')}: {{app.conflicts|F11}}"
        # Where the whole of it leaves no room for a meeting's clock (80 columns), "F10
        # syncs" goes first: F10 is in help and the palette, and the rest is news.
        short = text.removesuffix(" · {app.sync|F10} syncs") + extra if extra and text.endswith(" syncs") else ""
        self._set_sync_text(with_keys(self, text + extra), with_keys(self, short) if short else "")

    def _closed_since_sync(self, last: Outcome | None) -> bool:
        """Did the last sync leave records to their screens, and is one of those closed now?"""
        if last is None or last.report is None or not last.report.deferred:
            return False
        if self.sync_runner.team_passphrase is None:
            return False
        return not self.open_records() >= self._kept_on_screen

    def _set_sync_text(self, text: str, short: str = "") -> None:
        if (text, short) == (self.sync_text, self.sync_short):
            return
        self.sync_text, self.sync_short = text, short
        self._retitle()

    def _retitle(self) -> None:
        from textual.widgets._header import HeaderTitle

        self._titled_width = self.size.width  # what is cut to fit depends on it

        for screen in self.screen_stack:
            for header in screen.query(Header):
                for title in header.query(HeaderTitle):
                    title.update(header.format_title())

    def format_title(self, title: str, sub_title: str):
        """Every screen's header: its own title, then the team sync's word, if any. When
        they do not fit (80 columns, the home screen's counts, a meeting's clock), the
        sync's word stays whole, as it says what to press (F10, F11), and so does the
        screen's state (title_bar.py): its title is cut first."""
        from textual.content import Content

        from .title_bar import fit_title, fits

        tail = "  ·  " + self.sync_text if self.sync_text else ""
        if self.sync_short and not fits(title, sub_title, self.size.width - HEADER_SIDES - len(tail)):
            tail = "  ·  " + self.sync_short
        content = fit_title(title, sub_title, self.size.width - HEADER_SIDES - len(tail))
        return Content.assemble(content, (tail, "dim")) if tail else content

    # ---- conflicts -----------------------------------------------------------------

    def refuse_while_in_conflict(self, table: str, record_id: str) -> bool:
        """True, with a word, when team sync kept two versions of a part of this record: a
        meeting finalised then keeps the one shown for good, and the other (perhaps this
        worker's own words) could only be copied into an addendum."""
        runner = self.sync_runner
        parts = runner.parts_in_conflict(table, record_id) if runner is not None else []
        if parts:
            self.notify(f"Team sync kept two versions of: {', '.join(dict.fromkeys(parts))}. "
                        + with_keys(self, "Choose first ({app.conflicts|F11}); a finalised meeting never changes."),
                        title="Not finalised", severity="warning", timeout=12)
        return bool(parts)

    def action_conflicts(self) -> None:
        from ..dialogs.conflicts import ConflictsDialog

        runner = self.sync_runner
        if runner is None:
            self.action_sync_now()  # says how to set it up
            return
        if any(isinstance(screen, ConflictsDialog) for screen in self.screen_stack):
            # One chooser at a time: F11 pressed in it (or a sync it waited for ending)
            # stacked a second, and the one left under it kept a list from before.
            return
        if runner.engine is None and runner.earlier is not None and runner.earlier.conflicts:
            # Left from an earlier session: they open with the team (its passphrase), so
            # the sync runs first and the chooser follows it.
            self._conflicts_after_sync = True
            self.action_sync_now()
            return
        self.push_screen(ConflictsDialog(self.sync_runner.conflicts()), self._chosen)

    def _chosen(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        conflict_id, how = choice
        self.capture_all()

        def settle() -> None:
            self.session.flush()
            runner = self.sync_runner
            record = next(((c.table, c.record_id) for c in runner.conflicts() if c.id == conflict_id), None)
            problem = runner.choose(conflict_id, take_other=how == "take", both=how == "both")
            self.call_from_thread(self._after_choice, problem, record)

        self.run_worker(settle, thread=True, group="sync-choose", exit_on_error=False)

    def _after_choice(self, problem: str, record: tuple[str, str] | None = None) -> None:
        if problem:
            self.notify(problem, title="Conflict", severity="warning", timeout=10)
        else:
            self.notify("Chosen; the team gets it with the next sync.", title="Conflict", timeout=5)
            self._repaint_home(counts=True)
            if record is not None:
                self._show_synced([record])  # a screen that reads its record from the DB shows the choice
        self._refresh_sync_status()
        if self.sync_runner is not None and self.sync_runner.conflicts():
            self.action_conflicts()  # the next one, until none is left or esc


def not_set_up(remote: str | None, user: str | None) -> str:
    """What to write, and where: "config.toml" alone left a new user looking for the file."""
    lines = ([] if remote else ["[sync]", 'remote = "https://server/team"']) + ([] if user else ["[user]", 'name = "Your name"'])
    what = "Team sync needs your name, recorded on what you sync" if remote and not user else "Team sync is not set up"
    return f"{what}. Add to {config_path()}, then start cope-tui again:\n" + "\n".join(lines) + "\n(README: Working as a team)"


def _holds(screen) -> set[tuple[str, str]]:
    """The records a screen shows (its meeting_id, client_id or exercise_id), and those it
    keeps to edit again (`held_records`: the follow-through lists' ticked clients)."""
    found = {(table, value) for attr, table in KEYS.items() if isinstance(value := getattr(screen, attr, None), str)}
    held = getattr(screen, "held_records", None)
    return found | held() if callable(held) else found
