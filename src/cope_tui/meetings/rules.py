"""What a meeting is allowed to do, apart from how it is shown or stored.

Pure rules: records in, records out. Saving is the caller's (session.py does it for
the app, the CLI and the demo alike).
"""

from __future__ import annotations

from collections.abc import Collection

from ..content.meeting_guide import ListSpec, MeetingGuide, Step
from ..records import CellValue, now, parse_date
from .errors import MeetingError
from .models import Addendum, Client, Meeting, MeetingKind, MeetingMode, Row, StepState
from .signing import content_hash
from .stages import ensure_open
from ..words import agrees, counted

def steps_of(meeting_guide: MeetingGuide, meeting: Meeting) -> list[Step]:
    return meeting_guide.steps_for(meeting.kind is MeetingKind.FIRST)


def carried_rows(spec: ListSpec, rows: list[Row], ticked: Collection[str] = ()) -> list[Row]:
    """Rows for the next meeting. `ticked`: row ids ticked off on the client record since;
    they arrive marked done where the list has a done column, and end here where it has none."""
    if spec.carry == "all":
        keep = rows
    elif spec.carry == "open":
        keep = [r for r in rows if not r.values.get(spec.done_column or "")]
    else:
        return []
    copies = [r.model_copy(deep=True) for r in keep if spec.done_column or r.id not in ticked]
    for row in copies:
        if spec.done_column and row.id in ticked:
            row.values[spec.done_column] = True
    return copies


def fresh_rows(spec: ListSpec) -> list[Row]:
    """Checklist rows from the content, with the item text in the first column."""
    first = spec.columns[0].id
    return [Row(item=item.id, values={first: item.text}) for item in spec.items]


def new_meeting(
    meeting_guide: MeetingGuide,
    client: Client,
    last: Meeting | None,
    *,
    mode: MeetingMode = MeetingMode.IN_PERSON,
    present: list[str] | None = None,
) -> Meeting:
    """The client's next meeting, not yet saved: the first when there is no `last` one,
    a review after, with the lists carried from `last`."""
    ensure_open(client)  # a closed client is read-only: no new meetings
    kind = MeetingKind.REVIEW if last is not None else MeetingKind.FIRST
    meeting = Meeting(client_id=client.id, kind=kind, mode=mode, present=present or [], stage=client.stage)
    carry_forward(meeting_guide, meeting, last, client.followups)
    meeting.current_step = steps_of(meeting_guide, meeting)[0].id
    return meeting


def carry_forward(meeting_guide: MeetingGuide, meeting: Meeting, last: Meeting | None, ticked: Collection[str] = ()) -> None:
    """Fill a new meeting's lists: checklists fresh from the content, the rest carried from
    `last` (see carried_rows for `ticked`, the row ids ticked off on the client record)."""
    for step in steps_of(meeting_guide, meeting):
        record = meeting.step(step.id)
        for spec in step.lists:
            previous = last.peek_rows(step.id, spec.id) if last is not None else []
            record.lists[spec.id] = fresh_rows(spec) if spec.fixed else carried_rows(spec, previous, ticked)
    if last is not None:
        shown = {s.id for s in steps_of(meeting_guide, meeting)}
        for step, spec, rows in open_decisions(meeting_guide, last):
            if step.id not in shown:
                copies = [row.model_copy(deep=True) for row in rows]
                for row in copies:  # a checklist row has no origin: the meeting that raised it, marked ↻
                    row.origin = row.origin or last.id
                meeting.step(step.id).lists[spec.id] = copies


def held_decisions(meeting_guide: MeetingGuide, meeting: Meeting) -> list[tuple[Step, ListSpec]]:
    """The checklists a meeting carries from a step it does not show (see carry_forward):
    its opening shows them, to be agreed or deferred again."""
    shown = {s.id for s in steps_of(meeting_guide, meeting)}
    return [
        (step, spec)
        for step in meeting_guide.steps
        if step.done_rule == "all_decided" and step.id not in shown
        for spec in step.lists
        if meeting.peek_rows(step.id, spec.id)
    ]


def open_decisions(meeting_guide: MeetingGuide, meeting: Meeting) -> list[tuple[Step, ListSpec, list[Row]]]:
    """Checklist rows of "all decided" steps not yet agreed (undecided, or deferred with a
    reason): they come back at every later meeting, in its opening, until agreed. A review
    meeting holds them under the first meeting's step id, which it does not show as a step."""
    found = []
    for step in meeting_guide.steps:
        if step.done_rule != "all_decided":
            continue
        for spec in step.lists:
            agreed = agreement_of(spec)
            if agreed is None:
                continue
            rows = [r for r in meeting.peek_rows(step.id, spec.id) if r.values.get(spec.decision or "") != agreed]
            if rows:
                found.append((step, spec, rows))
    return found


def carried_from(meeting: Meeting, row: Row) -> bool:
    return row.origin is not None and row.origin != meeting.id


def new_row(meeting: Meeting, spec: ListSpec, values: dict[str, CellValue]) -> Row:
    return Row(values=clean_values(spec, values), origin=meeting.id)


def clean_values(spec: ListSpec, values: dict[str, CellValue]) -> dict[str, CellValue]:
    """Check a row as typed; raise MeetingError naming the column and what to type."""
    out: dict[str, CellValue] = {}
    for col in spec.columns:
        value = values.get(col.id)
        if isinstance(value, str):
            value = value.strip()
        if col.kind == "bool":
            value = bool(value)
        elif value in ("", None):
            value = None
        elif col.kind == "int":
            try:
                value = int(str(value))
            except ValueError:
                raise MeetingError(f"{col.label}: type a whole number, e.g. 10.") from None
            if value < 0:
                raise MeetingError(f"{col.label}: the number cannot be negative.")
        elif col.kind == "date":
            try:
                value = parse_date(str(value)).isoformat()
            except ValueError as exc:
                raise MeetingError(f"{col.label}: {exc}") from None
        elif col.kind == "choice" and value not in col.choices:
            raise MeetingError(f"{col.label}: choose one of {', '.join(col.choices)}.")
        out[col.id] = value
    for col in spec.columns:
        needed = col.required or any(out.get(k) == v for k, v in col.required_when.items())
        if needed and out.get(col.id) in (None, ""):
            because = ""
            if col.required_when:
                because = " when " + ", ".join(f"{spec.column(k).label} is {v}" for k, v in col.required_when.items())
            raise MeetingError(f"{col.label} is needed{because}.")
    return out


def check_field(kind: str, label: str, text: str) -> str:
    """Normalise a single field; dates are checked and stored as ISO."""
    text = text.strip()
    if kind == "date" and text:
        try:
            return parse_date(text).isoformat()
        except ValueError as exc:
            raise MeetingError(f"{label}: {exc}") from None
    return text


def undecided(step: Step, meeting: Meeting) -> list[str]:
    """Rows that still need a decision before the step may be marked done."""
    if step.done_rule != "all_decided":
        return []
    missing = []
    for spec in step.lists:
        if spec.decision is None:
            continue
        for row in meeting.peek_rows(step.id, spec.id):
            if not row.values.get(spec.decision):
                missing.append(str(row.values.get(spec.columns[0].id) or row.item or "?"))
    return missing


def deferral_of(spec: ListSpec) -> tuple[str, str] | None:
    """The decision that needs a reason (deferred) and the column that holds the reason."""
    if spec.decision is None:
        return None
    for col in spec.columns:
        for other, value in col.required_when.items():
            if other == spec.decision:
                return value, col.id
    return None


def agreement_of(spec: ListSpec) -> str | None:
    """The decision that settles a row outright: the first choice that needs no reason."""
    if spec.decision is None:
        return None
    deferral = deferral_of(spec)
    choices = [c for c in spec.column(spec.decision).choices if deferral is None or c != deferral[0]]
    return choices[0] if choices else None


def decide(spec: ListSpec, row: Row, choice: str, reason: str = "") -> None:
    """Record a decision on a checklist row: talked about (its tick), decided, and for a
    deferral why; an agreement drops the reason an earlier deferral gave."""
    if spec.decision is None:
        raise MeetingError(f"'{spec.label}' has no decision to record.")
    values = dict(row.values)
    values[spec.decision] = choice
    if spec.toggle:
        values[spec.toggle] = True
    deferral = deferral_of(spec)
    if deferral is not None:
        values[deferral[1]] = reason if choice == deferral[0] else None
    row.values = clean_values(spec, values)


def settle(step: Step, meeting: Meeting) -> bool:
    """An "all decided" step is done as soon as every row has a decision, and pending
    again when one loses it. True when the step's state changed."""
    if step.done_rule != "all_decided" or meeting.finalised:
        return False
    record = meeting.step(step.id)
    missing = undecided(step, meeting)
    if not missing and record.state is StepState.PENDING:
        record.state = StepState.DONE
        return True
    if missing and record.state is StepState.DONE:
        record.state = StepState.PENDING
        return True
    return False


def set_step_state(meeting_guide: MeetingGuide, meeting: Meeting, step_id: str, state: StepState) -> None:
    ensure_editable(meeting)
    step = meeting_guide.step(step_id)
    if state is StepState.DONE:
        missing = undecided(step, meeting)
        if missing:
            # The first open area whole: cut short, it read as a word the client never heard.
            raise MeetingError(
                f"'{step.title}' is not done yet: {counted(len(missing), 'item')} still "
                f"{agrees(len(missing), 'needs', 'need')} a decision (agreed, or deferred with a reason). "
                f"First: {missing[0]}"
            )
    meeting.step(step_id).state = state


def ensure_editable(meeting: Meeting) -> None:
    if meeting.finalised:
        raise MeetingError("This meeting is finalised and read-only. Add a dated addendum to correct it.")


def finalise(meeting: Meeting, by: str) -> None:
    ensure_editable(meeting)
    by = by.strip()
    if not by:
        raise MeetingError("Type who is finalising the meeting (a name or staff code).")
    meeting.finalised_by = by
    meeting.finalised_at = now()
    from ..records import dump

    meeting.content_hash = content_hash(dump(meeting))  # what doctor checks it against later


def add_addendum(meeting: Meeting, text: str, by: str) -> Addendum:
    if not meeting.finalised:
        raise MeetingError("Addenda are for finalised meetings; edit the meeting itself instead.")
    if not text.strip():
        raise MeetingError("Type the text of the addendum.")
    if not by.strip():
        raise MeetingError("Type who is adding the addendum.")
    addendum = Addendum(text=text.strip(), by=by.strip())
    meeting.addenda.append(addendum)
    return addendum


def open_actions(meeting_guide: MeetingGuide, meeting: Meeting) -> list[tuple[ListSpec, Row]]:
    """Rows of carry='open' lists not yet done: the action items still owed."""
    found = []
    for step in steps_of(meeting_guide, meeting):
        for spec in step.lists:
            if spec.carry == "open":
                for row in meeting.peek_rows(step.id, spec.id):
                    if not row.values.get(spec.done_column or ""):
                        found.append((spec, row))
    return found
