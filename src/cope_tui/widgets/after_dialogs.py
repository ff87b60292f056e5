"""When a screen that edits a record may take the version a team's sync merged.

A dialog over the screen holds its own copy of what it edits, so the screen refuses a
merged version while one is open (Textual's `is_active`: on top). That is not enough on
the way back: closing a dialog pops it at once, but its result reaches the screen's
callback later, as a message. A merged version taken in between was replaced under the
callback, which then wrote the user's edit into the copy just let go: the edit was
saved nowhere. So a screen that has been covered takes nothing until the first refresh
after it is on top again, by when the result has been handed over. A refused version
is merged at the next sync.

A mixin of the screens that offer `take_synced` (Textual calls these handlers beside
the screen's own).
"""

from __future__ import annotations


class AfterDialogs:
    _result_due = False  # covered by a dialog since the last refresh on top

    def on_screen_suspend(self) -> None:
        self._result_due = True

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self._results_handed_over)

    def _results_handed_over(self) -> None:
        if self.is_active:  # (covered again meanwhile: that dialog's result is awaited)
            self._result_due = False

    @property
    def may_take_synced(self) -> bool:
        """On top, and no dialog's result on its way to this screen."""
        return self.is_active and not self._result_due
