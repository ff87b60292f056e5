"""What a team sync does to the meeting screen that shows the record it brings.

A mixin of screens/meeting.py's MeetingScreen (its meeting, session, notes, step panels
and open_step), kept apart so that screen stays one job: the live meeting.
"""

from __future__ import annotations

from textual.widgets import TextArea

from ..meetings.models import Meeting
from .after_dialogs import AfterDialogs
from .step_panel import StepPanel

ERASED_HERE = (
    "A team member erased this meeting's client. The meeting is closed here, and what was "
    "typed over it since was not kept: an erasure takes every word about the client."
)


class SyncedMeeting(AfterDialogs):
    erased = False  # a member's erasure took the meeting from under this screen: nothing saves

    def take_synced(self, table: str, doc: dict | None) -> bool:
        """Show the version a sync merged (before the DB holds it), unless the user has an
        unsaved edit here or a dialog open over it or just closed (AfterDialogs): then
        the screen keeps its own and the record is merged after it is closed. Runs on
        the UI thread, so no key is handled between the look and the reload."""
        if table != "meetings" or doc is None or self.meeting is None or not self.may_take_synced or self._unsaved():
            return False
        try:
            meeting = Meeting.model_validate(doc)
        except ValueError:
            return False
        step = self.meeting.current_step
        notes = self.query_one("#notes", TextArea)
        cursor = None if notes.cursor_location == notes.document.end else notes.cursor_location
        self.meeting = meeting
        notes.read_only = self.read_only
        ids = [s.id for s in self.steps()]
        self.open_step(step if step in ids else ids[0], save=False)
        if cursor is not None and notes.document.line_count > cursor[0]:
            notes.move_cursor(cursor)  # where the user was reading; at the end it stays at the end
        self._client_code = None
        self._tick()
        return True

    def show_synced(self) -> None:
        """A sync wrote this meeting in the DB without asking the screen: only a member's
        erasure does, taken even over a finalised meeting (take_synced is never offered
        it). The screen closes without saving, and so does any dialog over it: an
        addendum saved from here put the erased meeting back in this DB."""
        if self.meeting is None or self.session.store.raw_version("meetings", self.meeting_id) is not None:
            return
        self.erased = True
        self.notify(ERASED_HERE, title="Meeting erased", severity="warning", timeout=20)
        if self.is_active:  # (is_current holds under a dialog too)
            self.dismiss()
        else:
            self.pop_until_active()  # then on_screen_resume

    def on_screen_resume(self) -> None:
        if self.erased:
            self.dismiss()

    def _unsaved(self) -> bool:
        if self.read_only:
            return False
        if self.query_one("#notes", TextArea).text != self.meeting.peek(self.meeting.current_step).notes:
            return True
        return self.session.unsaved("meetings", self.meeting_id) or any(p.unsaved() for p in self.query(StepPanel))
