"""What every dialog is: a ModalScreen over the screen it was opened from, styled by one
stylesheet, dialogs.tcss, whose typed words outlive a terminal that closes.

The stylesheet is the dialogs' default CSS, not the app's: it is parsed when the first
dialog is shown (start-up parses none of it, and nothing already parsed is parsed
again), the app's own stylesheet still overrides it, and a dialog looks and behaves
the same in any app, a test's included.

A dialog's fields become a record only when it is saved. So `keep_typed` hands what is
typed to the session as it is typed, and once more if the app stops first (a hang-up, a
quit, a bug); the session keeps it in the DB until the user has it back, so a crash
loses no more of a form than of a note (store/left_open.py, widgets/left_open.py).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from textual.screen import ModalScreen, ScreenResultType
from textual.widget import Widget

from .key_names import own_key, with_keys

STYLESHEET = Path(__file__).with_name("dialogs.tcss")
NOT_SAVED = "Not saved"


class Dialog(ModalScreen[ScreenResultType]):
    DEFAULT_CSS = STYLESHEET.read_text(encoding="utf-8")
    SCOPED_CSS = False  # each rule names the dialog it styles (see dialogs.tcss)
    # False where what is typed is no one's words (a file name, a login): nothing is kept.
    keeps_words = True
    # The name the app opens this form again by, filled with words kept from it
    # (widgets/left_open.py); "" where it cannot (the form needs a meeting or a list).
    reopens = ""
    _opened_with: tuple[str, ...] | None = None
    _kept_as: str | None = None
    _refill: Any = None  # the kept words (store/left_open.py's LeftOpen) to fill in at mount
    _refilled = False
    # What the warning a first esc gives over typed words offers: the key the dialog's
    # own binding on SAVE_KEY has now (key_names.own_key), then SAVE_HINT.
    SAVE_KEY = "ctrl+s"
    SAVE_HINT = "to save it"
    _quiet_cancel_with: tuple[str, ...] | None = None  # the texts a first esc warned about
    HINT_ID = "focus-hint"  # the hint line `hint_here` rewrites as the focus moves

    def hint_here(self) -> str | None:
        """The hint for the field with the focus, where enter does not do the same in every
        field (it saves on the last one; it is a new line in a text area); None: a fixed hint."""
        return None

    def on_descendant_focus(self) -> None:
        text = self.hint_here()
        if text is not None:
            from textual.widgets import Static

            self.query_one(f"#{self.HINT_ID}", Static).update(with_keys(self, text))

    def on_mount(self) -> None:
        """Runs after the subclass's own (Textual calls each class's handler, most derived
        first): the fields hold what the dialog opened with."""
        self._opened_with = tuple(text for _, text in self._fields())
        if self._refill is not None:
            self._fill_in()

    def refill_with(self, kept: Any) -> None:
        """Open with the words kept from this form when the app stopped (a LeftOpen): each
        field and choice whose label matches takes its text. The kept words go when this
        form is saved; cancelled, they stay kept (nothing typed back yet may be lost)."""
        self._refill = kept
        if self.is_mounted:
            self._fill_in()

    def _fill_in(self) -> None:
        kept, self._refill = self._refill, None
        self._kept_as, self._refilled = kept.key, True
        texts = dict(kept.fields)
        for widget in self._in_order():
            text = texts.get(self.field_label(widget))
            if text is not None:
                _set_field(widget, text)

    def _in_order(self) -> list[Widget]:
        """The fields and choices as on screen, top to bottom: each typed field (never a
        password, a read-only text or a Select's own search line) and each choice (a
        Select, a tick box, a list whose highlighted line is the answer: class "choice",
        as the new stage)."""
        from textual.widgets import Input, Select, TextArea

        return [
            widget
            for widget in self.query("Input, TextArea, Select, Checkbox, OptionList.choice")
            if not (isinstance(widget, Input) and widget.password)
            and not (isinstance(widget, TextArea) and widget.read_only)
            and not any(isinstance(node, Select) for node in widget.ancestors)
        ]

    def _fields(self) -> list[tuple[Widget, str]]:
        """Every field a person types words into, with its text."""
        from textual.widgets import Input, TextArea

        return [(widget, _shown(widget)) for widget in self._in_order() if isinstance(widget, (Input, TextArea))]

    def _as_kept(self) -> list[tuple[str, str]]:
        """Each field and choice with something in it, labelled, in the order on screen.
        Choices go with the words: a reason without the stage it was for tells half."""
        shown = ((widget, _shown(widget)) for widget in self._in_order())
        return [(self.field_label(widget), text) for widget, text in shown if text.strip()]

    def field_label(self, widget: Widget) -> str:
        """The words that name a field: its own name when it has one, else the label
        before it, else its placeholder, else the dialog's title."""
        from textual.widgets import Label

        if widget.name:
            return widget.name
        parent = widget.parent
        if parent is not None:
            before = parent.children[: parent.children.index(widget)]
            labels = [node for node in before if isinstance(node, Label)]
            if labels:
                return str(labels[-1].content).strip()
        return str(getattr(widget, "placeholder", "") or "") or self.kept_title()

    def kept_title(self) -> str:
        """The title the user saw: a frame's, else the dialog's first line."""
        title = str(getattr(self, "title_text", "") or "")
        if not title:
            heading = next(iter(self.query(".dialog-title")), None)
            title = str(getattr(heading, "content", "") or "")
        return title.strip() or type(self).__name__

    def _typed_since_open(self) -> tuple[str, ...] | None:
        """The fields' texts when words were typed since the dialog opened (and some are
        left), else None: what a cancel or a stopping app would lose."""
        if not self.keeps_words or self._opened_with is None:
            return None
        texts = tuple(text for _, text in self._fields())
        if texts == self._opened_with or not any(text.strip() for text in texts):
            return None
        return texts

    def keep_typed(self, client_id: str | None, where: str = "") -> None:
        """Hand the typed words to the session if any field changed since the dialog
        opened: each field with text, so the user sees the whole form as it was."""
        if self._typed_since_open() is None:
            return
        kept = self._as_kept()
        if self._kept_as is None:
            self._kept_as = secrets.token_hex(8)
        session: Any = self.app.session
        session.keep_left_open(self._kept_as, self.kept_title(), client_id, kept, where, self.reopens)

    def on_input_changed(self) -> None:
        self._keep_as_typed()

    def on_text_area_changed(self) -> None:
        self._keep_as_typed()

    def _keep_as_typed(self) -> None:
        """Typed words outlive a crash (kill -9, a power cut), not only a hang-up or a quit:
        each change hands them to the saver, which writes them within a second; saving or
        cancelling the form lets them go, as it does for words kept at a stop."""
        keep = getattr(self.app, "keep_form", None)
        if keep is not None and self._opened_with is not None:
            keep(self)

    def let_kept_go(self) -> None:
        """The words kept as typed are in their record now (a `capture`): they go."""
        if self._kept_as is not None and not self._refilled:
            self.app.session.forget_left_open([self._kept_as])
            self._kept_as = None

    def action_cancel(self) -> None:
        """esc closes without saving. One key does not throw away typed words: with words
        typed since the dialog opened, the first esc says so and a second discards them
        (typing in between asks again). A slip of the finger was the one way left to lose
        a cause, a comment or a goal half written. A form opened again with kept words
        closes at once: cancelled, its words (as now typed) stay kept."""
        typed = self._typed_since_open()
        if typed is None or self._refilled or typed == self._quiet_cancel_with:
            self.dismiss(None)
            return
        self._quiet_cancel_with = typed
        self.notify(f"Press esc again to discard what you typed, or {own_key(self, self.SAVE_KEY)} {self.SAVE_HINT}.",
                    title=NOT_SAVED, severity="warning")

    def dismiss(self, result: Any = None) -> Any:
        """Saved or cancelled after all (a quit that could not save left the app open):
        the words kept for it are not needed any more. A form opened again with kept
        words and cancelled (no result) leaves them kept."""
        if self._kept_as is not None and not (self._refilled and result is None):
            self.app.session.forget_left_open([self._kept_as])
            self._kept_as = None
            if self._refilled:  # words the app counted at its start (F7 is offered while any are)
                self.app.left_open_taken()
        if self._quiet_cancel_with is not None:
            getattr(self.app, "withdraw", lambda title: None)(NOT_SAVED)  # its advice is done with
        return super().dismiss(result)


def _shown(widget: Widget) -> str:
    """A field's text, or a choice as the user saw it ("" for none made)."""
    from textual.widgets import Checkbox, Input, OptionList, Select, TextArea

    if isinstance(widget, Input):
        return widget.value
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, Select):
        return "" if widget.is_blank() else str(widget.value)
    if isinstance(widget, Checkbox):
        return "yes" if widget.value else "no"
    if isinstance(widget, OptionList) and widget.highlighted is not None:
        return str(widget.get_option_at_index(widget.highlighted).prompt)
    return ""


def _set_field(widget: Widget, text: str) -> None:
    """One field or choice as it was kept: the other way round from _shown."""
    from textual.widgets import Checkbox, Input, OptionList, Select, TextArea

    if isinstance(widget, Input):
        widget.value = text
    elif isinstance(widget, TextArea):
        widget.load_text(text)
    elif isinstance(widget, Checkbox):
        widget.value = text == "yes"
    elif isinstance(widget, Select):
        from textual.widgets.select import InvalidSelectValueError

        try:
            widget.value = text  # our choices are texts
        except InvalidSelectValueError:
            pass  # no longer a choice: left as the form opened
    elif isinstance(widget, OptionList):
        for index in range(widget.option_count):
            if str(widget.get_option_at_index(index).prompt) == text:
                widget.highlighted = index
