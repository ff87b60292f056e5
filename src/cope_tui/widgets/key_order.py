"""Keys that arrive together are handled as if they had been typed one by one.

A busy moment, a slow SSH link, tmux or a paste hands the app several keys at once.
Textual forwards each key to the widget focused *when the key is dispatched*, but a key
that moves focus or opens a screen (tab, enter, a step key, `h` on a client) takes
effect later: after the widget and its parents have handled it, after messages it sets
off, and for `widget.focus()` after a callback on the app's own queue. Without care,
the keys after it land in the field or on the screen just left, or are lost.

So, except for text typed into a field, a key waits for the keys ahead of it to be
handled, and the keys behind it wait until it has taken effect: focus and screen are
the same on two looks in a row, and a new screen is mounted. Text typed in a run into
a field is never held up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual import events
from textual.actions import SkipAction
from textual.command import CommandPalette
from textual.widgets import Input, TextArea

_TURN = "_cope_turn"  # set on a held key whose turn has come
_MAX_ROUNDS = 200  # about 2 s of waiting for a screen that does not come up


class KeyOrder:
    """App mixin. Bind tab, shift+tab and enter (to `submit_field`) with priority, so
    that they act as the key is dispatched, in order, rather than after it bubbles."""

    _held_keys: list[events.Event] | None = None
    _hold_while: tuple[Callable[[], bool], float] | None = None

    def hold_keys_while(self, waiting: Callable[[], bool], seconds: float = 5.0) -> None:
        """The keys after the one being handled wait while `waiting()` is true, at most
        `seconds`: an answer still to come decides where they go (enter in a search opens
        a result once the results are in; the letters typed next belong to that record,
        not to the search, where they changed what enter would open)."""
        self._hold_while = (waiting, time.monotonic() + seconds)

    def _just_typing(self, event: events.Key) -> bool:
        """A character going into a text field: it changes only that field."""
        focused = self.focused
        return event.is_printable and isinstance(focused, (Input, TextArea)) and not getattr(focused, "read_only", False)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if self._held_keys is not None:
                self._held_keys.append(event)
                return
            if isinstance(event, events.Key) and not self._just_typing(event):
                if not getattr(event, _TURN, False):
                    # The keys ahead of it are handled, and focus moves they caused apply.
                    if self.focused is not None:
                        await self._handled_up_from(self.focused)
                    setattr(event, _TURN, True)
                    self._hold_keys([event])
                    return
                await super().on_event(event)
                self._hold_keys([])  # what it does (a new field, step or screen) comes first
                return
        await super().on_event(event)

    def _hold_keys(self, held: list[events.Event]) -> None:
        self._held_keys = held
        self._hold_rounds = 0
        self._hold_seen: tuple | None = None
        self.call_later(self._release_keys)

    async def _release_keys(self) -> None:
        if self.focused is not None:  # what the last key set off in the focused widget's line
            await self._handled_up_from(self.focused)
        if self._hold_while is not None:
            waiting, until = self._hold_while
            if waiting() and time.monotonic() < until:
                self.set_timer(0.02, self._release_keys)
                return
            self._hold_while = None
        now = (self.screen, self.focused)
        mounted = self.screen.is_mounted
        if self._hold_rounds < _MAX_ROUNDS and (not mounted or now != self._hold_seen):
            self._hold_rounds += 1
            self._hold_seen = now
            if mounted:
                self.call_later(self._release_keys)  # after what is queued on the app now
            else:
                self.set_timer(0.01, self._release_keys)
            return
        held, self._held_keys = self._held_keys or [], None
        for event in held:  # a key that holds again keeps the rest behind it, in order
            await self.on_event(event)

    async def _handled_up_from(self, widget) -> None:
        """Wait until `widget` and each of its ancestors up to its screen have handled
        every message posted so far, including those bubbling up from below."""
        node = widget
        while node is not None and node is not self:
            done = asyncio.Event()
            if node.call_later(done.set):
                try:  # bounded: a widget stuck in a handler must not hold up the keyboard
                    await asyncio.wait_for(done.wait(), 0.5)
                except TimeoutError:
                    pass
            node = node.parent

    async def action_submit_field(self) -> None:
        """Enter in a one-line field submits it as usual; the form has moved on (or
        saved) before the keys typed after it are handed out."""
        field = self.focused
        if not isinstance(field, Input) or isinstance(self.screen, CommandPalette):
            raise SkipAction()
        await field.action_submit()
        await self._handled_up_from(field)  # Submitted bubbles from the field to its screen
