"""What the action plan's tables share: their marks, when a culture item is overdue, and
how wide a who / what cell may grow. The problems table (plan.py), its culture mode
(plan_culture.py) and the culture-of-service section (culture.py) all draw with these.
"""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len

from ...cope.exercise import PlanItem

OVERDUE_MARK = "!"
CARRIED_MARK = "↻"
CELL_MAX = 16  # a who / what cell of a culture item


def item_overdue(item: PlanItem | None, today: date | None = None) -> bool:
    """Planned for a day already past and still not done."""
    today = today or date.today()
    return item is not None and item.by_when is not None and item.by_when < today and not item.done


def natural_width(values: list[str], label: str, most: int) -> int:
    """A column as wide as its widest value (in terminal cells), at most `most`, never
    narrower than its label."""
    return max(cell_len(label), min(most, max((cell_len(v) for v in values), default=0)))
