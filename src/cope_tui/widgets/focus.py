"""Moving on from a field the way a fast typist expects."""

from __future__ import annotations

from textual.widget import Widget


def focus_after(widget: Widget) -> None:
    """Focus the field after `widget`, not after whatever has focus by now.

    Enter in a field posts a message that is handled a moment later; a second Enter
    typed (or pasted) in that moment reaches the same field. Moving on from the field
    that was submitted, rather than from the current focus, makes the second Enter
    land where the typist meant instead of skipping a field.
    """
    chain = widget.screen.focus_chain
    if widget in chain:
        at = chain.index(widget)
        if at + 1 < len(chain):
            widget.screen.set_focus(chain[at + 1])
            return
    widget.screen.focus_next()
