"""Three members editing the same records at random, syncing in random order: once they
all sync, they hold the same records and the same conflicts, the server holds one live
revision per record, and nothing goes back and forth for ever."""

from __future__ import annotations

import os
import random

import orjson
import pytest

from cope_tui.meetings.rules import add_addendum, finalise
from cope_tui.meetings.models import Client, Meeting, MeetingKind
from cope_tui.sync.merge import digest
from helpers.sync import members, remote, team_key  # noqa: F401  (fixtures)

NOTES = ["", "slept badly", "new flat", "court date moved", "feels better"]


def _act(rng: random.Random, member, names: list[str]) -> None:
    store = member.store
    clients, meetings = store.clients(), store.meetings()
    roll = rng.random()
    if roll < 0.15 or not clients:
        client = Client(code=f"C-{rng.randrange(10**6):06d}")
        store.put_client(client)
        store.put_meeting(Meeting(client_id=client.id, kind=MeetingKind.FIRST))
    elif roll < 0.35:
        client = rng.choice(clients)
        client.note = rng.choice(NOTES)
        if rng.random() < 0.5:
            client.significant_others.append(rng.choice(names))
        store.put_client(client)
    elif roll < 0.75 and meetings:
        meeting = rng.choice(meetings)
        if meeting.finalised:
            add_addendum(meeting, rng.choice(NOTES) or "checked", member.engine.user)
        else:
            meeting.step(rng.choice(["opening", "closing"])).notes = rng.choice(NOTES)
            meeting.step("opening").fields["purpose"] = rng.choice(NOTES)
        store.put_meeting(meeting)
    elif roll < 0.85 and meetings:
        meeting = rng.choice(meetings)
        if not meeting.finalised:
            finalise(meeting, member.engine.user)
            store.put_meeting(meeting)
    elif roll < 0.92:
        client = rng.choice(clients)
        if not store.meetings(client.id):
            store.delete("clients", client.id)
    else:
        member.engine.sync()


def _team_view(member) -> dict:
    """What this member says each record is (the team's version where a finalised
    meeting of its own is kept here), with its conflicts."""
    view = {}
    team = member.engine.team
    for table in ("clients", "meetings", "exercises"):
        for doc in member.store.raw(table):
            rec = member.engine.state.records.get(team.remote_id(table, doc["id"]))
            if rec and rec.get("pin") == digest(doc):
                doc = rec["shared"]
            view[(table, doc["id"])] = (doc, sorted(c["id"] for c in (rec or {}).get("conflicts", [])))
    return view


def _settle(group) -> None:
    for _ in range(6):
        sent = sum(member.engine.sync().sent for member in group)
        if sent == 0:
            return
    pytest.fail("the members kept sending new revisions to each other")


def _run(members, seed: int, steps: int) -> None:
    rng = random.Random(seed)
    group = [members(name) for name in ("Ann", "Bea", "Cal")]
    for _ in range(steps):
        _act(rng, rng.choice(group), ["Dee", "Eli", "Fay"])
    _settle(group)
    views = [_team_view(member) for member in group]
    assert views[0] == views[1] == views[2], f"seed {seed}"
    couch = group[0].couch
    status, raw = couch._call("GET", "_all_docs", params={"include_docs": "true", "conflicts": "true"})
    rows = [r for r in orjson.loads(raw)["rows"] if r["id"] != "cope-team"]
    assert not [r["id"] for r in rows if r["doc"].get("_conflicts")], f"seed {seed}"
    assert len(rows) == len(views[0]), f"seed {seed}"


@pytest.mark.parametrize("round_", range(4))
def test_random_edits_on_three_members_converge(members, round_: int) -> None:
    _run(members, int.from_bytes(os.urandom(4), "big"), steps=40)


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(30))
def test_random_edits_converge_long(members, round_: int) -> None:
    _run(members, int.from_bytes(os.urandom(4), "big"), steps=150)
