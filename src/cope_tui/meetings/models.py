"""Stored records: clients and meetings.

Meetings keep their own copy of every carried-forward list, so a finalised
meeting stays exactly as it was signed even when later meetings edit the lists.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field, field_validator

from ..content.stages import STAGES
from ..mdsafe import refuse_hidden
from ..records import CellValue, Model, new_id, now

CODE_MAX = 60
_CODE_RE = re.compile(r"^[^\x00-\x1f\x7f]+$")


def check_code(code: str) -> str:
    """Validate a client code or display name as typed; the message says what to type instead."""
    refuse_hidden(code.strip(), "The code")
    return _stored_code(code)


def _stored_code(code: str) -> str:
    """The older, looser rule, for codes already stored: a DB an earlier version wrote
    with a C1 or zero-width character in a code still opens (screens drop them)."""
    code = code.strip()
    if not code:
        raise ValueError("Enter a name or code for the client (it cannot be empty).")
    if len(code) > CODE_MAX:
        raise ValueError(f"Keep the name or code to {CODE_MAX} characters or fewer.")
    if not _CODE_RE.match(code):
        raise ValueError("The code cannot hold control characters.")
    return code


class StageChange(Model):
    """A dated move to another helping stage, with the reason given."""

    stage: int = Field(ge=1, le=STAGES)
    on: date = Field(default_factory=date.today)
    reason: str = ""


class GoalRating(Model):
    """Progress on one goal as rated at a review meeting (0 = none, 10 = reached)."""

    score: int = Field(ge=0, le=10)
    on: date = Field(default_factory=date.today)
    meeting_id: str | None = None
    note: str = ""


class Goal(Model):
    """A case-plan goal from stage 3: the preferred scenario or a change goal."""

    id: str = Field(default_factory=new_id)
    text: str
    kind: str = "change"  # "preferred" (the preferred scenario) or "change"
    indicators: list[str] = Field(default_factory=list)  # how the client will know it helps
    created: date = Field(default_factory=date.today)
    ratings: list[GoalRating] = Field(default_factory=list)
    achieved: date | None = None


class FollowUp(Model):
    """An action item or referral ticked off outside its meeting, keyed by row id."""

    done_on: date = Field(default_factory=date.today)
    note: str = ""


class Handover(Model):
    """The stage-6 closing summary."""

    journey: str = ""
    learned: str = ""
    effect: str = ""
    challenges: str = ""
    referrals: str = ""
    # The worker's own look back and what training would help; added later, so optional.
    reflection: str = ""
    written: datetime = Field(default_factory=now)


class ClosureChange(Model):
    """A client closed or reopened, dated, with the reason for a reopening."""

    closed: bool
    at: datetime = Field(default_factory=now)
    reason: str = ""


class Client(Model):
    id: str = Field(default_factory=new_id)
    # A display name or a pseudonymous code; many services must not store real names.
    code: str
    significant_others: list[str] = Field(default_factory=list)
    note: str = ""
    created: datetime = Field(default_factory=now)
    # The client's journey (issue 5): stage, case plan, follow-through, handover.
    stage: int = Field(default=1, ge=1, le=STAGES)
    stage_history: list[StageChange] = Field(default_factory=list)
    goals: list[Goal] = Field(default_factory=list)
    followups: dict[str, FollowUp] = Field(default_factory=dict)
    handover: Handover | None = None
    closed_at: datetime | None = None
    closures: list[ClosureChange] = Field(default_factory=list)
    created_by: str | None = None  # the worker's [user] name, for a team (issue 15)

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @field_validator("code")
    @classmethod
    def _valid_code(cls, value: str) -> str:
        return _stored_code(value)


class MeetingKind(StrEnum):
    FIRST = "first"
    REVIEW = "review"


class MeetingMode(StrEnum):
    IN_PERSON = "in person"
    PHONE = "phone"
    VIDEO = "video"


class StepState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"


class Row(Model):
    """One row of a list or checklist; `added` travels with it when carried forward."""

    id: str = Field(default_factory=new_id)
    item: str | None = None  # the content's checklist item id, for fixed rows
    values: dict[str, CellValue] = Field(default_factory=dict)
    added: date = Field(default_factory=date.today)
    # The meeting where the row was first written, so exports can say "carried forward".
    origin: str | None = None


class StepRecord(Model):
    state: StepState = StepState.PENDING
    notes: str = ""
    fields: dict[str, str] = Field(default_factory=dict)
    lists: dict[str, list[Row]] = Field(default_factory=dict)


class Addendum(Model):
    """A dated correction to a finalised meeting; the meeting itself never changes."""

    text: str
    by: str
    at: datetime = Field(default_factory=now)


class Meeting(Model):
    id: str = Field(default_factory=new_id)
    client_id: str
    kind: MeetingKind
    mode: MeetingMode = MeetingMode.IN_PERSON
    present: list[str] = Field(default_factory=list)
    started: datetime = Field(default_factory=now)
    # Time the meeting screen was open, so the clock resumes where it stopped.
    active_seconds: int = 0
    current_step: str = ""
    steps: dict[str, StepRecord] = Field(default_factory=dict)
    finalised_at: datetime | None = None
    finalised_by: str | None = None
    # SHA-256 of the meeting as finalised (see signing.py), so later changes can be named.
    content_hash: str | None = None
    addenda: list[Addendum] = Field(default_factory=list)
    # The client's helping stage when the meeting was started (None: from before stages).
    stage: int | None = Field(default=None, ge=1, le=STAGES)
    created_by: str | None = None  # the worker's [user] name, for a team (issue 15)

    @property
    def finalised(self) -> bool:
        return self.finalised_at is not None

    def step(self, step_id: str) -> StepRecord:
        """The step's record, created if missing: for editing."""
        return self.steps.setdefault(step_id, StepRecord())

    def rows(self, step_id: str, list_id: str) -> list[Row]:
        """The list's rows, created if missing: for editing."""
        return self.step(step_id).lists.setdefault(list_id, [])

    def peek(self, step_id: str) -> StepRecord:
        """The step's record for reading; never adds to the meeting (a finalised one must not change)."""
        return self.steps.get(step_id) or StepRecord()

    def peek_rows(self, step_id: str, list_id: str) -> list[Row]:
        return self.peek(step_id).lists.get(list_id, [])
