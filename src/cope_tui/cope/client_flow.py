"""Client-flow analysis: how long clients spend in the facility, and how much of it waiting.

The figures have one definition (DEFINITIONS), used by the register, the summaries, the
chart and the report alike, so they never disagree. Times are minutes of one day; the
register is checked so impossible times never enter it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

_HHMM = re.compile(r"^\s*(\d{1,2})[:.h]?(\d{2})\s*$")

DEFINITIONS = (
    "Total: arrival to departure; with no departure, to the end of the last contact once "
    "the day is over. Contact: the staff contacts added up. Waiting: total minus contact. "
    "A visit is finished (done) when the client has left, or the day is over and no contact "
    "is open; on the day an open visit counts until now. Means and the chart take finished "
    "visits only."
)


class FlowError(ValueError):
    """An impossible time; the message gives the reason and what to type."""


def parse_clock(text: str) -> time:
    """'9:05', '09:05', '0905' or '9.05' as a time of day."""
    match = _HHMM.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise FlowError(f"'{text.strip()}' is not a time of day. Type HH:MM, e.g. 09:05 or 14:30.")


def now_clock() -> time:
    return datetime.now().time().replace(second=0, microsecond=0)


def minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def live_minutes(flow_date: date | None, today: date | None = None) -> int | None:
    """The clock in minutes while the register is today's (open visits grow), else None."""
    return minutes(now_clock()) if flow_date is not None and flow_date == (today or date.today()) else None


@dataclass(frozen=True)
class Visit:
    number: int
    visit_type: str  # "first" or "follow-up"
    arrival: time
    departure: time | None = None


@dataclass(frozen=True)
class Contact:
    client: int
    staff: str
    start: time
    end: time | None = None


@dataclass(frozen=True)
class ClientTimes:
    number: int
    visit_type: str
    arrival: time
    total: int | None  # minutes; so far while the visit is open on the day, None after it
    contact: int
    waiting: int | None
    finished: bool = True


def check_visit(visits: Iterable[Visit], visit: Visit, *, replacing: int | None = None) -> None:
    """Refuse a duplicate number or a departure before arrival."""
    for other in visits:
        if other.number == visit.number and other.number != replacing:
            raise FlowError(f"Client number {visit.number} is already in the register; use the next number.")
    if visit.departure is not None and minutes(visit.departure) < minutes(visit.arrival):
        raise FlowError(
            f"Client {visit.number} cannot leave ({visit.departure:%H:%M}) before arriving ({visit.arrival:%H:%M})."
        )


def check_contact(visits: Iterable[Visit], contacts: Iterable[Contact], contact: Contact, *, replacing: Contact | None = None) -> None:
    """Refuse an end before its start, a contact before arrival, or one overlapping another."""
    by_number = {v.number: v for v in visits}
    visit = by_number.get(contact.client)
    if visit is None:
        raise FlowError(f"Client {contact.client} is not in the register; add their arrival first.")
    start = minutes(contact.start)
    if start < minutes(visit.arrival):
        raise FlowError(
            f"This contact starts at {contact.start:%H:%M}, before client {contact.client} "
            f"arrived at {visit.arrival:%H:%M}."
        )
    if contact.end is not None and minutes(contact.end) < start:
        raise FlowError(f"The contact ends ({contact.end:%H:%M}) before it starts ({contact.start:%H:%M}).")
    if visit.departure is not None and minutes(contact.end or contact.start) > minutes(visit.departure):
        raise FlowError(f"Client {contact.client} left at {visit.departure:%H:%M}, before this contact ended.")
    end = minutes(contact.end) if contact.end is not None else None
    for other in contacts:
        if other is replacing or other == replacing or other.client != contact.client:
            continue
        o_start = minutes(other.start)
        o_end = minutes(other.end) if other.end is not None else None
        # Two contacts overlap when each starts before the other ends (an open one has no end yet).
        if (o_end is None or start < o_end) and (end is None or o_start < end):
            shown = f"{other.start:%H:%M}-{other.end:%H:%M}" if other.end else f"{other.start:%H:%M} (still open)"
            raise FlowError(
                f"Client {contact.client} is already with {other.staff} at that time ({shown}); "
                "end that contact first or fix its times."
            )


def client_times(visits: Iterable[Visit], contacts: Iterable[Contact], *, now: int | None = None) -> list[ClientTimes]:
    """Per client, in order of arrival, as DEFINITIONS says; `now` (minutes) is the clock
    on the register's own day, when a visit without departure is still open."""
    contacts = list(contacts)
    found = []
    for visit in sorted(visits, key=lambda v: (minutes(v.arrival), v.number)):
        own = [c for c in contacts if c.client == visit.number]
        contact = sum(minutes(c.end) - minutes(c.start) for c in own if c.end is not None)
        ends = [minutes(c.end) for c in own if c.end is not None]
        open_contact = next((c for c in own if c.end is None), None)
        leave: int | None = None
        if visit.departure is not None:
            leave = minutes(visit.departure)
        elif now is None and ends and open_contact is None:
            leave = max(ends)
        elif now is not None:
            if open_contact is not None:
                contact += max(now - minutes(open_contact.start), 0)
            total = max(now - minutes(visit.arrival), 0)
            found.append(ClientTimes(visit.number, visit.visit_type, visit.arrival, total, contact, max(total - contact, 0), False))
            continue
        total = None if leave is None else leave - minutes(visit.arrival)
        waiting = None if total is None else max(total - contact, 0)
        found.append(ClientTimes(visit.number, visit.visit_type, visit.arrival, total, contact, waiting, leave is not None))
    return found


@dataclass(frozen=True)
class Summary:
    label: str
    clients: int
    finished: int
    mean_total: float | None
    mean_contact: float | None
    mean_waiting: float | None
    max_waiting: int | None


def _summary(label: str, rows: list[ClientTimes]) -> Summary:
    done = [r for r in rows if r.finished]

    def mean(values: list[int]) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    return Summary(
        label,
        len(rows),
        len(done),
        mean([r.total for r in done if r.total is not None]),
        mean([r.contact for r in done]),
        mean([r.waiting for r in done if r.waiting is not None]),
        max((r.waiting for r in done if r.waiting is not None), default=None),
    )


def by_visit_type(rows: list[ClientTimes]) -> list[Summary]:
    kinds = sorted({r.visit_type for r in rows})
    return [_summary(kind, [r for r in rows if r.visit_type == kind]) for kind in kinds] + [_summary("all", rows)]


def by_hour(rows: list[ClientTimes]) -> list[Summary]:
    hours = sorted({r.arrival.hour for r in rows})
    return [_summary(f"{h:02d}:00-{h:02d}:59", [r for r in rows if r.arrival.hour == h]) for h in hours]


def chart(rows: list[ClientTimes], *, width: int = 50) -> list[str]:
    """Waiting (░) against contact (█) time per client, by order of arrival, as text lines.

    Plain characters, so the chart reads the same in 16 colours, with NO_COLOR, and in
    a Markdown code block.
    """
    done = [r for r in rows if r.finished]
    if not rows:
        return ["No client in the register yet."]
    longest = max(((r.waiting or 0) + r.contact for r in done), default=0) or 1
    scale = min(1.0, width / longest)
    lines = [f"Each mark is about {1 / scale:.1f} min.  ░ waiting  █ contact" if done else "No client has finished a visit yet."]
    for r in rows:
        if not r.finished:
            lines.append(f"#{r.number:<3} {r.arrival:%H:%M}  (still in the facility)")
            continue
        wait = "░" * round((r.waiting or 0) * scale)
        seen = "█" * round(r.contact * scale)
        lines.append(f"#{r.number:<3} {r.arrival:%H:%M}  {wait}{seen}  {r.waiting}+{r.contact} min")
    return lines
