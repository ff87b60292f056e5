"""Demo data for the client's journey: stage histories, one handover and one closed client.

Drawn from its own `random.Random` per client, so adding the journey leaves the rest
of the demo data exactly as it was for the same seed. All of it is fictional.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from ..content.stages import STAGES
from ..meetings.models import Client, ClosureChange, Handover, StageChange
from ..store.store import Store

# Why a client moved on to each stage (or back to it), in a worker's words.
FORWARD = {
    2: ["Trust is there now; ready to look at the situation together.",
        "Talks openly about what is going on; time to make sense of it."],
    3: ["The picture is clear to both of us; time to imagine what better looks like.",
        "Client named the patterns themselves; ready to set goals."],
    4: ["Goals agreed, with signs to watch; moving to small planned steps.",
        "Goals chosen with the client; first steps planned for this month."],
    5: ["Most steps taken and working; now keeping the changes going.",
        "New routine has held for a month; focus on making it last."],
    6: ["Changes holding for several weeks; time to plan the handover.",
        "Client feels ready to carry on without regular meetings."],
}
BACK = ["Plan stalled after a setback; the goals need another look.",
        "New worry at home; back to understanding what is happening."]

HANDOVER = {
    "journey": "First met in {month}; {n} meetings over {weeks} weeks. The early meetings built trust, "
               "the middle ones turned the client's worries into {goals}, and the later ones "
               "kept the new routines going through a hard month.",
    "learned": "Opening post together on a fixed day stops letters piling up. Asking for help early works "
               "better than waiting for a crisis. A written list each morning keeps the day on track.",
    "effect": "Rent arrears cleared and no missed appointments for two months. Client says they feel "
              "calmer and more in charge of their week.",
    "challenges": "The benefit review in the spring may bring money worries back. Winter has been hard "
                  "before; the peer group is the first place to turn if it is.",
    "referrals": "The services listed above stay in place. The client has agreed that each may contact "
                 "this service again if things get harder.",
    "reflection": "I moved to goals before the client was ready and had to step back; next time I will check "
                  "first. Training on benefit appeals and on family conflict would help with cases like this.",
}
NUMBER_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def closing_client(per_client: list[int], unfinished: set[int]) -> int | None:
    """The client to show closed: the one with most meetings, all of them finalised (4 or more)."""
    fit = [(n, -i) for i, n in enumerate(per_client) if i not in unfinished and n >= 4]
    return -max(fit)[1] if fit else None


def plan_journey(client: Client, dates: list[datetime], seed: int, *, close: bool) -> list[int]:
    """Give the client a dated stage history along their meetings; returns each meeting's stage.

    A closed client reaches stage 6 and is closed a few days after the last meeting; its handover
    is written by `add_handovers` once the goals exist.
    """
    rng = random.Random(f"journey-{seed}-{client.code}")
    top = STAGES if close else STAGES - 1  # open clients stop short of the handover stage
    stage, stages = 1, []
    for n, started in enumerate(dates):
        stages.append(stage)  # the stage the meeting was held at; a change comes after it
        last = n == len(dates) - 1
        if close and last and stage < STAGES:
            stage, reason = STAGES, rng.choice(FORWARD[STAGES])
        elif last or stage >= top:
            continue
        elif stage > 2 and not close and rng.random() < 0.08:
            stage, reason = stage - 1, rng.choice(BACK)
        elif rng.random() < 0.5 or stage < 1 + n // 2:  # now and then, and never far behind
            stage, reason = stage + 1, rng.choice(FORWARD[stage + 1])
        else:
            continue
        client.stage_history.append(StageChange(stage=stage, on=started.date(), reason=reason))
    client.stage = stage
    if close and dates:  # the handover is written once the goals exist too: add_handovers
        when = datetime.combine(dates[-1].date() + timedelta(days=3), time(16, 0))
        client.closed_at = when
        client.closures.append(ClosureChange(closed=True, at=when))
    return stages


def _goals_text(client: Client) -> str:
    count = len(client.goals)
    if not count:
        return "a clearer picture, though no goals were set"
    reached = sum(1 for g in client.goals if g.achieved)
    return f"{NUMBER_WORDS.get(count, count)} goal{'s' if count != 1 else ''} ({reached} of them reached)"


def add_handovers(store: Store) -> None:
    """The handover of every closed client, written from its record as it now stands, so the
    meetings and goals it counts are the ones stored."""
    for client in store.clients():
        meetings = store.meetings(client.id)
        if client.closed_at is None or not meetings:
            continue
        first, last = meetings[0].started, meetings[-1].started
        weeks = max(1, (last - first).days // 7)
        facts = {"month": f"{first:%B %Y}", "n": len(meetings), "weeks": weeks, "goals": _goals_text(client)}
        texts = {key: text.format(**facts) for key, text in HANDOVER.items()}
        client.handover = Handover(**texts, written=client.closed_at - timedelta(minutes=40))
        store.put_client(client)
