"""Fictional, reproducible COPE exercises for trying the app: a first exercise and its follow-up.

Everything is drawn from one `random.Random` seeded from `seed` and dated from fixed
dates, never from today or "now": the same seed writes the same exercises, ids, times
and texts. The site is fictional and people appear only as roles or staff codes
("nurse N2"), never by name. Client-flow times are built with `add_visit` and
`add_contact` at explicit HH:MM, so the register's own checks pass on every one.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from ..content.cope_guides import load_culture, load_guides, load_interview, load_record_review
from ..cope.exercise import Answer, Exercise, Interview, PlanItem, Problem, RecordCheck, Team, add_contact, add_visit, flow_times, new_exercise, problem_from_interview, problem_from_question, raise_problem, set_answer, set_status
from ..store.store import Store

SITE = "Hillside health centre"  # fictional
FACILITATOR = "district COPE facilitator (F1)"
# The first exercise starts on this Monday (plus a few weeks by seed); the follow-up
# about six months later. Both lie in the past of any real use of the demo.
FIRST_START = date(2026, 3, 2)
FOLLOW_UP_WEEKS = 26
# The opening exercise, in the staff's words; revised at the follow-up.
QUALITY = (
    "Every client is greeted, told how long the wait will be, seen in privacy, and leaves knowing "
    "what happens next. Staff have what they need and can ask for help without fear."
)
QUALITY_REVISED = QUALITY + " Added at the follow-up: clients who do not use the centre are asked too."
# Who the ten interviews of an exercise heard, by interview number (COPE widens "client").
INTERVIEWEE_OF = {8: "non-user", 9: "community member", 10: "co-worker"}

TEAMS: list[tuple[str, list[str], list[str]]] = [
    (
        "Front desk and records",
        ["receptionist R1", "records clerk RC1", "community health worker CHW2"],
        ["information", "access", "privacy", "continuity"],
    ),
    (
        "Clinical team",
        ["nurse N1", "nurse N2", "midwife M1", "clinical officer CO1"],
        ["informed_choice", "safe_services", "dignity"],
    ),
    (
        "Management and support",
        ["facility in-charge", "pharmacy technician P1", "cleaner C1", "driver D1"],
        ["supervision", "training", "supplies"],
    ),
]

COMMENTS = [
    "seen on two of the three days",
    "only when the in-charge is away",
    "staff disagreed; most said this happens",
    "true for the morning clinic, not the afternoon",
    "the new staff did not know about it",
    "",
    "",
]

# Answers a team might flag, as (guide, question): the team's comment, then the cause and
# recommendation the committee agreed. Other questions are flagged now and then too,
# with a general cause.
FINDINGS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("information", "q01"): ("the board at the gate has faded", "No one is in charge of signs and posters", "Repaint the board and name one person to check signs monthly"),
    ("information", "q03"): ("all posters are in one language", "Leaflets come from the district in one language only", "Ask the district office for leaflets in the two main local languages"),
    ("information", "q08"): ("", "No picture leaflets have been supplied", "Ask for picture leaflets and draw simple ones meanwhile"),
    ("access", "q03"): ("most mornings between 8 and 10", "One registration desk serves everyone in arrival order", "Open a second registration desk from 08:00 to 10:00"),
    ("access", "q05"): ("two steps at the entrance, no ramp", "The entrance was built without a ramp", "Build a ramp at the side entrance"),
    ("access", "q09"): ("on the midwife's training days", "Training days are not covered by another provider", "Plan cover before a provider leaves for training"),
    ("informed_choice", "q02"): ("when the clinic is busy", "Staff are short of time at peak hours", "Book longer slots for first visits on clinic days"),
    ("informed_choice", "q08"): ("the sample kit went missing", "Counselling samples were lost in the move to the new wing", "Replace the sample kit and keep one in each room"),
    ("informed_choice", "q10"): ("implants out of stock since January", "Orders are placed only when stock runs out", "Order at a minimum stock level, counted every Friday"),
    ("safe_services", "q02"): ("no soap in room 3 on two days", "Soap runs out before the monthly order arrives", "Order soap every two weeks and keep a small stock"),
    ("safe_services", "q07"): ("tray not checked since last year", "Nobody is named to check the emergency tray", "Check the tray every Monday and sign the checklist"),
    ("safe_services", "q09"): ("two boxes of gloves expired", "Old stock is not moved to the front of the shelf", "Put new stock behind the old and check dates monthly"),
    ("privacy", "q01"): ("counselling happens in the corridor", "There is no free room at peak hours", "Set aside the small store room as a counselling corner"),
    ("privacy", "q02"): ("the curtain in room 2 is torn", "The curtain was never replaced", "Replace the curtain and add a screen in room 2"),
    ("privacy", "q09"): ("the clerk asks aloud at the desk", "Registration asks the reason for the visit in front of the queue", "Use numbered cards so clients need not say why they came"),
    ("dignity", "q02"): ("clients stand in the sun", "The waiting area has too few benches and no shade", "Move two benches from the store and put up a shade"),
    ("dignity", "q07"): ("", "There is no suggestion box", "Put up a suggestion box and read it at each staff meeting"),
    ("dignity", "q10"): ("", "Staff do not know how long the queue will take", "Tell the queue every hour how long the wait is likely to be"),
    ("continuity", "q01"): ("return dates are said, not written", "Return dates are given aloud only", "Write the return date on every client card"),
    ("continuity", "q04"): ("", "Referral notes rarely come back", "Use a referral slip with a tear-off part to be sent back"),
    ("supervision", "q02"): ("none since the in-charge changed", "Staff meetings stopped when the in-charge changed", "Hold a short staff meeting every second Friday"),
    ("supervision", "q06"): ("", "No one keeps minutes", "Take turns writing the minutes and read the actions first at each meeting"),
    ("training", "q03"): ("two new nurses started without one", "There is no introduction for new staff", "Write a one-page introduction and pair each newcomer with a colleague"),
    ("training", "q06"): ("cleaners never trained", "Infection-prevention training was for clinical staff only", "Run a one-hour session for cleaners and the receptionist"),
    ("supplies", "q01"): ("paracetamol ran out in February", "Stock is counted only when something runs out", "Count key stock every Friday and order at the minimum level"),
    ("supplies", "q06"): ("the blood pressure machine is broken", "Broken equipment waits for the district technician", "Send the machine for repair and borrow one meanwhile"),
    ("supplies", "q09"): ("the roof over the pharmacy leaks", "Repairs wait for the annual budget", "Ask the health committee for a small repair fund"),
}
GENERIC_CAUSES = [
    ("The task has no named owner", "Name one person and check progress at the staff meeting"),
    ("Staff did not know it was expected", "Explain it at the next staff meeting and post a reminder"),
]
OWNERS = [
    "facility in-charge",
    "nurse N1",
    "records clerk RC1",
    "pharmacy technician P1",
    "COPE committee",
    "receptionist R1",
    "clinical officer CO1",
]

SERVICES = ["family planning", "antenatal care", "child immunisation", "treatment for a cough", "blood pressure check", "HIV testing"]
LIKED = ["the nurse was kind", "it was clean", "I was seen quickly once inside", "they explained my medicine", ""]
CHANGES = ["more benches outside", "open earlier", "tell us how long the wait is", "a shade over the queue", "nothing", ""]

# Culture-of-service items planned at the first exercise: who does what.
CULTURE_PLAN: dict[str, list[tuple[str, str, str]]] = {
    "blueprints": [
        ("explain_cos", "facility in-charge", "Talk about the service culture at the staff meeting"),
        ("mission", "COPE committee", "Write the centre's purpose on one page with all staff"),
        ("core_customers", "community health worker CHW2", "List the main client groups and what each needs"),
        ("feedback_inventory", "records clerk RC1", "List the ways clients can give feedback today"),
    ],
    "construction": [
        ("engage_staff", "COPE committee", "Hold a quarterly open meeting on the action plan"),
        ("process_gaps", "nurse N1", "Map the morning queue and mark where clients wait"),
        ("own_standards", "facility in-charge", "Agree three service standards with all staff"),
    ],
    "maintenance": [
        ("ongoing_feedback", "receptionist R1", "Read the suggestion box weekly and post replies"),
        ("onboarding", "nurse N2", "Give every new staff member the service introduction"),
    ],
}
MORE_CULTURE = {
    "maintenance": [
        ("refresher", "facility in-charge", "A refresher on the service standards every six months"),
    ],
}

# Minutes a contact with each kind of staff takes (shortest, longest).
CONTACT_MINUTES = {
    "receptionist": (2, 6),
    "nurse": (8, 18),
    "clinical officer": (12, 24),
    "counsellor": (8, 18),
    "pharmacy technician": (2, 5),
}
FIRST_STAFF = {"receptionist": 1, "nurse": 2, "clinical officer": 1, "counsellor": 1, "pharmacy technician": 1}
# After the plan: a second registration desk, clinical officer and counsellor, and a third
# nurse, at peak hours.
FOLLOW_UP_STAFF = {"receptionist": 2, "nurse": 3, "clinical officer": 2, "counsellor": 2, "pharmacy technician": 1}

EXTRA_PROBLEMS = [
    ("The water tank leaks and the taps run dry by noon", "Tank cracked in the dry season", "Repair the tank and fit a second tap"),
    ("Clients queue in the sun before opening", "No shelter at the gate", "Put up a shade over the morning queue"),
]


class ExerciseWriter:
    def __init__(self, seed: int):
        self.rng = random.Random(f"cope-tui demo exercise {seed}")
        self.guides = load_guides().guides
        self.interview = load_interview()
        self.review = load_record_review()
        self.culture = load_culture()

    def rid(self) -> str:
        return f"{self.rng.getrandbits(64):016x}"

    def pick(self, items: list[Any]) -> Any:
        return items[self.rng.randrange(len(items))]

    @staticmethod
    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute))

    # ---- one exercise -----------------------------------------------------------------

    def exercise(self, start: date, previous: Exercise | None) -> Exercise:
        teams = [Team(id=self.rid(), name=name, members=list(members), guides=list(guides)) for name, members, guides in TEAMS]
        ex = new_exercise(SITE, start, facilitator=FACILITATOR, teams=teams, follow_up_of=previous)
        ex.id = self.rid()
        ex.end = start + timedelta(days=2)
        ex.created = self.at(start, 8, 30)
        for problem in ex.problems:  # carried: new_exercise gave them random ids
            problem.id = self.rid()
        return ex

    def answers(self, ex: Exercise, rates: tuple[float, float], keep_flagged: set[str]) -> list[tuple[str, str]]:
        """Answer most questions; returns the (guide, question) pairs flagged.

        `rates`: how likely a question in FINDINGS, and any other question, is flagged.
        """
        rng = self.rng
        flags = []
        for guide in self.guides:
            for question in guide.questions:
                source = f"guide:{guide.id}:{question.id}"
                if source not in keep_flagged and rng.random() < 0.08:
                    continue  # not answered yet
                other = "yes" if question.problem_when == "no" else "no"
                finding = FINDINGS.get((guide.id, question.id))
                rate = rates[0] if finding else rates[1]
                if source in keep_flagged or rng.random() < rate:
                    comment = finding[0] if finding else self.pick(COMMENTS)
                    set_answer(ex, guide.id, question.id, question.problem_when, comment)
                    flags.append((guide.id, question.id))
                else:
                    set_answer(ex, guide.id, question.id, "not_sure" if rng.random() < 0.05 else other)
        return flags

    def plan(self, problem: Problem, start: date, cause: tuple[str, str] | None = None) -> None:
        _, guide_id, question_id = (problem.source.split(":") + ["", ""])[:3]
        finding = FINDINGS.get((guide_id, question_id))
        problem.cause, problem.recommendation = cause or (finding[1:] if finding else self.pick(GENERIC_CAUSES))
        problem.by_whom = self.pick(OWNERS)
        problem.by_when = start + timedelta(days=self.rng.choice([14, 30, 45, 60, 90, 120]))
        problem.priority = self.rng.choices(["high", "medium", "low"], weights=[3, 5, 2])[0]
        # What waits on the district is beyond the site's own reach.
        problem.outside_help = "district" in f"{problem.cause} {problem.recommendation}".lower()

    def interviews(self, ex: Exercise, day: date, wait_rate: float) -> None:
        rng = self.rng
        for number in range(1, 11):
            interview = Interview(
                id=self.rid(), number=number, at=self.at(day, 9, 30) + timedelta(minutes=25 * number),
                interviewee=INTERVIEWEE_OF.get(number, "client"),
            )
            for question in self.interview.questions:
                if question.kind == "open":
                    pool = {"q01": SERVICES, "q12": LIKED}.get(question.id, CHANGES)
                    text = self.pick(pool)
                    if text:
                        interview.answers[question.id] = Answer(comment=text)
                    continue
                rate = wait_rate if question.id == "q03" else 0.08
                bad = question.problem_when
                good = "yes" if bad == "no" else "no"
                value = bad if rng.random() < rate else ("not_sure" if rng.random() < 0.05 else good)
                interview.answers[question.id] = Answer(value=value)
            ex.interviews.append(interview)

    def records(self, ex: Exercise, missing_rate: float) -> None:
        rng = self.rng
        weak = {"consent", "counselling", "provider"}
        for index in range(12):
            check = RecordCheck(id=self.rid(), label=f"R-{rng.randint(100, 999)}-{index + 1:02d}")
            for item in self.review.items:
                if item.id in ("referral", "medicines") and rng.random() < 0.4:
                    check.marks[item.id] = "not_applicable"
                elif rng.random() < (missing_rate * 3 if item.id in weak else missing_rate):
                    check.marks[item.id] = "missing"
                else:
                    check.marks[item.id] = "present"
            ex.record_checks.append(check)

    def flow(self, ex: Exercise, day: date, clients: int, *, gap: tuple[int, int], staff: dict[str, int]) -> None:
        """One clinic morning: each client registers, is seen, and maybe counselled and given medicine.

        `staff` is how many of each kind are on duty; each contact starts when both the
        client and one of them are free, so queues build up as they would.
        """
        rng = self.rng
        ex.flow_date = day
        free = {kind: [0] * count for kind, count in staff.items()}
        arrival = 7 * 60 + 30
        for number in range(1, clients + 1):
            arrival += rng.randint(*gap)
            kind = "first" if rng.random() < 0.35 else "follow-up"
            add_visit(ex, kind, _clock(arrival), number=number)
            ready = arrival
            stations = ["receptionist", "clinical officer" if kind == "first" else "nurse"]
            if rng.random() < 0.4:
                stations.append("counsellor")
            if rng.random() < 0.7:
                stations.append("pharmacy technician")
            for who in stations:
                servers = free[who]
                which = min(range(len(servers)), key=lambda i: servers[i])
                begin = max(ready, servers[which])
                end = begin + rng.randint(*CONTACT_MINUTES[who])
                servers[which] = end
                contact = add_contact(ex, number, who, _clock(begin), _clock(end))
                contact.id = self.rid()
                ready = end + rng.randint(0, 3)

    def culture_plan(self, ex: Exercise, plan: dict[str, list[tuple[str, str, str]]], start: date, done_rate: float) -> None:
        for stage, items in plan.items():
            known = {item.id for item in self.culture.stage(stage).items}
            for item_id, who, what in items:
                if item_id not in known:
                    continue
                due = start + timedelta(days=self.rng.choice([30, 60, 90, 120]))
                ex.culture.setdefault(stage, {})[item_id] = PlanItem(
                    who=who, what=what, by_when=due, done=self.rng.random() < done_rate
                )

    def status(self, problem: Problem, status: str, when: datetime, note: str = "") -> None:
        set_status(problem, status, note)
        if problem.history:
            problem.history[-1].at = when


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def write_demo_exercise(store: Store, *, seed: int = 1) -> dict[str, Any]:
    """Write a fictional first exercise and its follow-up; returns counts and the two ids."""
    w = ExerciseWriter(seed)
    start = FIRST_START + timedelta(weeks=seed % 4)
    later = start + timedelta(weeks=FOLLOW_UP_WEEKS)
    first = _first_exercise(w, start)
    _months_between(w, first, start, later)
    first.next_exercise = later  # the committee set the follow-up's date
    store.put_exercise(first)
    follow, carried, new = _follow_up(w, first, later)
    follow.quality = QUALITY_REVISED
    follow.next_exercise = later + timedelta(weeks=FOLLOW_UP_WEEKS)
    store.put_exercise(follow)
    return {
        "exercises": 2,
        "problems": len(first.problems),
        "carried": len(carried),
        "done": sum(1 for p in carried if p.status == "done"),
        "new": new,
        "first": first.id,
        "follow_up": follow.id,
    }


def _first_exercise(w: ExerciseWriter, start: date) -> Exercise:
    """The first exercise: answers, interviews, records, the flow day, a problem from each."""
    first = w.exercise(start, None)
    first.quality = QUALITY
    for guide_id, question_id in w.answers(first, (0.5, 0.02), set()):
        problem = problem_from_question(first, guide_id, question_id)
        problem.id = w.rid()
        w.plan(problem, start)
    w.interviews(first, start + timedelta(days=1), 0.5)
    waited = next((i for i in first.interviews if i.answers.get("q03", Answer()).value == "yes"), None)
    if waited is not None:
        problem = problem_from_interview(first, waited, "q03")
        problem.id = w.rid()
        w.plan(problem, start, ("Clients are not told how long the wait is", "Tell the queue every hour how long the wait is likely to be"))
    w.records(first, 0.06)
    missing = [c for c in first.record_checks if c.marks.get("consent") == "missing"]
    if missing:
        problem = raise_problem(
            first,
            f"record:{missing[0].id}:consent",
            f"Consent not documented in {len(missing)} of {len(first.record_checks)} records reviewed",
        )
        problem.id = w.rid()
        w.plan(problem, start, ("Consent forms are kept in another room", "Keep consent forms with the client cards and check them weekly"))
    w.flow(first, start + timedelta(days=1), 25, gap=(2, 9), staff=FIRST_STAFF)
    finished = [t for t in flow_times(first) if t.waiting is not None]
    mean_wait = round(sum(t.waiting or 0 for t in finished) / max(1, len(finished)))
    longest = max((t.waiting or 0 for t in finished), default=0)
    problem = raise_problem(
        first, "flow", f"Clients waited {mean_wait} minutes on average on the client-flow day, up to {longest} minutes"
    )
    problem.id = w.rid()
    problem.cause = "One registration desk and one clinical officer serve the whole morning queue"
    problem.recommendation = "Open a second registration desk and add a clinical officer from 08:00 to 10:00"
    problem.by_whom, problem.by_when, problem.priority = "facility in-charge", start + timedelta(days=30), "high"
    w.culture_plan(first, CULTURE_PLAN, start, 0.0)
    return first


def _months_between(w: ExerciseWriter, first: Exercise, start: date, later: date) -> None:
    """What happened to the plan in the months between the two exercises."""
    problems = list(first.problems)
    w.rng.shuffle(problems)
    rank = {"low": 0, "medium": 1, "high": 2}
    dropped = min((p for p in problems if p.source.startswith("guide:")), key=lambda p: rank[p.priority], default=None)
    for index, problem in enumerate(problems):
        by_when = problem.by_when or start + timedelta(days=30)
        when = w.at(min(by_when, later - timedelta(days=7)), 14)
        if problem is dropped:
            problem.outside_help = True
            w.status(problem, "dropped", when, "Beyond the centre's means; passed to the district office")
        elif index % 4 == 1:
            w.status(problem, "done", when, "Checked by the committee")
        elif index % 3 == 0:
            w.status(problem, "in progress", w.at(start + timedelta(days=10), 11))
    for stage in first.culture.values():
        for item in stage.values():
            item.done = item.by_when is not None and item.by_when < later and w.rng.random() < 0.6


def _follow_up(w: ExerciseWriter, first: Exercise, later: date) -> tuple[Exercise, list[Problem], int]:
    """The follow-up: the first's open problems carried, most solved; (it, carried, new problems)."""
    follow = w.exercise(later, first)
    carried = list(follow.problems)
    # Most carried problems were solved; two are not yet (never the waiting time, which
    # the second desk fixed, as the follow-up's client flow shows).
    stuck = [p for p in carried if p.source != "flow"][-2:]
    still_open = {p.source for p in stuck}
    for problem in carried:
        if problem in stuck:
            if problem.status == "open" and problem.source.startswith("guide:"):
                w.status(problem, "in progress", w.at(later, 10), "Started, not finished")
        else:
            w.status(problem, "done", w.at(later, 10), "Seen done at the follow-up")
    if stuck and (stuck[-1].by_when is None or stuck[-1].by_when >= later):
        stuck[-1].by_when = later - timedelta(days=14)  # one overdue item stands out
    flags = w.answers(follow, (0.08, 0.01), still_open & {p.source for p in carried if p.source.startswith("guide:")})
    fresh = [f for f in flags if f"guide:{f[0]}:{f[1]}" not in {p.source for p in carried}]
    new = 0
    for guide_id, question_id in fresh[:2]:
        problem = problem_from_question(follow, guide_id, question_id)
        problem.id = w.rid()
        w.plan(problem, later)
        new += 1
    text, cause, recommendation = w.pick(EXTRA_PROBLEMS)
    problem = raise_problem(follow, "manual", text)
    problem.id = w.rid()
    problem.cause, problem.recommendation = cause, recommendation
    problem.by_whom, problem.by_when, problem.priority = "facility in-charge", later + timedelta(days=45), "medium"
    new += 1
    w.interviews(follow, later + timedelta(days=1), 0.2)
    w.records(follow, 0.03)
    w.flow(follow, later + timedelta(days=1), 23, gap=(3, 12), staff=FOLLOW_UP_STAFF)
    plan = {stage: [*items, *MORE_CULTURE.get(stage, [])] for stage, items in CULTURE_PLAN.items()}
    w.culture_plan(follow, plan, later, 0.3)
    return follow, carried, new
