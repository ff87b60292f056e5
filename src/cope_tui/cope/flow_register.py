"""The client-flow register as the panel shows and edits it: rows with live figures,
contacts in words, forgiving typed times, and edits checked against the whole register.

Pure (no Textual), so the rules are tested without a screen; the domain checks themselves
are in `client_flow` and `exercise`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from . import client_flow
from .exercise import Exercise, ExerciseError, FlowContact, FlowVisit, flow_times

COLUMNS = ("#", "Type", "Arr", "Status", "Total", "Seen", "Wait", "Contacts")
SHORT_TYPE = {"first": "first", "follow-up": "f-up"}


def hhmm(text: str) -> str:
    """A typed time ('now', '9.05', '0905') as stored: 'HH:MM'."""
    when = client_flow.now_clock() if text.strip().lower() == "now" else client_flow.parse_clock(text)
    return f"{when:%H:%M}"


def visit_type(text: str) -> str:
    """Forgiving spelling of the two visit types, since paper forms vary."""
    word = text.strip().lower()
    if word in ("first", "f", "1", "new"):
        return "first"
    if word.startswith("follow") or word in ("fu", "f-up", "2", "repeat"):
        return "follow-up"
    raise ExerciseError(f"Visit type is 'first' or 'follow-up' (not '{text.strip()}').")


def check_register(exercise: Exercise) -> None:
    """Re-check every visit and contact: fixing one time can make another impossible."""
    clock = client_flow.parse_clock
    visits = [
        client_flow.Visit(v.number, v.visit_type, clock(v.arrival), clock(v.departure) if v.departure else None)
        for v in exercise.visits
    ]
    for i, visit in enumerate(visits):
        client_flow.check_visit(visits[:i], visit)
    contacts = [
        client_flow.Contact(c.client, c.staff, clock(c.start), clock(c.end) if c.end else None)
        for c in exercise.contacts
    ]
    for i, contact in enumerate(contacts):
        client_flow.check_contact(visits, contacts[:i], contact)


def checked_edit(exercise: Exercise, change: Callable[[Exercise], None]) -> None:
    """Try `change` on a copy; apply it to the exercise only if the register stays possible."""
    trial = exercise.model_copy(deep=True)
    change(trial)
    check_register(trial)
    change(exercise)


def visit_of(exercise: Exercise, number: int) -> FlowVisit:
    return next(v for v in exercise.visits if v.number == number)


def contacts_of(exercise: Exercise, number: int) -> list[FlowContact]:
    return sorted((c for c in exercise.contacts if c.client == number), key=lambda c: c.start)


def recent_staff(exercise: Exercise, limit: int = 6) -> list[str]:
    """Staff types, most recently used first: what the next contact most likely is."""
    latest_first = sorted(exercise.contacts, key=lambda c: c.start, reverse=True)
    return list(dict.fromkeys(c.staff for c in latest_first))[:limit]


def contacts_text(contacts: Iterable[FlowContact], limit: int = 10**6) -> str:
    """'nurse 08:20-08:40, doctor 09:00-…'; when too long the earliest go first, since the
    latest contact is the one that matters live."""
    parts = [f"{c.staff} {c.start}-{c.end or '…'}" for c in contacts]
    text = ", ".join(parts)
    while len(text) > limit and len(parts) > 1:
        parts = parts[1:]
        text = "…, " + ", ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def register_rows(exercise: Exercise, now: int | None) -> list[tuple[int, list[str]]]:
    """(number, cells as COLUMNS) per client in arrival order; `now` (minutes) makes open
    visits live, so their total and waiting grow until they leave."""
    rows = []
    for times in flow_times(exercise, now):
        visit, own = visit_of(exercise, times.number), contacts_of(exercise, times.number)
        current = next((c for c in own if c.end is None), None)
        if times.finished:
            status = "done"
        else:
            status = "waiting" if current is None else f"with {current.staff}"
        cells = [str(times.number), SHORT_TYPE.get(times.visit_type, times.visit_type), visit.arrival, status]
        cells += ["…" if n is None else str(n) for n in (times.total, times.contact, times.waiting)]
        rows.append((times.number, [*cells, contacts_text(own)]))
    return rows


def client_line(exercise: Exercise, number: int | None, limit: int = 10**6) -> str:
    """The highlighted client, above the table, since the contacts column may be cut or gone."""
    if number is None:
        return ""
    visit = visit_of(exercise, number)
    head = f"#{number} {visit.visit_type} visit, arrived {visit.arrival}"
    head += f", left {visit.departure}: " if visit.departure else ": "
    return head + (contacts_text(contacts_of(exercise, number), limit - len(head)) or "no contact yet")


def set_fields(target: object, **values: object) -> None:
    """Several fields in one expression, for the edits `checked_edit` runs twice."""
    for name, value in values.items():
        setattr(target, name, value)
