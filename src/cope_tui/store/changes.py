"""Who wants to hear about saved records: team sync, so that it knows what changed
without rereading every record. Mixed into Store, which calls `_changed` after every
durable put or delete.
"""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[str, str], None]


class ChangeListeners:
    """Mixed into Store. The listeners are a tuple, replaced whole on each change, so the
    saving thread can walk it while another thread adds or removes one."""

    _listeners: tuple[Listener, ...] = ()

    def add_change_listener(self, listener: Listener) -> None:
        """Call `listener(table, doc_id)` after every durable put or delete. It runs on the
        saving thread under the store's mutex: it must only note the id, never wait or raise."""
        self._listeners = (*self._listeners, listener)

    def remove_change_listener(self, listener: Listener) -> None:
        """Compared by equality: a bound method is a new object at each access
        (`side._note is side._note` is False), so `is` removed none, and every engine
        closed (after each offline try, in the app) kept noting every save for ever."""
        self._listeners = tuple(x for x in self._listeners if x != listener)

    def _changed(self, table: str, doc_id: str) -> None:
        for listener in self._listeners:
            listener(table, doc_id)
