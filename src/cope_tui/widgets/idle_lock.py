"""App mixin: the idle lock. After the set idle time everything is covered by the lock
screen (the screens below keep their text, the saver keeps writing), and only actions
that show no client content run until it is unlocked."""

from __future__ import annotations

import time

from textual import events

# App actions that show no client content, so they still work under the lock.
_ALLOWED_WHILE_LOCKED = frozenset(
    {"quit", "help_quit", "help", "save_now", "lock_now", "focus_next", "focus_previous", "bell", "focus"}
)


class IdleLock:
    """Mixed into the App; uses its timers, screens and `capture_all`."""

    @property
    def idle_seconds(self) -> float | None:
        return self._idle_seconds

    @idle_seconds.setter
    def idle_seconds(self, seconds: float | None) -> None:
        """Idle time before the screen locks, None for never; tests set a tiny one."""
        self._idle_seconds = seconds or None
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None
        if self._idle_seconds and self._mounted_app:
            # Looked at a few times per idle period: the lock comes at most 5 s late.
            period = min(max(self._idle_seconds / 4, 0.05), 5.0)
            self._idle_timer = self.set_interval(period, self._check_idle)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.InputEvent, events.Paste)):
            self._last_input = time.monotonic()  # all the idle lock needs: kept this cheap
        await super().on_event(event)

    def _check_idle(self) -> None:
        if self._idle_seconds and time.monotonic() - self._last_input >= self._idle_seconds:
            self.action_lock_now()

    def action_lock_now(self) -> None:
        """Cover everything; the screens below keep their text and the saver keeps writing."""
        from ..dialogs.lock import LockScreen

        if not self._started or self.locked or self._signalled:
            return
        self.capture_all()
        self.clear_notifications()  # a toast may name a client
        self.locked = True
        self.push_screen(LockScreen(), self._unlocked)

    def _unlocked(self, _ok: bool | None = None) -> None:
        self.locked = False
        self._last_input = time.monotonic()
        if not self._started:
            self._open_home()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Under the lock only actions that reveal nothing run (no palette, no search)."""
        if action == "lock_now":
            return self._started and not self.locked
        return not self.locked or action in _ALLOWED_WHILE_LOCKED
