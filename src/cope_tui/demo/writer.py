"""Sample data for trying cope-tui out: fictional clients and meetings, reproducibly.

Everything is drawn from one `random.Random(seed)` and the meetings are dated from a
fixed base date derived from the seed, so the same seed always writes the same
clients, meetings, row ids and notes. Only the follow-through depends on today: the
latest meetings' due dates, next-meeting dates and ticks are set around the day the
demo is written (follow_through.py), so the same seed on the same day gives the
same file. Clients are pseudonymous codes ("C-0001") and the people around them are
roles ("sister"), never names.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from ..content.meeting_guide import ListSpec, MeetingGuide, Step
from ..meetings.rules import carry_forward, clean_values, steps_of
from ..meetings.models import Addendum, Client, Meeting, MeetingKind, Row, StepState
from ..records import CellValue
from .follow_through import relative_to_today
from ..store.store import Store

# Meetings are dated between the base date (early 2025) and this end.
END = datetime(2026, 11, 30, 17, 0)
# Carried-forward lists stop growing at this many rows, as a real plan would.
MAX_CARRIED = 6

from .phrases import ROLES, WORKERS, SERVICES, TOPICS, STRENGTHS, COPING_POSITIVE, COPING_HARMFUL, SOLUTIONS, SOLUTION_OUTCOME, NETWORK_GROUPS, NETWORK_STRATEGY, NEEDS, DECISIONS, OUTCOMES, ACTIONS, AGENDA_MINUTES, MODES, BOUNDARY_NOTES, DEFERRAL_NOTE, DEFERRAL_REASONS, CLIENT_NOTES, ADDENDA, FIELDS, NOTES, FILL, STEP_WEIGHT


class MeetingWriter:
    def __init__(self, store: Store, meeting_guide: MeetingGuide, seed: int):
        self.store = store
        self.meeting_guide = meeting_guide
        self.rng = random.Random(seed)
        self.step_of = {spec.id: step.id for step, spec in meeting_guide.all_lists()}

    # ---- small helpers -------------------------------------------------------------

    def rid(self) -> str:
        return f"{self.rng.getrandbits(64):016x}"

    def pick(self, items: list[Any]) -> Any:
        return items[self.rng.randrange(len(items))]

    def sentence(self, template: str, others: list[str]) -> str:
        fills = {key: self.pick(values) for key, values in FILL.items() if "{" + key in template}
        fills["other"] = self.pick(others or ROLES)
        fills["n"] = str(self.rng.randint(2, 6))
        fills["fare"] = str(self.rng.randint(2, 6))
        fills["amount"] = str(self.rng.choice([5, 10, 20, 25, 40, 50, 60]))
        return template.format(**fills)

    def notes(self, step_id: str, target: int, others: list[str]) -> str:
        pool = NOTES.get(step_id) or NOTES["progress"]
        order = self.rng.sample(range(len(pool)), len(pool))
        parts: list[str] = []
        size = 0
        for index in order:
            text = self.sentence(pool[index], others)
            if parts and size + len(text) + 1 > target:
                break
            parts.append(text)
            size += len(text) + 1
        if len(parts) > 3:
            cut = len(parts) // 2
            return " ".join(parts[:cut]) + "\n\n" + " ".join(parts[cut:])
        return " ".join(parts)

    def row(self, meeting: Meeting, spec: ListSpec, values: dict[str, CellValue], day: date) -> Row:
        return Row(id=self.rid(), values=clean_values(spec, values), added=day, origin=meeting.id)

    # ---- records -------------------------------------------------------------------

    def client(self, number: int, width: int, first: datetime) -> Client:
        others = self.rng.sample(ROLES, self.rng.randint(0, 3))
        note = self.pick(CLIENT_NOTES) if self.rng.random() < 0.7 else ""
        created = first - timedelta(days=self.rng.randint(1, 10), hours=self.rng.randint(0, 5))
        return Client(id=self.rid(), code=f"C-{number:0{width}d}", significant_others=others, note=note, created=created)

    def meeting(
        self,
        client: Client,
        previous: Meeting | None,
        started: datetime,
        next_date: date,
        unfinished: bool,
    ) -> Meeting:
        kind = MeetingKind.REVIEW if previous else MeetingKind.FIRST
        # Who else was there besides the client and the worker.
        present: list[str] = []
        if client.significant_others and self.rng.random() < 0.3:
            present.append(self.pick(client.significant_others))
        meeting = Meeting(
            id=self.rid(), client_id=client.id, kind=kind, mode=self.pick(MODES), present=present, started=started
        )
        steps = steps_of(self.meeting_guide, meeting)
        # Carried forward by the meetings' own code (ticks on the client included); the
        # checklists' fresh rows get ids and dates from the seed, so the data is the same each time.
        carry_forward(self.meeting_guide, meeting, previous, client.followups)
        for step in steps:
            for spec in step.lists:
                if spec.fixed:
                    for row in meeting.step(step.id).lists[spec.id]:
                        row.id, row.added = self.rid(), started.date()
        reached = self.steps(meeting, steps, client.significant_others, next_date, unfinished)
        self.time_and_signature(meeting, reached, len(steps), unfinished)
        return meeting

    def steps(self, meeting: Meeting, steps: list[Step], others: list[str], next_date: date, unfinished: bool) -> int:
        """Write the steps up to where the meeting stopped (all of them unless `unfinished`);
        later steps stay untouched. Returns how many steps it reached."""
        rng = self.rng
        reached = len(steps) if not unfinished else min(len(steps), rng.randint(2, max(2, len(steps) - 2)))
        weights = sum(STEP_WEIGHT.get(s.id, 1.0) for s in steps)
        total = rng.randint(2000, 2900)
        for index, step in enumerate(steps[:reached]):
            record = meeting.step(step.id)
            last_reached = index == reached - 1
            optional = step.when == "always" and step.id not in ("opening", "outcomes")
            if optional and not last_reached and rng.random() < 0.03:
                record.state = StepState.SKIPPED
                continue
            record.notes = self.notes(step.id, int(total * STEP_WEIGHT.get(step.id, 1.0) / weights), others)
            for spec in step.fields:
                if spec.kind == "date":
                    record.fields[spec.id] = next_date.isoformat()
                elif rng.random() < 0.85 and (text := self.pick(FIELDS.get(spec.id, FIELDS["purpose"]))):
                    record.fields[spec.id] = text  # an empty pick: nothing written, as in real work
            for spec in step.lists:
                self.fill(meeting, spec, meeting.started.date(), others)
            record.state = StepState.PENDING if unfinished and last_reached else StepState.DONE
        meeting.current_step = steps[reached - 1].id
        return reached

    def time_and_signature(self, meeting: Meeting, reached: int, steps: int, unfinished: bool) -> None:
        """How long it ran (in part, for one left unfinished at step `reached` of `steps`),
        and who finalised it when, with now and then an addendum."""
        rng = self.rng
        length = rng.randint(35, 75) * 60
        if unfinished:
            meeting.active_seconds = length * reached // steps
            return
        meeting.active_seconds = length
        meeting.finalised_by = self.pick(WORKERS)
        meeting.finalised_at = meeting.started + timedelta(seconds=length + rng.randint(60, 900))
        if rng.random() < 0.06:
            at = meeting.finalised_at + timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 6))
            meeting.addenda.append(Addendum(text=self.pick(ADDENDA), by=self.pick(WORKERS), at=at))

    # ---- lists, the way a worker fills them in --------------------------------------

    def fill(self, meeting: Meeting, spec: ListSpec, day: date, others: list[str]) -> None:
        """Add or update rows of one list the way a worker would in the meeting."""
        if spec.id == "agenda":
            filler = self.fill_agenda
        elif spec.fixed and spec.decision:
            filler = self.fill_decided_checklist
        else:
            filler = getattr(self, f"fill_{spec.id}", None)
        if filler is not None:  # else a list this module does not know: left as carried
            filler(_List(self, meeting, spec, day), others)

    def fill_agenda(self, lst: _List, others: list[str]) -> None:
        rng = self.rng
        for topic in rng.sample(TOPICS, rng.randint(3, 5)):
            lst.add({"item": topic, "minutes": self.pick(AGENDA_MINUTES), "done": rng.random() < 0.8})

    def fill_decided_checklist(self, lst: _List, others: list[str]) -> None:
        """The boundaries checklist: every item discussed, most agreed, some deferred."""
        for row in lst.rows:
            values = dict(row.values)
            values["discussed"] = True
            if self.rng.random() < 0.85:
                values["decision"] = "agreed"
            else:
                values["decision"] = "deferred"
                values["reason"] = self.pick(DEFERRAL_REASONS)
            values["note"] = self.pick(BOUNDARY_NOTES) or None
            row.values = clean_values(lst.spec, values)
        record = lst.meeting.step(self.step_of[lst.spec.id])
        if record.notes and any(r.values.get("decision") == "deferred" for r in lst.rows):
            record.notes += " " + DEFERRAL_NOTE  # the notes tell what the checklist shows

    def fill_referrals(self, lst: _List, others: list[str]) -> None:
        rng = self.rng
        for row in lst.carried:
            if rng.random() < 0.5:
                row.values["status"] = rng.choice(["using", "using", "not using", "problem"])
        if not lst.carried or rng.random() < 0.25:
            for service in rng.sample(SERVICES, 1 if lst.carried else rng.randint(1, 3)):
                lst.add({"service": service, "status": rng.choice(["using", "not using", "problem", None]),
                         "note": rng.choice(["", "needs a reminder text", "bus fare is a barrier",
                                             "first appointment booked", "waiting list"])})

    def fill_strengths(self, lst: _List, others: list[str]) -> None:
        rng = self.rng
        if not lst.carried or rng.random() < 0.2:
            for text in rng.sample(STRENGTHS, 1 if lst.carried else rng.randint(1, 3)):
                lst.add({"strength": text})

    def fill_coping_positive(self, lst: _List, others: list[str]) -> None:
        rng = self.rng
        if not lst.carried or rng.random() < 0.2:
            for skill in rng.sample(COPING_POSITIVE, 1 if lst.carried else rng.randint(1, 3)):
                lst.add({"skill": skill, "use": rng.choice(["existing", "used most", "still needed"])})

    def fill_coping_harmful(self, lst: _List, others: list[str]) -> None:
        rng = self.rng
        if (not lst.carried and rng.random() < 0.7) or rng.random() < 0.1:
            skill, on_self, on_others = self.pick(COPING_HARMFUL)
            lst.add({"skill": skill, "impact_self": on_self, "impact_others": on_others})

    def fill_solutions(self, lst: _List, others: list[str]) -> None:
        rng = self.rng
        for row in lst.carried:
            if not row.values.get("tried") and rng.random() < 0.5:
                row.values["tried"] = True
                row.values["outcome"] = SOLUTION_OUTCOME.get(str(row.values.get("solution")), "")
        if rng.random() < 0.4:
            text, _ = self.pick(SOLUTIONS)
            lst.add({"solution": text, "tried": False})

    def fill_network(self, lst: _List, others: list[str]) -> None:
        rng = self.rng
        if not lst.carried or rng.random() < 0.15:
            names = [*rng.sample(others, min(len(others), 2)), self.pick(NETWORK_GROUPS)]
            for who in names[: 1 if lst.carried else 3]:
                lst.add({"who": who, "member": rng.choice(["yes", "no", "partly"]),
                         "strategy": self.pick(NETWORK_STRATEGY)})

    def fill_needs(self, lst: _List, others: list[str]) -> None:
        rng = self.rng
        if not lst.carried or rng.random() < 0.15:
            for party, kind, detail in rng.sample(NEEDS, 1 if lst.carried else rng.randint(1, 3)):
                lst.add({"party": party, "kind": kind, "detail": detail})

    def fill_decisions(self, lst: _List, others: list[str]) -> None:
        if self.rng.random() < 0.35:
            decision, options, pos, neg, risks, choice = self.pick(DECISIONS)
            lst.add({"decision": decision, "options": options, "positive": pos, "negative": neg,
                     "risks": risks, "choice": choice})

    def fill_outcomes(self, lst: _List, others: list[str]) -> None:
        rng = self.rng
        for text in rng.sample(OUTCOMES, rng.randint(1, 3)):
            lst.add({"outcome": text, "status": rng.choice(["agreed", "agreed", "agreed", "negotiated"])})

    def fill_actions(self, lst: _List, others: list[str]) -> None:
        rng = self.rng
        for row in lst.carried:
            if rng.random() < 0.6:
                row.values["done"] = True
        for who, what in rng.sample(ACTIONS, rng.randint(1, 3)):
            if who == "other":
                if not others:
                    continue
                who = self.pick(others)
            lst.add({"who": who, "what": what, "due": lst.due(), "done": False})


class _List:
    """One list of a meeting as the demo fills it: its rows, those carried in, and adding one."""

    def __init__(self, writer: MeetingWriter, meeting: Meeting, spec: ListSpec, day: date):
        self.writer, self.meeting, self.spec, self.day = writer, meeting, spec, day
        self.rows = meeting.rows(writer.step_of[spec.id], spec.id)
        self.carried = [r for r in self.rows if r.origin != meeting.id]
        self.key = "what" if spec.id == "actions" else spec.columns[0].id
        self.seen = [r.values.get(self.key) for r in self.rows]

    def add(self, values: dict[str, CellValue]) -> None:
        if self.spec.carry != "none" and (len(self.rows) >= MAX_CARRIED or values.get(self.key) in self.seen):
            return  # a plan does not list the same thing twice, nor grow forever
        self.rows.append(self.writer.row(self.meeting, self.spec, values, self.day))
        self.seen.append(values.get(self.key))

    def due(self) -> str:
        return (self.day + timedelta(days=self.writer.rng.choice([3, 7, 7, 10, 14, 21]))).isoformat()


def _schedule(rng: random.Random, base: datetime, count: int) -> list[datetime]:
    """Weekly-ish weekday dates for one client's meetings, all before END."""
    start = base + timedelta(days=rng.randint(0, 240))
    if count == 0:
        return []
    if start + timedelta(days=15 * count) > END:
        # More meetings than fit at weekly pace: spread them evenly instead.
        gap = (END - start) / count
        return [(start + gap * i).replace(microsecond=0) for i in range(count)]
    days: list[datetime] = []
    cur = start
    for _ in range(count):
        slot = datetime.combine(cur.date(), time(9, 0)) + timedelta(minutes=30 * rng.randint(0, 14))
        while slot.weekday() >= 5:  # weekend: the following Monday
            slot += timedelta(days=1)
        days.append(slot)
        cur += timedelta(days=rng.choice([6, 7, 7, 7, 7, 8, 10, 14, 14]))
    return days


def write_demo(store: Store, meeting_guide: MeetingGuide, *, clients: int = 8, meetings: int = 30, seed: int = 1) -> dict[str, int]:
    """Write `clients` fictional clients and `meetings` meetings; returns the counts written."""
    if clients < 1 or meetings < 0:
        raise ValueError("Demo data needs at least one client and zero or more meetings.")
    writer = MeetingWriter(store, meeting_guide, seed)
    rng = writer.rng
    base = datetime(2025, 1, 6, 9, 0) + timedelta(days=seed % 60)

    # Every client gets one meeting while there are enough; the rest go unevenly.
    per_client = [1 if i < meetings else 0 for i in range(clients)]
    rest = meetings - sum(per_client)
    if rest > 0:
        weights = [rng.uniform(0.3, 2.0) for _ in range(clients)]
        for index in rng.choices(range(clients), weights=weights, k=rest):
            per_client[index] += 1
    with_meetings = [i for i in range(clients) if per_client[i]]
    n_open = max(1, round(len(with_meetings) * 0.15)) if with_meetings else 0
    open_clients = set(rng.sample(with_meetings, n_open))

    width = max(4, len(str(clients)))
    from .journey import closing_client, plan_journey

    closing = closing_client(per_client, open_clients)
    counts = {"clients": 0, "meetings": 0, "finalised": 0, "unfinished": 0, "addenda": 0}
    from ..store import audit
    from ..records import dump

    signed: list[dict[str, Any]] = []
    for i in range(clients):
        dates = _schedule(rng, base, per_client[i])
        client = writer.client(i + 1, width, dates[0] if dates else base)
        at_stage = plan_journey(client, dates, seed, close=i == closing)
        store.put_client(client)
        counts["clients"] += 1
        previous: Meeting | None = None
        for n, started in enumerate(dates):
            last = n == len(dates) - 1
            next_date = dates[n + 1].date() if not last else started.date() + timedelta(days=14)
            meeting = writer.meeting(client, previous, started, next_date, unfinished=last and i in open_clients)
            meeting.stage = at_stage[n]
            if last:  # promises due around today, so follow-through has something to show
                relative_to_today(store, meeting_guide, client, meeting, i)
            doc = dump(meeting)
            signed += audit.seal(doc)  # a finalised one gets its hash, and entries in the audit log
            store.put_meeting_doc(meeting.id, doc)
            counts["meetings"] += 1
            counts["finalised" if meeting.finalised else "unfinished"] += 1
            counts["addenda"] += len(meeting.addenda)
            previous = meeting
    audit.log_bulk(store, signed)
    from .case_plan import add_case_plans  # goals scored across the review meetings

    add_case_plans(store, seed)
    from .journey import add_handovers  # after the goals: the handover counts them

    add_handovers(store)
    return counts
