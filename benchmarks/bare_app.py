"""The baseline for cold_start.py: a bare Textual app (Header, Label, Footer).

    python benchmarks/bare_app.py     (ctrl+q quits)

cold_start.py starts it on a pseudo-terminal exactly like `cope-tui --db DB` and times
fork -> MARKER on the terminal.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Label

MARKER = "BARE-APP-READY"


class BareApp(App[None]):
    TITLE = "bare"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(MARKER)
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
