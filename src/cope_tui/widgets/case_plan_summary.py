"""The case plan at a glance on the client screen: each goal, its latest score and trend."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.markup import escape
from textual.widgets import Static

from ..dialogs.key_names import with_keys
from ..dialogs.parts import clip
from ..meetings.case_plan import latest, sparkline, trend
from ..meetings.models import Client

SHOWN = 3  # goal lines at 80x24, where the client screen must still fit
SPARK = 10  # latest scores drawn per goal
TEXT = 44  # cells of goal text at 80 columns
SMALL_HEIGHT = 24  # the terminal height SHOWN is for; half of every row more goes to goals
FRAME = 2 + 1 + 5 + 1 + SPARK  # a goal line's mark, score and sparkline around its text


def summary_lines(client: Client, shown: int = SHOWN, text_width: int = TEXT, key: str = "g") -> list[str]:
    """Rich-markup lines: a heading, then the open goals first, then achieved ones. `key`
    opens the case plan (the user's own, from [keys])."""
    goals = client.goals
    if not goals:
        return [f"[b]Case plan[/b]: no goals yet. [dim]{escape(key)} opens the case plan to add them.[/dim]"]
    done = sum(1 for g in goals if g.achieved)
    count = f"{len(goals)} goal{'s' if len(goals) != 1 else ''}, {done} achieved"
    lines = [f"[b]Case plan[/b]: {count}  [dim]({escape(key)} opens it)[/dim]"]
    ordered = sorted(goals, key=lambda g: g.achieved is not None)  # stable: plan order within each
    fit = shown if len(goals) <= shown else shown - 1  # the "more" line takes a goal's place
    width = min(text_width, max(cell_len(g.text) for g in goals))
    for goal in ordered[:fit]:
        text = set_cell_size(clip(goal.text, width), width)
        mark = "✓" if goal.achieved else "◆" if goal.kind == "preferred" else "•"
        last = latest(goal)
        score = f"{last.score:>2}/10" if last else "  -  "
        spark = sparkline(trend(goal), SPARK)
        lines.append(f"{mark} {escape(text)} {score} {spark}")
    if len(goals) > fit:
        lines.append(f"[dim]… and {len(goals) - fit} more ({escape(key)})[/dim]")
    return lines


class CasePlanSummary(Static):
    """A few lines under the client card; `show` redraws it from the client record.

    It uses the room it is given: every row the terminal has over 24 gives half a row
    to goals, and goal text takes the width (at 120x40 a plan of five goals shows whole
    rather than two goals and "… and 3 more")."""

    DEFAULT_CSS = """
    CasePlanSummary { height: auto; padding: 0 1; border-bottom: solid $primary; }
    """

    _client: Client | None = None

    def show(self, client: Client) -> None:
        self._client = client
        self.redraw()

    def redraw(self) -> None:
        if self._client is None:
            return
        size = self.app.size
        shown = SHOWN + max(0, size.height - SMALL_HEIGHT) // 2
        width = (self.content_region.width or size.width - 2) - FRAME
        key = with_keys(self, "{client.case_plan|g}")
        self.update("\n".join(summary_lines(self._client, shown, max(TEXT, width), key)))

    def on_resize(self) -> None:
        self.redraw()
