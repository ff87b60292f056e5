"""A COPE exercise at a site: guides answered by teams, client interviews, record review,
client flow, the action plan and its follow-up, and the culture-of-service plan.

Rules live here, apart from screens and storage: what gets flagged, how a flag becomes
a problem, what a follow-up carries forward, how progress is counted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from . import client_flow
from ..content.cope_guides import ANSWERS, load_guides, load_interview, load_record_review
from ..mdsafe import refuse_hidden
from ..records import Model, new_id, now

AnswerValue = Literal["yes", "no", "not_sure"]
Priority = Literal["high", "medium", "low"]
Status = Literal["open", "in progress", "done", "dropped"]
STATUSES: tuple[str, ...] = ("open", "in progress", "done", "dropped")
PRIORITIES: tuple[str, ...] = ("high", "medium", "low")
RecordMark = Literal["present", "missing", "not_applicable"]
# Who an interview heard: COPE widens "client" to people who do not use the services,
# the wider community and co-workers outside this exercise.
Interviewee = Literal["client", "non-user", "community member", "co-worker"]
INTERVIEWEES: tuple[str, ...] = ("client", "non-user", "community member", "co-worker")


class ExerciseError(ValueError):
    """An exercise action that cannot be done; the message says why and what to do."""


class Answer(Model):
    value: AnswerValue | None = None
    comment: str = ""


class Team(Model):
    id: str = Field(default_factory=new_id)
    name: str
    members: list[str] = Field(default_factory=list)
    guides: list[str] = Field(default_factory=list)


class StatusChange(Model):
    at: datetime = Field(default_factory=now)
    status: Status
    note: str = ""


class Problem(Model):
    id: str = Field(default_factory=new_id)
    # Where it came from: "guide:<guide>:<question>", "interview:<id>:<question>",
    # "record:<id>:<item>", "flow", "culture:<stage>:<item>" or "manual".
    source: str = "manual"
    text: str
    cause: str = ""
    recommendation: str = ""
    by_whom: str = ""
    by_when: date | None = None
    priority: Priority = "medium"
    status: Status = "open"
    # The problem's id in the exercise this one follows up.
    carried_from: str | None = None
    # The site cannot solve it alone (money, supplies, a decision from elsewhere): the
    # follow-up counts these apart, since staff can only be held to the others.
    outside_help: bool = False
    history: list[StatusChange] = Field(default_factory=list)

    def overdue(self, today: date | None = None) -> bool:
        today = today or date.today()
        return self.by_when is not None and self.by_when < today and self.status in ("open", "in progress")


class Interview(Model):
    id: str = Field(default_factory=new_id)
    number: int
    at: datetime = Field(default_factory=now)
    interviewee: Interviewee = "client"
    answers: dict[str, Answer] = Field(default_factory=dict)


class RecordCheck(Model):
    id: str = Field(default_factory=new_id)
    label: str  # the record's number or code as written on the file, never a name
    marks: dict[str, RecordMark] = Field(default_factory=dict)


class FlowVisit(Model):
    number: int
    visit_type: Literal["first", "follow-up"] = "first"
    arrival: str  # HH:MM
    departure: str | None = None


class FlowContact(Model):
    id: str = Field(default_factory=new_id)
    client: int
    staff: str
    start: str  # HH:MM
    end: str | None = None


class PlanItem(Model):
    """One culture-of-service checklist item, planned as who does what by when."""

    who: str = ""
    what: str = ""
    by_when: date | None = None
    done: bool = False


class Exercise(Model):
    id: str = Field(default_factory=new_id)
    site: str
    start: date
    end: date | None = None
    facilitator: str = ""
    # The opening exercise: what the team says quality means at this site, in its words.
    quality: str = ""
    teams: list[Team] = Field(default_factory=list)
    follow_up_of: str | None = None
    answers: dict[str, dict[str, Answer]] = Field(default_factory=dict)
    interviews: list[Interview] = Field(default_factory=list)
    record_checks: list[RecordCheck] = Field(default_factory=list)
    flow_date: date | None = None
    visits: list[FlowVisit] = Field(default_factory=list)
    contacts: list[FlowContact] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    culture: dict[str, dict[str, PlanItem]] = Field(default_factory=dict)
    # Set by the committee at follow-up: when the site runs its next exercise.
    next_exercise: date | None = None
    created: datetime = Field(default_factory=now)

    def answer(self, guide_id: str, question_id: str) -> Answer:
        return self.answers.get(guide_id, {}).get(question_id) or Answer()

    def problem(self, problem_id: str) -> Problem:
        for problem in self.problems:
            if problem.id == problem_id:
                return problem
        raise KeyError(problem_id)


# ---- creating -------------------------------------------------------------------------


def check_name(name: str, what: str) -> str:
    """A site's or a team's name as typed: it names the record, so nothing hidden in it."""
    try:
        refuse_hidden(name, what)
    except ValueError as exc:
        raise ExerciseError(str(exc)) from None
    return name


def new_exercise(
    site: str,
    start: date,
    *,
    facilitator: str = "",
    teams: list[Team] | None = None,
    follow_up_of: Exercise | None = None,
) -> Exercise:
    """A first exercise, or a follow-up that carries the open problems forward."""
    site = site.strip()
    if not site:
        raise ExerciseError("Type the site's name (it cannot be empty).")
    check_name(site, "The site's name")
    if follow_up_of is not None and start < follow_up_of.start:
        raise ExerciseError(
            f"A follow-up cannot start before the exercise it follows ({follow_up_of.start:%Y-%m-%d})."
        )
    exercise = Exercise(site=site, start=start, facilitator=facilitator.strip(), teams=teams or [])
    if follow_up_of is not None:
        exercise.follow_up_of = follow_up_of.id
        for old in follow_up_of.problems:
            if old.status in ("open", "in progress"):
                carried = old.model_copy(deep=True, update={"id": new_id(), "carried_from": old.id, "history": []})
                exercise.problems.append(carried)
    return exercise


# ---- guides ---------------------------------------------------------------------------


def set_answer(exercise: Exercise, guide_id: str, question_id: str, value: str | None, comment: str | None = None) -> Answer:
    """Record an answer; unknown guides or questions are refused."""
    guide = _guide(guide_id)
    if not any(q.id == question_id for q in guide.questions):
        raise ExerciseError(f"Guide '{guide.title}' has no question '{question_id}'.")
    if value is not None and value not in ANSWERS:
        raise ExerciseError(f"Answer yes, no or not sure (not {value!r}).")
    current = exercise.answers.setdefault(guide_id, {}).setdefault(question_id, Answer())
    current.value = value  # type: ignore[assignment]
    if comment is not None:
        current.comment = comment.strip()
    return current


def flagged(exercise: Exercise, guide_id: str) -> list[str]:
    """Question ids of the guide whose answer points to a problem."""
    guide = _guide(guide_id)
    return [q.id for q in guide.questions if q.flags(exercise.answer(guide_id, q.id).value)]


def progress(exercise: Exercise, guide_id: str) -> tuple[int, int, int]:
    """(answered, total, flagged) for one guide."""
    guide = _guide(guide_id)
    answered = sum(1 for q in guide.questions if exercise.answer(guide_id, q.id).value is not None)
    return answered, len(guide.questions), len(flagged(exercise, guide_id))


def team_progress(exercise: Exercise, team: Team) -> tuple[int, int]:
    """(answered, total) over the team's guides."""
    answered = total = 0
    for guide_id in team.guides:
        done, count, _ = progress(exercise, guide_id)
        answered, total = answered + done, total + count
    return answered, total


def raise_problem(exercise: Exercise, source: str, text: str) -> Problem:
    """A flagged answer becomes a problem in the action plan, once per source; problems
    typed in by hand ("manual") are each their own."""
    for problem in exercise.problems:
        if source != "manual" and problem.source == source and problem.carried_from is None:
            return problem
    text = text.strip()
    if not text:
        raise ExerciseError("Describe the problem (it cannot be empty).")
    problem = Problem(source=source, text=text)
    exercise.problems.append(problem)
    return problem


def problem_from_question(exercise: Exercise, guide_id: str, question_id: str) -> Problem:
    guide = _guide(guide_id)
    question = next((q for q in guide.questions if q.id == question_id), None)
    if question is None:
        raise ExerciseError(f"Guide '{guide.title}' has no question '{question_id}'.")
    answer = exercise.answer(guide_id, question_id)
    if not question.flags(answer.value):
        raise ExerciseError("Only a flagged answer becomes a problem; this answer points to none.")
    text = f"{guide.title}: {question.text} (answered {answer.value})"
    if answer.comment:
        text += f" {answer.comment}"
    return raise_problem(exercise, f"guide:{guide_id}:{question_id}", text)


# ---- interviews -----------------------------------------------------------------------


def interview_numbers(exercise: Exercise) -> dict[str, int]:
    """The number each interview is shown by (by its id): its own, unless another has it
    too. Staff interviewing on two machines each count on from the last interview they
    had synced, so a sync can bring two interview 3s. The one taken first (then the
    lower id: the same on every machine) keeps 3; each other one takes the first number
    above its own that no interview has, so a new interview (numbered after all of
    them) moves none. Worked out when shown, never stored: nothing goes back to the
    team, and every member sees the same numbers."""
    shown: dict[str, int] = {}
    used: set[int] = set()
    later: list[Interview] = []
    for interview in sorted(exercise.interviews, key=lambda i: (i.number, i.at, i.id)):
        if interview.number in used:
            later.append(interview)
        else:
            shown[interview.id] = interview.number
            used.add(interview.number)
    for interview in later:
        number = interview.number
        while number in used:
            number += 1
        used.add(number)
        shown[interview.id] = number
    return shown


def interview_number(exercise: Exercise, interview: Interview) -> int:
    return interview_numbers(exercise).get(interview.id, interview.number)


def add_interview(exercise: Exercise) -> Interview:
    """A new interview, numbered after every number shown."""
    interview = Interview(number=max(interview_numbers(exercise).values(), default=0) + 1)
    exercise.interviews.append(interview)
    return interview


def problem_from_interview(exercise: Exercise, interview: Interview, question_id: str) -> Problem:
    guide = load_interview()
    question = next((q for q in guide.questions if q.id == question_id), None)
    if question is None:
        raise ExerciseError(f"The interview guide has no question '{question_id}'.")
    answer = interview.answers.get(question_id) or Answer()
    heard = "Client interview" if interview.interviewee == "client" else "Interview"
    who = "" if interview.interviewee == "client" else f" ({interview.interviewee})"
    text = f"{heard} {interview_number(exercise, interview)}{who}: {question.text} ({answer.value or 'open answer'})"
    if answer.comment:
        text += f" {answer.comment}"
    return raise_problem(exercise, f"interview:{interview.id}:{question_id}", text)


def set_status(problem: Problem, status: str, note: str = "") -> None:
    """Change a problem's status, keeping the dated history the committee reads."""
    if status not in STATUSES:
        raise ExerciseError(f"Status must be one of: {', '.join(STATUSES)}.")
    if status != problem.status:
        problem.status = status  # type: ignore[assignment]
        problem.history.append(StatusChange(status=status, note=note.strip()))  # type: ignore[arg-type]


def set_interviewee(interview: Interview, who: str) -> None:
    if who not in INTERVIEWEES:
        raise ExerciseError(f"An interview is with one of: {', '.join(INTERVIEWEES)} (not {who!r}).")
    interview.interviewee = who  # type: ignore[assignment]


def set_next_exercise(exercise: Exercise, day: date | None) -> None:
    """The committee's date for the next exercise (None clears it)."""
    if day is not None and day < exercise.start:
        raise ExerciseError(f"The next exercise cannot be before this one starts ({exercise.start:%Y-%m-%d}).")
    exercise.next_exercise = day


def solved_share(previous: Exercise, current: Exercise) -> dict[bool, tuple[int, int]]:
    """(solved, total) of the previous exercise's problems, split by needing outside help.

    Solved: done before the follow-up, or carried into it and done since. A carried copy's
    flag wins, as the committee may have learned since that a problem needs outside help.
    """
    copies = {p.carried_from: p for p in current.problems if p.carried_from is not None}
    share = {False: (0, 0), True: (0, 0)}
    for old in previous.problems:  # a dropped problem counts as not solved
        latest = copies.get(old.id, old)
        solved, total = share[latest.outside_help]
        share[latest.outside_help] = (solved + (latest.status == "done"), total + 1)
    return share


def follow_up_summary(previous: Exercise, current: Exercise) -> dict[str, int]:
    """What happened to the problems carried into this follow-up."""
    carried = [p for p in current.problems if p.carried_from is not None]
    counts = {status: sum(1 for p in carried if p.status == status) for status in STATUSES}
    counts["carried"] = len(carried)
    counts["solved before follow-up"] = sum(1 for p in previous.problems if p.status == "done")
    return counts


# ---- culture of service --------------------------------------------------------------


def culture_item(exercise: Exercise, stage_id: str, item_id: str) -> PlanItem | None:
    """The plan of one culture-of-service item, if anyone planned it yet."""
    return exercise.culture.get(stage_id, {}).get(item_id)


def plan_culture_item(exercise: Exercise, stage_id: str, item_id: str) -> PlanItem:
    """The plan of one item, created the first time it is touched."""
    return exercise.culture.setdefault(stage_id, {}).setdefault(item_id, PlanItem())


# ---- client flow ----------------------------------------------------------------------


def _visits(exercise: Exercise) -> list[client_flow.Visit]:
    return [
        client_flow.Visit(
            v.number,
            v.visit_type,
            client_flow.parse_clock(v.arrival),
            client_flow.parse_clock(v.departure) if v.departure else None,
        )
        for v in exercise.visits
    ]


def _contacts(exercise: Exercise) -> list[client_flow.Contact]:
    return [
        client_flow.Contact(
            c.client, c.staff, client_flow.parse_clock(c.start), client_flow.parse_clock(c.end) if c.end else None
        )
        for c in exercise.contacts
    ]


def add_visit(exercise: Exercise, visit_type: str, arrival: str, number: int | None = None) -> FlowVisit:
    """Register an arrival ('now' stamps the current time); refused with the reason if impossible."""
    when = client_flow.now_clock() if arrival.strip().lower() == "now" else client_flow.parse_clock(arrival)
    number = number if number is not None else max((v.number for v in exercise.visits), default=0) + 1
    visit = client_flow.Visit(number, visit_type, when)
    client_flow.check_visit(_visits(exercise), visit)
    stored = FlowVisit(number=number, visit_type=visit_type, arrival=f"{when:%H:%M}")  # type: ignore[arg-type]
    exercise.visits.append(stored)
    return stored


def add_contact(exercise: Exercise, client: int, staff: str, start: str, end: str | None = None) -> FlowContact:
    staff = staff.strip()
    if not staff:
        raise ExerciseError("Type the type of staff (e.g. nurse, counsellor).")
    begin = client_flow.now_clock() if start.strip().lower() == "now" else client_flow.parse_clock(start)
    finish = None
    if end:
        finish = client_flow.now_clock() if end.strip().lower() == "now" else client_flow.parse_clock(end)
    contact = client_flow.Contact(client, staff, begin, finish)
    client_flow.check_contact(_visits(exercise), _contacts(exercise), contact)
    stored = FlowContact(client=client, staff=staff, start=f"{begin:%H:%M}", end=f"{finish:%H:%M}" if finish else None)
    exercise.contacts.append(stored)
    return stored


def end_contact(exercise: Exercise, contact_id: str, end: str = "now") -> FlowContact:
    """Close an open contact ('now' by default): the live mode's one key."""
    stored = next((c for c in exercise.contacts if c.id == contact_id), None)
    if stored is None:
        raise ExerciseError("That contact no longer exists.")
    finish = client_flow.now_clock() if end.strip().lower() == "now" else client_flow.parse_clock(end)
    others = [c for c in exercise.contacts if c.id != contact_id]
    candidate = client_flow.Contact(stored.client, stored.staff, client_flow.parse_clock(stored.start), finish)
    client_flow.check_contact(_visits(exercise), _contacts_of(others), candidate)
    stored.end = f"{finish:%H:%M}"
    return stored


def _contacts_of(contacts: list[FlowContact]) -> list[client_flow.Contact]:
    return [
        client_flow.Contact(
            c.client, c.staff, client_flow.parse_clock(c.start), client_flow.parse_clock(c.end) if c.end else None
        )
        for c in contacts
    ]


def flow_times(exercise: Exercise, now: int | None = None) -> list[client_flow.ClientTimes]:
    """`now`: the clock on the register's own day (client_flow.live_minutes), else None."""
    return client_flow.client_times(_visits(exercise), _contacts(exercise), now=now)


def source_label(exercise: Exercise, source: str) -> str:
    """Where a problem came from, in words (its `source` is an internal reference)."""
    kind, _, rest = source.partition(":")
    first, _, second = rest.partition(":")
    if kind == "guide":
        guide = next((g for g in load_guides().guides if g.id == first), None)
        if guide is None:
            return "a self-assessment question"
        number = next((i for i, q in enumerate(guide.questions, 1) if q.id == second), None)
        return f"self-assessment guide {guide.number} ({guide.title})" + (f", question {number}" if number else "")
    if kind == "interview":
        interview = next((i for i in exercise.interviews if i.id == first), None)
        number = next((i for i, q in enumerate(load_interview().questions, 1) if q.id == second), None)
        where = f"client interview {interview_number(exercise, interview)}" if interview else "a client interview"
        return where + (f", question {number}" if number else "")
    if kind == "record":
        check = next((c for c in exercise.record_checks if c.id == first), None)
        item = next((i for i in load_record_review().items if i.id == second), None)
        where = f"record review, {check.label}" if check else "the record review"
        return where + (f": {item.text}" if item else "")
    return {"flow": "the client-flow day", "culture": "the culture of service", "manual": "typed in by hand"}.get(
        kind, "elsewhere in the exercise"
    )


# ---- helpers --------------------------------------------------------------------------


def _guide(guide_id: str):
    for guide in load_guides().guides:
        if guide.id == guide_id:
            return guide
    raise ExerciseError(f"There is no self-assessment guide '{guide_id}'.")
