"""The app owns navigation: screens and widgets ask (widgets/navigation.py), this pushes.

One screen per record: a meeting or an exercise open further back is never opened a
second time on top, since two screens holding one record would overwrite each other's
saves. Screens are imported as they are first opened, so start-up loads only the
client list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.command import CommandPalette
from textual.screen import Screen

from ..widgets.navigation import (
    OpenCasePlan,
    OpenClient,
    OpenExercise,
    OpenExercises,
    OpenFollowThrough,
    OpenHandover,
    OpenMeeting,
    ShowExport,
)

if TYPE_CHECKING:
    from ..search import Result

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
        from ..screens.client import ClientScreen

        top = self.screen
        if not (isinstance(top, ClientScreen) and top.client_id == message.client_id):
            self.push_screen(ClientScreen(message.client_id))

    async def on_open_meeting(self, message: OpenMeeting) -> None:
        from ..screens.meeting import MeetingScreen

        screen = self._on_top_or_back(MeetingScreen, "meeting_id", message.meeting_id, "meeting")
        if screen is False:
            return
        if screen is None:
            screen = MeetingScreen(message.meeting_id)
            await self.push_screen(screen)
        if message.step and screen.meeting is not None and message.step in {s.id for s in screen.steps()}:
            screen.open_step(message.step)

    def on_open_exercises(self, _message: OpenExercises) -> None:
        from ..screens.exercises import ExercisesScreen

        self.push_screen(ExercisesScreen())

    async def on_open_exercise(self, message: OpenExercise) -> None:
        from ..screens.exercise import ExerciseScreen

        screen = self._on_top_or_back(ExerciseScreen, "exercise_id", message.exercise_id, "exercise")
        if screen is None:
            self.push_screen(ExerciseScreen(message.exercise_id, section=message.section or "overview"))
        elif screen is not False and message.section:
            await screen.open_section(message.section)

    def on_open_case_plan(self, message: OpenCasePlan) -> None:
        from ..screens.case_plan import CasePlanScreen

        self.push_screen(CasePlanScreen(message.client_id))

    def on_open_follow_through(self, message: OpenFollowThrough) -> None:
        from ..screens.follow_through import FollowThroughScreen

        self.push_screen(FollowThroughScreen(message.client_id))

    def on_open_handover(self, message: OpenHandover) -> None:
        from ..screens.handover import HandoverScreen

        self.push_screen(HandoverScreen(message.client_id))

    def on_show_export(self, message: ShowExport) -> None:
        from ..screens.export_preview import ExportPreview

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
        from ..dialogs.privacy import PrivacyScreen
        from ..screens.search import SearchScreen

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
