"""The Textual app: global keys, navigation, unlock, and a clean exit on hang-up.

The app owns navigation: screens and widgets ask (widgets/navigation.py), the App pushes
(`Navigation` below). One screen per record: a meeting or an exercise open further back
is never opened a second time on top, since two screens holding one record would
overwrite each other's saves. Screens are imported as they are first opened, so start-up
loads only the client list. Save status, the idle lock and team sync are mixins in
widgets/ (save_status.py, idle_lock.py, team_sync.py).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from .session import Session
from .dialogs.key_names import with_keys
from .settings import Settings, load_settings
from .store.autosave import SaveStatus
from .widgets.key_order import KeyOrder
from .widgets.navigation import (
    OpenCasePlan,
    OpenClient,
    OpenExercise,
    OpenExercises,
    OpenFollowThrough,
    OpenHandover,
    OpenMeeting,
    ShowExport,
)
from .widgets.idle_lock import IdleLock
from .widgets.left_open import KeptWords
from .widgets.one_line_paste import OneLinePaste
from .widgets.palette import CopeCommands
from .widgets.save_status import SaveStatusNews
from .widgets.signal_exit import SignalExit
from .widgets.team_sync import TeamSync
from .widgets.terminal_guard import GuardedOutput
from .widgets.toasts import OneToastPerMessage

if TYPE_CHECKING:
    from .search import Result

# Our theme names (settings.THEMES) as Textual knows them.
TEXTUAL_THEMES = {"dark": "textual-dark", "light": "textual-light", "ansi-dark": "ansi-dark", "ansi-light": "ansi-light"}


FURTHER_BACK = "That {} is already open further back. Press esc to close the screens above it."


class Navigation:
    """App mixin: the handlers of the navigation messages, and F4's search."""

    def _on_top_or_back(self, kind: type[Screen], attr: str, record_id: str, what: str) -> Screen | None | bool:
        """The screen of this record if it is on top; False (and why) if it is further
        back; None if it is not open at all."""
        screen = next(
            (s for s in reversed(self.screen_stack) if isinstance(s, kind) and getattr(s, attr) == record_id), None
        )
        if screen is not None and screen is not self.screen:
            self.notify(FURTHER_BACK.format(what), severity="warning", timeout=8)
            return False
        return screen

    def on_open_client(self, message: OpenClient) -> None:
        self.show_client(message.client_id)

    def show_client(self, client_id: str) -> Any:
        """The client's screen on top: pushed unless it is already; what it returns is
        awaited until the screen is mounted (None: it was there)."""
        from .screens.client import ClientScreen

        top = self.screen
        if isinstance(top, ClientScreen) and top.client_id == client_id:
            return None
        return self.push_screen(ClientScreen(client_id))

    async def on_open_meeting(self, message: OpenMeeting) -> None:
        from .screens.meeting import MeetingScreen

        screen = self._on_top_or_back(MeetingScreen, "meeting_id", message.meeting_id, "meeting")
        if screen is False:
            return
        if screen is None:
            screen = MeetingScreen(message.meeting_id)
            await self.push_screen(screen)
        if message.step and screen.meeting is not None and message.step in {s.id for s in screen.steps()}:
            screen.open_step(message.step)

    def on_open_exercises(self, _message: OpenExercises) -> None:
        from .screens.exercises import ExercisesScreen

        self.push_screen(ExercisesScreen())

    async def on_open_exercise(self, message: OpenExercise) -> None:
        from .screens.exercise import ExerciseScreen

        screen = self._on_top_or_back(ExerciseScreen, "exercise_id", message.exercise_id, "exercise")
        if screen is None:
            self.push_screen(ExerciseScreen(message.exercise_id, section=message.section or "overview"))
        elif screen is not False and message.section:
            await screen.open_section(message.section)

    def on_open_case_plan(self, message: OpenCasePlan) -> None:
        from .screens.case_plan import CasePlanScreen

        self.push_screen(CasePlanScreen(message.client_id))

    def on_open_follow_through(self, message: OpenFollowThrough) -> None:
        from .screens.follow_through import FollowThroughScreen

        self.push_screen(FollowThroughScreen(message.client_id))

    def on_open_handover(self, message: OpenHandover) -> None:
        from .screens.handover import HandoverScreen

        self.push_screen(HandoverScreen(message.client_id))

    def on_show_export(self, message: ShowExport) -> None:
        from .screens.export_preview import ExportPreview

        self.push_screen(
            ExportPreview(
                client_id=message.client_id,
                meeting_id=message.meeting_id,
                meeting=message.meeting,
                handover=message.handover,
            )
        )

    # ---- F4: search over whatever is showing --------------------------------------

    def toggle_search(self) -> None:
        """F4 opens search, F4 again closes it; never over the privacy screen or the palette.
        A result opens where the match is: a client, a meeting's step, an exercise's section."""
        from .dialogs.privacy import PrivacyScreen
        from .screens.search import SearchScreen

        screen = self.screen
        if isinstance(screen, SearchScreen):
            screen.dismiss(None)
            return
        if isinstance(screen, (PrivacyScreen, CommandPalette)):
            return
        self.push_screen(SearchScreen(), self._open_result)

    async def _open_result(self, result: Result | None) -> None:
        """Handled at once rather than posted: the keys typed after enter go to the screen opened."""
        if result is None:
            return
        if result.kind == "client":
            self.on_open_client(OpenClient(result.record_id))
        elif result.kind == "exercise":
            await self.on_open_exercise(OpenExercise(result.record_id, result.place or None))
        else:
            await self.on_open_meeting(OpenMeeting(result.record_id, result.place or None))


class CopeApp(
    Navigation, SignalExit, TeamSync, SaveStatusNews, KeptWords, IdleLock, KeyOrder, OneLinePaste, GuardedOutput,
    OneToastPerMessage, App[None],
):
    TITLE = "cope-tui"
    CSS_PATH = "app.tcss"
    # Only ours: Textual's system commands (Keys, Maximize, Screenshot...) are not a
    # facilitator's, and some of them fail in this app.
    COMMANDS = {CopeCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f1", "help", "Help", id="app.help", priority=True),
        Binding("question_mark", "help", "Help", show=False, id="app.help_alt"),
        Binding("f2", "privacy", "Privacy", id="app.privacy", priority=True),
        Binding("ctrl+backslash", "privacy", "Privacy", show=False, id="app.privacy_alt", priority=True),
        Binding("f4", "search", "Search all", id="app.search", priority=True),
        Binding("ctrl+s", "save_now", "Save", show=False, id="app.save"),
        Binding("f12", "lock_now", "Lock now", show=False, id="app.lock", priority=True),
        # Function keys: they pass through tmux and SSH, and no editor takes them.
        Binding("f10", "sync_now", "Sync", show=False, id="app.sync", priority=True),  # the header names it
        Binding("f11", "conflicts", "Conflicts", show=False, id="app.conflicts", priority=True),
        # Priority, so they act in order with the keys around them (widgets/key_order.py).
        Binding("tab", "focus_next", "Next field", show=False, id="app.focus_next", priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, id="app.focus_prev", priority=True),
        Binding("enter", "submit_field", show=False, id="app.submit_field", priority=True),
    ]

    def __init__(self, session: Session, *, meet_code: str | None = None, settings: Settings | None = None):
        super().__init__()
        self.session = session
        self.meet_code = meet_code
        self.settings = settings or Settings()
        self._idle_seconds = self.settings.idle_seconds
        self.user_keys: dict[str, str] = {}  # [keys], once checked: binding id to keys
        self._last_input = time.monotonic()
        self._idle_timer = None
        self._mounted_app = False
        self._started = False  # the home screen is up: before that there is nothing to lock
        self.locked = False  # the unlock or lock screen covers everything
        self.save_status = SaveStatus(0)
        # No version after the title: a screen with nothing to add (a quiet home screen, a
        # client) showed "— 0.1.0", read as a count or a state; --version says it.
        self.sub_title = ""
        self._ui_thread = threading.get_ident()
        self._quit_armed = False
        self._load_started = False
        # Set once search's text is read after the load (or that failed): the home counts
        # wait for it, so the two walks over every client do not share the interpreter.
        self.search_warmed = threading.Event()
        self.crash_message = ""  # after a bug: what the user is told, report path included
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Keys move at once: an animated scroll took over half a second to reach the end
            # of a long dialog over tmux, long enough to read as stopping short (and each of
            # its frames crosses an SSH link). Textual's variable still chooses, if set.
            self.animation_level = "none"

    # ---- start and stop --------------------------------------------------------

    def get_default_screen(self) -> Screen:
        """The client list is the bottom screen, so the first frame paints it (an empty
        screen under it cost start-up a frame of its own). An encrypted DB starts on a
        blank screen under the unlock prompt; the list is pushed once unlocked."""
        if getattr(self.session.store, "locked", False):
            return super().get_default_screen()
        from .screens.clients import ClientsScreen

        return ClientsScreen()

    def on_mount(self) -> None:
        # 16 colours shade like NO_COLOR: app.tcss then marks focus with more than a shade.
        self.set_class(self.console.color_system in ("standard", "windows"), "-few-colours")
        self.session.watch(self._status_from_saver)
        self._install_signal_handlers()
        for warning in self.settings.warnings:
            self.notify(warning, title="Settings", severity="warning", timeout=15)
        if self.settings.theme:
            self.theme = TEXTUAL_THEMES[self.settings.theme]
        if self.settings.keys:
            from .widgets.keymap_check import check_keymap

            keymap, warnings = check_keymap(self.settings.keys, self.settings.keys_file, type(self))
            self.user_keys = keymap  # the keys hints name (dialogs/key_names.py)
            self.set_keymap(keymap)
            for warning in warnings:
                self.notify(warning, title="Keys", severity="warning", timeout=20)
        self._mounted_app = True
        self.idle_seconds = self._idle_seconds  # starts the idle check
        if getattr(self.session.store, "locked", False):
            from .dialogs.unlock import UnlockScreen

            # Nothing is read or written until the key is derived.
            self.locked = True
            self.push_screen(UnlockScreen(self.session.unlock_note), self._unlocked)
            return
        self._open_home()

    def _open_home(self) -> None:
        """The client list, the background load and --meet: for a plain DB at once, else once unlocked."""
        from .screens.clients import ClientsScreen

        self._started = True
        self._home_at = time.monotonic()
        if self.session.store.read_only:
            self.notify(self.session.store.read_only_reason, title="Read-only", severity="warning", timeout=10)
        if not isinstance(self.screen_stack[0], ClientsScreen):  # unlocked just now
            self.push_screen(ClientsScreen())  # its ListShown starts the full load
        if self.meet_code:
            self.call_after_refresh(self._meet, self.meet_code)
        self.start_team_sync()

    def on_clients_screen_list_shown(self) -> None:
        self._load_store()

    def _load_store(self) -> None:
        """Parse the whole DB now that the list is on screen; a damaged file ends the app."""
        if self._load_started:
            return
        self._load_started = True
        if not self.session.store.ready:
            self.session.store.start_loading()
        self.run_worker(self._await_store, thread=True, group="load")

    def _await_store(self) -> None:
        """Also validates the meeting guide, so a broken content file is named at once."""
        try:
            if self._loaded():
                self._warm_search()
        finally:
            self.search_warmed.set()

    def _loaded(self) -> bool:
        from .errors import ContentError
        from .store.store import StoreError

        try:
            self.session.store.wait_ready()
        except StoreError as exc:
            self.call_from_thread(self.exit, None, 1, str(exc))
            return False
        try:
            self.call_from_thread(self._repaint_home)
        except RuntimeError:
            return False  # the app has stopped meanwhile: nothing to repaint
        for note in getattr(self.session.store, "integrity_notes", ()):  # missing changes (anchor.py)
            self.call_from_thread(self.notify, note, title="Changes missing", severity="error", timeout=60)
        try:
            self.session.meeting_guide  # noqa: B018  (loading it is the point)
        except ContentError as exc:
            self.call_from_thread(self.exit, None, 1, str(exc))
            return False
        self.call_from_thread(self._offer_left_open)
        return True

    def _offer_left_open(self) -> None:
        """Opened by itself only on an untouched client list: keys typed meanwhile (a
        code into Find client) must not land in it."""
        from .screens.clients import ClientsScreen

        untouched = self._last_input <= getattr(self, "_home_at", 0.0)
        self.offer_left_open(isinstance(self.screen, ClientsScreen) and untouched)

    def _warm_search(self) -> None:
        """Read the search index's text now, in this thread, so the first search answers at
        once (at 50,000 meetings reading it takes about a second; decoding every meeting, on
        a copy never opened before, several). A file that cannot be read is the search
        screen's to report, when a search needs it."""
        from .search import index_for
        from .store.store import StoreError

        try:
            index_for(self.session.store, self.session.meeting_guide).refresh()
        except (StoreError, RuntimeError):
            pass

    def _repaint_home(self, counts: bool = False) -> None:
        """The list was painted from the summary file, which is only trusted by its size and
        mtime: now that the real records are read, show them at once, not at the next key.
        `counts`: the header's counts too (records came from the team, or a choice)."""
        from .screens.clients import ClientsScreen

        for screen in self.screen_stack:
            if isinstance(screen, ClientsScreen):
                screen.refresh_clients()
                if counts:
                    screen.show_counts()

    def _meet(self, code: str) -> None:
        from .screens.clients import ClientsScreen

        screen = self.screen
        if isinstance(screen, ClientsScreen):
            screen.meet(code)

    def capture_all(self, *, despite_errors: bool = False) -> None:
        """Copy what is in every open editor into its record and queue the save.
        After a bug, one screen that fails to capture must not cost the others their text."""
        for screen in self.screen_stack:
            capture = getattr(screen, "capture", None)
            if capture is None:
                continue
            try:
                capture()
            except Exception:
                if not despite_errors:
                    raise

    async def action_quit(self) -> None:
        """Leave once everything is on disk; if the disk refuses, say so and ask again."""
        self.keep_open_forms()
        self.capture_all()
        saved = await asyncio.to_thread(self.session.flush)
        if saved or self._quit_armed:
            self.exit()
            return
        self._quit_armed = True
        self.set_timer(8, self._disarm_quit)
        self.notify(
            f"{self.session.saver.error} "
            + with_keys(self, "Press {app.quit|ctrl+q} once more now to quit and lose the changes not yet saved."),
            title="Not saved yet",
            severity="error",
            timeout=8,
        )

    def _disarm_quit(self) -> None:
        self._quit_armed = False

    # ---- a bug ---------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Textual's one way out for an unexpected error (in a handler, timer or worker).
        Its own report prints every local variable, a note being typed included: instead,
        save what was typed, write a report without client text and say where it is."""
        from .store.crash_report import report_or_reason, user_message

        if not self.crash_message:
            saved = self._save_after_bug()
            report, problem = report_or_reason(error, "the app")
            # Printed by the CLI once the terminal is back (Textual would crop the path).
            self.crash_message = user_message(report, problem, saved)
            self.panic()  # nothing of Textual's own to show: it just ends the app
        self._return_code = 1
        if self._exception is None:  # what App.run_test re-raises: a test sees the bug
            self._exception = error
            self._exception_event.set()

    def _save_after_bug(self) -> str:
        self.keep_open_forms()
        self.capture_all(despite_errors=True)
        try:
            saved = self.session.flush()
        except Exception:  # the saver itself may be what broke
            saved = False
        if saved:
            return "Everything typed was saved first."
        return "Not everything typed could be saved yet; cope-tui tries again as it closes."

    # ---- saving ----------------------------------------------------------------

    # ---- global actions --------------------------------------------------------

    def action_help(self) -> None:
        from .dialogs.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_choose_theme(self, name: str) -> None:
        """From the palette: the theme at once, then kept in config.toml (off the UI thread)."""
        self.theme = TEXTUAL_THEMES[name]
        self.run_worker(partial(self._keep_theme, name), thread=True, group="settings")

    def _keep_theme(self, name: str) -> None:
        from .settings import SettingsError, save_setting

        try:
            save_setting("ui", "theme", name)
        except SettingsError as exc:
            self.call_from_thread(self.notify, f"{exc} The theme lasts until you quit.", title="Theme", severity="warning")
            return
        self.call_from_thread(self.notify, f"Theme: {name}. Kept for next time in config.toml.", title="Theme")

    def action_privacy(self) -> None:
        from .dialogs.privacy import PrivacyScreen

        if isinstance(self.screen, PrivacyScreen):
            self.screen.dismiss()
        else:
            self.push_screen(PrivacyScreen())

    def action_search(self) -> None:
        self.toggle_search()

    def get_system_commands(self, screen: Screen):
        """None of Textual's: every command the palette offers comes from CopeCommands."""
        return iter(())

    def action_command_palette(self) -> None:
        if not isinstance(self.screen, CommandPalette):
            super().action_command_palette()


def create_app(
    session: Session, *, meet_code: str | None = None, settings: Settings | None = None
) -> CopeApp:
    """The one way to build the app, used by the CLI and by the tests.

    Without `settings` they are read from the config file and the environment.
    """
    from .widgets.paste_guard import install

    install()  # a paste holding escape codes stays text (widgets/paste_guard.py)
    return CopeApp(session, meet_code=meet_code, settings=settings or load_settings())
