"""The case plan as a Markdown section of the client export.

Every goal with its benefit indicators, the scores given at meetings with their notes,
and the trend as the same block sparkline the client screen shows. Users' text goes
through `md_cell` like the rest of the export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..meetings.case_plan import KIND_LABELS, direction, rating_at, sparkline, trend
from ..mdsafe import md_cell
from .format import table_header

if TYPE_CHECKING:
    from ..meetings.models import Client, Goal


def case_plan_markdown(client: Client, level: int = 2) -> str:
    """The "Case plan" section at heading `level`; empty when the client has no goals yet,
    so exports of clients without a plan read as before."""
    if not client.goals:
        return ""
    head, sub = "#" * level + " ", "#" * (level + 1) + " "
    achieved = sum(1 for g in client.goals if g.achieved)
    out = [
        f"{head}Case plan\n\n",
        (
            f"{len(client.goals)} goal{'s' if len(client.goals) != 1 else ''}, {achieved} achieved. "
            "Progress is scored at meetings from 0 (no progress) to 10 (reached).\n\n"
        ),
    ]
    for number, goal in enumerate(client.goals, 1):
        out.append(f"{sub}{number}. {md_cell(goal.text)}\n\n")
        out.append(_goal(goal))
    return "".join(out)


def _goal(goal: Goal) -> str:
    scores = trend(goal)
    status = f"achieved on {goal.achieved.isoformat()}" if goal.achieved else "open"
    lines = [
        f"- **Kind:** {KIND_LABELS.get(goal.kind, md_cell(goal.kind))}\n",
        f"- **Set on:** {goal.created.isoformat()}\n",
        f"- **Status:** {status}\n",
    ]
    if scores:
        moved = direction(scores)
        arrow = " → ".join(str(s) for s in scores[-6:])
        lines.append(f"- **Trend:** `{sparkline(scores)}` ({arrow}{', ' + moved if moved else ''})\n")
    if goal.indicators:
        lines.append("- **Benefit indicators:**\n")
        lines.extend(f"    - {md_cell(ind)}\n" for ind in goal.indicators)
    else:
        lines.append("- **Benefit indicators:** none recorded\n")
    lines.append("\n")
    if not goal.ratings:
        lines.append("No progress ratings yet.\n\n")
        return "".join(lines)
    lines.append(table_header(["Date", "Score", "Note"]))
    for rating in sorted(goal.ratings, key=lambda r: r.on):
        lines.append(f"| {rating.on.isoformat()} | {rating.score}/10 | {md_cell(rating.note)} |\n")
    lines.append("\n")
    return "".join(lines)


def rated_at_markdown(goals: list[Goal], meeting_id: str, sub: str) -> str:
    """The goals scored at one meeting (F9), as a section of that meeting: the scores were
    only in the client's case plan, and the meeting's own summary said nothing of them."""
    rated = [(goal, rating) for goal in goals if (rating := rating_at(goal, meeting_id)) is not None]
    if not rated:
        return ""
    rows = "".join(f"| {md_cell(goal.text)} | {rating.score} of 10 | {md_cell(rating.note)} |\n" for goal, rating in rated)
    return f"{sub}Progress on goals\n\n{table_header(['Goal', 'Score', 'Note'])}{rows}\n"
