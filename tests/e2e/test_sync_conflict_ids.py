"""Two conflicts of the same kind on two records: each its own id in the list, and a
choice settles the one chosen. Found by hand: two clients deleted by one worker and
edited by another gave two "deleted" conflicts with one id; F11 stopped the app
(DuplicateID in the list) every time, and a choice by id took the first record's."""

from __future__ import annotations

from cope_tui.meetings.models import Client
from helpers.sync import members, remote, team_key  # noqa: F401  (fixtures)


def test_two_deletions_edited_elsewhere_are_two_conflicts_chosen_one_at_a_time(members) -> None:
    ann, bea = members("Ann"), members("Bea")
    x, y = Client(code="C-X", note="x"), Client(code="C-Y", note="y")
    for client in (x, y):
        ann.store.put_client(client)
    ann.engine.sync()
    bea.engine.sync()
    for client in (x, y):
        bea.store.delete("clients", client.id)
    bea.engine.sync()
    for client in (x, y):
        ann.store.put_client(Client(**{**client.model_dump(), "note": f"{client.note} edited by Ann"}))
    ann.engine.sync()
    found = ann.engine.conflicts()
    assert sorted(c.record_id for c in found) == sorted([x.id, y.id])
    assert len({c.id for c in found}) == 2
    chosen = next(c for c in found if c.record_id == y.id)
    ann.engine.choose(chosen.id, take_other=False)
    assert [c.record_id for c in ann.engine.conflicts()] == [x.id]
    assert ann.store.client(y.id).note == "y edited by Ann"
