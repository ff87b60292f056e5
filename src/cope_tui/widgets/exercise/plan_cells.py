"""What the action plan's tables share: their marks, when a culture item is overdue, and
how wide a who / what cell may grow. The problems table (plan.py), its culture mode
(plan_culture.py) and the culture-of-service section (culture.py) all draw with these.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.cells import cell_len

from ...cope.exercise import PlanItem

OVERDUE_MARK = "!"
CARRIED_MARK = "↻"
CELL_MAX = 16  # a who / what cell of a culture item
TEXT_FLOOR = 10  # an item's or problem's text is never cut shorter (the detail line has it whole)
PAD = 2  # a DataTable cell's padding, left and right


def item_overdue(item: PlanItem | None, today: date | None = None) -> bool:
    """Planned for a day already past and still not done."""
    today = today or date.today()
    return item is not None and item.by_when is not None and item.by_when < today and not item.done


def table_room(table: Any, fallback: int) -> int:
    """The cells a table's columns may take: its width less the vertical scrollbar's
    (kept free, so a table that grows a scrollbar does not push its last column out)."""
    return (table.size.width or fallback) - table.styles.scrollbar_size_vertical


def share_width(room: int, wants: dict[str, tuple[int, int]]) -> dict[str, int]:
    """Widths for the columns that may be cut, sharing `room` cells (the table's width
    less its other columns, cell padding and scrollbar). Each column wants (natural,
    floor): all get their natural width when that fits, else the widest gives way one
    cell at a time, none below its floor, so a date to the right stays on screen."""
    widths = {key: natural for key, (natural, _) in wants.items()}
    while sum(widths.values()) > room:
        cuttable = [key for key in widths if widths[key] > wants[key][1]]
        if not cuttable:
            break
        widest = max(cuttable, key=lambda key: widths[key])
        widths[widest] -= 1
    return widths


def natural_width(values: list[str], label: str, most: int) -> int:
    """A column as wide as its widest value (in terminal cells), at most `most`, never
    narrower than its label."""
    return max(cell_len(label), min(most, max((cell_len(v) for v in values), default=0)))


def plan_item_widths(
    room: int, texts: list[str], plans: list[PlanItem], stages: list[str] | None = None
) -> dict[str, int]:
    """Item text, who and what (and the stage, in the action plan's culture mode) of the
    culture tables (culture.py, plan_culture.py), sharing `room` cells: the item's text
    gives way first, being the longest; the detail line shows the highlighted row whole."""
    longest = max((cell_len(t) for t in texts), default=0)
    wants = {
        "text": (max(longest, len("Item")), min(TEXT_FLOOR, longest) or len("Item")),
        "who": (natural_width([p.who for p in plans], "Who", CELL_MAX), len("Who")),
        "what": (natural_width([p.what for p in plans], "What", CELL_MAX), len("What")),
    }
    if stages is not None:
        wants["stage"] = (natural_width(stages, "Stage", max(map(cell_len, stages), default=0)), len("Stage"))
    return share_width(room, wants)


def date_width(plans: list[PlanItem]) -> int:
    """The By when column: a date's ten cells once any item has one, else its label."""
    return 10 if any(p.by_when for p in plans) else len("By when")
