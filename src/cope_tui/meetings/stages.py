"""The client's journey: helping stage, handover and closing (no UI here).

Which stages exist, their names, purposes and meeting prompts come from
`content/stages.toml` (read by content.stages). The rules live here so the screens,
the CLI and the tests all go through the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..content.stages import STAGES
from ..records import now
from .errors import MeetingError
from .models import Client, ClosureChange, Handover, Meeting, StageChange


class StageError(MeetingError):
    """A journey action that cannot be done; the message says why and what to do."""


# ---- stage ----------------------------------------------------------------------------


def stage_since(client: Client) -> date:
    """When the client reached the current stage: the last change, else when they were added."""
    return client.stage_history[-1].on if client.stage_history else client.created.date()


def stage_on(client: Client, day: date) -> int:
    """The stage the client was at on `day`, from the dated history (stage 1 before any change)."""
    stage = 1
    for change in client.stage_history:
        if change.on <= day:
            stage = change.stage
    return stage


def parse_stage(text: str) -> int:
    """A stage number as typed; the message says what to type instead."""
    try:
        number = int(str(text).strip())
    except ValueError:
        raise StageError(f"'{str(text).strip()}' is not a stage: type a number from 1 to {STAGES}.") from None
    if not 1 <= number <= STAGES:
        raise StageError(f"There is no stage {number}: the stages run from 1 to {STAGES}.")
    return number


def ensure_open(client: Client) -> None:
    if client.closed:
        raise StageError(
            f"{client.code} is closed and read-only. Reopen the client (o on the client screen) "
            "with a reason before changing anything or starting a meeting."
        )


def change_stage(client: Client, stage: int, reason: str, *, today: date | None = None) -> StageChange:
    """Move the client to `stage`, dated today, with the reason given (which is required)."""
    ensure_open(client)
    stage = parse_stage(str(stage))
    if stage == client.stage:
        raise StageError(f"{client.code} is already at stage {stage}; pick another stage, or esc to leave it.")
    reason = reason.strip()
    if not reason:
        raise StageError("Type the reason for the change of stage; it is kept with the date.")
    change = StageChange(stage=stage, on=today or date.today(), reason=reason)
    client.stage = stage
    client.stage_history.append(change)
    return change


# ---- handover and closing ---------------------------------------------------------------

# The handover's sections: field of models.Handover, heading.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("journey", "The journey"),
    ("learned", "What was learned"),
    ("effect", "The effect"),
    ("challenges", "Challenges ahead"),
    ("referrals", "Referrals left in place"),
    ("reflection", "Reflection and training needs"),
)
# Referrals may be left blank: the export lists the latest meeting's referrals anyway.
REQUIRED = ("journey", "learned", "effect", "challenges")


def write_handover(client: Client, **sections: str) -> Handover:
    """Set some of the handover's sections (as typed, saved as you go) and stamp the time."""
    ensure_open(client)
    known = {key for key, _ in SECTIONS}
    unknown = sorted(set(sections) - known)
    if unknown:
        raise StageError(f"The handover has no section '{unknown[0]}'; its sections are {sorted(known)}.")
    handover = client.handover or Handover()
    for key, text in sections.items():
        setattr(handover, key, text)
    handover.written = now()
    client.handover = handover
    return handover


def handover_missing(client: Client) -> list[str]:
    """Headings of the required sections still empty (all of them with no handover yet)."""
    handover = client.handover or Handover()
    return [title for key, title in SECTIONS if key in REQUIRED and not getattr(handover, key).strip()]


def close_client(client: Client, meetings: Iterable[Meeting] = ()) -> ClosureChange:
    """Close the client after the handover: read-only from now on, until reopened with a reason.

    A draft meeting would be left editable on a closed record, so it must be finalised first.
    Closing moves a client not yet at stage 6 there, dated, so the journey shows the handover.
    """
    ensure_open(client)
    missing = handover_missing(client)
    if missing:
        raise StageError(
            "Write the handover before closing (h on the client screen); still empty: " + ", ".join(missing) + "."
        )
    drafts = [m for m in meetings if m.client_id == client.id and not m.finalised]
    if drafts:
        raise StageError(
            f"The meeting of {drafts[0].started:%Y-%m-%d} is still a draft. Finalise it (ctrl+f in the meeting) "
            "before closing the client."
        )
    if client.stage != STAGES:
        change_stage(client, STAGES, "Handover written; client closed.")
    change = ClosureChange(closed=True)
    client.closed_at = change.at
    client.closures.append(change)
    return change


def reopen_client(client: Client, reason: str) -> ClosureChange:
    """Make a closed client editable again; the reason is kept with the date."""
    if not client.closed:
        raise StageError(f"{client.code} is not closed, so there is nothing to reopen.")
    reason = reason.strip()
    if not reason:
        raise StageError("Type the reason for reopening; it is kept with the date.")
    change = ClosureChange(closed=False, reason=reason)
    client.closed_at = None
    client.closures.append(change)
    return change
