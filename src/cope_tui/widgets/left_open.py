"""App mixin: words typed into a form that was open when the app stopped.

As words are typed into a dialog, and again as the app stops (hang-up, quit, a bug),
every open dialog keeps what was typed in it (dialogs/base.py); the next start, once
the DB is read, shows those words, and F7 on the client list shows them again until the
user has them back and deletes them (F7 is the notes editor's own key elsewhere). The
dialog opens by itself only on the client list: over anything else a message says it
is there, so a keystroke meant for the screen never lands in it (and on the list, none
of its keys that delete is a letter a name is typed with).
"""

from __future__ import annotations

from typing import Any

from ..dialogs.key_names import with_keys

KEY_HINT = "{clients.kept_words|F7} on the client list shows them"


class KeptWords:
    """Mixed into the App; uses its session, screen_stack, notify and push_screen."""

    _left_open = 0  # forms kept, as last read (check_action must not read the DB)

    def keep_open_forms(self) -> None:
        """Each open dialog keeps its typed words, with the client it was for if known.
        A dialog that saves into its record itself as the app stops (`capture`, as a
        goal's form does) keeps none. One dialog's bug must cost neither another's words
        nor the exit."""
        from ..dialogs.base import Dialog

        for screen in self.screen_stack:
            if isinstance(screen, Dialog):
                try:
                    self.keep_form(screen, stopping=True)
                except Exception:  # noqa: BLE001  (the app is stopping: save what can be saved)
                    continue

    def keep_form(self, dialog: Any, *, stopping: bool = False) -> None:
        """One open dialog keeps its typed words: as they are typed (a crash gives no stop
        to keep them at), and at a stop, unless it saves into its record itself then
        (`capture`, which lets the words kept as typed go)."""
        if (stopping and hasattr(dialog, "capture")) or dialog not in self.screen_stack:
            return
        index = self.screen_stack.index(dialog)
        dialog.keep_typed(self._client_of(dialog) or self._client_below(index), self._where(index))

    @staticmethod
    def _client_of(node: Any) -> str | None:
        for found in (
            getattr(node, "client_id", None),
            getattr(getattr(node, "client", None), "id", None),
            getattr(getattr(node, "meeting", None), "client_id", None),
        ):
            if isinstance(found, str):
                return found
        return None

    def _where(self, index: int) -> str:
        """The title of the full screen the dialog was opened on."""
        from ..dialogs.base import Dialog

        below = [s for s in self.screen_stack[:index] if not isinstance(s, Dialog)]
        return str(getattr(below[-1], "title", "") or "") if below else ""

    def _client_below(self, index: int) -> str | None:
        for screen in reversed(self.screen_stack[:index]):
            found = self._client_of(screen)
            if found is not None:
                return found
        return None

    def offer_left_open(self, on_home: bool) -> None:
        """After the DB is read: the words of forms left open last time, if any. `on_home`:
        the client list is on top, the user has gone nowhere yet."""
        entries = self.session.left_open()
        self._left_open = len(entries)
        if not entries:
            return
        if on_home:
            self._show_kept(entries)
            return
        self.notify(
            f"Words typed into {self._forms()} left open when the app last stopped are kept: " + with_keys(self, KEY_HINT) + ".",
            title="Words kept",
            timeout=20,
        )

    def _forms(self) -> str:
        return "a form" if self._left_open == 1 else f"{self._left_open} forms"

    def action_kept_words(self) -> None:
        entries = self.session.left_open()
        self._left_open = len(entries)
        if not entries:
            self.notify("No words are kept from forms left open.", timeout=5)
            return
        self._show_kept(entries)

    def _show_kept(self, entries: list) -> None:
        from ..dialogs.left_open import LeftOpenDialog

        codes = {}
        for entry in entries:
            client = self.session.store.get("clients", entry.client_id) if entry.client_id else None
            codes[entry.key] = str(client.get("code", "")) if isinstance(client, dict) else None
        self.push_screen(LeftOpenDialog(entries, codes), _after_answer(self, [e.key for e in entries]))

    async def reopen_kept(self, kept: Any) -> None:
        """The form the words were typed into, opened again with them in it, from the
        screen it is opened on: the new client's from the client list, a client's own
        (edit, stage) from that client's screen. The screen's own action opens it, with
        its checks (a read-only DB, a closed client say why and open nothing)."""
        from ..dialogs.base import Dialog

        if kept.client_id is not None:
            shown = self.show_client(kept.client_id)  # the App's navigation (app.py)
            if shown is not None:
                await shown
            action = {"client": "edit", "stage": "stage"}[kept.form]
        else:
            action = "new_client"
        before = self.screen
        await self.screen.run_action(action)
        dialog = self.screen
        if dialog is not before and isinstance(dialog, Dialog) and dialog.reopens == kept.form:
            dialog.refill_with(kept)

    def left_open_taken(self) -> None:
        """A form opened again with its kept words was saved: they are gone from the DB."""
        self._left_open = max(0, self._left_open - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F7 is offered (footer, help, palette) only while words are kept."""
        if action == "kept_words" and not self._left_open:
            return False
        return super().check_action(action, parameters)  # type: ignore[misc]


def _after_answer(app: Any, keys: list[str]):
    """The dialog's answer: True, the user has the words back and they go; a kept form,
    to be opened again with them."""

    def done(forget: Any) -> None:
        if not isinstance(forget, (bool, type(None))):  # a kept form, to open again
            app.call_later(app.reopen_kept, forget)
            return
        if not forget:
            app.notify(f"The words stay kept: {with_keys(app, KEY_HINT)} again.", timeout=8)
            return
        if not app.session.forget_left_open(keys):
            app.notify("This DB is open read-only: the kept words stay.", severity="warning", timeout=8)
            return
        app._left_open = 0
        app.notify("The kept words are deleted.", timeout=5)

    return done
