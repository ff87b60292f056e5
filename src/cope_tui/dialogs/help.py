"""F1 / ?: the keys that work on the screen underneath, and how the app behaves."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from .base import Dialog
from .screen_keys import screen_actions

GUIDE = """\
[b]Anywhere[/b]
  F1 or ?          this help (? only when not typing in a field)
  ctrl+p           command palette: every action, and "Open client ..."
  F2 or ctrl+\\     privacy: hide all client content until pressed again
  F4               search clients, meetings, notes and exercises, even
                   while typing; enter opens the result where it matched
  F12              lock now: hide everything (it also locks when idle)
  ctrl+s           save now (saving is automatic anyway)
  ctrl+q           quit; everything is saved first
  tab, shift+tab   next / previous field;  esc  back or cancel
  esc esc          cancel a form you typed in (the first esc warns)

[b]In a meeting[/b]  The notes area has focus when a step opens: just type.
  ctrl+n or F8     next step
  ctrl+o or F5     previous step
  ctrl+t           step done, on to the next (again: back to pending)
  ctrl+g           skip the step
  ctrl+l           step list: enter opens, d done, s skip, p pending
  ctrl+f           finalise; once finalised, add a dated addendum
  ctrl+r           preview the Markdown summary; w writes it to a file
  F9               rate progress on the client's goals, 0-10 and a note

[b]Clients[/b]  The home screen: type to find client (the list filters);
  / or ctrl+l      find client from the list; ↓ back to the list
  ctrl+n           new client;  enter  open the highlighted one
  delete           delete a mistaken client (no finalised meeting)

[b]A client's journey[/b]  On the client screen:
  s                change the helping stage (a reason is kept, dated)
  g                case plan: goals, indicators, scores and their trend
  t                follow-through: action items, referrals, next meeting
  h / o            handover and closing the client / reopen a closed one
  x                discard the highlighted draft meeting (asks first)
  ctrl+t           on Clients: follow-through across all clients
  1 2 3 4, f       follow-through lists: open, done, referrals, meetings
  space or x       tick an action item off (dated), or take it back

[b]COPE exercises[/b]  F3 from Clients; F3 or esc goes back.
  ctrl+n / f       new exercise / follow-up (carries the open problems)
  ctrl+n or F8     next section; ctrl+o or F5 previous; ctrl+l the list
  ctrl+r           preview the exercise report; w writes it to a file
  a g x d          teams: add, give guides, remove; d edits the details
  y n s            answer yes / no / not sure, then the next question
  c or enter       comment;  p  a flagged (⚑) answer to the action plan
  q                overview: what quality means at this site
  w                interviews: who was heard (client, non-user, ...)
  h / d            action plan: needs outside help / next exercise date

[b]In a list or checklist[/b]
  n or insert      add a row          enter or e   edit the row
  space            tick / untick      x or delete  remove the row
  \\[ and ]          move the row up or down (also shift+up / shift+down)
  home / end       the first / the last row (in every list)
  ↻                a row carried forward from an earlier meeting

[b]Dates[/b]   YYYY-MM-DD, today, tomorrow, +7 (days) or +2w (weeks)

[b]Typing[/b]  The usual editing keys: ctrl+z undo, ctrl+y redo,
  ctrl+x / ctrl+c / ctrl+v cut, copy, paste, ctrl+w delete a word.

[b]Saving[/b]  Every change is saved as you type. Closing the terminal or
  losing the connection saves everything before the app exits.
"""


# The guide below names the keys an action has by default; the list above is read from
# the bindings, so it gives the keys a user set in [keys].
OWN_KEYS = "Your own keys from the \\[keys] table are in the list above; the guide below gives the usual ones."


class HelpScreen(Dialog[None]):
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(self, under: Screen):
        super().__init__()
        self.under = under

    def _keys_here(self) -> str:
        """Plain text, shown as text, not markup: escaped, a key ending in a backslash
        (ctrl+\\) was shown with two."""
        rows = []
        for item in screen_actions(self.under):
            state = "" if item.enabled else "  (not available now)"
            rows.append(f"  {item.key:<16} {item.description}{state}")
        return "\n".join(rows)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help-dialog"):
            yield Static(Text("Keys on this screen\n", style="bold") + Text(self._keys_here()))
            if getattr(self.app, "user_keys", None):
                yield Static(OWN_KEYS, classes="hint")
            yield Static(GUIDE)
            yield Static("esc, q or F1 closes this help", classes="hint")

    def action_close(self) -> None:
        self.dismiss()
