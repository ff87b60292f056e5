"""Case plans for the demo data: goals set once a client reaches stage 3, scored at the
review meetings after. Clients still at stages 1 and 2 have none, as in real work.

A separate random stream (from the seed) keeps the meetings writer.py writes exactly as
they were, and the same seed always gives the same goals and scores.
"""

from __future__ import annotations

import random
from datetime import timedelta

from ..meetings.models import Goal, GoalRating
from ..store.store import Store

PREFERRED = [
    ("Living in a settled home and managing the week without crises", ["Rent paid on time three months running", "Sleeps at home most nights"]),
    ("Back in regular work or training, with a routine that holds", ["Attends at least three days a week", "Gets up at a set time"]),
    ("Feeling able to cope with setbacks without going back to old habits", ["Names a coping skill when asked", "Fewer days lost to low mood"]),
]
CHANGE = [
    ("Keep a weekly budget and stick to it", ["Budget sheet filled in each week", "No new arrears"]),
    ("Go to the support group every week", ["Attendance noted by the group", "Talks to one member outside the group"]),
    ("Cut down drinking to weekends only", ["Drink diary kept", "No weekday drinking in the diary"]),
    ("Sort out the benefits claim", ["Claim submitted", "Decision letter received"]),
    ("Walk for twenty minutes most days", ["Step count logged", "Says the walks help"]),
    ("Reconnect with a family member", ["One call or visit a fortnight", "Feels welcome there"]),
    ("Keep appointments with the clinic", ["No missed appointments this month", "Books the next one before leaving"]),
]
NOTES = {
    "low": ["A hard few weeks; little movement.", "Not started yet, wants to try before next time.", "Slipped back; talked through what got in the way."],
    "mid": ["Some progress, still patchy.", "Going better than last time.", "Managed most weeks; one difficult stretch."],
    "high": ["Steady now; wants to keep it going.", "Nearly there; the indicators all show it.", "Done most weeks without reminders."],
}


def add_case_plans(store: Store, seed: int) -> int:
    """Goals with ratings for every client with a meeting held at stage 3 or later; returns the
    goals added. Needs the meetings' stages (demo_journey) in place first."""
    rng = random.Random(f"case-plan-{seed}")
    added = 0
    for client in store.clients():
        meetings = store.meetings(client.id)
        # Goals come out of stage 3: agreed at the first meeting held there, scored at every one after.
        set_at = next((m for m in meetings if (m.stage or 1) >= 3), None)
        if set_at is None:
            continue
        picks = [rng.choice(PREFERRED)] + rng.sample(CHANGE, rng.randint(1, 3))
        for index, (text, indicators) in enumerate(picks):
            goal = Goal(
                id=f"{rng.getrandbits(64):016x}",
                text=text,
                kind="preferred" if index == 0 else "change",
                indicators=list(indicators),
                created=set_at.started.date(),
            )
            score = rng.randint(0, 4)
            for meeting in meetings[meetings.index(set_at) :]:
                score = min(10, max(0, score + rng.choice([-1, 0, 1, 1, 2, 2, 3])))
                band = "low" if score < 4 else "mid" if score < 8 else "high"
                note = rng.choice(NOTES[band]) if rng.random() < 0.8 else ""
                goal.ratings.append(GoalRating(score=score, on=meeting.started.date(), meeting_id=meeting.id, note=note))
            if score >= 9 and goal.kind == "change" and rng.random() < 0.6:
                goal.achieved = meetings[-1].started.date() + timedelta(days=rng.randint(0, 3))
            client.goals.append(goal)
            added += 1
        store.put_client(client)
    return added
