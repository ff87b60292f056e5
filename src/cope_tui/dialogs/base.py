"""What every dialog is: a ModalScreen over the screen it was opened from, styled by one
stylesheet, dialogs.tcss.

The stylesheet is the dialogs' default CSS, not the app's: it is parsed when the first
dialog is shown (start-up parses none of it, and nothing already parsed is parsed
again), the app's own stylesheet still overrides it, and a dialog looks and behaves
the same in any app, a test's included.
"""

from __future__ import annotations

from pathlib import Path

from textual.screen import ModalScreen, ScreenResultType

STYLESHEET = Path(__file__).with_name("dialogs.tcss")


class Dialog(ModalScreen[ScreenResultType]):
    DEFAULT_CSS = STYLESHEET.read_text(encoding="utf-8")
    SCOPED_CSS = False  # each rule names the dialog it styles (see dialogs.tcss)
