"""The case plan at a glance on the client screen: each goal, its latest score and trend."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static

from ..meetings.case_plan import latest, sparkline, trend
from ..meetings.models import Client

SHOWN = 3  # goal lines; the client screen must still fit at 80x24
SPARK = 10  # latest scores drawn per goal
TEXT = 44  # characters of goal text


def summary_lines(client: Client, shown: int = SHOWN) -> list[str]:
    """Rich-markup lines: a heading, then the open goals first, then achieved ones."""
    goals = client.goals
    if not goals:
        return ["[b]Case plan[/b]: no goals yet. [dim]g opens the case plan to add them.[/dim]"]
    done = sum(1 for g in goals if g.achieved)
    lines = [f"[b]Case plan[/b]: {len(goals)} goal{'s' if len(goals) != 1 else ''}, {done} achieved  [dim](g opens it)[/dim]"]
    ordered = sorted(goals, key=lambda g: g.achieved is not None)  # stable: plan order within each
    fit = shown if len(goals) <= shown else shown - 1  # the "more" line takes a goal's place
    for goal in ordered[:fit]:
        text = goal.text if len(goal.text) <= TEXT else goal.text[: TEXT - 1] + "…"
        mark = "✓" if goal.achieved else "◆" if goal.kind == "preferred" else "•"
        last = latest(goal)
        score = f"{last.score:>2}/10" if last else "  -  "
        spark = sparkline(trend(goal), SPARK)
        lines.append(f"{mark} {escape(f'{text:<{TEXT}}')} {score} {spark}")
    if len(goals) > fit:
        lines.append(f"[dim]… and {len(goals) - fit} more (g)[/dim]")
    return lines


class CasePlanSummary(Static):
    """A few lines under the client card; `show` redraws it from the client record."""

    DEFAULT_CSS = """
    CasePlanSummary { height: auto; max-height: 5; padding: 0 1; border-bottom: solid $primary; }
    """

    def show(self, client: Client) -> None:
        self.update("\n".join(summary_lines(client)))
