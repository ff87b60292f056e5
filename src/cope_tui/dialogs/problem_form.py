"""Dialogs for the action plan: one problem (`ProblemForm`) and one culture item (`PlanItemForm`).

The dialogs only collect and check what was typed; they dismiss with plain values and
the panel that opened them writes those into the exercise, so a cancelled dialog never
leaves a half-edited problem behind. A bad date is refused at its field with the
message `parse_date` gives, because facilitators type dates live ('+7', 'tomorrow').
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.app import ComposeResult
from textual.widgets import Select

from ..cope.exercise import PRIORITIES, STATUSES, PlanItem, Problem, set_status
from .form import FormDialog

EMPTY_TEXT = "Describe the problem (it cannot be empty)."


# ---- one problem ----------------------------------------------------------------------


@dataclass
class ProblemValues:
    """What the problem form collected; `apply` writes it, keeping the status history."""

    text: str
    cause: str
    recommendation: str
    by_whom: str
    by_when: date | None
    priority: str
    status: str
    note: str = ""

    def apply(self, problem: Problem) -> bool:
        """Write into `problem`; True when anything changed. Status goes through `set_status`."""
        before = problem.model_dump()
        problem.text = self.text
        problem.cause = self.cause
        problem.recommendation = self.recommendation
        problem.by_whom = self.by_whom
        problem.by_when = self.by_when
        problem.priority = self.priority  # type: ignore[assignment]
        set_status(problem, self.status, self.note)
        return problem.model_dump() != before


class ProblemForm(FormDialog[ProblemValues | None]):
    """Add or edit one action-plan problem; dismisses with `ProblemValues` or None."""

    def __init__(self, problem: Problem | None = None, *, info: str = "") -> None:
        title = "Edit problem" if problem is not None else "Add a problem"
        super().__init__(title, info)
        self.problem = problem

    def fields(self) -> ComposeResult:
        p = self.problem
        yield from self.field("text", "Problem *", self.text_input(p.text if p else "", "what is wrong"))
        yield from self.field("cause", "Cause", self.text_input(p.cause if p else "", "why it happens"))
        yield from self.field(
            "recommendation", "Recommendation", self.text_input(p.recommendation if p else "", "what to do")
        )
        yield from self.field("by_whom", "By whom", self.text_input(p.by_whom if p else "", "a role or name"))
        yield from self.field("by_when", "By when", self.date_input(p.by_when if p else None))
        yield from self.field(
            "priority",
            "Priority",
            Select([(x, x) for x in PRIORITIES], value=p.priority if p else "medium", allow_blank=False, compact=True),
        )
        yield from self.field(
            "status",
            "Status",
            Select([(x, x) for x in STATUSES], value=p.status if p else "open", allow_blank=False, compact=True),
        )
        yield from self.field("note", "Status note", self.text_input("", "why the status changed (optional)"))

    def action_save(self) -> None:
        text = " ".join(self.text("text").split())
        if not text:
            self.refuse("text", EMPTY_TEXT)
            return
        try:
            by_when = self.date("by_when")
        except ValueError:
            return
        self.dismiss(
            ProblemValues(
                text=text,
                cause=self.text("cause"),
                recommendation=self.text("recommendation"),
                by_whom=self.text("by_whom"),
                by_when=by_when,
                priority=self.choice("priority"),
                status=self.choice("status"),
                note=self.text("note"),
            )
        )


# ---- one culture-of-service item --------------------------------------------------------


class PlanItemForm(FormDialog[PlanItem | None]):
    """Plan one culture-of-service item as who / what / by when; dismisses with a PlanItem or None.

    The returned item carries the old `done` mark, so the caller can store it as is.
    """

    def __init__(self, item_text: str, item: PlanItem | None = None) -> None:
        super().__init__("Plan this item", item_text)
        self.item = item or PlanItem()

    def fields(self) -> ComposeResult:
        yield from self.field("who", "Who", self.text_input(self.item.who, "a role or name"))
        yield from self.field("what", "What", self.text_input(self.item.what, "the concrete step"))
        yield from self.field("by_when", "By when", self.date_input(self.item.by_when))

    def action_save(self) -> None:
        try:
            by_when = self.date("by_when")
        except ValueError:
            return
        self.dismiss(PlanItem(who=self.text("who"), what=self.text("what"), by_when=by_when, done=self.item.done))
