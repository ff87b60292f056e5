"""The Textual app: global keys, save status, and a clean exit on hang-up."""

from __future__ import annotations

import asyncio
import signal
import threading

from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette

from . import __version__
from .autosave import SaveStatus
from .session import Session
from .widgets.palette import CopeCommands


class CopeApp(App[None]):
    TITLE = "cope-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CopeCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f1", "help", "Help", id="app.help", priority=True),
        Binding("question_mark", "help", "Help", show=False, id="app.help_alt"),
        Binding("f2", "privacy", "Privacy", id="app.privacy", priority=True),
        Binding("ctrl+backslash", "privacy", "Privacy", show=False, id="app.privacy_alt", priority=True),
        Binding("ctrl+s", "save_now", "Save", show=False, id="app.save"),
    ]

    def __init__(self, session: Session, *, meet_code: str | None = None):
        super().__init__()
        self.session = session
        self.meet_code = meet_code
        self.save_status = SaveStatus(0)
        self.sub_title = __version__
        self._ui_thread = threading.get_ident()
        self._signalled = False
        self._quit_armed = False

    # ---- start and stop --------------------------------------------------------

    def on_mount(self) -> None:
        from .screens.clients import ClientsScreen

        self.session.watch(self._status_from_saver)
        self._install_signal_handlers()
        if self.session.store.read_only:
            self.notify(self.session.store.read_only_reason, title="Read-only", severity="warning", timeout=10)
        self.push_screen(ClientsScreen())
        self.call_after_refresh(self._load_store)
        if self.meet_code:
            self.call_after_refresh(self._meet, self.meet_code)

    def _load_store(self) -> None:
        """Parse the whole DB now that the list is on screen; a damaged file ends the app."""
        if not self.session.store.ready:
            self.session.store.start_loading()
        self.run_worker(self._await_store, thread=True, group="load")

    def _await_store(self) -> None:
        """Also validates the meeting guide, so a broken content file is named at once."""
        from .errors import ContentError
        from .storage import StoreError

        try:
            self.session.store.wait_ready()
            self.session.guide  # noqa: B018  (loading it is the point)
        except (StoreError, ContentError) as exc:
            self.call_from_thread(self.exit, None, 1, str(exc))

    def _meet(self, code: str) -> None:
        from .screens.clients import ClientsScreen

        screen = self.screen
        if isinstance(screen, ClientsScreen):
            screen.meet(code)

    def _install_signal_handlers(self) -> None:
        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self._on_signal)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (some test runners): nothing to install

    def _on_signal(self) -> None:
        """Terminal gone or asked to stop: write everything typed, then leave."""
        if self._signalled:
            return
        self._signalled = True
        self.capture_all()
        self.session.flush()
        self.exit()

    def capture_all(self) -> None:
        """Copy what is in every open editor into its record and queue the save."""
        for screen in self.screen_stack:
            capture = getattr(screen, "capture", None)
            if capture is not None:
                capture()

    async def action_quit(self) -> None:
        """Leave once everything is on disk; if the disk refuses, say so and ask again."""
        self.capture_all()
        saved = await asyncio.to_thread(self.session.flush)
        if saved or self._quit_armed:
            self.exit()
            return
        self._quit_armed = True
        self.set_timer(8, self._disarm_quit)
        self.notify(
            f"{self.session.saver.error} Free some space and quit again, or press ctrl+q once "
            "more now to quit and lose the changes not yet saved.",
            title="Not saved yet",
            severity="error",
            timeout=8,
        )

    def _disarm_quit(self) -> None:
        self._quit_armed = False

    # ---- saving ----------------------------------------------------------------

    def _status_from_saver(self, status: SaveStatus) -> None:
        if threading.get_ident() == self._ui_thread:
            self._show_status(status)
        else:
            try:
                self.call_from_thread(self._show_status, status)
            except RuntimeError:
                pass  # the app has stopped; the saver keeps going without a display

    def _show_status(self, status: SaveStatus) -> None:
        was_error = self.save_status.error
        self.save_status = status
        if status.error and status.error != was_error:
            self.notify(status.error, title="Not saved yet", severity="error", timeout=15)
        elif was_error and not status.error:
            self.notify("Everything is saved again.", title="Saved")
        for screen in self.screen_stack:
            update = getattr(screen, "show_save_status", None)
            if update is not None:
                update(status)

    def action_save_now(self) -> None:
        self.capture_all()
        self.run_worker(self.session.flush, thread=True, group="save", exclusive=False)

    # ---- global actions --------------------------------------------------------

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_privacy(self) -> None:
        from .screens.privacy import PrivacyScreen

        if isinstance(self.screen, PrivacyScreen):
            self.screen.dismiss()
        else:
            self.push_screen(PrivacyScreen())

    def action_command_palette(self) -> None:
        if not isinstance(self.screen, CommandPalette):
            super().action_command_palette()


def create_app(session: Session, *, meet_code: str | None = None) -> CopeApp:
    """The one way to build the app, used by the CLI and by the tests."""
    return CopeApp(session, meet_code=meet_code)
